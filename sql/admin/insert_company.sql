-- $1 name, $2 card quota, $3 months of service (from today)
INSERT INTO companies (name, mingpian_available_num, charging_start_time, open_length_time, account_expired_time)
VALUES ($1, $2, date_trunc('day', now()), $3, date_trunc('day', now()) + make_interval(months => $3::int))
RETURNING id
