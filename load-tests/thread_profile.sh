#!/usr/bin/env bash
# Where a chat benchmark's CPU goes, thread by thread: run beside load-tests/chat_vs_node.sh. Waits
# for its load generator to start, finds the Radar node listening on PORT, waits SETTLE seconds,
# then samples over SECS seconds the CPU (% of one core) and context switches per second of each
# of the node's threads, and the CPU of each PostgreSQL process (the writer's backend, the read
# marks' backend, the WAL writer…). Reads /proc only; stops by itself.
#
#   load-tests/thread_profile.sh > profile.txt &
#   SKIP_BUILD=1 SERVERS=radar RATE=7000 DURATION=40 load-tests/chat_vs_node.sh
#
# Variables: PORT (8111, node A of chat_vs_node.sh), SETTLE (8), SECS (10).
set -euo pipefail

PORT=${PORT:-8111}
SETTLE=${SETTLE:-8}
SECS=${SECS:-10}
HZ=$(getconf CLK_TCK)

wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds
  local n=$(($1 * 2))
  shift
  until "$@" >/dev/null 2>&1; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || { echo "thread_profile: gave up waiting for: $*" >&2; exit 1; }
    sleep 0.5
  done
}
node_pid() { ss -ltnpH "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }

# The node is restarted after seeding: look for it once the load generator runs.
wait_for 600 pgrep -f 'loadgen.*--rate'
wait_for 60 test -n "$(node_pid)"
pid=$(node_pid)
sleep "$SETTLE"

threads() { # name, CPU ticks, voluntary and involuntary switches of each thread
  local t
  for t in /proc/"$pid"/task/*; do
    echo "$(tr ' ' '_' <"$t/comm") $(awk '{print $14 + $15}' "$t/stat")" \
      "$(awk '/^(non)?voluntary_ctxt/ {printf "%s ", $2}' "$t/status")"
  done | sort
}
postgres() { # pid, CPU ticks, command line of each PostgreSQL process
  local p
  for p in $(pgrep -u postgres); do
    echo "$p $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)" \
      "$(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-70)"
  done
}

t0=$(threads) p0=$(postgres)
sleep "$SECS"
t1=$(threads) p1=$(postgres)

echo "# radar node (pid $pid) threads over $SECS s: % of one core, switches/s (voluntary, involuntary)"
paste <(echo "$t0") <(echo "$t1") | awk -v s="$SECS" -v hz="$HZ" \
  '{printf "%-20s %6.1f%%  %7.0f  %6.0f\n", $1, ($6 - $2) * 100 / hz / s, ($7 - $3) / s, ($8 - $4) / s}' |
  sort -k2 -nr
echo "# PostgreSQL processes over $SECS s: % of one core"
join <(echo "$p0" | sort) <(echo "$p1" | awk '{print $1, $2}' | sort) |
  awk -v s="$SECS" -v hz="$HZ" '{t = $NF; d = (t - $2) * 100 / hz / s; $1 = $2 = $NF = ""; if (d > 0.5) printf "%6.1f%% %s\n", d, $0}' |
  sort -nr | head -8
