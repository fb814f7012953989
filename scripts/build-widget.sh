#!/usr/bin/env bash
# Builds the widget into OUT (default dist/; scripts/build.sh calls it):
#
#   1. cargo builds the widget crate for wasm32 (relocations kept, see
#      .cargo/config.toml);
#   2. wasm-split-cli cuts the module at its `#[wasm_split]` points: the main
#      module (the shell: Help, the bot, flows, the secrets guard) and the
#      `people` chunk (live chat, tickets, the wire types), fetched on demand;
#   3. wasm-bindgen writes the JS glue for the main module (keeping the
#      exports the chunk links against); scripts/prune-glue.mjs drops the
#      glue of wasm-streams' classes, which nothing uses (their wasm exports
#      go in step 4);
#   4. wasm-opt -Oz shrinks every module;
#   5. `helpdock strings` writes each locale's catalogue (but English, which
#      is compiled in) in the form the widget fetches;
#   6. scripts/widget-assets.mjs gives every file a content-hashed name,
#      points the stable loader (helpdock.js) at them, and writes
#      wasm/parts.json (which file belongs to which load, for
#      scripts/size-budget.mjs);
#   7. scripts/precompress.mjs writes the .br and .gz siblings a server sends.
#
# Nothing is downloaded: scripts/setup.sh installed the pinned tools.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

out=${1:-dist}
# HELPDOCK_PROFILE=dev: an unoptimised build, for a quicker edit-and-reload.
if [ "${HELPDOCK_PROFILE:-release}" = dev ]; then profile=dev; dir=debug; else profile=wasm-release; dir=wasm-release; fi

# A panic's location names its source file: shortened here to the crate's
# path (`/cargo/<crate>/…`, `/helpdock/…`), which saves bytes and makes the
# build the same whichever folder, home or registry index it is made in. Added to .cargo/config.toml's
# rustflags (configuration arrays are joined).
remaps="\"--remap-path-prefix=$PWD=/helpdock\""
for index in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  remaps="$remaps, \"--remap-path-prefix=${index%/}=/cargo\""
done
remap="target.wasm32-unknown-unknown.rustflags=[$remaps]"
cargo build --offline --quiet --config "$remap" --target wasm32-unknown-unknown --profile "$profile" -p helpdock --lib
input=target/wasm32-unknown-unknown/$dir/helpdock.wasm

work=target/widget
rm -rf "$work"
mkdir -p "$work/split" "$work/out"
wasm-split-cli "$input" "$work/split" --out-name helpdock >/dev/null
wasm-bindgen --target web --keep-lld-exports --no-typescript --out-dir "$work/out" --out-name helpdock "$work/split/helpdock.wasm"
node scripts/prune-glue.mjs "$work/out/helpdock.js" >/dev/null
for chunk in "$work/split"/*.wasm; do
  [ "$(basename "$chunk")" = helpdock.wasm ] || cp "$chunk" "$work/out/"
done
cp "$work/split/__wasm_split.js" "$work/out/"
# Every locale's catalogue but English's, in the form the widget fetches.
cargo run --offline --quiet --release -p helpdock-cli -- strings -o "$work/out/strings"

if [ "$profile" = wasm-release ]; then
  # The features every browser Helpdock supports has shipped since 2021.
  features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
    --enable-mutable-globals --enable-reference-types --enable-multivalue)
  for module in "$work/out"/*.wasm; do
    # The main module's wasm-streams exports (see scripts/prune-glue.mjs)
    # go first, so -Oz removes the code only they reached.
    prune=()
    [ "$(basename "$module")" = helpdock_bg.wasm ] && prune=(--remove-exports='*intounderlying*')
    wasm-opt "${prune[@]}" -Oz "${features[@]}" "$module" -o "$module"
  done
fi

node scripts/widget-assets.mjs "$work/out" "$out"
node scripts/precompress.mjs "$out" >/dev/null
