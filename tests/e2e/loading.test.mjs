// What loads when. The widget comes in two parts (scripts/build-widget.sh):
// the shell (Help, the bot, flows, the secrets guard) and the people module
// (live chat and tickets). A user who only searches Help and talks to the
// bot never downloads the people module, nor opens a session; the first
// hand-over fetches it and works; a failed fetch says so, keeps what the
// user wrote and retries on request; a reload with a live conversation open
// fetches it at once and shows the conversation; My tickets fetches it too.
//
//   node --test tests/e2e/loading.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`)

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { DIST, backOnChat, launcher, openDemo, panel, startAll, widgetReady } from "./harness.mjs";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

// The people module's files, as the build listed them.
const parts = JSON.parse(readFileSync(join(DIST, "wasm/parts.json"), "utf8"));
const isPeople = (url) => parts.people.some((file) => new URL(url).pathname === `/${file}`);
const isBench = (url) => parts.bench.some((file) => new URL(url).pathname === `/${file}`);
const w = (page, selector) => page.locator(`helpdock-widget ${selector}`);

async function open(query = "?lang=en") {
  const demo = await openDemo(env, { query });
  await widgetReady(demo.page);
  await launcher(demo.page).click();
  await panel(demo.page).waitFor({ state: "visible" });
  await w(demo.page, ".hd-categories").waitFor({ state: "attached" }); // the pack is loaded
  return demo;
}

async function say(page, text) {
  await w(page, "#hd-chat-input").fill(text);
  await w(page, "#hd-chat-input").press("Enter");
}

describe("before the widget has loaded", () => {
  const WASM = /\/wasm\/helpdock_bg\.[0-9a-f]+\.wasm$/;
  const placeholderLauncher = (page) => page.locator("helpdock-widget [data-hd-placeholder] .hd-launcher");
  const boot = (page) => page.locator("helpdock-widget .hd-boot");

  it("a tap opens the panel at once, saying it is loading, and the widget fills it in", async () => {
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const { page, context, problems } = await openDemo(env, {
      query: "?lang=en",
      prepare: (page) =>
        page.route(WASM, async (route) => {
          await held;
          await route.continue();
        }),
    });
    const tapped = Date.now();
    await placeholderLauncher(page).click();
    await boot(page).waitFor({ state: "visible" });
    const shownAfter = Date.now() - tapped;
    assert.ok(shownAfter < 500, `the panel took ${shownAfter} ms to appear`);
    assert.equal(await boot(page).locator('[role="status"]').innerText(), "Loading support…");
    assert.equal(await placeholderLauncher(page).getAttribute("aria-expanded"), "true");
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-boot"));
    release();
    // The widget's own panel takes its place, open, with focus inside.
    await w(page, ".hd-panel:not(.hd-boot) .hd-tabs").waitFor();
    assert.equal(await boot(page).count(), 0);
    assert.equal(await launcher(page).getAttribute("aria-expanded"), "true");
    await page.waitForFunction(() => !!document.querySelector("helpdock-widget").shadowRoot.activeElement?.closest(".hd-panel"));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("Esc closes the loading panel, and the widget arrives closed", async () => {
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const { page, context } = await openDemo(env, {
      query: "?lang=zh-CN",
      prepare: (page) =>
        page.route(WASM, async (route) => {
          await held;
          await route.continue();
        }),
    });
    await placeholderLauncher(page).click();
    await boot(page).filter({ hasText: "正在加载客服…" }).waitFor();
    await page.keyboard.press("Escape");
    await boot(page).waitFor({ state: "hidden" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-launcher"));
    release();
    await widgetReady(page);
    assert.equal(await panel(page).isVisible(), false);
    await context.close();
  });

  it("a failed fetch says so in the panel, and Try again loads the widget", async () => {
    let failing = true;
    const { page, context, problems } = await openDemo(env, {
      query: "?lang=en",
      prepare: (page) =>
        page.route(WASM, (route) => (failing ? route.fulfill({ status: 503, body: "busy" }) : route.continue())),
    });
    await placeholderLauncher(page).click();
    await boot(page).getByText("Support could not load. Check your connection and try again.").waitFor();
    failing = false;
    await boot(page).getByRole("button", { name: "Try again" }).click();
    await w(page, ".hd-panel:not(.hd-boot) .hd-tabs").waitFor();
    assert.ok(
      problems.every((p) => p.includes("could not load the widget") || p.includes("503")),
      problems.join("\n"),
    );
    await context.close();
  });
});

describe("what loads when", () => {
  it("a user who searches Help and talks to the bot fetches no live-chat or ticket module", async () => {
    const { page, context, requests, problems } = await open();
    await w(page, "#hd-search-input").pressSequentially("my deposit has not arrived", { delay: 10 });
    await page.waitForFunction(
      () => document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-result-title")?.textContent === "My deposit has not arrived",
    );
    await w(page, "#hd-tab-chat").click();
    await say(page, "how do I pay fees with CHB");
    await w(page, '.hd-answer[data-article="fee-discount-token"]').waitFor();
    await w(page, ".hd-chat-log").getByRole("button", { name: /^Yes/ }).first().click();
    await page.waitForTimeout(1500); // idle time, in which nothing more may be fetched
    assert.ok(parts.people.length > 0, "the build lists the people module");
    assert.deepEqual(requests.filter(isPeople), [], "no people module");
    assert.ok(parts.bench.length > 0, "the benchmark's exports are a chunk of their own");
    assert.deepEqual(requests.filter(isBench), [], "no benchmark code");
    assert.deepEqual(
      requests.filter((u) => new URL(u).pathname.startsWith("/api/")),
      [],
      "no session, no conversation, no ticket list",
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("the first hand-over fetches it and works; a reload with the conversation open shows it", async () => {
    const { page, context, requests, problems } = await open();
    await w(page, "#hd-tab-chat").click();
    await say(page, "my deposit has not arrived");
    await w(page, ".hd-answer").waitFor();
    await say(page, "转人工");
    await w(page, ".hd-queue").filter({ hasText: /number \d+ in the queue/ }).waitFor();
    assert.equal(requests.filter(isPeople).length, parts.people.length, "each file fetched once");
    await w(page, "#hd-live-input").fill("are you there?");
    await w(page, "#hd-live-input").press("Enter");
    await w(page, ".hd-live-log .hd-from-visitor").filter({ hasText: "are you there?" }).locator('[data-delivery="sent"]').waitFor();

    // A reload: the stored conversation fetches the module before any click.
    requests.length = 0;
    await page.reload();
    await widgetReady(page);
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => e.name.includes("/wasm/split_people")));
    assert.equal(requests.filter(isPeople).length, parts.people.length, "fetched at start-up, once");
    await backOnChat(page); // left open on the conversation, so back open on it
    await w(page, ".hd-live-header").waitFor();
    await w(page, ".hd-live-log .hd-from-visitor").filter({ hasText: "are you there?" }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("when the module fails to load (503 once), says so, keeps what was written, and retries on request", async () => {
    const { page, context, problems } = await openDemo(env, { query: "?lang=en" });
    // The server answers 503 until the user has seen the failure (a
    // prefetch may have asked before the hand-over did).
    let down = true;
    let refused = 0;
    let served = 0;
    await page.route(
      (url) => isPeople(url.href),
      (route) => (down ? (refused++, route.fulfill({ status: 503, body: "busy" })) : (served++, route.continue())),
    );
    const started = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/conversations") started.push(r.postData());
    });
    await widgetReady(page);
    await launcher(page).click();
    await w(page, "#hd-tab-chat").click();
    // A confident answer first (nothing that would prefetch the module).
    await say(page, "how do I pay fees with CHB");
    await w(page, '.hd-answer[data-article="fee-discount-token"]').waitFor();
    await say(page, "转人工");
    const failed = w(page, '#hd-tabpanel-chat [data-hd="people-failed"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /couldn't load the chat with our team.*what you wrote is kept/s);
    // What the user wrote is still on screen.
    await w(page, ".hd-chat-log").getByText("how do I pay fees with CHB").waitFor();
    down = false;
    await failed.getByRole("button", { name: "Try again" }).click();
    await w(page, ".hd-queue").filter({ hasText: /number \d+ in the queue/ }).waitFor();
    assert.ok(refused >= 1, "refused");
    assert.equal(served, parts.people.length, "one fetch of each file after the retry");
    // The agent gets what the user told the bot before the failure.
    assert.equal(started.length, 1);
    assert.match(started[0], /how do I pay fees with CHB/);
    // Chromium logs the refused fetch; nothing else may go wrong.
    assert.deepEqual(
      problems.filter((p) => !/503|split_people|chunk_\d|WebAssembly|could not load live chat/.test(p)),
      [],
    );
    await context.close();
  });

  it("opening My tickets fetches it", async () => {
    const { page, context, requests } = await open();
    assert.deepEqual(requests.filter(isPeople), []);
    await w(page, "#hd-tab-tickets").click();
    await page.getByText("No tickets yet").waitFor();
    assert.equal(requests.filter(isPeople).length, parts.people.length);
    await context.close();
  });
});
