#!/usr/bin/env bash
# Radar's chat against the Node.js reference server (issue 10), side by side in one run on this
# machine, with the same load generator (../shared/bench: loadgen, peer-node, radar-pairs.py).
#
#   load-tests/chat_vs_node.sh                                   # 200 pairs, 2,000 msgs/s, one node
#   RATE=4000 PAIRS=2000 NODES=2 DURATION=20 load-tests/chat_vs_node.sh
#   MODE=overload RATE=9000 DURATION=30 SERVERS=radar load-tests/chat_vs_node.sh
#   MODE=ramp RAMP="3000 4000 5000 6000" load-tests/chat_vs_node.sh
#   MODE=pgbench load-tests/chat_vs_node.sh                      # PostgreSQL's one-row INSERT ceiling
#
# Steps: build radar (release) and the bench tools; make two fresh databases on the PostgreSQL at
# $PGHOST:$PGPORT (radar_vs_$$ and peer_vs_$$); start Radar (production-style: external
# PostgreSQL, WeChat dev mode, per-socket rate limit raised, Redis only with NODES=2) and seed its
# pairs through its own API (radar-pairs.py), then restart it fresh; seed the reference's pairs
# (seed.js) and start it (Redis, one channel prefix per run). Then, back to back, loadgen against
# Radar and against the reference under scripts/cpu-run.sh (server + PostgreSQL + Redis CPU), and
# print one row each plus the ratios Radar/Node. With NODES=2, customers connect to node A and radar
# users to node B (--r-ws-base): every message crosses Redis.
#
# Modes: compare (default, the above); overload (RATE for DURATION, plus a probe of PROBE_RATE on
# PROBE_PAIRS other pairs whose measured window starts 2 s after the overload stops: accepted p99,
# lost_acked, and latency after the load drops); ramp (scripts/ramp.sh over RAMP, p99 bound
# RAMP_P99); pgbench (scripts/pgbench-insert.sql on the reference's table, PGBENCH_CLIENTS clients).
#
# Loopback only; every load phase is bounded by `timeout`; the EXIT trap stops every process this
# script started (by pid) and drops both databases (KEEP_DB=1 keeps them). Output: load-tests/out/
# vs-node-<time>/ (summary.txt holds the table).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

MODE=${MODE:-compare}           # compare | overload | ramp | pgbench
RATE=${RATE:-2000}              # offered msgs/s, both directions together
PAIRS=${PAIRS:-200}             # conversation pairs (2 sockets each)
NODES=${NODES:-1}               # 1, or 2 (customers on A, radar users on B, through Redis)
DURATION=${DURATION:-20}        # measured seconds per server
WARMUP=${WARMUP:-5}
PAYLOAD=${PAYLOAD:-64}          # bytes of message text
SERVERS=${SERVERS:-radar node}  # which servers to run, in order
RAMP=${RAMP:-2000 3000 4000 5000 6000 7000 8000 10000 12000}
RAMP_P99=${RAMP_P99:-25}
PROBE_RATE=${PROBE_RATE:-200}
PROBE_PAIRS=${PROBE_PAIRS:-20}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-64}
RADAR_RATE_LIMIT=${RADAR_RATE_LIMIT:-100000} # chat.rate_per_sec and rate_burst of every radar node
RADAR_PORTS=${RADAR_PORTS:-8111 8112}
NODE_PORTS=${NODE_PORTS:-8121 8122}
BENCH_SRC=${BENCH_SRC:-$REPO/../shared/bench}
BENCH_DIR=${BENCH_DIR:-$REPO/load-tests/out/bench} # writable copy, built once and reused
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_DB=${KEEP_DB:-0}
HISTORY=${HISTORY:-50}          # read history messages per pair for both servers, then ANALYZE (0 = none)
WAIT_IDLE=${WAIT_IDLE:-20}      # before each load phase, wait up to this long for a quieter machine
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGSSLMODE=disable
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
RADAR_BIN=${RADAR_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/radar}
export RUST_LOG=${RUST_LOG:-warn}

OUT=$REPO/load-tests/out/vs-node-$(date +%Y%m%dT%H%M%S)-$MODE
mkdir -p "$OUT"
RDB=radar_vs_$$ PDB=peer_vs_$$
PREFIX=vs$$x$RANDOM
PIDS=()

say() { printf '[vs-node] %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
psql_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  # The binary's copy (≈ 130 MB) and the posters radar rendered while seeding go too.
  rm -f "$OUT/radar"
  if [ "$KEEP_DB" != 1 ]; then
    rm -rf "$OUT/radar-data"
    psql_q postgres -c "DROP DATABASE IF EXISTS $RDB WITH (FORCE)" >/dev/null 2>&1 || true
    psql_q postgres -c "DROP DATABASE IF EXISTS $PDB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $MODE in compare | overload | ramp | pgbench) ;; *) die "MODE must be compare, overload, ramp or pgbench" ;; esac
case $NODES in 1 | 2) ;; *) die "NODES must be 1 or 2" ;; esac
for t in psql pgbench node npm python3 redis-cli curl bc /usr/bin/time; do command -v "$t" >/dev/null || die "$t not found"; done
psql_q postgres -c 'SELECT 1' >/dev/null || die "PostgreSQL not reachable at $PGHOST:$PGPORT"
redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 || die "Redis not reachable at $REDIS_URL"
for port in $RADAR_PORTS $NODE_PORTS; do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && die "port $port is in use"
done
ulimit -n "$(ulimit -Hn)"
read -r RPORT_A RPORT_B <<<"$RADAR_PORTS"
read -r NPORT_A NPORT_B <<<"$NODE_PORTS"

# --- tools -----------------------------------------------------------------------------------------
if [ ! -d "$BENCH_DIR" ]; then
  [ -d "$BENCH_SRC" ] || die "bench folder not found at $BENCH_SRC (set BENCH_SRC)"
  mkdir -p "$(dirname "$BENCH_DIR")" && cp -r "$BENCH_SRC" "$BENCH_DIR"
fi
# The copy lives under load-tests/, whose Cargo.toml is a workspace root: an empty [workspace]
# table keeps cargo from attaching loadgen to it.
grep -q '^\[workspace\]' "$BENCH_DIR/loadgen/Cargo.toml" || printf '\n[workspace]\n' >>"$BENCH_DIR/loadgen/Cargo.toml"
LG=$BENCH_DIR/loadgen/target/release/loadgen
# loadgen books acks on its sends in order; a {code:429} (admission) or {code:503} answer used to
# be skipped, so every later ack of the socket landed on the send before it (refused sends counted
# as acknowledged, ack latency skewed). load-tests/loadgen-refused-sends.patch pops the send.
if ! grep -q SendRefused "$BENCH_DIR/loadgen/src/proto.rs"; then
  patch -s -p1 -d "$BENCH_DIR" <"$REPO/load-tests/loadgen-refused-sends.patch" || die "cannot patch loadgen"
  rm -f "$LG"
fi
if [ "$SKIP_BUILD" != 1 ]; then
  say "cargo build --release (radar; loadgen in its own target dir)"
  cargo build --release --quiet --locked
  (cd "$BENCH_DIR/loadgen" && cargo build --release --quiet)
fi
# load-tests/loadgen-latency-dump.patch: with LG_DUMP=FILE the loadgen writes "seq latency_us" per
# delivery (each run below writes <out>/<name>.lat; load-tests/lat_timeline.py reads it).
if ! grep -q dump_latencies "$BENCH_DIR/loadgen/src/stats.rs"; then
  patch -s -p1 -d "$BENCH_DIR" <"$REPO/load-tests/loadgen-latency-dump.patch" || die "cannot patch loadgen"
  rm -f "$LG"
fi
[ -x "$LG" ] || (cd "$BENCH_DIR/loadgen" && cargo build --release --quiet)
[ -d "$BENCH_DIR/peer-node/node_modules" ] || (cd "$BENCH_DIR/peer-node" && npm install --silent)
[ -x "$RADAR_BIN" ] || die "$RADAR_BIN missing"
# The shared target dir may be rebuilt by others meanwhile: measure a copy.
cp "$RADAR_BIN" "$OUT/radar" && RADAR_BIN=$OUT/radar
mkdir -p "$BENCH_DIR/runs"

# --- machine -----------------------------------------------------------------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
wait_idle() { # bounded wait for < 0.3 core busy
  local deadline=$((SECONDS + WAIT_IDLE)) a b hz
  hz=$(getconf CLK_TCK)
  while :; do
    a=$(machine_busy)
    sleep 2
    b=$(machine_busy)
    [ $((b - a)) -lt $((2 * hz * 3 / 10)) ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && {
      say "machine busy ($(((b - a) * 50 / hz))% of a core) before the run; going on (load $(loadavg))"
      return 0
    }
  done
}
# Transactions committed in other databases of the cluster (other engineers' tests): their
# PostgreSQL CPU lands in our figures too, so each row reports them.
other_xacts() { # other_xacts FILE: "datname xacts" of every other database
  psql_q postgres -F' ' -c "SELECT datname, xact_commit + xact_rollback FROM pg_stat_database
    WHERE datname NOT IN ('$RDB', '$PDB')" >"$1"
}
other_xacts_since() { # other_xacts_since FILE: transactions since then, in databases present both times
  other_xacts "$1.end"
  awk 'FNR == NR { a[$1] = $2; next } ($1 in a) { t += $2 - a[$1] } END { print t + 0 }' "$1" "$1.end"
}

# PostgreSQL CPU of this run alone: cpu-run.sh counts every process of the cluster, which on a
# shared machine includes other engineers' tests. pg_ticks_snapshot FILE writes "pid ticks" of every
# postgres process; pg_scoped_ticks DB FILE sums, since that snapshot, the ticks of DB's backends and
# of the cluster's WAL writer, checkpointer and background writer (backends that connected in
# between count from 0).
pg_ticks_snapshot() {
  local p
  for p in $(pgrep -u postgres); do
    [ -r "/proc/$p/stat" ] && awk -v p="$p" '{ sub(/^.*\) /, ""); print p, $12 + $13 }' "/proc/$p/stat" 2>/dev/null
  done >"$1" || true
}
pg_scoped_ticks() {
  local pids
  pids=$(psql_q postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1'
    OR backend_type IN ('walwriter', 'checkpointer', 'background writer')")
  pg_ticks_snapshot "$2.end"
  awk -v want="$(echo $pids)" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
    FNR == NR { start[$1] = $2; next } ($1 in keep) { t += $2 - start[$1] } END { print t + 0 }' "$2" "$2.end"
}

# Database work of DB: "commits scanned fetched inserted updated deleted" (pg_stat_database), then
# the updates of chat_messages and conversations (pg_stat_user_tables).
db_stats() {
  psql_q "$1" -F' ' -c "SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted,
      (SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'chat_messages'),
      (SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'conversations')
    FROM pg_stat_database WHERE datname = current_database()"
}
# db_work NAME BEFORE AFTER TXT: that work per delivered message (warm-up included, like the CPU).
db_work() {
  python3 - "$@" <<'PY'
import json, sys
name, a, b, txt = sys.argv[1:5]
try:
    j = json.loads(open(txt).read().strip().splitlines()[-1])
except Exception:  # noqa: BLE001
    sys.exit(0)
msgs = (j.get("received") or 0) + (j.get("warmup_sent") or 0) - (j.get("warmup_lost") or 0)
x, y = [float(v) for v in a.split()], [float(v) for v in b.split()]
keys = ["commits", "rows scanned", "rows fetched", "inserted", "updated", "deleted",
        "chat_messages updates", "conversations updates"]
if msgs:
    print(f"{name}: database work per delivered message: "
          + ", ".join(f"{k} {(y[i] - x[i]) / msgs:.2f}" for i, k in enumerate(keys)))
PY
}

# --- Radar -------------------------------------------------------------------------------------------
RURL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${RDB}"
RADAR_PIDS=()
start_radar() { # start_radar NAME PORT
  local name=$1 port=$2 pid
  (
    export RADAR__DATABASE__URL="$RURL" RADAR__SERVER__BIND="127.0.0.1:$port"
    export RADAR__WECHAT__MODE=dev RADAR__STORAGE__DATA_DIR="$OUT/radar-data"
    export RADAR__CHAT__RATE_PER_SEC=$RADAR_RATE_LIMIT RADAR__CHAT__RATE_BURST=$RADAR_RATE_LIMIT
    if [ "$NODES" = 2 ]; then
      export RADAR__REDIS__URL="$REDIS_URL" RADAR__REDIS__CHANNEL_PREFIX="$PREFIX"
    else
      export RADAR__REDIS__URL=""
    fi
    exec "$RADAR_BIN" serve
  ) >>"$OUT/radar-$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  RADAR_PIDS+=("$pid")
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || die "radar $name exited (see $OUT/radar-$name.log)"
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/" || true)" != 000 ] && return 0
    sleep 0.2
  done
  die "radar $name not listening on :$port"
}
stop_radar() {
  local p
  for p in "${RADAR_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${RADAR_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  RADAR_PIDS=()
}
start_radar_nodes() {
  start_radar a "$RPORT_A"
  [ "$NODES" = 2 ] && start_radar b "$RPORT_B"
  return 0
}

# --- Node.js reference --------------------------------------------------------------------------------
PURL="postgresql://${PGUSER}@${PGHOST}:${PGPORT}/${PDB}"
NODE_PIDS=()
start_peer() { # start_peer NAME PORT
  local name=$1 port=$2 pid
  (
    cd "$BENCH_DIR/peer-node"
    export PORT=$port PG_URL="$PURL" REDIS_URL="$REDIS_URL" CHANNEL_PREFIX="${PREFIX}peer:"
    exec node server.js
  ) >>"$OUT/peer-$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  NODE_PIDS+=("$pid")
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || die "peer $name exited (see $OUT/peer-$name.log)"
    grep -q listening "$OUT/peer-$name.log" && return 0
    sleep 0.1
  done
  die "peer $name not listening on :$port"
}
stop_peers() {
  local p
  for p in "${NODE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${NODE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  NODE_PIDS=()
}
start_peer_nodes() {
  start_peer a "$NPORT_A"
  [ "$NODES" = 2 ] && start_peer b "$NPORT_B"
  sleep 1 # startup garbage settles
}

# --- seeding -----------------------------------------------------------------------------------------
NEED=$PAIRS
[ "$MODE" = overload ] && NEED=$((PAIRS + PROBE_PAIRS))
seed_radar() {
  psql_q postgres -c "CREATE DATABASE $RDB" >/dev/null
  RADAR__DATABASE__URL="$RURL" "$RADAR_BIN" migrate >"$OUT/radar-migrate.log" 2>&1 || die "radar migrate failed"
  start_radar a "$RPORT_A"
  say "seeding $NEED Radar pairs through its API (radar-pairs.py)"
  local t0=$SECONDS
  RADAR__DATABASE__URL="$RURL" timeout 1800 python3 "$BENCH_DIR/radar-pairs.py" --base "http://127.0.0.1:$RPORT_A" \
    --radar-bin "$RADAR_BIN" --radar-users "$NEED" --customers "$NEED" --out "$OUT/radar-pairs.json" \
    >"$OUT/radar-pairs.log" 2>&1 || die "radar-pairs.py failed (see $OUT/radar-pairs.log)"
  say "seeded in $((SECONDS - t0)) s"
  if [ "$HISTORY" -gt 0 ]; then
    # HISTORY read messages per bound pair, numbered after the pair's seq, then ANALYZE: a server
    # that first plans its statements on a near-empty chat_messages keeps seq-scan plans in its
    # connections until autovacuum's first ANALYZE (minutes later), which a 25 s run never sees.
    # The per-message read flags: is_*_new_msg before V12, sent_unread_to_* since.
    local fc=is_customer_new_msg fu=is_user_new_msg
    if [ "$(psql_q "$RDB" -c "SELECT count(*) FROM information_schema.columns
        WHERE table_name = 'chat_messages' AND column_name = 'sent_unread_to_customer'")" = 1 ]; then
      fc=sent_unread_to_customer fu=sent_unread_to_user
    fi
    psql_q "$RDB" -v history="$HISTORY" -v fc="$fc" -v fu="$fu" <<'SQL'
INSERT INTO chat_messages (user_id, customer_id, send_type, content, :"fc", :"fu", client_msg_id, create_date, seq)
SELECT b.user_id, b.customer_id, 1 + k % 2, '{"info_type": 1, "msg": "history"}', false, false,
       'h' || b.id || '.' || k, now() - interval '1 day' + k * interval '1 minute', coalesce(cv.seq, 0) + k
FROM customer_bindings b
LEFT JOIN conversations cv ON cv.user_id = b.user_id AND cv.customer_id = b.customer_id,
     generate_series(1, :history) k
ORDER BY k, b.id;
INSERT INTO conversations AS cv (user_id, customer_id, last_message_id, last_at, seq)
SELECT user_id, customer_id, max(id), max(create_date), max(seq) FROM chat_messages GROUP BY user_id, customer_id
ON CONFLICT (user_id, customer_id) DO UPDATE
SET seq = excluded.seq, last_message_id = GREATEST(cv.last_message_id, excluded.last_message_id);
ANALYZE;
SQL
  fi
  # Diagnosis hook: SQL run on Radar's database before the measured start (e.g. auto_explain).
  [ -z "${RADAR_DB_SETUP:-}" ] || psql_q "$RDB" -c "$RADAR_DB_SETUP" >/dev/null
  stop_radar # measured on a fresh process (no seeding leftovers: posters, caches)
}
seed_peer() {
  psql_q postgres -c "CREATE DATABASE $PDB" >/dev/null
  (cd "$BENCH_DIR/peer-node" && PG_URL="$PURL" timeout 600 node seed.js --pairs "$NEED" --out "$OUT/peer-pairs.json") \
    >"$OUT/peer-seed.log" 2>&1 || die "seed.js failed (see $OUT/peer-seed.log)"
  if [ "$HISTORY" -gt 0 ]; then # the same history for the reference (pairs i ↔ i)
    psql_q "$PDB" -v history="$HISTORY" -v n="$NEED" <<'SQL'
INSERT INTO chat_messages (user_id, customer_id, send_type, content, is_customer_new_msg, is_user_new_msg, create_date)
SELECT i, i, 1 + k % 2, '{"info_type": 1, "msg": "history"}', false, false, now() - interval '1 day' + k * interval '1 minute'
FROM generate_series(1, :n) i, generate_series(1, :history) k ORDER BY k, i;
ANALYZE;
SQL
  fi
}
# probe_file IN OUT: the PROBE_PAIRS pairs after the first PAIRS.
probe_file() {
  python3 - "$1" "$2" "$PAIRS" "$PROBE_PAIRS" <<'PY'
import json, sys
src, dst, n, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pairs = json.load(open(src))["pairs"]
json.dump({"pairs": pairs[n:n + k]}, open(dst, "w"))
PY
}

# --- one row -------------------------------------------------------------------------------------------
# row NAME TXT ERR LOAD OTHER_XACTS PG_DB_TICKS: the table row of one loadgen run.
row() {
  python3 - "$@" <<'PY'
import json, re, sys
name, txt, err, load, other, pgdb = sys.argv[1:7]
hz = float(sys.argv[7]) if len(sys.argv) > 7 else 100.0
try:
    j = json.loads(open(txt).read().strip().splitlines()[-1])
except Exception as e:  # noqa: BLE001
    print(f"| {name} | NO REPORT ({e}) |"); sys.exit(0)
cpu = next((l for l in open(err) if l.startswith("cpu ")), "")
m = re.search(r"over ([\d.]+)s wall\): server ([\d.]+)  postgres ([\d.]+)  redis ([\d.]+)  loadgen ([\d.]+)", cpu)
w, s, p, r, g = (float(x) for x in m.groups()) if m else (0, 0, 0, 0, 0)
# cpu-run.sh averages over the whole command; messages = everything delivered in it (warm-up too).
msgs = (j.get("received") or 0) + (j.get("warmup_sent") or 0) - (j.get("warmup_lost") or 0)
us = lambda c: c * w / msgs * 1e6 if msgs else float("nan")  # noqa: E731
# this run's PostgreSQL (its database's backends + WAL writer, checkpointer, bgwriter), in core-s
pd = float(pgdb) / hz / w if w and pgdb not in ("", "-") else float("nan")
lat, ack = j.get("latency_ms") or {}, j.get("ack_latency_ms") or {}
print(f"| {name} | {j.get('active_pairs', '-')} | {j['rate_target']:.0f} | {j['msgs_per_s']} | "
      f"{lat.get('p50', '-')} | {lat.get('p99', '-')} | {lat.get('max', '-')} | {ack.get('p99', '-')} | "
      f"{j['lost']} | {j.get('lost_acked', '-')} | {j['error_frames']} | {j['out_of_order']} | "
      f"{us(s + pd + r):.0f} | {us(s):.0f} / {us(pd):.0f} / {us(r):.0f} | {us(s + p + r):.0f} ({us(p):.0f}) | {g:.2f} | {load} | {other} |")
print(json.dumps({"name": name, "p50": lat.get("p50"), "p99": lat.get("p99"), "rate": j["msgs_per_s"],
                  "cpu_us": us(s + pd + r), "lost": j["lost"], "lost_acked": j.get("lost_acked")}), file=sys.stderr)
PY
}
HEADER='| server | pairs | offered/s | delivered/s | p50 ms | p99 ms | max ms | ack p99 ms | lost | lost_acked | error frames | out of order | server-side CPU µs/msg | split server / PostgreSQL / Redis µs | same with the whole PostgreSQL cluster (its part) | loadgen cores | load avg (1/5/15 min) before | other-DB xacts during |'
SEP='|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'

ROWS=()
DBWORK=()
# run_lg NAME SERVER_PIDS WS_BASE R_WS_BASE PAIRS_FILE NPAIRS RATE WARMUP DURATION [extra loadgen args]
run_lg() {
  local name=$1 spids=$2 base=$3 rbase=$4 pf=$5 np=$6 rate=$7 wu=$8 dur=$9 load x0 x1 db pgt
  shift 9
  db=$([ "${name%%-*}" = radar ] && echo "$RDB" || echo "$PDB")
  load=$(loadavg)
  other_xacts "$OUT/$name.x0"
  pg_ticks_snapshot "$OUT/$name.pg0"
  local dbs0
  sleep 0.6 # pg_stat_database lags up to 500 ms
  dbs0=$(db_stats "$db")
  say "$name: loadgen --pairs $np --rate $rate --warmup $wu --duration $dur (load $load)"
  python3 "$REPO/load-tests/cpu_sampler.py" "$OUT/$name.cpu" $((wu + dur + 300)) &
  local sampler=$!
  PIDS+=("$sampler")
  LG_DUMP=$OUT/$name.lat timeout $((wu + dur + 300)) "$BENCH_DIR/scripts/cpu-run.sh" "$spids" -- "$LG" --ws-base "$base" --r-ws-base "$rbase" \
    --pairs-file "$pf" --pairs "$np" --rate "$rate" --warmup "$wu" --duration "$dur" --payload "$PAYLOAD" \
    --server-pid "$spids" --progress-secs 0 "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err" || true
  kill "$sampler" 2>/dev/null || true
  x1=$(other_xacts_since "$OUT/$name.x0")
  pgt=$(pg_scoped_ticks "$db" "$OUT/$name.pg0")
  echo "$pgt" >"$OUT/$name.pgdb"
  sleep 0.6
  db_work "$name" "$dbs0" "$(db_stats "$db")" "$OUT/$name.txt" >"$OUT/$name.dbwork" || true
  DBWORK+=("$(cat "$OUT/$name.dbwork")")
  ROWS+=("$(row "$name" "$OUT/$name.txt" "$OUT/$name.err" "$load" "$x1" "$pgt" "$(getconf CLK_TCK)" 2>>"$OUT/stats.jsonl")")
  echo "${ROWS[-1]}" >&2
}
# Node A's /metrics (samples only), kept beside the run.
radar_metrics() { curl -s --max-time 2 "http://127.0.0.1:$RPORT_A/metrics" | grep -v '^#' || true; }
# batch_summary BEFORE AFTER: mean rows and commit time per batch of the writer between two scrapes.
batch_summary() {
  python3 - "$1" "$2" <<'PY'
import sys
def parse(path):
    d = {}
    for line in open(path):
        k, _, v = line.rpartition(" ")
        try:
            d[k.strip()] = float(v)
        except ValueError:
            pass
    return d
a, b = parse(sys.argv[1]), parse(sys.argv[2])
g = lambda k: b.get(k, 0) - a.get(k, 0)  # noqa: E731
refused = 'radar_chat_admission_refusals_total{cause="%s"}'
n = g("radar_chat_batch_commit_seconds_count")
if n:
    print(f"radar writer (node A): {n:.0f} batches, {g('radar_chat_batch_rows_sum') / n:.1f} rows/batch, "
          f"{g('radar_chat_batch_commit_seconds_sum') / n * 1000:.2f} ms per batch (reserve ids + insert + commit), "
          f"admission refusals {g(refused % 'backlog'):.0f} by backlog, {g(refused % 'lag'):.0f} by loop lag")
PY
}

bases() { # bases SERVER -> "ws_base r_ws_base pids"
  if [ "$1" = radar ]; then
    local b="ws://127.0.0.1:$RPORT_A" r="ws://127.0.0.1:$RPORT_A"
    [ "$NODES" = 2 ] && r="ws://127.0.0.1:$RPORT_B"
    echo "$b $r $(IFS=,; echo "${RADAR_PIDS[*]}")"
  else
    local b="ws://127.0.0.1:$NPORT_A" r="ws://127.0.0.1:$NPORT_A"
    [ "$NODES" = 2 ] && r="ws://127.0.0.1:$NPORT_B"
    echo "$b $r $(IFS=,; echo "${NODE_PIDS[*]}")"
  fi
}

# --- runs ----------------------------------------------------------------------------------------------
MACHINE="nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM"
PGVER=$(psql_q postgres -c 'SHOW server_version')
# Radar settings given in the environment (RADAR__SERVER__WORKERS=1 …) belong to the command too.
mapfile -t RADAR_ENV < <(env | grep '^RADAR__' | sort)
COMMAND=$(printf '%q ' env MODE="$MODE" RATE="$RATE" PAIRS="$PAIRS" NODES="$NODES" DURATION="$DURATION" SERVERS="$SERVERS" HISTORY="$HISTORY" "${RADAR_ENV[@]}" load-tests/chat_vs_node.sh)
say "output in $OUT"

if [ "$MODE" = pgbench ]; then
  seed_peer
  n=$(psql_q "$PDB" -c "SELECT count(*) FROM chat_messages")
  wait_idle
  load=$(loadavg)
  # pgbench reads every ":name" as a variable, also inside the JSON literal ("info_type":1,
  # "lg:0:0:…"), which breaks -M prepared ("bind message supplies 3 parameters"). The copy writes
  # those colons as E'\x3a' escapes: the same constant, so the same INSERT, and prepared once.
  sql=$OUT/pgbench-insert.sql
  python3 - "$BENCH_DIR/scripts/pgbench-insert.sql" "$sql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
fix = lambda m: "E'" + m.group(1).replace(":", "\\x3a") + "'"  # noqa: E731
open(sys.argv[2], "w").write(re.sub(r"'(\{[^']*\})'", fix, text))
PY
  pgb=(pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -T "$DURATION" -f "$sql" "$PDB")
  timeout 60 pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -T 3 -f "$sql" "$PDB" >"$OUT/pgbench-warmup.txt" 2>&1 ||
    die "pgbench warm-up failed (see $OUT/pgbench-warmup.txt)"
  other_xacts "$OUT/pgbench.x0"
  timeout $((DURATION + 60)) "$BENCH_DIR/scripts/cpu-run.sh" 0 -- "${pgb[@]}" >"$OUT/pgbench.txt" 2>"$OUT/pgbench.err" ||
    die "pgbench failed (see $OUT/pgbench.txt)"
  x1=$(other_xacts_since "$OUT/pgbench.x0")
  tps=$(awk '/^tps =/ { printf "%.0f", $3 }' "$OUT/pgbench.txt")
  lat=$(awk '/^latency average/ { print $4 }' "$OUT/pgbench.txt")
  line=$(python3 - "$OUT/pgbench.err" "$tps" <<'PY'
import re, sys
cpu = next((l for l in open(sys.argv[1]) if l.startswith("cpu ")), "")
m = re.search(r"postgres ([\d.]+)  redis ([\d.]+)  loadgen ([\d.]+)", cpu)
p, r, g = (float(x) for x in m.groups())
tps = float(sys.argv[2])
print(f"{p * 1e6 / tps:.0f} | {p * 1e6 / tps:.0f} PostgreSQL | {g:.2f} (pgbench)")
PY
)
  {
    echo "== chat_vs_node pgbench $(date -u '+%Y-%m-%d %H:%M UTC'); $MACHINE; PostgreSQL $PGVER"
    echo "command: $COMMAND ($(printf '%q ' "${pgb[@]}"))"
    echo "| what | clients | INSERTs/s | latency avg ms | PostgreSQL CPU µs/INSERT | split | client cores | load avg before | other-DB xacts during |"
    echo "|---|---|---|---|---|---|---|---|---|"
    echo "| pgbench one-row INSERT (scripts/pgbench-insert.sql, -M prepared, $n seeded rows) | $PGBENCH_CLIENTS | $tps | $lat | $line | $load | $x1 |"
    echo "artifacts: $OUT"
  } | tee "$OUT/summary.txt"
  exit 0
fi

for s in $SERVERS; do
  case $s in
    radar) seed_radar ;;
    node) seed_peer ;;
    *) die "SERVERS: radar and/or node" ;;
  esac
done

EXTRA=()
for s in $SERVERS; do
  if [ "$s" = radar ]; then start_radar_nodes; else start_peer_nodes; fi
  read -r B RB SP < <(bases "$s")
  PF=$OUT/$([ "$s" = radar ] && echo radar || echo peer)-pairs.json
  wait_idle
  case $MODE in
    compare)
      [ "$s" = radar ] && radar_metrics >"$OUT/radar-metrics-0.txt"
      run_lg "$s" "$SP" "$B" "$RB" "$PF" "$PAIRS" "$RATE" "$WARMUP" "$DURATION"
      [ "$s" = radar ] && radar_metrics >"$OUT/radar-metrics-1.txt" &&
        EXTRA+=("$(batch_summary "$OUT/radar-metrics-0.txt" "$OUT/radar-metrics-1.txt")")
      ;;
    overload)
      probe_file "$PF" "$OUT/$s-probe-pairs.json"
      [ "$s" = radar ] && radar_metrics >"$OUT/radar-metrics-0.txt"
      # The overload run in the background; the probe starts once its sockets are connected, with a
      # warm-up that ends 2 s after the overload's last send.
      (run_lg "$s-overload" "$SP" "$B" "$RB" "$PF" "$PAIRS" "$RATE" "$WARMUP" "$DURATION" >/dev/null 2>&1
       cp "$OUT/$s-overload.txt" "$OUT/$s-overload.done") &
      PIDS+=("$!")
      for _ in $(seq 1 600); do grep -q connected "$OUT/$s-overload.err" 2>/dev/null && break; sleep 0.1; done
      run_lg "$s-probe-after-2s" "$SP" "$B" "$RB" "$OUT/$s-probe-pairs.json" "$PROBE_PAIRS" "$PROBE_RATE" \
        "$((WARMUP + DURATION + 2))" 10
      wait "${PIDS[-1]}" || true
      ROWS+=("$(row "$s-overload" "$OUT/$s-overload.txt" "$OUT/$s-overload.err" "see probe" "-" "$(cat "$OUT/$s-overload.pgdb" 2>/dev/null || echo -)" 2>>"$OUT/stats.jsonl")")
      EXTRA+=("probe ($PROBE_RATE msgs/s on $PROBE_PAIRS other pairs, started when the overload's sockets were connected): its measured 10 s start 2 s + its own connect time ($(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1]).get("connect_secs"))' "$OUT/$s-probe-after-2s.txt" 2>/dev/null || echo '?') s) after the overload's last send; its warm-up error frames are the overload's 429s")
      [ "$s" = radar ] && radar_metrics >"$OUT/radar-metrics-1.txt" &&
        EXTRA+=("$(batch_summary "$OUT/radar-metrics-0.txt" "$OUT/radar-metrics-1.txt")")
      ;;
    ramp)
      say "$s: ramp over $RAMP (p99 bound $RAMP_P99 ms, ${DURATION}s per step)"
      rm -f "$BENCH_DIR"/runs/ramp-*
      (timeout 1800 "$BENCH_DIR/scripts/ramp.sh" "$B" "$PF" "$SP" "$RAMP" "$RAMP_P99" "$DURATION" "$PAIRS" || true) |
        tee "$OUT/$s-ramp.txt" >&2
      mkdir -p "$OUT/$s-ramp" && mv "$BENCH_DIR"/runs/ramp-* "$OUT/$s-ramp/" 2>/dev/null || true
      best=$(python3 - "$OUT/$s-ramp.txt" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
rates = [float(re.match(r"rate\s+([\d.]+):", l).group(1)) for l in lines if l.startswith("rate")]
stopped = any(l.startswith("stop") for l in lines)
ok = rates[:-1] if stopped else rates
print(f"{ok[-1]:.0f}" if ok else "none", "(next step failed)" if stopped else "(every step passed)")
PY
)
      EXTRA+=("$s: highest rate with p99 <= $RAMP_P99 ms, nothing lost, >= 98% delivered: $best; load at the end $(loadavg)")
      ;;
  esac
  if [ "$s" = radar ]; then stop_radar; else stop_peers; fi
done

ratio() {
  python3 - "$OUT/stats.jsonl" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    rows[j["name"]] = j
r, n = rows.get("radar"), rows.get("node")
if r and n:
    f = lambda a, b: f"{a / b:.2f}" if a and b else "n/a"  # noqa: E731
    print(f"ratio Radar/Node: p50 {f(r['p50'], n['p50'])}, p99 {f(r['p99'], n['p99'])}, "
          f"delivered/s {f(r['rate'], n['rate'])}, server-side CPU per message {f(r['cpu_us'], n['cpu_us'])}")
PY
}
{
  echo "== chat_vs_node $MODE $(date -u '+%Y-%m-%d %H:%M UTC'): NODES=$NODES PAIRS=$PAIRS RATE=$RATE DURATION=$DURATION WARMUP=$WARMUP HISTORY=$HISTORY payload $PAYLOAD B"
  echo "machine: $MACHINE; PostgreSQL $PGVER on $PGHOST:$PGPORT; redis-server $(redis-server --version | awk '{ print $3 }'); node $(node --version)"
  echo "radar: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src sql || echo ' + uncommitted changes'), release, RUST_LOG=$RUST_LOG, chat.rate_per_sec=$RADAR_RATE_LIMIT"
  echo "command: $COMMAND"
  echo "$HEADER"
  echo "$SEP"
  printf '%s\n' "${ROWS[@]}"
  [ "$MODE" = compare ] && ratio
  [ ${#EXTRA[@]} -gt 0 ] && printf '%s\n' "${EXTRA[@]}"
  [ ${#DBWORK[@]} -gt 0 ] && printf '%s\n' "${DBWORK[@]}"
  echo "artifacts: $OUT"
} | tee "$OUT/summary.txt"
