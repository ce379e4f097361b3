-- 靠谱 toggle: no row → up; otherwise flip. Returns the new state. $1 radar user, $2 customer
INSERT INTO card_praises (user_id, customer_id, up) VALUES ($1, $2, true)
ON CONFLICT (customer_id, user_id) DO UPDATE SET up = NOT card_praises.up
RETURNING up
