-- The per radar user profile row of a customer (one per pair); send_user_info writes the gender.
INSERT INTO customer_profiles (customer_id, user_id, sex) VALUES ($1, $2, $3)
ON CONFLICT (customer_id, user_id) DO UPDATE SET sex = COALESCE(EXCLUDED.sex, customer_profiles.sex)
