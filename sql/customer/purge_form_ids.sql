-- formIds are valid 7 days (WeChat rule), and a customer keeps at most the newest 50: the one
-- about to be stored plus 49 (each is good for one message, and clients send one per tap, so an
-- unbounded list only lets one customer grow the table without limit).
DELETE FROM customer_form_ids
WHERE customer_id = $1
  AND (created_at < now() - interval '7 days'
       OR id NOT IN (SELECT id FROM customer_form_ids WHERE customer_id = $1
                     ORDER BY created_at DESC, id DESC LIMIT 49))
