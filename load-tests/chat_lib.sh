# Shared by the chat_*.sh drivers (issue 3); sourced, not run. Builds the server and the generator,
# makes a fresh database with seeded pairs, starts radar nodes, samples CPU, runs the pgbench
# ceiling (one-row INSERTs into chat_messages, 64 clients) and checks a run against the database.
#
# Conventions: everything the run writes goes to $OUT (load-tests/out/<scenario>-<time>/); every
# process started here is stopped by the EXIT trap; traffic goes to 127.0.0.0/8 only and each load
# phase is bounded by `timeout`.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
# radar talks to PostgreSQL without TLS; so must pgbench and psql (Debian's cluster offers TLS).
export PGSSLMODE=disable
export RUST_LOG=${RUST_LOG:-warn}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_DB=${KEEP_DB:-0}
PGBENCH_SECS=${PGBENCH_SECS:-20}  # 0 = skip the pgbench ceiling
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-64}
WAIT_IDLE=${WAIT_IDLE:-30}        # wait up to this many seconds for a quiet machine first
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
BENCH_DB=${BENCH_DB:-radar_chat_bench}
# RADAR_BIN: another radar binary to measure (e.g. a patched build); then only load-tests/ is built.
# RADAR_CONFIG: the config file it reads (default ./config.toml, which must match its Settings).
RADAR=${RADAR_BIN:-target/release/radar}
RADAR_ARGS=()
[ -n "${RADAR_CONFIG:-}" ] && RADAR_ARGS=(--config "$RADAR_CONFIG")
LOAD=load-tests/target/release/radar-load
NODE_PIDS=()
CHILD_PIDS=()

say() { printf '[%s] %s\n' "$SCENARIO" "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
psql_db() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }

OUT=load-tests/out/${SCENARIO}-$(date +%Y%m%dT%H%M%S)
mkdir -p "$OUT"

cleanup() {
  local pid
  for pid in "${CHILD_PIDS[@]}" "${NODE_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for pid in "${CHILD_PIDS[@]}" "${NODE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$KEEP_DB" != 1 ]; then
    psql_db postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- machine and tools ---------------------------------------------------------------------------
for t in pgbench psql curl redis-cli; do command -v "$t" >/dev/null || die "$t not found"; done
psql_db postgres -c 'SELECT 1' >/dev/null || die "PostgreSQL not reachable at $PGHOST:$PGPORT"
CLK_TCK=$(getconf CLK_TCK)
MACHINE="nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"
MACHINE+=" $(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM"
PG_INFO="PostgreSQL $(psql_db postgres -c 'SHOW server_version') ($(psql_db postgres -F= -c "SELECT name,
  setting || coalesce(unit, '') FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit',
  'max_connections', 'fsync') ORDER BY name" | paste -sd' '))"
PG_POSTMASTER=$(head -1 "$(psql_db postgres -c 'SHOW data_directory')/postmaster.pid") ||
  die "cannot read the postmaster's pid"
REDIS_PID=$(redis-cli -u "$REDIS_URL" info server 2>/dev/null | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')
[ -n "$REDIS_PID" ] || die "Redis not reachable at $REDIS_URL"
ulimit -n "$(ulimit -Hn)" # the generator and the nodes each hold thousands of sockets

# CPU flags of the generator: which processes make up "server side".
cpu_flags() {
  local pid f=(--pg-pid "$PG_POSTMASTER" --redis-pid "$REDIS_PID")
  for pid in "${NODE_PIDS[@]}"; do f+=(--server-pid "$pid"); done
  echo "${f[@]}"
}

# Busy ticks of the whole machine (all CPUs): total minus idle and iowait.
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# Other work on the machine (builds, other benchmarks) distorts a run: wait, bounded, for quiet.
wait_idle() {
  local deadline=$((SECONDS + WAIT_IDLE)) a b
  while :; do
    a=$(machine_busy)
    sleep 2
    b=$(machine_busy)
    [ $((b - a)) -lt $((2 * CLK_TCK / 5)) ] && return 0 # below 0.2 core
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "warning: machine busy ($(((b - a) * 100 / (2 * CLK_TCK)))% of a core); the run may be disturbed"
      return 0
    fi
  done
}

build() {
  if [ "$SKIP_BUILD" != 1 ]; then
    if [ -z "${RADAR_BIN:-}" ]; then
      say "cargo build --release (server, then load-tests/)"
      cargo build --release --quiet
    fi
    cargo build --release --quiet --manifest-path load-tests/Cargo.toml
  fi
  [ -x "$RADAR" ] || die "$RADAR missing"
  [ -x "$LOAD" ] || die "$LOAD missing"
}

# fresh_db N: recreate $BENCH_DB, migrate, seed N pairs (one company; pair i = radar user i and
# customer i, bound), and write $OUT/pairs.tsv (cid, customer token, uid, radar token).
fresh_db() {
  local n=$1
  say "recreating database $BENCH_DB with $n pairs, ${HISTORY:-10} history messages each"
  psql_db postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
  psql_db postgres -c "CREATE DATABASE $BENCH_DB" >/dev/null
  RADAR__DATABASE__URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${BENCH_DB}" \
    "$RADAR" "${RADAR_ARGS[@]}" migrate >"$OUT/migrate.log" 2>&1 || die "radar migrate failed (see $OUT/migrate.log)"
  psql_db "$BENCH_DB" -v n="$n" -v history="${HISTORY:-10}" <<'SQL'
INSERT INTO companies (name, account_expired_time, mingpian_available_num)
VALUES ('load-test company', now() + interval '1 year', 100);
INSERT INTO radar_users (username, login_user, company_id, status, token, userid)
SELECT 'lt-user-' || g, 'lt-user-' || g, (SELECT max(id) FROM companies), 1, md5('radar-' || g), 'lt' || g
FROM generate_series(1, :n) g ORDER BY g;
INSERT INTO customers (company_id, openid, token, user_type, username)
SELECT (SELECT max(id) FROM companies), 'lt-openid-' || g, md5('customer-' || g), 2, 'customer ' || g
FROM generate_series(1, :n) g ORDER BY g;
INSERT INTO customer_bindings (user_id, customer_id)
SELECT u.id, c.id FROM radar_users u
JOIN customers c ON c.id - (SELECT min(id) FROM customers) = u.id - (SELECT min(id) FROM radar_users);
-- History: :history read messages per pair, alternating sides, so the tables are not empty when
-- the planner first sees them (a fresh empty table gets seq-scan plans that stay cached in the
-- server's prepared statements until autovacuum's first ANALYZE).
INSERT INTO chat_messages (user_id, customer_id, send_type, content, sent_unread_to_customer,
                           sent_unread_to_user, client_msg_id, create_date, seq)
SELECT b.user_id, b.customer_id, 1 + k % 2, '{"info_type": 1, "msg": "history"}', false, false,
       'h' || b.id || '.' || k, now() - interval '1 day' + k * interval '1 minute', k
FROM customer_bindings b, generate_series(1, :history) k ORDER BY k, b.id;
INSERT INTO conversations (user_id, customer_id, last_message_id, last_at, seq, customer_read_seq,
                           user_read_seq)
SELECT user_id, customer_id, max(id), max(create_date), max(seq), max(seq), max(seq)
FROM chat_messages GROUP BY user_id, customer_id;
ANALYZE;
SQL
  psql_db "$BENCH_DB" -F $'\t' -c "SELECT c.id, c.token, u.id, u.token FROM customer_bindings b
    JOIN customers c ON c.id = b.customer_id JOIN radar_users u ON u.id = b.user_id ORDER BY b.id" \
    >"$OUT/pairs.tsv"
  [ "$(wc -l <"$OUT/pairs.tsv")" -eq "$n" ] || die "seeding failed"
  DB_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${BENCH_DB}"
}

# start_node NAME PORT [REDIS]: one radar node on 127.0.0.1:PORT (in-process bus unless REDIS=1).
start_node() {
  local name=$1 port=$2 redis=${3:-0} pid url
  url="http://127.0.0.1:$port"
  if curl -s -o /dev/null --max-time 1 "$url/"; then die "something already listens on $url"; fi
  (
    export RADAR__DATABASE__URL="$DB_URL" RADAR__SERVER__BIND="127.0.0.1:$port"
    export RADAR__SERVER__WORKERS="${WORKERS:-0}" RADAR__DATABASE__POOL_SIZE="${POOL:-32}"
    export RADAR__CHAT__RATE_PER_SEC=100000 RADAR__CHAT__RATE_BURST=100000
    [ -n "${BATCH_ROWS:-}" ] && export RADAR__CHAT__WRITE_BATCH_ROWS="$BATCH_ROWS"
    [ -n "${BATCH_MS:-}" ] && export RADAR__CHAT__WRITE_BATCH_WINDOW_MS="$BATCH_MS"
    if [ "$redis" = 1 ]; then
      export RADAR__REDIS__URL="$REDIS_URL" RADAR__REDIS__CHANNEL_PREFIX="$REDIS_PREFIX"
    else
      export RADAR__REDIS__URL=""
    fi
    exec "$RADAR" "${RADAR_ARGS[@]}" serve
  ) >"$OUT/$name.log" 2>&1 &
  pid=$!
  NODE_PIDS+=("$pid")
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || die "node $name exited (see $OUT/$name.log)"
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/" || true)" != 000 ] && return 0
    sleep 0.2
  done
  die "node $name not listening on $url"
}
REDIS_PREFIX="radarload$$x$RANDOM"

nodes_rss_kib() {
  local pid total=0 r
  for pid in "${NODE_PIDS[@]}"; do
    r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    total=$((total + r))
  done
  echo "$total"
}

# verify_db: every acknowledged message stored once with the acknowledged id; no duplicates;
# unacknowledged sends (in flight when the run stopped) counted. Prints "DB key=value ...".
verify_db() {
  psql_db "$BENCH_DB" <<SQL
CREATE TEMP TABLE acked (cmid text PRIMARY KEY, id bigint);
CREATE TEMP TABLE unacked (cmid text PRIMARY KEY);
\copy acked FROM '$OUT/acked.tsv'
\copy unacked FROM '$OUT/unacked.tsv'
SELECT 'DB acked=' || (SELECT count(*) FROM acked)
  || ' lost=' || (SELECT count(*) FROM acked a WHERE NOT EXISTS
       (SELECT 1 FROM chat_messages m WHERE m.id = a.id AND m.client_msg_id = a.cmid))
  || ' duplicated=' || (SELECT count(*) FROM (SELECT client_msg_id FROM chat_messages
       WHERE client_msg_id IS NOT NULL GROUP BY client_msg_id HAVING count(*) > 1) d)
  || ' unacked=' || (SELECT count(*) FROM unacked)
  || ' unacked_stored=' || (SELECT count(*) FROM unacked u JOIN chat_messages m ON m.client_msg_id = u.cmid)
  || ' rows=' || (SELECT count(*) FROM chat_messages WHERE client_msg_id NOT LIKE 'h%')
  || ' rows_unknown=' || (SELECT count(*) FROM chat_messages m WHERE client_msg_id IS NULL
       OR client_msg_id NOT LIKE 'h%'
       AND NOT EXISTS (SELECT 1 FROM acked a WHERE a.cmid = m.client_msg_id)
       AND NOT EXISTS (SELECT 1 FROM unacked u WHERE u.cmid = m.client_msg_id));
SQL
}

# pgbench_ceiling: with no radar node running, 64 clients doing one-row INSERTs into chat_messages
# for random seeded pairs (-M prepared, -j 2). Prints "PGBENCH key=value ...".
pgbench_ceiling() {
  [ "$PGBENCH_SECS" -gt 0 ] || return 0
  local n umin cmin script="$OUT/insert.pgbench.sql" a b c0 c1 t0 t1 tx tps lat
  read -r n umin cmin < <(psql_db "$BENCH_DB" -F' ' -c \
    "SELECT count(*), min(user_id), min(customer_id) FROM customer_bindings")
  cat >"$script" <<'SQL'
\set i random(0, :n - 1)
\set uid :umin + :i
\set cid :cmin + :i
\set r random(1, 1000000000000000)
INSERT INTO chat_messages (user_id, customer_id, send_type, content, sent_unread_to_customer,
                           sent_unread_to_user, client_msg_id, seq)
VALUES (:uid, :cid, 2, '{"info_type": 1, "msg": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
        false, true, 'pgb' || :client_id || '.' || :r, :r);
SQL
  local pgb=(pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -f "$script" -D n="$n" -D umin="$umin" -D cmin="$cmin")
  wait_idle
  timeout 60 "${pgb[@]}" -T 3 "$BENCH_DB" >"$OUT/pgbench_warmup.txt" 2>&1 || die "pgbench warm-up failed"
  say "pgbench ${PGBENCH_SECS}s: ${pgb[*]} -T $PGBENCH_SECS $BENCH_DB"
  a=$(pg_ticks)
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$OUT/pgbench_time.txt" timeout $((PGBENCH_SECS + 60)) \
    "${pgb[@]}" -T "$PGBENCH_SECS" "$BENCH_DB" >"$OUT/pgbench.txt" 2>&1 || die "pgbench failed (see $OUT/pgbench.txt)"
  t1=$(date +%s%N)
  # pgbench's backends exit after it does; once reaped, their CPU is in the postmaster's cutime.
  sleep 1
  b=$(pg_ticks)
  tx=$(awk '/number of transactions actually processed/ { print $NF }' "$OUT/pgbench.txt" | cut -d/ -f1)
  tps=$(awk '/^tps =/ { printf "%.0f", $3 }' "$OUT/pgbench.txt")
  lat=$(awk '/^latency average/ { print $4 }' "$OUT/pgbench.txt")
  read -r gu gs <"$OUT/pgbench_time.txt"
  awk -v tx="$tx" -v tps="$tps" -v lat="$lat" -v a="$a" -v b="$b" -v hz="$CLK_TCK" -v w0="$t0" -v w1="$t1" \
    -v gu="$gu" -v gs="$gs" 'BEGIN {
      pg = (b - a) / hz; wall = (w1 - w0) / 1e9
      printf "PGBENCH tps=%s tx=%s lat_avg_ms=%s cpu_pg_us_per_insert=%.1f cores_pg=%.2f pgbench_us_per_insert=%.1f\n",
        tps, tx, lat, pg * 1e6 / tx, pg / wall, (gu + gs) * 1e6 / tx }'
}

# utime+stime of the whole PostgreSQL cluster: the postmaster with its reaped children (backends
# that exit inside the window), plus every live child.
pg_ticks() {
  local pid total t
  total=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$PG_POSTMASTER/stat")
  for pid in $(ps -o pid= --ppid "$PG_POSTMASTER"); do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null) || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# db_stats: counters of $BENCH_DB (commits, rows read by scans, rows fetched by index, inserted,
# updated) and the cluster's WAL syncs, to express the database work per message.
db_stats() {
  psql_db "$BENCH_DB" -F' ' -c "SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated,
    (SELECT wal_sync FROM pg_stat_wal), (SELECT wal_records FROM pg_stat_wal),
    (SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname <> current_database())
    FROM pg_stat_database WHERE datname = current_database()"
}
# db_per_msg BEFORE AFTER MESSAGES: "DBWORK commits_per_msg=… …".
db_per_msg() {
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
    split(a, x, " "); split(b, y, " "); split("commits scanned fetched inserted updated wal_syncs wal_records", k, " ")
    printf "DBWORK"
    for (i = 1; i <= 7; i++) printf " %s_per_msg=%.2f", k[i], (n > 0 ? (y[i] - x[i]) / n : 0)
    # Transactions of other databases meanwhile: PostgreSQL CPU and WAL counts include their work.
    printf " other_db_xacts=%d\n", y[8] - x[8] }'
}

# stop_nodes: SIGTERM every node and wait.
stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  NODE_PIDS=()
}

# kv KEY LINE: the value of KEY in a "key=value ..." line.
kv() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

header() {
  echo "== $SCENARIO ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo "machine: $MACHINE; $PG_INFO; redis-server $(redis-server --version | awk '{ print $3 }')"
  echo "command: $COMMAND"
  echo "server: $RADAR ${RADAR_ARGS[*]} ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src sql || echo ' + uncommitted changes'))"
}
COMMAND="${COMMAND:-$0}"
