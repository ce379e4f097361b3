-- Whether another live company (not $2) has name $1. $2 may be null.
SELECT EXISTS (SELECT 1 FROM companies WHERE name = $1 AND status <> 3 AND id IS DISTINCT FROM $2)
