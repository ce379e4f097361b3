# M10 card view (issue 2), sourced by m10_card_view.sh (SCENARIO=m10, the default).
# Defines the seed size, the pgbench variables, and the correctness checks; the statements the
# server runs per request are in m10/statements, the seed in seed.sql, the paths in signed_paths.sql.
LABEL=M10
TITLE="M10 card view vs pgbench"
RADAR_USERS=${RADAR_USERS:-20}
CUSTOMERS=${CUSTOMERS:-10000}
HISTORY=${HISTORY:-100000}      # earlier views in action_logs before the run
SEED_VARS=(radar_users="$RADAR_USERS" customers="$CUSTOMERS" history="$HISTORY")
SEED_DESC="radar_users=$RADAR_USERS customers=$CUSTOMERS history=$HISTORY"
SEED_SAY="$RADAR_USERS radar users, $CUSTOMERS customers, $HISTORY earlier views"
# pgbench -D variables, one "name=value" per line: uniform (customer, radar user) pairs, as in
# signed_paths.sql.
PGB_VARS_SQL="SELECT 'cmin=' || min(id) FROM customers UNION ALL SELECT 'cmax=' || max(id) FROM customers
  UNION ALL SELECT 'umin=' || min(id) FROM radar_users UNION ALL SELECT 'umax=' || max(id) FROM radar_users"

# "logged_views popularity_sum": each request must add one to both.
counts() { psql_db "$BENCH_DB" -F' ' -c \
  "SELECT (SELECT count(*) FROM action_logs WHERE action = 1), (SELECT sum(popularity) FROM radar_users)"; }
# check_served <answered> <views logged> <popularity added> <what answered>: sets CHECK_OK, CHECK_NOTE.
# Every answered request logged exactly one view and bumped one popularity; requests still in
# flight when the load stopped were served too, so the database may count up to CONNECTIONS more.
check_served() {
  CHECK_OK=yes
  CHECK_NOTE="views logged $2"
  [ "$2" -eq "$3" ] || CHECK_OK="no (logged $2 views but popularity +$3)"
  [ "$2" -ge "$1" ] && [ "$2" -le $(($1 + CONNECTIONS)) ] ||
    CHECK_OK="no ($4 counted $1 answers, database $2 views)"
}
# A response body the scenario accepts.
response_ok() { grep -q '"code":200' "$1"; }
