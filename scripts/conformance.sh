#!/usr/bin/env bash
# Runs the protocol conformance suite (crates/helpdock-conformance) against
# the reference server as anyone would run it against theirs: the release
# server as a process on a free loopback port, with the reference agent
# driver, every answer and frame checked against docs/protocol/.
#
#   scripts/conformance.sh                              # on SQLite, in a temporary folder
#   scripts/conformance.sh postgres://USER@HOST:PORT/DB # on a fresh database of that PostgreSQL
#
# Prints one line per case and `N passed, N failed, N skipped`; exits 1 when
# a case failed. Builds what it runs (release).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -q -p helpdock-server -p helpdock-conformance

dir=$(mktemp -d "${TMPDIR:-/tmp}/helpdock-conformance.XXXXXX")
server_pid=
created_db=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$created_db" ]; then psql -q "$1" -c "DROP DATABASE IF EXISTS \"$created_db\"" >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap 'cleanup "${1:-}"' EXIT

if [ -n "${1:-}" ]; then
  case "$1" in postgres://*|postgresql://*) ;; *) echo "conformance.sh: expected a postgres:// URL, got $1" >&2; exit 2;; esac
  created_db="hd_conformance_$$"
  psql -q "$1" -c "CREATE DATABASE \"$created_db\"" >/dev/null
  database="${1%/*}/$created_db"
else
  database="$dir/conformance.sqlite"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
backend="http://127.0.0.1:$port"
secret="conformance-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
password="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$password" | target/release/helpdock-server agent add --email conformance@example.com \
  --name Conformance --role admin --password-stdin --database "$database" >/dev/null
HELPDOCK_HOST_SECRET="$secret" target/release/helpdock-server serve --database "$database" \
  --listen "127.0.0.1:$port" --static "$dir" >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$dir/server.log" >&2; exit 1; fi
  sleep 0.1
done

HELPDOCK_AGENT_PASSWORD="$password" target/release/helpdock-conformance --backend "$backend" --host-secret "$secret" \
  --agent-driver "target/release/helpdock-conformance reference-agent --backend $backend --email conformance@example.com" \
  || { echo "conformance.sh: the server's log:" >&2; tail -n 40 "$dir/server.log" >&2; exit 1; }
