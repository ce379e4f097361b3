DELETE FROM login_codes WHERE created_at < now() - interval '10 minutes'
