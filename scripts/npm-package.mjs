// Assembles the widget's npm package from a release build and packs it:
// `@helpdock/widget`, the ES module hosts import (`helpdock.js`), its type
// declarations (`helpdock.d.ts`), the stylesheet and the wasm, nothing of
// the demo, the content pack or the benchmark page.
//
//   scripts/build.sh && node scripts/npm-package.mjs [--dist dist] [--out target/npm]
//
// Prints the tarball's path (`npm pack`); `npm install PATH` installs it.

import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const dist = resolve(option("--dist", join(root, "dist")));
const out = resolve(option("--out", join(root, "target", "npm")));

const version = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
if (!version) throw new Error("no workspace version in Cargo.toml");

const pkg = join(out, "package");
rmSync(pkg, { recursive: true, force: true });
mkdirSync(join(pkg, "wasm"), { recursive: true });

// The loader, its stylesheet and the wasm files it names; precompressed
// copies are left to the host's server or CDN.
const top = readdirSync(dist).filter((f) => f === "helpdock.js" || /^helpdock\.[0-9a-f]+\.css$/.test(f));
if (!top.includes("helpdock.js") || top.length !== 2) {
  throw new Error(`${dist} is not a release build (expected helpdock.js and one helpdock.<hash>.css; run scripts/build.sh)`);
}
for (const file of top) cpSync(join(dist, file), join(pkg, file));
for (const file of readdirSync(join(dist, "wasm")).filter((f) => !/\.(br|gz)$/.test(f))) {
  cpSync(join(dist, "wasm", file), join(pkg, "wasm", file));
}
cpSync(join(root, "js", "helpdock.d.ts"), join(pkg, "helpdock.d.ts"));

writeFileSync(
  join(pkg, "package.json"),
  JSON.stringify(
    {
      name: "@helpdock/widget",
      version,
      description: "Helpdock: an in-app support widget (help centre, an in-browser bot, live chat and tickets with any protocol-v1 backend).",
      license: "MIT OR Apache-2.0",
      type: "module",
      main: "./helpdock.js",
      types: "./helpdock.d.ts",
      exports: { ".": { types: "./helpdock.d.ts", default: "./helpdock.js" }, "./package.json": "./package.json" },
      files: ["helpdock.js", "helpdock.d.ts", ...top.filter((f) => f.endsWith(".css")), "wasm/"],
      sideEffects: false,
    },
    null,
    2,
  ) + "\n",
);
writeFileSync(
  join(pkg, "README.md"),
  `# @helpdock/widget

\`\`\`js
import { mount } from "@helpdock/widget";
const hd = await mount(document.body, { pack: "/help/starter.hdpk", backend: "https://support.example.com" });
\`\`\`

Serve this folder's files as they are (\`helpdock.js\` finds its stylesheet and
\`wasm/\` beside itself, or under \`assetsBase\`), with \`application/wasm\` for
\`.wasm\`. Types: \`helpdock.d.ts\`. The configuration, events and the protocol
are documented in the Helpdock repository's README and docs/protocol.md.
`,
);

const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: pkg, encoding: "utf8" })
  .trim()
  .split("\n")
  .pop();
console.log(join(out, tarball));
