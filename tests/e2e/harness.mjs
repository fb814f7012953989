// Shared set-up for the browser tests: the reference server
// (target/release/helpdock-server, in demo mode on a throwaway SQLite file)
// serving the demo build with the strict CSP, and Debian's Chromium driven
// by playwright-core.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { chromium } from "playwright-core";
import WebSocket from "ws";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const DIST = process.env.HELPDOCK_DIST ?? "dist";

// Without the background-networking flags Chromium keeps trying to reach
// the internet, which this machine does not have.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The repository. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The server binary the tests start (`cargo build --release -p helpdock-server`). */
export const SERVER_BIN = process.env.HELPDOCK_SERVER_BIN ?? join(ROOT, "target", "release", "helpdock-server");
/** The demo agent's password in tests (the server makes a random one otherwise). */
export const DEMO_PASSWORD = "test-demo-password-1";

/**
 * Starts `helpdock-server serve --demo` on a free port with a fresh SQLite
 * file; resolves to { url, agent: {email, password}, secondAgent,
 * hostSecret, stop(), restart(), close() } once it prints its address.
 * `stop()` and `restart()` take the server down and bring it back on the
 * same port and database (an outage, as a browser sees it).
 */
export async function startHelpdockServer({ dist = DIST, env = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "helpdock-e2e-"));
  const launch = async (listen) => {
    const child = spawn(
      SERVER_BIN,
      ["serve", "--demo", "--static", dist, "--listen", listen, "--database", join(dir, "demo.sqlite")],
      { env: { ...process.env, HELPDOCK_DEMO_PASSWORD: DEMO_PASSWORD, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (process.env.HELPDOCK_SERVER_LOG) process.stderr.write(chunk);
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const info = await new Promise((resolve, reject) => {
      const found = {};
      const lines = createInterface({ input: child.stdout });
      const fail = (why) => reject(new Error(`${SERVER_BIN}: ${why}\n${stderr}`));
      child.once("error", (err) => fail(err.message));
      child.once("exit", (code) => fail(`exited with ${code} before it was ready`));
      lines.on("line", (line) => {
        let m;
        if ((m = /^helpdock-server listening on (http:\/\/\S+)$/.exec(line))) found.url = m[1];
        else if ((m = /^demo agent: (\S+) \/ (\S+)$/.exec(line))) found.agent = { email: m[1], password: m[2] };
        else if ((m = /^second agent: (\S+) \/ (\S+)$/.exec(line))) found.secondAgent = { email: m[1], password: m[2] };
        else if ((m = /^host secret: (\S+)$/.exec(line))) found.hostSecret = m[1];
        else if ((m = /^accepting replies to ticket e-mails by SMTP on 127\.0\.0\.1:(\d+)$/.exec(line))) found.mailPort = Number(m[1]);
        else if (/^console: /.test(line)) resolve(found);
      });
    });
    return { child, exited, info };
  };
  let run = await launch("127.0.0.1:0");
  const listen = new URL(run.info.url).host;
  const stop = async () => {
    const { child, exited } = run;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return {
    ...run.info,
    stop,
    async restart() {
      run = await launch(listen);
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startAll() {
  const server = await startHelpdockServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Opens the demo page and records every console error, page error, failed
 * request and CSP violation in `problems`.
 */
export async function openDemo(
  env,
  { viewport = { width: 1280, height: 800 }, query = "", colorScheme = "light", clock, hasTouch = false, prepare, locale = "zh-CN" } = {},
) {
  const context = await env.browser.newContext({ viewport, colorScheme, locale, hasTouch, isMobile: hasTouch });
  const page = await context.newPage();
  // A fixed "now" (ISO string), for time-dependent content such as announcements.
  if (clock) await page.clock.setFixedTime(new Date(clock));
  const problems = [];
  const requests = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("request", (req) => requests.push(req.url()));
  // Routes and the like that must be in place before the page loads.
  if (prepare) await prepare(page);
  const response = await page.goto(`${env.server.url}/${query}`);
  return { context, page, problems, requests, response };
}

/**
 * After a reload with the panel left open on a live conversation: the panel
 * is back, open on Chat, its log scrolled to the latest message.
 */
export async function backOnChat(page) {
  await page.locator("helpdock-widget .hd-panel:not(.hd-boot)").waitFor({ state: "visible" });
  assert.equal(await page.locator("helpdock-widget #hd-tab-chat").getAttribute("aria-selected"), "true");
  await page.locator("helpdock-widget .hd-live-log .hd-live-msg").first().waitFor();
  await page.waitForFunction(() => {
    const log = document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-live-log");
    return log && log.scrollTop + log.clientHeight >= log.scrollHeight - 2;
  });
}

/** Waits until the WebAssembly widget has replaced the placeholder launcher. */
export async function widgetReady(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector("helpdock-widget")?.shadowRoot;
    return root && !root.querySelector("[data-hd-placeholder]") && root.querySelector(".hd-mount:not([hidden]) .hd-launcher");
  });
}

// Locators pierce open shadow roots, so these find the widget's parts.
export const launcher = (page) => page.locator("helpdock-widget .hd-root:not([data-hd-placeholder]) .hd-launcher");
export const panel = (page) => page.locator("helpdock-widget .hd-panel:not(.hd-boot)");

/** The element focused inside the widget's shadow root, described. */
export function focusedInWidget(page) {
  return page.evaluate(() => {
    const root = document.querySelector("helpdock-widget").shadowRoot;
    const el = root.activeElement;
    if (!el) return null;
    return el.id ? `#${el.id}` : `.${[...el.classList].join(".")}`;
  });
}

/** A real PNG (4×4, red), built here so the server's byte sniffing accepts it. */
export function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(4, 0);
  ihdr.writeUInt32BE(4, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.concat(Array.from({ length: 4 }, () => Buffer.from([0, ...Array(4).fill([220, 40, 40]).flat()])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Debian's Chromium, headless, with the flags every browser test uses. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/**
 * A real SMTP server on a free loopback port (`python3 -m aiosmtpd`, the
 * Debian package python3-aiosmtpd) printing every message it receives;
 * resolves to { port, text(), waitFor(text), close() }.
 */
export async function startSmtpSink(options = {}) {
  // A port free when probed can be taken before aiosmtpd binds it (as some
  // connection's ephemeral port): a sink that exits on start is retried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await trySmtpSink(options);
    } catch (err) {
      if (attempt === 5 || !err.retry) throw err;
    }
  }
}

async function trySmtpSink({ python = process.env.HELPDOCK_TEST_PYTHON ?? "/usr/bin/python3" } = {}) {
  const { connect } = await import("node:net");
  const port = await freePort();
  const child = spawn(python, ["-u", "-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Debugging"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (err += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      throw Object.assign(new Error(`${python} -m aiosmtpd exited (install python3-aiosmtpd): ${err}`), {
        retry: !/No module named/.test(err), // most likely the port was taken meanwhile
      });
    }
    const up = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() - started > 15_000) throw new Error(`aiosmtpd did not start on port ${port}: ${err}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // As a mail program shows it: quoted-printable soft line breaks joined,
  // `=3D` read as `=`.
  const read = () => out.replace(/=\r?\n/g, "").replaceAll("=3D", "=");
  return {
    port,
    text: read,
    /** The printed messages (`---------- MESSAGE FOLLOWS ----------` … `END MESSAGE`) containing `text`. */
    async waitFor(text, { timeoutMs = 15_000 } = {}) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = read().split("---------- MESSAGE FOLLOWS ----------").filter((m) => m.includes("END MESSAGE") && m.includes(text));
        if (found.length) return found;
        if (Date.now() > until) throw new Error(`no e-mail containing ${JSON.stringify(text)} arrived; the sink printed:\n${out}${err}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A TCP port free on loopback when asked (someone may take it before use). */
async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });
}

/**
 * Sends one message over plain SMTP to 127.0.0.1:`port`, as a mail server
 * relaying a user's reply would; resolves to the server's final reply line,
 * rejects with the server's reply when a command is refused.
 */
export async function sendMail(port, { from, to, subject, text }) {
  const { connect } = await import("node:net");
  const socket = connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  let buffer = "";
  const waiting = [];
  socket.on("data", (chunk) => {
    buffer += chunk;
    // A reply is complete at a line "NNN text" (not "NNN-text").
    let m;
    while ((m = /^(?:\d{3}-.*\r\n)*\d{3}(?: .*)?\r\n/.exec(buffer))) {
      buffer = buffer.slice(m[0].length);
      waiting.shift()?.(m[0].trim());
    }
  });
  const reply = () => new Promise((resolve) => waiting.push(resolve));
  const step = async (line, want) => {
    if (line !== null) socket.write(`${line}\r\n`);
    const answer = await reply();
    if (!answer.split("\r\n").at(-1).startsWith(want)) {
      socket.destroy();
      throw new Error(`SMTP ${line ?? "greeting"}: ${answer}`);
    }
    return answer;
  };
  try {
    await step(null, "220");
    await step("EHLO test.example", "250");
    // The envelope names the bare address, as a mail system does.
    await step(`MAIL FROM:<${/<([^>]+)>/.exec(from)?.[1] ?? from}>`, "250");
    await step(`RCPT TO:<${to}>`, "250");
    await step("DATA", "354");
    const id = `<${Date.now()}.${Math.random().toString(36).slice(2)}@test.example>`;
    const body = text.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
    const message = [
      `From: ${from}`,
      `To: ${to}`,
      `Subject: ${subject}`,
      `Message-ID: ${id}`,
      `Date: ${new Date().toUTCString()}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      body,
    ].join("\r\n");
    const done = await step(`${message}\r\n.`, "250");
    await step("QUIT", "221");
    return done;
  } finally {
    socket.destroy();
  }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's violations on the page, as "rule: targets" lines. axe applies
 * inline styles, which a strict CSP reports: given the page's `problems`,
 * they must be empty before, and the reports axe caused are dropped after.
 */
export async function axeViolations(page, problems) {
  if (problems && problems.length) throw new Error(`problems before axe-core ran:\n${problems.join("\n")}`);
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" > ")).join(", ")}`);
  });
  if (problems) {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done())));
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes("Applying inline style violates")));
  }
  return violations;
}

/** The demo agent of `server`, signed in through the console API, on its own socket (the tests play the agent with it). */
export async function signInAgent(server) {
  const url = server.url;
  const res = await fetch(`${url}/console/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(server.agent),
  });
  assert.equal(res.status, 200, `agent login: ${res.status} ${await res.clone().text()}`);
  const session = await res.json();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/console/api/ws`, { headers: { Cookie: cookie, Origin: url } });
  const frames = [];
  const waiters = new Set();
  ws.on("message", (data) => {
    const frame = JSON.parse(String(data));
    frames.push(frame);
    for (const waiter of waiters) {
      if (waiter.matches(frame)) {
        waiters.delete(waiter);
        waiter.resolve(frame);
      }
    }
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const send = (frame) => ws.send(JSON.stringify(frame));
  /** The first frame (already received or to come) that `matches`. */
  const next = (matches, what = "a frame", ms = 15_000) => {
    const seen = frames.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { matches, resolve };
      waiters.add(waiter);
      setTimeout(() => {
        if (waiters.delete(waiter)) reject(new Error(`agent: timed out waiting for ${what}`));
      }, ms);
    });
  };
  send({ type: "hello", v: 1, token: "", resume: [] });
  await next((f) => f.type === "welcome", "welcome");
  return {
    session,
    frames,
    send,
    next,
    /** Visitor messages stored in `conversation`, one entry per frame received. */
    visitorMessages: (conversation) =>
      frames.filter((f) => f.type === "message" && f.message.conversation === conversation && f.message.author.kind === "visitor"),
    get: (path) => fetch(`${url}${path}`, { headers: { Cookie: cookie } }).then((r) => r.json()),
    async accept(conversation) {
      send({ type: "accept", conversation });
      await next((f) => f.type === "assigned" && f.conversation.id === conversation, "assigned");
    },
    say(conversation, body) {
      const clientId = `agent-${Math.random().toString(36).slice(2)}`;
      send({ type: "send", conversation, clientId, body, attachments: [] });
      return next((f) => f.type === "ack" && f.clientId === clientId, "ack of the agent's message");
    },
    /** Resolves when the socket closes (the server ended it, or `close`). */
    closed: new Promise((resolve) => ws.once("close", resolve)),
    close: () => ws.close(),
  };
}
