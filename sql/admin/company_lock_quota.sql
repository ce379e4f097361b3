-- Locks a live company row for a card-quota check and returns the quota. $1 company
SELECT mingpian_available_num FROM companies WHERE id = $1 AND status <> 3 FOR UPDATE
