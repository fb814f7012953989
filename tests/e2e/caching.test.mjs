// The demo as a CDN would serve it (issue 11), seen from Debian's Chromium:
// the widget's files arrive brotli-compressed, and on a second visit the
// only widget files the server hears about are revalidations of the stable
// names (helpdock.js → 304); content-hashed names come from the browser's
// cache without a request.
//
//   node --test tests/e2e/caching.test.mjs   (after the release build, as the other browser tests)
//
// Chromium advertises `br` over plain http to loopback addresses (it sends
// `gzip, deflate, br, zstd` to http://127.0.0.1), so brotli is required,
// not gzip. Whether a response came from the server or from the cache is
// read from the DevTools protocol: `Network.responseReceivedExtraInfo` is
// sent only for responses that came over the network (with the status the
// server sent, 304 included), `response.fromDiskCache` and
// `Network.requestServedFromCache` mark the cached ones.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { launcher, panel, startAll, widgetReady } from "./harness.mjs";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

const CONTENT_HASHED = /\.[0-9a-f]{16}\.[^./]+$/;

/**
 * Whether a same-origin URL is one of the widget's own files (its loader,
 * its stylesheet, its wasm and glue, its content packs) rather than the
 * demo page's, the API's or the console's.
 */
function widgetAsset(url) {
  const { pathname } = new URL(url);
  if (!/\.(wasm|js|css|hdpk)$/.test(pathname) || /^\/(api|console|bench)\//.test(pathname)) return false;
  const name = pathname.slice(pathname.lastIndexOf("/") + 1);
  return name.startsWith("helpdock") || name.endsWith(".hdpk") || /\/(wasm|packs)\//.test(pathname);
}

/**
 * Records, per request of `page`, what the DevTools protocol says about it:
 * { url, status, network (it reached the server), networkStatus (what the
 * server answered), headers (as the server sent them), cached }.
 */
async function recordNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  const requests = new Map();
  const pending = new Set();
  let lastChange = Date.now();
  const entry = (id) => {
    if (!requests.has(id)) requests.set(id, { id, network: false, cached: false, headers: {} });
    return requests.get(id);
  };
  const lower = (headers) => Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  cdp.on("Network.requestWillBeSent", ({ requestId, request }) => {
    entry(requestId).url = request.url;
    pending.add(requestId);
    lastChange = Date.now();
  });
  cdp.on("Network.requestServedFromCache", ({ requestId }) => {
    entry(requestId).cached = true;
  });
  cdp.on("Network.responseReceivedExtraInfo", ({ requestId, statusCode, headers }) => {
    Object.assign(entry(requestId), { network: true, networkStatus: statusCode, headers: lower(headers) });
  });
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const e = entry(requestId);
    e.url = response.url;
    e.status = response.status;
    if (response.fromDiskCache || response.fromPrefetchCache || response.fromServiceWorker) e.cached = true;
    if (!Object.keys(e.headers).length) e.headers = lower(response.headers);
  });
  const done = ({ requestId }) => {
    pending.delete(requestId);
    lastChange = Date.now();
  };
  cdp.on("Network.loadingFinished", done);
  cdp.on("Network.loadingFailed", done);
  await cdp.send("Network.enable");
  return {
    /** The widget's requests so far. */
    widget: () => [...requests.values()].filter((r) => r.url && widgetAsset(r.url)),
    /** Resolves once no request has been in flight for `quietMs`. */
    async settled(quietMs = 750) {
      const until = Date.now() + 30_000;
      while (pending.size || Date.now() - lastChange < quietMs) {
        assert.ok(Date.now() < until, `requests still in flight: ${[...pending].map((id) => requests.get(id)?.url)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    detach: () => cdp.detach(),
  };
}

/** Opens the demo in `page`, opens the widget and waits until it and its requests have settled. */
async function visit(page) {
  const network = await recordNetwork(page);
  await page.goto(`${env.server.url}/?lang=en`);
  await widgetReady(page);
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await network.settled();
  return network;
}

const describeRequest = (r) =>
  `${new URL(r.url).pathname}: ${r.network ? `server ${r.networkStatus ?? r.status}` : "cache"}, content-encoding ${r.headers["content-encoding"] ?? "none"}`;

describe("caching and compression", () => {
  it("sends the widget brotli-compressed, and a second visit only revalidates its stable names", async (t) => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const problems = [];
    context.on("weberror", (err) => problems.push(`pageerror: ${err.error().message}`));

    // First visit: an empty cache, everything from the server, compressed.
    const first = await context.newPage();
    const firstNetwork = await visit(first);
    const firstWidget = firstNetwork.widget();
    const listing = (requests) => requests.map(describeRequest).join("\n");
    assert.ok(
      firstWidget.some((r) => new URL(r.url).pathname.endsWith(".wasm")),
      `the widget's wasm was not among the requests:\n${listing(firstWidget)}`,
    );
    // A file asked for twice on one page (a preload, then the import) may
    // come from the memory cache the second time; each must have come from
    // the server once.
    for (const url of new Set(firstWidget.map((r) => r.url))) {
      assert.ok(
        firstWidget.some((r) => r.url === url && r.network && r.networkStatus === 200),
        `first visit: ${url} never came from the server:\n${listing(firstWidget)}`,
      );
    }
    for (const r of firstWidget.filter((r) => r.network)) {
      const hashed = CONTENT_HASHED.test(new URL(r.url).pathname);
      if (r.networkStatus === 304 && !hashed) continue; // a revalidation of a stable name
      assert.equal(r.networkStatus, 200, describeRequest(r));
      // The build writes no compressed sibling that would not be smaller
      // (the pack's 90-byte manifest): that one is sent as it is.
      const tiny = Number(r.headers["content-length"] ?? Infinity) < 200;
      if (!tiny) assert.equal(r.headers["content-encoding"], "br", `first visit, brotli: ${describeRequest(r)}`);
      assert.match(r.headers.vary ?? "", /accept-encoding/i, describeRequest(r));
      assert.equal(r.headers["cache-control"], hashed ? "public, max-age=31536000, immutable" : "no-cache", describeRequest(r));
      if (!hashed) assert.ok(r.headers.etag, `a revalidated name needs an ETag: ${describeRequest(r)}`);
    }
    const wasm = firstWidget.find((r) => new URL(r.url).pathname.endsWith(".wasm"));
    assert.match(
      new URL(wasm.url).pathname,
      CONTENT_HASHED,
      "the widget's wasm has no content hash in its name (the build should write wasm/helpdock.<16 hex>.wasm)",
    );
    await firstNetwork.detach();

    // Second visit, same browser (and so the same HTTP cache): a new
    // navigation to the page, not a reload.
    await first.goto("about:blank");
    const secondNetwork = await visit(first);
    const secondWidget = secondNetwork.widget();
    assert.ok(
      secondWidget.some((r) => r.url === wasm.url && !r.network),
      `the second visit did not take the wasm from the cache:\n${listing(secondWidget)}`,
    );
    const reachedServer = secondWidget.filter((r) => r.network);
    for (const r of reachedServer) {
      const { pathname } = new URL(r.url);
      assert.ok(!CONTENT_HASHED.test(pathname), `a content-hashed file was asked for again: ${describeRequest(r)}`);
      assert.equal(r.networkStatus, 304, `a stable name is revalidated, not downloaded again: ${describeRequest(r)}`);
    }
    // Once the build hashes every name but the loader hosts import, the
    // loader is all that is left to revalidate.
    const stable = reachedServer.map((r) => new URL(r.url).pathname).filter((p) => !p.endsWith("/helpdock.js"));
    if (stable.length) t.diagnostic(`revalidated besides helpdock.js (names without a content hash): ${stable.join(", ")}`);
    assert.deepEqual(problems, []);
    await secondNetwork.detach();
    await context.close();
  });
});
