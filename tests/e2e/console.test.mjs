// The agent console (crates/helpdock-server/console/), against the real
// reference server and a real visitor speaking protocol v1, in Debian's
// Chromium under the console's strict CSP: sign in (a wrong password
// first), see a visitor waiting with what they told the bot, accept, read
// the transcript and the TxID, reply, see the visitor typing and answering
// live, send an image, lose and regain the connection without losing a
// message, transfer, close; a POST without the CSRF token is refused.
// The console's pure state (model.js) is tested natively first.
//
//   node --test --test-concurrency=1 tests/e2e/console.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  TypingSignal,
  Workspace,
  backoffDelay,
  checkFile,
  formatWait,
  topicName,
} from "../../crates/helpdock-server/console/model.js";
import { unofficialLinks } from "../../crates/helpdock-server/console/links.js";
import { visitorRows } from "../../crates/helpdock-server/console/details.js";
import { axeViolations, png, startAll, startHelpdockServer } from "./harness.mjs";

// ---------------------------------------------------------------------------
// The console's state, natively
// ---------------------------------------------------------------------------

describe("console model", () => {
  const agent = { id: "ag_1", name: "Mei", role: "agent" };
  const summary = (id, extra = {}) => ({ id, topic: "deposit-not-arrived", status: "active", createdAt: 1, updatedAt: 1, lastSeq: 0, ...extra });
  const message = (seq, kind, extra = {}) => ({ conversation: "c1", seq, author: { kind }, body: `m${seq}`, at: seq * 1000, ...extra });

  it("reconnect delays double from 0.5 s to 30 s, jittered within 50–100 %", () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, () => 1)), [500, 1000, 2000, 4000]);
    assert.equal(backoffDelay(0, () => 0), 250);
    assert.equal(backoffDelay(10, () => 1), 30_000);
    assert.equal(backoffDelay(100, () => 0), 15_000);
  });

  it("merges messages by seq, replaces an outbox entry by its ack and message, and never doubles", () => {
    const w = new Workspace(agent);
    w.assign(summary("c1"));
    assert.equal(w.addMessage(message(1, "visitor")), true);
    assert.equal(w.addMessage(message(1, "visitor")), false, "a replayed message is not new");
    const entry = w.enqueue("c1", "hello", [], "m-1");
    assert.deepEqual(w.thread("c1").map((i) => [i.key, i.delivery]), [["s:1", null], ["c:m-1", "sending"]]);
    w.ack({ conversation: "c1", clientId: "m-1", seq: 2, at: 2000 });
    assert.deepEqual(w.outbox, []);
    assert.deepEqual(w.thread("c1").map((i) => [i.key, i.delivery]), [["s:1", null], ["c:m-1", "sent"]]);
    w.addMessage(message(2, "agent", { clientId: "m-1", body: entry.body }));
    w.visitorRead("c1", 2);
    assert.deepEqual(w.thread("c1").map((i) => [i.key, i.delivery]), [["s:1", null], ["c:m-1", "read"]]);
  });

  it("keeps failed messages for retry and survives a reload through its snapshot", () => {
    const w = new Workspace(agent);
    w.enqueue("c1", "one", [], "m-1");
    w.enqueue("c1", "two", [], "m-2");
    w.fail("m-2", { code: "too_large", message: "Too long." });
    assert.deepEqual(w.pending().map((e) => e.clientId), ["m-1"]);
    const again = new Workspace(agent, JSON.parse(JSON.stringify(w.snapshot())));
    assert.deepEqual(again.outbox.map((e) => [e.clientId, e.state]), [["m-1", "sending"], ["m-2", "failed"]]);
    again.retry("m-2");
    assert.deepEqual(again.pending().map((e) => e.clientId), ["m-1", "m-2"]);
  });

  it("counts unread visitor messages until the conversation is read", () => {
    const w = new Workspace(agent);
    w.assign(summary("c1"));
    w.addMessage(message(1, "visitor"));
    w.addMessage(message(2, "agent"));
    w.addMessage(message(3, "visitor"));
    assert.equal(w.unread("c1"), 2);
    assert.equal(w.markRead("c1"), 3);
    assert.equal(w.unread("c1"), 0);
    assert.equal(w.markRead("c1"), null, "nothing new: no read frame");
  });

  it("groups the queue by topic, oldest first, and drops a conversation once accepted", () => {
    const w = new Workspace(agent);
    w.setQueue([
      summary("b", { status: "queued", createdAt: 20, topic: "kyc" }),
      summary("a", { status: "queued", createdAt: 10 }),
      summary("c", { status: "queued", createdAt: 30 }),
    ]);
    assert.deepEqual(w.queueByTopic().map((g) => [g.topic, g.items.map((s) => s.id)]), [["deposit-not-arrived", ["a", "c"]], ["kyc", ["b"]]]);
    w.assign(summary("a", { updatedAt: 40 }));
    assert.deepEqual(w.queue.map((s) => s.id), ["b", "c"]);
    assert.deepEqual(w.mine().map((c) => c.id), ["a"]);
  });

  it("says a signed-in user's name and e-mail are theirs unless the host's userHash covered them", () => {
    const base = { id: "v1", identified: true, userId: "42", name: "Li Wei", email: "li@example.com", locale: null };
    assert.deepEqual(visitorRows({ ...base, profileVerified: false }), [
      ["Name", "Li Wei"],
      ["Status", "Verified by the host (user 42); name and e-mail given by the user"],
      ["E-mail", "li@example.com", true],
    ]);
    assert.deepEqual(visitorRows({ ...base, profileVerified: true }), [
      ["Name", "Li Wei"],
      ["Status", "Verified by the host (user 42), with name and e-mail"],
      ["E-mail", "li@example.com", true],
    ]);
    const anonymous = visitorRows({ id: "v2", identified: false, name: null, email: null }, "typed@example.com");
    assert.deepEqual(anonymous, [["Name", "Not given"], ["Status", "Anonymous: not signed in to the host"], ["E-mail", "typed@example.com", true]]);
  });

  it("counts everyone waiting when the server lists only the first, and knows one beyond the list may still wait", () => {
    const w = new Workspace(agent);
    w.setQueue([summary("a", { status: "queued", createdAt: 10 }), summary("b", { status: "queued", createdAt: 20 })], 40);
    assert.equal(w.queueTotal, 40);
    assert.ok(w.stillWaiting("a") && w.stillWaiting("z"), "z may be beyond the first two");
    w.assign(summary("a", { updatedAt: 40 }));
    assert.equal(w.queueTotal, 39);
    w.setQueue([summary("b", { status: "queued", createdAt: 20 })], 1);
    assert.ok(!w.stillWaiting("z"), "the whole list is known: z was taken");
    w.setQueue([summary("b", { status: "queued", createdAt: 20 })]);
    assert.equal(w.queueTotal, 1, "a backend that sends no total sends everything");
  });

  it("sends typing once, repeats it every 3 s while typing goes on, then stops after the idle time or on send", () => {
    const sent = [];
    const timers = [];
    let clock = 0;
    const t = new TypingSignal((v) => sent.push(v), {
      now: () => clock,
      schedule: (fn) => timers.push(fn) && timers.length,
      cancel: () => {},
    });
    t.input();
    clock = 1000;
    t.input();
    clock = 2999;
    t.input();
    assert.deepEqual(sent, [true]);
    clock = 3000;
    t.input();
    assert.deepEqual(sent, [true, true], "a repeat keeps the visitor's indicator alive");
    timers.at(-1)();
    assert.deepEqual(sent, [true, true, false], "idle: stopped");
    t.input();
    t.stop();
    t.stop();
    assert.deepEqual(sent, [true, true, false, true, false]);
  });

  it("finds links outside the official domains, not e-mail addresses or file names", () => {
    const official = ["example.com"];
    assert.deepEqual(unofficialLinks("see https://help.example.com/a and example.com/fees", official), []);
    assert.deepEqual(unofficialLinks("verify at https://example.com.evil.io/x or www.evil-site.com", official), [
      "example.com.evil.io",
      "www.evil-site.com",
    ]);
    assert.deepEqual(unofficialLinks("mail li@other.net, e.g. shot.png, v1.2.3", official), []);
    assert.deepEqual(unofficialLinks("TxID on https://tronscan.org/#/transaction/abc", official), ["tronscan.org"]);
  });

  it("explains files it will not send, naming them", () => {
    assert.equal(checkFile({ name: "a.png", type: "image/png", size: 10 }), null);
    assert.match(checkFile({ name: "big.png", type: "image/png", size: 11 * 1024 * 1024 }), /“big\.png” is 11 MB; files can be at most 10 MB/);
    assert.match(checkFile({ name: "tool.exe", type: "application/x-msdownload", size: 10 }), /“tool\.exe” cannot be sent/);
    assert.equal(formatWait(185_000), "3 min 05 s");
    assert.equal(topicName("deposit-not-arrived"), "Deposit not arrived");
  });
});

// ---------------------------------------------------------------------------
// The console in the browser, against the real server
// ---------------------------------------------------------------------------

const ARGS_NOTE = "harness.startAll() must start the real server and expose env.server.agent and env.server.secondAgent";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

/**
 * A visitor speaking protocol v1: HTTP from Node, and the socket from a
 * page of the server's origin (Node 20 has no WebSocket client built in).
 */
class Visitor {
  static async start(locale = "zh-CN") {
    const v = new Visitor();
    v.session = await api("POST", "/api/v1/session", { body: { locale } });
    v.context = await env.browser.newContext();
    v.page = await v.context.newPage();
    await v.page.goto(`${env.server.url}/healthz`);
    return v;
  }

  auth() {
    return { Authorization: `Bearer ${this.session.visitorToken}` };
  }

  async startConversation(body) {
    this.conversation = await api("POST", "/api/v1/conversations", { body, headers: this.auth() });
    return this.conversation;
  }

  async connect() {
    const url = `${env.server.url.replace(/^http/, "ws")}/api/v1/ws`;
    await this.page.evaluate(
      ({ url, token }) =>
        new Promise((resolve, reject) => {
          window.received = [];
          const ws = new WebSocket(url);
          window.visitorSocket = ws;
          ws.onmessage = (e) => window.received.push(JSON.parse(e.data));
          ws.onerror = () => reject(new Error("visitor socket failed"));
          ws.onopen = () => {
            ws.send(JSON.stringify({ type: "hello", v: 1, token, resume: [] }));
            resolve();
          };
        }),
      { url, token: this.session.visitorToken },
    );
    await this.frame((f) => f.type === "welcome");
  }

  send(frame) {
    return this.page.evaluate((frame) => window.visitorSocket.send(JSON.stringify(frame)), frame);
  }

  /** Waits for a frame matching `test` (a function source run in the page). */
  async frame(test, { timeout = 10_000 } = {}) {
    const handle = await this.page.waitForFunction(`window.received.find(${test.toString()})`, null, { timeout });
    return handle.jsonValue();
  }

  frames(test) {
    return this.page.evaluate(`window.received.filter(${test.toString()})`);
  }

  close() {
    return this.context.close();
  }
}

async function api(method, path, { body, headers = {} } = {}) {
  const response = await fetch(env.server.url + path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Opens the console and records console errors, page errors and failed requests. */
async function openConsole({ viewport = { width: 1280, height: 800 } } = {}) {
  const context = await env.browser.newContext({ viewport, locale: "en-GB" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.server.url });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()} (${msg.location()?.url ?? ""})`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  // The console's socket goes through Playwright so the test can cut it
  // (Chromium's offline emulation leaves open sockets alone): while `down`,
  // open sockets are closed and new ones refused, as a dropped network does.
  // While `holdQueue`, `queue_changed` frames are held back, so this
  // console still shows a chat another agent has just taken.
  const net = { down: false, holdQueue: false, live: new Set() };
  await page.routeWebSocket(/\/console\/api\/ws$/, (ws) => {
    if (net.down) return ws.close({ code: 4001, reason: "network down" });
    const server = ws.connectToServer();
    server.onMessage((frame) => {
      if (!(net.holdQueue && String(frame).includes('"type":"queue_changed"'))) ws.send(frame);
    });
    net.live.add(ws);
  });
  net.drop = () => {
    net.down = true;
    for (const ws of net.live) ws.close({ code: 4001, reason: "network down" });
    net.live.clear();
  };
  net.restore = () => {
    net.down = false;
  };
  const response = await page.goto(`${env.server.url}/console/`);
  return { context, page, problems, response, net };
}

/**
 * Removes the console lines Chromium itself writes for an HTTP error the
 * test caused on purpose (it logs every 4xx answer to fetch and XHR).
 */
async function forgive(problems, pattern) {
  for (let waited = 0; !problems.some((p) => pattern.test(p)); waited += 50) {
    assert.ok(waited < 3000, `expected Chromium to log ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  problems.splice(0, problems.length, ...problems.filter((p) => !pattern.test(p)));
}

async function signIn(page, agent = env.server.agent) {
  await page.getByLabel("E-mail").fill(agent.email);
  await page.getByLabel("Password").fill(agent.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#connection[data-state=online]").waitFor();
}

const TXID = "0x9f2c4e8a1b7d3f6e0c5a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f";

function deposit(visitorNote) {
  return {
    clientId: `c-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    topic: "deposit-not-arrived",
    locale: "zh-CN",
    reason: "flow_complete",
    transcript: [
      { from: "user", text: "我的USDT充值还没到账" },
      { from: "bot", text: "已开始填写「充值未到账」表单" },
      { from: "user", text: visitorNote },
    ],
    fields: [
      { id: "coin", label: "币种", value: "USDT" },
      { id: "network", label: "网络", value: "TRC20" },
      { id: "amount", label: "金额", value: "100 USDT" },
      { id: "txid", label: "TxID", value: TXID },
    ],
  };
}

describe("agent console", () => {
  let visitor;
  let other;
  let opened;
  let second;
  const thread = () => opened.page.locator("#thread");

  before(() => {
    assert.ok(env.server?.agent?.email && env.server?.agent?.password && env.server?.secondAgent?.email, ARGS_NOTE);
  });
  after(async () => {
    for (const v of [visitor, other]) await v?.close();
    for (const c of [opened, second]) await c?.context.close();
  });

  it("is served with the strict CSP and refuses a wrong password with a clear message", async () => {
    opened = await openConsole();
    const { page, response } = opened;
    const csp = response.headers()["content-security-policy"] ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$| 'wasm-unsafe-eval')/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval'/);
    await page.getByLabel("E-mail").fill(env.server.agent.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.getByRole("alert").filter({ hasText: "Wrong e-mail or password" });
    await error.waitFor();
    assert.equal(await page.getByLabel("E-mail").inputValue(), env.server.agent.email, "what was typed is kept");
    assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
    await signIn(page);
    await page.locator("#me-name").filter({ hasText: /\S/ }).waitFor();
    // Chromium logs every 4xx answer to fetch on the console; these two are
    // expected: the console asking whether it is signed in, and the wrong
    // password. Anything else stays and fails the check at the end.
    await forgive(opened.problems, /status of 401 .*\/console\/api\/(me|login)\)$/);
  });

  it("shows the visitor waiting under their topic, with their last words to the bot, live", async () => {
    const { page } = opened;
    visitor = await Visitor.start();
    await visitor.connect();
    await visitor.startConversation(deposit("请尽快处理，谢谢"));
    const item = page.locator(".queue-item", { hasText: "请尽快处理，谢谢" });
    await item.waitFor();
    assert.match(await page.locator(".topic-group", { has: item }).locator(".topic-name").textContent(), /Deposit not arrived/);
    const wait = item.locator(".wait");
    const first = await wait.textContent();
    assert.match(first, /^\d+ s$/);
    await page.waitForFunction((f) => document.querySelector(".queue-item .wait").textContent !== f, first);
  });

  it("accepts the chat and shows the transcript and the collected fields, each copyable", async () => {
    const { page } = opened;
    const item = page.locator(".queue-item", { hasText: "请尽快处理，谢谢" });
    await item.getByRole("button", { name: /^Accept/ }).click();
    await page.locator(".mine-item").first().waitFor();
    await page.locator("#conv-sub", { hasText: "with you" }).waitFor();
    assert.equal(await page.locator(".queue-item", { hasText: "请尽快处理，谢谢" }).count(), 0, "it left the queue");
    const txid = page.locator('.field[data-field="txid"] .value');
    assert.equal(await txid.textContent(), TXID);
    assert.deepEqual(
      await page.locator("#transcript .line-text").allTextContents(),
      ["我的USDT充值还没到账", "已开始填写「充值未到账」表单", "请尽快处理，谢谢"],
    );
    assert.match(await page.locator("#visitor").textContent(), /Anonymous/);
    assert.match(await page.locator("#visitor").textContent(), /Chinese/);
    await page.getByRole("button", { name: "Copy TxID" }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), TXID);
    await visitor.frame((f) => f.type === "agent_joined");
  });

  it("replies with Enter, shows sent then read, and sends typing start and stop", async () => {
    const { page } = opened;
    const box = page.getByLabel("Reply to the visitor");
    await box.focus();
    await box.pressSequentially("您好，我来帮您查一下");
    await visitor.frame((f) => f.type === "typing" && f.typing === true);
    await box.press("Shift+Enter");
    await box.pressSequentially("Checking TRC20 now.");
    await box.press("Enter");
    assert.equal(await box.inputValue(), "", "the box is cleared after sending");
    const mine = thread().locator(".msg-agent").last();
    assert.equal(await mine.locator(".msg-body").textContent(), "您好，我来帮您查一下\nChecking TRC20 now.");
    await mine.locator('.msg-status[data-state="sent"]').waitFor();
    const got = await visitor.frame((f) => f.type === "message" && f.message.author.kind === "agent");
    assert.equal(got.message.body, "您好，我来帮您查一下\nChecking TRC20 now.");
    // Typing stops on send (or after 3 s idle).
    await visitor.frame((f) => f.type === "typing" && f.typing === false);
    await visitor.send({ type: "read", conversation: got.message.conversation, seq: got.message.seq });
    await mine.locator('.msg-status[data-state="read"]').waitFor();
  });

  it("warns an agent whose message links outside the official domains, with the widget's anti-phishing note", async () => {
    const { page } = opened;
    const box = page.getByLabel("Reply to the visitor");
    const note = page.locator("#composer-link-note");
    await box.fill("Please verify at https://coinharbor-verify.example/login now");
    await note.waitFor();
    assert.match(await note.innerText(), /coinharbor-verify\.example.*Official support will never ask for your recovery phrase/s);
    // The server's own host is official when none are configured; e-mail
    // addresses and file names are not links.
    await box.fill(`See ${env.server.url}/help and write to help@elsewhere.example; shot.png attached.`);
    await note.waitFor({ state: "hidden" });
    await box.fill("");
    assert.equal(await note.isHidden(), true);
  });

  it("shows the visitor typing and their reply arriving live, and sends a read receipt", async () => {
    const { page } = opened;
    const id = visitor.conversation.id;
    await visitor.send({ type: "typing", conversation: id, typing: true });
    await page.locator("#typing", { hasText: "is typing…" }).waitFor();
    await visitor.send({ type: "send", conversation: id, clientId: "v-1", body: "好的，TxID 已经在区块浏览器上确认了", attachments: [] });
    const { seq } = await visitor.frame((f) => f.type === "ack" && f.clientId === "v-1");
    await thread().locator(".msg-visitor .msg-body", { hasText: "区块浏览器" }).waitFor();
    await page.waitForFunction(() => document.querySelector("#typing").textContent === "");
    // The conversation is on screen, so the agent has seen it: a read receipt up to it.
    await visitor.page.waitForFunction((seq) => window.received.some((f) => f.type === "read" && f.by === "agent" && f.seq >= seq), seq);
  });

  it("refuses a file it cannot send, then uploads and sends an image the visitor receives", async () => {
    const { page } = opened;
    await page.locator("#file-input").setInputFiles({ name: "tool.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
    await page.locator("#composer-error", { hasText: "“tool.exe” cannot be sent" }).waitFor();
    // A page disguised as a PNG passes the pre-check; the server, which reads the bytes, refuses it.
    await page.locator("#file-input").setInputFiles({ name: "fake.png", mimeType: "image/png", buffer: Buffer.from("<!doctype html><script>alert(1)</script>") });
    const refused = page.locator('.upload[data-state="failed"]', { hasText: "fake.png" });
    await refused.waitFor();
    assert.match(await refused.locator(".upload-state").textContent(), /fake\.png/);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator("#composer-error", { hasText: "Remove the files that could not be uploaded" }).waitFor();
    // Chromium logs the 415 itself; that line is expected, nothing else.
    await forgive(opened.problems, /status of 415 .*\/console\/api\/attachments\)$/);
    await refused.getByRole("button", { name: "Remove fake.png" }).click();
    await refused.waitFor({ state: "detached" });
    // Dropped onto the conversation, as from the desktop.
    const bytes = [...png()];
    await page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], "screenshot.png", { type: "image/png" }));
      const zone = document.getElementById("conversation");
      zone.dispatchEvent(new DragEvent("dragenter", { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await page.locator('.upload[data-state="done"]', { hasText: "screenshot.png" }).waitFor();
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const img = thread().locator(".msg-agent img.file-preview").last();
    await img.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll("#thread img.file-preview")].every((i) => i.complete && i.naturalWidth === 4));
    const got = await visitor.frame((f) => f.type === "message" && f.message.attachments?.length > 0);
    assert.equal(got.message.attachments[0].contentType, "image/png");
    assert.equal(got.message.attachments[0].name, "screenshot.png");
    assert.equal(await img.getAttribute("alt"), "screenshot.png");
  });

  it("has no accessibility violations with a conversation open", async () => {
    const { page } = opened;
    assert.deepEqual(await axeViolations(page), []);
  });

  it("is usable at 1024 px and moves between conversations with Alt+↑/↓", async () => {
    const { page } = opened;
    await page.setViewportSize({ width: 1024, height: 768 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 1024), "no sideways scrolling");
    for (const name of ["Send", "Transfer…", "Close"]) {
      assert.ok(await page.getByRole("button", { name, exact: true }).isVisible(), name);
    }
    assert.ok(await page.locator('.field[data-field="txid"] .copy').isVisible(), "the TxID's copy button");
    const box = await page.getByRole("button", { name: "Send", exact: true }).boundingBox();
    assert.ok(box.x + box.width <= 1024 && box.y + box.height <= 768, "the Send button is on screen");
    await page.setViewportSize({ width: 1280, height: 800 });
    const current = visitor.conversation.id;
    const other = await Visitor.start("en");
    await other.startConversation({ ...deposit("a third visitor waiting"), locale: "en" });
    await page.locator(".queue-item", { hasText: "a third visitor waiting" }).waitFor();
    await page.getByLabel("Reply to the visitor").focus();
    await page.keyboard.press("Alt+ArrowUp");
    await page.locator("#conv-notice", { hasText: "This visitor is waiting" }).waitFor();
    assert.match(await page.locator("#transcript").textContent(), /a third visitor waiting/);
    await page.keyboard.press("Alt+ArrowDown");
    await page.waitForFunction((id) => location.hash === `#conversation=${id}`, current);
    await page.locator("#conv-sub", { hasText: "with you" }).waitFor();
    await other.close();
  });

  it("keeps what the agent sends while offline and delivers it exactly once on reconnect", async () => {
    const { page, problems, net } = opened;
    const before = problems.length;
    net.drop();
    await page.locator("#offline-banner").waitFor();
    assert.match(await page.locator("#offline-banner").textContent(), /Reconnecting in \d+ s/);
    const box = page.getByLabel("Reply to the visitor");
    await box.fill("Sent while offline");
    await box.press("Enter");
    await thread().locator(".msg-agent", { hasText: "Sent while offline" }).locator('.msg-status[data-state="sending"]').waitFor();
    // Still down: the retries fail and the message waits.
    await page.waitForTimeout(1500);
    assert.equal(await thread().locator(".msg-agent", { hasText: "Sent while offline" }).locator('.msg-status[data-state="sending"]').count(), 1);
    net.restore();
    // "Retry now", unless the backoff timer got there first.
    await page.getByRole("button", { name: "Retry now" }).click({ timeout: 2000 }).catch(() => {});
    await page.locator("#connection[data-state=online]").waitFor();
    assert.equal(await page.locator("#offline-banner").isVisible(), false);
    await thread().locator(".msg-agent", { hasText: "Sent while offline" }).locator('.msg-status[data-state="sent"], .msg-status[data-state="read"]').waitFor();
    await page.waitForTimeout(500);
    const copies = await visitor.frames((f) => f.type === "message" && f.message.body === "Sent while offline");
    assert.equal(copies.length, 1);
    assert.equal(await thread().locator(".msg-agent", { hasText: "Sent while offline" }).count(), 1);
    // While offline, the only errors are the browser's own about the refused reconnects.
    const offline = problems.splice(before);
    assert.deepEqual(offline.filter((p) => !/WebSocket|ERR_INTERNET_DISCONNECTED|net::ERR/.test(p)), []);
  });

  it("tells the agent when another agent took the chat first", async () => {
    second = await openConsole();
    await signIn(second.page, env.server.secondAgent);
    other = await Visitor.start("en");
    await other.connect();
    await other.startConversation({ ...deposit("please help, second visitor"), locale: "en" });
    const mineItem = opened.page.locator(".queue-item", { hasText: "second visitor" });
    const theirs = second.page.locator(".queue-item", { hasText: "second visitor" });
    await mineItem.waitFor();
    await theirs.waitFor();
    opened.net.holdQueue = true;
    await theirs.getByRole("button", { name: /^Accept/ }).click();
    await second.page.locator("#conv-sub", { hasText: "with you" }).waitFor();
    await mineItem.getByRole("button", { name: /^Accept/ }).click();
    await opened.page.locator(".toast", { hasText: "Another agent took this chat." }).waitFor();
    opened.net.holdQueue = false;
    await mineItem.waitFor({ state: "detached" });
  });

  it("transfers a chat to another agent, who gets it with its history", async () => {
    const { page } = opened;
    await page.locator(".mine-item", { hasText: /./ }).filter({ hasNotText: "second visitor" }).first().getByRole("button").click();
    await page.locator("#conv-sub", { hasText: "with you" }).waitFor();
    await page.getByRole("button", { name: "Transfer…" }).click();
    const dialog = page.getByRole("dialog", { name: "Transfer this conversation" });
    await dialog.getByLabel("Another agent").check();
    const mei = await dialog.locator("#transfer-agent option", { hasText: /^Mei/ }).textContent();
    await dialog.getByLabel("Agent", { exact: true }).selectOption({ label: mei });
    await dialog.getByRole("button", { name: "Transfer", exact: true }).click();
    await page.locator("#conv-notice", { hasText: "You transferred this conversation" }).waitFor();
    // Mei now has it, with the transcript, the fields and the messages so far.
    const theirs = second.page.locator(`.mine-item[data-key="${visitor.conversation.id}"]`);
    await theirs.waitFor();
    // New to Mei: the visitor's message counts as unread until she opens it.
    await theirs.locator(".unread", { hasText: /^1 unread$/ }).waitFor();
    await theirs.getByRole("button").click();
    await theirs.locator(".unread").waitFor({ state: "hidden" });
    await second.page.locator('.field[data-field="txid"] .value', { hasText: TXID }).waitFor();
    await second.page.locator("#thread .msg-visitor", { hasText: "区块浏览器" }).waitFor();
    await visitor.frame((f) => f.type === "agent_joined" && f.agent.name === "Mei");
  });

  it("is handed back to a topic queue, taken again and closed", async () => {
    const { page } = opened;
    const s = second.page;
    await s.getByRole("button", { name: "Transfer…" }).click();
    const dialog = s.getByRole("dialog", { name: "Transfer this conversation" });
    await dialog.getByLabel("A topic queue").check();
    await dialog.getByLabel("Topic queue", { exact: true }).selectOption("deposit-not-arrived");
    await dialog.getByRole("button", { name: "Transfer", exact: true }).click();
    await visitor.frame((f) => f.type === "transferred");
    const item = page.locator(".queue-item", { hasText: "请尽快处理，谢谢" });
    await item.waitFor();
    await item.getByRole("button", { name: /^Accept/ }).click();
    await page.locator("#conv-sub", { hasText: "with you" }).waitFor();
    await page.getByRole("button", { name: "Close", exact: true }).click();
    await page.getByRole("dialog", { name: "Close this conversation?" }).getByRole("button", { name: "Close conversation" }).click();
    const closed = await visitor.frame((f) => f.type === "closed");
    assert.equal(closed.by, "agent");
    await page.locator("#conv-notice", { hasText: "This conversation was closed" }).waitFor();
    assert.equal(await page.locator("#composer").isVisible(), false, "no reply box once closed");
  });

  it("no console errors, page errors or CSP violations on the pages", () => {
    assert.deepEqual(opened.problems, []);
    // The second console's only expected line: Chromium logging the 401 of "am I signed in?".
    assert.deepEqual(second.problems.filter((p) => !/status of 401 .*\/console\/api\/me\)$/.test(p)), []);
  });

  it("signs out back to the sign-in form", async () => {
    const { page } = opened;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const me = await page.evaluate(() => fetch("/console/api/me").then((r) => r.status));
    assert.equal(me, 401);
  });
});

describe("agent console, a long queue", () => {
  it("counts everyone waiting, lists the oldest and says how many more wait, live", async () => {
    // A server that lists two: what `queue.shown_to_agents` (50) does to
    // a long queue, with a short one.
    const shared = env.server;
    env.server = await startHelpdockServer({ env: { HELPDOCK_QUEUE_SHOWN_TO_AGENTS: "2" } });
    const visitors = [];
    let opened;
    try {
      for (const note of ["first in line", "second in line", "third in line"]) {
        const v = await Visitor.start("en");
        visitors.push(v);
        await v.startConversation(deposit(note));
      }
      opened = await openConsole();
      const { page } = opened;
      await signIn(page);
      await page.locator("#queue-count", { hasText: /^3$/ }).waitFor();
      await page.locator("#queue-more", { hasText: "1 more waiting; the oldest are listed." }).waitFor();
      await page.locator(".queue-item", { hasText: "second in line" }).waitFor();
      assert.equal(await page.locator(".queue-item").count(), 2, "the oldest two");
      assert.match(await page.title(), /3 waiting/);
      // Another joins at the end: the count moves, the list does not.
      const late = await Visitor.start("en");
      visitors.push(late);
      await late.startConversation(deposit("fourth in line"));
      await page.locator("#queue-more", { hasText: "2 more waiting" }).waitFor();
      assert.equal(await page.locator("#queue-count").textContent(), "4");
      // The first is taken: the third moves into the list.
      await page.locator(".queue-item", { hasText: "first in line" }).getByRole("button", { name: /^Accept/ }).click();
      await page.locator(".queue-item", { hasText: "third in line" }).waitFor();
      await page.locator("#queue-count", { hasText: /^3$/ }).waitFor();
      assert.equal(await page.locator(".queue-item").count(), 2);
    } finally {
      for (const v of visitors) await v.close();
      await opened?.context.close();
      await env.server.close();
      env.server = shared;
    }
  });
});

describe("console API security", () => {
  it("refuses a state-changing request without the CSRF token", async () => {
    const login = await fetch(`${env.server.url}/console/api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: env.server.agent.email, password: env.server.agent.password }),
    });
    assert.equal(login.status, 200);
    const { csrfToken } = await login.json();
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    assert.ok(cookie, "a session cookie is set");
    const logoutWithout = await fetch(`${env.server.url}/console/api/logout`, { method: "POST", headers: { Cookie: cookie } });
    assert.equal(logoutWithout.status, 403);
    const uploadWithout = await fetch(`${env.server.url}/console/api/attachments`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "image/png", "X-Filename": "a.png" },
      body: png(),
    });
    assert.equal(uploadWithout.status, 403);
    // The session still works (the refused logout did nothing), and with the token it ends.
    const me = await fetch(`${env.server.url}/console/api/me`, { headers: { Cookie: cookie } });
    assert.equal(me.status, 200);
    const logout = await fetch(`${env.server.url}/console/api/logout`, { method: "POST", headers: { Cookie: cookie, "X-CSRF-Token": csrfToken } });
    assert.equal(logout.status, 204);
  });
});
