// Files on their way into a reply (a chat message or a ticket reply):
// checked, uploaded with progress, listed with a preview and a Remove
// button; and files already sent, shown as image previews or links.

import { h, reconcile, replaceChildren, safeUrl, show } from "./dom.js";
import { checkFile, fileType, formatBytes } from "./model.js";

let nextLocalId = 1;

/**
 * Starts uploading `files`; returns `{uploads, problems}`: an Upload per
 * accepted file ({localId, name, size, type, previewUrl, state, progress,
 * attachment, error, abort}) and a sentence per refused one. `onProgress`
 * and `onSettled` are called with the upload as it moves.
 */
export function startUploads(api, files, { onProgress, onSettled }) {
  const uploads = [];
  const problems = [];
  for (const file of files) {
    const problem = checkFile(file);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const type = fileType(file);
    const upload = {
      localId: nextLocalId++,
      name: file.name || "pasted-image",
      size: file.size,
      type,
      previewUrl: type.startsWith("image/") ? URL.createObjectURL(file) : null,
      state: "uploading",
      progress: 0,
      attachment: null,
      error: null,
    };
    const { promise, abort } = api.upload(file, type, (fraction) => {
      upload.progress = fraction;
      onProgress(upload);
    });
    upload.abort = abort;
    promise.then(
      (attachment) => {
        upload.state = "done";
        upload.progress = 1;
        upload.attachment = attachment;
        onSettled(upload);
      },
      (err) => {
        if (err.code === "aborted") return;
        upload.state = "failed";
        upload.error = err.status === 401 ? "You are signed out." : err.message;
        onSettled(upload);
      },
    );
    uploads.push(upload);
  }
  return { uploads, problems };
}

/** An Upload for a file already on the server (a failed message taken back to edit). */
export function uploadedFile(attachment) {
  const a = attachment;
  return { localId: nextLocalId++, name: a.name, size: a.size, type: a.contentType, state: "done", progress: 1, attachment: a };
}

/** Why `uploads` cannot be sent yet, or `null`. */
export function uploadsProblem(uploads) {
  if (uploads.some((f) => f.state === "uploading")) return "Wait for the files to finish uploading, then send.";
  if (uploads.some((f) => f.state === "failed")) return "Remove the files that could not be uploaded, then send.";
  return null;
}

/** Stops an upload and frees its preview. */
export function dropUpload(upload) {
  if (upload.state === "uploading") upload.abort?.();
  if (upload.previewUrl) URL.revokeObjectURL(upload.previewUrl);
}

/** Keeps `list` showing `uploads`; `onRemove(upload)` for their Remove buttons. */
export function renderUploads(list, uploads, onRemove) {
  reconcile(list, uploads, {
    key: (f) => String(f.localId),
    create: (f) =>
      h(
        "li",
        { class: "upload" },
        h("span", { class: "upload-thumb-slot" }),
        h("span", { class: "upload-info" }, h("span", { class: "upload-name", text: f.name }), h("span", { class: "upload-state" })),
        h("progress", { class: "upload-progress", max: "1", "aria-label": `Uploading ${f.name}` }),
        h("button", { type: "button", class: "link-button upload-remove", "aria-label": `Remove ${f.name}`, on: { click: () => onRemove(f) } }, "Remove"),
      ),
    update: (el, f) => {
      el.dataset.state = f.state;
      // The local preview until the server has read the bytes; a refused
      // "image" may not be one at all, so it gets the plain file icon.
      const preview = f.state !== "failed" && f.previewUrl;
      const slot = el.querySelector(".upload-thumb-slot");
      if (slot.dataset.preview !== String(Boolean(preview))) {
        slot.dataset.preview = String(Boolean(preview));
        replaceChildren(slot, preview ? h("img", { class: "upload-thumb", src: preview, alt: "" }) : h("span", { class: "upload-icon", "aria-hidden": "true", text: extension(f.name) }));
      }
      const state = el.querySelector(".upload-state");
      state.textContent = f.state === "failed" ? f.error : f.state === "done" ? `${formatBytes(f.size)} · ready` : `${formatBytes(f.size)} · uploading…`;
      state.classList.toggle("error-text", f.state === "failed");
      const bar = el.querySelector("progress");
      bar.value = f.progress;
      show(bar, f.state === "uploading");
    },
  });
}

/** Moves one upload's progress bar without redrawing the list. */
export function renderProgress(list, upload) {
  const el = list.querySelector(`[data-key="${upload.localId}"] progress`);
  if (el) el.value = upload.progress;
}

/** A sent file: images previewed (and linked), others as a named link. */
export function fileItem(a) {
  const url = safeUrl(a.url, { sameOrigin: true });
  const label = `${a.name} (${formatBytes(a.size)})`;
  if (url && a.contentType?.startsWith("image/")) {
    return h(
      "li",
      { class: "file file-image" },
      h("a", { href: url, target: "_blank", rel: "noopener noreferrer", title: label }, h("img", { src: url, alt: a.name, loading: "lazy", class: "file-preview", on: { load: keepLatestInView } })),
    );
  }
  const parts = [h("span", { class: "file-ext", "aria-hidden": "true", text: extension(a.name) }), h("span", { class: "file-name", text: a.name }), h("span", { class: "file-size", text: formatBytes(a.size) })];
  return h("li", { class: "file" }, url ? h("a", { class: "file-chip", href: url, target: "_blank", rel: "noopener noreferrer" }, parts) : h("span", { class: "file-chip" }, parts));
}

/** "report.pdf" → "PDF", for file badges. */
export function extension(name) {
  const ext = /\.([a-z0-9]{1,4})$/i.exec(name ?? "")?.[1];
  return ext ? ext.toUpperCase() : "FILE";
}

/** An image in the newest message grew the thread: keep the newest in view. */
function keepLatestInView(e) {
  const thread = e.target.closest(".thread");
  if (thread?.lastElementChild?.contains(e.target)) thread.scrollTop = thread.scrollHeight;
}
