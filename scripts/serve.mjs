// Serves a built folder (dist/) on loopback with the strict
// Content-Security-Policy Helpdock promises to work under. The demo and the
// browser tests now use the reference server (crates/helpdock-server), which
// sends the same headers; this stays as a dependency-free static server and
// as the tests' copy of the policy (CSP must equal the server's
// http/files.rs CSP). `img-src blob: data:` is for the widget's previews of
// images about to be sent.
//
//   node scripts/serve.mjs [--dir dist] [--port 8080] [--host 127.0.0.1]

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".hdpk": "application/octet-stream",
};

/** Starts the server; resolves to { url, close() } once it listens. */
export function startServer({ dir = "dist", port = 8080, host = "127.0.0.1" } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const headers = {
      "Content-Security-Policy": CSP,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "Cache-Control": "no-cache",
    };
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      // The benchmark page is cross-origin isolated for a finer timer.
      if (path.startsWith("/bench/")) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      }
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) throw Object.assign(new Error("outside"), { code: "ENOENT" });
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (err) {
      const missing = err.code === "ENOENT" || err.code === "ENOTDIR";
      res.writeHead(missing ? 404 : 500, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
      res.end(missing ? "Not found\n" : "Server error\n");
      if (!missing) console.error(`serve: ${req.url}: ${err.message}`);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        url: `http://${host}:${actual}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await startServer({
    dir: arg("dir", "dist"),
    port: Number(arg("port", process.env.PORT ?? 8080)),
    host: arg("host", "127.0.0.1"),
  });
  console.log(`Helpdock demo: ${url}/  (served with Content-Security-Policy: ${CSP})`);
}
