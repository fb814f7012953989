// Drops wasm-bindgen glue that no host or chunk can reach: the exported
// classes of wasm-streams (IntoUnderlyingSource, IntoUnderlyingByteSource,
// IntoUnderlyingSink), which Leptos's server-function support links in and
// Helpdock never uses, and the warnings for calling conventions Helpdock
// does not use. scripts/build-widget.sh removes their wasm exports
// (`wasm-opt --remove-exports`), and with them the code they kept alive;
// this removes the JS classes that called them.
//
//   node scripts/prune-glue.mjs GLUE.js
//
// Fails if the glue does not look as expected, so a wasm-bindgen upgrade
// that changes its shape is noticed rather than shipped half-pruned.
import { readFileSync, writeFileSync } from "node:fs";


const file = process.argv[2];
let glue = readFileSync(file, "utf8");
const before = glue.length;
const classes = /^export class IntoUnderlying\w+ \{\n[\s\S]*?^\}\n(?:if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype\[Symbol\.dispose\] = .*\n)?/gm;
const registries = /^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm;
const found = [glue.match(classes)?.length ?? 0, glue.match(registries)?.length ?? 0];
if (found[0] !== 3 || found[1] !== 3) {
  console.error(`prune-glue: expected 3 IntoUnderlying* classes and 3 registries in ${file}, found ${found.join(" and ")}`);
  process.exit(1);
}
glue = glue.replace(classes, "").replace(registries, "");
// The warnings for wasm-bindgen's older calling conventions never fire: the
// loader and the benchmark page pass `{ module_or_path }`, and the chunk
// loader calls `initSync()` only once the module is running.
for (const [name, warning] of [
  ["module", "using deprecated parameters for `initSync()`; pass a single object instead"],
  ["module_or_path", "using deprecated parameters for the initialization function; pass a single object instead"],
]) {
  const block = `    if (${name} !== undefined) {
        if (Object.getPrototypeOf(${name}) === Object.prototype) {
            ({${name}} = ${name})
        } else {
            console.warn('${warning}')
        }
    }`;
  if (!glue.includes(block)) {
    console.error(`prune-glue: ${file} does not unwrap { ${name} } as expected (did wasm-bindgen change its output?)`);
    process.exit(1);
  }
  glue = glue.replace(block, `    if (${name} !== undefined) ({ ${name} } = ${name});`);
}
if (/intounderlying/i.test(glue)) {
  console.error(`prune-glue: ${file} still mentions IntoUnderlying* after pruning`);
  process.exit(1);
}
writeFileSync(file, glue);
console.log(`prune-glue: ${file} ${before} -> ${glue.length} bytes`);
