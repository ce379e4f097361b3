-- The demo companies' service period, computed from the Shanghai day by src/time.rs.
-- $1 company names, $2 charging start, $3 expiry
UPDATE companies SET charging_start_time = $2, account_expired_time = $3 WHERE name = ANY($1)
