// The in-browser search benchmark. Loads the widget's wasm, the starter
// pack's questions, and synthetic packs of each size (built by the test
// harness with `helpdock pack synth`), then times every question in each.
// Results land in window.benchResults for tests/e2e/bench.test.mjs. The
// exports answer through a callback (the first call fetches the wasm chunk
// they live in); these wrap them in promises.
import init, { benchSearch as benchSearchCb, packQuestions as packQuestionsCb } from "../wasm/helpdock.js";

const promised = (call) => (...args) =>
  new Promise((resolve, reject) => call(...args, (error, result) => (error == null ? resolve(result) : reject(new Error(error)))));
const benchSearch = promised(benchSearchCb);
const packQuestions = promised(packQuestionsCb);

const REPEAT = 10;
const sizes = (new URLSearchParams(location.search).get("sizes") ?? "100,1000,10000").split(",").map(Number);

const bytes = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};
const percentile = (sorted, p) => sorted[Math.round((sorted.length - 1) * p)];

async function run() {
  await init({ module_or_path: new URL("../wasm/helpdock_bg.wasm", import.meta.url) });
  // The starter's example questions are the queries: scripts/build.sh
  // writes this page a whole pack with their text (the parts the widget
  // fetches leave it out).
  const starter = await bytes("starter.hdpk");
  const queries = await packQuestions(starter);
  // An untimed run first: V8 starts wasm on its baseline compiler and
  // swaps in optimised code in the background; the figures are for the
  // optimised code a widget runs on after its first few searches.
  await benchSearch(starter, queries, REPEAT);
  const results = [];
  for (const size of sizes) {
    const pack = await bytes(`pack-${size}.hdpk`);
    const r = JSON.parse(await benchSearch(pack, queries, REPEAT));
    const sorted = [...r.micros].sort((a, b) => a - b);
    const row = {
      articles: size,
      packKB: pack.length / 1000,
      openMs: r.open_ms,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1],
      queries: r.total,
      rightFirst: r.right / r.total,
    };
    results.push(row);
    const tr = document.createElement("tr");
    for (const v of [row.articles, row.packKB.toFixed(0), row.openMs.toFixed(1), row.p50.toFixed(1), row.p99.toFixed(1), row.max.toFixed(1), row.rightFirst.toFixed(3)]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.append(td);
    }
    document.getElementById("rows").append(tr);
  }
  document.getElementById("status").textContent = `Done (crossOriginIsolated: ${self.crossOriginIsolated}).`;
  window.benchResults = { crossOriginIsolated: self.crossOriginIsolated, userAgent: navigator.userAgent, results };
}

run().catch((err) => {
  document.getElementById("status").textContent = `Failed: ${err.message}`;
  window.benchResults = { error: String(err) };
});
