#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's `postgresql` package) on loopback,
# in a temporary folder, on a random free port, and prints its URL:
#
#   url=$(scripts/postgres.sh start)      # postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/postgres.sh stop "$url"       # stops it and deletes its folder
#   scripts/postgres.sh pause "$url"      # stops it, keeping its data (an outage)
#   scripts/postgres.sh resume "$url"     # starts it again on the same port
#
# Runs the server as the `postgres` user (initdb refuses root) via runuser.
set -euo pipefail

state_file() { echo "${TMPDIR:-/tmp}/helpdock-postgres-$1.dir"; }

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql, or run scripts/setup.sh)" >&2
    exit 1
  fi
  echo "$dir"
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(bin_dir)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$(mktemp -d "${TMPDIR:-/tmp}/helpdock-postgres.XXXXXX")
    chown postgres: "$dir" 2>/dev/null || true
    chmod 700 "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # Loopback only, no Unix socket in a system folder, small and fast:
    # fsync stays on (the server relies on durable commits).
    echo "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" >"$dir/options"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/options")" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir" >"$(state_file "$port")"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    url=${2:?usage: postgres.sh stop URL}
    port=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$url")
    file=$(state_file "$port")
    [ -f "$file" ] || { echo "postgres.sh: no server started on port $port" >&2; exit 1; }
    dir=$(cat "$file")
    as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir" "$file"
    ;;
  pause | resume)
    url=${2:?usage: postgres.sh pause|resume URL}
    port=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$url")
    file=$(state_file "$port")
    [ -f "$file" ] || { echo "postgres.sh: no server started on port $port" >&2; exit 1; }
    dir=$(cat "$file")
    if [ "$1" = pause ]; then
      as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    else
      as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/options")" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    fi
    ;;
  *)
    echo "usage: scripts/postgres.sh start | stop URL | pause URL | resume URL" >&2
    exit 2
    ;;
esac
