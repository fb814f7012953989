#!/usr/bin/env bash
# Starts a throwaway Redis (Debian's `redis-server` package) on loopback, in
# a temporary folder, on a random free port, without persistence, and
# prints its URL:
#
#   url=$(scripts/redis.sh start)      # redis://127.0.0.1:PORT
#   scripts/redis.sh stop "$url"       # stops it and deletes its folder
#   scripts/redis.sh kill "$url"       # SIGKILL (an outage; nothing is kept)
#   scripts/redis.sh restart "$url"    # starts it again, empty, on the same port
set -euo pipefail

state_file() { echo "${TMPDIR:-/tmp}/helpdock-redis-$1.dir"; }

run() {
  local port=$1 dir=$2
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$dir/redis.log" >&2
  exit 1
}

case "${1:-}" in
  start)
    command -v redis-server >/dev/null \
      || { echo "redis.sh: Redis is not installed (apt-get install redis-server, or run scripts/setup.sh)" >&2; exit 1; }
    port=${2:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    dir=$(mktemp -d "${TMPDIR:-/tmp}/helpdock-redis.XXXXXX")
    run "$port" "$dir"
    echo "$dir" >"$(state_file "$port")"
    echo "redis://127.0.0.1:$port"
    ;;
  kill | restart)
    url=${2:?usage: redis.sh kill|restart URL}
    port=${url##*:}
    file=$(state_file "$port")
    [ -f "$file" ] || { echo "redis.sh: no server started on port $port" >&2; exit 1; }
    dir=$(cat "$file")
    if [ "$1" = kill ]; then
      kill -KILL "$(cat "$dir/redis.pid")" 2>/dev/null || true
      while redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
    else
      run "$port" "$dir"
    fi
    ;;
  stop)
    url=${2:?usage: redis.sh stop URL}
    port=${url##*:}
    file=$(state_file "$port")
    [ -f "$file" ] || { echo "redis.sh: no server started on port $port" >&2; exit 1; }
    dir=$(cat "$file")
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -rf "$dir" "$file"
    ;;
  *)
    echo "usage: scripts/redis.sh start [PORT] | stop URL | kill URL | restart URL" >&2
    exit 2
    ;;
esac
