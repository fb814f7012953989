// Writes FILE.br (brotli, quality 11) and FILE.gz (gzip, level 9) beside
// every compressible file under DIR, for a server that sends a file's
// precompressed sibling to browsers that accept it (the reference server's
// ServeDir; nginx's gzip_static and brotli_static; most CDNs' origin pulls).
//
//   node scripts/precompress.mjs dist
//
// Re-running rewrites every sibling from the current file. A sibling that
// would not be smaller is not written, and one left from an earlier build is
// removed, as is a sibling whose file is gone: a server sends FILE.br even
// when FILE is missing, so a stale sibling would be served as the file.
// Node's own zlib only.

import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const EXTENSIONS = new Set(["js", "mjs", "css", "wasm", "hdpk", "html", "svg", "json", "txt"]);
// Brotli's text mode suits these; wasm and packs are binary.
const TEXT = new Set(["js", "mjs", "css", "html", "svg", "json", "txt"]);

const ENCODINGS = [
  {
    suffix: ".br",
    compress: (bytes, ext) =>
      promisify(brotliCompress)(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: TEXT.has(ext) ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      }),
  },
  { suffix: ".gz", compress: (bytes) => promisify(gzip)(bytes, { level: constants.Z_BEST_COMPRESSION }) },
];

const extension = (name) => name.slice(name.lastIndexOf(".") + 1).toLowerCase();
const compressible = (name) => name.includes(".") && EXTENSIONS.has(extension(name));
const sibling = (name) => ENCODINGS.find((e) => name.endsWith(e.suffix));

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function main(dir) {
  if (!dir || !(await stat(dir).catch(() => null))?.isDirectory()) {
    console.error("usage: node scripts/precompress.mjs DIR   (DIR: a folder, e.g. dist)");
    process.exit(2);
  }
  const totals = { files: 0, bytes: 0, ".br": 0, ".gz": 0, skipped: 0, removed: 0 };
  const all = [];
  for await (const path of files(dir)) all.push(path);
  for (const path of all) {
    const encoding = sibling(path);
    if (encoding) {
      const original = path.slice(0, -encoding.suffix.length);
      if (compressible(original) && !(await exists(original))) {
        await rm(path);
        totals.removed++;
      }
      continue;
    }
    if (!compressible(path)) continue;
    const bytes = await readFile(path);
    totals.files++;
    totals.bytes += bytes.length;
    for (const { suffix, compress } of ENCODINGS) {
      const packed = await compress(bytes, extension(path));
      if (packed.length < bytes.length) {
        // Written aside, then renamed: a server never sends half a file.
        await writeFile(`${path}${suffix}.tmp`, packed);
        await rename(`${path}${suffix}.tmp`, `${path}${suffix}`);
        totals[suffix] += packed.length;
      } else {
        await rm(`${path}${suffix}`, { force: true });
        totals[suffix] += bytes.length;
        totals.skipped++;
      }
    }
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const notes = [
    totals.skipped && `${totals.skipped} siblings not smaller, left out`,
    totals.removed && `${totals.removed} stale removed`,
  ].filter(Boolean);
  console.log(
    `precompress ${dir}: ${totals.files} files, ${kb(totals.bytes)} → ` +
      `${kb(totals[".br"])} br, ${kb(totals[".gz"])} gzip${notes.length ? ` (${notes.join(", ")})` : ""}`,
  );
}

await main(process.argv[2]);
