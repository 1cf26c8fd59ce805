#!/usr/bin/env bash
# What the operators' metrics cost: the trivial endpoint and a UKM by id on SQLite (bogor-2017),
# served with metrics off and on (KLINIK_METRICS_BIND), in alternating rounds so that the
# machine's noise falls on both alike. Reports each case's median requests/s of both, and on as a
# ratio of off (the target: at least 0.95). Results go to bench/METRICS.md (and stdout).
#
#   bench/metrics.sh                                 # 3 rounds of 10 s per case and mode
#   BENCH_ROUNDS=5 BENCH_DURATION=20s bench/metrics.sh
#
# Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
OUT=${BENCH_OUT:-bench/METRICS.md}
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
cargo build --release -q -p klinik-api
bin=./target/release/klinik
secret="metrics-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export KLINIK_LOG_LEVEL=warn KLINIK_DATA_DIR="$work/data" KLINIK_DATABASE_URL="$work/bench.sqlite3"
export KLINIK_ADMIN_USERNAME=bench-admin KLINIK_ADMIN_PASSWORD="$secret" KLINIK_SCHEDULER_TICK_SECONDS=0
"$bin" seed-demo --scale bogor-2017 >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
base="http://127.0.0.1:$port"

serve() { # $1: on|off
  if [ "$1" = on ]; then
    KLINIK_METRICS_BIND="127.0.0.1:$(free_port)" KLINIK_BIND="127.0.0.1:$port" "$bin" serve 2>"$work/log" &
  else
    KLINIK_BIND="127.0.0.1:$port" "$bin" serve 2>"$work/log" &
  fi
  pid=$!
  until curl -fsS "$base/health/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/log"; exit 1; }
    sleep 0.2
  done
}

token=""
rps() { # $1: path, or "ukm" for a random UKM by id
  cat >"$work/case.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
request = function()
  if "$1" == "ukm" then return wrk.format("GET", "/api/v1/ukm/" .. math.random(1, 23706)) end
  return wrk.format("GET", "$1")
end
LUA
  wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" -s "$work/case.lua" "$base" | awk '/Requests\/sec/ {print $2}'
}

results="$work/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  for mode in off on; do
    serve "$mode"
    token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"username\": \"bench-admin\", \"password\": \"$secret\"}" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
    echo "trivial $mode $(rps /health/live)" | tee -a "$results"
    echo "ukm_by_id $mode $(rps ukm)" | tee -a "$results"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done

python3 - "$results" "$OUT" "$ROUNDS" "$DURATION" "$CONNECTIONS" <<'PY'
import statistics, sys, datetime, os
results, out, rounds, duration, connections = sys.argv[1:]
runs = {}
for line in open(results):
    case, mode, value = line.split()
    runs.setdefault((case, mode), []).append(float(value))
lines = [
    "# What metrics cost",
    "",
    f"Last run: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; "
    f"SQLite, bogor-2017; wrk {connections} connections, {duration} per case; {rounds} alternating rounds of off and on. "
    "Produced by `bench/metrics.sh`; the ratio is what counts (the machine is shared).",
    "",
    "| Case | Metrics off, req/s (median) | Metrics on, req/s (median) | On / off |",
    "|---|---|---|---|",
]
for case, name in [("trivial", "trivial (GET /health/live)"), ("ukm_by_id", "UKM by id")]:
    off, on = statistics.median(runs[(case, "off")]), statistics.median(runs[(case, "on")])
    lines.append(f"| {name} | {off:.0f} | {on:.0f} | {on / off:.3f} |")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
PY
