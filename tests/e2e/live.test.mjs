// Live chat in the widget, against the real reference server: the user asks
// the bot, types 转人工 and reaches a person in the same panel; the test plays
// the agent over the console API (login, socket, accept, send). Covered: the
// queue place, the agent joining, messages both ways with delivery states,
// typing and read receipts, an image, history after a reload, the network
// dropping while the user sends (each message arrives exactly once), a
// refused identity, a second tab, the unread badge and title, the secrets
// guard, attachment limits, and the rating and transcript at the end.
//
//   node --test tests/e2e/live.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`)

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";

import {
  axeViolations,
  backOnChat,
  launcher,
  openDemo,
  panel,
  signInAgent,
  startAll,
  startHelpdockServer,
  startSmtpSink,
  widgetReady,
} from "./harness.mjs";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

const w = (page, selector) => page.locator(`helpdock-widget ${selector}`);
const liveInput = (page) => w(page, "#hd-live-input");

/** The demo with the Chat tab open and the pack loaded. */
async function openChat(query = "?lang=en", context, colorScheme = "light") {
  let opened;
  if (context) {
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()}`));
    await page.goto(`${env.server.url}/${query}`);
    opened = { context, page, problems };
  } else {
    opened = await openDemo(env, { query, colorScheme });
  }
  const { page } = opened;
  await widgetReady(page);
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await w(page, "#hd-tab-chat").click();
  return opened;
}

async function say(page, selector, text) {
  await w(page, selector).fill(text);
  await w(page, selector).press("Enter");
}

/** Asks the bot, then 转人工: the live view replaces the bot. */
async function reachPerson(page, question = "my deposit has not arrived") {
  await w(page, ".hd-categories").waitFor({ state: "attached" }); // the pack is loaded
  await say(page, "#hd-chat-input", question);
  await w(page, ".hd-answer").waitFor();
  await say(page, "#hd-chat-input", "转人工");
  await w(page, ".hd-live-header").waitFor();
  const id = await page.waitForFunction(() => JSON.parse(localStorage.getItem("helpdock:live") ?? "{}").conversation);
  return id.jsonValue();
}

/** Polls `check` until it holds. */
async function until(check, what, ms = 15_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const visitorRows = (page) => w(page, ".hd-live-log .hd-from-visitor");
const agentRows = (page) => w(page, ".hd-live-log .hd-from-agent");

describe("live chat", () => {
  it("reaches a person in the panel: queue, agent, messages, an image, receipts, and the history after a reload", async () => {
    const agent = await signInAgent(env.server);
    const { page, context, problems } = await openChat();
    const id = await reachPerson(page);

    // Queued, with a place and a wait the server keeps up to date.
    await w(page, ".hd-queue").filter({ hasText: /number \d+ in the queue/ }).waitFor();
    // The agent has what the bot collected: the user does not repeat themselves.
    await agent.next((f) => f.type === "queue_changed" && f.waiting.some((c) => c.id === id), "the conversation in the queue");
    const detail = await agent.get(`/console/api/conversations/${id}`);
    assert.ok(
      detail.detail.transcript.some((l) => l.from === "user" && l.text === "my deposit has not arrived"),
      "the bot transcript reaches the agent",
    );

    await agent.accept(id);
    const name = agent.session.agent.name;
    await w(page, ".hd-agent-name").filter({ hasText: name }).waitFor();
    await w(page, ".hd-live-system").filter({ hasText: `${name} joined the conversation` }).waitFor();

    // The agent types, then writes.
    agent.send({ type: "typing", conversation: id, typing: true });
    await w(page, ".hd-typing").filter({ hasText: `${name} is typing…` }).waitFor();
    await agent.say(id, "Hello, I am looking at your deposit now.");
    await agentRows(page).filter({ hasText: "Hello, I am looking at your deposit now." }).waitFor();
    assert.equal(await w(page, ".hd-typing").innerText(), "", "a message ends the typing indicator");
    // An agent whose console goes away mid-word never says it stopped: the
    // indicator goes 8 s after the last "typing" (a typing console repeats it every 3 s).
    agent.send({ type: "typing", conversation: id, typing: true });
    const typingShown = Date.now();
    await w(page, ".hd-typing").filter({ hasText: `${name} is typing…` }).waitFor();
    await w(page, ".hd-typing").filter({ hasText: /typing/ }).waitFor({ state: "detached", timeout: 15_000 });
    assert.ok(Date.now() - typingShown >= 7_000, "shown until the repeat is overdue, not dropped at once");

    // The user answers (Shift+Enter makes a new line, Enter sends).
    await liveInput(page).fill("It was 100 USDT on TRC20.");
    await liveInput(page).press("Shift+Enter");
    await liveInput(page).pressSequentially("TxID below.");
    await liveInput(page).press("Enter");
    const sent = await agent.next(
      (f) => f.type === "message" && f.message.conversation === id && f.message.body.startsWith("It was 100 USDT"),
      "the user's message",
    );
    assert.equal(sent.message.body, "It was 100 USDT on TRC20.\nTxID below.");
    const row = visitorRows(page).filter({ hasText: "TxID below." });
    await row.locator('[data-delivery="sent"]').waitFor();
    assert.equal(await liveInput(page).inputValue(), "", "the composer is cleared");
    // The panel is open on the conversation: the agent gets a read receipt,
    // and the agent's own receipt turns the user's message to "Read".
    await agent.next((f) => f.type === "read" && f.conversation === id && f.by === "visitor", "the visitor's read receipt");
    agent.send({ type: "read", conversation: id, seq: sent.message.seq });
    await row.locator('[data-delivery="read"]').waitFor();

    // An image, by the picker: previewed, uploaded with progress, sent.
    await w(page, ".hd-live-composer input[type=file]").setInputFiles({ name: "deposit.png", mimeType: "image/png", buffer: PNG });
    await w(page, ".hd-staged-file").filter({ hasText: "deposit.png" }).waitFor();
    const preview = await w(page, ".hd-staged-file .hd-preview").getAttribute("src");
    assert.match(preview, /^blob:/);
    await page.waitForFunction(
      () => !document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-staged-file progress"),
    );
    await say(page, "#hd-live-input", "Here is the screenshot");
    const withImage = await agent.next(
      (f) => f.type === "message" && f.message.conversation === id && f.message.attachments?.length === 1,
      "the message with the image",
    );
    assert.equal(withImage.message.attachments[0].contentType, "image/png");
    assert.equal(withImage.message.attachments[0].name, "deposit.png");
    const img = visitorRows(page).locator(".hd-attachment-image img");
    await img.waitFor();
    await page.waitForFunction(
      () => document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-attachment-image img")?.naturalWidth === 1,
    );

    // Long enough to scroll, then a reload: the whole conversation is back,
    // once, at its latest message.
    for (let i = 1; i <= 10; i++) await agent.say(id, `Checking step ${i} of 10.`);
    await agentRows(page).filter({ hasText: "Checking step 10 of 10." }).waitFor();
    const before = await w(page, ".hd-live-log .hd-live-msg").count();
    await page.reload();
    await widgetReady(page);
    // The panel was open on the conversation: it comes back so, at its latest message.
    await backOnChat(page);
    const overflows = await w(page, ".hd-live-log").evaluate((log) => log.scrollHeight > log.clientHeight + 40);
    assert.ok(overflows, "the conversation is longer than the log, so its scroll position means something");
    await agentRows(page).filter({ hasText: "Hello, I am looking at your deposit now." }).waitFor();
    await w(page, ".hd-link-banner[hidden]").waitFor({ state: "attached" }); // connected again
    assert.equal(await w(page, ".hd-live-log .hd-live-msg").count(), before);
    assert.equal(await w(page, ".hd-live-system").filter({ hasText: "joined the conversation" }).count(), 1);

    assert.deepEqual(problems, []);
    agent.close();
    await context.close();
  });

  it("keeps messages typed while the network is down and sends each exactly once when it is back", async () => {
    const agent = await signInAgent(env.server);
    const { page, context } = await openChat();
    const id = await reachPerson(page);
    await agent.accept(id);
    await w(page, ".hd-agent-name").waitFor();
    await w(page, ".hd-link-banner[hidden]").waitFor({ state: "attached" });

    await context.setOffline(true);
    await w(page, '.hd-link-banner[data-link="offline"]').waitFor();
    await say(page, "#hd-live-input", "first while offline");
    await say(page, "#hd-live-input", "second while offline");
    await visitorRows(page).filter({ hasText: "second while offline" }).locator('[data-delivery="sending"]').waitFor();
    // Kept in localStorage: a reload would not lose them.
    const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).outbox.map((p) => p.body));
    assert.deepEqual(outbox, ["first while offline", "second while offline"]);
    await page.waitForTimeout(800);
    assert.equal(agent.visitorMessages(id).length, 0, "nothing leaves while offline");

    await context.setOffline(false);
    await agent.next((f) => f.type === "message" && f.message.body === "second while offline", "the second message");
    await visitorRows(page).filter({ hasText: "second while offline" }).locator('[data-delivery="sent"]').waitFor();
    // Give a doubled send every chance to show up.
    await page.waitForTimeout(1500);
    const bodies = agent.visitorMessages(id).map((f) => f.message.body);
    assert.deepEqual(bodies, ["first while offline", "second while offline"], "each arrives once, in order");
    const detail = await agent.get(`/console/api/conversations/${id}`);
    assert.deepEqual(
      detail.detail.messages.filter((m) => m.author.kind === "visitor").map((m) => m.body),
      ["first while offline", "second while offline"],
      "stored once each",
    );
    assert.equal(await visitorRows(page).count(), 2, "shown once each");
    assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).outbox), []);

    // The socket dies without the browser noticing (a proxy, a server
    // restart): the widget reconnects by itself, with backoff, and resumes.
    let routed = 0;
    await page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
      routed += 1;
      const server = ws.connectToServer();
      if (routed === 1) setTimeout(() => server.close(), 300);
    });
    // Force a new connection through the route: offline and back.
    await context.setOffline(true);
    await w(page, '.hd-link-banner[data-link="offline"]').waitFor();
    await context.setOffline(false);
    await until(() => routed >= 2, "a reconnection after the server closed the socket");
    await w(page, ".hd-link-banner[hidden]").waitFor({ state: "attached" });
    await agent.say(id, "Did you get both?");
    await agentRows(page).filter({ hasText: "Did you get both?" }).waitFor();
    assert.equal(await agentRows(page).filter({ hasText: "Did you get both?" }).count(), 1);

    agent.close();
    await context.close();
  });

  it("shows the same conversation in a second tab, without duplicates", async () => {
    const agent = await signInAgent(env.server);
    const first = await openChat();
    const id = await reachPerson(first.page);
    await agent.accept(id);
    const second = await openChat("?lang=en", first.context);
    await w(second.page, ".hd-live-header").waitFor();
    await say(first.page, "#hd-live-input", "sent from the first tab");
    await visitorRows(second.page).filter({ hasText: "sent from the first tab" }).waitFor();
    await say(second.page, "#hd-live-input", "sent from the second tab");
    await visitorRows(first.page).filter({ hasText: "sent from the second tab" }).waitFor();
    await agent.say(id, "I see both tabs' messages.");
    for (const { page } of [first, second]) {
      await agentRows(page).filter({ hasText: "I see both tabs' messages." }).waitFor();
      await page.waitForTimeout(500);
      assert.equal(await visitorRows(page).count(), 2);
      assert.equal(await agentRows(page).count(), 1);
    }
    await second.page.waitForTimeout(500);
    assert.deepEqual(
      agent.visitorMessages(id).map((f) => f.message.body),
      ["sent from the first tab", "sent from the second tab"],
    );
    agent.close();
    await first.context.close();
  });

  it("counts unread messages on the launcher and in the title while the panel is closed", async () => {
    const agent = await signInAgent(env.server);
    const { page, context } = await openChat();
    const id = await reachPerson(page);
    await agent.accept(id);
    await w(page, ".hd-agent-name").waitFor();
    const title = await page.title();
    await w(page, ".hd-panel .hd-icon-button").first().click(); // close
    await panel(page).waitFor({ state: "hidden" });
    const events = page.evaluate(
      () => new Promise((resolve) => window.helpdock.on("unread-count", (n) => n === 2 && resolve(n))),
    );
    await agent.say(id, "One more thing:");
    await agent.say(id, "please check your spam folder.");
    assert.equal(await events, 2);
    await w(page, ".hd-launcher .hd-badge:not([hidden])").filter({ hasText: "2" }).waitFor();
    assert.match(await launcher(page).getAttribute("aria-label"), /2 unread messages/);
    assert.equal(await page.title(), `(2) ${title}`);
    await launcher(page).click();
    await w(page, ".hd-launcher .hd-badge[hidden]").waitFor({ state: "attached" });
    await page.waitForFunction((t) => document.title === t, title);
    agent.close();
    await context.close();
  });

  it("stops a secret and checks files before they leave the page", async () => {
    const agent = await signInAgent(env.server);
    const { page, context } = await openChat();
    const id = await reachPerson(page);
    await say(page, "#hd-live-input", "my 2FA code is 123456");
    await w(page, ".hd-live .hd-blocked").waitFor();
    assert.equal(await liveInput(page).inputValue(), "my 2FA code is 123456", "kept for editing");
    assert.equal(await visitorRows(page).count(), 0);
    assert.ok(!(await page.evaluate(() => JSON.stringify(localStorage))).includes("123456"), "not stored");

    const files = w(page, ".hd-live-composer input[type=file]");
    await files.setInputFiles({ name: "statement.png", mimeType: "image/png", buffer: Buffer.alloc(11 * 1024 * 1024, 1) });
    await w(page, ".hd-staged-file.hd-failed").filter({ hasText: "“statement.png” is 11 MB, over the 10 MB limit" }).waitFor();
    await files.setInputFiles({ name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
    await w(page, ".hd-staged-file.hd-failed").filter({ hasText: "“setup.exe” is not a type we accept" }).waitFor();
    // A file disguised by its name is refused by the server, and the
    // widget says so.
    await files.setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("<html><script>x</script></html>") });
    await w(page, ".hd-staged-file.hd-failed").filter({ hasText: "“photo.png” could not be uploaded" }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(agent.visitorMessages(id).length, 0, "nothing was sent");
    agent.close();
    await context.close();
  });

  it("after an outage: Reconnecting… with Retry now, back within 2 s of the server, My tickets in one error state", async () => {
    // A server of its own, taken down and brought back on the same port and database.
    const shared = env.server;
    env.server = await startHelpdockServer();
    try {
      const { page, context } = await openChat();
      await reachPerson(page);
      const banner = w(page, ".hd-link-banner");
      await env.server.stop();
      await w(page, '.hd-link-banner[data-link="retrying"]').waitFor();
      assert.match(await banner.innerText(), /Reconnecting/);
      const retryNow = w(page, '[data-hd="retry-now"]');
      await retryNow.waitFor();
      await retryNow.click(); // the server is still down: it keeps trying
      await w(page, '.hd-link-banner[data-link="retrying"]').waitFor();

      // My tickets cannot load: it says so once, with a retry, and no
      // "No tickets yet" beside it.
      await w(page, "#hd-tab-tickets").click();
      await w(page, ".hd-load-error").waitFor();
      assert.equal(await w(page, ".hd-tickets .hd-empty").isVisible(), false, "no empty state beside the error");

      // Long enough for a plain exponential backoff (0.5, 1, 2, 4, 8 s…) to
      // be in an 8 s wait when the server comes back.
      await page.waitForTimeout(9000);
      await env.server.restart();
      const back = Date.now();
      await page.waitForFunction(
        () => document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-link-banner")?.dataset.link === "open",
        null,
        { timeout: 10_000 },
      );
      const took = Date.now() - back;
      assert.ok(took < 2000, `reconnected ${took} ms after the server was back`);
      // My tickets catches up by itself: the error gives way to the list.
      await w(page, ".hd-tickets .hd-empty").waitFor();
      assert.equal(await w(page, ".hd-load-error").isVisible(), false);
      // The conversation carries on.
      await w(page, "#hd-tab-chat").click();
      await say(page, "#hd-live-input", "still there?");
      await visitorRows(page).locator('[data-delivery="sent"]').waitFor();
      await context.close();
    } finally {
      await env.server.close();
      env.server = shared;
    }
  });

  for (const colorScheme of ["light", "dark"]) {
    it(`speaks Chinese and passes axe-core, during the chat and at the end (${colorScheme})`, async () => {
      const agent = await signInAgent(env.server);
      const { page, context, problems } = await openChat("?lang=zh-CN", undefined, colorScheme);
      const id = await reachPerson(page, "充值没到账");
      await w(page, ".hd-queue").filter({ hasText: /您在队列中排第 \d+ 位/ }).waitFor();
      await agent.accept(id);
      await agent.say(id, "您好，我来帮您查一下充值。");
      await agentRows(page).filter({ hasText: "您好，我来帮您查一下充值。" }).waitFor();
      // The server's system line (stored before the agent's message) is
      // worded in Chinese from its code, not shown in its English body.
      assert.equal(await w(page, ".hd-live-system").filter({ hasText: /已加入对话/ }).count(), 1);
      assert.equal(await w(page, ".hd-live-system").filter({ hasText: /joined|conversation/ }).count(), 0);
      await say(page, "#hd-live-input", "谢谢");
      await visitorRows(page).locator('[data-delivery="sent"]').filter({ hasText: "已发送" }).waitFor();
      // (axe-core itself applies inline styles, which the CSP reports: check first.)
      assert.deepEqual(problems, []);
      assert.deepEqual(await axeViolations(page), [], "during the chat");
      await w(page, ".hd-end").click();
      await w(page, ".hd-rating legend").filter({ hasText: "请为本次服务评分" }).waitFor();
      await w(page, ".hd-live-system").filter({ hasText: "您结束了对话。" }).waitFor();
      assert.deepEqual(await axeViolations(page), [], "at the end");
      agent.close();
      await context.close();
    });
  }

  it("refuses a wrong userHash with a clear message, and identifies a right one", async () => {
    const wrong = "0".repeat(64);
    const refused = await openChat(`?lang=en&userId=42&userHash=${wrong}&name=Li%20Wei`);
    await w(refused.page, ".hd-categories").waitFor({ state: "attached" });
    await say(refused.page, "#hd-chat-input", "转人工");
    const alert = w(refused.page, ".hd-live-problem");
    await alert.waitFor();
    assert.match(await alert.innerText(), /could not be verified, so live chat cannot start/);
    await refused.context.close();

    const agent = await signInAgent(env.server);
    const hash = createHmac("sha256", env.server.hostSecret).update("42").digest("hex");
    const { page, context } = await openChat(`?lang=en&userId=42&userHash=${hash}&name=Li%20Wei&email=li%40example.com`);
    const id = await reachPerson(page);
    const detail = await agent.get(`/console/api/conversations/${id}`);
    assert.equal(detail.visitor.identified, true);
    assert.equal(detail.visitor.userId, "42");

    // At the end: the rating, and the transcript to the known address.
    await agent.accept(id);
    agent.send({ type: "close", conversation: id });
    await w(page, ".hd-rating").waitFor();
    await w(page, ".hd-star").nth(4).click();
    await w(page, "#hd-rating-comment").fill("quick and kind");
    await w(page, ".hd-rating .hd-send").click();
    await w(page, ".hd-thanks").filter({ hasText: "Thank you for your rating." }).waitFor();
    const summary = (await agent.get(`/console/api/conversations/${id}`)).detail.summary;
    assert.deepEqual(summary.rating, { score: 5, comment: "quick and kind" });
    // This server has no SMTP relay: the session says so, and the widget
    // offers no e-mail it cannot send.
    assert.equal(await w(page, ".hd-transcript").isVisible(), false, "no transcript e-mail without SMTP");
    agent.close();
    await context.close();
  });

  it("e-mails the transcript when the server can send mail, to the address the host vouched for (userHash over userId, name and e-mail)", async () => {
    const shared = env.server;
    const smtp = await startSmtpSink();
    env.server = await startHelpdockServer({
      env: {
        HELPDOCK_SMTP_HOST: "127.0.0.1",
        HELPDOCK_SMTP_PORT: String(smtp.port),
        HELPDOCK_SMTP_FROM: "Helpdock <support@example.com>",
        HELPDOCK_SMTP_TLS: "none",
      },
    });
    try {
      const agent = await signInAgent(env.server);
      // The host signs the user's id, name and e-mail, one a line.
      const hash = createHmac("sha256", env.server.hostSecret).update("43\nAna\nana@example.com").digest("hex");
      const { page, context } = await openChat(`?lang=en&userId=43&userHash=${hash}&name=Ana&email=ana%40example.com`);
      const id = await reachPerson(page);
      await agent.accept(id);
      agent.send({ type: "close", conversation: id });
      const form = w(page, ".hd-transcript");
      await form.waitFor();
      assert.equal(await w(page, "#hd-transcript-email").inputValue(), "ana@example.com");
      await form.locator(".hd-send").click();
      await w(page, ".hd-after").filter({ hasText: "ana@example.com" }).waitFor();
      const [mail] = await smtp.waitFor("Subject: Your support conversation");
      assert.match(mail, /^To: .*ana@example\.com/m);
      agent.close();
      await context.close();
    } finally {
      await env.server.close();
      await smtp.close();
      env.server = shared;
    }
  });
});
