#!/usr/bin/env bash
# What PostgreSQL's backends of a chat benchmark wait on: run beside load-tests/chat_vs_node.sh.
# Waits for its load generator to start, then samples `pg_stat_activity` of the newest
# `radar_vs_*` database every ~10 ms for SAMPLES samples, and prints per statement how many
# samples were on CPU, flushing WAL (IO WALSync), waiting for a row lock (Lock transactionid /
# tuple) or for the client.
#
#   load-tests/wait_events.sh > waits.txt &
#   SKIP_BUILD=1 SERVERS=radar NODES=2 RATE=4000 load-tests/chat_vs_node.sh
#
# Every sample is its own short transaction. A sampler that held one transaction open for its
# whole run (a DO loop) slowed every commit of the benchmark it watched: two nodes at 4,000 msgs/s
# went from p99 ~20 ms to ~800 ms (load-tests/RESULTS.md, round eight).
#
# Variables: SETTLE (8 s after the load starts), SAMPLES (1000), PGHOST/PGUSER.
set -euo pipefail

SETTLE=${SETTLE:-8}
SAMPLES=${SAMPLES:-1000}
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}

for _ in $(seq 1 1200); do
  pgrep -f 'loadgen.*--rate' >/dev/null && break
  sleep 0.5
done
sleep "$SETTLE"
db=$(psql -XAt -d postgres -c \
  "SELECT datname FROM pg_database WHERE datname LIKE 'radar_vs_%' ORDER BY oid DESC LIMIT 1")
[ -n "$db" ] || { echo "wait_events: no radar_vs_* database" >&2; exit 1; }

{
  echo "CREATE TEMP TABLE s (wt text, we text, st text, q text);"
  for _ in $(seq 1 "$SAMPLES"); do
    echo "INSERT INTO s SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-'),
          state, left(query, 40) FROM pg_stat_activity WHERE datname = '$db';"
    echo "SELECT pg_sleep(0.01);"
  done
  echo "SELECT left(q, 40), wt, we, count(*) FROM s WHERE st <> 'idle' OR wt <> 'Client'
        GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC;"
} | psql -XAtq -d postgres | grep -v '^$'
