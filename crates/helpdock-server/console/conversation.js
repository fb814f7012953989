// The open conversation: its header and actions (accept, transfer, close),
// the message thread with delivery states, the reply box with attachments
// (picker, drag-and-drop, paste; checked, then uploaded with progress), and
// the side panel with what the bot collected, the visitor and the bot
// transcript.

import { renderFields, renderRows, renderTranscript, visitorRows } from "./details.js";
import { h, reconcile, replaceChildren, show } from "./dom.js";
import { dropUpload, fileItem, renderProgress, renderUploads, startUploads, uploadedFile, uploadsProblem } from "./files.js";
import { renderLinkNote } from "./links.js";
import { LIMITS, TypingSignal, formatWait, topicName, visitorName } from "./model.js";

const $ = (id) => document.getElementById(id);

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

export function formatTime(ms) {
  const d = new Date(ms);
  return d.toDateString() === new Date().toDateString() ? timeFormat.format(d) : dateTimeFormat.format(d);
}

export class ConversationView {
  constructor(app) {
    this.app = app;
    /** conversation id → {text, files: Upload[]} kept while switching. */
    this.drafts = new Map();
    /** The conversation the thread element currently shows. */
    this.threadOf = null;
    this.typingSignal = null;
    /** Ends every listener this view added, when the agent signs out. */
    this.listeners = new AbortController();
    this.bind();
  }

  get id() {
    return this.app.selectedId;
  }

  draft(id = this.id) {
    if (!this.drafts.has(id)) this.drafts.set(id, { text: "", files: [] });
    return this.drafts.get(id);
  }

  bind() {
    const signal = this.listeners.signal;
    const on = (target, event, handler) => target.addEventListener(event, handler, { signal });
    const input = $("composer-input");
    on($("composer"), "submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    on(input, "keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    on(input, "input", () => {
      this.draft().text = input.value;
      renderLinkNote($("composer-link-note"), input.value, this.app.officialDomains);
      this.clearComposerError();
      if (input.value) this.typingSignal?.input();
      else this.typingSignal?.stop();
    });
    on(input, "paste", (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        this.addFiles(files);
      }
    });
    on($("attach-btn"), "click", () => $("file-input").click());
    on($("file-input"), "change", (e) => {
      this.addFiles([...e.target.files]);
      e.target.value = "";
    });

    const zone = $("conversation");
    const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
    let depth = 0;
    on(zone, "dragenter", (e) => {
      if (!hasFiles(e) || !this.canReply()) return;
      e.preventDefault();
      depth++;
      zone.classList.add("dropping");
      show($("drop-hint"), true);
    });
    on(zone, "dragover", (e) => {
      if (!hasFiles(e) || !this.canReply()) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    });
    on(zone, "dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) this.endDrop();
    });
    on(zone, "drop", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      this.endDrop();
      if (this.canReply()) this.addFiles([...e.dataTransfer.files]);
    });

    on($("accept-btn"), "click", () => this.id && this.app.accept(this.id));
    on($("transfer-btn"), "click", () => this.openTransfer());
    on($("close-btn"), "click", () => $("close-dialog").showModal());
    on($("close-cancel"), "click", () => $("close-dialog").close());
    on($("close-form"), "submit", (e) => {
      e.preventDefault();
      const error = this.app.close(this.id);
      $("close-dialog").close();
      if (error) this.app.toast(error, { alert: true });
    });
    on($("transfer-cancel"), "click", () => $("transfer-dialog").close());
    on($("transfer-form"), "submit", (e) => {
      e.preventDefault();
      this.submitTransfer();
    });
    for (const radio of document.querySelectorAll('#transfer-form input[name="target"]')) {
      on(radio, "change", () => this.syncTransferTarget());
    }
  }

  endDrop() {
    $("conversation").classList.remove("dropping");
    show($("drop-hint"), false);
  }

  /** The agent may write in the open conversation. */
  canReply() {
    const c = this.app.model.conversations.get(this.id);
    return Boolean(c?.mine && c.status === "active");
  }

  /** Leaving a conversation: keep the draft, stop "typing". */
  leave(id) {
    if (!id) return;
    this.typingSignal?.stop();
    this.draft(id).text = $("composer-input").value;
  }

  /** A conversation was opened: its draft back in the box. */
  opened(focusComposer) {
    const id = this.id;
    this.typingSignal = id ? new TypingSignal((typing) => this.app.typing(id, typing)) : null;
    $("composer-input").value = id ? this.draft(id).text : "";
    renderLinkNote($("composer-link-note"), $("composer-input").value, this.app.officialDomains);
    this.clearComposerError();
    this.renderPending();
    if (focusComposer && this.canReply()) $("composer-input").focus();
  }

  /** Signed out: nothing of this agent's stays on screen. */
  reset() {
    this.listeners.abort();
    this.typingSignal?.stop();
    for (const d of this.drafts.values()) for (const f of d.files) dropUpload(f);
    this.drafts.clear();
    this.threadOf = null;
    $("composer-input").value = "";
    for (const id of ["thread", "pending", "fields", "visitor", "transcript"]) replaceChildren($(id));
    $("transcript").dataset.of = "";
    $("visitor").dataset.of = "";
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  }

  restoreDraft(entry) {
    const d = this.draft(entry.conversation);
    d.text = entry.body + (d.text ? `\n${d.text}` : "");
    for (const a of entry.attachmentInfo ?? []) d.files.push(uploadedFile(a));
    if (entry.conversation === this.id) {
      $("composer-input").value = d.text;
      this.renderPending();
      $("composer-input").focus();
    }
  }

  // --- rendering -----------------------------------------------------------

  render() {
    if (this.app.mode !== "chats") {
      for (const id of ["conv-empty", "conv-view", "details"]) show($(id), false);
      return;
    }
    const c = this.id ? this.app.model.conversations.get(this.id) : null;
    show($("conv-empty"), !this.id);
    show($("conv-view"), Boolean(this.id));
    show($("details"), Boolean(this.id));
    if (!this.id) {
      this.threadOf = null;
      return;
    }
    this.renderHeader(c);
    this.renderThread(c);
    this.renderTyping(c);
    this.renderDetails(c);
    show($("composer"), this.canReply());
  }

  renderHeader(c) {
    const app = this.app;
    const status = c?.status ?? "queued";
    $("conv-title").textContent = c ? visitorName(c.visitor, c.id) : "Loading…";
    const parts = [topicName(c?.summary?.topic)];
    if (status === "queued") parts.push(`waiting ${formatWait(Date.now() - (c?.summary?.createdAt ?? Date.now()))}`);
    else if (status === "active") parts.push(c?.mine ? "with you" : `with ${c?.summary?.agent?.name ?? "another agent"}`);
    else parts.push("closed");
    if (c?.summary?.createdAt) parts.push(`started ${formatTime(c.summary.createdAt)}`);
    $("conv-sub").textContent = parts.join(" · ");

    const queued = status === "queued" && app.model.stillWaiting(c?.id);
    const accepting = app.pendingAccepts.has(this.id);
    show($("accept-btn"), queued);
    $("accept-btn").disabled = accepting || !app.online;
    $("accept-btn").textContent = accepting ? "Accepting…" : "Accept";
    show($("transfer-btn"), this.canReply());
    show($("close-btn"), this.canReply());

    let notice = null;
    if (!c || (!c.loaded && !c.loadError && !c.summary)) notice = "Loading the conversation…";
    else if (c.loadError && !c.loaded) notice = `This conversation could not be loaded: ${c.loadError.message}`;
    else if (c.acceptError && status === "queued") notice = c.acceptError;
    else if (status === "closed") notice = `This conversation was closed${c.closedBy === "visitor" ? " by the visitor" : ""}.`;
    else if (c.transferredAway) notice = "You transferred this conversation; it is no longer yours.";
    else if (status === "queued" && !queued) notice = "This conversation is no longer waiting: another agent took it.";
    else if (status === "queued") notice = "This visitor is waiting. Accept the conversation to reply.";
    else if (!c.mine) notice = `This conversation is with ${c.summary?.agent?.name ?? "another agent"}.`;
    $("conv-notice").textContent = notice ?? "";
    show($("conv-notice"), Boolean(notice));
  }

  renderThread(c) {
    let list = $("thread");
    // A fresh live region per conversation, so opening one does not read
    // its whole history aloud; later additions are announced.
    if (this.threadOf !== this.id) {
      const fresh = h("div", { id: "thread", class: "thread", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
      list.replaceWith(fresh);
      list = fresh;
      this.threadOf = this.id;
      this.stickToBottom = true;
    }
    const atBottom = this.stickToBottom || list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    this.stickToBottom = false;
    const items = c ? this.app.model.thread(c.id) : [];
    reconcile(list, items, {
      key: (item) => item.key,
      create: () => h("div", { class: "msg" }),
      update: (li, item) => this.renderMessage(li, item, c),
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  renderMessage(li, item, c) {
    const m = item.message;
    const e = item.entry;
    const sig = JSON.stringify([m?.seq, m?.body, m?.attachments?.length, item.delivery, e?.error?.message, c?.visitor?.name]);
    if (li.dataset.sig === sig) return;
    li.dataset.sig = sig;
    const kind = m ? (m.author?.kind ?? "system") : "agent";
    li.className = `msg msg-${kind}${item.delivery === "failed" ? " msg-failed" : ""}`;
    const body = m ? m.body : e.body;
    const attachments = m ? (m.attachments ?? []) : (e.attachmentInfo ?? []);
    if (kind === "system") {
      replaceChildren(li, h("p", { class: "msg-system-text" }, body, " ", m ? h("time", { datetime: new Date(m.at).toISOString(), text: formatTime(m.at) }) : null));
      return;
    }
    const author = kind === "agent" ? (m?.author?.name && m.author.name !== this.app.agent.name ? m.author.name : "You") : visitorName(c?.visitor, c?.id);
    const at = m?.at ?? e?.createdAt;
    replaceChildren(
      li,
      h(
        "div",
        { class: "msg-meta" },
        h("span", { class: "msg-author", text: author }),
        at ? h("time", { datetime: new Date(at).toISOString(), text: formatTime(at) }) : null,
      ),
      body ? h("p", { class: "msg-body", text: body }) : null,
      attachments.length ? h("ul", { class: "msg-files", "aria-label": "Attachments" }, attachments.map(fileItem)) : null,
      kind === "agent" ? this.deliveryLine(item) : null,
    );
  }

  deliveryLine(item) {
    const state = item.delivery;
    if (state === "failed") {
      const clientId = item.entry.clientId;
      return h(
        "div",
        { class: "msg-status msg-status-failed", role: "alert" },
        h("span", { text: `Not sent: ${item.entry.error?.message ?? "the server refused it."}` }),
        " ",
        h("button", { type: "button", class: "link-button", on: { click: () => this.app.retry(clientId) } }, "Retry"),
        " ",
        h("button", { type: "button", class: "link-button", on: { click: () => this.app.edit(clientId) } }, "Edit"),
      );
    }
    const label = { sending: this.app.online ? "Sending…" : "Waiting for the connection…", sent: "Sent", read: "Read" }[state];
    return h("div", { class: `msg-status msg-status-${state}`, "data-state": state }, label);
  }

  renderTyping(c) {
    const typing = c && this.app.model.isVisitorTyping(c.id);
    $("typing").textContent = typing ? `${visitorName(c.visitor, c.id)} is typing…` : "";
  }

  renderDetails(c) {
    const loaded = Boolean(c?.loaded);
    renderFields($("fields"), $("fields-empty"), c?.fields ?? [], loaded);
    const v = c?.visitor;
    const rows = visitorRows(v);
    if (c?.summary) {
      rows.push(["Topic", topicName(c.summary.topic)]);
      rows.push(["Started", formatTime(c.summary.createdAt)]);
    }
    renderRows($("visitor"), rows);
    $("visitor").classList.toggle("identified", Boolean(v?.identified));
    renderTranscript($("transcript"), $("transcript-empty"), c?.id, c?.transcript ?? [], loaded, "Visitor");
  }

  tick() {
    const c = this.id ? this.app.model.conversations.get(this.id) : null;
    if (c?.status === "queued") this.renderHeader(c);
    if (c) this.renderTyping(c);
  }

  // --- composing -----------------------------------------------------------

  clearComposerError() {
    show($("composer-error"), false);
  }

  composerError(text) {
    $("composer-error").textContent = text;
    show($("composer-error"), true);
  }

  submit() {
    const id = this.id;
    if (!id || !this.canReply()) return;
    const input = $("composer-input");
    const body = input.value.replace(/^\s+$/, "");
    const d = this.draft(id);
    const problem = uploadsProblem(d.files);
    if (problem) return this.composerError(problem);
    const attachments = d.files.map((f) => f.attachment);
    if (!body.trim() && attachments.length === 0) return;
    const length = [...body].length;
    if (length > LIMITS.maxMessageChars) {
      return this.composerError(`A message can have at most ${LIMITS.maxMessageChars} characters; this one has ${length}. Split it in two.`);
    }
    this.app.send(id, body.trim() ? body : "", attachments);
    for (const f of d.files) if (f.previewUrl) URL.revokeObjectURL(f.previewUrl);
    d.files = [];
    d.text = "";
    input.value = "";
    renderLinkNote($("composer-link-note"), "", this.app.officialDomains);
    this.typingSignal?.stop();
    this.clearComposerError();
    this.renderPending();
    this.stickToBottom = true;
    this.render();
  }

  addFiles(files) {
    const id = this.id;
    if (!id || !this.canReply()) return;
    const { uploads, problems } = startUploads(this.app.api, files, {
      onProgress: (upload) => renderProgress($("pending"), upload),
      onSettled: () => this.renderPending(),
    });
    this.draft(id).files.push(...uploads);
    if (problems.length) this.composerError(problems.join(" "));
    else this.clearComposerError();
    this.renderPending();
  }

  removeUpload(upload) {
    const d = this.draft();
    d.files = d.files.filter((f) => f !== upload);
    dropUpload(upload);
    this.renderPending();
    $("composer-input").focus();
  }

  renderPending() {
    renderUploads($("pending"), this.id ? this.draft().files : [], (f) => this.removeUpload(f));
  }

  // --- transfer ------------------------------------------------------------

  async openTransfer() {
    const dialog = $("transfer-dialog");
    show($("transfer-error"), false);
    const agentSelect = $("transfer-agent");
    replaceChildren(agentSelect, h("option", { value: "", text: "Loading agents…" }));
    dialog.showModal();
    let agents = [];
    try {
      agents = await this.app.api.agents();
    } catch (err) {
      this.transferError(`The list of agents could not be loaded: ${err.message}`);
    }
    const others = agents.filter((a) => a.id !== this.app.agent.id);
    others.sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
    replaceChildren(
      agentSelect,
      others.length
        ? others.map((a) => h("option", { value: a.id, text: `${a.name} (${a.online ? "online" : "offline"})${a.topics?.length ? ` · ${a.topics.map(topicName).join(", ")}` : ""}` }))
        : h("option", { value: "", text: "No other agents" }),
    );
    const topics = new Set();
    for (const a of agents) for (const t of a.topics ?? []) topics.add(t);
    for (const s of this.app.model.queue) if (s.topic) topics.add(s.topic);
    const current = this.app.model.conversations.get(this.id)?.summary?.topic;
    if (current) topics.add(current);
    replaceChildren(
      $("transfer-topic"),
      [...topics].sort().map((t) => h("option", { value: t, text: `${topicName(t)}${t === current ? " (current)" : ""}` })),
    );
    this.syncTransferTarget();
  }

  syncTransferTarget() {
    const toTopic = document.querySelector('#transfer-form input[name="target"]:checked')?.value === "topic";
    show($("transfer-agent"), !toTopic);
    show(document.querySelector('label[for="transfer-agent"]'), !toTopic);
    show($("transfer-topic"), toTopic);
    show(document.querySelector('label[for="transfer-topic"]'), toTopic);
  }

  transferError(text) {
    $("transfer-error").textContent = text;
    show($("transfer-error"), true);
  }

  submitTransfer() {
    const toTopic = document.querySelector('#transfer-form input[name="target"]:checked')?.value === "topic";
    const value = toTopic ? $("transfer-topic").value : $("transfer-agent").value;
    if (!value) return this.transferError(toTopic ? "Choose a topic queue." : "Choose an agent.");
    const label = toTopic ? $("transfer-topic").selectedOptions[0]?.textContent : $("transfer-agent").selectedOptions[0]?.textContent;
    const error = this.app.transfer(this.id, toTopic ? { toTopic: value } : { toAgent: value });
    if (error) return this.transferError(error);
    $("transfer-dialog").close();
    this.app.toast(`Transferring to ${label}…`);
  }
}
