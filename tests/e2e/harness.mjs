// Shared set-up for the browser tests: the demo build served by
// scripts/serve.mjs (with the strict CSP), and Debian's Chromium driven by
// playwright-core.

import { chromium } from "playwright-core";
import { startServer } from "../../scripts/serve.mjs";

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

export async function startAll() {
  const server = await startServer({ dir: DIST, port: 0 });
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
