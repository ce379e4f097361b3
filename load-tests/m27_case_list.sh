#!/usr/bin/env bash
# M27 case list under load (issue 4): m10_card_view.sh with SCENARIO=m27 (load-tests/m27/: 1 case
# company, 10 tags, 200 published cases with 1-3 tags and 1-5 diaries, 5,000 customers; wrk on
# the first page of 20 cases, then pgbench running sql/case/customer_company.sql + list.sql).
# Same variables as m10_card_view.sh, e.g. DURATION=30 CONNECTIONS=64 SKIP_BUILD=1.
exec env SCENARIO=m27 "$(dirname "${BASH_SOURCE[0]}")/m10_card_view.sh" "$@"
