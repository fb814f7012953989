#!/usr/bin/env bash
# Builds everything and serves the demo: the host page with the widget, under
# the strict Content-Security-Policy, on http://127.0.0.1:${PORT:-8080}/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
trunk build --release --offline
exec node scripts/serve.mjs --dir dist --port "${PORT:-8080}"
