#!/usr/bin/env bash
# Compression on the wire: for the contract, a page of 100 cooperatives and the UKM CSV export of
# the 2017 city (seed-demo bogor-2017), the bytes sent with no Accept-Encoding, with gzip and with
# br, and requests per second for each (wrk, one server, interleaved rounds so that the machine's
# noise falls on all variants alike). Figures are ratios to the uncompressed answer of the same
# run. Writes the "compression" section of bench/RESULTS.md.
#
#   bench/compression.sh            # BENCH_DURATION=10s BENCH_CONNECTIONS=16 BENCH_ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
ROUNDS=${BENCH_ROUNDS:-3}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p klinik-api
bin=${CARGO_TARGET_DIR:-target}/release/klinik
password="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
export KLINIK_LOG_LEVEL=warn KLINIK_DATA_DIR="$work/data" KLINIK_DATABASE_URL="$work/city.sqlite3" \
  KLINIK_BIND="127.0.0.1:$port" KLINIK_ADMIN_USERNAME=bench-admin KLINIK_ADMIN_PASSWORD="$password"
"$bin" seed-demo --scale bogor-2017 --seed 2017 >"$work/seed.log" 2>&1
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.25; done
token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\": \"bench-admin\", \"password\": \"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

targets=("/api-docs/openapi.json" "/api/v1/cooperatives?page_size=100" "/api/v1/exports/ukm.csv")
encodings=(identity gzip br)
bytes() { curl -fsS -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $token" -H "Accept-Encoding: $2" "$base$1"; }
rps() {
  cat >"$work/req.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Accept-Encoding"] = "$2"
LUA
  # The CSV export is seconds of work per request: fewer connections, same duration.
  local connections=$CONNECTIONS
  [[ $1 == *.csv ]] && connections=2
  wrk -t 2 -c "$connections" -d "$DURATION" -s "$work/req.lua" "$base$1" | awk '/Requests\/sec/ {print $2}'
}

: >"$work/rps.txt"
for round in $(seq 1 "$ROUNDS"); do
  for target in "${targets[@]}"; do
    for encoding in "${encodings[@]}"; do
      echo "$target $encoding $(rps "$target" "$encoding")" >>"$work/rps.txt"
    done
  done
  echo "round $round done" >&2
done
: >"$work/bytes.txt"
for target in "${targets[@]}"; do
  for encoding in "${encodings[@]}"; do
    echo "$target $encoding $(bytes "$target" "$encoding")" >>"$work/bytes.txt"
  done
done

python3 - "$work/bytes.txt" "$work/rps.txt" "$ROUNDS" "$DURATION" "$CONNECTIONS" >"$work/section.md" <<'PY'
import statistics, sys
sizes = {}
for line in open(sys.argv[1]):
    target, encoding, n = line.split()
    sizes[(target, encoding)] = int(n)
rates = {}
for line in open(sys.argv[2]):
    target, encoding, r = line.split()
    rates.setdefault((target, encoding), []).append(float(r))
targets = list(dict.fromkeys(t for t, _ in sizes))
print(f"## Compression on the wire\n")
print(f"{sys.argv[3]} interleaved rounds of {sys.argv[4]} per variant, {sys.argv[5]} connections (2 for the CSV export); "
      "median requests/s. Ratios are to the uncompressed answer in the same run.\n")
print("| answer | encoding | bytes | bytes ratio | req/s | req/s ratio |")
print("|---|---|---:|---:|---:|---:|")
for target in targets:
    plain_bytes = sizes[(target, "identity")]
    plain_rps = statistics.median(rates[(target, "identity")])
    for encoding in ("identity", "gzip", "br"):
        b = sizes[(target, encoding)]
        r = statistics.median(rates[(target, encoding)])
        print(f"| `{target}` | {encoding} | {b} | {b / plain_bytes:.3f} | {r:.1f} | {r / plain_rps:.2f} |")
PY
cat "$work/section.md"
python3 bench/section.py bench/RESULTS.md "compression" <"$work/section.md"
