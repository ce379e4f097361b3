#!/usr/bin/env bash
# (a) Idle sockets (issue 3): N registered mini-program sockets (WS-M) held open; server RSS per
# socket = (Σ VmRSS of the nodes with the sockets held − before) ÷ N.
#
#   load-tests/chat_idle.sh                          # 50,000 sockets over 3 nodes and 3 generators
#   N=50000 NODES=3 GENS=3 WORKERS=1 POOL=8 load-tests/chat_idle.sh
#
# One process may hold < 20,000 open files here, so the sockets are spread over NODES radar nodes
# (in-process bus each: idle sockets exchange nothing) and GENS generator processes, and the client
# side binds to source addresses 127.0.0.2–127.0.0.9 before connecting (8 × 28k ephemeral ports).
# Each socket is a distinct seeded customer and sends one `register` frame (it gets `注册成功`);
# then everything holds HOLD s. RSS is read SETTLE s after the last generator is ready and again at
# the end of the hold; CPU of the nodes, PostgreSQL and Redis is sampled over the hold. Then the
# pgbench one-row INSERT ceiling runs like in the other chat scenarios.
SCENARIO=${SCENARIO:-chat-idle}
COMMAND="$(printf '%q ' env N="${N:-50000}" NODES="${NODES:-3}" GENS="${GENS:-3}" WORKERS="${WORKERS:-1}" \
  POOL="${POOL:-8}" HOLD="${HOLD:-20}" "$0")"
# shellcheck source=chat_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/chat_lib.sh"

N=${N:-50000}
NODES=${NODES:-3}
GENS=${GENS:-3}
export WORKERS=${WORKERS:-1} POOL=${POOL:-8}
HOLD=${HOLD:-20}   # seconds the sockets are held once all are registered
SETTLE=${SETTLE:-5}
PORT0=${PORT0:-8101}
SRC=${SRC:-127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9}
TARGET_KIB=${TARGET_KIB:-16}
TARGET_N=${TARGET_N:-50000}
per_gen=$(((N + GENS - 1) / GENS))
[ "$per_gen" -lt 19500 ] || die "N/GENS = $per_gen sockets per generator: over the ~20,000 open-file limit"
[ $(((N + NODES - 1) / NODES)) -lt 19500 ] || die "N/NODES over the ~20,000 open-file limit per node"

build
HISTORY=${HISTORY:-0} # idle sockets read no messages
fresh_db "$N"
NODE_LIST=""
for i in $(seq 0 $((NODES - 1))); do
  start_node "node$i" $((PORT0 + i)) 0
  NODE_LIST+="${NODE_LIST:+,}127.0.0.1:$((PORT0 + i))"
done
say "$NODES nodes up ($NODE_LIST), workers=$WORKERS pool=$POOL"
wait_idle
sleep 1
RSS0=$(nodes_rss_kib)
SOCK0=$(awk '/^TCP:/ { print $3, $NF }' /proc/net/sockstat)

STOP="$OUT/stop"
rm -f "$STOP"
t_start=$(date +%s%N)
for g in $(seq 0 $((GENS - 1))); do
  off=$((g * per_gen))
  cnt=$((N - off < per_gen ? N - off : per_gen))
  cmd=("$LOAD" --threads 1 idle --pairs-file "$OUT/pairs.tsv" --offset "$off" --count "$cnt"
    --nodes "$NODE_LIST" --src "$SRC" --hold $((HOLD + SETTLE + 120)) --ready-file "$OUT/ready.$g"
    --stop-file "$STOP")
  [ "$g" = 0 ] && say "generator: ${cmd[*]} (× $GENS, offsets of $per_gen)"
  timeout $((HOLD + SETTLE + 300)) "${cmd[@]}" >"$OUT/result.$g" 2>"$OUT/generator.$g.log" &
  CHILD_PIDS+=($!)
done
say "opening $N sockets"
count_ready() {
  local f n=0
  for f in "$OUT"/ready.*; do [ -e "$f" ] && n=$((n + 1)); done
  echo "$n"
}
for _ in $(seq 1 1800); do
  [ "$(count_ready)" -ge "$GENS" ] && break
  for g in $(seq 0 $((GENS - 1))); do
    kill -0 "${CHILD_PIDS[$g]}" 2>/dev/null || [ -f "$OUT/ready.$g" ] ||
      die "generator $g exited before ready (see $OUT/generator.$g.log)"
  done
  sleep 0.1
done
[ "$(count_ready)" -ge "$GENS" ] || die "generators not ready in 180 s"
t_ready=$(date +%s%N)
registered=$(cat "$OUT"/ready.* | awk '{ s += $1 } END { print s }')
failed=$(cat "$OUT"/ready.* | awk '{ s += $2 } END { print s }')
say "$registered sockets registered ($failed failed) in $(((t_ready - t_start) / 1000000)) ms; holding ${HOLD}s"

fds() {
  local pid total=0
  for pid in "${NODE_PIDS[@]}"; do total=$((total + $(ls "/proc/$pid/fd" | wc -l))); done
  echo "$total"
}
node_ticks() {
  local pid total=0
  for pid in "${NODE_PIDS[@]}"; do
    total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
sleep "$SETTLE"
RSS1=$(nodes_rss_kib)
FDS=$(fds)
c0=$(node_ticks) p0=$(pg_ticks) r0=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$REDIS_PID/stat")
sleep "$HOLD"
c1=$(node_ticks) p1=$(pg_ticks) r1=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$REDIS_PID/stat")
RSS2=$(nodes_rss_kib)
SOCK1=$(awk '/^TCP:/ { print $3, $NF }' /proc/net/sockstat)
PER_NODE=""
for pid in "${NODE_PIDS[@]}"; do PER_NODE+="$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status") "; done
touch "$STOP"
for pid in "${CHILD_PIDS[@]}"; do wait "$pid" || say "a generator exited with an error"; done
CHILD_PIDS=()
GEN_RESULTS=$(cat "$OUT"/result.*)
stop_nodes
PGB=$(pgbench_ceiling)

per_socket=$(awk -v a="$RSS0" -v b="$RSS2" -v n="$registered" 'BEGIN { printf "%.1f", (b - a) / n }')
per_socket_settle=$(awk -v a="$RSS0" -v b="$RSS1" -v n="$registered" 'BEGIN { printf "%.1f", (b - a) / n }')
gen_rss=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^generator_rss_kib=/) { split($i, kv, "="); s += kv[2] } } END { print s }' <<<"$GEN_RESULTS")
closed_early=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^closed_early=/) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' <<<"$GEN_RESULTS")
idle_cores=$(awk -v c="$((c1 - c0))" -v p="$((p1 - p0))" -v r="$((r1 - r0))" -v hz="$CLK_TCK" -v h="$HOLD" \
  'BEGIN { printf "radar %.3f, postgres %.3f, redis %.3f", c / hz / h, p / hz / h, r / hz / h }')
verdict() { awk -v ok="$1" 'BEGIN { print ok ? "PASS" : "FAIL" }'; }
{
  header
  echo "config: N=$N NODES=$NODES GENS=$GENS WORKERS=$WORKERS POOL=$POOL HOLD=$HOLD SETTLE=$SETTLE SRC=$SRC RUST_LOG=$RUST_LOG"
  echo "sockets: $registered registered, $failed failed, $closed_early closed by the server during the hold;" \
    "opened in $(((t_ready - t_start) / 1000000)) ms; node fds with sockets held: $FDS"
  echo "server RSS (Σ $NODES nodes): $((RSS0 / 1024)) MiB before, $((RSS1 / 1024)) MiB at +${SETTLE}s," \
    "$((RSS2 / 1024)) MiB at +$((SETTLE + HOLD))s (per node: ${PER_NODE% }MiB)"
  echo "server RSS per socket: $per_socket KiB (at +${SETTLE}s: $per_socket_settle KiB);" \
    "generators: $((gen_rss / 1024)) MiB RSS in all ($(awk -v g="$gen_rss" -v n="$registered" 'BEGIN { printf "%.1f", g / n }') KiB/socket)"
  echo "kernel TCP sockstat (inuse, mem pages): before $SOCK0, with the sockets held $SOCK1"
  echo "CPU while idle (cores over ${HOLD}s): $idle_cores"
  echo "pgbench one-row INSERT ceiling: $PGB"
  echo "targets: sockets $registered >= $TARGET_N: $(verdict "$((registered >= TARGET_N))");" \
    "RSS/socket $per_socket <= $TARGET_KIB KiB: $(verdict "$(awk -v p="$per_socket" -v t="$TARGET_KIB" 'BEGIN { print (p <= t) }')")"
  echo "RESULT scenario=idle n=$N registered=$registered failed=$failed closed_early=$closed_early rss0_kib=$RSS0" \
    "rss1_kib=$RSS1 rss2_kib=$RSS2 rss_per_socket_kib=$per_socket gen_rss_kib=$gen_rss"
  echo "$PGB"
  echo "artifacts: $OUT"
} | tee "$OUT/summary.txt"
