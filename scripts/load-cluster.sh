#!/usr/bin/env bash
# The live-chat load test against a cluster, in one command:
#
#   scripts/load-cluster.sh [VISITORS] [AGENTS] [RATE] [DURATION] [-- generator options]
#
# Starts PostgreSQL, Redis, two nodes and nginx in front of them
# (scripts/cluster.sh, on loopback), adds AGENTS agents, and runs the load
# generator (crates/helpdock-server/examples/load.rs) through the load
# balancer: VISITORS visitor sockets, AGENTS console sockets, RATE
# messages/s for DURATION seconds. Node 1 is killed with SIGKILL 20 s into
# the timed phase and started again 10 s later (KILL=0: no kill); every
# socket the kill closes reconnects through nginx, resumes, and sends again
# what was not acknowledged. Stops everything after and prints the
# generator's line, with the reconnect storm's p99 and `killed=N`:
#
#   sockets=N sent=N delivered=N lost=N duplicated=N p50_ms=X p99_ms=Y storm_p99_ms=Z killed=1
#
# Defaults: 10000 visitors, 100 agents, 2000 messages/s, 60 s. Not part of
# scripts/test.sh: it takes minutes.
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
[ -f dist/index.html ] || scripts/build.sh >&2
load_bin=target/release/examples/load

hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
# Each process needs one descriptor per socket it holds: the generator all
# of them (nginx, which holds two per socket, raises its own limit:
# worker_rlimit_nofile, as root).
need=$((visitors + agents + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "load-cluster.sh: $need open files needed, the limit is $(ulimit -n)" >&2
  exit 2
fi

export HELPDOCK_CLUSTER_DIR
HELPDOCK_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/helpdock-load-cluster.XXXXXX")/cluster
export PORT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Every visitor comes from 127.0.0.1 (through nginx, named by
# X-Forwarded-For); the per-IP limit is meant for one abusive client.
export HELPDOCK_REQUESTS_PER_MINUTE=10000000 HELPDOCK_SOCKETS_PER_IP=1000000
per_visitor_per_minute=$(( (rate * 60 * 2 + visitors - 1) / visitors ))
export HELPDOCK_MESSAGES_PER_MINUTE=$(( per_visitor_per_minute > 30 ? per_visitor_per_minute : 30 ))
cleanup() {
  [ -z "${LOAD_KEEP:-}" ] || cp -r "$HELPDOCK_CLUSTER_DIR" "$LOAD_KEEP"
  scripts/cluster.sh stop || true
  rm -rf "$(dirname "$HELPDOCK_CLUSTER_DIR")"
}
trap cleanup EXIT
scripts/cluster.sh start 2 >&2

password="quiet-harbour-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
database=$(cat "$HELPDOCK_CLUSTER_DIR/postgres.url")
echo "load-cluster.sh: adding $agents agents" >&2
for j in $(seq 1 "$agents"); do
  echo "$password" | target/release/helpdock-server agent add --database "$database" \
    --email "load-agent-$j@example.com" --name "Load Agent $j" --password-stdin >/dev/null
done

kill_options=()
if [ "${KILL:-1}" != 0 ]; then
  kill_options=(--kill-at 20 --kill-command "scripts/cluster.sh kill 1"
    --restart-at 30 --restart-command "scripts/cluster.sh restart 1")
fi
echo "load-cluster.sh: 2 nodes behind http://127.0.0.1:$PORT, $visitors visitors, $agents agents, $rate msg/s, $duration s" >&2
status=0
"$load_bin" --url "http://127.0.0.1:$PORT" --visitors "$visitors" --agents "$agents" --rate "$rate" \
  --duration "$duration" --agent-password "$password" "${kill_options[@]}" "$@" || status=$?
for log in "$HELPDOCK_CLUSTER_DIR"/node-*.log; do
  if grep -q "ERROR" "$log"; then
    echo "load-cluster.sh: $(basename "$log") logged errors:" >&2
    grep "ERROR" "$log" | tail -n 5 >&2
  fi
done
exit "$status"
