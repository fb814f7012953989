#!/usr/bin/env bash
# Runs every test: formatting and lints, the core's and the CLI's tests, the wasm
# dependency guard, the release build and its size budget, the reference
# server's tests on SQLite and PostgreSQL, and the browser tests in headless
# Chromium against the release server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all --check
node scripts/check-css.mjs

step "lints (native core and CLI, wasm widget)"
cargo clippy -p helpdock-core -p helpdock-cli --features helpdock-core/build,helpdock-core/schema --all-targets -- -D warnings
cargo clippy -p helpdock -p helpdock-example-leptos-host --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p helpdock-server -p helpdock-conformance -p helpdock-fuzz --all-targets -- -D warnings

step "core and CLI tests"
cargo test -p helpdock-core -p helpdock-cli --features helpdock-core/build,helpdock-core/schema

step "the browser build pulls in nothing native-only"
scripts/check-wasm-deps.sh

step "the example Leptos host builds for the browser"
cargo build -p helpdock-example-leptos-host --target wasm32-unknown-unknown

step "release build"
scripts/build.sh

step "size budget"
node scripts/size-budget.mjs dist

step "reference server tests (SQLite), and the conformance suite's own tests against it"
cargo test -p helpdock-server
cargo test -p helpdock-conformance

step "the fuzz targets over their corpora and past crashes (scripts/fuzz.sh fuzzes them)"
cargo test -p helpdock-fuzz

step "reference server tests (PostgreSQL)"
pg_url=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop "$pg_url"' EXIT
HELPDOCK_TEST_POSTGRES_URL=$pg_url cargo test -p helpdock-server --test server

step "protocol conformance suite against the release server (PostgreSQL, then SQLite)"
scripts/conformance.sh "$pg_url"
scripts/postgres.sh stop "$pg_url"
trap - EXIT

scripts/conformance.sh

step "reference server release build (the browser tests run it)"
cargo build --release -p helpdock-server

step "browser tests (Chromium)"
node --test --test-concurrency=1 tests/e2e/
