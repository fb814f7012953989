// A host's own transport, plugged in from JavaScript: `mount(el, { transport })`.
//
// The transport is an object with the protocol's operations (session,
// startConversation, connect, upload, tickets…; `HelpdockTransport` in
// helpdock.d.ts, docs/transport.md). The widget's WebAssembly speaks
// protocol v1 through `fetch`, `WebSocket` and, for upload progress,
// `XMLHttpRequest`; this module gives it stand-ins for those three that call
// the transport's operations instead, so the widget depends on nothing but
// the interface and a host pays for this file only when it passes a
// transport. The loader fetches it then, and hands `bridge(transport)` to
// the glue before the widget starts.

const API = "/api/v1";

/** The HTTP status a protocol error code stands for, when the transport gives none. */
const STATUS = {
  bad_request: 400,
  unauthorized: 401,
  identity_refused: 403,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unsupported_type: 415,
  secret_refused: 422,
  rate_limited: 429,
  unsupported_version: 400,
  closed: 409,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

const id = (s) => decodeURIComponent(s);

/** The widget's requests, by method and path under /api/v1, as transport operations. */
function routes(t) {
  return [
    ["POST", /^\/session$/, (token, m, body) => t.session(body)],
    ["POST", /^\/conversations$/, (token, m, body) => t.startConversation(token, body)],
    ["GET", /^\/conversations\/([^/?]+)(?:\?after=(\d+))?$/, (token, m) => t.conversation(token, id(m[1]), Number(m[2] ?? 0))],
    ["POST", /^\/conversations\/([^/]+)\/rating$/, (token, m, body) => t.rate(token, id(m[1]), body)],
    ["POST", /^\/conversations\/([^/]+)\/transcript$/, (token, m, body) => t.emailTranscript(token, id(m[1]), body)],
    ["POST", /^\/tickets$/, (token, m, body) => t.createTicket(token, body)],
    ["GET", /^\/tickets$/, (token) => t.tickets(token)],
    ["GET", /^\/tickets\/([^/]+)$/, (token, m) => t.ticket(token, id(m[1]))],
    ["POST", /^\/tickets\/([^/]+)\/replies$/, (token, m, body) => t.replyTicket(token, id(m[1]), body)],
    ["POST", /^\/tickets\/([^/]+)\/status$/, (token, m, body) => t.setTicketStatus(token, id(m[1]), body.status)],
    ["POST", /^\/tickets\/([^/]+)\/read$/, (token, m, body) => t.readTicket(token, id(m[1]), body.seq)],
    ["POST", /^\/tickets\/([^/]+)\/rating$/, (token, m, body) => t.rateTicket(token, id(m[1]), body)],
  ];
}

/** The path after /api/v1, with its query. */
function apiPath(url) {
  const u = new URL(url, document.baseURI);
  const at = u.pathname.indexOf(API);
  return at < 0 ? null : u.pathname.slice(at + API.length) + u.search;
}

function bearer(headers) {
  const value = headers?.get?.("Authorization") ?? "";
  return value.startsWith("Bearer ") ? value.slice(7) : null;
}

/**
 * How an operation ended, as a status and a body: the result as JSON, or
 * the protocol error the transport rejected with (`{ error: { code,
 * message, field? }, status? }`); any other rejection is a network failure.
 */
async function settle(call) {
  try {
    const result = await call();
    return { status: 200, text: result === undefined ? "" : JSON.stringify(result) };
  } catch (err) {
    if (err && typeof err === "object" && err.error && typeof err.error.code === "string") {
      return { status: err.status ?? STATUS[err.error.code] ?? 400, text: JSON.stringify({ error: err.error }) };
    }
    throw err instanceof Error ? err : new TypeError(String(err?.message ?? err));
  }
}

/** The operations a transport must have (`HelpdockTransport` in helpdock.d.ts). */
export const OPERATIONS = ["session", "startConversation", "conversation", "connect", "upload", "rate", "emailTranscript",
  "createTicket", "tickets", "ticket", "replyTicket", "setTicketStatus", "readTicket", "rateTicket"];

/** Stand-ins for `fetch`, `WebSocket` and `XMLHttpRequest` that call `transport`. */
export function bridge(transport) {
  const missing = OPERATIONS.filter((op) => typeof transport?.[op] !== "function");
  if (missing.length > 0) {
    // Said once, naming what is missing; each use of a missing operation
    // then fails as an unreachable backend would, and the widget says so.
    console.error(`Helpdock config: \`transport\` lacks ${missing.join(", ")} (see docs/transport.md)`);
    const absent = (op) => () => Promise.reject(new TypeError(`Helpdock transport: no ${op}()`));
    transport = Object.fromEntries(OPERATIONS.map((op) => [op, typeof transport?.[op] === "function" ? transport[op].bind(transport) : absent(op)]));
    if (missing.includes("connect")) transport.connect = () => { throw new TypeError("Helpdock transport: no connect()"); };
  }
  const table = routes(transport);

  async function fetch(url, init = {}) {
    const path = apiPath(url);
    // The content pack and the catalogues are the host's own files.
    if (path === null) return globalThis.fetch(url, init);
    const method = (init.method ?? "GET").toUpperCase();
    const route = table.find(([m, re]) => m === method && re.test(path));
    if (!route) throw new TypeError(`Helpdock transport: no operation for ${method} ${API}${path}`);
    const body = typeof init.body === "string" && init.body ? JSON.parse(init.body) : undefined;
    const { status, text } = await settle(() => route[2](bearer(init.headers), path.match(route[1]), body));
    return new Response(text, { status, headers: { "Content-Type": "application/json" } });
  }

  /** The live connection: `transport.connect(events)` behind WebSocket's surface. */
  class Socket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;

    constructor() {
      this.readyState = 0;
      this.onopen = this.onmessage = this.onclose = null;
      // Like a WebSocket, nothing happens before the caller has set its handlers.
      setTimeout(() => {
        if (this.readyState === 3) return;
        try {
          this.connection = transport.connect({
            open: () => {
              if (this.readyState !== 0) return;
              this.readyState = 1;
              this.onopen?.({});
            },
            frame: (frame) => {
              if (this.readyState === 1) this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
            },
            close: () => this.#ended(),
          });
        } catch (err) {
          console.error("Helpdock transport: connect() threw", err);
          this.#ended();
        }
      });
    }

    send(text) {
      if (this.readyState !== 1) throw new DOMException("the connection is not open", "InvalidStateError");
      this.connection.send(JSON.parse(text));
    }

    close() {
      if (this.readyState === 3) return;
      this.readyState = 3;
      try {
        this.connection?.close();
      } catch (err) {
        console.error("Helpdock transport: close() threw", err);
      }
    }

    #ended() {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code: 1006 });
    }
  }

  /** Uploads: `transport.upload(token, file, name, contentType, onProgress)` behind XMLHttpRequest's surface. */
  class Upload {
    constructor() {
      this.status = 0;
      this.responseText = "";
      this.onloadend = null;
      this.upload = { onprogress: null };
      this.headers = new Headers();
    }

    open(method, url) {
      this.method = method;
      this.url = url;
    }

    setRequestHeader(name, value) {
      this.headers.set(name, value);
    }

    send(file) {
      const name = decodeURIComponent(this.headers.get("X-Filename") ?? "file");
      const type = this.headers.get("Content-Type") ?? "application/octet-stream";
      const progress = (fraction) => this.upload.onprogress?.({ lengthComputable: true, loaded: fraction, total: 1 });
      settle(() => transport.upload(bearer(this.headers), file, name, type, progress)).then(
        ({ status, text }) => {
          this.status = status;
          this.responseText = text;
          this.onloadend?.();
        },
        () => {
          this.status = 0;
          this.onloadend?.();
        },
      );
    }
  }

  return { fetch, WebSocket: Socket, XMLHttpRequest: Upload };
}
