#!/usr/bin/env bash
# Installs everything building and testing Helpdock needs, idempotently:
# each tool is installed only when it is missing or at the wrong version.
# Works offline except for the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at exactly the version Cargo.lock resolved (the glue
#    must match the wasm-bindgen crate the widget links).
WB_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
if [ -z "$WB_VERSION" ]; then echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version)" != "wasm-bindgen $WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (a few minutes)"
  # --locked can fail when a crate in the CLI's own lock file was yanked;
  # then let cargo pick compatible versions.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# 3. wasm-split-cli: cuts the widget's wasm at its #[wasm_split] points
#     (scripts/build-widget.sh). Its version goes with the splitter runtime
#     Leptos re-exports (wasm_split_helpers 0.2).
SPLIT_VERSION=0.2.4
if ! command -v wasm-split-cli >/dev/null || ! cargo install --list | grep -qx "wasm_split_cli_support v$SPLIT_VERSION:"; then
  say "installing wasm-split-cli $SPLIT_VERSION (a few minutes)"
  cargo install wasm_split_cli_support --version "$SPLIT_VERSION" --features build-binary --locked --force \
    || cargo install wasm_split_cli_support --version "$SPLIT_VERSION" --features build-binary --force
fi

# 4. npm tools: wasm-opt (binaryen; Debian's is too old), esbuild (minifies
#    the loader, the glue and the stylesheet), playwright-core
#    (drives Debian's Chromium; never downloads a browser), axe-core, ws (the
#    live-chat tests play the agent over a socket with Cookie and Origin
#    headers, which Node's own WebSocket cannot set). `npm ls` fails when any
#    of them is missing, and only then does `npm ci` run.
if ! npm ls --depth=0 >/dev/null 2>&1; then
  say "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund
fi

# 5. Chromium and chromedriver for the browser tests, and CJK fonts so the
#    Chinese interface renders (and is screenshotted) as users see it.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
# 6. For the reference server's tests: PostgreSQL (the same tests run on it
#    as on SQLite), Redis (nodes of a cluster share frames, presence and
#    rate limits through it), nginx (the load balancer in front of a
#    cluster's nodes, scripts/cluster.sh) and aiosmtpd (a real SMTP sink on
#    loopback for the transcript e-mail).
dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || missing+=(nginx)
dpkg -s python3-aiosmtpd >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt_install "${missing[@]}"
fi

# 7. The crates the workspace builds with: the build scripts compile
#    offline (`--offline`), so a fresh machine fetches them here first
#    (nothing is downloaded when they are already there).
cargo fetch --quiet

say "ready: $(rustc --version | cut -d' ' -f1-2), $(wasm-bindgen --version), wasm-split-cli $SPLIT_VERSION, $(wasm-opt --version 2>/dev/null), $(chromium --version 2>/dev/null)"
