-- Updates a live company's billing and profile fields; null $7/$8/$9 keep the stored value.
-- $1 id, $2 name, $3 charging start, $4 months, $5 expiry, $6 card quota, $7 product_function_type,
-- $8 remarks, $9 xcx_qr_code, $10 admin_is_hidden
UPDATE companies
SET name = $2, charging_start_time = $3, open_length_time = $4, account_expired_time = $5,
    mingpian_available_num = $6, product_function_type = $7,
    remarks = COALESCE($8, remarks), xcx_qr_code = COALESCE($9, xcx_qr_code),
    admin_is_hidden = COALESCE($10, admin_is_hidden)
WHERE id = $1 AND status <> 3
