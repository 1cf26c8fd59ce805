#!/usr/bin/env bash
# Sign-in under a flood: 64 connections posting correct credentials for 60 s at a fresh server
# (SQLite), next to the same load on a read endpoint. Reports requests/s, how many were answered
# 200 and 429, p99, and the server's peak and final resident memory. The per-address sign-in rate
# is lifted for the run (KLINIK_SIGN_IN_PER_MINUTE) so that what bounds memory is the hashing
# limit, not the rate limit. Writes the "sign-in flood" section of bench/RESULTS.md.
#
#   bench/sign_in.sh                 # BENCH_DURATION=60s BENCH_CONNECTIONS=64
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-60s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p klinik-api
bin=./target/release/klinik
password="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

start() {
  KLINIK_LOG_LEVEL=warn KLINIK_DATA_DIR="$work/data" KLINIK_DATABASE_URL="$work/$1.sqlite3" \
    KLINIK_BIND="127.0.0.1:$port" KLINIK_ADMIN_USERNAME=bench-admin KLINIK_ADMIN_PASSWORD="$password" \
    KLINIK_SIGN_IN_PER_MINUTE=10000 KLINIK_LOCKOUT_ATTEMPTS=100 "$bin" serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }; sleep 0.25; done
}
rss() { awk "/$1/ {print int(\$2/1024)}" "/proc/$server/status"; }

# drive SCRIPT: wrk's summary as "rps 2xx 429 p99_ms".
drive() {
  wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" --latency -s "$1" "$base" >"$work/wrk.txt" 2>&1
  python3 - "$work/wrk.txt" "$work/codes.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
codes = dict(line.split() for line in open(sys.argv[2]) if line.strip()) if open(sys.argv[2]).read().strip() else {}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
print(f"{rps:.0f} {codes.get('200', 0)} {codes.get('429', 0)} {p99:.0f}")
PY
}

lua_counting() {
  cat <<LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status) counts[status] = (counts[status] or 0) + 1 end
function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  local f = io.open("$work/codes.txt", "w")
  for status, n in pairs(total) do f:write(status .. " " .. n .. "\n") end
  f:close()
end
LUA
}

: >"$work/codes.txt"
start signin
rss_start=$(rss VmRSS)
{ lua_counting; cat <<LUA
wrk.method = "POST"
wrk.path = "/api/v1/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username": "bench-admin", "password": "$password"}'
LUA
} >"$work/signin.lua"
signin=$(drive "$work/signin.lua")
signin_peak=$(rss VmHWM); signin_end=$(rss VmRSS)
token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\": \"bench-admin\", \"password\": \"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
kill "$server"; wait "$server" 2>/dev/null || true; server=""

: >"$work/codes.txt"
start read
token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\": \"bench-admin\", \"password\": \"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
{ lua_counting; cat <<LUA
wrk.headers["Authorization"] = "Bearer $token"
wrk.path = "/api/v1/cooperatives"
LUA
} >"$work/read.lua"
read=$(drive "$work/read.lua")
read_peak=$(rss VmHWM); read_end=$(rss VmRSS)
kill "$server"; wait "$server" 2>/dev/null || true; server=""

set -- $signin; s_rps=$1 s_ok=$2 s_429=$3 s_p99=$4
set -- $read; r_rps=$1 r_ok=$2 r_429=$3 r_p99=$4
section=$(cat <<MD
## Sign-in flood (bench/sign_in.sh)

Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; wrk $CONNECTIONS connections, $DURATION, SQLite, fresh server
(resident at start: ${rss_start} MiB). Sign-in posts correct credentials; the per-address rate limit is lifted for the
run so that the hashing limit (one argon2 at a time per core, 2 s wait, then 429) is what is measured.

| Load | Requests/s | 200 | 429 | p99 ms | Peak RSS | RSS at the end |
|---|---:|---:|---:|---:|---:|---:|
| POST /api/v1/auth/login | $s_rps | $s_ok | $s_429 | $s_p99 | ${signin_peak} MiB | ${signin_end} MiB |
| GET /api/v1/cooperatives | $r_rps | $r_ok | $r_429 | $r_p99 | ${read_peak} MiB | ${read_end} MiB |

Target (issue 16): peak RSS ≤ 150 MiB under the sign-in flood: $(python3 -c "print('met' if $signin_peak <= 150 else 'not met')").
MD
)
python3 bench/section.py bench/RESULTS.md "sign-in flood" <<<"$section"
echo "$section"
