SELECT id, company_id, username, headimgurl, phone, session_key, user_type, is_subscribe
FROM customers WHERE id = $1
