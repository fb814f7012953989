// Times search inside Chromium on the wasm build (bench/index.html) at 100,
// 1 000 and 10 000 articles, prints the figures, and checks the budget:
// p99 ≤ 1 ms per query at 10 000 articles.
//
//   node --test tests/e2e/bench.test.mjs      (after `scripts/build.sh`)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { after, before, it } from "node:test";

import { DIST, startAll } from "./harness.mjs";

const SIZES = [100, 1000, 10000];
const P99_BUDGET_MICROS = 1000;

let env;
before(async () => {
  mkdirSync(`${DIST}/bench`, { recursive: true });
  for (const size of SIZES) {
    execFileSync("target/release/helpdock", ["pack", "synth", "content/starter", "--articles", String(size), "-o", `${DIST}/bench/pack-${size}.hdpk`], { stdio: "inherit" });
  }
  env = await startAll();
});
after(async () => {
  await env?.close();
});

/** One run of the benchmark page: every size, timed in the page. */
async function measure() {
  const page = await env.browser.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${env.server.url}/bench/?sizes=${SIZES.join(",")}`);
  await page.waitForFunction(() => window.benchResults, null, { timeout: 120_000 });
  const report = await page.evaluate(() => window.benchResults);
  assert.equal(report.error, undefined, report.error);
  assert.deepEqual(problems, []);
  await page.close();
  return report;
}

// A tail latency on a shared 2-core machine can catch another process's
// burst: a run over budget is repeated, up to three runs, and the best one
// counts. Three runs over budget in a row is a regression.
it("search latency in wasm stays within budget", async () => {
  let best;
  for (let run = 1; run <= 3; run++) {
    const report = await measure();
    console.log(`run ${run}: wasm search in ${report.userAgent} (crossOriginIsolated: ${report.crossOriginIsolated})`);
    console.log("articles  pack KB  open ms  p50 µs  p99 µs  max µs  right first");
    for (const r of report.results) {
      console.log(
        `${String(r.articles).padStart(8)} ${r.packKB.toFixed(0).padStart(8)} ${r.openMs.toFixed(1).padStart(8)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)} ${r.max.toFixed(1).padStart(7)}  ${r.rightFirst.toFixed(3)}`,
      );
      assert.ok(r.rightFirst >= 0.8, `${r.articles} articles: only ${r.rightFirst} right first`);
    }
    if (!best || report.results.at(-1).p99 < best.p99) best = report.results.at(-1);
    if (best.p99 <= P99_BUDGET_MICROS) break;
  }
  assert.ok(best.p99 <= P99_BUDGET_MICROS, `p99 ${best.p99.toFixed(1)} µs at ${best.articles} articles exceeds ${P99_BUDGET_MICROS} µs in three runs`);
});
