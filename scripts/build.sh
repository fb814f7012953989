#!/usr/bin/env bash
# Builds dist/ (or OUT): the demo host page and its files, the benchmark
# page, the starter pack (a manifest and one part per locale) and the widget
# (scripts/build-widget.sh: split, optimised, hashed), every compressible
# file beside its .br and .gz. What the reference server serves with
# `--static dist`, and what a host copies to its CDN.
#
#   scripts/build.sh [OUT]
#
# Offline: scripts/setup.sh installed the pinned tools. Bad content fails the
# build with the CLI's file:line: field: message errors.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
out=${1:-dist}
stage="$out.partial"
rm -rf "$stage"
mkdir -p "$stage"
cp index.html demo/demo.js demo/demo.css demo/favicon.svg "$stage/"
cp -r bench "$stage/bench"
cargo run --offline --quiet --release -p helpdock-cli -- \
  pack build "${HELPDOCK_CONTENT:-content/starter}" -o "$stage/starter.hdpk"
# The benchmark page asks the starter's example questions, which the parts
# browsers fetch leave out: it gets a whole pack of its own.
target/release/helpdock pack build --whole "${HELPDOCK_CONTENT:-content/starter}" -o "$stage/bench/starter.hdpk"
bash scripts/build-widget.sh "$stage"
rm -rf "$out"
mv "$stage" "$out"
echo "build: $out/ ready"
