#!/usr/bin/env bash
# Crash safety: SIGKILL the server in the middle of a 23,706-row UKM import, and `seed-demo` in the
# middle of seeding, on SQLite and on PostgreSQL; restart, and show that nothing was half-written:
# no UKM, no import record, no audit event of the interrupted work, and the database serves and
# accepts the same work again.
#
#   tests/crash/kill_mid_write.sh BINARY POSTGRES_BASE_URL
#
# Run by .ci/run against the release binary. Fails (non-zero) on any inconsistency.
set -euo pipefail
bin=$(realpath "$1")
pg_base=$2
work=$(mktemp -d)
server=""
databases=()
password="crash-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export KLINIK_LOG_LEVEL=warn KLINIK_ADMIN_USERNAME=crash-admin KLINIK_ADMIN_PASSWORD="$password"
export KLINIK_DATA_DIR="$work/data" KLINIK_SCHEDULER_TICK_SECONDS=0
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

cleanup() {
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null || true
  for db in "${databases[@]}"; do psql "$pg_base" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start() {
  KLINIK_DATABASE_URL="$1" KLINIK_BIND="127.0.0.1:$port" "$bin" serve >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do
    curl -fsS "$base/health/ready" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; fail "the server did not start on $1"; }
    sleep 0.25
  done
  token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\": \"crash-admin\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
total() { curl -fsS "$base$1" -H "Authorization: Bearer $token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
import_file() {
  curl -sS -o "$work/import.json" -w '%{http_code}' "$base/api/v1/imports" -H "Authorization: Bearer $token" \
    -F kind=ukm -F dry_run=false -F "file=@$work/ukm.csv"
}
new_pg() {
  local db="klinik_crash_$1_$(date +%s)_$$"
  psql "$pg_base" -qc "CREATE DATABASE $db" >/dev/null
  databases+=("$db")
  url="${pg_base%/*}/$db"
}

echo "== the 23,706-row file, from a seeded city"
KLINIK_DATABASE_URL="$work/source.sqlite3" "$bin" seed-demo --scale bogor-2017 >/dev/null
start "$work/source.sqlite3"
curl -fsS "$base/api/v1/exports/ukm.csv" -H "Authorization: Bearer $token" -o "$work/ukm.csv"
stop
rows=$(($(wc -l <"$work/ukm.csv") - 1))
[ "$rows" -eq 23706 ] || fail "expected 23,706 rows, got $rows"

echo "== how long a whole import takes here (SQLite), to kill the others late in the write"
start "$work/timing.sqlite3"
began=$(date +%s.%N)
[ "$(import_file)" = 201 ] || fail "the timing import: $(head -c 500 "$work/import.json")"
took=$(python3 -c "print($(date +%s.%N) - $began)")
[ "$(total /api/v1/ukm?page_size=1)" -ge 1000 ] || fail "the timing import stored nothing"
stop
echo "a whole import: ${took}s"

check_untouched() {
  local label=$1
  [ "$(total '/api/v1/ukm?page_size=1')" = 0 ] || fail "$label: UKM left by the killed import"
  [ "$(total '/api/v1/imports?page_size=1')" = 0 ] || fail "$label: an import record left by the killed import"
  [ "$(total '/api/v1/audit-events?entity_type=ukm&page_size=1')" = 0 ] || fail "$label: audit events of the killed import"
}

for backend in SQLite PostgreSQL; do
  echo "== $backend: SIGKILL at 70 % of an import"
  if [ "$backend" = SQLite ]; then url="$work/import.sqlite3"; else new_pg import; fi
  start "$url"
  import_file >/dev/null 2>&1 &
  uploader=$!
  sleep "$(python3 -c "print(max(0.2, $took * 0.7))")"
  kill -9 "$server"; wait "$server" 2>/dev/null || true; server=""
  wait "$uploader" 2>/dev/null || true
  start "$url"
  check_untouched "$backend"
  [ "$(import_file)" = 201 ] || fail "$backend: the same import after the restart: $(cat "$work/import.json")"
  [ "$(total '/api/v1/ukm?page_size=1')" -ge 1000 ] || fail "$backend: the re-run import stored nothing"
  stop

  echo "== $backend: SIGKILL half-way through seed-demo"
  if [ "$backend" = SQLite ]; then url="$work/seed.sqlite3"; else new_pg seed; fi
  KLINIK_DATABASE_URL="$url" "$bin" migrate >/dev/null
  KLINIK_DATABASE_URL="$url" "$bin" seed-demo --scale bogor-2017 >/dev/null 2>&1 &
  seeder=$!
  sleep 1.5
  kill -9 "$seeder" 2>/dev/null || fail "$backend: seed-demo ended before it could be killed"
  wait "$seeder" 2>/dev/null || true
  start "$url"
  [ "$(total '/api/v1/cooperatives?page_size=1')" = 0 ] || fail "$backend: cooperatives left by the killed seed"
  check_untouched "$backend seed"
  stop
  KLINIK_DATABASE_URL="$url" "$bin" seed-demo --scale bogor-2017 >/dev/null || fail "$backend: seed-demo after the crash"
  start "$url"
  [ "$(total '/api/v1/cooperatives?page_size=1')" = 800 ] || fail "$backend: the re-run seed"
  stop
done
echo "crash safety: OK"
