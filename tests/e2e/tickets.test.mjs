// Tickets from both ends, against the real reference server with a real
// SMTP sink on loopback: a ticket with two attachments, written from the
// bot's deposit-not-arrived flow in the widget, appears live in the agent
// console's Tickets tab with the TxID and coin already filled in; the agent
// replies, and the widget shows the reply live while the e-mail reaches the
// sink; an internal note reaches neither the widget nor the mail; the user
// answers the e-mail from their mail program (a real SMTP conversation with
// the server's receiver) and that reply lands in both threads, a reply from
// another address is refused; the user replies in the widget and closes the
// ticket, and the console sees both live. The console's ticket state
// (model.js) is tested natively first.
//
// Out of hours (a ticket offered instead of chat) is covered by
// tickets-widget.test.mjs, and so are the form's validation and drafts.
//
//   node --test --test-concurrency=1 tests/e2e/tickets.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`;
//   needs python3-aiosmtpd)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { TicketDesk, formatAge, ticketMatches } from "../../crates/helpdock-server/console/model.js";
import {
  axeViolations,
  launchChromium,
  launcher,
  openDemo,
  panel,
  png,
  sendMail,
  startHelpdockServer,
  startSmtpSink,
  widgetReady,
} from "./harness.mjs";

// ---------------------------------------------------------------------------
// The console's ticket state, natively
// ---------------------------------------------------------------------------

describe("console ticket desk", () => {
  const me = { id: "ag_1", name: "Mei", role: "agent" };
  const summary = (id, extra = {}) => ({
    id,
    number: `HD-00000${id.slice(-1)}`,
    title: id,
    category: "deposit-not-arrived",
    urgency: "normal",
    status: "open",
    createdAt: 1000,
    updatedAt: 1000,
    lastSeq: 0,
    ...extra,
  });
  const reply = (ticket, seq, extra = {}) => ({ ticket, seq, author: { kind: "visitor" }, body: `r${seq}`, at: 1000 + seq, ...extra });

  it("orders most urgent first, then oldest, and filters as the server does", () => {
    const desk = new TicketDesk(me);
    desk.setList([
      summary("t1", { createdAt: 1 }),
      summary("t2", { urgency: "urgent", createdAt: 5, agent: { id: "ag_2", name: "Ken" } }),
      summary("t3", { createdAt: 0, agent: { id: "ag_1", name: "Mei" }, status: "pending_user" }),
    ]);
    assert.deepEqual(desk.list().map((t) => t.id), ["t2", "t3", "t1"]);
    desk.filters.assignee = "me";
    assert.deepEqual(desk.list().map((t) => t.id), ["t3"]);
    desk.filters.assignee = "none";
    assert.deepEqual(desk.list().map((t) => t.id), ["t1"]);
    desk.filters.assignee = "ag_2";
    assert.deepEqual(desk.list().map((t) => t.id), ["t2"]);
    assert.equal(ticketMatches(summary("x", { status: "closed" }), { status: "open" }, "ag_1"), false);
    assert.equal(ticketMatches(summary("x", { category: "other" }), { category: "other", urgency: "normal" }, "ag_1"), true);
  });

  it("merges the list, the detail and frames in any order, never going back or doubling", () => {
    const desk = new TicketDesk(me);
    desk.upsert(summary("t1", { status: "pending_user", updatedAt: 2000, lastSeq: 2 }));
    assert.equal(desk.upsert(summary("t1", { status: "open", updatedAt: 1000 })), false, "a known ticket is not new");
    assert.equal(desk.tickets.get("t1").summary.status, "pending_user", "an older summary does not win");
    desk.applyDetail({ detail: { summary: summary("t1", { status: "pending_user", updatedAt: 2000, lastSeq: 2 }), description: "d", replies: [reply("t1", 1), reply("t1", 2)] }, visitor: { id: "v1", identified: false } });
    assert.equal(desk.addReply(reply("t1", 2)), false, "a replayed entry is not new");
    assert.equal(desk.addReply(reply("t1", 3, { status: "closed", body: "" })), true);
    const t = desk.tickets.get("t1");
    assert.deepEqual(t.thread().map((r) => r.seq), [1, 2, 3]);
    assert.equal(t.summary.status, "closed", "a status entry moves the summary");
    assert.equal(t.summary.lastSeq, 3);
    assert.equal(t.detail.replies, undefined, "the thread lives in one place");
  });

  it("says a ticket's age in the largest unit", () => {
    assert.deepEqual([0, 61_000, 3 * 3_600_000 + 5, 50 * 3_600_000].map(formatAge), ["just now", "1 min", "3 h", "2 d"]);
  });
});

// ---------------------------------------------------------------------------
// Widget, console and mail together
// ---------------------------------------------------------------------------

const TXID = "b".repeat(64);
const REPLY = "We found your deposit of 250 USDT; it is being credited now.";
const NOTE = "Internal: ledger team confirmed, block 58123456.";
const SECOND_REPLY = "It is credited. Anything else?";
const USER_REPLY = "Yes, I see it now. Thank you!";
const EMAIL_REPLY = "Thanks, I will check my balance in an hour.";

const w = (page, selector) => page.locator(`helpdock-widget ${selector}`);

/** Records console errors, page errors and failed requests of a page. */
function watch(page) {
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()} (${msg.location()?.url ?? ""})`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  return problems;
}

describe("a ticket from the deposit flow, answered in the console", () => {
  let smtp;
  let server;
  let browser;
  const contexts = [];

  let inboundPort;

  before(async () => {
    smtp = await startSmtpSink();
    server = await startHelpdockServer({
      env: {
        HELPDOCK_INBOUND_MAIL_LISTEN: "127.0.0.1:0",
        HELPDOCK_INBOUND_MAIL_ADDRESS: "support+{token}@support.example.com",
        HELPDOCK_SMTP_HOST: "127.0.0.1",
        HELPDOCK_SMTP_PORT: String(smtp.port),
        HELPDOCK_SMTP_FROM: "Helpdock <support@example.com>",
        HELPDOCK_SMTP_TLS: "none",
      },
    });
    inboundPort = server.mailPort;
    assert.ok(inboundPort, "the server says where it accepts replies by e-mail");
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it("goes from the widget to the console and back, live, with the e-mail", async () => {
    // The agent is at work, on the Tickets tab, before the ticket exists.
    const agentContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "en-GB" });
    contexts.push(agentContext);
    const agent = await agentContext.newPage();
    const agentProblems = watch(agent);
    await agent.goto(`${server.url}/console/`);
    await agent.getByLabel("E-mail").fill(server.agent.email);
    await agent.getByLabel("Password").fill(server.agent.password);
    await agent.getByRole("button", { name: "Sign in" }).click();
    await agent.getByText("Online", { exact: true }).waitFor();
    // Signed out, the console's first question (/me) is answered 401, which Chromium logs.
    const signedOut = /401 \(Unauthorized\) \(http:\/\/[^)]+\/console\/api\/me\)$/;
    agentProblems.splice(0, agentProblems.length, ...agentProblems.filter((p) => !signedOut.test(p)));
    await agent.getByRole("tab", { name: /^Tickets/ }).click();
    const ticketList = agent.getByRole("list", { name: "Tickets" });
    await agent.getByText("No ticket matches these filters.").waitFor();

    // The user: the bot's deposit flow, then the form it prefilled, with two files.
    const { page: user, context: userContext, problems: userProblems } = await openDemo({ server, browser }, { query: "?lang=en" });
    contexts.push(userContext);
    await widgetReady(user);
    await launcher(user).click();
    await panel(user).waitFor({ state: "visible" });
    await w(user, ".hd-categories").waitFor({ state: "attached" }); // the pack is loaded
    await w(user, "#hd-tab-chat").click();
    const say = async (text) => {
      await w(user, "#hd-chat-input").fill(text);
      await w(user, "#hd-chat-input").press("Enter");
    };
    const log = w(user, ".hd-chat-log");
    await say("my deposit has not arrived");
    await w(user, '.hd-answer[data-article="deposit-not-arrived"]').waitFor();
    await log.getByRole("button", { name: "No", exact: true }).click();
    await log.getByText("Step 1 of 6").waitFor();
    await say("USDT");
    await say("TRC20");
    await say("250");
    await log.getByText("Step 4 of 6").waitFor();
    await say(TXID);
    await say("yesterday 10:00");
    await say("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE");
    await log.getByRole("button", { name: /^Submit a ticket/ }).click();
    await w(user, ".hd-ticket-form").waitFor();
    await w(user, '[data-hd="ticket-files"]').setInputFiles([
      { name: "receipt.png", mimeType: "image/png", buffer: png() },
      { name: "explorer.txt", mimeType: "text/plain", buffer: Buffer.from(`TxID ${TXID}\nConfirmations: 40/20\n`) },
    ]);
    for (const name of ["receipt.png", "explorer.txt"]) await w(user, ".hd-ticket-form .hd-staged-file").filter({ hasText: name }).waitFor();
    // Both uploaded (the draft holds an attachment only once the server has it).
    await user.waitForFunction(() => (JSON.parse(localStorage.getItem("helpdock:ticket-draft") ?? "{}").attachments ?? []).length === 2);
    await w(user, "#hd-tk-email").fill("li@example.com");
    await w(user, '[data-hd="submit-ticket"]').click();
    const created = w(user, '[data-hd="ticket-created"]');
    await created.waitFor();
    const number = await created.getAttribute("data-number");
    assert.match(number, /^HD-\d{6}$/);
    // The address was typed, not vouched for by the host: its owner is asked
    // to confirm it, in the server's words only, and confirms from the mail.
    const [request] = await smtp.waitFor("Subject: Confirm your address");
    assert.ok(request.includes(number) && !request.includes(TXID), `no visitor text before confirmation:\n${request}`);
    const inbox = await userContext.newPage();
    await inbox.goto(request.match(/http:\/\/\S+\/mail\/confirm\?token=[0-9a-f]{32}/)[0]);
    await inbox.getByRole("button", { name: /Confirm/ }).click();
    await inbox.getByRole("heading", { name: "Address confirmed" }).waitFor();
    await inbox.close();
    await smtp.waitFor(`[${number}] We received your request`);
    await created.getByRole("button", { name: "View ticket" }).click();
    await w(user, ".hd-ticket").getByRole("heading", { name: "Deposit not arrived" }).waitFor();
    const userThread = w(user, ".hd-ticket-thread");

    // The console: the new ticket arrived on its own, with everything the user gave.
    const item = ticketList.getByRole("listitem").filter({ hasText: number });
    await item.waitFor();
    assert.match(await item.innerText(), /Deposit not arrived/);
    assert.match(await item.innerText(), /Open/);
    assert.match(await item.innerText(), /just now|\d+ min/);
    await item.getByRole("button").click();
    const main = agent.getByRole("main");
    await main.getByRole("heading", { level: 1, name: new RegExp(number) }).waitFor();
    const details = agent.getByRole("complementary", { name: "About this ticket" });
    const filled = details.getByRole("region", { name: "Filled in by the user" });
    await filled.getByText(TXID, { exact: true }).waitFor();
    const fieldText = await filled.innerText();
    assert.match(fieldText, /Coin\s+USDT/, "the coin the flow collected");
    assert.match(fieldText, /TxID\s+b{64}/, "the TxID the flow collected");
    assert.match(await details.getByRole("region", { name: "User", exact: true }).innerText(), /li@example\.com/);
    const files = main.getByRole("list", { name: "Attached by the user" }).getByRole("listitem");
    assert.equal(await files.count(), 2);
    await main.getByRole("img", { name: "receipt.png" }).waitFor();
    assert.match(await main.getByRole("link", { name: /explorer\.txt/ }).getAttribute("href"), /^http:\/\/127\.0\.0\.1/);
    assert.deepEqual(await axeViolations(agent), []);

    // A public reply: in the console's thread, live in the widget, and by e-mail.
    const thread = agent.getByRole("log", { name: "Thread" });
    await agent.getByLabel("Reply to the user").fill(REPLY);
    await agent.getByRole("button", { name: "Send reply" }).click();
    await thread.getByText(REPLY).waitFor();
    assert.equal(await agent.getByLabel("Reply to the user").inputValue(), "");
    await userThread.locator(".hd-from-agent").filter({ hasText: REPLY }).waitFor();
    const [mail] = await smtp.waitFor("We found your deposit");
    assert.match(mail, /li@example\.com/);
    assert.ok(mail.includes(number), `the e-mail names the ticket:\n${mail}`);

    // An internal note: marked as such in the console, and nowhere else.
    await agent.getByLabel("Internal note").check();
    await agent.getByLabel("Reply to the user").fill(NOTE);
    await agent.getByRole("button", { name: "Add internal note" }).click();
    const note = thread.locator(":scope > *", { hasText: NOTE });
    await note.waitFor();
    assert.match(await note.innerText(), /Internal note/);
    assert.equal(await agent.getByLabel("Internal note").isChecked(), false, "the switch goes back to a public reply");
    // Then a public reply: once it reached the user, so would have the note.
    await agent.getByLabel("Reply to the user").fill(SECOND_REPLY);
    await agent.getByRole("button", { name: "Send reply" }).click();
    await userThread.locator(".hd-from-agent").filter({ hasText: SECOND_REPLY }).waitFor();
    await smtp.waitFor(SECOND_REPLY);
    assert.equal(await userThread.getByText(NOTE).count(), 0, "the widget never shows an internal note");
    assert.ok(!smtp.text().includes("ledger team"), "an internal note is never e-mailed");

    // The user answers the e-mail from their mail program: the reply, without
    // the quoted e-mail, lands in the thread on both sides, marked "by e-mail".
    const [secondMail] = await smtp.waitFor(SECOND_REPLY);
    const replyTo = /^Reply-To:.*<(support\+[0-9a-f]+@support\.example\.com)>/im.exec(secondMail)?.[1];
    assert.ok(replyTo, `the e-mail says where to reply:\n${secondMail}`);
    await assert.rejects(
      sendMail(inboundPort, { from: "mallory@example.net", to: replyTo, subject: `Re: [${number}]`, text: "Send it to me instead." }),
      /550/,
      "a reply from another address is refused",
    );
    await sendMail(inboundPort, {
      from: "Li Wei <li@example.com>",
      to: replyTo,
      subject: `Re: [${number}] Deposit not arrived`,
      text: `${EMAIL_REPLY}\n\nOn Mon, 30 Nov 2026 at 10:00, Helpdock <support@example.com> wrote:\n> ${SECOND_REPLY}\n`,
    });
    const byMail = userThread.locator(".hd-from-visitor").filter({ hasText: EMAIL_REPLY });
    await byMail.waitFor();
    assert.match(await byMail.innerText(), /by e-mail/);
    assert.doesNotMatch(await byMail.innerText(), /wrote:/, "the quoted e-mail is left out");
    await thread.getByText(EMAIL_REPLY).waitFor();
    assert.equal(await userThread.getByText("Send it to me instead.").count(), 0);

    // The user answers and closes the ticket; the console follows live.
    await w(user, "#hd-tk-reply").fill(USER_REPLY);
    await w(user, ".hd-ticket-reply").getByRole("button", { name: "Send reply" }).click();
    await userThread.locator(".hd-from-visitor").filter({ hasText: USER_REPLY }).waitFor();
    await thread.getByText(USER_REPLY).waitFor();
    await w(user, ".hd-ticket-reply").getByRole("button", { name: "Close ticket" }).click();
    await w(user, '.hd-ticket[data-status="closed"]').waitFor();
    await thread.getByText(/set the status to Closed/).waitFor();
    await item.getByText("Closed", { exact: true }).waitFor();
    await main.getByRole("status").filter({ hasText: "The ticket is closed." }).waitFor();
    assert.equal(await agent.getByRole("group", { name: "Change the ticket" }).getByLabel("Status").inputValue(), "closed");

    assert.deepEqual(agentProblems, []);
    assert.deepEqual(userProblems, []);
  });
});
