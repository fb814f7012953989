// The Tickets tab: the filtered list on the left (number, title, status,
// urgency, age, assignee), the open ticket in the middle (what the user
// wrote and attached, the thread with internal notes set apart, the
// controls for status, urgency, category and assignee, the reply box with
// its "internal note" switch and attachments) and, on the right, the fields
// the user filled in, their rating, who they are and the bot transcript.
// Kept live by the `ticket` and `ticket_reply` frames of the console socket.

import { formatTime } from "./conversation.js";
import { renderFields, renderRows, renderTranscript, visitorRows } from "./details.js";
import { h, reconcile, replaceChildren, show } from "./dom.js";
import { dropUpload, fileItem, renderProgress, renderUploads, startUploads, uploadsProblem } from "./files.js";
import { renderLinkNote } from "./links.js";
import { LIMITS, TICKET_STATUSES, URGENCIES, formatAge, newClientId, statusName, topicName, urgencyName, visitorName } from "./model.js";

const $ = (id) => document.getElementById(id);

/** The fields of a TicketUpdate each control changes. */
const CONTROLS = {
  status: "ticket-set-status",
  urgency: "ticket-set-urgency",
  category: "ticket-set-category",
  assignee: "ticket-set-assignee",
};

export class TicketsView {
  constructor(app) {
    this.app = app;
    /** The ticket open in the middle. */
    this.id = null;
    /** ticket id → {text, internal, files: Upload[], clientId, sending}. */
    this.drafts = new Map();
    /** Agents, for the assignee filter and control. */
    this.agents = [];
    /** Controls with a change on its way: "status", "assignee", … */
    this.pending = new Set();
    this.loading = new Map();
    /** Bumped by each list request, so a late answer to an old filter is dropped. */
    this.listRequest = 0;
    this.listeners = new AbortController();
    this.bind();
    this.fillStaticOptions();
  }

  get desk() {
    return this.app.tickets;
  }

  draft(id = this.id) {
    if (!this.drafts.has(id)) this.drafts.set(id, { text: "", internal: false, files: [], clientId: null, sending: false });
    return this.drafts.get(id);
  }

  bind() {
    const signal = this.listeners.signal;
    const on = (target, event, handler) => target.addEventListener(event, handler, { signal });

    for (const [tab, mode] of [["tab-chats", "chats"], ["tab-tickets", "tickets"]]) {
      on($(tab), "click", () => this.app.setMode(mode));
      on($(tab), "keydown", (e) => {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        e.preventDefault();
        const other = mode === "chats" ? "tickets" : "chats";
        this.app.setMode(other);
        $(`tab-${other}`).focus();
      });
    }

    for (const key of ["status", "category", "urgency", "assignee"]) {
      on($(`filter-${key}`), "change", (e) => {
        this.desk.filters[key] = e.target.value;
        this.app.render();
        this.refresh();
      });
    }
    on($("ticket-filters"), "submit", (e) => e.preventDefault());

    for (const [field, id] of Object.entries(CONTROLS)) {
      on($(id), "change", (e) => this.change(field, e.target.value));
    }
    on($("ticket-assign-me"), "click", () => this.change("assignee", this.app.agent.id));

    const input = $("ticket-reply-input");
    on($("ticket-reply"), "submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    on(input, "keydown", (e) => {
      // A ticket reply is often several paragraphs: Enter adds a line, Ctrl+Enter sends.
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    on(input, "input", () => {
      const d = this.draft();
      d.text = input.value;
      d.clientId = null; // a different reply from the one that may have been stored
      renderLinkNote($("ticket-link-note"), input.value, this.app.officialDomains);
      this.clearError();
    });
    on(input, "paste", (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        this.addFiles(files);
      }
    });
    on($("ticket-internal"), "change", (e) => {
      this.draft().internal = e.target.checked;
      this.draft().clientId = null;
      this.renderComposer();
    });
    on($("ticket-attach-btn"), "click", () => $("ticket-file-input").click());
    on($("ticket-file-input"), "change", (e) => {
      this.addFiles([...e.target.files]);
      e.target.value = "";
    });
  }

  fillStaticOptions() {
    const statuses = TICKET_STATUSES.map(([value, label]) => h("option", { value, text: label }));
    const urgencies = URGENCIES.map(([value, label]) => h("option", { value, text: label }));
    replaceChildren($("filter-status"), h("option", { value: "", text: "Any status" }), statuses.map((o) => o.cloneNode(true)));
    replaceChildren($("filter-urgency"), h("option", { value: "", text: "Any urgency" }), urgencies.map((o) => o.cloneNode(true)));
    replaceChildren($("ticket-set-status"), statuses);
    replaceChildren($("ticket-set-urgency"), urgencies);
  }

  // --- state from the server -----------------------------------------------

  /**
   * Fetches the list for the current filters, and the agents and categories
   * once (later categories arrive with the tickets that carry them).
   */
  async refresh() {
    const request = ++this.listRequest;
    if (!this.agents.length) this.loadAgents();
    if (!this.desk.knownCategories.length) this.loadCategories();
    try {
      const list = await this.app.api.tickets(this.desk.filters);
      if (request !== this.listRequest) return;
      this.desk.setList(list);
      this.listError = null;
    } catch (err) {
      if (err.status === 401) return this.app.report(err);
      this.listError = `The tickets could not be loaded: ${err.message}`;
    }
    this.app.render();
  }

  async loadAgents() {
    try {
      this.agents = await this.app.api.agents();
      this.app.render();
    } catch {
      // Without the list, the filter and control still offer "me" and the current assignee.
    }
  }

  async loadCategories() {
    try {
      this.desk.knownCategories = await this.app.api.ticketCategories();
      this.app.render();
    } catch {
      // Without them, the filter and control offer the categories the loaded tickets carry.
    }
  }

  /** Loads a ticket's detail (once at a time). */
  load(id, { force = false } = {}) {
    const t = this.desk.tickets.get(id);
    if (!force && t?.loaded) return Promise.resolve(t);
    if (this.loading.has(id)) return this.loading.get(id);
    const promise = this.app.api
      .ticket(id)
      .then((answer) => this.desk.applyDetail(answer))
      .catch((err) => {
        if (err.status === 401) this.app.report(err);
        this.desk.ticket(id).loadError = err;
      })
      .finally(() => {
        this.loading.delete(id);
        this.app.render();
      });
    this.loading.set(id, promise);
    return promise;
  }

  /** After a reconnect: the list again, and the open ticket's thread. */
  resync() {
    this.refresh();
    if (this.id) this.load(this.id, { force: true });
  }

  /** A `ticket` or `ticket_reply` frame; returns whether anything changed. */
  onFrame(frame) {
    if (frame.type === "ticket" && frame.ticket) {
      const isNew = this.desk.upsert(frame.ticket);
      if (isNew && frame.ticket.status === "open") this.app.toast(`New ticket ${frame.ticket.number}: ${frame.ticket.title}`);
      return true;
    }
    if (frame.type === "ticket_reply" && frame.reply) {
      const r = frame.reply;
      const isNew = this.desk.addReply(r);
      if (isNew && r.author?.kind === "visitor" && (r.ticket !== this.id || this.app.mode !== "tickets")) {
        const number = this.desk.tickets.get(r.ticket)?.summary?.number ?? "A ticket";
        this.app.toast(`${number}: the user ${r.status === "closed" ? "closed it" : "replied"}.`);
      }
      return true;
    }
    return false;
  }

  // --- actions -------------------------------------------------------------

  open(id) {
    if (this.id !== id) this.leave();
    this.id = id;
    const hash = id ? `#ticket=${encodeURIComponent(id)}` : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
    if (id) this.load(id);
    this.threadOf = null;
    const d = id ? this.draft(id) : null;
    $("ticket-reply-input").value = d?.text ?? "";
    renderLinkNote($("ticket-link-note"), $("ticket-reply-input").value, this.app.officialDomains);
    $("ticket-internal").checked = Boolean(d?.internal);
    this.clearError();
    this.app.render();
  }

  leave() {
    if (this.id) this.draft().text = $("ticket-reply-input").value;
  }

  /** Sends one field of a TicketUpdate from a control. */
  async change(field, value) {
    const id = this.id;
    const t = this.desk.tickets.get(id);
    if (!id || !t?.summary || this.pending.has(field)) return;
    let update;
    if (field === "assignee") update = value ? { assignee: value } : { unassign: true };
    else update = { [field]: value };
    this.pending.add(field);
    this.app.render();
    try {
      const summary = await this.app.api.updateTicket(id, update);
      if (summary?.id) this.desk.upsert(summary);
      // Offline, the status entry of the thread arrives with the detail only.
      if (field === "status" && !this.app.online) this.load(id, { force: true });
    } catch (err) {
      this.app.report(err.status === 401 ? err : new Error(`The ticket was not changed: ${err.message}`));
    } finally {
      this.pending.delete(field);
      this.app.render();
    }
  }

  addFiles(files) {
    const id = this.id;
    if (!id || !this.canReply()) return;
    const { uploads, problems } = startUploads(this.app.api, files, {
      onProgress: (upload) => renderProgress($("ticket-pending"), upload),
      onSettled: () => this.renderPending(),
    });
    this.draft(id).files.push(...uploads);
    this.draft(id).clientId = null;
    if (problems.length) this.error(problems.join(" "));
    else this.clearError();
    this.renderPending();
  }

  removeUpload(upload) {
    const d = this.draft();
    d.files = d.files.filter((f) => f !== upload);
    d.clientId = null;
    dropUpload(upload);
    this.renderPending();
    $("ticket-reply-input").focus();
  }

  canReply() {
    return Boolean(this.desk.tickets.get(this.id)?.loaded);
  }

  async submit() {
    const id = this.id;
    if (!id || !this.canReply()) return;
    const d = this.draft(id);
    if (d.sending) return;
    const body = $("ticket-reply-input").value;
    const problem = uploadsProblem(d.files);
    if (problem) return this.error(problem);
    if (!body.trim() && d.files.length === 0) return this.error("Write something or attach a file first.");
    const length = [...body].length;
    if (length > LIMITS.maxMessageChars) {
      return this.error(`A reply can have at most ${LIMITS.maxMessageChars} characters; this one has ${length}. Split it in two.`);
    }
    // The same clientId on a retry of the same reply: the server stores it once.
    d.clientId ??= newClientId();
    d.sending = true;
    this.clearError();
    this.renderComposer();
    try {
      const reply = await this.app.api.replyToTicket(id, {
        clientId: d.clientId,
        body: body.trim() ? body : "",
        attachments: d.files.map((f) => f.attachment.id),
        internal: d.internal,
      });
      this.desk.addReply(reply);
      for (const f of d.files) dropUpload(f);
      Object.assign(d, { text: "", files: [], clientId: null, internal: false });
      if (this.id === id) {
        $("ticket-reply-input").value = "";
        renderLinkNote($("ticket-link-note"), "", this.app.officialDomains);
        $("ticket-internal").checked = false;
        this.stickToBottom = true;
      }
    } catch (err) {
      if (err.status === 401) return this.app.report(err);
      if (this.id === id) this.error(`Not sent: ${err.message} Your reply is kept; send it again.`);
    } finally {
      d.sending = false;
      this.app.render();
    }
  }

  // --- rendering -----------------------------------------------------------

  render() {
    const tickets = this.app.mode === "tickets";
    $("tab-chats").setAttribute("aria-selected", String(!tickets));
    $("tab-tickets").setAttribute("aria-selected", String(tickets));
    $("tab-chats").tabIndex = tickets ? -1 : 0;
    $("tab-tickets").tabIndex = tickets ? 0 : -1;
    show($("chats-panel"), !tickets);
    show($("tickets-panel"), tickets);
    const list = this.desk.list();
    const open = String(list.filter((t) => t.summary.status === "open").length);
    if ($("tickets-count").dataset.n !== open) {
      $("tickets-count").dataset.n = open;
      replaceChildren($("tickets-count"), open, h("span", { class: "visually-hidden", text: " open" }));
    }
    this.renderFilters();
    this.renderList(list);
    const t = this.id ? this.desk.tickets.get(this.id) : null;
    show($("ticket-empty"), tickets && !this.id);
    show($("ticket-view"), tickets && Boolean(this.id));
    show($("ticket-details"), tickets && Boolean(t?.loaded));
    if (!tickets || !this.id) return;
    this.renderTicket(t);
    this.renderThread(t);
    this.renderDetails(t);
    this.renderComposer();
  }

  renderFilters() {
    const me = this.app.agent;
    const others = this.agents.filter((a) => a.id !== me.id);
    const assignees = [
      ["", "Any assignee"],
      ["me", "Me"],
      ["none", "Unassigned"],
      ...others.map((a) => [a.id, a.name]),
    ];
    fillSelect($("filter-assignee"), assignees, this.desk.filters.assignee);
    const categories = [["", "Any category"], ...this.desk.categories().map((c) => [c, topicName(c)])];
    fillSelect($("filter-category"), categories, this.desk.filters.category);
    $("filter-status").value = this.desk.filters.status;
    $("filter-urgency").value = this.desk.filters.urgency;
    $("ticket-list-error").textContent = this.listError ?? "";
    show($("ticket-list-error"), Boolean(this.listError));
  }

  renderList(list) {
    show($("ticket-list-empty"), list.length === 0);
    reconcile($("ticket-list"), list, {
      key: (t) => t.id,
      create: (t) => {
        const li = h("li", { class: "item ticket-item" });
        li.append(
          h(
            "button",
            { type: "button", class: "item-open", on: { click: () => this.open(t.id) } },
            h("span", { class: "item-top" }, h("span", { class: "ticket-number" }), h("span", { class: "item-name" }), h("span", { class: "age" })),
            h(
              "span",
              { class: "ticket-meta" },
              h("span", { class: "badge status-badge" }),
              h("span", { class: "urgency" }),
              h("span", { class: "assignee" }),
            ),
          ),
        );
        return li;
      },
      update: (li, t) => {
        const s = t.summary;
        li.dataset.status = s.status;
        li.querySelector(".ticket-number").textContent = s.number;
        li.querySelector(".item-name").textContent = s.title;
        const age = li.querySelector(".age");
        age.dataset.since = String(s.createdAt);
        age.textContent = formatAge(Date.now() - s.createdAt);
        age.title = `Created ${formatTime(s.createdAt)}`;
        const badge = li.querySelector(".status-badge");
        badge.textContent = statusName(s.status);
        badge.dataset.status = s.status;
        const urgency = li.querySelector(".urgency");
        urgency.textContent = urgencyName(s.urgency);
        urgency.dataset.urgency = s.urgency;
        li.querySelector(".assignee").textContent = this.assigneeName(s.agent);
        setCurrent(li.querySelector(".item-open"), t.id === this.id);
      },
    });
  }

  assigneeName(agent) {
    if (!agent) return "Unassigned";
    return agent.id === this.app.agent.id ? "You" : agent.name;
  }

  renderTicket(t) {
    const s = t?.summary;
    $("ticket-number").textContent = s?.number ?? "";
    $("ticket-title").textContent = s?.title ?? "Loading…";
    const status = $("ticket-status");
    status.textContent = s ? statusName(s.status) : "";
    status.dataset.status = s?.status ?? "";
    show(status, Boolean(s));
    const parts = [];
    if (s) {
      parts.push(topicName(s.category), `${urgencyName(s.urgency)} urgency`, `opened ${formatTime(s.createdAt)}`);
      parts.push(s.agent ? `assigned to ${this.assigneeName(s.agent) === "You" ? "you" : s.agent.name}` : "unassigned");
      if (s.queue) parts.push(`queue ${s.queue}`);
    }
    $("ticket-sub").textContent = parts.join(" · ");

    show($("ticket-controls"), Boolean(s));
    if (s) {
      const me = this.app.agent;
      const agents = this.agents.length ? this.agents : [me];
      const assignees = [["", "Unassigned"], ...agents.map((a) => [a.id, a.id === me.id ? `${a.name} (you)` : a.name])];
      if (s.agent && !agents.some((a) => a.id === s.agent.id)) assignees.push([s.agent.id, s.agent.name]);
      fillSelect($("ticket-set-assignee"), assignees, s.agent?.id ?? "", this.pending.has("assignee"));
      const categories = this.desk.categories().map((c) => [c, topicName(c)]);
      fillSelect($("ticket-set-category"), categories, s.category, this.pending.has("category"));
      for (const field of ["status", "urgency"]) {
        const select = $(CONTROLS[field]);
        if (!this.pending.has(field)) select.value = s[field];
      }
      for (const [field, id] of Object.entries(CONTROLS)) $(id).disabled = this.pending.has(field);
      const mine = s.agent?.id === me.id;
      $("ticket-assign-me").disabled = mine || this.pending.has("assignee");
      show($("ticket-assign-me"), !mine);
    }

    let notice = null;
    if (!t || (!t.loaded && !t.loadError)) notice = "Loading the ticket…";
    else if (t.loadError && !t.loaded) notice = `This ticket could not be loaded: ${t.loadError.message}`;
    else if (s?.status === "closed") notice = "The ticket is closed. A reply reaches the user, who must reopen it to answer.";
    $("ticket-notice").textContent = notice ?? "";
    show($("ticket-notice"), Boolean(notice));

    const description = $("ticket-description");
    description.textContent = t?.detail?.description ?? "";
    const files = t?.detail?.attachments ?? [];
    const sig = files.map((a) => a.id).join(",");
    if ($("ticket-files").dataset.of !== `${t?.id}:${sig}`) {
      $("ticket-files").dataset.of = `${t?.id}:${sig}`;
      replaceChildren($("ticket-files"), files.map(fileItem));
    }
    show($("ticket-files"), files.length > 0);
  }

  renderThread(t) {
    const scroller = $("ticket-scroll");
    const list = $("ticket-thread");
    if (this.threadOf !== this.id) {
      // A fresh live region per ticket, so opening one does not read its whole thread aloud.
      const fresh = h("div", { id: "ticket-thread", class: "ticket-thread", role: "log", "aria-live": "polite", "aria-label": "Thread" });
      list.replaceWith(fresh);
      this.threadOf = this.id;
      this.stickToBottom = true;
      return this.renderThread(t);
    }
    const atBottom = this.stickToBottom || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    this.stickToBottom = false;
    reconcile(list, t?.thread() ?? [], {
      key: (r) => String(r.seq),
      create: () => h("div", { class: "entry" }),
      update: (li, r) => this.renderEntry(li, r, t),
    });
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  renderEntry(li, r, t) {
    const sig = JSON.stringify([r.seq, r.body, r.status, r.internal, r.attachments?.length, t.visitor?.name]);
    if (li.dataset.sig === sig) return;
    li.dataset.sig = sig;
    const kind = r.author?.kind ?? "system";
    const who = kind === "visitor" ? visitorName(t.visitor, t.visitor?.id ?? t.id) : kind === "agent" ? (r.author.name ?? "An agent") : "Helpdock";
    const time = h("time", { datetime: new Date(r.at).toISOString(), text: formatTime(r.at) });
    const files = r.attachments ?? [];
    if (r.status && !r.body && files.length === 0) {
      li.className = "entry entry-status";
      replaceChildren(li, h("p", { class: "msg-system-text" }, `${who} set the status to ${statusName(r.status)}.`, " ", time));
      return;
    }
    const side = r.internal ? "note" : kind === "visitor" ? "visitor" : kind === "agent" ? "agent" : "system";
    li.className = `entry msg msg-${side === "note" ? "agent" : side} entry-${side}`;
    replaceChildren(
      li,
      h(
        "div",
        { class: "msg-meta" },
        r.internal ? h("span", { class: "badge note-badge", text: "Internal note" }) : null,
        h("span", { class: "msg-author", text: who }),
        r.byEmail ? h("span", { class: "badge", text: "by e-mail" }) : null,
        time,
      ),
      r.body ? h("p", { class: "msg-body", text: r.body }) : null,
      files.length ? h("ul", { class: "msg-files", "aria-label": "Attachments" }, files.map(fileItem)) : null,
      r.status ? h("p", { class: "msg-status", text: `Status set to ${statusName(r.status)}` }) : null,
    );
  }

  renderDetails(t) {
    const loaded = Boolean(t?.loaded);
    renderFields($("ticket-fields"), $("ticket-fields-empty"), t?.detail?.fields ?? [], loaded);

    const rating = t?.summary?.rating;
    show($("ticket-rating-section"), Boolean(rating));
    if (rating) {
      const score = Math.max(0, Math.min(5, rating.score));
      $("ticket-rating").replaceChildren(
        h("span", { class: "stars", "aria-hidden": "true", text: "★".repeat(score) + "☆".repeat(5 - score) }),
        ` ${score} of 5`,
      );
      $("ticket-rating-comment").textContent = rating.comment ?? "";
      show($("ticket-rating-comment"), Boolean(rating.comment));
    }

    renderRows($("ticket-user"), visitorRows(t?.visitor, t?.detail?.email ?? t?.visitor?.email));
    renderTranscript($("ticket-transcript"), $("ticket-transcript-empty"), t?.id, t?.detail?.transcript ?? [], loaded, "User");
  }

  renderComposer() {
    const d = this.id ? this.draft() : null;
    show($("ticket-reply"), this.canReply());
    const internal = Boolean(d?.internal);
    $("ticket-reply").classList.toggle("composer-note", internal);
    $("ticket-send").textContent = d?.sending ? "Sending…" : internal ? "Add internal note" : "Send reply";
    $("ticket-send").disabled = Boolean(d?.sending);
    $("ticket-reply-input").placeholder = internal
      ? "Internal note… only agents see it. Ctrl+Enter adds it"
      : "Reply… the user sees it here and by e-mail. Ctrl+Enter sends";
    this.renderPending();
  }

  renderPending() {
    renderUploads($("ticket-pending"), this.id ? this.draft().files : [], (f) => this.removeUpload(f));
  }

  error(text) {
    $("ticket-reply-error").textContent = text;
    show($("ticket-reply-error"), true);
  }

  clearError() {
    show($("ticket-reply-error"), false);
  }

  /** Ages tick once a minute is enough; the whole list is cheap to touch. */
  tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll("#ticket-list .age[data-since]")) el.textContent = formatAge(now - Number(el.dataset.since));
  }

  /** Signed out: nothing of this agent's stays on screen. */
  reset() {
    this.listeners.abort();
    for (const d of this.drafts.values()) for (const f of d.files) dropUpload(f);
    this.drafts.clear();
    this.id = null;
    this.threadOf = null;
    $("ticket-reply-input").value = "";
    for (const id of ["ticket-list", "ticket-thread", "ticket-pending", "ticket-files", "ticket-fields", "ticket-user", "ticket-transcript"]) replaceChildren($(id));
    for (const id of ["ticket-files", "ticket-user", "ticket-transcript"]) $(id).dataset.of = "";
    show($("ticket-view"), false);
    show($("ticket-details"), false);
  }
}

/**
 * Fills a select with [value, label] options when they changed (so an
 * open drop-down is not rebuilt under the pointer), then selects `value`
 * unless `keep` (a change of it is on its way).
 */
function fillSelect(select, options, value, keep = false) {
  const sig = JSON.stringify(options);
  if (select.dataset.options !== sig) {
    select.dataset.options = sig;
    const current = select.value;
    replaceChildren(select, options.map(([v, label]) => h("option", { value: v, text: label })));
    select.value = current;
  }
  if (!keep) select.value = value ?? "";
}

function setCurrent(el, current) {
  if (current) el.setAttribute("aria-current", "true");
  else el.removeAttribute("aria-current");
}
