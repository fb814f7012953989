// The bot in the Chat area, in a real browser, as a user uses it: ask →
// answer → not helpful → the guided form (validated as you type) → channels
// → hand-over with the transcript and fields (a ticket: the hand-over note);
// "转人工" (the demo has a backend, so live chat opens in the panel); candidates then a
// second unhelpful answer; an urgent problem; a maintenance notice; a
// secret stopped before it goes anywhere; the conversation after a reload.
//
//   node --test tests/e2e/chat.test.mjs      (after `scripts/build.sh`)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { launcher, openDemo, panel, startAll, widgetReady } from "./harness.mjs";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

/** The demo with the Chat tab open and the pack loaded; escalations recorded. */
async function chat({ query = "?lang=en", clock } = {}) {
  const opened = await openDemo(env, { query, clock });
  const { page } = opened;
  await widgetReady(page);
  await page.evaluate(() => {
    window.escalations = [];
    window.helpdock.on("escalated", (d) => window.escalations.push(d));
  });
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await page.locator("helpdock-widget .hd-categories").waitFor(); // the pack is loaded
  await page.locator("helpdock-widget #hd-tab-chat").click();
  return opened;
}

const input = (page) => page.locator("helpdock-widget #hd-chat-input");
const log = (page) => page.locator("helpdock-widget .hd-chat-log");
const lastBot = (page) => page.locator("helpdock-widget .hd-turn-bot").last();

async function say(page, text) {
  await input(page).fill(text);
  await input(page).press("Enter");
}

describe("bot", () => {
  it("answers, then collects what an agent needs and hands over with it", async () => {
    const { page, context, problems } = await chat({ clock: "2026-11-24T10:00:00Z" });
    await say(page, "my deposit has not arrived");
    await log(page).locator('.hd-answer[data-article="deposit-not-arrived"]').waitFor();
    assert.equal(await input(page).inputValue(), "", "the composer is cleared after sending");
    await log(page).getByRole("button", { name: "No", exact: true }).click();
    await log(page).getByText("Before we go on, please check:").waitFor();
    await log(page).getByText("Step 1 of 6").waitFor();
    await say(page, "USDT");
    await log(page).getByText("Step 2 of 6").waitFor();
    await say(page, "TRC20");
    await say(page, "100 USDT");
    await log(page).getByText("Step 4 of 6").waitFor();
    // A malformed TxID is refused with a reason, and the bot asks again.
    await input(page).fill("0x12zz");
    await page.locator("helpdock-widget #hd-chat-input-error").filter({ hasText: /\S/ }).waitFor();
    assert.equal(await input(page).getAttribute("aria-invalid"), "true");
    await input(page).press("Enter");
    await lastBot(page).locator(".hd-field-error").waitFor();
    await say(page, "a".repeat(64));
    await log(page).getByText("Step 5 of 6").waitFor();
    await say(page, "yesterday 10:00");
    await say(page, "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE");
    await log(page).getByText("What we will pass on:").waitFor();
    const summary = await log(page).locator(".hd-summary").innerText();
    assert.match(summary, /USDT/);
    assert.match(summary, /a{64}/);
    await log(page).getByRole("button", { name: /^Submit a ticket/ }).click();
    // With a backend, the ticket form opens, prefilled (tests/e2e/tickets-widget.test.mjs).
    await log(page).locator(".hd-handover").waitFor({ state: "attached" });
    await page.locator("helpdock-widget .hd-ticket-form").waitFor();
    const [escalation] = await page.evaluate(() => window.escalations);
    assert.equal(escalation.reason, "flow_complete");
    assert.equal(escalation.channel, "ticket");
    assert.equal(escalation.topic, "deposit-not-arrived");
    assert.deepEqual(escalation.fields.map((f) => f.id), ["coin", "network", "amount", "txid", "time", "address"]);
    assert.ok(escalation.transcript.some((l) => l.from === "user" && l.text === "my deposit has not arrived"));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("answers a question asked during the form and goes on where it was; a refused value stays in the box", async () => {
    const { page, context, problems } = await chat({ clock: "2026-11-24T10:00:00Z" });
    await say(page, "my deposit has not arrived");
    await log(page).locator('.hd-answer[data-article="deposit-not-arrived"]').waitFor();
    await log(page).getByRole("button", { name: "No", exact: true }).click();
    await log(page).getByText("Step 1 of 6").waitFor();
    await say(page, "USDT");
    await log(page).getByText("Step 2 of 6").waitFor();
    // A question instead of the network: answered, then the network again.
    const answers = await log(page).locator(".hd-answer").count();
    await say(page, "how long does a withdrawal take?");
    await page.waitForFunction(
      (n) => document.querySelector("helpdock-widget").shadowRoot.querySelectorAll(".hd-chat-log .hd-answer").length > n,
      answers,
    );
    assert.equal(await input(page).inputValue(), "", "an answered question leaves the box");
    assert.equal(await log(page).getByText("Step 2 of 6").count(), 2, "the same step is asked again");
    await say(page, "TRC20");
    await log(page).getByText("Step 3 of 6").waitFor();
    // A refused value is explained and stays in the box to correct.
    await say(page, "the blue one");
    await lastBot(page).locator(".hd-field-error").waitFor();
    assert.equal(await input(page).inputValue(), "the blue one");
    await say(page, "100 USDT");
    await log(page).getByText("Step 4 of 6").waitFor();
    assert.equal(await input(page).inputValue(), "");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("hands over at once on 转人工, in Chinese, with what was said", async () => {
    const { page, context } = await chat({ query: "?lang=zh-CN" });
    await say(page, "充值没到账");
    await log(page).locator(".hd-answer").waitFor();
    await say(page, "转 人 工！");
    // The demo has a backend: the hand-over connects to live chat in the panel.
    await page.locator("helpdock-widget .hd-live-header").waitFor();
    const [escalation] = await page.evaluate(() => window.escalations);
    assert.equal(escalation.reason, "asked_for_person");
    assert.equal(escalation.transcript[0].text, "充值没到账");
    await context.close();
  });

  it("replies to small talk, and says it does not know an off-topic question instead of answering with an article", async () => {
    for (const [lang, turns] of [
      [
        "en",
        [
          ["Hi!", "Hello! What can I help you with?"],
          ["tell me a joke", "I couldn't find an answer to that in the help centre."],
          ["what's the weather like tomorrow", "I couldn't find an answer to that in the help centre."],
          ["thanks", "You're welcome!"],
        ],
      ],
      [
        "zh-CN",
        [
          ["你好", "你好！有什么可以帮你？"],
          ["讲个笑话", "抱歉，帮助中心里没有找到这个问题的答案。"],
          ["你是机器人吗？", "我是帮助机器人"],
          ["谢谢", "不客气！"],
        ],
      ],
    ]) {
      const { page, context, problems } = await chat({ query: `?lang=${lang}` });
      const seen = new Map();
      for (const [text, reply] of turns) {
        await say(page, text);
        seen.set(reply, (seen.get(reply) ?? 0) + 1);
        await log(page).locator(".hd-turn-bot", { hasText: reply }).nth(seen.get(reply) - 1).waitFor();
        // Never an article for these.
        assert.equal(await log(page).locator(".hd-answer").count(), 0, `${lang}: ${text}`);
      }
      // Not knowing offers people; small talk does not.
      assert.ok((await log(page).locator(".hd-channels").count()) >= 1, `${lang}: channels offered`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });

  it("offers the other candidates after an unhelpful answer, then escalates after a second", async () => {
    const { page, context } = await chat();
    await say(page, "how do I pay fees with CHB");
    await log(page).locator('.hd-answer[data-article="fee-discount-token"]').waitFor();
    await log(page).getByRole("button", { name: "No", exact: true }).click();
    await log(page).getByText("Which of these do you mean?").waitFor();
    await log(page).getByRole("button", { name: "How are trading fees calculated?" }).click();
    await log(page).locator('.hd-answer[data-article="trading-fees"]').waitFor();
    await log(page).getByRole("button", { name: "No", exact: true }).last().click();
    await page.locator("helpdock-widget .hd-live-header").waitFor(); // live chat, with a backend
    assert.equal((await page.evaluate(() => window.escalations))[0].reason, "two_unhelpful");
    await context.close();
  });

  it("puts protective steps and live chat first for an urgent problem", async () => {
    const { page, context } = await chat();
    await say(page, "my account was hacked, someone withdrew my BTC");
    const steps = log(page).locator(".hd-self-help.hd-urgent");
    await steps.waitFor();
    assert.match(await steps.innerText(), /Freeze your account/);
    const firstChannel = log(page).locator(".hd-channels .hd-chip").first();
    assert.match(await firstChannel.innerText(), /^Live chat/);
    await context.close();
  });

  it("mentions the maintenance notice that covers the problem first", async () => {
    const { page, context } = await chat({ clock: "2026-12-02T03:00:00Z" });
    await say(page, "BTC withdrawal pending");
    const notice = log(page).locator('.hd-announcement[data-id="btc-withdrawal-maintenance"]');
    await notice.waitFor();
    const order = await log(page).locator(".hd-announcement, .hd-answer").evaluateAll((els) => els.map((e) => e.className));
    assert.match(order[0], /hd-announcement/);
    await context.close();
  });

  it("stops a 2FA code before it leaves the page, keeps it for editing, and keeps it out of storage", async () => {
    const { page, context } = await chat();
    await say(page, "my 2FA code is 123456");
    const blocked = page.locator("helpdock-widget .hd-blocked");
    await blocked.waitFor();
    assert.match(await blocked.innerText(), /support never asks|never ask/i);
    assert.equal(await input(page).inputValue(), "my 2FA code is 123456", "the text stays for editing");
    assert.equal(await log(page).locator(".hd-turn").count(), 0, "nothing was added to the conversation");
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    assert.ok(!stored.includes("123456"), "the code is not stored");
    // A TxID-like hex string is not a secret.
    await say(page, `txid ${"b".repeat(64)} not credited`);
    await log(page).locator(".hd-turn-user").waitFor();
    assert.equal(await blocked.count(), 0);
    await context.close();
  });

  it("warns when a message points outside the official domains, and still sends it", async () => {
    const { page, context } = await chat();
    await say(page, "support told me to verify at https://coinharbor-verify.example.net/login");
    const warning = page.locator("helpdock-widget .hd-warning");
    await warning.waitFor();
    assert.equal(await warning.getAttribute("role"), "alert");
    await log(page).locator(".hd-turn-user", { hasText: "coinharbor-verify" }).waitFor();
    // A link to the page's own site is not flagged.
    const before = await warning.count();
    const own = await page.evaluate(() => location.origin);
    await say(page, `is ${own}/help the right site`);
    await log(page).locator(".hd-turn-user", { hasText: "the right site" }).waitFor();
    assert.equal(await warning.count(), before);
    await context.close();
  });

  it("keeps the conversation across a reload", async () => {
    const { page, context } = await chat();
    await say(page, "how do I turn on 2FA");
    await log(page).locator(".hd-answer").waitFor();
    // Feedback and a second question are kept as well: the log after the
    // reload reads exactly as before it.
    const turns = await log(page).locator(".hd-turn").count();
    await log(page).getByRole("button", { name: /^Yes/ }).first().click();
    await page.waitForFunction(
      (n) => document.querySelector("helpdock-widget").shadowRoot.querySelectorAll(".hd-chat-log .hd-turn").length > n,
      turns,
    );
    await say(page, "my deposit has not arrived");
    await log(page).locator(".hd-turn-user", { hasText: "my deposit has not arrived" }).waitFor();
    await page.waitForTimeout(300);
    const before = await log(page).innerText();
    await page.reload();
    await widgetReady(page);
    await launcher(page).click();
    await page.locator("helpdock-widget #hd-tab-chat").click();
    await log(page).locator(".hd-turn-user", { hasText: "how do I turn on 2FA" }).waitFor();
    await log(page).locator(".hd-answer").first().waitFor();
    await log(page).locator(".hd-turn-user", { hasText: "my deposit has not arrived" }).waitFor();
    assert.equal(await log(page).innerText(), before);
    await context.close();
  });
});
