#!/usr/bin/env bash
# (b) 1:1 chat over sockets on one node (issue 3); with NODES=2, (c) the same across two nodes
# through Redis (chat_two_nodes.sh sets that).
#
#   load-tests/chat_one_node.sh                       # 1000 pairs, 20,000 msg/s offered, 60 s
#   PAIRS=1000 RATE=20000 DURATION=60 load-tests/chat_one_node.sh
#
# Steps: build both crates; recreate $BENCH_DB, migrate, seed PAIRS pairs (radar user i ↔ customer
# i); start the node(s); connect PAIRS customer sockets (WS-M) and PAIRS radar sockets (WS-R1), all
# registered; both sides send text messages with a client_msg_id at RATE/2 each (open loop) for
# WARMUP + DURATION s; latency = send → the recipient's push. The generator samples CPU of the
# node(s), every PostgreSQL process and redis-server around the DURATION window, drains, and writes
# the acknowledged ids; the script then checks them against chat_messages (lost = acknowledged and
# not stored with that id; duplicated = a client_msg_id stored twice), stops the node(s) and runs
# the pgbench ceiling (64 clients, one-row INSERTs into chat_messages). Summary on stdout and in
# $OUT/summary.txt.
SCENARIO=${SCENARIO:-chat-one-node}
COMMAND="$(printf '%q ' env NODES="${NODES:-1}" PAIRS="${PAIRS:-1000}" RATE="${RATE:-20000}" \
  DURATION="${DURATION:-60}" WORKERS="${WORKERS:-0}" POOL="${POOL:-32}" THREADS="${THREADS:-2}" "$0")"
# shellcheck source=chat_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/chat_lib.sh"

NODES=${NODES:-1}        # 1: one node, in-process bus; 2: two nodes through Redis
PAIRS=${PAIRS:-1000}     # pairs; sockets = 2 × PAIRS
RATE=${RATE:-20000}      # offered messages/s, both directions together
DURATION=${DURATION:-60} # measured window, seconds
WARMUP=${WARMUP:-5}
DRAIN=${DRAIN:-10}
THREADS=${THREADS:-2} # generator worker threads
PORT_A=${PORT_A:-8101}
PORT_B=${PORT_B:-8102}
SRC=${SRC:-127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5}
TARGET_RATE=${TARGET_RATE:-$([ "$NODES" = 2 ] && echo 10000 || echo 20000)}
TARGET_P99=${TARGET_P99:-$([ "$NODES" = 2 ] && echo 40 || echo 25)}

build
fresh_db "$PAIRS"
if [ "$NODES" = 2 ]; then
  say "starting nodes a (customers) on :$PORT_A and b (radar users) on :$PORT_B, Redis prefix $REDIS_PREFIX"
  start_node a "$PORT_A" 1
  start_node b "$PORT_B" 1
  CNODES="127.0.0.1:$PORT_A" RNODES="127.0.0.1:$PORT_B"
else
  say "starting node a on :$PORT_A (in-process bus)"
  start_node a "$PORT_A" 0
  CNODES="127.0.0.1:$PORT_A" RNODES="127.0.0.1:$PORT_A"
fi
wait_idle

GEN=("$LOAD" --threads "$THREADS" chat --pairs-file "$OUT/pairs.tsv" --pairs "$PAIRS" --rate "$RATE"
  --warmup "$WARMUP" --duration "$DURATION" --drain "$DRAIN" --src "$SRC" --out "$OUT"
  --customer-nodes "$CNODES" --radar-nodes "$RNODES" $(cpu_flags))
say "${GEN[*]}"
RSS0=$(nodes_rss_kib)
DBS0=$(db_stats)
timeout $((WARMUP + DURATION + DRAIN + 120)) "${GEN[@]}" >"$OUT/result.txt" 2> >(tee "$OUT/generator.log" >&2) ||
  die "generator failed (see $OUT/generator.log)"
RSS1=$(nodes_rss_kib)
RESULT=$(grep '^RESULT' "$OUT/result.txt") || die "no RESULT line"
sleep 1 # let the statistics of the last transactions reach pg_stat_database
DBWORK=$(db_per_msg "$DBS0" "$(db_stats)" "$(kv acked "$RESULT")")
stop_nodes
DB=$(verify_db)
PGB=$(pgbench_ceiling)

rate=$(kv rate "$RESULT")
p99=$(kv lat_p99 "$RESULT")
lost_db=$(kv lost "$DB")
lost_push=$(kv lost_delivery "$RESULT")
dup=$(($(kv duplicated "$DB") + $(kv dup_delivery "$RESULT")))
pgb_tps=$(kv tps "$PGB")
ratio=$(awk -v r="$rate" -v p="${pgb_tps:-0}" 'BEGIN { if (p > 0) printf "%.2f", r / p; else print "n/a" }')
verdict() { awk -v ok="$1" 'BEGIN { print ok ? "PASS" : "FAIL" }'; }
{
  header
  echo "config: NODES=$NODES PAIRS=$PAIRS sockets=$((2 * PAIRS)) RATE=$RATE WARMUP=$WARMUP DURATION=$DURATION" \
    "WORKERS=${WORKERS:-0} POOL=${POOL:-32} THREADS=$THREADS BATCH_ROWS=${BATCH_ROWS:-default} BATCH_MS=${BATCH_MS:-default} RUST_LOG=$RUST_LOG"
  sed -n 's/^\[chat\] //p' "$OUT/generator.log" | grep -v '^t=' | grep -v 'sockets connected'
  echo "nodes RSS: $((RSS0 / 1024)) MiB before, $((RSS1 / 1024)) MiB after the run"
  echo "database: $DB"
  echo "database work per acknowledged message (whole run, warm-up and drain included): $DBWORK"
  echo "pgbench one-row INSERT ceiling: $PGB"
  echo "targets: rate $rate >= $TARGET_RATE msg/s: $(verdict "$((rate >= TARGET_RATE))");" \
    "p99 $p99 <= $TARGET_P99 ms: $(verdict "$(awk -v p="$p99" -v t="$TARGET_P99" -v n="$(kv lat_n "$RESULT")" 'BEGIN { print (n > 0 && p <= t) }')");" \
    "lost db $lost_db + undelivered $lost_push = 0: $(verdict "$((lost_db + lost_push == 0))");" \
    "duplicated $dup = 0: $(verdict "$((dup == 0))")" \
    "$([ "$NODES" = 1 ] && echo "; rate/pgbench $ratio >= 1.3: $(verdict "$(awk -v r="$ratio" 'BEGIN { print (r + 0 >= 1.3) }')")")"
  echo "$RESULT"
  echo "$DB"
  echo "$DBWORK"
  echo "$PGB"
  echo "artifacts: $OUT"
} | tee "$OUT/summary.txt"
