// A live chat through a cluster (scripts/cluster.sh): nginx, round robin
// and no sticky sessions, in front of two reference-server nodes sharing
// PostgreSQL and Redis. The user's widget reaches the nodes only through
// the load balancer; the agent's console socket is on a node of its own.
// The node the widget is connected to is killed with SIGKILL while both
// sides keep writing: the widget reconnects through the load balancer to a
// node still alive, and every message, acknowledged before or after the
// kill, arrives exactly once on both sides, in order. The same when
// PostgreSQL stops for a while (what the user types waits in the widget's
// outbox) and when Redis is killed and comes back empty.
//
//   node --test tests/e2e/cluster.test.mjs
//   (after `scripts/build.sh` and `cargo build --release -p helpdock-server`;
//   needs postgresql, redis-server and nginx, which scripts/setup.sh installs)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { chromium } from "playwright-core";

import { CHROMIUM, ROOT, launcher, panel, signInAgent, widgetReady } from "./harness.mjs";

const PASSWORD = "amber-kite-orbit-42-cluster";
let dir;
let lbPort;
let browser;
const clusterEnv = () => ({ ...process.env, HELPDOCK_CLUSTER_DIR: dir, PORT: String(lbPort), HELPDOCK_DEMO_PASSWORD: PASSWORD });
const cluster = (...args) =>
  execFileSync(join(ROOT, "scripts", "cluster.sh"), args, { cwd: ROOT, env: clusterEnv(), stdio: ["ignore", "pipe", "inherit"] }).toString();
const nodeUrl = async (i) => `http://127.0.0.1:${(await readFile(join(dir, `node-${i}.port`), "utf8")).trim()}`;

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "helpdock-cluster-e2e-")), "cluster");
  lbPort = await freePort();
  cluster("start", "2");
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});

after(async () => {
  await browser?.close();
  if (dir) {
    cluster("stop");
    await rm(join(dir, ".."), { recursive: true, force: true });
  }
});

const w = (page, selector) => page.locator(`helpdock-widget ${selector}`);

async function say(page, selector, text) {
  await w(page, selector).fill(text);
  await w(page, selector).press("Enter");
}

/** The agent (the seeded demo admin) on node `i`, on a socket of its own. */
const agentOn = async (i) => signInAgent({ url: await nodeUrl(i), agent: { email: "demo@example.com", password: PASSWORD } });

/** A user on the demo page (through the load balancer) handed over to the agent on node `agentNode`. */
async function conversation(agentNode) {
  const agent = await agentOn(agentNode);
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: "en" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(`http://127.0.0.1:${lbPort}/?lang=en`);
  await widgetReady(page);
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await w(page, "#hd-tab-chat").click();
  await w(page, ".hd-categories").waitFor({ state: "attached" });
  await say(page, "#hd-chat-input", "my deposit has not arrived");
  await w(page, ".hd-answer").waitFor();
  await say(page, "#hd-chat-input", "human");
  await w(page, ".hd-live-header").waitFor();
  const id = await (
    await page.waitForFunction(() => JSON.parse(localStorage.getItem("helpdock:live") ?? "{}").conversation)
  ).jsonValue();
  await agent.next((f) => f.type === "queue_changed" && f.waiting.some((c) => c.id === id), "the conversation in the queue");
  await agent.accept(id);
  await w(page, ".hd-agent-name").waitFor();
  return { agent, context, page, problems, id, visitorSaid: [], agentSaid: [] };
}

/** One message each way: the user's typed (the widget keeps it until it is acknowledged), the agent's acknowledged. */
async function exchange(c, label) {
  c.visitorSaid.push(`user ${label}`);
  await say(c.page, "#hd-live-input", `user ${label}`);
  c.agentSaid.push(`agent ${label}`);
  await c.agent.say(c.id, `agent ${label}`);
}

/** Each message stored once, in order, and shown once, in order, on both sides; nothing left in the outbox. */
async function everythingOnce(c, heardFrom) {
  const { page, agent, id, visitorSaid, agentSaid } = c;
  const last = visitorSaid.at(-1);
  await agent.next((f) => f.type === "message" && f.message.body === last, "the user's last message");
  await w(page, ".hd-live-log .hd-from-agent").filter({ hasText: agentSaid.at(-1) }).waitFor();
  await w(page, ".hd-live-log .hd-from-visitor").filter({ hasText: last }).locator('[data-delivery="sent"]').waitFor();
  await w(page, ".hd-link-banner[hidden]").waitFor({ state: "attached" });
  // Give a doubled message every chance to show up.
  await page.waitForTimeout(1500);
  const detail = await agent.get(`/console/api/conversations/${id}`);
  const stored = (kind) => detail.detail.messages.filter((m) => m.author.kind === kind).map((m) => m.body);
  assert.deepEqual(stored("visitor"), visitorSaid);
  assert.deepEqual(stored("agent"), agentSaid);
  const shown = async (selector) => (await w(page, `.hd-live-log ${selector}`).allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(await shown(".hd-from-visitor .hd-bubble"), visitorSaid);
  assert.deepEqual(await shown(".hd-from-agent .hd-bubble"), agentSaid);
  // The agent's socket heard what the user wrote after `heardFrom`, once each.
  const heard = agent.visitorMessages(id).map((f) => f.message.body);
  assert.deepEqual(heard, visitorSaid.slice(visitorSaid.indexOf(heardFrom)));
  assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).outbox), []);
  assert.deepEqual(c.problems, []);
}

describe("a cluster of two nodes behind nginx", () => {
  it("keeps a live chat going when the node the widget is connected to is killed", async () => {
    const c = await conversation(2);
    await exchange(c, "before");
    // Node 1 goes. Wherever the widget was, it is on node 2 afterwards.
    cluster("kill", "1");
    await exchange(c, "while node 1 is down, 1");
    await exchange(c, "while node 1 is down, 2");
    await w(c.page, ".hd-live-log .hd-from-agent").filter({ hasText: "agent while node 1 is down, 2" }).waitFor();
    cluster("restart", "1");

    // The agent moves to node 1; then node 2, which holds the widget's
    // socket for sure, goes while both keep writing.
    c.agent.close();
    c.agent = await agentOn(1);
    const killed = exchange(c, "as node 2 is killed");
    cluster("kill", "2");
    await killed;
    await exchange(c, "after node 2 was killed, 1");
    await exchange(c, "after node 2 was killed, 2");
    await everythingOnce(c, "user as node 2 is killed");
    cluster("restart", "2");
    c.agent.close();
    await c.context.close();
  });

  it("keeps what the user types while PostgreSQL is down and delivers it once when it is back", async () => {
    const c = await conversation(1);
    await exchange(c, "before the outage");
    cluster("postgres", "pause");
    c.visitorSaid.push("user during the outage, 1", "user during the outage, 2");
    await say(c.page, "#hd-live-input", "user during the outage, 1");
    await say(c.page, "#hd-live-input", "user during the outage, 2");
    await c.page.waitForTimeout(2000);
    const outbox = await c.page.evaluate(() => JSON.parse(localStorage.getItem("helpdock:live")).outbox.map((p) => p.body));
    assert.deepEqual(outbox, ["user during the outage, 1", "user during the outage, 2"], "waiting in the outbox");
    cluster("postgres", "resume");
    await exchange(c, "after the outage");
    await everythingOnce(c, "user before the outage");
    c.agent.close();
    await c.context.close();
  });

  it("loses nothing when Redis is killed mid-conversation and comes back empty", async () => {
    const c = await conversation(2);
    await exchange(c, "before Redis went");
    cluster("redis", "kill");
    await exchange(c, "while Redis is gone");
    cluster("redis", "restart");
    // Once subscribed again, each node ends the sockets it holds: the
    // console's here (the test plays it and reconnects by hand), the
    // widget's wherever it was (it reconnects by itself and resumes).
    await c.agent.closed;
    c.agent = await agentOn(2);
    await exchange(c, "after Redis came back");
    await everythingOnce(c, "user after Redis came back");
    c.agent.close();
    await c.context.close();
  });
});
