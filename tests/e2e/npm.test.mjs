// The widget as a JavaScript host team gets it: `npm pack`ed, installed into
// a scratch host app, type-checked with `tsc` against its declarations, and
// mounted in Chromium with the host's own transport — written here in
// JavaScript, relaying to the reference server — instead of `backend`.
//
//   node --test tests/e2e/npm.test.mjs      (after `scripts/build.sh`)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { DIST, ROOT, launchChromium, signInAgent, startHelpdockServer, widgetReady } from "./harness.mjs";

let scratch;
let server;
let browser;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "helpdock-npm-"));
  const tarball = execFileSync("node", [join(ROOT, "scripts/npm-package.mjs"), "--dist", DIST, "--out", join(scratch, "pack")], {
    encoding: "utf8",
  }).trim();
  const app = join(scratch, "app");
  mkdirSync(join(app, "help"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-host", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", tarball], { cwd: app });
  for (const f of readdirSync(DIST).filter((f) => f.startsWith("starter.") && f.endsWith(".hdpk"))) {
    cpSync(join(DIST, f), join(app, "help", f));
  }
  cpSync(join(ROOT, "tests/e2e/fixtures/npm-host"), app, { recursive: true });
  // The reference server serves the scratch app (one origin, its strict CSP)
  // and is what the host's transport relays to.
  server = await startHelpdockServer({ dist: app });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `interface NAME { … }` blocks of a declarations file: name → { fields: {name: optional}, methods, schema }. */
function interfaces(dts) {
  const found = {};
  for (const m of dts.matchAll(/(?:\/\*\* @schema ([\w#-]+) \*\/\s*)?export interface (\w+)(?:<[^>]*>)? \{\n([\s\S]*?)\n\}/g)) {
    const fields = {};
    for (const f of m[3].matchAll(/^  (?:"([^"]+)"|(\w+))(\?)?(\(|<|:)/gm)) fields[f[1] ?? f[2]] = { optional: Boolean(f[3]), method: f[4] !== ":" };
    found[m[2]] = { schema: m[1], fields };
  }
  return found;
}

describe("the declarations", () => {
  const dts = readFileSync(join(ROOT, "js/helpdock.d.ts"), "utf8");
  const declared = interfaces(dts);

  it("mirror the protocol's JSON Schemas, field by field and in what is optional", () => {
    const mirrored = Object.entries(declared).filter(([, d]) => d.schema);
    assert.ok(mirrored.length >= 15, `protocol types found: ${mirrored.map(([n]) => n)}`);
    for (const [name, { schema, fields }] of mirrored) {
      const [file, def] = schema.split("#");
      const doc = JSON.parse(readFileSync(join(ROOT, "docs/protocol", `${file}.json`), "utf8"));
      const s = def ? doc.$defs[def] : doc;
      assert.ok(s, `${name}: no schema ${schema}`);
      assert.deepEqual(Object.keys(fields).sort(), Object.keys(s.properties).sort(), `${name} has the fields of ${schema}`);
      const required = Object.entries(fields).filter(([, f]) => !f.optional).map(([k]) => k).sort();
      assert.deepEqual(required, [...(s.required ?? [])].sort(), `${name}: the fields ${schema} requires are the ones not optional`);
    }
  });

  it("name the loader's methods and events", () => {
    const loader = readFileSync(join(ROOT, "js/helpdock.js"), "utf8");
    const list = (name) => JSON.parse(new RegExp(`^const ${name} = (\\[[^\\]]*\\]);`, "m").exec(loader)[1]);
    assert.deepEqual(Object.keys(declared.HelpdockEvents.fields).sort(), list("EVENTS").sort());
    const methods = Object.keys(declared.HelpdockHandle.fields).sort();
    assert.deepEqual(methods, [...list("METHODS"), "on", "off", "ready", "destroy"].sort());
    const adapter = readFileSync(join(ROOT, "js/transport.js"), "utf8");
    const operations = JSON.parse(/^export const OPERATIONS = (\[[^\]]*\]);/m.exec(adapter)[1]);
    assert.deepEqual(Object.keys(declared.HelpdockTransport.fields).sort(), operations.sort());
  });
});

describe("the npm package", () => {
  it("installs with its module, wasm, stylesheet and declarations, and nothing of the demo", () => {
    const pkg = join(scratch, "app", "node_modules", "@helpdock", "widget");
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    assert.equal(manifest.name, "@helpdock/widget");
    assert.equal(manifest.exports["."].types, "./helpdock.d.ts");
    const files = readdirSync(pkg);
    for (const want of ["helpdock.js", "helpdock.d.ts", "README.md"]) assert.ok(files.includes(want), `${want} in ${files}`);
    assert.ok(files.some((f) => /^helpdock\.[0-9a-f]{16}\.css$/.test(f)), `a hashed stylesheet in ${files}`);
    const wasm = readdirSync(join(pkg, "wasm"));
    assert.ok(wasm.some((f) => /^helpdock_bg\.[0-9a-f]{16}\.wasm$/.test(f)), `the shell in ${wasm}`);
    assert.ok(wasm.some((f) => /^split_people\.[0-9a-f]{16}\.wasm$/.test(f)), `the people module in ${wasm}`);
    assert.ok(wasm.some((f) => /^transport\.[0-9a-f]{16}\.js$/.test(f)), `the transport adapter in ${wasm}`);
    for (const not of ["index.html", "demo.js", "bench", "starter.hdpk"]) assert.ok(!files.includes(not), `${not} is not packed`);
  });

  it("type-checks a TypeScript host against the declarations (and they reject what the widget would)", () => {
    const tsc = join(ROOT, "node_modules", ".bin", "tsc");
    const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"];
    execFileSync(tsc, [...args, "--lib", "es2022,dom", "host.ts"], { cwd: join(scratch, "app"), stdio: "pipe" });
    // And a host that gets the types wrong does not compile: the
    // declarations are not `any` in disguise.
    let out = "";
    try {
      execFileSync(tsc, [...args, "--lib", "es2022,dom", "wrong.ts"], { cwd: join(scratch, "app"), stdio: "pipe" });
    } catch (err) {
      out = String(err.stdout);
    }
    for (const mistake of ["middle", "opened", "'ticket'", "brandColour"]) assert.match(out, new RegExp(mistake), out);
  });

  it("mounts in a plain ES-module page with the host's own transport, and the user reaches a person through it", async () => {
    const agent = await signInAgent(server);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()}`));
    // Every call to the backend must come from the host's transport (it
    // marks its requests): the widget itself reaches nothing.
    const unmarked = [];
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/api/") && !req.headers()["x-host-relay"]) unmarked.push(req.url());
    });
    await page.goto(`${server.url}/index.html`);
    await widgetReady(page);
    const w = (selector) => page.locator(`helpdock-widget ${selector}`);
    await w(".hd-launcher").click();
    await w("#hd-tab-chat").click();
    await w("#hd-chat-input").fill("human");
    await w("#hd-chat-input").press("Enter");
    await w(".hd-live-header").waitFor();
    const started = await agent.next((f) => f.type === "queue_changed" && f.waiting.length > 0, "the conversation in the queue");
    const conversation = started.waiting.at(-1).id;
    await agent.accept(conversation);
    await agent.say(conversation, "Hello from the team, how can I help?");
    await w(".hd-live-log").getByText("Hello from the team, how can I help?").waitFor();
    await w("#hd-live-input").fill("My deposit has not arrived");
    await w("#hd-live-input").press("Enter");
    await agent.next(
      (f) => f.type === "message" && f.message.conversation === conversation && f.message.body === "My deposit has not arrived",
      "the user's message at the agent",
    );
    const used = await page.evaluate(() => window.relayed);
    for (const op of ["session", "startConversation", "connect"]) assert.ok(used.includes(op), `the widget called ${op}: ${used}`);
    assert.ok(used.includes("send:hello") && used.includes("send:send"), `frames went through the transport: ${used}`);
    assert.deepEqual(unmarked, [], "the widget reached the backend only through the transport");
    assert.deepEqual(problems, []);
    agent.close();
    await context.close();
  });

  it("says which operations a host's transport lacks", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
    await page.goto(`${server.url}/partial.html`);
    // The adapter is plugged in before the widget mounts.
    await widgetReady(page);
    const said = errors.find((e) => e.includes("`transport` lacks"));
    assert.ok(said, `a console error names the missing operations: ${errors}`);
    assert.match(said, /startConversation, conversation, connect, upload/);
    assert.doesNotMatch(said, /\bsession\b|\btickets\b/);
    await context.close();
  });
});
