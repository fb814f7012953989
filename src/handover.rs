//! The hand-over to people, as the shell sees it.
//!
//! Live chat and tickets are a second WebAssembly module (`people`, built
//! from `crate::people`), split from the shell after linking
//! (`scripts/build-widget.sh`). A user who only searches the help centre
//! and talks to the bot never downloads it. [`People`] is the shell's only
//! way in: it fetches the module the first time it is needed (a hand-over,
//! the My tickets tab, or a conversation to show again after a reload),
//! prefetches it when the bot starts leaning towards people, keeps what the
//! user asked for while it loads, and says so when it could not be loaded,
//! with a retry.
//!
//! Everything the shell reads from the module is derived from the module's
//! own signals through [`PeopleModule`]; before it has loaded, the shell
//! answers from what this browser stored (`live-open`, `has-tickets`).

use std::rc::Rc;

use helpdock_core::bot::{Action, Conversation};
use helpdock_core::config::Config;
use helpdock_core::guard::Guard;
use helpdock_core::protocol::Availability;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::{wasm_split, SplitLoaderError};

use crate::state::WidgetState;
use crate::storage;

/// Set while this browser holds a live conversation that is not over, so
/// the shell knows after a reload that the people module is needed at once.
pub(crate) const LIVE_OPEN_KEY: &str = "live-open";
/// Set while the visitor has tickets: replies may come in, and the
/// launcher's badge counts them, so the module is needed after a reload.
pub(crate) const HAS_TICKETS_KEY: &str = "has-tickets";

/// What the people module offers the shell. Implemented in
/// `crate::people`; every method may read signals, so the shell's views and
/// derived values follow the module's state.
pub trait PeopleModule {
    /// Live chat has taken over the Chat area (starting, on, or just ended).
    fn live_active(&self) -> bool;
    /// Unread messages from people: live chat and ticket replies.
    fn unread(&self) -> u32;
    /// Whether people are at work, when the backend has said.
    fn availability(&self) -> Option<Availability>;
    /// The live-chat area, shown in Chat instead of the bot.
    fn live_area(&self) -> AnyView;
    /// The My tickets area.
    fn tickets_area(&self) -> AnyView;
    /// The bot handed over (`Action::Escalate`); starts live chat when
    /// that is the channel.
    fn escalate(&self, action: &Action);
    /// Opens the ticket form, prefilled from the bot conversation.
    fn prefill_ticket(&self, conversation: &Conversation);
}

/// What the people module is built from.
pub struct PeopleContext {
    /// The host's configuration.
    pub config: Config,
    /// The widget's state.
    pub state: WidgetState,
    /// The widget's root owner: the module's services live under it, so
    /// they see its contexts and are cleaned up with the widget.
    pub owner: Owner,
    /// The secrets guard the bot uses, for messages and file names too.
    pub guard: Rc<Guard>,
}

impl std::fmt::Debug for PeopleContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeopleContext").finish_non_exhaustive()
    }
}

/// The split point: calling this fetches and instantiates the `people`
/// module the first time (a failed fetch is not remembered, so calling
/// again retries), then builds its services.
#[wasm_split(people, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_people))]
fn build_people(context: PeopleContext) -> Result<Rc<dyn PeopleModule>, SplitLoaderError> {
    Ok(crate::people::build(context))
}

/// Where the module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Not asked for yet.
    Idle,
    /// Being fetched.
    Loading,
    /// Ready.
    Ready,
    /// The fetch failed; [`People::retry`] tries again.
    Failed,
}

/// Asked for before the module was there; done once it is.
#[derive(Debug, Clone)]
enum Pending {
    Escalate(Action),
    Prefill(Conversation),
}

/// The shell's handle on the people module, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct People {
    /// Where the module is.
    pub load: RwSignal<Load>,
    module: RwSignal<Option<Handle>, LocalStorage>,
    pending: StoredValue<Vec<Pending>, LocalStorage>,
    context: StoredValue<(Config, WidgetState, Owner, Rc<Guard>), LocalStorage>,
    /// A live conversation was stored by an earlier page (until the module
    /// says otherwise).
    stored_live: bool,
    backend: bool,
}

/// The loaded module (a newtype so it can sit in a signal).
#[derive(Clone)]
struct Handle(Rc<dyn PeopleModule>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PeopleModule")
    }
}

impl People {
    /// The handle for `config`. Loads the module at once (when the browser
    /// is idle) if this browser holds something of it to show.
    pub fn new(config: &Config, state: WidgetState, guard: Rc<Guard>) -> Self {
        let backend = config.backend.is_some();
        let stored_live = backend && storage::get(LIVE_OPEN_KEY).is_some();
        let this = People {
            load: RwSignal::new(Load::Idle),
            module: RwSignal::new_local(None),
            pending: StoredValue::new_local(Vec::new()),
            context: StoredValue::new_local((config.clone(), state, Owner::current().unwrap_or_default(), guard)),
            stored_live,
            backend,
        };
        if stored_live || (backend && storage::get(HAS_TICKETS_KEY).is_some()) {
            this.ensure();
        }
        this
    }

    /// Whether a backend takes people's conversations and tickets.
    pub fn available(&self) -> bool {
        self.backend
    }

    fn module(&self) -> Option<Rc<dyn PeopleModule>> {
        self.module.with(|m| m.as_ref().map(|h| h.0.clone()))
    }

    /// Live chat has taken over the Chat area.
    pub fn live_active(&self) -> bool {
        match self.module() {
            Some(m) => m.live_active(),
            None => self.stored_live && self.load.get() != Load::Failed,
        }
    }

    /// Unread messages from people (0 until the module has loaded).
    pub fn unread(&self) -> u32 {
        self.module().map_or(0, |m| m.unread())
    }

    /// Whether people are at work, when the backend has said.
    pub fn availability(&self) -> Option<Availability> {
        self.module.with_untracked(|m| m.as_ref().and_then(|h| h.0.availability()))
    }

    /// The live-chat area, once the module is here.
    pub fn live_area(&self) -> Option<AnyView> {
        self.module().map(|m| m.live_area())
    }

    /// The My tickets area, once the module is here.
    pub fn tickets_area(&self) -> Option<AnyView> {
        self.module().map(|m| m.tickets_area())
    }

    /// The bot handed over: passes it on, loading the module first.
    pub fn escalate(&self, action: Action) {
        self.run(Pending::Escalate(action));
    }

    /// "Submit a ticket": the form, prefilled from the conversation.
    pub fn prefill_ticket(&self, conversation: Conversation) {
        self.run(Pending::Prefill(conversation));
    }

    fn run(&self, pending: Pending) {
        if !self.backend {
            return;
        }
        match self.module.with_untracked(|m| m.as_ref().map(|h| h.0.clone())) {
            Some(module) => apply(&*module, pending),
            None => {
                self.pending.update_value(|p| p.push(pending));
                self.ensure();
            }
        }
    }

    /// Fetches the module in the background without building it, so a
    /// hand-over that may follow does not wait for the network.
    pub fn prefetch(&self) {
        if self.backend && self.load.get_untracked() == Load::Idle {
            spawn_local(async {
                _ = preload_people().await;
            });
        }
    }

    /// Fetches and builds the module unless it is here or on its way.
    pub fn ensure(&self) {
        if !self.backend || matches!(self.load.get_untracked(), Load::Loading | Load::Ready) {
            return;
        }
        let (config, state, owner, guard) = self.context.get_value();
        self.load.set(Load::Loading);
        let this = *self;
        spawn_local(async move {
            match build_people(PeopleContext { config, state, owner, guard }).await {
                Ok(module) => {
                    this.module.set(Some(Handle(module.clone())));
                    this.load.set(Load::Ready);
                    for pending in this.pending.try_update_value(std::mem::take).unwrap_or_default() {
                        apply(&*module, pending);
                    }
                }
                Err(_) => {
                    web_sys::console::error_1(&"Helpdock: could not load live chat and tickets".into());
                    this.load.set(Load::Failed);
                }
            }
        });
    }

    /// After a failure: tries again; what the user asked for meanwhile is
    /// still waiting.
    pub fn retry(&self) {
        if self.load.get_untracked() == Load::Failed {
            self.load.set(Load::Idle);
        }
        self.ensure();
    }
}

fn apply(module: &dyn PeopleModule, pending: Pending) {
    match pending {
        Pending::Escalate(action) => module.escalate(&action),
        Pending::Prefill(conversation) => module.prefill_ticket(&conversation),
    }
}
