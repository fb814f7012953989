// Type declarations for `helpdock.js`, the module a host page imports.
//
// The configuration's field names are checked against the widget's own
// reader (helpdock-core's `config::CONFIG_FIELDS` and the lists beside it)
// by a test, and the handle's methods and events against `helpdock.js`, so
// these declarations cannot drift from what the widget accepts.

/** A language the interface speaks; variants such as "zh-Hans", "en-GB" and "ja-JP" are accepted too. */
export type HelpdockLocale = "en" | "zh-CN" | "ja" | (string & {});

/** The widget's look. */
export interface HelpdockTheme {
  /** Launcher, header and accents: `#rgb`, `#rrggbb(aa)`, `rgb()`, `hsl()`. Default `#1f6feb`. */
  brandColor?: string;
  /** Corner radius in px, 0–32. Default 12. */
  radius?: number;
  /** A font-family list, e.g. `"Inter, sans-serif"`. Default: system fonts. */
  font?: string;
  /** `auto` follows `prefers-color-scheme`. Default `"auto"`. */
  colorScheme?: "auto" | "light" | "dark";
}

/** The host's signed-in user, vouched for by the host's server. */
export interface HelpdockIdentity {
  /** The host's id for the user. */
  userId: string;
  /**
   * hex(HMAC-SHA256(key = the host secret, message = userId)), computed on the host's server, never in the page;
   * or with message = `${userId}\n${name}\n${email}` (absent ones empty) to vouch for the name and e-mail too.
   */
  userHash: string;
  /** Shown to agents. */
  name?: string;
  /** Where ticket replies and transcripts go. */
  email?: string;
}

/** Opening hours: `days` like "mon-fri" or "sat,sun", times "HH:MM". */
export interface HelpdockHours {
  hours?: Array<{ days: string; from: string; to: string }>;
  /** The hours' UTC offset, e.g. "+08:00". */
  utcOffset?: string;
}

/** Tickets and the reply time shown with them. */
export interface HelpdockTickets {
  /** "within 24 hours", or one text per locale: `{ en: "…", "zh-CN": "…" }`. */
  replyTime?: string | Record<string, string>;
}

/** Which ways to reach people the bot may offer. */
export interface HelpdockChannels {
  /** Live chat and its hours; out of hours the bot offers a ticket instead. Default 24/7. */
  liveChat?: boolean | "24/7" | HelpdockHours;
  /** Tickets. Default on, "within 24 hours". */
  tickets?: boolean | HelpdockTickets;
  /** An address offered for investigations when tickets are off, and as a fallback. */
  email?: string;
  /** Offered for general questions (https URLs). */
  community?: Array<{ name: string; url: string }>;
  /** Offered for urgent problems. */
  phone?: Array<{ region: string; number: string; hours?: string }>;
  /** Links outside these domains get a phishing warning. Default: the page's host. */
  officialDomains?: string[];
}

/** `mount()`'s configuration; every field is optional, and a wrong value falls back to its default with a console error naming it. */
export interface HelpdockConfig {
  /** Interface language. Default: the browser's languages, else "en". */
  locale?: HelpdockLocale;
  /** Bottom corner of the launcher. Default "right". */
  position?: "right" | "left";
  /** The panel's heading. */
  title?: string;
  theme?: HelpdockTheme;
  /** A Helpdock protocol-v1 backend: "/", a path, or an origin. Without one, a hand-over only emits `escalated`. */
  backend?: string;
  identity?: HelpdockIdentity;
  /** @deprecated the older name of `identity`. */
  user?: HelpdockIdentity;
  /** When the wasm is fetched. Default "idle". */
  preload?: "idle" | "interaction" | "eager";
  /** Start with the panel open. */
  open?: boolean;
  /** Stacking order above the page. Default 2147483000. */
  zIndex?: number;
  /** Where the widget's files are. Default: the folder of `helpdock.js`. */
  assetsBase?: string;
  /** The content pack's URL (`helpdock pack build`). */
  pack?: string;
  channels?: HelpdockChannels;
  /**
   * The host's own way to reach its support backend (see `HelpdockTransport`
   * and docs/transport.md); live chat and tickets then go through it instead
   * of `backend`. Read by the loader, never sent anywhere.
   */
  transport?: HelpdockTransport;
}

/** A line of the bot conversation handed to people. */
export interface HelpdockTranscriptLine {
  from: "user" | "bot";
  text: string;
}

/** `escalated`: the bot handed the conversation to people. */
export interface HelpdockEscalation {
  kind: "escalate";
  reason: "asked_for_person" | "button" | "two_unhelpful" | "urgent" | "flow_complete" | "chose_channel";
  /** The rule or phrase behind it. */
  why: { rule: string; score?: number; confidence?: number; matched?: string[] };
  channel: "live_chat" | "ticket" | "email" | "phone" | "community" | "help_centre" | null;
  /** The guided flow's id, when one was started. */
  topic: string | null;
  transcript: HelpdockTranscriptLine[];
  /** What a guided form collected. */
  fields: Array<{ id: string; label: string; value: string }>;
}

/** Each event's detail. */
export interface HelpdockEvents {
  open: undefined;
  close: undefined;
  /** Unread messages from people. */
  "unread-count": number;
  "article-feedback": { articleId: string; locale: string; helpful: boolean };
  escalated: HelpdockEscalation;
  /** Reserved. */
  "ticket-created": undefined;
}

/** What `mount()` resolves to. Calls made before the widget has loaded are queued and replayed in order. */
export interface HelpdockHandle {
  open(): void;
  close(): void;
  toggle(): void;
  /** Switches the interface language; false when the tag is not one the widget speaks. */
  setLocale(locale: HelpdockLocale): boolean | void;
  /** Signs the user in; false when the identity is malformed (the console says why). */
  identify(identity: HelpdockIdentity): boolean | void;
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<E extends keyof HelpdockEvents>(name: E, callback: (detail: HelpdockEvents[E]) => void): () => void;
  off<E extends keyof HelpdockEvents>(name: E, callback: (detail: HelpdockEvents[E]) => void): void;
  /** Resolves once the full widget has loaded (and loads it now if it had not started). */
  ready(): Promise<HelpdockHandle>;
  /** Removes the widget from the page. */
  destroy(): void;
}

/** Mounts a Helpdock widget: a launcher at once, the widget when the browser is idle or the user reaches for it. */
export function mount(target: Element, config?: HelpdockConfig): Promise<HelpdockHandle>;

// ---- Protocol v1 (docs/protocol.md): what a transport receives and returns.
// Each `@schema` names the JSON Schema in docs/protocol/ the type mirrors; a
// test compares their fields (names, and which are optional).

/** @schema server-frame#ErrorInfo */
export interface ProtocolErrorInfo {
  code:
    | "bad_request" | "unauthorized" | "identity_refused" | "forbidden" | "not_found" | "too_large"
    | "unsupported_type" | "rate_limited" | "unsupported_version" | "closed" | "conflict" | "unavailable"
    | "secret_refused" | "internal" | (string & {});
  /** English, for logs and for codes the widget does not word itself. */
  message: string;
  /** The field at fault (`body`, `description`, …). */
  field?: string | null;
  /** With `rate_limited`: when to try again. */
  retryAfterMs?: number | null;
}

/** What a transport operation rejects with when the backend refused: the widget shows the error in the user's language. Any other rejection counts as a network failure, retried later. */
export interface HelpdockTransportError {
  error: ProtocolErrorInfo;
  /** The HTTP status, if there was one (else derived from the code). */
  status?: number;
}

/** @schema session-request */
export interface SessionRequest {
  visitorToken?: string | null;
  locale?: string | null;
  user?: { userId: string; userHash: string; name?: string | null; email?: string | null } | null;
}

/** @schema session */
export interface Session {
  visitorId: string;
  visitorToken: string;
  identified: boolean;
  limits: { maxMessageChars: number; maxAttachmentBytes: number; attachmentTypes: string[] };
  availability?: { liveChat: boolean; opensAt?: number | null } | null;
  email?: boolean;
}

/** @schema start-conversation */
export interface StartConversation {
  clientId: string;
  topic?: string | null;
  locale?: string | null;
  reason?: string | null;
  transcript?: Array<{ from: "user" | "bot"; text: string }>;
  fields?: Array<{ id: string; label: string; value: string }>;
}

/** @schema server-frame#QueueInfo */
export interface QueueInfo {
  position: number;
  estimatedWaitSecs: number;
}

/** @schema server-frame#AgentInfo */
export interface AgentInfo {
  id: string;
  name: string;
  avatar?: string | null;
}

/** @schema conversation-summary */
export interface ConversationSummary {
  id: string;
  status: "queued" | "active" | "closed";
  topic?: string | null;
  createdAt: number;
  updatedAt: number;
  lastSeq: number;
  queue?: QueueInfo | null;
  agent?: AgentInfo | null;
  rating?: Rating | null;
}

/** @schema attachment */
export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** Where the widget shows or links it: an absolute URL for a transport whose files live elsewhere. */
  url: string;
}

/** @schema server-frame#Author */
export interface Author {
  kind: "visitor" | "agent" | "system";
  name?: string | null;
  avatar?: string | null;
}

/** @schema server-frame#Message */
export interface Message {
  conversation: string;
  seq: number;
  clientId?: string | null;
  author: Author;
  body: string;
  attachments?: Attachment[];
  at: number;
  system?: { code: string; agent?: string | null; to?: string | null; queue?: QueueInfo | null } | null;
}

/** @schema conversation-detail */
export interface ConversationDetail {
  summary: ConversationSummary;
  transcript?: Array<{ from: "user" | "bot"; text: string }>;
  fields?: Array<{ id: string; label: string; value: string }>;
  messages?: Message[];
}

/** @schema rating */
export interface Rating {
  score: number;
  comment?: string | null;
}

/** @schema transcript-request */
export interface TranscriptRequest {
  email: string;
}

/** @schema new-ticket */
export interface NewTicket {
  clientId: string;
  title: string;
  category: string;
  urgency?: "low" | "normal" | "high" | "urgent";
  description: string;
  fields?: Array<{ id: string; label: string; value: string }>;
  attachments?: string[];
  transcript?: Array<{ from: "user" | "bot"; text: string }>;
  email?: string | null;
  locale?: string | null;
}

/** @schema ticket-summary */
export interface TicketSummary {
  id: string;
  number: string;
  title: string;
  category: string;
  urgency: "low" | "normal" | "high" | "urgent";
  status: "open" | "pending_user" | "in_progress" | "resolved" | "closed";
  queue?: string | null;
  agent?: AgentInfo | null;
  createdAt: number;
  updatedAt: number;
  lastSeq: number;
  unread?: number;
  rating?: Rating | null;
}

/** @schema server-frame#TicketReply */
export interface TicketReply {
  ticket: string;
  seq: number;
  clientId?: string | null;
  author: Author;
  body?: string;
  attachments?: Attachment[];
  status?: TicketSummary["status"] | null;
  internal?: boolean;
  byEmail?: boolean;
  at: number;
}

/** @schema ticket-detail */
export interface TicketDetail {
  summary: TicketSummary;
  description: string;
  fields?: Array<{ id: string; label: string; value: string }>;
  attachments?: Attachment[];
  transcript?: Array<{ from: "user" | "bot"; text: string }>;
  email?: string | null;
  replies?: TicketReply[];
}

/** @schema new-ticket-reply */
export interface NewTicketReply {
  clientId: string;
  body?: string;
  attachments?: string[];
  internal?: boolean;
}

/** A frame the widget sends on the live connection (`hello`, `send`, `typing`, `read`, `ping`, `close`). */
export type ClientFrame = { type: string } & Record<string, unknown>;
/** A frame the backend sends (`welcome`, `message`, `ack`, `queue`, `agent_joined`, `typing`, `read`, `closed`, `ticket`, `ticket_reply`, `error`, `pong`, …). */
export type ServerFrame = { type: string } & Record<string, unknown>;

/** What a transport tells the widget about its live connection. */
export interface HelpdockConnectionEvents {
  /** Connected: the widget sends `hello` next. */
  open(): void;
  /** A frame arrived (an object, or its JSON text). */
  frame(frame: ServerFrame | string): void;
  /** The connection ended or could not be made; the widget reconnects with backoff. */
  close(): void;
}

/** A live connection a transport opened. */
export interface HelpdockConnection {
  send(frame: ClientFrame): void;
  close(): void;
}

/**
 * A host's own way to reach its support backend: the protocol's operations
 * (docs/protocol.md), with the same payloads. Each returns a promise that
 * resolves to the answer or rejects with a `HelpdockTransportError`.
 * `token` is the `visitorToken` from `session()`.
 */
export interface HelpdockTransport {
  session(request: SessionRequest): Promise<Session>;
  startConversation(token: string, request: StartConversation): Promise<ConversationSummary>;
  /** The conversation with its messages after `afterSeq`. */
  conversation(token: string, id: string, afterSeq: number): Promise<ConversationDetail>;
  /** The live connection: frames both ways, as on the protocol's socket. */
  connect(events: HelpdockConnectionEvents): HelpdockConnection;
  upload(token: string, file: Blob, name: string, contentType: string, onProgress: (fraction: number) => void): Promise<Attachment>;
  rate(token: string, conversation: string, rating: Rating): Promise<ConversationSummary>;
  emailTranscript(token: string, conversation: string, request: TranscriptRequest): Promise<void>;
  createTicket(token: string, request: NewTicket): Promise<TicketDetail>;
  tickets(token: string): Promise<TicketSummary[]>;
  ticket(token: string, id: string): Promise<TicketDetail>;
  replyTicket(token: string, id: string, reply: NewTicketReply): Promise<TicketReply>;
  setTicketStatus(token: string, id: string, status: "open" | "closed"): Promise<TicketSummary>;
  readTicket(token: string, id: string, seq: number): Promise<void>;
  rateTicket(token: string, id: string, rating: Rating): Promise<TicketSummary>;
}
