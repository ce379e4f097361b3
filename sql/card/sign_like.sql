-- Signature like (not a toggle): inserts once. Returns a row only when newly liked.
INSERT INTO sign_praises (user_id, customer_id, up) VALUES ($1, $2, true)
ON CONFLICT (customer_id, user_id) DO NOTHING
RETURNING id
