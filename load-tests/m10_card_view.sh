#!/usr/bin/env bash
# A signed GET under load: wrk against `radar serve`, then pgbench running the same SQL.
# SCENARIO=m10 (default): M10 card view (issue 2); SCENARIO=m27: M27 case list (issue 4, also
# load-tests/m27_case_list.sh). Each scenario is a directory load-tests/<scenario>/ with seed.sql,
# signed_paths.sql, statements (the SQL files the server runs per request) and scenario.sh (seed
# size, pgbench variables, correctness checks); the text below describes m10.
#
#   load-tests/m10_card_view.sh            # defaults below; env variables change them
#   DURATION=30 CONNECTIONS=64 THREADS=1 WORKERS=2 POOL=8 load-tests/m10_card_view.sh
#   SCENARIO=m27 load-tests/m10_card_view.sh
#
# Steps: build the release binary; start a private PostgreSQL cluster (PRIVATE_PG=1, default) or use
# the local one; create the database $BENCH_DB, migrate it with `radar migrate` and seed it
# (m10/seed.sql); start radar on 127.0.0.1:$PORT; warm up;
# run wrk for DURATION s with signed_paths.lua cycling through signed paths (m10/signed_paths.sql);
# check in the database that every request logged one view; stop radar; then warm up and run pgbench
# for DURATION s with a script made at run time from the two statements the server runs per request
# (m10/statements: sql/auth/customer_token.sql, sql/card/view_batch.sql with one-element arrays) and the same uniform
# (customer, radar user) distribution. Around each measured run it reads utime+stime (+ reaped
# children) of radar and of every process of the PostgreSQL cluster from /proc, so each rate comes
# with its server-side CPU per request. Prints one summary; artifacts go to load-tests/out/.
#
# Traffic goes to 127.0.0.1 only; every load phase is bounded by `timeout`; the whole run takes
# under 5 minutes once the binary is built. Only the private cluster (or, with PRIVATE_PG=0, the
# database $BENCH_DB) is created and removed (KEEP_DB=1 keeps it). Needs root or sudo only to install
# wrk if missing; as root, the private cluster runs as the postgres account.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SCENARIO=${SCENARIO:-m10}       # m10 or m27: the directory load-tests/$SCENARIO/
SCN=load-tests/$SCENARIO
[ -f "$SCN/scenario.sh" ] || { echo "no scenario $SCN/scenario.sh" >&2; exit 1; }

DURATION=${DURATION:-30}        # seconds of each measured run (wrk and pgbench)
WARMUP=${WARMUP:-5}             # seconds of warm-up before each measured run
CONNECTIONS=${CONNECTIONS:-64}  # wrk connections = pgbench clients
THREADS=${THREADS:-1}           # wrk threads (pgbench always uses -j 2); 1 drives 64 connections on
                                # ~5% of a core, leaner than 2 (see RESULTS.md)
WORKERS=${WORKERS:-2}           # radar server.workers
POOL=${POOL:-8}                 # radar database.pool_size (the server's default on 2 cores: 4 per core)
PORT=${PORT:-8080}
BENCH_DB=${BENCH_DB:-radar_bench}
PATHS=${PATHS:-20000}           # distinct signed request paths wrk cycles through
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_DB=${KEEP_DB:-0}
export RUST_LOG=${RUST_LOG:-info}
WAIT_IDLE=${WAIT_IDLE:-60}      # wait up to this many seconds for the machine to be idle first
# 1 = a private throw-away cluster (initdb, default settings) on BENCH_PGPORT, so that the CPU of
# "all postgres processes of the cluster" is this benchmark's alone (the test suite creates its
# databases on the shared cluster); 0 = the running cluster at PGHOST:PGPORT.
PRIVATE_PG=${PRIVATE_PG:-1}
BENCH_PGPORT=${BENCH_PGPORT:-5499}
PG_OPTS=${PG_OPTS:-}            # extra server options of the private cluster, e.g. "-c synchronous_commit=off"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
# radar connects without TLS (NoTls); Debian's PostgreSQL offers TLS and libpq would take it, which
# would make pgbench pay for encryption radar does not.
export PGSSLMODE=disable

say() { printf '[%s] %s\n' "$SCENARIO" "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
psql_db() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }
# Seed size, pgbench variables, counts(), check_served(), response_ok() of the scenario.
source "$SCN/scenario.sh"

OUT=load-tests/out/$SCENARIO-$(date +%Y%m%dT%H%M%S)-c${CONNECTIONS}-t${THREADS}-w${WORKERS}-p${POOL}
mkdir -p "$OUT"
URL="http://127.0.0.1:${PORT}"
RADAR_PID=""
PRIVATE_DIR=""

# Runs a PostgreSQL server binary as the postgres account when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  if [ -n "$RADAR_PID" ] && kill -0 "$RADAR_PID" 2>/dev/null; then
    kill -TERM "$RADAR_PID" 2>/dev/null || true
    wait "$RADAR_PID" 2>/dev/null || true
  fi
  if [ -n "$PRIVATE_DIR" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PRIVATE_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    cp "$PRIVATE_DIR/postgres.log" "$OUT/" 2>/dev/null || true
    [ "$KEEP_DB" = 1 ] || rm -rf "$PRIVATE_DIR"
  elif [ "$KEEP_DB" != 1 ]; then
    psql_db postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2 || {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2
  }
fi
for t in pgbench psql curl; do command -v "$t" >/dev/null || die "$t not found"; done
if [ "$PRIVATE_PG" = 1 ]; then
  PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)")
  [ -x "$PGBIN/initdb" ] || PGBIN=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
  [ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries (initdb, pg_ctl) not found"
  PRIVATE_DIR=$(mktemp -d /tmp/radar-bench-pg.XXXXXX)
  chmod 755 "$PRIVATE_DIR"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$PRIVATE_DIR"
  say "private PostgreSQL cluster in $PRIVATE_DIR on 127.0.0.1:$BENCH_PGPORT"
  as_pg "$PGBIN/initdb" -D "$PRIVATE_DIR/data" -U "$PGUSER" --auth=trust -E UTF8 --locale=C \
    >"$OUT/initdb.log" 2>&1 || die "initdb failed (see $OUT/initdb.log)"
  as_pg "$PGBIN/pg_ctl" -D "$PRIVATE_DIR/data" -l "$PRIVATE_DIR/postgres.log" -w -t 30 \
    -o "-p $BENCH_PGPORT -c listen_addresses=127.0.0.1 -k $PRIVATE_DIR $PG_OPTS" start >/dev/null ||
    die "cannot start the private cluster (see $PRIVATE_DIR/postgres.log)"
  export PGHOST=127.0.0.1 PGPORT=$BENCH_PGPORT
fi
psql_db postgres -c 'SELECT 1' >/dev/null || die "PostgreSQL not reachable at $PGHOST:$PGPORT"
if curl -s -o /dev/null --max-time 1 "$URL/"; then die "something already listens on $URL"; fi

# --- machine -------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM_GIB=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
PG_VERSION=$(psql_db postgres -c 'SHOW server_version')
PG_SETTINGS=$(psql_db postgres -F= -c "SELECT name, current_setting(name) FROM pg_settings
  WHERE name IN ('shared_buffers', 'synchronous_commit', 'max_connections') ORDER BY name" | paste -sd' ')
PGDATA_DIR=$(psql_db postgres -c 'SHOW data_directory')
PG_POSTMASTER=$(head -1 "$PGDATA_DIR/postmaster.pid") || die "cannot read $PGDATA_DIR/postmaster.pid"

# --- CPU accounting ------------------------------------------------------------------------------
# Ticks of utime+stime+cutime+cstime of the given pids (fields 14-17 of /proc/<pid>/stat; the
# command name may hold spaces, so fields are counted after its closing parenthesis). cutime/cstime
# hold what reaped children used: pgbench's backends and autovacuum workers exit inside the window,
# and their CPU moves to the postmaster's cutime/cstime then.
ticks_of() {
  local pid total=0 t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
pg_pids() { echo "$PG_POSTMASTER" $(ps -o pid= --ppid "$PG_POSTMASTER"); }
# Busy ticks of the whole machine (all CPUs): total minus idle and iowait.
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# "radar_ticks pg_ticks machine_busy_ticks epoch_ns"
sample() {
  local r=0
  [ -n "$RADAR_PID" ] && r=$(ticks_of "$RADAR_PID")
  echo "$r $(ticks_of $(pg_pids)) $(machine_busy) $(date +%s%N)"
}
# Core-milliseconds between two tick counts.
ms() { awk -v a="$1" -v b="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 1000 / hz }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN { if (b == 0) print "n/a"; else printf f, a / b }'; }

# Other work on the machine (builds, tests) distorts both runs: wait (bounded) for a quiet machine.
wait_idle() {
  local deadline=$((SECONDS + WAIT_IDLE)) a b
  while :; do
    a=$(machine_busy)
    sleep 3
    b=$(machine_busy)
    # below 0.1 core busy over 3 s
    [ $((b - a)) -lt $((3 * CLK_TCK / 10)) ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "warning: machine still busy ($(ms "$a" "$b") core-ms in 3 s); the run may be disturbed"
      return 0
    fi
  done
}

# --- build, database, seed -----------------------------------------------------------------------
if [ "$SKIP_BUILD" != 1 ]; then
  say "cargo build --release"
  cargo build --release --quiet
fi
# RADAR_BIN: the binary to measure; else the one cargo builds (honours CARGO_TARGET_DIR).
RADAR=${RADAR_BIN:-${CARGO_TARGET_DIR:-target}/release/radar}
[ -x "$RADAR" ] || die "$RADAR missing"

say "recreating database $BENCH_DB"
psql_db postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
psql_db postgres -c "CREATE DATABASE $BENCH_DB"
export RADAR__DATABASE__URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${BENCH_DB}"
export RADAR__SERVER__BIND="127.0.0.1:${PORT}" RADAR__SERVER__WORKERS="$WORKERS"
export RADAR__DATABASE__POOL_SIZE="$POOL"
"$RADAR" migrate >"$OUT/migrate.log" 2>&1 || die "radar migrate failed (see $OUT/migrate.log)"
say "seeding $SEED_SAY"
psql_db "$BENCH_DB" "${SEED_VARS[@]/#/-v}" -f "$SCN/seed.sql"
PGB_VARS=()
while read -r v; do PGB_VARS+=(-D "$v"); done < <(psql_db "$BENCH_DB" -c "$PGB_VARS_SQL")

# The pgbench script: the server's statements ($SCN/statements), $n replaced by pgbench variables.
PGB_SCRIPT="$OUT/$SCENARIO.pgbench.sql"
while read -r file subs; do
  case "$file" in
  '' | '#'*) continue ;;
  '\'*) echo "$file $subs" ;;
  *)
    [ -f "$file" ] || die "$SCN/statements names a missing file $file"
    sed_args=(-e '/^ *--/d')
    # A line marked `-- only if $n` (sql/case/list.sql) is dropped when $n is NULL, as radar does.
    for s in $subs; do
      [ "${s#*=}" = NULL ] && sed_args+=(-e "/-- only if \\${s%%=*}\\b/d")
    done
    for s in $subs; do sed_args+=(-e "s/\\${s%%=*}\\b/${s#*=}/g"); done
    sed "${sed_args[@]}" "$file"
    echo ';'
    ;;
  esac
done <"$SCN/statements" >"$PGB_SCRIPT"
! grep -q '\$[0-9]' "$PGB_SCRIPT" || die "unreplaced parameter in $PGB_SCRIPT"

# --- the scenario over HTTP -------------------------------------------------------------------------------
say "starting radar (workers=$WORKERS pool=$POOL) on $URL"
"$RADAR" serve >"$OUT/radar.log" 2>&1 &
RADAR_PID=$!

say "signing $PATHS request paths"
psql_db "$BENCH_DB" -v n="$PATHS" -f "$SCN/signed_paths.sql" >"$OUT/paths.txt"
[ "$(wc -l <"$OUT/paths.txt")" -eq "$PATHS" ] || die "path generation failed"

ready=0
for _ in $(seq 1 100); do
  kill -0 "$RADAR_PID" 2>/dev/null || die "radar exited (see $OUT/radar.log)"
  if curl -s --max-time 2 "$URL$(head -1 "$OUT/paths.txt")" >"$OUT/first_response.json" 2>/dev/null &&
    response_ok "$OUT/first_response.json"; then
    ready=1
    break
  fi
  sleep 0.3
done
[ "$ready" = 1 ] || die "radar not ready or $LABEL not answering as expected (see $OUT/first_response.json)"

say "waiting for an idle machine (at most ${WAIT_IDLE}s)"
wait_idle
WRK=(wrk -t "$THREADS" -c "$CONNECTIONS" --latency -s load-tests/signed_paths.lua)
say "wrk warm-up ${WARMUP}s"
timeout $((WARMUP + 30)) "${WRK[@]}" -d "${WARMUP}s" "$URL" -- "$OUT/paths.txt" >"$OUT/wrk_warmup.txt"
psql_db "$BENCH_DB" -c CHECKPOINT

read -r L0 P0 < <(counts)
say "wrk ${DURATION}s: ${WRK[*]} -d ${DURATION}s $URL -- paths.txt"
read -r R0 G0 B0 T0 < <(sample)
/usr/bin/time -f '%U %S' -o "$OUT/wrk_time.txt" \
  timeout $((DURATION + 30)) "${WRK[@]}" -d "${DURATION}s" "$URL" -- "$OUT/paths.txt" >"$OUT/wrk.txt"
read -r R1 G1 B1 T1 < <(sample)
sleep 1 # let requests in flight when wrk stopped finish
read -r L1 P1 < <(counts)
# A sample request after the run (a path from the middle of the list) must still answer correctly.
curl -s --max-time 5 "$URL$(sed -n "$((PATHS / 2))p" "$OUT/paths.txt")" >"$OUT/last_response.json" || true
cat "$OUT/wrk.txt" >&2

eval "$(grep '^WRK_RESULT' "$OUT/wrk.txt" | sed 's/^WRK_RESULT //; s/\([a-z0-9_]*\)=/W_\1=/g')"
[ -n "${W_requests:-}" ] || die "no WRK_RESULT line in $OUT/wrk.txt"
W_RPS=$(div "$W_requests" "$(div "$W_duration_us" 1000000 %.6f)" %.0f)
W_SOCKERR=$((W_connect + W_read + W_write + W_timeout))
W_RADAR_MS=$(ms "$R0" "$R1")
W_PG_MS=$(ms "$G0" "$G1")
W_BUSY_MS=$(ms "$B0" "$B1")
W_WALL_MS=$(((T1 - T0) / 1000000))
read -r WU WS <"$OUT/wrk_time.txt"
W_GEN_MS=$(awk -v u="$WU" -v s="$WS" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
W_CPU_REQ=$(div "$((W_RADAR_MS + W_PG_MS))" "$W_requests")
check_served "$W_requests" $((L1 - L0)) $((P1 - P0)) wrk
W_OK=$CHECK_OK W_NOTE=$CHECK_NOTE
[ "$W_requests" -gt 0 ] || W_OK="no (no requests)"
[ "$W_non2xx" -eq 0 ] || W_OK="no ($W_non2xx non-2xx)"
response_ok "$OUT/last_response.json" || W_OK="no (sample request after the run: see $OUT/last_response.json)"

say "stopping radar"
kill -TERM "$RADAR_PID"
wait "$RADAR_PID" 2>/dev/null || true
RADAR_PID=""

# --- the same SQL with pgbench -------------------------------------------------------------------
wait_idle
PGB=(pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -f "$PGB_SCRIPT" "${PGB_VARS[@]}")
say "pgbench warm-up ${WARMUP}s"
timeout $((WARMUP + 60)) "${PGB[@]}" -T "$WARMUP" "$BENCH_DB" >"$OUT/pgbench_warmup.txt" 2>&1
psql_db "$BENCH_DB" -c CHECKPOINT

read -r L0 P0 < <(counts)
say "pgbench ${DURATION}s: ${PGB[*]} -T $DURATION -l $BENCH_DB"
read -r R0 G0 B0 T0 < <(sample)
/usr/bin/time -f '%U %S' -o "$OUT/pgbench_time.txt" timeout $((DURATION + 60)) \
  "${PGB[@]}" -T "$DURATION" -l --log-prefix="$OUT/pgbench_log" "$BENCH_DB" >"$OUT/pgbench.txt" 2>&1 ||
  die "pgbench failed (see $OUT/pgbench.txt)"
read -r R1 G1 B1 T1 < <(sample)
read -r L1 P1 < <(counts)
cat "$OUT/pgbench.txt" >&2

G_TX=$(awk '/number of transactions actually processed/ { print $NF }' "$OUT/pgbench.txt" | cut -d/ -f1)
G_FAILED=$(awk '/number of failed transactions/ { print $5 }' "$OUT/pgbench.txt")
G_TPS=$(awk '/^tps =/ { printf "%.0f", $3 }' "$OUT/pgbench.txt")
G_LAT=$(awk '/^latency average/ { print $4 }' "$OUT/pgbench.txt")
# Per-transaction log: "client tx latency_us script epoch_s epoch_us" per line.
read -r G_P50 G_P90 G_P99 < <(cat "$OUT"/pgbench_log.* | awk '{ print $3 }' | sort -n |
  awk '{ v[NR] = $1 } END { printf "%d %d %d\n", v[int(NR * .50) + 1], v[int(NR * .90) + 1], v[int(NR * .99) + 1] }')
rm -f "$OUT"/pgbench_log.*
G_PG_MS=$(ms "$G0" "$G1")
G_BUSY_MS=$(ms "$B0" "$B1")
G_WALL_MS=$(((T1 - T0) / 1000000))
read -r GU GS <"$OUT/pgbench_time.txt"
G_GEN_MS=$(awk -v u="$GU" -v s="$GS" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
G_CPU_TX=$(div "$G_PG_MS" "$G_TX")
check_served "$G_TX" $((L1 - L0)) $((P1 - P0)) pgbench
G_OK=$CHECK_OK G_NOTE=$CHECK_NOTE
[ "${G_FAILED:-0}" -eq 0 ] || G_OK="no ($G_FAILED failed)"
! grep -q aborted "$OUT/pgbench.txt" || G_OK="no (clients aborted)"

# --- summary -------------------------------------------------------------------------------------
RATIO=$(div "$W_RPS" "$G_TPS")
P99_MS=$(div "$W_p99_us" 1000 %.1f)
PASS_RATIO=$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.60) ? "PASS" : "FAIL" }')
PASS_P99=$(awk -v p="$P99_MS" 'BEGIN { print (p <= 20) ? "PASS" : "FAIL" }')
# CPU of anything else on the machine during each window (other builds, tests): a disturbed run.
W_OTHER=$(div "$((W_BUSY_MS - W_RADAR_MS - W_PG_MS - W_GEN_MS))" "$W_WALL_MS" %.2f)
G_OTHER=$(div "$((G_BUSY_MS - G_PG_MS - G_GEN_MS))" "$G_WALL_MS" %.2f)
f() { div "$1" 1000 %.1f; }
{
  echo "== $TITLE ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo "machine: nproc=$NPROC, $CPU_MODEL, ${MEM_GIB} GiB RAM; PostgreSQL $PG_VERSION ($PG_SETTINGS;" \
    "$([ "$PRIVATE_PG" = 1 ] && echo "private cluster" || echo "shared cluster $PGHOST:$PGPORT"))"
  echo "config: DURATION=${DURATION}s CONNECTIONS=$CONNECTIONS THREADS=$THREADS WORKERS=$WORKERS POOL=$POOL" \
    "${PG_OPTS:+PG_OPTS='$PG_OPTS' }RUST_LOG=$RUST_LOG $SEED_DESC paths=$PATHS"
  echo "$LABEL (wrk):  ${W_RPS} req/s; latency p50 $(f "$W_p50_us") / p90 $(f "$W_p90_us") / p99 $(f "$W_p99_us")" \
    "/ p99.9 $(f "$W_p999_us") ms (mean $(f "$W_mean_us")); non-2xx $W_non2xx; socket errors $W_SOCKERR;" \
    "requests $W_requests; $W_NOTE; correct: $W_OK"
  echo "  CPU/request: ${W_CPU_REQ} core-ms (radar $(div "$W_RADAR_MS" "$W_requests")" \
    "+ postgres $(div "$W_PG_MS" "$W_requests")); wrk $(div "$W_GEN_MS" "$W_requests") core-ms/req;" \
    "window ${W_WALL_MS} ms: radar $(div "$W_RADAR_MS" "$W_WALL_MS" %.2f) + postgres $(div "$W_PG_MS" "$W_WALL_MS" %.2f)" \
    "+ wrk $(div "$W_GEN_MS" "$W_WALL_MS" %.2f) + other $W_OTHER cores"
  echo "pgbench:    ${G_TPS} tps; latency avg ${G_LAT} ms, p50 $(f "$G_P50") / p90 $(f "$G_P90") / p99 $(f "$G_P99") ms;" \
    "transactions $G_TX; failed ${G_FAILED:-0}; $G_NOTE; correct: $G_OK"
  echo "  CPU/transaction: ${G_CPU_TX} core-ms (postgres); pgbench $(div "$G_GEN_MS" "$G_TX") core-ms/tx;" \
    "window ${G_WALL_MS} ms: postgres $(div "$G_PG_MS" "$G_WALL_MS" %.2f) + pgbench $(div "$G_GEN_MS" "$G_WALL_MS" %.2f)" \
    "+ other $G_OTHER cores"
  echo "ratio $LABEL/pgbench: $RATIO (target >= 0.60: $PASS_RATIO); $LABEL p99 ${P99_MS} ms (target <= 20 ms: $PASS_P99)"
  echo "ROW | $CONNECTIONS | $THREADS | $WORKERS | $POOL | $W_RPS | $(f "$W_p50_us") | $(f "$W_p90_us") | $(f "$W_p99_us")" \
    "| $W_non2xx | $W_CPU_REQ | $G_TPS | $G_LAT | $(f "$G_P99") | $G_CPU_TX | $RATIO | $W_OTHER/$G_OTHER |"
  echo "artifacts: $OUT"
} | tee "$OUT/summary.txt"
[ "$W_OK" = yes ] && [ "$G_OK" = yes ] || exit 2
