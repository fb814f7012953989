// Prints what the release widget costs a host page to transfer, compressed
// the way servers send it, load by load, and fails when a load exceeds its
// budget (gzip -9; brotli 11 beside it, as the reference server sends it).
//
//   node scripts/size-budget.mjs [dist]      (after `scripts/build.sh`)
//
// The loads are those wasm/parts.json lists (written by
// scripts/widget-assets.mjs from what the splitter made):
//   initial  what mount() fetches at once: the loader and the stylesheet;
//   help+bot everything a user who never reaches a person downloads;
//   people   live chat and tickets, fetched on the first hand-over;
//   strings  one catalogue per locale but English, fetched when the widget
//            shows that locale: Help + bot and the whole count the largest,
//            so every locale's user is within the gate;
// and the content pack, one part per locale (only the active one is fetched).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const KB = 1000;
// `target` is the promise (issue 11); `gate` is what the test command
// enforces today: the measured figure, rounded up, so that nothing may grow
// while the work towards the target goes on. Where the two differ the
// target is not met yet, and the table says by how much. A gate is only
// ever lowered.
const LOADS = {
  initial: { target: 10 * KB, gate: 10 * KB },
  helpBot: { target: 200 * KB, gate: 340 * KB },
  people: { target: 150 * KB, gate: 169.6 * KB },
  whole: { target: 250 * KB, gate: 509.6 * KB }, // the target is a stretch figure
  packPart: { target: 90 * KB, gate: 90 * KB },
};

const dist = process.argv[2] ?? "dist";
const parts = JSON.parse(readFileSync(join(dist, "wasm/parts.json"), "utf8"));

const measure = (name) => {
  const bytes = readFileSync(join(dist, name));
  return {
    name,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const total = (rows) => rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const kb = (n) => (n / KB).toFixed(1).padStart(9) + " KB";
const limits = (load) =>
  load ? `${(load.gate / KB).toFixed(1).padStart(8)} KB${(load.target / KB).toFixed(0).padStart(8)} KB` : "";
const line = (label, r, load) => console.log(`${label.padEnd(52)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}${limits(load)}`);

const initial = parts.initial.map(measure);
const shell = parts.shell.map(measure);
const people = parts.people.map(measure);
const catalogues = Object.entries(parts.strings ?? {}).map(([tag, file]) => ({ tag, ...measure(file) }));
// Fetched only by a page that passes its own transport: reported, in no load.
const adapter = (parts.transport ?? []).map(measure);
const largest = catalogues.reduce((a, b) => (b.gzip > (a?.gzip ?? -1) ? b : a), null);
const inLocale = largest ? [largest] : [];
if (people.length === 0) {
  console.error("size budget: the build has no people chunk; live chat and tickets would load with Help");
  process.exit(1);
}

console.log(`${"file".padEnd(52)}${"raw".padStart(12)}${"gzip".padStart(12)}${"brotli".padStart(12)}${"gate".padStart(11)}${"target".padStart(11)}`);
for (const r of [...initial, ...shell, ...people, ...catalogues, ...adapter]) line(r.name, r);
console.log();

const checks = [];
const row = (label, rows, load) => {
  const t = total(rows);
  line(label, t, load);
  checks.push({ label, gzip: t.gzip, ...load });
  return t;
};
row("before the launcher is used (loader + CSS)", initial, LOADS.initial);
line("Help + bot in English (strings compiled in)", total([...initial, ...shell]));
row(`Help + bot (never reaches a person; in ${largest?.tag ?? "en"})`, [...initial, ...shell, ...inLocale], LOADS.helpBot);
row("live chat + tickets on top", people, LOADS.people);
row(`whole widget (in ${largest?.tag ?? "en"})`, [...initial, ...shell, ...people, ...inLocale], LOADS.whole);

// The starter pack: the manifest, then each locale's part.
const packParts = readdirSync(dist).filter((f) => /^starter\.[A-Za-z-]+\.[0-9a-f]{16}\.hdpk$/.test(f)).sort();
const manifest = measure("starter.hdpk");
for (const file of packParts) {
  const locale = file.split(".")[1];
  row(`starter pack, ${locale} (manifest + part)`, [manifest, measure(file)], LOADS.packPart);
}

console.log();
for (const c of checks.filter((c) => c.gzip > c.target)) {
  console.log(`target not met yet: ${c.label}: ${kb(c.gzip).trim()} gzip, target ${kb(c.target).trim()} (${kb(c.gzip - c.target).trim()} over)`);
}
const over = checks.filter((c) => c.gzip > c.gate);
for (const c of over) console.error(`size budget exceeded: ${c.label}: ${kb(c.gzip).trim()} gzip > gate ${kb(c.gate).trim()}`);
if (over.length) process.exit(1);
const closest = checks.reduce((a, c) => (c.gate - c.gzip < a.gate - a.gzip ? c : a));
console.log(`size budget ok: ${checks.length} loads within their gates (closest: ${closest.label}, ${closest.gate - closest.gzip} bytes under)`);
