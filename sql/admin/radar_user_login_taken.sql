-- Whether a live radar user logs in as $1.
SELECT EXISTS (SELECT 1 FROM radar_users WHERE login_user = $1 AND status <> 3)
