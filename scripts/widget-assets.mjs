// Names the widget's files by their content and points the loader at them.
//
//   node scripts/widget-assets.mjs WORK OUT
//
// WORK holds what scripts/build-widget.sh made: the JS glue `helpdock.js`,
// the main module `helpdock_bg.wasm`, the split chunks `*.wasm` and the
// chunk loader `__wasm_split.js`. Into OUT this writes
//
//   wasm/<name>.<16 hex>.{wasm,js}  every module and script, hashed;
//   helpdock.<16 hex>.css           the stylesheet, hashed (and helpdock.css,
//                                   for Leptos hosts that link it themselves);
//   helpdock.js                     the stable loader hosts import, with the
//                                   hashed names written into its ASSETS line;
//   wasm/strings.<tag>.<16 hex>.txt each locale's catalogue but English's
//                                   (widget and core, from WORK/strings),
//                                   fetched when the widget shows it;
//   wasm/transport.<16 hex>.js      the adapter for a host's own transport
//                                   (js/transport.js), fetched only with one;
//   wasm/parts.json                 which file belongs to which load.
//
// The chunks are `split_people.wasm` (live chat and tickets) and
// `split_bench.wasm` (the benchmark page's exports).
//
// A hashed name is served `immutable` (a year); only helpdock.js is
// revalidated. The glue and the chunk loader import each other, so they
// share one hash: that of everything they name.
//
// Every script and the stylesheet are minified with esbuild (a transform,
// not a bundle: exports, `import.meta.url` and the glue's import-object
// keys stay as they are). The sources keep their comments.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { transformSync } from "esbuild";

const [work, out] = process.argv.slice(2);
if (!work || !out) {
  console.error("usage: node scripts/widget-assets.mjs WORK OUT");
  process.exit(2);
}
const root = new URL("..", import.meta.url).pathname;
const hash = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, 16);
};
const fail = (message) => {
  console.error(`widget-assets: ${message}`);
  process.exit(1);
};
const minify = (code, loader) =>
  transformSync(code, { loader, format: loader === "js" ? "esm" : undefined, minify: true, legalComments: "none" }).code;
const replaceAll = (text, from, to, where) => {
  if (!text.includes(from)) fail(`${where} does not mention ${from}; the splitter or wasm-bindgen changed its output`);
  return text.split(from).join(to);
};

const wasmDir = join(out, "wasm");
rmSync(wasmDir, { recursive: true, force: true });
mkdirSync(wasmDir, { recursive: true });

// The chunks: leaves, named by their own bytes.
const chunks = readdirSync(work).filter((f) => f.endsWith(".wasm") && f !== "helpdock_bg.wasm");
const chunkNames = {};
for (const file of chunks) {
  const bytes = readFileSync(join(work, file));
  const name = `${file.slice(0, -".wasm".length)}.${hash(bytes)}.wasm`;
  writeFileSync(join(wasmDir, name), bytes);
  chunkNames[file] = name;
}

const mainBytes = readFileSync(join(work, "helpdock_bg.wasm"));
const mainName = `helpdock_bg.${hash(mainBytes)}.wasm`;
writeFileSync(join(wasmDir, mainName), mainBytes);

// The glue and the chunk loader name each other: one hash over both texts
// and every chunk's name.
let glue = readFileSync(join(work, "helpdock.js"), "utf8");
let splitJs = readFileSync(join(work, "__wasm_split.js"), "utf8");
// A host's own transport (js/transport.js) stands in for fetch, WebSocket
// and XMLHttpRequest: the glue reaches them through `net`, the page's own
// unless `setTransport` is called (only a page that passes a transport does).
glue = replaceAll(glue, "arg0.fetch(", "net.fetch(", "the glue");
glue = replaceAll(glue, "new WebSocket(", "new net.WebSocket(", "the glue");
glue = replaceAll(glue, "new XMLHttpRequest(", "new net.XMLHttpRequest(", "the glue");
glue = `let net = globalThis;\n/** Routes the widget's requests and live connection through a host's transport (js/transport.js). */\nexport function setTransport(bridge) {\n  net = bridge;\n}\n${glue}`;
const version = hash(glue, splitJs, ...Object.values(chunkNames));
const glueName = `helpdock.${version}.js`;
const splitName = `__wasm_split.${version}.js`;
// Only the import statement: the wasm module's own import is keyed by the
// original name in the glue's import object.
glue = replaceAll(glue, 'from "./__wasm_split.js"', `from "./${splitName}"`, "the glue");
splitJs = replaceAll(splitJs, 'from "./helpdock.js"', `from "./${glueName}"`, "__wasm_split.js");
for (const [file, name] of Object.entries(chunkNames)) {
  splitJs = replaceAll(splitJs, `"./${file}"`, `"./${name}"`, "__wasm_split.js");
}
writeFileSync(join(wasmDir, glueName), minify(glue, "js"));
writeFileSync(join(wasmDir, splitName), minify(splitJs, "js"));

// The stylesheet.
const css = minify(readFileSync(join(root, "style/helpdock.css"), "utf8"), "css");
const cssName = `helpdock.${hash(css)}.css`;
for (const f of readdirSync(out)) if (/^helpdock\.[0-9a-f]{16}\.css/.test(f)) rmSync(join(out, f));
writeFileSync(join(out, cssName), css);
writeFileSync(join(out, "helpdock.css"), css);

// Each locale's catalogue but English (compiled in), as `helpdock strings`
// wrote it into WORK/strings: fetched when the widget first shows that
// locale.
const strings = {};
for (const file of readdirSync(join(work, "strings")).filter((f) => /^strings\.[A-Za-z-]+\.txt$/.test(f)).sort()) {
  const text = readFileSync(join(work, "strings", file));
  const tag = file.slice("strings.".length, -".txt".length);
  const name = `strings.${tag}.${hash(text)}.txt`;
  writeFileSync(join(wasmDir, name), text);
  // Unhashed too, for a widget mounted without this loader (a Leptos host).
  writeFileSync(join(wasmDir, file), text);
  strings[tag] = `wasm/${name}`;
}

// The adapter for a host's own transport, fetched only by a page that has one.
const transportJs = minify(readFileSync(join(root, "js/transport.js"), "utf8"), "js");
const transportName = `transport.${hash(transportJs)}.js`;
writeFileSync(join(wasmDir, transportName), transportJs);

// The loader: its ASSETS line names this build's files.
const assets = { glue: `wasm/${glueName}`, wasm: `wasm/${mainName}`, css: cssName, strings, transport: `wasm/${transportName}` };
const loaderSource = readFileSync(join(root, "js/helpdock.js"), "utf8");
const assetsLine = /^const ASSETS = \{[^\n]*\};$/m;
if (!assetsLine.test(loaderSource)) fail("js/helpdock.js has no `const ASSETS = {…};` line to rewrite");
writeFileSync(join(out, "helpdock.js"), minify(loaderSource.replace(assetsLine, `const ASSETS = ${JSON.stringify(assets)};`), "js"));

// The benchmark page (copied by scripts/build.sh) imports the glue itself.
const bench = join(out, "bench/bench.js");
if (existsSync(bench)) {
  let text = readFileSync(bench, "utf8");
  text = replaceAll(text, "../wasm/helpdock.js", `../wasm/${glueName}`, "bench/bench.js");
  text = replaceAll(text, "../wasm/helpdock_bg.wasm", `../wasm/${mainName}`, "bench/bench.js");
  writeFileSync(bench, text);
}

// What each load fetches, for scripts/size-budget.mjs and the tests. A
// chunk is named after its split point (`split_people`, `split_bench`);
// code that two points share goes into a `chunk_N` that the loader fetches
// with either, and that __wasm_split.js lists under a `/* point, point */`
// comment: it counts in each of their loads.
const points = ["people", "bench"];
const sharedBy = {};
for (const m of readFileSync(join(work, "__wasm_split.js"), "utf8").matchAll(/\/\* ([a-z_, ]+) \*\/\s*const __(chunk_\d+) = /g)) {
  sharedBy[`${m[2]}.wasm`] = m[1].split(",").map((p) => p.trim());
}
const loadOf = (file) => (file.startsWith("split_") ? [file.slice("split_".length, -".wasm".length)] : sharedBy[file]);
for (const file of Object.keys(chunkNames)) {
  const load = loadOf(file);
  if (!load || load.some((p) => !points.includes(p))) fail(`unexpected chunk ${file}: give its split point a load in wasm/parts.json`);
}
const chunksOf = (point) =>
  Object.entries(chunkNames)
    .filter(([file]) => loadOf(file).includes(point))
    .map(([, name]) => `wasm/${name}`);
const parts = {
  initial: ["helpdock.js", cssName],
  shell: [`wasm/${glueName}`, `wasm/${splitName}`, `wasm/${mainName}`],
  people: chunksOf("people"),
  // Only the benchmark page (bench/) fetches these.
  bench: chunksOf("bench"),
  // One of these, for a user whose interface is not in English.
  strings,
  // Only a page that passes its own transport fetches this.
  transport: [`wasm/${transportName}`],
};
writeFileSync(join(wasmDir, "parts.json"), JSON.stringify(parts, null, 2) + "\n");
console.log(`widget-assets: ${[...new Set([...Object.values(parts).filter(Array.isArray).flat(), ...Object.values(strings)])].join(", ")}`);
