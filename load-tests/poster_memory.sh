#!/usr/bin/env bash
# Posters and memory (issue 10 item 6): RSS of one radar node and the files it writes while
# USERS radar users get BINDINGS bindings through the API (M2 `login/binding`, signed), then while
# POSTERS pair posters are fetched (`GET /statics/…/poster/pair_<uid>_<cid>.png`).
#
# Loopback only (127.0.0.1:$PORT), bounded: curl runs with --max-time, the settle wait with
# SETTLE_TIMEOUT. Everything it starts is stopped by the EXIT trap; the database is dropped.
#
#   load-tests/poster_memory.sh                                   # 2,200 users, 12,000 bindings
#   USERS=2200 BINDINGS=3000 POSTERS=200 RADAR_BIN=/tmp/radar-old load-tests/poster_memory.sh
#
# Prints one summary (also $OUT/summary.txt): RSS fresh / after the bindings / after the posters,
# peak RSS (VmHWM), threads, PNG files and bytes under the data dir, radar CPU (core-s), machine load.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGSSLMODE=disable
USERS=${USERS:-2200}
BINDINGS=${BINDINGS:-12000}
POSTERS=${POSTERS:-200}
PARALLEL=${PARALLEL:-8}
PORT=${PORT:-8104}
POOL=${POOL:-8}
WORKERS=${WORKERS:-0}
TASKSET=${TASKSET:-} # e.g. 1: pin radar to one CPU (a loaded machine: renders fall behind the bindings)
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-900}
BENCH_DB=${BENCH_DB:-radar_poster_bench}
SKIP_BUILD=${SKIP_BUILD:-0}
RADAR=${RADAR_BIN:-${CARGO_TARGET_DIR:-target}/release/radar}
export RUST_LOG=${RUST_LOG:-warn}

OUT=load-tests/out/posters-$(date +%Y%m%dT%H%M%S)
mkdir -p "$OUT/data"
DATA=$(cd "$OUT/data" && pwd)
PID=
say() { printf '[posters] %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
psql_db() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }
SAMPLER=
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  psql_db postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in psql curl; do command -v "$t" >/dev/null || die "$t not found"; done
if [ "$SKIP_BUILD" != 1 ] && [ -z "${RADAR_BIN:-}" ]; then
  say "cargo build --release"
  cargo build --release --quiet
fi
[ -x "$RADAR" ] || die "$RADAR missing"
CLK_TCK=$(getconf CLK_TCK)
MACHINE="nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$PID/status"; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$PID/status"; }
pngs() { find "$DATA" -name '*.png' -type f | wc -l; }
png_bytes() { find "$DATA" -name '*.png' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

say "database $BENCH_DB: $USERS radar users, $BINDINGS customers"
psql_db postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
psql_db postgres -c "CREATE DATABASE $BENCH_DB" >/dev/null
DB_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${BENCH_DB}"
RADAR__DATABASE__URL="$DB_URL" RADAR__DEMO__LOAD_ON_FIRST_START=false "$RADAR" migrate \
  >"$OUT/migrate.log" 2>&1 || die "radar migrate failed (see $OUT/migrate.log)"
psql_db "$BENCH_DB" -v users="$USERS" -v customers="$BINDINGS" <<'SQL'
INSERT INTO companies (name, account_expired_time, mingpian_available_num)
VALUES ('poster company', now() + interval '1 year', 32000);
INSERT INTO radar_users (username, login_user, company_id, status, token, userid, position)
SELECT '销售' || g, 'pt-user-' || g, (SELECT max(id) FROM companies), 1, md5('radar-' || g), 'pt' || g, '经理'
FROM generate_series(1, :users) g ORDER BY g;
INSERT INTO customers (company_id, openid, token, user_type, username)
SELECT (SELECT max(id) FROM companies), 'pt-openid-' || g, md5('customer-' || g), 2, 'customer ' || g
FROM generate_series(1, :customers) g ORDER BY g;
ANALYZE;
SQL

# Customer i binds to radar user i mod USERS (signed: rand_str = md5(timestamp || token)).
psql_db "$BENCH_DB" <<'SQL' >"$OUT/bind.curl"
WITH ids AS (SELECT (SELECT min(id) FROM radar_users) AS umin, (SELECT count(*) FROM radar_users) AS n,
                    (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ts)
SELECT 'url = "http://127.0.0.1:PORT/zhugeleida/xiaochengxu/login/binding?user_id=' || c.id
       || '&uid=' || (ids.umin + (c.id % ids.n)) || '&timestamp=' || ids.ts
       || '&rand_str=' || md5(ids.ts || c.token) || '"'
FROM customers c, ids ORDER BY c.id;
SQL
sed -i "s/PORT/$PORT/" "$OUT/bind.curl"

say "radar serve on 127.0.0.1:$PORT (data dir $DATA)"
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" && die "port $PORT is taken"
(
  export RADAR__DATABASE__URL="$DB_URL" RADAR__SERVER__BIND="127.0.0.1:$PORT"
  export RADAR__SERVER__WORKERS="$WORKERS" RADAR__DATABASE__POOL_SIZE="$POOL"
  export RADAR__STORAGE__DATA_DIR="$DATA" RADAR__WECHAT__MODE=dev RADAR__REDIS__URL=""
  export RADAR__DEMO__LOAD_ON_FIRST_START=false
  exec ${TASKSET:+taskset -c "$TASKSET"} "$RADAR" serve
) >"$OUT/radar.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  kill -0 "$PID" 2>/dev/null || die "radar exited (see $OUT/radar.log)"
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/" || true)" != 000 ] && break
  sleep 0.2
done
sleep 1
RSS_FRESH=$(rss)
FILES_FRESH=$(pngs)
BUSY0=$(busy)
CPU0=$(cpu)
T0=$SECONDS
# Highest thread count seen (the blocking pool grows up to 512 threads when work queues up).
(
  max=0
  while kill -0 "$PID" 2>/dev/null; do
    t=$(awk '/^Threads:/ { print $2 }' "/proc/$PID/status" 2>/dev/null || echo 0)
    [ "${t:-0}" -gt "$max" ] && max=$t && echo "$max" >"$OUT/max_threads"
    sleep 0.5
  done
) &
SAMPLER=$!

say "$BINDINGS bindings, $PARALLEL at a time"
curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" --max-time 30 -K "$OUT/bind.curl" >"$OUT/bind.out" || true
BOUND=$(grep -o '绑定关系成功' "$OUT/bind.out" | wc -l)
T_BIND=$((SECONDS - T0))
[ "$BOUND" -eq "$BINDINGS" ] || say "warning: $BOUND of $BINDINGS bindings answered 绑定关系成功"

say "waiting (≤ ${SETTLE_TIMEOUT}s) until radar is idle (< 0.05 core over 4 s)"
deadline=$((SECONDS + SETTLE_TIMEOUT))
while :; do
  a=$(cpu)
  sleep 4
  b=$(cpu)
  [ $((b - a)) -lt $((4 * CLK_TCK / 20)) ] && break
  [ "$SECONDS" -ge "$deadline" ] && {
    say "warning: still busy after ${SETTLE_TIMEOUT}s"
    break
  }
done
T_SETTLED=$((SECONDS - T0))
RSS_BOUND=$(rss)
HWM_BOUND=$(hwm)
THREADS_BOUND=$(threads)
FILES_BOUND=$(pngs)
BYTES_BOUND=$(png_bytes)
CPU_BOUND=$(cpu)
# Where the RSS is: the main heap, other anonymous memory (malloc's thread arenas, large blocks,
# stacks), files.
SMAPS=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 } /^Rss:/ { if (name == "[heap]") h += $2; else if (name == "" || name ~ /^\[/) a += $2; else f += $2 }
  END { printf "main heap %.1f MiB, other anonymous %.1f MiB, files %.1f MiB", h / 1024, a / 1024, f / 1024 }' "/proc/$PID/smaps")

say "$POSTERS posters fetched, $PARALLEL at a time"
psql_db "$BENCH_DB" -v n="$POSTERS" <<'SQL' | sed "s/PORT/$PORT/" >"$OUT/posters.curl"
SELECT 'url = "http://127.0.0.1:PORT/statics/zhugeleida/imgs/xiaochengxu/poster/pair_' || user_id || '_'
       || customer_id || '.png"' || E'\noutput = "/dev/null"\nwrite-out = "%{http_code} %{content_type}\\n"'
FROM customer_bindings ORDER BY id LIMIT :n;
SQL
curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" --max-time 60 -K "$OUT/posters.curl" >"$OUT/posters.out" || true
SERVED=$(grep -c '^200 image/png' "$OUT/posters.out" || true)
sleep 2
RSS_POSTERS=$(rss)
HWM_POSTERS=$(hwm)
FILES_POSTERS=$(pngs)
CPU_END=$(cpu)
BUSY1=$(busy)
ELAPSED=$((SECONDS - T0))
MACHINE_LOAD=$(awk -v b="$((BUSY1 - BUSY0))" -v t="$ELAPSED" -v k="$CLK_TCK" 'BEGIN { printf "%.2f", b / k / (t > 0 ? t : 1) }')
RADAR_CPU_BIND=$(awk -v c="$((CPU_BOUND - CPU0))" -v k="$CLK_TCK" 'BEGIN { printf "%.1f", c / k }')
RADAR_CPU_POSTERS=$(awk -v c="$((CPU_END - CPU_BOUND))" -v k="$CLK_TCK" 'BEGIN { printf "%.1f", c / k }')
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $MACHINE; $(git rev-parse --short HEAD) $RADAR"
  echo "command: ${TASKSET:+TASKSET=$TASKSET }USERS=$USERS BINDINGS=$BINDINGS POSTERS=$POSTERS PARALLEL=$PARALLEL WORKERS=$WORKERS POOL=$POOL load-tests/poster_memory.sh"
  echo "bindings: $BOUND of $BINDINGS answered 绑定关系成功 in ${T_BIND}s; radar idle again after ${T_SETTLED}s"
  echo "RSS fresh $(mib "$RSS_FRESH"); after the bindings $(mib "$RSS_BOUND") (peak $(mib "$HWM_BOUND"), $THREADS_BOUND threads, at most $(cat "$OUT/max_threads" 2>/dev/null || echo ?))"
  echo "RSS after the bindings by mapping: $SMAPS"
  echo "PNG files: fresh $FILES_FRESH; after the bindings $FILES_BOUND ($(awk -v b="$BYTES_BOUND" 'BEGIN { printf "%.1f MB", b / 1e6 }'))"
  echo "posters: $SERVED of $POSTERS answered 200 image/png; RSS after $(mib "$RSS_POSTERS") (peak $(mib "$HWM_POSTERS")); PNG files $FILES_POSTERS"
  echo "radar CPU: bindings+settle $RADAR_CPU_BIND core-s, posters $RADAR_CPU_POSTERS core-s; whole machine busy $MACHINE_LOAD of $(nproc) cores over ${ELAPSED}s"
} | tee "$OUT/summary.txt"
