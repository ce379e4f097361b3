-- Whether company $1 has another live radar user (not $3, which may be null) called $2.
SELECT EXISTS (SELECT 1 FROM radar_users
               WHERE company_id = $1 AND username = $2 AND status <> 3 AND id IS DISTINCT FROM $3)
