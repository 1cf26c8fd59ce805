#!/usr/bin/env bash
# Soak and fault figures on PostgreSQL (not a test: figures for bench/RESULTS.md).
#   1. SOAK_MINUTES (30) of mixed reads and writes at 64 connections: no 5xx, every acknowledged
#      write found afterwards, resident memory from minute 5 to the end.
#   2. SOAK_FAULT_MINUTES (3) of the same load with PostgreSQL restarted one minute in: 503s while
#      it is down, recovery without restarting the server, no acknowledged write lost.
# Needs wrk, psql, pg_ctlcluster and a PostgreSQL server at BENCH_PG that this script may restart
# (so nothing else should be using it meanwhile).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BASE=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
MINUTES=${SOAK_MINUTES:-30}
FAULT_MINUTES=${SOAK_FAULT_MINUTES:-3}
work=$(mktemp -d)
server="" sampler="" db="klinik_soak_$(date +%s)_$$"
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null
  psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk psql pg_ctlcluster; do command -v "$tool" >/dev/null || { echo "soak: $tool is missing" >&2; exit 1; }; done
cargo build --release -q -p klinik-api
bin=./target/release/klinik
password="soak-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
psql "$PG_BASE/postgres" -qc "CREATE DATABASE $db" >/dev/null
KLINIK_LOG_LEVEL=warn KLINIK_DATA_DIR="$work/data" KLINIK_DATABASE_URL="$PG_BASE/$db" KLINIK_BIND="127.0.0.1:$port" \
  KLINIK_ADMIN_USERNAME=soak-admin KLINIK_ADMIN_PASSWORD="$password" "$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.25; done
token() {
  curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\": \"soak-admin\", \"password\": \"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
# Access tokens live 15 minutes: wrk gets a fresh one per phase, and the soak runs in 10-minute legs.
(while kill -0 "$server" 2>/dev/null; do echo "$(date +%s) $(awk '/VmRSS/ {print int($2/1024)}' /proc/$server/status)"; sleep 10; done) >"$work/rss.txt" &
sampler=$!

# load NAME DURATION: mixed load; per-status counts in $work/NAME.codes, acknowledged ids in $work/NAME.ids.
load() {
  cat >"$work/$1.lua" <<LUA
local threads = {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args) counts = {}; ids = {}; n = 0 end
request = function()
  n = n + 1
  if n % 3 == 0 then
    local body = '{"name": "Koperasi Soak $1 ' .. tid .. '-' .. n .. '", "form": "primer", "type": "jasa", "kelurahan_code": "32.71.01.1001"}'
    return wrk.format("POST", "/api/v1/cooperatives", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $(token)"}, body)
  elseif n % 3 == 1 then
    return wrk.format("GET", "/api/v1/cooperatives?page_size=20", {["Authorization"] = "Bearer $(token)"})
  end
  return wrk.format("GET", "/api/v1/regions/kelurahan", {["Authorization"] = "Bearer $(token)"})
end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 201 then table.insert(ids, string.match(body, '"id":(%d+)')) end
end
function done()
  local c = io.open("$work/$1.codes", "w")
  local f = io.open("$work/$1.ids", "w")
  for _, thread in ipairs(threads) do
    for status, k in pairs(thread:get("counts")) do c:write(status .. " " .. k .. "\n") end
    for _, id in ipairs(thread:get("ids")) do f:write(id .. "\n") end
  end
  c:close(); f:close()
end
LUA
  wrk -t 2 -c 64 -d "$2" --timeout 10s -s "$work/$1.lua" "$base" >"$work/$1.wrk" 2>&1
}
summarise() { python3 - "$work/$1.codes" <<'PY'
import collections, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    s, k = line.split(); c[int(s)] += int(k)
five = sum(k for s, k in c.items() if s >= 500 and s != 503)
print(f"{sum(c.values())} {sum(k for s, k in c.items() if 200 <= s < 300)} {c[503]} {five}")
PY
}
found_all() { # every acknowledged id is in the database
  sort -u "$work"/$1.ids >"$work/acked.txt"
  psql "$PG_BASE/$db" -qtAc "SELECT id FROM cooperatives" | sort -u >"$work/stored.txt"
  comm -23 "$work/acked.txt" "$work/stored.txt" | wc -l
}

legs=$(( (MINUTES + 9) / 10 ))
soak_start=$(date +%s)
for leg in $(seq 1 "$legs"); do
  left=$(( MINUTES * 60 - ($(date +%s) - soak_start) ))
  [ "$left" -le 0 ] && break
  load "soak$leg" "$(( left < 600 ? left : 600 ))s"
done
soak_end=$(date +%s)
cat "$work"/soak*.codes >"$work/soak.codes"; cat "$work"/soak*.ids >"$work/soak.ids"
read -r s_total s_ok s_503 s_5xx <<<"$(summarise soak)"
s_lost=$(found_all soak)
read -r rss5 rss_end <<<"$(python3 - "$work/rss.txt" "$soak_start" "$soak_end" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
start, end = int(sys.argv[2]), int(sys.argv[3])
at5 = min(rows, key=lambda r: abs(r[0] - (start + 300)))[1]
last = max((r for r in rows if r[0] <= end), key=lambda r: r[0])[1]
print(at5, last)
PY
)"

load fault "${FAULT_MINUTES}m" &
loader=$!
sleep 60
restart_at=$(date +%s)
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main restart
back_at=$(date +%s)
wait "$loader"
read -r f_total f_ok f_503 f_5xx <<<"$(summarise fault)"
f_lost=$(found_all fault)
ready=$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready")
peak=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")

section=$(cat <<MD
## Soak and PostgreSQL restart (bench/soak.sh)

Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; wrk 64 connections, release build, PostgreSQL; a third of
the requests create a cooperative, a third list cooperatives, a third list kelurahan.

| Phase | Requests | 2xx | 503 | other 5xx | acknowledged writes missing afterwards |
|---|---:|---:|---:|---:|---:|
| soak, $MINUTES min | $s_total | $s_ok | $s_503 | $s_5xx | $s_lost |
| PostgreSQL restarted 1 min into $FAULT_MINUTES min (down $((back_at - restart_at)) s) | $f_total | $f_ok | $f_503 | $f_5xx | $f_lost |

Resident memory: ${rss5} MiB at minute 5, ${rss_end} MiB at minute $MINUTES ($(python3 -c "print(f'{($rss_end - $rss5) / $rss5 * 100:+.1f} %')")); peak ${peak} MiB.
After the restart \`/health/ready\` answered $ready without restarting the server.
Targets (issue 16): zero 5xx in the soak: $([ "$s_5xx" = 0 ] && [ "$s_503" = 0 ] && echo met || echo "not met");
growth under 10 %: $(python3 -c "print('met' if ($rss_end - $rss5) / $rss5 < 0.10 else 'not met')"); no acknowledged write lost: $([ "$s_lost" = 0 ] && [ "$f_lost" = 0 ] && echo met || echo "not met").
MD
)
python3 bench/section.py bench/RESULTS.md "soak" <<<"$section"
echo "$section"
