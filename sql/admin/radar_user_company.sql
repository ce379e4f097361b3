-- The company of a radar user that is not deleted. $1 radar user
SELECT company_id FROM radar_users WHERE id = $1 AND status <> 3
