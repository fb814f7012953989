// The console's state and the only operations on it, with no DOM and no IO
// so it runs (and is tested) in Node as well as in the page. Shapes are the
// protocol's (docs/protocol.md, helpdock_core::protocol): ConversationSummary,
// ConsoleConversation, Message, Attachment, ErrorInfo.

/** Reconnect delays: 0.5 s doubling to 30 s, each jittered to 50–100 %. */
export const BACKOFF = { initialMs: 500, maxMs: 30_000 };

/** The delay before reconnect attempt `attempt` (0 = first), in ms. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** Math.min(attempt, 16));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * What the server accepts by default (docs/protocol.md, `limits`). The
 * console API does not announce its limits, so these are a pre-check that
 * spares an upload; the server's own answer (`too_large`,
 * `unsupported_type`) is shown when it differs.
 */
export const LIMITS = {
  maxMessageChars: 4000,
  maxAttachmentBytes: 10 * 1024 * 1024,
  attachmentTypes: ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"],
};

const TYPE_BY_EXTENSION = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain",
  log: "text/plain",
};

/** The type to declare for a file: its own, else guessed from its name. */
export function fileType(file) {
  if (file.type) return file.type;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name ?? "")?.[1]?.toLowerCase();
  return TYPE_BY_EXTENSION[ext] ?? "application/octet-stream";
}

/** A sentence saying why `file` cannot be sent, or `null` when it can. */
export function checkFile(file, limits = LIMITS) {
  const name = file.name || "The pasted file";
  if (file.size === 0) return `“${name}” is empty.`;
  if (file.size > limits.maxAttachmentBytes) {
    return `“${name}” is ${formatBytes(file.size)}; files can be at most ${formatBytes(limits.maxAttachmentBytes)}.`;
  }
  if (!limits.attachmentTypes.includes(fileType(file))) {
    return `“${name}” cannot be sent: only images (PNG, JPEG, GIF, WebP), PDF and plain-text files are accepted.`;
  }
  return null;
}

/** 1536 → "1.5 KB". */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${trim(n / 1024)} KB`;
  return `${trim(n / (1024 * 1024))} MB`;
}

function trim(x) {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

/** A waiting time: "45 s", "3 min 05 s", "2 h 07 min". */
export function formatWait(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** A topic id as a heading: "deposit-not-arrived" → "Deposit not arrived". */
export function topicName(topic) {
  if (!topic) return "General";
  const words = String(topic).replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How a visitor is called: their name, e-mail, user id or "Visitor 1a2b". */
export function visitorName(visitor, conversationId = "") {
  if (visitor?.name) return visitor.name;
  if (visitor?.email) return visitor.email;
  if (visitor?.userId) return `User ${visitor.userId}`;
  const tail = (visitor?.id ?? conversationId).slice(-4);
  return tail ? `Visitor ${tail}` : "Visitor";
}

/** The last thing the user said to the bot, for previews. */
export function lastUserLine(transcript = []) {
  for (let i = transcript.length - 1; i >= 0; i--) if (transcript[i].from === "user") return transcript[i].text;
  return null;
}

/** A fresh message id for the outbox (unique per sender). */
export function newClientId(random = () => crypto.getRandomValues(new Uint32Array(2))) {
  const [a, b] = random();
  return `m-${Date.now().toString(36)}-${a.toString(36)}${b.toString(36)}`;
}

/** One conversation as the console knows it. */
export class Conversation {
  constructor(id) {
    this.id = id;
    /** ConversationSummary, once known. */
    this.summary = null;
    /** VisitorInfo, once the detail is loaded. */
    this.visitor = null;
    this.transcript = [];
    this.fields = [];
    /** Stored messages by seq. */
    this.messages = new Map();
    /** Whether the detail (transcript, fields, visitor) has been loaded. */
    this.loaded = false;
    /** The highest seq the visitor has read. */
    this.visitorReadSeq = 0;
    /** Until when (ms) the visitor counts as typing; 0 = not typing. */
    this.visitorTypingUntil = 0;
    /** Whether it is assigned to this agent. */
    this.mine = false;
    /** Whether the list of active conversations holds it (an admin's holds everyone's). */
    this.listed = false;
    /** Whether it was closed while this page was open (kept in the list until reload). */
    this.closedHere = false;
  }

  get status() {
    return this.summary?.status ?? "queued";
  }

  get lastSeq() {
    let max = this.summary?.lastSeq ?? 0;
    for (const seq of this.messages.keys()) if (seq > max) max = seq;
    return max;
  }

  /** Stored messages in order. */
  ordered() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** How long a visitor's `typing: true` holds without another frame. */
export const TYPING_HOLD_MS = 8000;

/**
 * Everything the signed-in agent sees: the queue, their conversations, the
 * outbox of messages not yet stored, and what they have read.
 */
export class Workspace {
  /** `saved`: { outbox, read } as `snapshot()` returned them earlier. */
  constructor(agent, saved = {}) {
    this.agent = agent;
    /** ConversationSummary[] waiting, oldest first: the first the server lists. */
    this.queue = [];
    /** How many wait in all (the server lists the first few). */
    this.queueTotal = 0;
    /** id → Conversation (queued ones previewed, and the agent's). */
    this.conversations = new Map();
    /** Messages sent but not yet stored: {clientId, conversation, body, attachments, state, error, createdAt}. */
    this.outbox = Array.isArray(saved.outbox) ? saved.outbox.map((e) => ({ ...e, state: e.state === "failed" ? "failed" : "sending" })) : [];
    /** id → the highest seq this agent has seen. */
    this.read = new Map(Object.entries(saved.read ?? {}));
  }

  /** What should survive a reload: the outbox and the read marks. */
  snapshot() {
    return { outbox: this.outbox, read: Object.fromEntries(this.read) };
  }

  conversation(id) {
    let c = this.conversations.get(id);
    if (!c) {
      c = new Conversation(id);
      this.conversations.set(id, c);
    }
    return c;
  }

  /** `total`: how many wait in all, when the server lists only the first. */
  setQueue(waiting, total) {
    this.queue = [...waiting].sort((a, b) => a.createdAt - b.createdAt);
    this.queueTotal = Math.max(total ?? 0, this.queue.length);
    for (const s of this.queue) {
      const c = this.conversation(s.id);
      if (!c.summary || c.summary.status === "queued" || s.updatedAt >= c.summary.updatedAt) c.summary = s;
    }
  }

  /** Takes a conversation off the waiting list (the server's next list follows). */
  dequeue(id) {
    const before = this.queue.length;
    this.queue = this.queue.filter((s) => s.id !== id);
    this.queueTotal = Math.max(this.queueTotal - (before - this.queue.length), this.queue.length);
  }

  /** Whether a conversation the agent sees as queued is still waiting: in the list, or maybe beyond it. */
  stillWaiting(id) {
    return this.queue.some((s) => s.id === id) || this.queueTotal > this.queue.length;
  }

  /** The queue grouped by topic, topics in order of their oldest waiting chat. */
  queueByTopic() {
    const groups = new Map();
    for (const s of this.queue) {
      const key = s.topic ?? "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(s);
    }
    return [...groups].map(([topic, items]) => ({ topic, items }));
  }

  /**
   * Replaces the list of active conversations (from the API): the agent's
   * own, and for an admin everyone's (those assigned to others are the
   * team's, see `team()`).
   */
  setMine(summaries) {
    const ids = new Set(summaries.map((s) => s.id));
    for (const s of summaries) {
      const c = this.upsert(s);
      c.listed = true;
      c.mine = !s.agent || s.agent.id === this.agent?.id;
    }
    for (const c of this.conversations.values()) {
      if (!ids.has(c.id)) {
        c.mine = false;
        c.listed = false;
      }
    }
  }

  /** A conversation is now this agent's (the list, or an `assigned` frame). */
  assign(summary) {
    const c = this.upsert(summary);
    c.mine = true;
    return c;
  }

  /** Records a summary (from the queue, a list or a detail). */
  upsert(summary) {
    const c = this.conversation(summary.id);
    c.summary = summary;
    if (summary.status !== "queued") this.dequeue(summary.id);
    return c;
  }

  /** Records a ConsoleConversation. */
  applyDetail(detail) {
    const c = this.upsert(detail.detail.summary);
    c.visitor = detail.visitor ?? null;
    c.transcript = detail.detail.transcript ?? [];
    c.fields = detail.detail.fields ?? [];
    for (const m of detail.detail.messages ?? []) this.addMessage(m);
    c.loaded = true;
    return c;
  }

  /**
   * Records a stored message; returns `true` when it is new. A message with
   * an outbox entry's clientId takes that entry's place.
   */
  addMessage(message) {
    const c = this.conversation(message.conversation);
    const known = c.messages.get(message.seq);
    c.messages.set(message.seq, message);
    if (message.clientId) this.outbox = this.outbox.filter((e) => e.clientId !== message.clientId);
    if (c.summary && message.seq > c.summary.lastSeq) c.summary = { ...c.summary, lastSeq: message.seq, updatedAt: message.at };
    if (message.author?.kind === "visitor") c.visitorTypingUntil = 0;
    return !known;
  }

  /** Adds a message to the outbox; the caller sends it. */
  enqueue(conversation, body, attachments = [], clientId = newClientId()) {
    const entry = { clientId, conversation, body, attachments, state: "sending", error: null, createdAt: Date.now() };
    this.outbox.push(entry);
    return entry;
  }

  /** An `ack`: the message is stored; it is shown as sent until its `message` frame. */
  ack({ conversation, clientId, seq, at }) {
    const entry = this.outbox.find((e) => e.clientId === clientId);
    if (!entry) return false;
    this.addMessage({
      conversation,
      seq,
      clientId,
      author: { kind: "agent", name: this.agent?.name ?? null },
      body: entry.body,
      attachments: entry.attachmentInfo ?? [],
      at,
    });
    return true;
  }

  /** An `error` frame about one of our messages. */
  fail(clientId, error) {
    const entry = this.outbox.find((e) => e.clientId === clientId);
    if (!entry) return null;
    entry.state = "failed";
    entry.error = error;
    return entry;
  }

  /** Marks a failed message for sending again; returns it. */
  retry(clientId) {
    const entry = this.outbox.find((e) => e.clientId === clientId);
    if (!entry) return null;
    entry.state = "sending";
    entry.error = null;
    return entry;
  }

  /** Drops a failed message (after the agent took its text back to edit it). */
  discard(clientId) {
    this.outbox = this.outbox.filter((e) => e.clientId !== clientId);
  }

  /** Outbox entries still to send, oldest first. */
  pending() {
    return this.outbox.filter((e) => e.state === "sending");
  }

  /**
   * The thread of a conversation: stored messages by seq, then the ones
   * still in the outbox. Each item: {key, message|entry, delivery}.
   */
  thread(id) {
    const c = this.conversations.get(id);
    const items = [];
    if (c) {
      for (const m of c.ordered()) {
        const delivery = m.author?.kind === "agent" ? (m.seq <= c.visitorReadSeq ? "read" : "sent") : null;
        items.push({ key: m.clientId ? `c:${m.clientId}` : `s:${m.seq}`, message: m, delivery });
      }
    }
    for (const e of this.outbox) {
      if (e.conversation === id) items.push({ key: `c:${e.clientId}`, entry: e, delivery: e.state });
    }
    return items;
  }

  /** Messages from the visitor this agent has not seen yet. */
  unread(id) {
    const c = this.conversations.get(id);
    if (!c) return 0;
    const seen = this.read.get(id) ?? 0;
    let n = 0;
    for (const m of c.messages.values()) if (m.seq > seen && m.author?.kind === "visitor") n++;
    return n;
  }

  /**
   * Marks everything in a conversation as seen; returns the seq to send in
   * a `read` frame, or `null` when there was nothing new.
   */
  markRead(id) {
    const c = this.conversations.get(id);
    if (!c) return null;
    const last = c.lastSeq;
    if (last <= (this.read.get(id) ?? 0)) return null;
    this.read.set(id, last);
    return last;
  }

  /** The agent's own conversations, most recently changed first. */
  mine() {
    return [...this.conversations.values()]
      .filter((c) => c.summary && (c.mine || c.closedHere) && c.summary.status !== "queued")
      .sort((a, b) => b.summary.updatedAt - a.summary.updatedAt);
  }

  /** For an admin: active conversations assigned to other agents. */
  team() {
    return [...this.conversations.values()]
      .filter((c) => c.listed && !c.mine && c.summary?.status === "active")
      .sort((a, b) => b.summary.updatedAt - a.summary.updatedAt);
  }

  visitorTyping(id, typing, now = Date.now()) {
    const c = this.conversation(id);
    c.visitorTypingUntil = typing ? now + TYPING_HOLD_MS : 0;
  }

  isVisitorTyping(id, now = Date.now()) {
    return (this.conversations.get(id)?.visitorTypingUntil ?? 0) > now;
  }

  visitorRead(id, seq) {
    const c = this.conversation(id);
    if (seq > c.visitorReadSeq) c.visitorReadSeq = seq;
  }

  closed(id, at) {
    const c = this.conversation(id);
    if (c.summary) c.summary = { ...c.summary, status: "closed", updatedAt: at ?? c.summary.updatedAt };
    c.closedHere = c.mine;
    this.dequeue(id);
    // Nothing more can be sent there; what had not been stored is marked
    // failed so the agent sees it was not delivered.
    for (const e of this.outbox) if (e.conversation === id) Object.assign(e, { state: "failed", error: { code: "closed", message: "The conversation is closed." } });
  }

  /** Where to resume each of the agent's conversations after a reconnect. */
  resume() {
    return this.mine()
      .filter((c) => c.status === "active")
      .map((c) => ({ conversation: c.id, afterSeq: c.lastSeq }));
  }
}

/**
 * The agent's typing signal: `typing: true` at the first keystroke, `false`
 * after `idleMs` without one (or when the message is sent), never the same
 * state twice in a row. `send(typing)` delivers it; `schedule`/`cancel`
 * are the timer (setTimeout in the page, a fake in tests).
 */
export class TypingSignal {
  constructor(
    send,
    { idleMs = 3000, repeatMs = 3000, now = () => Date.now(), schedule = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t) } = {},
  ) {
    this.sendFn = send;
    this.idleMs = idleMs;
    this.repeatMs = repeatMs;
    this.now = now;
    this.schedule = schedule;
    this.cancel = cancel;
    this.typing = false;
    this.lastSent = 0;
    this.timer = null;
  }

  /**
   * A keystroke that changed the text: "typing" when it starts, and again
   * every `repeatMs` while it goes on (the visitor's widget stops showing
   * it 8 s after the last one, in case this console went away).
   */
  input() {
    const now = this.now();
    if (!this.typing || now - this.lastSent >= this.repeatMs) {
      this.typing = true;
      this.lastSent = now;
      this.sendFn(true);
    }
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = this.schedule(() => this.stop(), this.idleMs);
  }

  /** Sent, cleared, or left: stop now if typing. */
  stop() {
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    if (this.typing) {
      this.typing = false;
      this.sendFn(false);
    }
  }
}

// --- tickets ---------------------------------------------------------------
// Shapes: TicketSummary, ConsoleTicket, TicketReply (docs/protocol.md,
// "Visitor: tickets" and "Agent console").

/** Ticket statuses in the order of a ticket's life, with how agents read them. */
export const TICKET_STATUSES = [
  ["open", "Open"],
  ["pending_user", "Waiting for the user"],
  ["in_progress", "In progress"],
  ["resolved", "Resolved"],
  ["closed", "Closed"],
];

/** Urgencies, lowest first. */
export const URGENCIES = [
  ["low", "Low"],
  ["normal", "Normal"],
  ["high", "High"],
  ["urgent", "Urgent"],
];

const STATUS_NAMES = new Map(TICKET_STATUSES);
const URGENCY_NAMES = new Map(URGENCIES);
const URGENCY_RANK = new Map(URGENCIES.map(([u], i) => [u, i]));

/** "pending_user" → "Waiting for the user". */
export function statusName(status) {
  return STATUS_NAMES.get(status) ?? topicName(status);
}

/** "high" → "High". */
export function urgencyName(urgency) {
  return URGENCY_NAMES.get(urgency) ?? topicName(urgency);
}

/** A ticket's age: "just now", "12 min", "5 h", "3 d". */
export function formatAge(ms) {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return "just now";
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/**
 * Whether a ticket passes the list's filters, as the server's
 * `GET /tickets?…` would: "" means any; `assignee` is "me", "none" or an
 * agent id. Used to place tickets that arrive on the socket.
 */
export function ticketMatches(summary, filters, meId) {
  if (filters.status && summary.status !== filters.status) return false;
  if (filters.category && summary.category !== filters.category) return false;
  if (filters.urgency && summary.urgency !== filters.urgency) return false;
  const assignee = summary.agent?.id ?? null;
  if (filters.assignee === "me") return assignee === meId;
  if (filters.assignee === "none") return assignee === null;
  if (filters.assignee) return assignee === filters.assignee;
  return true;
}

/** The server's order: most urgent first, then oldest. */
export function compareTickets(a, b) {
  const rank = (URGENCY_RANK.get(b.urgency) ?? 1) - (URGENCY_RANK.get(a.urgency) ?? 1);
  return rank || a.createdAt - b.createdAt || a.number.localeCompare(b.number);
}

/** One ticket as the console knows it. */
export class Ticket {
  constructor(id) {
    this.id = id;
    /** TicketSummary, once known. */
    this.summary = null;
    /** TicketDetail without its replies, once loaded. */
    this.detail = null;
    /** VisitorInfo, once loaded. */
    this.visitor = null;
    /** Thread entries by seq, internal notes included. */
    this.replies = new Map();
    this.loaded = false;
    this.loadError = null;
  }

  /** The thread in order. */
  thread() {
    return [...this.replies.values()].sort((a, b) => a.seq - b.seq);
  }
}

/**
 * The tickets the agent has seen: from the list, the detail they opened and
 * the `ticket` / `ticket_reply` frames, merged whatever order they come in
 * (a summary never goes back to an older `updatedAt`; entries are unique by
 * seq).
 */
export class TicketDesk {
  constructor(agent) {
    this.agent = agent;
    /** id → Ticket. */
    this.tickets = new Map();
    /** The list's filters ("" = any). */
    this.filters = { status: "", category: "", urgency: "", assignee: "" };
    /** Categories the server knows of (`GET /ticket-categories`). */
    this.knownCategories = [];
  }

  ticket(id) {
    let t = this.tickets.get(id);
    if (!t) {
      t = new Ticket(id);
      this.tickets.set(id, t);
    }
    return t;
  }

  /** Records a TicketSummary; returns `true` when the ticket was unknown. */
  upsert(summary) {
    const known = this.tickets.has(summary.id);
    const t = this.ticket(summary.id);
    if (!t.summary || summary.updatedAt >= t.summary.updatedAt || summary.lastSeq > t.summary.lastSeq) t.summary = summary;
    return !known;
  }

  /** Records the answer of `GET /tickets`. */
  setList(summaries) {
    for (const s of summaries) this.upsert(s);
  }

  /** Records a ConsoleTicket. */
  applyDetail({ detail, visitor }) {
    this.upsert(detail.summary);
    const t = this.ticket(detail.summary.id);
    const { replies, ...rest } = detail;
    t.detail = rest;
    t.visitor = visitor ?? null;
    for (const r of replies ?? []) this.addReply(r);
    t.loaded = true;
    t.loadError = null;
    return t;
  }

  /** Records a TicketReply; returns `true` when it is new. */
  addReply(reply) {
    const t = this.ticket(reply.ticket);
    const known = t.replies.has(reply.seq);
    t.replies.set(reply.seq, reply);
    const s = t.summary;
    if (s && reply.seq > s.lastSeq) {
      t.summary = { ...s, lastSeq: reply.seq, updatedAt: Math.max(s.updatedAt, reply.at), status: reply.status ?? s.status };
    }
    return !known;
  }

  /** The tickets passing the filters, in the server's order. */
  list() {
    return [...this.tickets.values()]
      .filter((t) => t.summary && ticketMatches(t.summary, this.filters, this.agent?.id))
      .sort((a, b) => compareTickets(a.summary, b.summary));
  }

  /**
   * Categories to offer: those the server knows of (the host's content pack,
   * not the server, defines them, so: stored tickets' and routed ones), then
   * any others the loaded tickets carry.
   */
  categories() {
    const all = new Set(this.knownCategories);
    for (const t of this.tickets.values()) if (t.summary?.category) all.add(t.summary.category);
    return [...all];
  }
}
