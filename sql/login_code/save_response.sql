UPDATE login_codes SET response = $2 WHERE code = $1
