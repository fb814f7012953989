// The console's HTTP API (docs/protocol.md, "Agent console"): JSON over
// fetch with the session cookie, `X-CSRF-Token` on every request that
// changes something, uploads over XMLHttpRequest for their progress.

export const API = "/console/api";

/** An HTTP failure with the protocol's ErrorInfo (`code`, `message`, `field`). */
export class ApiError extends Error {
  constructor(status, info) {
    super(info.message);
    this.name = "ApiError";
    this.status = status;
    this.code = info.code ?? "internal";
    this.field = info.field ?? null;
    this.retryAfterMs = info.retryAfterMs ?? null;
  }
}

const UNREACHABLE = "The Helpdock server cannot be reached. Check your connection; the console will keep trying.";

/** Reads an error body, falling back to a sentence for the status. */
function errorFrom(status, text) {
  try {
    const body = JSON.parse(text);
    if (body?.error?.message) return new ApiError(status, body.error);
  } catch {
    // Not JSON (a proxy's page, say): described by its status below.
  }
  const fallback = {
    401: ["unauthorized", "You are not signed in."],
    403: ["forbidden", "This is not allowed for your account."],
    404: ["not_found", "Not found."],
    413: ["too_large", "That is too large for the server."],
    429: ["rate_limited", "Too many requests; wait a moment and try again."],
  }[status] ?? ["internal", `The server answered with an error (HTTP ${status}). Try again in a moment.`];
  return new ApiError(status, { code: fallback[0], message: fallback[1] });
}

export class ConsoleApi {
  constructor() {
    /** The session's CSRF token, set by `login`/`me`. */
    this.csrfToken = null;
  }

  /** `onResponse(response)` sees a successful answer's headers. */
  async request(method, path, body, onResponse) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && this.csrfToken) headers["X-CSRF-Token"] = this.csrfToken;
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, { code: "unreachable", message: UNREACHABLE });
    }
    const text = await response.text();
    if (!response.ok) throw errorFrom(response.status, text);
    onResponse?.(response);
    if (response.status === 204 || text === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(response.status, { code: "bad_request", message: "The server's answer could not be read." });
    }
  }

  /** `POST /login` → AgentSession. */
  async login(email, password) {
    const session = await this.request("POST", "/login", { email, password });
    this.csrfToken = session.csrfToken;
    return session;
  }

  /** `GET /me` → AgentSession, or `null` when not signed in. */
  async me() {
    try {
      const session = await this.request("GET", "/me");
      this.csrfToken = session.csrfToken;
      return session;
    } catch (err) {
      if (err.status === 401) return null;
      throw err;
    }
  }

  async logout() {
    await this.request("POST", "/logout");
    this.csrfToken = null;
  }

  agents() {
    return this.request("GET", "/agents");
  }

  /** `GET /queue` → { waiting: the first ConversationSummary[] (oldest first), total: how many wait in all }. */
  async queue() {
    let total = null;
    const waiting = await this.request("GET", "/queue", undefined, (response) => {
      total = Number(response.headers.get("X-Total-Count"));
    });
    return { waiting, total: Number.isInteger(total) ? total : waiting.length };
  }

  activeConversations() {
    return this.request("GET", "/conversations?status=active");
  }

  conversation(id) {
    return this.request("GET", `/conversations/${encodeURIComponent(id)}`);
  }

  /** `GET /tickets` with the list's filters ("" = any) → TicketSummary[]. */
  tickets(filters = {}) {
    const query = new URLSearchParams();
    for (const key of ["status", "category", "urgency", "assignee"]) if (filters[key]) query.set(key, filters[key]);
    const qs = query.toString();
    return this.request("GET", `/tickets${qs ? `?${qs}` : ""}`);
  }

  /** `GET /ticket-categories` → the category ids the server knows of. */
  ticketCategories() {
    return this.request("GET", "/ticket-categories");
  }

  /** `GET /tickets/{id}` → ConsoleTicket. */
  ticket(id) {
    return this.request("GET", `/tickets/${encodeURIComponent(id)}`);
  }

  /** `PATCH /tickets/{id}` with a TicketUpdate → TicketSummary. */
  updateTicket(id, update) {
    return this.request("PATCH", `/tickets/${encodeURIComponent(id)}`, update);
  }

  /** `POST /tickets/{id}/replies` {clientId, body, attachments, internal} → TicketReply. */
  replyToTicket(id, reply) {
    return this.request("POST", `/tickets/${encodeURIComponent(id)}/replies`, reply);
  }

  /**
   * Uploads a file; resolves to the Attachment. `onProgress(fraction)` is
   * called as bytes leave. Returns {promise, abort}.
   */
  upload(file, type, onProgress) {
    const xhr = new XMLHttpRequest();
    const promise = new Promise((resolve, reject) => {
      xhr.open("POST", `${API}/attachments`);
      xhr.setRequestHeader("Content-Type", type);
      xhr.setRequestHeader("X-Filename", encodeURIComponent(file.name || "pasted-file"));
      if (this.csrfToken) xhr.setRequestHeader("X-CSRF-Token", this.csrfToken);
      xhr.responseType = "text";
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText));
          } catch {
            reject(new ApiError(xhr.status, { code: "bad_request", message: "The server's answer could not be read." }));
          }
        } else {
          reject(errorFrom(xhr.status, xhr.responseText));
        }
      });
      xhr.addEventListener("error", () => reject(new ApiError(0, { code: "unreachable", message: UNREACHABLE })));
      xhr.addEventListener("abort", () => reject(new ApiError(0, { code: "aborted", message: "Upload cancelled." })));
      xhr.send(file);
    });
    return { promise, abort: () => xhr.abort() };
  }
}
