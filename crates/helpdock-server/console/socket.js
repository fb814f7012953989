// The console's live connection, /console/api/ws: `hello` first, a ping
// every 25 s, and on any close a reconnect after 0.5 s doubling to 30 s
// (jittered), until `stop()`. The session cookie authenticates it.

import { backoffDelay } from "./model.js";

const PING_MS = 25_000;
/** The server closes a socket silent for 60 s; we give up on one silent for 70 s. */
const SILENCE_MS = 70_000;

export class ConsoleSocket {
  /**
   * `hello()` builds the hello frame at each connect (for `resume`);
   * `onFrame(frame)` gets every server frame; `onState(state, info)` gets
   * "connecting", "online" (after `welcome`) and "offline" ({retryInMs, attempt}).
   */
  constructor({ url, hello, onFrame, onState }) {
    this.url = url;
    this.hello = hello;
    this.onFrame = onFrame;
    this.onState = onState;
    this.ws = null;
    this.online = false;
    this.attempt = 0;
    this.stopped = true;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    this.online = false;
    ws?.close(1000, "signed out");
  }

  /** Reconnects now (the banner's "Retry now"). */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  /** Sends a frame; returns `false` (and sends nothing) when not online. */
  send(frame) {
    if (!this.online || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    this.onState("connecting", { attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.lastHeard = Date.now();
      ws.send(JSON.stringify(this.hello()));
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.keepAlive(ws), PING_MS);
    });
    ws.addEventListener("message", (event) => {
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // Not a frame: nothing to act on.
      }
      if (frame?.type === "welcome") {
        this.online = true;
        this.attempt = 0;
        this.onState("online", {});
      }
      this.onFrame(frame);
    });
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.online = false;
      clearInterval(this.pingTimer);
      if (!this.stopped) this.scheduleRetry();
    });
    // An `error` is always followed by `close`, which reconnects.
  }

  keepAlive(ws) {
    if (ws !== this.ws) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      ws.close(4000, "silent");
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping" }));
  }

  scheduleRetry() {
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.onState("offline", { retryInMs: delay, attempt: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped && !this.ws) this.connect();
    }, delay);
  }
}
