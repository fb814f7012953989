#!/usr/bin/env bash
# Builds everything and serves the demo with the reference server: the host
# page with the widget, under the strict Content-Security-Policy, live chat,
# and the agent console, on http://127.0.0.1:${PORT:-8080}/ (the server
# prints the demo agent's sign-in; the data is in ./helpdock-demo.sqlite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
scripts/build.sh
cargo build --release -p helpdock-server
exec target/release/helpdock-server serve --demo --static dist --listen "127.0.0.1:${PORT:-8080}"
