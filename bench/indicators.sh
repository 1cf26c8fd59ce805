#!/usr/bin/env bash
# The indicators benchmark. Builds the release binary, seeds bogor-2017 with its
# seven programme years of clinic history on SQLite and on PostgreSQL, and drives the indicators
# with wrk: the city's figures by kecamatan (`/api/v1/indicators?group_by=kecamatan`, the
# heaviest answer), one programme's, and a trivial endpoint as the ceiling measured in the same
# run. Each at 8 connections (office staff opening a dashboard) and at 64 (the registry
# benchmark's load). Results go to bench/INDICATORS.md (and stdout).
#
#   bench/indicators.sh            # about 3 minutes on 2 cores
#
# Needs: wrk, psql, curl, python3, and a PostgreSQL server at BENCH_PG (default
# postgres://postgres@127.0.0.1:5432) where it may create and drop a database.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BASE=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DURATION=${BENCH_DURATION:-15s}
THREADS=${BENCH_THREADS:-2}
OUT=${BENCH_OUT:-bench/INDICATORS.md}
work=$(mktemp -d)
server=""
database=""

cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  [ -z "$database" ] || psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in wrk psql curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk postgresql-client curl)" >&2; exit 1; }
done
psql "$PG_BASE/postgres" -qtc "SELECT 1" >/dev/null || { echo "bench: PostgreSQL at $PG_BASE is unreachable" >&2; exit 1; }

echo "== building the release binary"
cargo build --release -q -p klinik-api
bin=./target/release/klinik
password="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export KLINIK_LOG_LEVEL=warn KLINIK_ADMIN_USERNAME=bench-admin KLINIK_ADMIN_PASSWORD="$password"
export KLINIK_DATA_DIR="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

start_server() {
  KLINIK_DATABASE_URL="$1" KLINIK_BIND="127.0.0.1:$port" "$bin" serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do
    curl -fsS "$base/health/ready" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.5
  done
  token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\": \"bench-admin\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" >"$work/auth.lua"
}

stop_server() {
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
}

# wrk at $1 connections on path $2, reported as "requests/s p50_ms p99_ms non-2xx".
drive() {
  wrk -t "$THREADS" -c "$1" -d "$DURATION" --latency -s "$work/auth.lua" "$base$2" >"$work/wrk.txt" 2>&1
  python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    if not m: return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f} {bad.group(1) if bad else 0}")
PY
}

rows=()
verdicts=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
measure() {
  local label=$1 url=$2
  start_server "$url"
  local programme
  programme=$(curl -fsS "$base/api/v1/programmes?page_size=1" -H "Authorization: Bearer $token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
  local year
  year=$(date +%Y)
  local single
  single=$(curl -fsS -o /dev/null -w '%{time_total}' "$base/api/v1/indicators?group_by=kecamatan" -H "Authorization: Bearer $token")
  row "$label" "one request alone (indicators by kecamatan)" "" "" "$(python3 -c "print(f'{$single*1000:.1f}')")" "" ""
  for connections in 8 64; do
    local trivial trivial_rps
    trivial=$(drive "$connections" /health/live)
    trivial_rps=${trivial%% *}
    row "$label" "trivial (GET /health/live), $connections conn." $trivial "1.00 of trivial"
    for case in "indicators by kecamatan|/api/v1/indicators?from_year=$((year - 6))&to_year=$year&group_by=kecamatan" \
                "programme indicators|/api/v1/programmes/$programme/indicators"; do
      local name=${case%%|*} path=${case#*|} result
      result=$(drive "$connections" "$path")
      local rest=${result#* * }
      local p99=${rest%% *}
      row "$label" "$name ($path), $connections conn." $result "$(python3 -c "print(f'{${result%% *}/$trivial_rps:.3f} of trivial')")"
      if [ "$name" = "indicators by kecamatan" ]; then
        verdicts+=("| $label, $connections connections | $p99 ms | $(python3 -c "print('met' if $p99 < 100 else 'not met')") |")
      fi
    done
  done
  stop_server
}

echo "== SQLite, bogor-2017 with clinic history"
sqlite_url="$work/bench.sqlite3"
KLINIK_DATABASE_URL="$sqlite_url" "$bin" seed-demo --scale bogor-2017 >/dev/null
measure SQLite "$sqlite_url"

echo "== PostgreSQL, bogor-2017 with clinic history"
database="klinik_bench_indicators_$(date +%s)_$$"
psql "$PG_BASE/postgres" -qc "CREATE DATABASE $database" >/dev/null
pg_url="$PG_BASE/$database"
KLINIK_DATABASE_URL="$pg_url" "$bin" seed-demo --scale bogor-2017 >/dev/null
psql "$pg_url" -qc "VACUUM ANALYZE" >/dev/null
measure PostgreSQL "$pg_url"

{
  echo "# Indicators benchmark"
  echo
  echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(uname -r); wrk $THREADS threads, $DURATION per case, load generator on the same machine."
  echo "Produced by \`bench/indicators.sh\` on \`klinik seed-demo --scale bogor-2017\` (800 cooperatives, 23,706 UKM,"
  echo "seven programme years of clinic history); compare ratios, not absolute figures (the machine is shared)."
  echo "Counted figures are kept until the next write (10 s at most), so under load most answers come from that"
  echo "cache; \"one request alone\" is the first, counted afresh."
  echo
  echo "| Database | Case | Requests/s | p50 ms | p99 ms | Non-2xx | Ratio |"
  echo "|---|---|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Target of issue 6: the indicators answer in under 100 ms p99 (the city by kecamatan, the heaviest):"
  echo
  echo "| Load | p99 | |"
  echo "|---|---:|---|"
  printf '%s\n' "${verdicts[@]}"
} >"$OUT.new"
mv "$OUT.new" "$OUT"
cat "$OUT"
