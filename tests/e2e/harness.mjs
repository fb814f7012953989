// Shared set-up for the browser tests: the reference server
// (target/release/helpdock-server, in demo mode on a throwaway SQLite file)
// serving the demo build with the strict CSP, and Debian's Chromium driven
// by playwright-core.

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

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

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The server binary the tests start (`cargo build --release -p helpdock-server`). */
export const SERVER_BIN = process.env.HELPDOCK_SERVER_BIN ?? join(ROOT, "target", "release", "helpdock-server");
/** The demo agent's password in tests (the server makes a random one otherwise). */
export const DEMO_PASSWORD = "test-demo-password-1";

/**
 * Starts `helpdock-server serve --demo` on a free port with a fresh SQLite
 * file; resolves to { url, agent: {email, password}, secondAgent,
 * hostSecret, close() } once it prints its address.
 */
export async function startHelpdockServer({ dist = DIST, env = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "helpdock-e2e-"));
  const child = spawn(
    SERVER_BIN,
    ["serve", "--demo", "--static", dist, "--listen", "127.0.0.1:0", "--database", join(dir, "demo.sqlite")],
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
      else if (/^console: /.test(line)) resolve(found);
    });
  });
  return {
    ...info,
    process: child,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
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
export async function openDemo(env, { viewport = { width: 1280, height: 800 }, query = "", colorScheme = "light", clock } = {}) {
  const context = await env.browser.newContext({ viewport, colorScheme, locale: "zh-CN" });
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
  const response = await page.goto(`${env.server.url}/${query}`);
  return { context, page, problems, requests, response };
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
export const panel = (page) => page.locator("helpdock-widget .hd-panel");

/** The element focused inside the widget's shadow root, described. */
export function focusedInWidget(page) {
  return page.evaluate(() => {
    const root = document.querySelector("helpdock-widget").shadowRoot;
    const el = root.activeElement;
    if (!el) return null;
    return el.id ? `#${el.id}` : `.${[...el.classList].join(".")}`;
  });
}
