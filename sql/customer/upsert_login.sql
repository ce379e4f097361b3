-- Finds or creates the customer of (openid, user_type); a login refreshes session_key and unionid.
-- $1 company, $2 openid, $3 user_type, $4 session_key, $5 unionid, $6 new token
INSERT INTO customers (company_id, openid, user_type, session_key, unionid, token)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (openid, user_type) DO UPDATE
    SET session_key = EXCLUDED.session_key,
        unionid = COALESCE(EXCLUDED.unionid, customers.unionid)
RETURNING id, token
