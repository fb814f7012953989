// The whole hand-over, as two people live it, against the real reference
// server: a user asks the widget's bot, types 转人工 and waits in the queue;
// an agent, in the console in another browser context, sees them waiting
// with what they told the bot, accepts, and they talk — text and an image
// each way. The user reloads and finds the conversation intact; the test
// cuts the widget's socket while the user sends two messages, and each
// arrives once. A wrong `userHash` is refused, and a visitor cannot read
// another visitor's conversation by guessing its id.
//
//   node --test tests/e2e/handover.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { backOnChat, launcher, panel, png, startAll, widgetReady } from "./harness.mjs";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

const w = (page, selector) => page.locator(`helpdock-widget ${selector}`);

/** Records console errors, page errors and failed requests on `page`. */
function watch(page) {
  const problems = [];
  // With where it came from: Chromium's "Failed to load resource" names no URL.
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()} (${msg.location().url})`));
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

/**
 * The user's tab. Its live socket goes through Playwright so the test can
 * cut it: while `net.down`, open sockets are closed and new ones refused,
 * as when the network drops under the page.
 */
async function openWidget(query) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  const page = await context.newPage();
  const problems = watch(page);
  const net = { down: false, live: new Set(), opened: 0 };
  await page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    if (net.down) return ws.close({ code: 4001, reason: "network down" });
    net.opened += 1;
    ws.connectToServer();
    net.live.add(ws);
  });
  net.cut = () => {
    net.down = true;
    for (const ws of net.live) ws.close({ code: 4001, reason: "network down" });
    net.live.clear();
  };
  net.restore = () => {
    net.down = false;
  };
  await page.goto(`${env.server.url}/${query}`);
  await openChatTab(page);
  return { context, page, problems, net };
}

async function openChatTab(page) {
  await widgetReady(page);
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await w(page, "#hd-tab-chat").click();
  await w(page, ".hd-categories").waitFor({ state: "attached" }); // the pack is loaded
}

async function say(page, selector, text) {
  await w(page, selector).fill(text);
  await w(page, selector).press("Enter");
}

/** The agent's tab: the console, signed in. */
async function openConsole() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${env.server.url}/console/`);
  await page.getByLabel("E-mail").fill(env.server.agent.email);
  await page.getByLabel("Password").fill(env.server.agent.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#connection[data-state=online]").waitFor();
  // Chromium logs the console's "am I signed in?" 401 before the sign-in.
  const expected = /status of 401 \(Unauthorized\) \(http:\/\/[^)]*\/console\/api\/me\)$/;
  return { context, page, problems, unexpected: () => problems.filter((p) => !expected.test(p)) };
}

const visitorRows = (page) => w(page, ".hd-live-log .hd-from-visitor");
const agentRows = (page) => w(page, ".hd-live-log .hd-from-agent");

describe("from the bot to a person and back, in two browsers", () => {
  let user;
  let agent;
  let id;
  const thread = () => agent.page.locator("#thread");

  before(async () => {
    agent = await openConsole();
    user = await openWidget("?lang=en");
  });
  after(async () => {
    await user?.context.close();
    await agent?.context.close();
  });

  it("the user asks the bot, types 转人工 and waits in the queue, where the agent sees what they asked", async () => {
    await say(user.page, "#hd-chat-input", "my deposit has not arrived");
    await w(user.page, ".hd-answer").waitFor();
    await say(user.page, "#hd-chat-input", "转人工");
    await w(user.page, ".hd-live-header").waitFor();
    await w(user.page, ".hd-queue").filter({ hasText: /number \d+ in the queue/ }).waitFor();
    id = await (
      await user.page.waitForFunction(() => JSON.parse(localStorage.getItem("helpdock:live") ?? "{}").conversation)
    ).jsonValue();

    // The console shows them waiting, previewing their last words to the bot.
    const item = agent.page.locator(`.queue-item[data-key="${id}"]`);
    await item.waitFor();
    assert.match(await item.textContent(), /my deposit has not arrived|转人工/);
    await item.getByRole("button", { name: /^Accept/ }).click();
    await agent.page.locator("#conv-sub", { hasText: "with you" }).waitFor();
    await agent.page.locator("#transcript .line-text", { hasText: /^my deposit has not arrived$/ }).waitFor();

    // The user sees who joined.
    const name = (await agent.page.locator("#me-name").textContent()).trim();
    await w(user.page, ".hd-agent-name").filter({ hasText: name }).waitFor();
    await w(user.page, ".hd-live-system").filter({ hasText: `${name} joined the conversation` }).waitFor();
  });

  it("they exchange messages and an image each way", async () => {
    const box = agent.page.getByLabel("Reply to the visitor");
    await box.fill("Hello! Which coin and network was it?");
    await box.press("Enter");
    await agentRows(user.page).filter({ hasText: "Hello! Which coin and network was it?" }).waitFor();

    await say(user.page, "#hd-live-input", "USDT on TRC20, 100 USDT.");
    await thread().locator(".msg-visitor .msg-body", { hasText: "USDT on TRC20, 100 USDT." }).waitFor();
    await visitorRows(user.page).filter({ hasText: "USDT on TRC20" }).locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();

    // The user's screenshot, by the picker.
    await w(user.page, ".hd-live-composer input[type=file]").setInputFiles({ name: "wallet.png", mimeType: "image/png", buffer: png() });
    await w(user.page, ".hd-staged-file").filter({ hasText: "wallet.png" }).waitFor();
    await user.page.waitForFunction(
      () => !document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-staged-file progress"),
    );
    await say(user.page, "#hd-live-input", "Here is my wallet");
    const theirs = thread().locator(".msg-visitor img.file-preview");
    await theirs.waitFor();
    assert.equal(await theirs.getAttribute("alt"), "wallet.png");
    await agent.page.waitForFunction(() =>
      [...document.querySelectorAll("#thread .msg-visitor img.file-preview")].every((i) => i.complete && i.naturalWidth === 4),
    );

    // The agent's image, by the console's picker.
    await agent.page.locator("#file-input").setInputFiles({ name: "where-to-look.png", mimeType: "image/png", buffer: png() });
    await agent.page.locator('.upload[data-state="done"]', { hasText: "where-to-look.png" }).waitFor();
    await agent.page.getByRole("button", { name: "Send", exact: true }).click();
    const mine = agentRows(user.page).locator(".hd-attachment-image img");
    await mine.waitFor();
    await user.page.waitForFunction(() =>
      [...document.querySelector("helpdock-widget").shadowRoot.querySelectorAll(".hd-from-agent .hd-attachment-image img")].some(
        (i) => i.complete && i.naturalWidth === 4,
      ),
    );
  });

  it("after a reload the user finds the whole conversation, once", async () => {
    const before = await w(user.page, ".hd-live-log .hd-live-msg").allInnerTexts();
    assert.ok(before.length >= 4, `messages before the reload: ${before.length}`);
    await user.page.reload();
    await widgetReady(user.page);
    await backOnChat(user.page); // left open on the conversation, so back open on it
    await agentRows(user.page).filter({ hasText: "Which coin and network" }).waitFor();
    await w(user.page, ".hd-link-banner[hidden]").waitFor({ state: "attached" }); // connected again
    await agentRows(user.page).locator(".hd-attachment-image img").waitFor();
    assert.deepEqual(await w(user.page, ".hd-live-log .hd-live-msg").allInnerTexts(), before);
  });

  it("the socket is cut while the user sends two messages; each reaches the agent once", async () => {
    const opened = user.net.opened;
    user.net.cut();
    await w(user.page, '.hd-link-banner:not([hidden])').waitFor();
    await say(user.page, "#hd-live-input", "first, while cut off");
    await say(user.page, "#hd-live-input", "second, while cut off");
    await visitorRows(user.page).filter({ hasText: "second, while cut off" }).locator('[data-delivery="sending"]').waitFor();
    const outbox = await user.page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).outbox.map((p) => p.body));
    assert.deepEqual(outbox, ["first, while cut off", "second, while cut off"], "kept in the outbox");
    await user.page.waitForTimeout(1000);
    assert.equal(await thread().locator(".msg-visitor", { hasText: "while cut off" }).count(), 0, "nothing got through");

    user.net.restore();
    // The widget reconnects by itself (backoff), resumes and sends its outbox.
    await thread().locator(".msg-visitor .msg-body", { hasText: "second, while cut off" }).waitFor({ timeout: 40_000 });
    assert.ok(user.net.opened > opened, "a new socket was opened");
    await visitorRows(user.page).filter({ hasText: "second, while cut off" }).locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();
    await user.page.waitForTimeout(1500); // a doubled send would show by now
    assert.deepEqual(
      await thread().locator(".msg-visitor .msg-body").filter({ hasText: "while cut off" }).allTextContents(),
      ["first, while cut off", "second, while cut off"],
      "the agent has each once, in order",
    );
    assert.equal(await visitorRows(user.page).filter({ hasText: "while cut off" }).count(), 2, "the user sees each once");
    assert.deepEqual(await user.page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).outbox), []);
    // And the store has each once.
    const stored = await agent.page.evaluate(
      (id) => fetch(`/console/api/conversations/${id}`).then((r) => r.json()),
      id,
    );
    assert.deepEqual(
      stored.detail.messages.filter((m) => m.body.includes("while cut off")).map((m) => m.body),
      ["first, while cut off", "second, while cut off"],
    );
  });

  it("no errors on either page", () => {
    assert.deepEqual(
      user.problems.filter((p) => !/WebSocket/.test(p)),
      [],
      "only the browser's own lines about the refused sockets while cut off",
    );
    assert.deepEqual(agent.unexpected(), []);
  });
});

describe("who may see what", () => {
  it("refuses a user whose userHash does not match, saying why", async () => {
    const { page, context } = await openWidget(`?lang=en&userId=42&userHash=${"0".repeat(64)}&name=Li%20Wei`);
    await say(page, "#hd-chat-input", "转人工");
    const alert = w(page, ".hd-live-problem");
    await alert.waitFor();
    assert.match(await alert.innerText(), /could not be verified, so live chat cannot start/);
    assert.equal(await w(page, ".hd-live-header").count(), 0, "no conversation started");
    await context.close();
  });

  it("a visitor cannot read another visitor's conversation by guessing its id", async () => {
    const first = await openWidget("?lang=en");
    await say(first.page, "#hd-chat-input", "转人工");
    await w(first.page, ".hd-live-header").waitFor();
    await say(first.page, "#hd-live-input", "my private message");
    await visitorRows(first.page).locator('[data-delivery="sent"]').waitFor();
    const theirs = await first.page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).conversation);

    // A second visitor, in another browser, knows (or guesses) the id.
    const second = await openWidget("?lang=en");
    // Opening My tickets starts their session (Help and the bot need none).
    await w(second.page, "#hd-tab-tickets").click();
    await second.page.waitForFunction(() => localStorage.getItem("helpdock:visitor"));
    const attempt = await second.page.evaluate(async (id) => {
      const { token } = JSON.parse(localStorage.getItem("helpdock:visitor"));
      const auth = { Authorization: `Bearer ${token}` };
      const read = await fetch(`/api/v1/conversations/${id}`, { headers: auth });
      const list = await fetch("/api/v1/conversations", { headers: auth }).then((r) => r.json());
      // Over the socket: asking to resume it replays nothing of it.
      const frames = await new Promise((resolve) => {
        const got = [];
        const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/v1/ws`);
        ws.onmessage = (e) => got.push(JSON.parse(e.data));
        ws.onopen = () => ws.send(JSON.stringify({ type: "hello", v: 1, token, resume: [{ conversation: id, afterSeq: 0 }] }));
        setTimeout(() => {
          ws.close();
          resolve(got);
        }, 1500);
      });
      return { status: read.status, body: await read.text(), list, frames };
    }, theirs);
    assert.equal(attempt.status, 404, attempt.body);
    assert.doesNotMatch(attempt.body, /my private message/);
    assert.ok(!attempt.list.some((c) => c.id === theirs), "not in the second visitor's list");
    assert.ok(attempt.frames.some((f) => f.type === "welcome"), JSON.stringify(attempt.frames));
    assert.ok(!JSON.stringify(attempt.frames).includes("my private message"), JSON.stringify(attempt.frames));
    await first.context.close();
    await second.context.close();
  });
});
