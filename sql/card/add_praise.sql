-- praise += $2 (±1), never below 0. Returns the new count. $1 radar user
UPDATE radar_users SET praise = GREATEST(praise + $2, 0) WHERE id = $1 RETURNING praise
