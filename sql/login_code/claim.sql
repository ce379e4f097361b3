-- Claims a js_code; returns a row only for the first claim. Codes live 10 minutes.
INSERT INTO login_codes (code) VALUES ($1) ON CONFLICT (code) DO NOTHING RETURNING code
