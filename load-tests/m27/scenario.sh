# M27 case list (issue 4), sourced by m10_card_view.sh when SCENARIO=m27 (or m27_case_list.sh).
# Defines the seed size, the pgbench variables, and the correctness checks; the statements the
# server runs per request are in m27/statements, the seed in seed.sql, the paths in signed_paths.sql.
LABEL=M27
TITLE="M27 case list vs pgbench"
CUSTOMERS=${CUSTOMERS:-5000}
CASES=${CASES:-200}             # published cases (plus CASES/10 unpublished and CASES/20 deleted)
TAGS=${TAGS:-10}
SEED_VARS=(customers="$CUSTOMERS" cases="$CASES" tags="$TAGS")
SEED_DESC="customers=$CUSTOMERS cases=$CASES tags=$TAGS"
SEED_SAY="$CASES published cases with $TAGS tags and 1-5 diaries each, $CUSTOMERS customers"
# pgbench -D variables: uniform customers as in signed_paths.sql, and the handler's fixed arguments
# for `current_page=1&length=20` (default order -update_date, limit 20, offset 0).
PGB_VARS_SQL="SELECT 'cmin=' || min(id) FROM customers UNION ALL SELECT 'cmax=' || max(id) FROM customers
  UNION ALL SELECT 'company=' || min(company_id) FROM customers
  UNION ALL SELECT 'order=-update_date' UNION ALL SELECT 'limit=20' UNION ALL SELECT 'offset=0'"

# Read-only: nothing to count in the database.
counts() { echo "0 0"; }
check_served() {
  CHECK_OK=yes
  CHECK_NOTE="read-only"
}
# code 200 and a full page of 20 cases, each with tags and its newest diary.
response_ok() {
  [ "$(psql_db "$BENCH_DB" -v body="$(cat "$1")" 2>/dev/null <<'SQL'
SELECT (j->>'code') = '200' AND json_array_length(j->'data'->'ret_data') = 20
FROM (SELECT :'body'::json AS j) b
SQL
  )" = t ]
}
