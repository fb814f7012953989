// Prints what the release widget costs a host page to transfer, compressed
// the way servers send it, and fails when it exceeds the budget.
//
//   node scripts/size-budget.mjs [dist]      (after `trunk build --release`)

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 640_000; // everything the widget loads, gzip -9 (the launcher alone is ~8 KB); why in BENCHMARKS.md

const dist = process.argv[2] ?? "dist";
// What mount() fetches at once, then what it fetches lazily.
const initial = ["helpdock.js", "helpdock.css"];
const lazy = ["wasm/helpdock.js", "wasm/helpdock_bg.wasm"];

const measure = (name) => {
  const bytes = readFileSync(join(dist, name));
  return {
    name,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const rows = [...initial, ...lazy].map(measure);
const sum = (names, key) => rows.filter((r) => names.includes(r.name)).reduce((n, r) => n + r[key], 0);
const kb = (n) => (n / 1000).toFixed(1).padStart(8) + " KB";

console.log(`${"file".padEnd(26)}${"raw".padStart(11)}${"gzip".padStart(11)}${"brotli".padStart(11)}`);
for (const r of rows) console.log(`${r.name.padEnd(26)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);
for (const [label, names] of [["initial (before first use)", initial], ["total", [...initial, ...lazy]]]) {
  console.log(`${label.padEnd(26)}${kb(sum(names, "raw"))}${kb(sum(names, "gzip"))}${kb(sum(names, "brotli"))}`);
}
const total = sum([...initial, ...lazy], "gzip");
if (total > BUDGET_GZIP_BYTES) {
  console.error(`size budget exceeded: ${kb(total).trim()} gzip > ${kb(BUDGET_GZIP_BYTES).trim()}`);
  process.exit(1);
}
console.log(`size budget ok: ${kb(total).trim()} gzip <= ${kb(BUDGET_GZIP_BYTES).trim()}`);
