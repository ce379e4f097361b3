-- sign_num += $2 (0 or 1). Returns the count. $1 radar user
UPDATE radar_users SET sign_num = sign_num + $2 WHERE id = $1 RETURNING sign_num
