INSERT INTO customer_subscribe_grants (customer_id, template_id) VALUES ($1, $2)
