#!/usr/bin/env bash
# Starts N `soundflow serve` instances and HAProxy in front of them, all on loopback.
#   deploy/local-cluster.sh [-n 2] [--lb-port 8080] [--base-port 8081] [-- extra serve flags...]
# Instances listen on base-port .. base-port+N-1, HAProxy on lb-port, with deploy/haproxy.cfg
# (its bind/server lines rewritten for these ports). Prints one line per process:
#   instance <i> pid <pid> http://127.0.0.1:<port>
#   haproxy pid <pid> http://127.0.0.1:<lb-port>
#   ready
# and runs until SIGINT/SIGTERM, which drains every instance (SIGTERM) and stops HAProxy after.
# Logs: $SF_CLUSTER_DIR (default a temp dir): instance-<i>.log (JSON lines), haproxy.log.
set -euo pipefail
cd "$(dirname "$0")/.."

n=2 lb_port=8080 base_port=8081
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    --lb-port) lb_port="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v haproxy >/dev/null || { echo "haproxy not found: install the Debian package haproxy (bash scripts/setup.sh)" >&2; exit 1; }

dir="${SF_CLUSTER_DIR:-$(mktemp -d -t soundflow-cluster.XXXXXX)}"
mkdir -p "$dir"
pids=()
stop() {
  trap - INT TERM EXIT
  # Drain the instances first (HAProxy keeps forwarding live sessions meanwhile), then stop HAProxy.
  for p in "${pids[@]:1}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null || true; done
  [[ -n "${pids[0]:-}" ]] && kill -TERM "${pids[0]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
pids=("")

for ((i = 1; i <= n; i++)); do
  port=$((base_port + i - 1))
  # --drain-delay: HAProxy needs inter + (fall-1) x fastinter (1 s + 2 x 250 ms) to see /readyz go 503.
  node bin/soundflow.js serve --host 127.0.0.1 --port "$port" --drain-delay 3 "$@" >"$dir/instance-$i.out" 2>"$dir/instance-$i.log" &
  pids+=("$!")
  echo "instance $i pid $! http://127.0.0.1:$port"
done
for ((i = 1; i <= n; i++)); do
  port=$((base_port + i - 1))
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "instance $i exited; see $dir/instance-$i.log" >&2; exit 1; }
    sleep 0.1
  done
done

cfg="$dir/haproxy.cfg"
{
  sed -e "s/^\(\s*bind\) 127\.0\.0\.1:[0-9]*/\1 127.0.0.1:$lb_port/" -e '/^\s*server sf[0-9]/d' deploy/haproxy.cfg
  for ((i = 1; i <= n; i++)); do echo "    server sf$i 127.0.0.1:$((base_port + i - 1))"; done
} >"$cfg"
haproxy -c -q -f "$cfg"
haproxy -db -f "$cfg" >"$dir/haproxy.log" 2>&1 &
pids[0]=$!
echo "haproxy pid ${pids[0]} http://127.0.0.1:$lb_port"
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$lb_port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "ready"
echo "logs in $dir" >&2
wait "${pids[0]}"
