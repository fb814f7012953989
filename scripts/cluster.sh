#!/usr/bin/env bash
# Several reference-server nodes behind a real load balancer, on loopback:
# PostgreSQL (the store, scripts/postgres.sh), Redis (fan-out, presence and
# rate limits across nodes, scripts/redis.sh), N nodes, and nginx in front
# of them (round robin, no sticky sessions, WebSocket upgrades passed
# through) on http://127.0.0.1:${PORT:-8090}/.
#
#   scripts/cluster.sh [N]        builds, starts N nodes (3), seeds the demo agent,
#                                 serves until Ctrl-C, then stops everything
#   scripts/cluster.sh start [N]  the same in the background (built already)
#   scripts/cluster.sh kill I     SIGKILL node I (1..N): nothing is said to anyone
#   scripts/cluster.sh restart I  starts node I again, on its port
#   scripts/cluster.sh postgres pause|resume   stops PostgreSQL, keeping its data; starts it again
#   scripts/cluster.sh redis kill|restart      SIGKILL Redis; starts it again, empty, on its port
#   scripts/cluster.sh stop       stops the nodes, nginx, Redis and PostgreSQL
#
# What runs where is kept in ${HELPDOCK_CLUSTER_DIR:-$TMPDIR/helpdock-cluster}
# (the nodes' logs are node-I.log there); one cluster at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${HELPDOCK_CLUSTER_DIR:-${TMPDIR:-/tmp}/helpdock-cluster}
port=${PORT:-8090}
server=target/release/helpdock-server
password=${HELPDOCK_DEMO_PASSWORD:-amber-kite-orbit-42}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

node_up() {
  local i=$1 node_port
  node_port=$(cat "$dir/node-$i.port")
  HELPDOCK_TRUSTED_PROXIES='["127.0.0.1"]' "$server" serve --listen "127.0.0.1:$node_port" \
    --database "$(cat "$dir/postgres.url")" --redis "$(cat "$dir/redis.url")" --static dist \
    >>"$dir/node-$i.log" 2>&1 &
  echo $! >"$dir/node-$i.pid"
  for _ in $(seq 200); do
    curl -fs "http://127.0.0.1:$node_port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$dir/node-$i.pid")" 2>/dev/null || break
    sleep 0.05
  done
  echo "cluster.sh: node $i did not start; its log:" >&2
  tail -20 "$dir/node-$i.log" >&2
  return 1
}

nginx_conf() {
  local upstreams="" i
  for i in $(seq "$1"); do
    upstreams+="    server 127.0.0.1:$(cat "$dir/node-$i.port") max_fails=1 fail_timeout=2s;"$'\n'
  done
  cat <<CONF
worker_processes auto;
worker_rlimit_nofile 100000;
daemon on;
pid $dir/nginx.pid;
error_log $dir/nginx.log warn;
events { worker_connections 50000; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-tmp;
  proxy_temp_path $dir/nginx-tmp;
  fastcgi_temp_path $dir/nginx-tmp;
  uwsgi_temp_path $dir/nginx-tmp;
  scgi_temp_path $dir/nginx-tmp;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream helpdock {
$upstreams  }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 12m;
    location / {
      proxy_pass http://helpdock;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502;
    }
  }
}
CONF
}

start() {
  local n=$1 i
  [ -x "$server" ] && [ -f dist/index.html ] \
    || { echo "cluster.sh: build first (scripts/build.sh; cargo build --release -p helpdock-server)" >&2; exit 1; }
  [ ! -f "$dir/nodes" ] || { echo "cluster.sh: a cluster runs already ($dir); scripts/cluster.sh stop" >&2; exit 1; }
  mkdir -p "$dir/nginx-tmp"
  chmod 755 "$dir"
  echo "$n" >"$dir/nodes"
  scripts/postgres.sh start >"$dir/postgres.url"
  scripts/redis.sh start >"$dir/redis.url"
  for i in $(seq "$n"); do
    free_port >"$dir/node-$i.port"
    node_up "$i"
  done
  printf '%s\n' "$password" | "$server" agent add --email demo@example.com --name "Demo Agent" --role admin \
    --password-stdin --database "$(cat "$dir/postgres.url")" >/dev/null
  nginx_conf "$n" >"$dir/nginx.conf"
  nginx -c "$dir/nginx.conf" -e "$dir/nginx.log"
  echo "cluster: $n nodes behind http://127.0.0.1:$port/ (nodes on ports $(cat "$dir"/node-*.port | tr '\n' ' '))"
  echo "console: http://127.0.0.1:$port/console/ (demo@example.com / $password)"
  echo "state and logs: $dir"
}

stop() {
  [ -f "$dir/nodes" ] || return 0
  [ ! -f "$dir/nginx.pid" ] || kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  for pid in "$dir"/node-*.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  [ ! -f "$dir/redis.url" ] || scripts/redis.sh stop "$(cat "$dir/redis.url")" || true
  [ ! -f "$dir/postgres.url" ] || scripts/postgres.sh stop "$(cat "$dir/postgres.url")" || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  kill) kill -KILL "$(cat "$dir/node-${2:?which node}.pid")" ;;
  restart) node_up "${2:?which node}" ;;
  postgres) scripts/postgres.sh "${2:?pause or resume}" "$(cat "$dir/postgres.url")" ;;
  redis)
    url=$(cat "$dir/redis.url")
    case "${2:?kill or restart}" in
      kill) scripts/redis.sh kill "$url" ;;
      restart) scripts/redis.sh restart "$url" ;;
    esac
    ;;
  stop) stop ;;
  "" | [0-9]*)
    scripts/setup.sh
    export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
    scripts/build.sh
    cargo build --release -p helpdock-server
    stop
    trap stop EXIT
    start "${1:-3}"
    echo "Ctrl-C stops the cluster."
    while sleep 3600; do :; done
    ;;
  *)
    echo "usage: scripts/cluster.sh [N] | start [N] | kill I | restart I | postgres pause|resume | redis kill|restart | stop" >&2
    exit 2
    ;;
esac
