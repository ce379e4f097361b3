#!/usr/bin/env bash
# PostgreSQL's own cost of one call of each function that stores a chat batch (issue 10 item 2):
# `chat_insert_batch` (set-based, sql/migrations/V15) and `chat_insert_rows` (row by row, V18),
# without Radar or a client in the way. A scratch database built from sql/migrations, 200 bound
# pairs; then one backend calls a function CALLS times in a DO loop, one COMMIT after each, ROWS
# rows a call (each row another pair, alternating directions, 64-byte messages, each with a
# client_msg_id), the functions taking turns, REPEAT turns each. Prints the loop's wall time per
# call. synchronous_commit is off, so the figure is the backend's work, not the disk's flush;
# nothing else should run. The writer picks by batch size (src/chat/writer/statement.rs).
#
#   load-tests/insert_batch_cost.sh
#   ROWS="1 2 4 8 16" REPEAT=5 load-tests/insert_batch_cost.sh
#
# Variables: ROWS ("1 4 16 64"), CALLS (1000), REPEAT (3), FUNCS (the functions to time, in turn:
# "chat_insert_batch chat_insert_rows"), EXTRA_SQL (files run after the migrations, e.g. a variant
# of a function to compare: FUNCS="chat_insert_rows my_variant" EXTRA_SQL=/tmp/variant.sql; a
# name starting with chat_insert_rows gets the replay argument), PGHOST/PGPORT/PGUSER
# (127.0.0.1 / 5432 / postgres). The database (radar_ibc_<pid>) is dropped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-"1 4 16 64"}
CALLS=${CALLS:-1000}
REPEAT=${REPEAT:-3}
FUNCS=${FUNCS:-"chat_insert_batch chat_insert_rows"}
EXTRA_SQL=${EXTRA_SQL:-}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=radar_ibc_$$

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

trap 'psql_q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT

# make_db NAME: a database with every migration and 200 pairs.
make_db() {
  local db=$1 f
  psql_q -d postgres -c "CREATE DATABASE $db"
  for f in $(ls sql/migrations | sort -t_ -k1.2 -n); do
    psql_q -d "$db" -f "sql/migrations/$f" >/dev/null
  done
  for f in $EXTRA_SQL; do psql_q -d "$db" -f "$f" >/dev/null; done
  psql_q -d "$db" <<'SQL'
INSERT INTO companies (name) VALUES ('bench');
INSERT INTO radar_users (username, company_id, token)
    SELECT 'u' || g, (SELECT min(id) FROM companies), 't' || g FROM generate_series(1, 200) g;
INSERT INTO customers (openid, token, user_type)
    SELECT 'o' || g, 't' || g, 1 FROM generate_series(1, 200) g;
INSERT INTO customer_bindings (user_id, customer_id)
    SELECT u.id, c.id FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM radar_users) u
    JOIN (SELECT id, row_number() OVER (ORDER BY id) n FROM customers) c USING (n);
ANALYZE;
SQL
}

# run FUNCTION ROWS: µs per call of the loop.
run() {
  local db=$DB fn=$1 rows=$2 replay="" u0 c0
  # chat_insert_rows is told whether the call is a replay (never here: first calls).
  case $fn in chat_insert_rows*) replay=", false" ;; esac
  u0=$(psql_q -d "$db" -c "SELECT min(id) FROM radar_users")
  c0=$(psql_q -d "$db" -c "SELECT min(id) FROM customers")
  psql -X -q -At -d "$db" 2>&1 <<SQL | awk -v n="$CALLS" '/^Time:/ {printf "%.0f", $2 * 1000 / n}'
SET synchronous_commit = off;
\timing on
DO \$\$ DECLARE p int; BEGIN FOR g IN 1..$CALLS LOOP p := g % 199;
PERFORM * FROM $fn(
  ARRAY(SELECT nextval('chat_messages_id_seq') FROM generate_series(1, $rows)),
  ARRAY(SELECT $u0 + (p + k) % 199 FROM generate_series(1, $rows) k)::bigint[],
  ARRAY(SELECT $c0 + (p + k) % 199 FROM generate_series(1, $rows) k)::bigint[],
  ARRAY(SELECT 1 + (g + k) % 2 FROM generate_series(1, $rows) k)::smallint[],
  ARRAY(SELECT '{"text":"0123456789012345678901234567890123456789012345678901234567890123"}'::jsonb
        FROM generate_series(1, $rows)),
  ARRAY(SELECT true FROM generate_series(1, $rows)), ARRAY(SELECT true FROM generate_series(1, $rows)),
  ARRAY(SELECT md5(random()::text) FROM generate_series(1, $rows))::varchar[],
  ARRAY(SELECT false FROM generate_series(1, $rows)),
  ARRAY(SELECT 1 + (g + k) % 2 FROM generate_series(1, $rows) k)::int[] $replay);
COMMIT; END LOOP; END \$\$;
SQL
}

make_db "$DB"
declare -A line
echo "# ${FUNCS// / \/ } cost, µs per call (one backend, COMMIT per call, synchronous_commit off)"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "PostgreSQL $(psql_q -d postgres -c 'SHOW server_version'), CALLS=$CALLS"
for rows in $ROWS; do
  for fn in $FUNCS; do line[$fn]=""; done
  for _ in $(seq "$REPEAT"); do
    for fn in $FUNCS; do line[$fn]+=" $(run "$fn" "$rows")"; done
  done
  for fn in $FUNCS; do echo "rows=$rows $fn:${line[$fn]}"; done
done
