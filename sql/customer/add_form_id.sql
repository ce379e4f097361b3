INSERT INTO customer_form_ids (customer_id, form_id) VALUES ($1, $2)
ON CONFLICT (customer_id, form_id) DO NOTHING
