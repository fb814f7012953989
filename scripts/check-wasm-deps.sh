#!/usr/bin/env bash
# Fails if the widget's wasm build would pull in a native-only crate (an
# async runtime, sockets, a database driver) or a getrandom without its JS
# backend. See ARCHITECTURE.md, "Keeping the wasm build safe".
set -euo pipefail
cd "$(dirname "$0")/.."

tree=$(cargo tree -p helpdock --target wasm32-unknown-unknown -e normal,no-proc-macro --prefix none --format '{p} {f}')
forbidden='^(tokio|mio|socket2|hyper|axum|sqlx[a-z_-]*|libsqlite3-sys|redis|lettre|reqwest|argon2) '
if bad=$(grep -E "$forbidden" <<<"$tree" | sort -u) && [ -n "$bad" ]; then
  echo "the widget's wasm dependency tree contains native-only or oversized crates:" >&2
  echo "$bad" >&2
  exit 1
fi
while read -r line; do
  case "$line" in
    *wasm_js*|*js*) ;;
    *) echo "getrandom without its JS backend in the wasm build: $line" >&2; exit 1 ;;
  esac
done < <(grep -E '^getrandom ' <<<"$tree" | sort -u)
# Our own crates keep regex out of the browser (size); leptos_config's use
# of it is dead code in client-side rendering and removed by LTO.
direct=$(cargo tree -p helpdock -p helpdock-core --target wasm32-unknown-unknown -e normal --depth 1 --prefix none --format '{p}')
if grep -qE '^regex ' <<<"$direct"; then
  echo "helpdock or helpdock-core depends on regex directly; the widget avoids it for size" >&2
  exit 1
fi
echo "wasm dependency tree ok: $(sort -u <<<"$tree" | wc -l) crates, none native-only"
