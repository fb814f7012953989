//! Files the user attaches (picker, drop or paste) to a live-chat message,
//! a new ticket or a ticket reply: checked by name (the secrets guard),
//! type and size, then uploaded with progress, each into the list of the
//! form it belongs to.

use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use helpdock_core::guard::{Guard, Stopped};
use helpdock_core::live::check_attachment;
use helpdock_core::protocol::Attachment;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::people::backend::Backend;
use crate::people::transport::Upload;
use crate::state::WidgetState;

/// A file picked for a message, a ticket or a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Staged {
    /// A local id.
    pub id: u32,
    /// The file's name.
    pub name: String,
    /// A `blob:` URL for images, to preview before sending.
    pub preview: Option<String>,
    /// How far the upload is (0..=1).
    pub progress: f64,
    /// Uploading, uploaded, or refused.
    pub state: StagedState,
}

/// Where a [`Staged`] file stands.
#[derive(Debug, Clone, PartialEq)]
pub enum StagedState {
    /// On its way.
    Uploading,
    /// Uploaded; goes with the next message.
    Done(Attachment),
    /// Refused or failed: why, in a sentence.
    Failed(String),
}

impl Staged {
    /// A file uploaded before (a restored draft, an edited message).
    pub fn uploaded(attachment: Attachment) -> Staged {
        Staged {
            id: next_id(),
            name: attachment.name.clone(),
            preview: None,
            progress: 1.0,
            state: StagedState::Done(attachment),
        }
    }
}

/// The uploaded files of a list, to send.
pub fn done(staged: &[Staged]) -> Vec<Attachment> {
    staged
        .iter()
        .filter_map(|s| match &s.state {
            StagedState::Done(a) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

/// Whether any file of a list is still on its way.
pub fn uploading(staged: &[Staged]) -> bool {
    staged.iter().any(|s| s.state == StagedState::Uploading)
}

fn next_id() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The uploads service, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct Uploads {
    backend: Backend,
    state: WidgetState,
    guard: StoredValue<Rc<Guard>, LocalStorage>,
}

impl Uploads {
    /// Uploads through `backend`; file names are checked with `guard`.
    pub fn new(backend: Backend, state: WidgetState, guard: Rc<Guard>) -> Self {
        Uploads { backend, state, guard: StoredValue::new_local(guard) }
    }

    /// Checks and uploads `files` into `staged`.
    pub fn attach(&self, staged: RwSignal<Vec<Staged>>, files: Vec<web_sys::File>) {
        let locale = self.state.locale.get_untracked();
        let t = crate::i18n::strings(locale);
        let guard = self.guard.get_value();
        for file in files {
            let name = file.name();
            let content_type = file.type_();
            let id = next_id();
            let refuse = |message: String| Staged {
                id,
                name: name.clone(),
                preview: None,
                progress: 0.0,
                state: StagedState::Failed(message),
            };
            if let Some(stopped) = Stopped::of(&guard.scan(&name), locale) {
                let reasons = stopped.reasons.join(" ");
                staged.update(|s| s.push(refuse(t.live_file_name_blocked().replace("{reasons}", &reasons))));
                continue;
            }
            let limits = self.backend.limits.get_untracked();
            if let Some(problem) =
                limits.as_ref().and_then(|l| check_attachment(file.size() as u64, &content_type, l).err())
            {
                staged.update(|s| s.push(refuse(problem.message(&name, locale))));
                continue;
            }
            let preview = content_type
                .starts_with("image/")
                .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
                .flatten();
            staged.update(|s| {
                s.push(Staged { id, name: name.clone(), preview, progress: 0.0, state: StagedState::Uploading })
            });
            let backend = self.backend;
            spawn_local(async move {
                let upload = Upload { name: name.clone(), content_type, blob: file.into() };
                let progress: Rc<dyn Fn(f64)> = Rc::new(move |p| {
                    staged.update(|s| s.iter_mut().filter(|f| f.id == id).for_each(|f| f.progress = p))
                });
                let result = backend.call(move |t, token| t.upload(&token, upload, progress)).await;
                let state = match result {
                    Ok(attachment) => StagedState::Done(attachment),
                    Err(err) => StagedState::Failed(
                        t.live_upload_failed().replace("{name}", &name).replace("{reason}", &err.user_message(locale)),
                    ),
                };
                staged.update(|s| {
                    s.iter_mut().filter(|f| f.id == id).for_each(|f| {
                        f.progress = 1.0;
                        f.state = state.clone();
                    })
                });
            });
        }
    }
}

/// Removes a staged file from `staged` (and its preview URL).
pub fn unstage(staged: RwSignal<Vec<Staged>>, id: u32) {
    staged.update(|s| {
        if let Some(i) = s.iter().position(|f| f.id == id) {
            if let Some(url) = s.remove(i).preview {
                _ = web_sys::Url::revoke_object_url(&url);
            }
        }
    });
}

/// Empties `staged` after its files were sent (and frees the previews).
pub fn clear(staged: RwSignal<Vec<Staged>>) {
    for s in staged.get_untracked() {
        if let Some(url) = s.preview {
            _ = web_sys::Url::revoke_object_url(&url);
        }
    }
    staged.set(Vec::new());
}

/// Files from a drop, a paste or a file input.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// The element a DOM event came from, as `T`.
pub fn target<T: JsCast>(ev: &web_sys::Event) -> Option<T> {
    ev.target()?.dyn_into().ok()
}
