#!/usr/bin/env bash
# The live-chat load test, in one command:
#
#   scripts/load.sh [VISITORS] [AGENTS] [RATE] [DURATION] [-- generator options]
#
# Builds the release server and the load generator
# (crates/helpdock-server/examples/load.rs), starts the server on a free
# loopback port over a throwaway SQLite file holding AGENTS agents, runs the
# generator (VISITORS visitor sockets, AGENTS console sockets, RATE
# messages/s in all for DURATION seconds), stops the server, and prints the
# generator's summary line:
#
#   sockets=N sent=N delivered=N lost=N duplicated=N p50_ms=X p99_ms=Y
#
# Defaults: 10000 visitors, 100 agents, 2000 messages/s, 60 s (the target
# one server process should hold). The exit status is the generator's: 0
# when every socket stayed open and every message arrived exactly once.
# LOAD_DATABASE=postgres://… runs against PostgreSQL instead (a fresh,
# empty database). Not part of scripts/test.sh: it takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

visitors=${1:-10000}
agents=${2:-100}
rate=${3:-2000}
duration=${4:-60}
shift $(($# < 4 ? $# : 4))
[ "${1:-}" = "--" ] && shift

cargo build --release -p helpdock-server --bins --example load >&2
# HELPDOCK_SERVER_BIN runs another build of the server (to compare two).
server_bin=${HELPDOCK_SERVER_BIN:-target/release/helpdock-server}
load_bin=target/release/examples/load

# Both processes hold one descriptor per socket (and the server a few per
# SQLite connection); raise the soft limit as far as the hard one allows.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
need=$((visitors + agents + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "load.sh: $need open files needed, the limit is $(ulimit -n) (raise the hard limit: ulimit -Hn)" >&2
  exit 2
fi
# Every visitor socket goes from 127.0.0.1 to the one server port, so each
# needs its own ephemeral port (agents connect from their own addresses).
if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
  read -r low high </proc/sys/net/ipv4/ip_local_port_range
  if [ $((high - low + 1)) -lt $((visitors + 256)) ]; then
    echo "load.sh: $visitors visitor sockets need as many local ports; net.ipv4.ip_local_port_range has $((high - low + 1))" >&2
    exit 2
  fi
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/helpdock-load.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

database=${LOAD_DATABASE:-$dir/load.sqlite}
# Each visitor sends RATE*(1-reply share)/VISITORS messages a second; the
# per-visitor limit (30 a minute by default) is raised only when that pace
# (with a margin of two) would pass it.
per_visitor_per_minute=$(( (rate * 60 * 2 + visitors - 1) / visitors ))
messages_per_minute=$(( per_visitor_per_minute > 30 ? per_visitor_per_minute : 30 ))
cat >"$dir/load.toml" <<EOF
# Written by scripts/load.sh for one load run; only what the run needs
# differs from the defaults.
listen = "127.0.0.1:0"
database = "$database"
static_dir = "$dir/no-static-files"

[limits]
# Every visitor of the run comes from 127.0.0.1 and makes three requests
# (session, conversation, socket upgrade), so the per-IP limit (600 a
# minute, meant for one abusive client) would stop the ramp at once.
requests_per_minute = 10000000
# Likewise the open sockets per client address.
sockets_per_ip = 1000000
messages_per_minute = $messages_per_minute
EOF

# Agents sign in with a password made for this run.
password="quiet-harbour-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "load.sh: adding $agents agents" >&2
for j in $(seq 1 "$agents"); do
  echo "$password" | "$server_bin" agent add --config "$dir/load.toml" \
    --email "load-agent-$j@example.com" --name "Load Agent $j" --password-stdin >/dev/null
done

"$server_bin" serve --config "$dir/load.toml" >"$dir/server.out" 2>"$dir/server.log" &
server_pid=$!
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/^helpdock-server listening on \(http:[^ ]*\)$/\1/p' "$dir/server.out")
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$dir/server.log" >&2
    exit 2
  fi
  sleep 0.1
done
[ -n "$url" ] || { echo "load.sh: the server did not start" >&2; cat "$dir/server.log" >&2; exit 2; }
echo "load.sh: server $url (pid $server_pid), $visitors visitors, $agents agents, $rate msg/s, $duration s" >&2

status=0
"$load_bin" --url "$url" --visitors "$visitors" --agents "$agents" --rate "$rate" --duration "$duration" \
  --agent-password "$password" --server-pid "$server_pid" "$@" || status=$?
if [ -s "$dir/server.log" ]; then
  echo "load.sh: the server logged:" >&2
  tail -n 20 "$dir/server.log" >&2
fi
exit "$status"
