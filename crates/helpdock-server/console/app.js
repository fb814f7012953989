// The agent console: sign-in, then the workspace (queue and conversations
// on the left, the open conversation in the middle, what the bot collected
// on the right), kept live over /console/api/ws.
//
// A second tab holds the tickets (tickets.js): written-down problems,
// answered over time and by e-mail.
//
// Modules: api.js (HTTP), socket.js (the live connection), model.js (state,
// no DOM), dom.js (building elements from text only), files.js (uploads and
// sent files), sidebar.js, conversation.js and tickets.js (the views),
// app.js (this: wiring and actions).

import { ApiError, ConsoleApi } from "./api.js";
import { ConversationView } from "./conversation.js";
import { show } from "./dom.js";
import { TicketDesk, Workspace } from "./model.js";
import { Sidebar } from "./sidebar.js";
import { ConsoleSocket } from "./socket.js";
import { TicketsView } from "./tickets.js";

const $ = (id) => document.getElementById(id);
const STORAGE_PREFIX = "helpdock-console:";
/** How long to wait for the server's answer to accept or transfer. */
const ANSWER_TIMEOUT_MS = 10_000;

const api = new ConsoleApi();
let app = null;

/** The signed-in workspace: state, live connection and the actions on them. */
class ConsoleApp {
  constructor(session) {
    this.agent = session.agent;
    /** The host's official domains; the composers warn about links elsewhere. */
    this.officialDomains = session.officialDomains ?? [];
    this.api = api;
    this.storageKey = `${STORAGE_PREFIX}${this.agent.id}`;
    this.model = new Workspace(this.agent, loadJson(this.storageKey));
    this.tickets = new TicketDesk(this.agent);
    /** Which tab is shown: "chats" or "tickets". */
    this.mode = "chats";
    this.selectedId = null;
    this.online = false;
    this.pendingAccepts = new Map(); // id → timer
    this.pendingTransfers = new Map(); // id → timer
    this.loading = new Map(); // id → Promise, so a detail is fetched once at a time
    this.stopped = false;
    this.ticks = 0;
    this.connectedBefore = false;

    this.socket = new ConsoleSocket({
      url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/console/api/ws`,
      hello: () => ({ type: "hello", v: 1, token: "", resume: this.model.resume() }),
      onFrame: (frame) => this.onFrame(frame),
      onState: (state, info) => this.onConnection(state, info),
    });
    this.sidebar = new Sidebar(this);
    this.view = new ConversationView(this);
    this.ticketsView = new TicketsView(this);

    this.tick = setInterval(() => this.onTick(), 1000);
    this.listeners = [
      [document, "visibilitychange", () => this.markReadIfVisible()],
      [window, "focus", () => this.markReadIfVisible()],
      [window, "online", () => this.socket.retryNow()],
      [window, "hashchange", () => this.selectFromHash()],
      [document, "keydown", (e) => this.onKey(e)],
    ];
    for (const [target, event, fn] of this.listeners) target.addEventListener(event, fn);

    $("me-name").textContent = this.agent.name;
    $("me-role").textContent = this.agent.role === "admin" ? "Admin" : "Agent";
    show($("me-role"), true);
    $("retry-now").onclick = () => this.socket.retryNow();
    $("signout").onclick = () => signOut();
  }

  async start() {
    this.render();
    this.socket.start();
    this.ticketsView.refresh();
    try {
      await this.resync();
    } catch (err) {
      this.report(err);
    }
    this.selectFromHash();
  }

  stop() {
    this.stopped = true;
    this.socket.stop();
    clearInterval(this.tick);
    for (const [target, event, fn] of this.listeners) target.removeEventListener(event, fn);
    this.view.reset();
    this.ticketsView.reset();
    this.sidebar.reset();
    for (const timer of [...this.pendingAccepts.values(), ...this.pendingTransfers.values()]) clearTimeout(timer);
  }

  // --- state from the server ---------------------------------------------

  /** Fetches the queue and the agent's conversations, and every detail needed. */
  async resync() {
    const [queue, mine] = await Promise.all([api.queue(), api.activeConversations()]);
    this.model.setQueue(queue.waiting, queue.total);
    this.model.setMine(mine);
    this.render();
    const ids = new Set(mine.map((s) => s.id));
    if (this.selectedId) ids.add(this.selectedId);
    await Promise.all([...ids].map((id) => this.load(id, { force: true })));
    this.loadQueuePreviews();
  }

  /** Loads a conversation's detail (once at a time); errors are reported. */
  load(id, { force = false } = {}) {
    const c = this.model.conversations.get(id);
    if (!force && c?.loaded) return Promise.resolve(c);
    if (this.loading.has(id)) return this.loading.get(id);
    const promise = api
      .conversation(id)
      .then((detail) => {
        const conv = this.model.applyDetail(detail);
        conv.loadError = null;
        return conv;
      })
      .catch((err) => {
        const conv = this.model.conversation(id);
        conv.loadError = err;
        if (err.status === 401) sessionEnded();
        return conv;
      })
      .finally(() => {
        this.loading.delete(id);
        this.render();
      });
    this.loading.set(id, promise);
    return promise;
  }

  /** Visitor names and transcript previews for the queue. */
  loadQueuePreviews() {
    for (const s of this.model.queue) {
      const c = this.model.conversations.get(s.id);
      if (!c?.loaded && !c?.loadError) this.load(s.id);
    }
  }

  onConnection(state, info) {
    const wasOnline = this.online;
    this.online = state === "online";
    const label = $("connection");
    label.dataset.state = state;
    label.textContent = { online: "Online", connecting: "Connecting…", offline: "Offline" }[state];
    if (state === "offline") {
      this.retryAt = Date.now() + info.retryInMs;
      this.renderBanner();
      show($("offline-banner"), true);
      // A refused upgrade looks like any other close; ask whether the session is still good.
      if (info.attempt === 2 || info.attempt % 5 === 0) api.me().then((s) => s || sessionEnded(), () => {});
    } else if (state === "online") {
      show($("offline-banner"), false);
      this.flushOutbox();
      if (!wasOnline) {
        this.resync().catch((err) => this.report(err));
        // The first connection's list is already on its way from start().
        if (this.connectedBefore) this.ticketsView.resync();
        this.connectedBefore = true;
      }
    }
    this.render();
  }

  onFrame(frame) {
    const m = this.model;
    switch (frame.type) {
      case "queue_changed":
        m.setQueue(frame.waiting ?? [], frame.total);
        this.loadQueuePreviews();
        break;
      case "assigned": {
        const s = frame.conversation;
        m.assign(s);
        this.load(s.id, { force: true });
        if (this.pendingAccepts.has(s.id)) {
          clearTimeout(this.pendingAccepts.get(s.id));
          this.pendingAccepts.delete(s.id);
          this.select(s.id, { focusComposer: true });
        } else if (this.selectedId !== s.id) {
          this.toast(`A conversation was assigned to you: ${this.sidebar.title(m.conversations.get(s.id))}.`);
        }
        break;
      }
      case "message": {
        const msg = frame.message;
        const known = m.conversations.get(msg.conversation);
        m.addMessage(msg);
        if (!known?.loaded) this.load(msg.conversation);
        this.markReadIfVisible();
        break;
      }
      case "ack":
        m.ack(frame);
        break;
      case "typing":
        if (frame.author === "visitor") m.visitorTyping(frame.conversation, frame.typing);
        break;
      case "read":
        if (frame.by === "visitor") m.visitorRead(frame.conversation, frame.seq);
        break;
      case "closed":
        m.closed(frame.conversation, frame.at);
        m.conversation(frame.conversation).closedBy = frame.by;
        if (frame.by === "visitor" && frame.conversation !== this.selectedId) {
          this.toast(`${this.sidebar.title(m.conversations.get(frame.conversation))} closed the conversation.`);
        }
        break;
      case "transferred":
      case "agent_joined":
        this.afterHandOver(frame.conversation);
        break;
      case "error":
        this.onErrorFrame(frame);
        break;
      case "ticket":
      case "ticket_reply":
        if (!this.ticketsView.onFrame(frame)) return;
        break;
      default:
        return; // welcome, pong, queue and unknown frames change nothing shown
    }
    this.save();
    this.render();
  }

  onErrorFrame({ error, clientId, conversation }) {
    const code = error?.code;
    const message = error?.message || "The server refused that.";
    if (clientId && this.model.fail(clientId, error)) return;
    if (code === "unauthorized") return sessionEnded();
    const accepting = conversation ?? (this.pendingAccepts.size === 1 ? [...this.pendingAccepts.keys()][0] : null);
    if (accepting && this.pendingAccepts.has(accepting)) {
      clearTimeout(this.pendingAccepts.get(accepting));
      this.pendingAccepts.delete(accepting);
      const c = this.model.conversation(accepting);
      c.acceptError = code === "conflict" ? "Another agent took this chat." : message;
      this.toast(c.acceptError, { alert: true });
      api.queue().then((q) => (this.model.setQueue(q.waiting, q.total), this.render()), () => {});
      return;
    }
    const transferring = conversation ?? (this.pendingTransfers.size === 1 ? [...this.pendingTransfers.keys()][0] : null);
    if (transferring && this.pendingTransfers.has(transferring)) {
      clearTimeout(this.pendingTransfers.get(transferring));
      this.pendingTransfers.delete(transferring);
      this.toast(`The transfer failed: ${message}`, { alert: true });
      return;
    }
    this.toast(message, { alert: true });
  }

  /** After a transfer (ours or someone's), the lists are fetched again. */
  afterHandOver(id) {
    if (this.pendingTransfers.has(id)) {
      clearTimeout(this.pendingTransfers.get(id));
      this.pendingTransfers.delete(id);
      const c = this.model.conversation(id);
      c.mine = false;
      c.transferredAway = true;
    }
    this.refreshLists();
  }

  refreshLists() {
    Promise.all([api.queue(), api.activeConversations()]).then(
      ([queue, mine]) => {
        this.model.setQueue(queue.waiting, queue.total);
        this.model.setMine(mine);
        for (const s of mine) if (!this.model.conversations.get(s.id)?.loaded) this.load(s.id);
        this.loadQueuePreviews();
        this.render();
      },
      (err) => this.report(err),
    );
  }

  // --- actions -------------------------------------------------------------

  select(id, { focusComposer = false } = {}) {
    this.setMode("chats");
    if (this.selectedId !== id) this.view.leave(this.selectedId);
    this.selectedId = id;
    const hash = id ? `#conversation=${encodeURIComponent(id)}` : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
    if (id) this.load(id);
    this.render();
    this.markReadIfVisible();
    this.view.opened(focusComposer);
  }

  selectFromHash() {
    const ticket = /^#ticket=(.+)$/.exec(location.hash);
    if (ticket) {
      const id = decodeURIComponent(ticket[1]);
      this.setMode("tickets");
      if (id !== this.ticketsView.id) this.ticketsView.open(id);
      return;
    }
    const match = /^#conversation=(.+)$/.exec(location.hash);
    const id = match ? decodeURIComponent(match[1]) : null;
    if (id && id !== this.selectedId) {
      this.setMode("chats");
      this.select(id);
    }
  }

  /** Shows the chats or the tickets; the address names what is open in it. */
  setMode(mode) {
    if (mode === this.mode) return;
    this.mode = mode;
    const open = mode === "tickets" ? this.ticketsView.id : this.selectedId;
    const hash = open ? `#${mode === "tickets" ? "ticket" : "conversation"}=${encodeURIComponent(open)}` : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
    this.render();
  }

  accept(id) {
    if (!this.socket.send({ type: "accept", conversation: id })) {
      this.toast("You are offline; accept again when the connection is back.", { alert: true });
      return;
    }
    const c = this.model.conversation(id);
    c.acceptError = null;
    clearTimeout(this.pendingAccepts.get(id));
    this.pendingAccepts.set(
      id,
      setTimeout(() => {
        this.pendingAccepts.delete(id);
        this.toast("The server did not answer; try accepting again.", { alert: true });
        this.render();
      }, ANSWER_TIMEOUT_MS),
    );
    this.render();
  }

  /** Puts a message in the outbox and sends it if online. */
  send(conversation, body, attachments) {
    const entry = this.model.enqueue(
      conversation,
      body,
      attachments.map((a) => a.id),
    );
    entry.attachmentInfo = attachments;
    this.save();
    this.socket.send(frameOf(entry));
    this.render();
  }

  retry(clientId) {
    const entry = this.model.retry(clientId);
    if (!entry) return;
    this.save();
    this.socket.send(frameOf(entry));
    this.render();
  }

  /** Takes a failed message back into the reply box. */
  edit(clientId) {
    const entry = this.model.outbox.find((e) => e.clientId === clientId);
    if (!entry) return;
    this.model.discard(clientId);
    this.save();
    this.view.restoreDraft(entry);
    this.render();
  }

  flushOutbox() {
    for (const entry of this.model.pending()) this.socket.send(frameOf(entry));
  }

  typing(conversation, typing) {
    this.socket.send({ type: "typing", conversation, typing });
  }

  transfer(conversation, target) {
    const frame = { type: "transfer", conversation, ...target };
    if (!this.socket.send(frame)) return "You are offline; try again when the connection is back.";
    clearTimeout(this.pendingTransfers.get(conversation));
    this.pendingTransfers.set(
      conversation,
      // A server that answers a transfer with no frame to this agent: look at the lists.
      setTimeout(() => this.afterHandOver(conversation), 2000),
    );
    return null;
  }

  close(conversation) {
    if (!this.socket.send({ type: "close", conversation })) return "You are offline; try again when the connection is back.";
    return null;
  }

  /** Sends `read` for the open conversation when the page is visible. */
  markReadIfVisible() {
    const id = this.selectedId;
    if (!id || document.visibilityState !== "visible") return;
    const c = this.model.conversations.get(id);
    if (!c?.mine) return; // an admin looking at a colleague's chat does not mark it read for the visitor
    const seq = this.model.markRead(id);
    if (seq !== null) {
      this.socket.send({ type: "read", conversation: id, seq });
      this.save();
      this.render();
    }
  }

  onKey(e) {
    if (!e.altKey || (e.key !== "ArrowDown" && e.key !== "ArrowUp") || this.mode !== "chats") return;
    const ids = this.sidebar.order();
    if (!ids.length) return;
    e.preventDefault();
    const at = ids.indexOf(this.selectedId);
    const next = e.key === "ArrowDown" ? (at + 1) % ids.length : (at <= 0 ? ids.length : at) - 1;
    this.select(ids[next]);
    this.sidebar.focus(ids[next]);
  }

  renderBanner() {
    const secs = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
    $("offline-text").textContent =
      `Offline: live updates are paused. ${secs ? `Reconnecting in ${secs} s.` : "Reconnecting…"} ` +
      "Messages you send now wait in your outbox and go out when the connection returns.";
  }

  onTick() {
    if (!this.online && !$("offline-banner").hidden) this.renderBanner();
    this.sidebar.tick();
    this.view.tick();
    if (++this.ticks % 30 === 0) this.ticketsView.tick();
  }

  // --- helpers -------------------------------------------------------------

  render() {
    if (this.stopped) return; // a late answer after sign-out draws nothing
    this.sidebar.render();
    this.view.render();
    this.ticketsView.render();
    const unread = this.model.mine().reduce((n, c) => n + this.model.unread(c.id), 0);
    const waiting = this.model.queueTotal;
    const prefix = unread ? `(${unread}) ` : "";
    document.title = `${prefix}Helpdock console${waiting ? ` · ${waiting} waiting` : ""}`;
  }

  save() {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.model.snapshot()));
    } catch {
      // Storage full or disabled: the outbox still lives in memory.
    }
  }

  report(err) {
    if (err instanceof ApiError && err.status === 401) return sessionEnded();
    this.toast(err.message || String(err), { alert: true });
  }

  toast(text, { alert = false } = {}) {
    const box = $("toasts");
    const item = document.createElement("p");
    item.className = alert ? "toast toast-alert" : "toast";
    item.textContent = text;
    box.append(item);
    setTimeout(() => item.remove(), 6000);
  }
}

function frameOf(entry) {
  return { type: "send", conversation: entry.conversation, clientId: entry.clientId, body: entry.body, attachments: entry.attachments };
}

function loadJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

// --- sign-in ---------------------------------------------------------------

function showSignIn(message = null) {
  show($("boot"), false);
  show($("workspace"), false);
  show($("signin"), true);
  setSignInError(message);
  $($("signin-email").value ? "signin-password" : "signin-email").focus();
}

/** Shows (or clears) the sign-in error; `fields` are the inputs it concerns. */
function setSignInError(message, fields = []) {
  const box = $("signin-error");
  box.textContent = message ?? "";
  show(box, Boolean(message));
  for (const id of ["signin-email", "signin-password"]) {
    if (message && fields.includes(id)) {
      $(id).setAttribute("aria-invalid", "true");
      $(id).setAttribute("aria-describedby", "signin-error");
    } else {
      $(id).removeAttribute("aria-invalid");
      $(id).removeAttribute("aria-describedby");
    }
  }
}

async function onSignIn(event) {
  event.preventDefault();
  const email = $("signin-email").value.trim();
  const password = $("signin-password").value;
  if (!email) {
    setSignInError("Enter your e-mail address.", ["signin-email"]);
    return $("signin-email").focus();
  }
  if (!password) {
    setSignInError("Enter your password.", ["signin-password"]);
    return $("signin-password").focus();
  }
  const button = $("signin-submit");
  button.disabled = true;
  button.textContent = "Signing in…";
  try {
    const session = await api.login(email, password);
    setSignInError(null);
    $("signin-password").value = "";
    await enter(session);
  } catch (err) {
    let message = err.message;
    if (err.status === 401) message = "Wrong e-mail or password. Check both and try again.";
    else if (err.code === "unreachable") message = "The Helpdock server cannot be reached. Check your connection and try again.";
    else if (err.status === 429 && err.retryAfterMs) message = `Too many attempts. Try again in ${Math.ceil(err.retryAfterMs / 1000)} s.`;
    setSignInError(message, err.status === 401 ? ["signin-email", "signin-password"] : []);
    $("signin-password").focus();
    $("signin-password").select();
  } finally {
    button.disabled = false;
    button.textContent = "Sign in";
  }
}

async function enter(session) {
  app?.stop();
  app = new ConsoleApp(session);
  show($("boot"), false);
  show($("signin"), false);
  show($("workspace"), true);
  await app.start();
}

async function signOut() {
  try {
    await api.logout();
  } catch (err) {
    if (err.status !== 401) {
      app?.toast(`Could not sign out: ${err.message}`, { alert: true });
      return;
    }
  }
  app?.stop();
  app = null;
  history.replaceState(null, "", location.pathname);
  showSignIn();
}

function sessionEnded() {
  if (!app) return;
  app.stop();
  app = null;
  showSignIn("Your session has ended. Sign in again to continue.");
}

async function boot() {
  $("signin-form").addEventListener("submit", onSignIn);
  let session = null;
  try {
    session = await api.me();
  } catch (err) {
    show($("boot"), false);
    showSignIn(
      err.code === "unreachable"
        ? "The Helpdock server cannot be reached. Check your connection and try again."
        : `The console could not check whether you are signed in: ${err.message}`,
    );
    return;
  }
  if (session) await enter(session);
  else showSignIn();
}

boot();
