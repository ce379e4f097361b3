-- formIds are valid 7 days (WeChat rule).
DELETE FROM customer_form_ids WHERE customer_id = $1 AND created_at < now() - interval '7 days'
