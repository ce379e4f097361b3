#!/usr/bin/env bash
# (d) Long-poll delivery latency (issue 3): PAIRS customers each hold a long-polled M8
# `GET /zhugeleida/xiaochengxu/chat/getmsg/0?…&wait=30&since_id=N`, re-issued with the highest id
# after every answer; the pairs' radar users send over WS-R1 at RATE messages/s in all (open loop).
# Latency = send → the long-poll answer that carries the message.
#
#   load-tests/chat_longpoll.sh                     # 200 pairs, 200 msg/s, 30 s
#   PAIRS=200 RATE=200 DURATION=30 load-tests/chat_longpoll.sh
#
# Same frame as chat_one_node.sh: fresh database, one node, CPU sampled around the window, every
# acknowledged message checked in chat_messages, then the pgbench one-row INSERT ceiling.
SCENARIO=${SCENARIO:-chat-longpoll}
COMMAND="$(printf '%q ' env PAIRS="${PAIRS:-200}" RATE="${RATE:-200}" DURATION="${DURATION:-30}" \
  WAIT="${WAIT:-30}" WORKERS="${WORKERS:-0}" POOL="${POOL:-32}" "$0")"
# shellcheck source=chat_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/chat_lib.sh"

PAIRS=${PAIRS:-200}
RATE=${RATE:-200}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
DRAIN=${DRAIN:-10}
WAIT=${WAIT:-30}
THREADS=${THREADS:-2}
PORT_A=${PORT_A:-8101}
SRC=${SRC:-127.0.0.2}
TARGET_P99=${TARGET_P99:-50}

build
fresh_db "$PAIRS"
say "starting node a on :$PORT_A"
start_node a "$PORT_A" 0
wait_idle

GEN=("$LOAD" --threads "$THREADS" longpoll --pairs-file "$OUT/pairs.tsv" --pairs "$PAIRS" --rate "$RATE"
  --warmup "$WARMUP" --duration "$DURATION" --drain "$DRAIN" --src "$SRC" --out "$OUT"
  --node "127.0.0.1:$PORT_A" --wait "$WAIT" $(cpu_flags))
say "${GEN[*]}"
DBS0=$(db_stats)
timeout $((WARMUP + DURATION + DRAIN + 120)) "${GEN[@]}" >"$OUT/result.txt" 2> >(tee "$OUT/generator.log" >&2) ||
  die "generator failed (see $OUT/generator.log)"
RESULT=$(grep '^RESULT' "$OUT/result.txt") || die "no RESULT line"
sleep 1 # let the statistics of the last transactions reach pg_stat_database
DBWORK=$(db_per_msg "$DBS0" "$(db_stats)" "$(kv acked "$RESULT")")
stop_nodes
DB=$(verify_db)
PGB=$(pgbench_ceiling)

p99=$(kv lat_p99 "$RESULT")
lost=$(($(kv lost "$DB") + $(kv lost_delivery "$RESULT")))
dup=$(($(kv duplicated "$DB") + $(kv dup_delivery "$RESULT")))
verdict() { awk -v ok="$1" 'BEGIN { print ok ? "PASS" : "FAIL" }'; }
{
  header
  echo "config: PAIRS=$PAIRS RATE=$RATE WARMUP=$WARMUP DURATION=$DURATION WAIT=$WAIT WORKERS=${WORKERS:-0} POOL=${POOL:-32}" \
    "THREADS=$THREADS RUST_LOG=$RUST_LOG"
  sed -n 's/^\[longpoll\] //p' "$OUT/generator.log" | grep -v '^t='
  echo "database: $DB"
  echo "database work per acknowledged message (whole run, warm-up and drain included): $DBWORK"
  echo "pgbench one-row INSERT ceiling: $PGB"
  echo "targets: p99 send → long-poll answer $p99 <= $TARGET_P99 ms:" \
    "$(verdict "$(awk -v p="$p99" -v t="$TARGET_P99" -v n="$(kv lat_n "$RESULT")" 'BEGIN { print (n > 0 && p <= t) }')");" \
    "lost $lost = 0: $(verdict "$((lost == 0))"); duplicated $dup = 0: $(verdict "$((dup == 0))")"
  echo "$RESULT"
  echo "$DB"
  echo "$DBWORK"
  echo "$PGB"
  echo "artifacts: $OUT"
} | tee "$OUT/summary.txt"
