-- Forgets the failures of key $1 (a successful login).
DELETE FROM login_attempts WHERE key = $1
