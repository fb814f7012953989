// Tickets in the widget, against the real reference server: the form from
// My tickets (validation per category, then success with the number), from
// the bot's deposit flow (prefilled), the draft across a reload, a failed
// submission that keeps everything and whose retry makes exactly one ticket,
// the list's status badges and unread counts, an agent's reply arriving live
// (the test plays the agent over the console HTTP API), replying, closing
// and reopening, out of hours (a ticket offered instead of chat), and bad
// uploads refused with a clear message.
//
//   node --test tests/e2e/tickets-widget.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { axeViolations, launcher, openDemo, panel, startAll, startHelpdockServer, widgetReady } from "./harness.mjs";

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
const TXID = "a".repeat(64);

/** The agent, signed in through the console HTTP API. */
async function signInAgent(server = env.server) {
  const res = await fetch(`${server.url}/console/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(server.agent),
  });
  assert.equal(res.status, 200, `agent login: ${res.status}`);
  const { csrfToken } = await res.json();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const call = async (method, path, body) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { Cookie: cookie, "X-CSRF-Token": csrfToken, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
    return r.status === 204 ? null : r.json();
  };
  return {
    tickets: () => call("GET", "/console/api/tickets"),
    reply: (id, body) =>
      call("POST", `/console/api/tickets/${id}/replies`, { clientId: `a-${Math.random()}`, body, attachments: [], internal: false }),
    update: (id, update) => call("PATCH", `/console/api/tickets/${id}`, update),
  };
}

/** The visitor's own tickets, asked with the token the widget stored. */
async function visitorTickets(page, server = env.server) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:visitor") ?? "{}").token);
  const res = await fetch(`${server.url}/api/v1/tickets`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return res.json();
}

/** The demo with the panel open on My tickets. */
async function openTickets(query = "?lang=en", server) {
  const opened = await openDemo(server ? { ...env, server } : env, { query });
  const { page } = opened;
  await widgetReady(page);
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await w(page, ".hd-categories").waitFor({ state: "attached" }); // the pack is loaded
  await w(page, "#hd-tab-tickets").click();
  return opened;
}

async function fillValidTicket(page, title) {
  await w(page, "#hd-tk-category").selectOption("deposit-not-arrived");
  await w(page, "#hd-tk-title").fill(title);
  await w(page, "#hd-tk-description").fill("Sent 250 USDT on TRON two hours ago; the explorer shows it confirmed.");
  await w(page, "#hd-tk-field-coin").fill("USDT");
  await w(page, "#hd-tk-field-network").fill("TRC20");
  await w(page, "#hd-tk-field-amount").fill("250");
  await w(page, "#hd-tk-field-txid").fill(TXID);
  await w(page, "#hd-tk-field-time").fill("yesterday 10:00");
  await w(page, "#hd-tk-field-address").fill("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE");
  await w(page, "#hd-tk-email").fill("li@example.com");
}

describe("tickets in the widget", () => {
  it("creates a ticket from My tickets: required fields per category, then the number", async () => {
    const { page, context, problems } = await openTickets();
    await w(page, '[data-hd="new-ticket"]').click();
    await w(page, ".hd-ticket-form").waitFor();

    // Nothing filled: each required field says so, next to it.
    await w(page, '[data-hd="submit-ticket"]').click();
    await w(page, "#hd-tk-title-error").filter({ hasText: "This is required." }).waitFor();
    assert.equal(await w(page, "#hd-tk-title").getAttribute("aria-invalid"), "true");
    assert.equal(await w(page, "#hd-tk-title").getAttribute("aria-describedby"), "hd-tk-title-error");
    assert.match(await w(page, "#hd-tk-email-error").innerText(), /e-mail/);

    // The category brings its checklist; a bad TxID is refused on blur.
    await w(page, "#hd-tk-category").selectOption("deposit-not-arrived");
    await w(page, "#hd-tk-field-txid").fill("0x12zz");
    await w(page, "#hd-tk-field-txid").blur();
    await w(page, "#hd-tk-field-txid-error").filter({ hasText: /\S/ }).waitFor();
    assert.deepEqual(await axeViolations(page, problems), []);

    await fillValidTicket(page, "USDT deposit not credited");
    await w(page, '[data-hd="submit-ticket"]').click();
    const created = w(page, '[data-hd="ticket-created"]');
    await created.waitFor();
    const number = await created.getAttribute("data-number");
    assert.match(number, /^HD-\d{6}$/);
    assert.match(await created.innerText(), new RegExp(`Ticket ${number} created`));
    assert.match(await created.innerText(), /li@example\.com/);

    // The list has it, with its status.
    await created.getByRole("button", { name: "Back to my tickets" }).click();
    const item = w(page, `.hd-ticket-item[data-number="${number}"]`);
    await item.waitFor();
    assert.equal(await item.getAttribute("data-status"), "open");
    assert.equal(await item.locator('[data-hd="status"]').innerText(), "Open");

    const [ticket] = await visitorTickets(page);
    assert.equal(ticket.category, "deposit-not-arrived");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("a password, code or recovery phrase never leaves through the form or a reply, nor is kept in the draft", async () => {
    const { page, context, problems } = await openTickets();
    const posted = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname.startsWith("/api/v1/tickets")) posted.push(r.postData() ?? "");
    });
    await w(page, '[data-hd="new-ticket"]').click();
    await w(page, ".hd-ticket-form").waitFor();
    await fillValidTicket(page, "USDT deposit not credited");
    const seed = "abandon ability able about above absent absorb abstract absurd abuse access accident";
    const doors = [
      ["#hd-tk-title", "hunter22 is my password"],
      ["#hd-tk-description", `my recovery phrase:\n${seed}`],
      ["#hd-tk-description", "the code I got by SMS: 482913"],
      ["#hd-tk-field-address", "密码我设的是abc12345"],
    ];
    for (const [selector, secret] of doors) {
      const valid = await w(page, selector).inputValue();
      await w(page, selector).fill(secret);
      await w(page, '[data-hd="submit-ticket"]').click();
      const error = w(page, `${selector}-error`);
      await error.filter({ hasText: /was not sent/ }).waitFor();
      assert.equal(await w(page, selector).getAttribute("aria-invalid"), "true");
      // What the user typed stays in the box to edit, but the stored draft hides it.
      assert.equal(await w(page, selector).inputValue(), secret);
      const stored = await page.evaluate(() => localStorage.getItem("helpdock:ticket-draft"));
      for (const word of ["hunter22", "abandon", "482913", "abc12345"]) {
        assert.ok(!secret.includes(word) || !stored.includes(word), `${word} was stored: ${stored}`);
      }
      assert.match(stored, /\[hidden: /);
      await w(page, selector).fill(valid);
    }
    assert.deepEqual(posted, [], "nothing was sent while a secret was in the form");

    // The clean ticket goes; a reply with a secret does not.
    await w(page, '[data-hd="submit-ticket"]').click();
    await w(page, '[data-hd="ticket-created"]').waitFor();
    assert.equal(posted.length, 1);
    assert.doesNotMatch(posted[0], /hunter22|abandon ability|482913|abc12345/);
    await w(page, '[data-hd="ticket-created"]').getByRole("button", { name: "Back to my tickets" }).click();
    await w(page, ".hd-ticket-open").first().click();
    await w(page, "#hd-tk-reply").fill("PIN: 4821 and my password is Winter2024!");
    await w(page, '[data-hd="send-reply"]').click();
    await w(page, '[data-hd="reply-problem"]').filter({ hasText: /was not sent/ }).waitFor();
    assert.equal(await w(page, "#hd-tk-reply").inputValue(), "PIN: 4821 and my password is Winter2024!");
    assert.equal(posted.length, 1, "the reply was not sent");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("opens the form prefilled from the bot's deposit flow", async () => {
    const { page, context, problems } = await openTickets();
    await w(page, "#hd-tab-chat").click();
    const input = w(page, "#hd-chat-input");
    const say = async (text) => {
      await input.fill(text);
      await input.press("Enter");
    };
    await say("my deposit has not arrived");
    await w(page, '.hd-answer[data-article="deposit-not-arrived"]').waitFor();
    await w(page, ".hd-chat-log").getByRole("button", { name: "No", exact: true }).click();
    await w(page, ".hd-chat-log").getByText("Step 1 of 6").waitFor();
    await say("USDT");
    await say("TRC20");
    await say("250");
    await w(page, ".hd-chat-log").getByText("Step 4 of 6").waitFor();
    await say(TXID);
    await say("yesterday 10:00");
    await say("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE");
    await w(page, ".hd-chat-log").getByRole("button", { name: /^Submit a ticket/ }).click();

    await w(page, ".hd-ticket-form").waitFor();
    assert.equal(await w(page, "#hd-tk-category").inputValue(), "deposit-not-arrived");
    assert.equal(await w(page, "#hd-tk-title").inputValue(), "Deposit not arrived");
    assert.equal(await w(page, "#hd-tk-field-coin").inputValue(), "USDT");
    // The bot normalised the network when the user typed it.
    assert.equal(await w(page, "#hd-tk-field-network").inputValue(), "TRON (TRC20)");
    assert.match(await w(page, "#hd-tk-field-amount").inputValue(), /250/);
    assert.equal(await w(page, "#hd-tk-field-txid").inputValue(), TXID);
    // The bot's normalised time, with its zone, is valid in the form too.
    assert.match(await w(page, "#hd-tk-field-time").inputValue(), /^\d{4}-\d\d-\d\d 10:00 \(UTC[+-]\d\d:\d\d\)$/);
    assert.match(await w(page, "#hd-tk-description").inputValue(), /my deposit has not arrived/);

    await w(page, "#hd-tk-email").fill("li@example.com");
    await w(page, '[data-hd="submit-ticket"]').click();
    await w(page, '[data-hd="ticket-created"]').waitFor();
    const [ticket] = await visitorTickets(page);
    assert.equal(ticket.category, "deposit-not-arrived");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("keeps the draft, with its uploaded file, across a reload", async () => {
    const { page, context } = await openTickets();
    await w(page, '[data-hd="new-ticket"]').click();
    await w(page, "#hd-tk-title").fill("Cannot verify my ID");
    await w(page, "#hd-tk-description").fill("The upload button does nothing.");
    await w(page, '[data-hd="ticket-files"]').setInputFiles({ name: "id.png", mimeType: "image/png", buffer: PNG });
    await w(page, ".hd-ticket-form .hd-staged-file").filter({ hasText: "id.png" }).waitFor();
    await page.waitForFunction(() =>
      (JSON.parse(localStorage.getItem("helpdock:ticket-draft") ?? "{}").attachments ?? []).length === 1,
    );

    await page.reload();
    await widgetReady(page);
    await launcher(page).click();
    await w(page, "#hd-tab-tickets").click();
    await w(page, '[data-hd="new-ticket"]').click();
    assert.equal(await w(page, "#hd-tk-title").inputValue(), "Cannot verify my ID");
    assert.equal(await w(page, "#hd-tk-description").inputValue(), "The upload button does nothing.");
    await w(page, ".hd-ticket-form .hd-staged-file").filter({ hasText: "id.png" }).waitFor();
    await context.close();
  });

  it("removing a staged file by keyboard keeps focus in the form, and Esc still closes the panel", async () => {
    const { page, context, problems } = await openTickets();
    await w(page, '[data-hd="new-ticket"]').click();
    await w(page, '[data-hd="ticket-files"]').setInputFiles({ name: "id.png", mimeType: "image/png", buffer: PNG });
    const staged = w(page, ".hd-ticket-form .hd-staged-file").filter({ hasText: "id.png" });
    await staged.waitFor();
    await staged.locator(".hd-unstage").focus();
    await page.keyboard.press("Enter");
    await staged.waitFor({ state: "detached" });
    // Focus lands on the attach control the removed file came from, not the page.
    await page.waitForFunction(
      () => document.querySelector("helpdock-widget").shadowRoot.activeElement?.dataset.hd === "ticket-files",
    );
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-launcher"));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("keeps everything when the submission fails, and the retry creates exactly one ticket", async () => {
    const { page, context } = await openTickets();
    await w(page, '[data-hd="new-ticket"]').click();
    await fillValidTicket(page, "Retry keeps everything");

    // The server stores the ticket but the answer is lost on the way back.
    let posts = 0;
    await page.route("**/api/v1/tickets", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      posts += 1;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await w(page, '[data-hd="submit-ticket"]').click();
    const failed = w(page, '[data-hd="submit-failed"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /not sent.*Everything you wrote is kept/s);
    assert.equal(await w(page, "#hd-tk-title").inputValue(), "Retry keeps everything");
    assert.equal(await w(page, "#hd-tk-field-txid").inputValue(), TXID);
    assert.equal(await w(page, '[data-hd="submit-ticket"]').innerText(), "Try again");

    await page.unroute("**/api/v1/tickets");
    await w(page, '[data-hd="submit-ticket"]').click();
    await w(page, '[data-hd="ticket-created"]').waitFor();
    assert.equal(posts, 1);
    const tickets = (await visitorTickets(page)).filter((t) => t.title === "Retry keeps everything");
    assert.equal(tickets.length, 1, "one ticket for one clientId");
    // The draft is gone only now.
    const draft = await page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:ticket-draft")));
    assert.equal(draft.title, "");
    await context.close();
  });

  it("shows an agent's reply live, counts it unread, and lets the user reply, close, rate and reopen", async () => {
    const agent = await signInAgent();
    const { page, context, problems } = await openTickets();
    await w(page, '[data-hd="new-ticket"]').click();
    await fillValidTicket(page, "Live replies");
    await w(page, '[data-hd="submit-ticket"]').click();
    const number = await w(page, '[data-hd="ticket-created"]').getAttribute("data-number");
    await w(page, '[data-hd="ticket-created"]').getByRole("button", { name: "Back to my tickets" }).click();
    const item = w(page, `.hd-ticket-item[data-number="${number}"]`);
    await item.waitFor();
    const id = await item.getAttribute("data-ticket");

    // On the list: the reply arrives as an unread count and a new status.
    await agent.reply(id, "Which network did you send it on?");
    await agent.update(id, { status: "pending_user" });
    await item.locator('[data-hd="unread"]').filter({ hasText: "1 new" }).waitFor();
    await w(page, `.hd-ticket-item[data-number="${number}"][data-status="pending_user"]`).waitFor();
    assert.equal(await item.locator('[data-hd="status"]').innerText(), "Waiting for you");
    // The launcher counts it too.
    await w(page, ".hd-launcher .hd-badge").waitFor({ state: "attached" });

    // Opened: the thread, and read.
    await item.getByRole("button").click();
    await w(page, ".hd-ticket-thread .hd-from-agent").filter({ hasText: "Which network did you send it on?" }).waitFor();
    await page.waitForFunction(async () => true);
    // While open, another reply shows at once.
    await agent.reply(id, "Thanks, checking now.");
    await w(page, ".hd-ticket-thread .hd-from-agent").filter({ hasText: "Thanks, checking now." }).waitFor();

    // The user replies.
    await w(page, "#hd-tk-reply").fill("TRC20, sorry.");
    await w(page, '[data-hd="send-reply"]').click();
    await w(page, ".hd-ticket-thread .hd-from-visitor").filter({ hasText: "TRC20, sorry." }).waitFor();
    assert.equal(await w(page, "#hd-tk-reply").inputValue(), "");

    // Close, rate, then reopen.
    await w(page, '[data-hd="close-ticket"]').click();
    await w(page, '.hd-ticket[data-status="closed"]').waitFor();
    const rating = w(page, "#hd-tabpanel-tickets .hd-rating");
    await rating.getByRole("button", { name: "4 out of 5" }).click();
    await rating.getByLabel("Anything to add? (optional)").fill("Quick and clear");
    await rating.getByRole("button", { name: "Send rating" }).click();
    await w(page, "#hd-tabpanel-tickets .hd-thanks").filter({ hasText: "Thank you for your rating." }).waitFor();
    assert.equal(await rating.isVisible(), false, "the thanks takes the form's place");
    const [rated] = (await visitorTickets(page)).filter((t) => t.id === id);
    assert.deepEqual([rated.rating?.score, rated.rating?.comment], [4, "Quick and clear"]);
    await w(page, '[data-hd="reopen-ticket"]').click();
    await w(page, '.hd-ticket[data-status="open"]').waitFor();
    assert.deepEqual(await axeViolations(page, problems), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("refuses bad uploads with a clear message", async () => {
    const { page, context } = await openTickets();
    await w(page, '[data-hd="new-ticket"]').click();
    // Too large: refused before uploading.
    const big = Buffer.alloc(11 * 1024 * 1024, 1);
    await w(page, '[data-hd="ticket-files"]').setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: big });
    await w(page, ".hd-staged-file.hd-failed").filter({ hasText: /huge\.png.*over the .* limit/ }).waitFor();
    // A program disguised as a picture: the server looks at the bytes.
    const exe = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00", "binary"), Buffer.alloc(512, 0)]);
    await w(page, '[data-hd="ticket-files"]').setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: exe });
    await w(page, ".hd-staged-file.hd-failed").filter({ hasText: /photo\.png.*not accepted/ }).waitFor();
    await context.close();
  });
});

describe("out of hours", () => {
  let closed;
  before(async () => {
    // Open one minute a day, twelve hours from now: closed for the test.
    const hour = (new Date().getUTCHours() + 12) % 24;
    const hh = String(hour).padStart(2, "0");
    closed = await startHelpdockServer({
      env: {
        HELPDOCK_BUSINESS_HOURS_UTC_OFFSET: "+00:00",
        HELPDOCK_BUSINESS_HOURS_DAYS: "mon,tue,wed,thu,fri,sat,sun",
        HELPDOCK_BUSINESS_HOURS_OPEN: `${hh}:00`,
        HELPDOCK_BUSINESS_HOURS_CLOSE: `${hh}:01`,
      },
    });
  });
  after(async () => {
    await closed?.close();
  });

  it("offers a ticket instead of live chat, saying when chat opens", async () => {
    const { page, context, problems } = await openTickets("?lang=en", closed);
    // The session (fetched when the panel opened) says nobody is at work.
    await page.waitForFunction(() => localStorage.getItem("helpdock:visitor"));
    await w(page, "#hd-tab-chat").click();
    await w(page, ".hd-chat-bar .hd-person-button").click();
    await w(page, '[data-hd="chat-closed"]').filter({ hasText: /Live chat opens/ }).waitFor();
    const offer = w(page, '[data-hd="offer-ticket"]');
    await offer.waitFor();
    assert.equal(await w(page, ".hd-live-header").count(), 0, "no live chat starts");
    await offer.click();
    await w(page, ".hd-ticket-form").waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});

// ---------------------------------------------------------------------------
// The form and the thread fit the panel
// ---------------------------------------------------------------------------

/**
 * Every visible control inside the panel, measured: its box, whether it lies
 * inside the panel's box, its font, and the panel's own horizontal overflow.
 * A checkbox or radio is measured by its label (the target a finger hits).
 */
function measureControls(page) {
  return page.evaluate(() => {
    const root = document.querySelector("helpdock-widget").shadowRoot;
    const panel = root.querySelector(".hd-panel");
    const box = panel.getBoundingClientRect();
    const rootFont = getComputedStyle(root.querySelector(".hd-root")).fontFamily;
    const controls = [...panel.querySelectorAll("input, select, textarea, button, a[href], [role=button], label.hd-file")]
      .filter((el) => {
        if (el.closest(".hd-visually-hidden") || el.matches(".hd-visually-hidden")) return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
      })
      .map((el) => {
        const target = el.matches("input[type=checkbox], input[type=radio]") ? (el.closest("label") ?? el) : el;
        const r = target.getBoundingClientRect();
        return {
          what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.dataset.hd ? `[data-hd=${el.dataset.hd}]` : ""} "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`,
          inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5,
          width: r.width,
          height: r.height,
          inline: getComputedStyle(el).display === "inline" && el.tagName === "A",
          text: el.matches("input:not([type=checkbox]):not([type=radio]):not([type=file]), textarea, select"),
          font: getComputedStyle(el).fontFamily,
        };
      });
    const overflow = [...panel.querySelectorAll("*")]
      // A text box scrolls its own text; a visually hidden label clips on purpose.
      .filter((el) => !el.matches("input, textarea, select, .hd-visually-hidden"))
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible")
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} ${el.scrollWidth}>${el.clientWidth}`);
    return { controls, rootFont, overflow, panelWidth: box.width };
  });
}

function assertFits({ controls, rootFont, overflow }, minTarget, where) {
  assert.ok(controls.length > 5, `${where}: controls found`);
  const wrong = [];
  for (const c of controls) {
    if (!c.inside) wrong.push(`${c.what} lies outside the panel`);
    // A link inside running text is exempt from the target size (WCAG 2.5.8).
    if (!c.inline && (c.width < minTarget - 0.5 || c.height < minTarget - 0.5)) {
      wrong.push(`${c.what} is ${c.width.toFixed(1)}×${c.height.toFixed(1)} px, below ${minTarget} px`);
    }
    if (c.text && c.font !== rootFont) wrong.push(`${c.what} is in ${c.font}, not the widget's font`);
  }
  for (const o of overflow) wrong.push(`${o} scrolls sideways`);
  assert.deepEqual(wrong, [], where);
}

describe("the ticket form and thread fit", () => {
  for (const [lang, label] of [
    ["en", "Submit ticket"],
    ["zh-CN", "提交工单"],
  ]) {
    for (const width of [320, 375, 1280]) {
      const touch = width < 600;
      it(`in ${lang} at ${width} px: every control inside the panel, ${touch ? 44 : 24} px targets, the widget's font, identifiers wrap`, async () => {
        const { page, context, problems } = await openDemo(env, {
          query: `?lang=${lang}`,
          viewport: { width, height: touch ? 740 : 800 },
          hasTouch: touch,
        });
        await widgetReady(page);
        await launcher(page).click();
        await panel(page).waitFor({ state: "visible" });
        await w(page, ".hd-categories").waitFor({ state: "attached" });
        await w(page, "#hd-tab-tickets").click();
        await w(page, '[data-hd="new-ticket"]').click();
        await w(page, ".hd-ticket-form").waitFor();
        await fillValidTicket(page, "USDT deposit not credited, TxID inside");
        await w(page, '[data-hd="submit-ticket"]').filter({ hasText: label }).waitFor();
        const min = touch ? 44 : 24;
        assertFits(await measureControls(page), min, `${lang} ${width} px form`);

        await w(page, '[data-hd="submit-ticket"]').click();
        await w(page, '[data-hd="ticket-created"]').waitFor();
        await w(page, '[data-hd="ticket-created"] .hd-chip').click(); // View the ticket
        await w(page, "#hd-tk-reply").waitFor();
        // The thread shows the 64-character TxID, wrapped inside the panel.
        await w(page, ".hd-panel").getByText(TXID).first().waitFor();
        assertFits(await measureControls(page), min, `${lang} ${width} px thread`);
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  }
});
