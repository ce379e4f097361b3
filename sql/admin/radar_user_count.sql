-- Company $1's radar users that count against the card quota (all but deleted ones).
SELECT count(*) FROM radar_users WHERE company_id = $1 AND status <> 3
