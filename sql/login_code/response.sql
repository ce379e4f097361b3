SELECT response FROM login_codes WHERE code = $1
