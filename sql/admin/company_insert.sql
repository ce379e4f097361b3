-- A company created from the admin UI.
-- $1 name, $2 charging start, $3 months, $4 expiry, $5 card quota, $6 product_function_type,
-- $7 remarks, $8 xcx_qr_code, $9 admin_is_hidden
INSERT INTO companies (name, charging_start_time, open_length_time, account_expired_time,
                       mingpian_available_num, product_function_type, remarks, xcx_qr_code,
                       admin_is_hidden)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id
