-- Marks the customer's unused grants of template $2 as invalid with errcode $3 (WeChat says the
-- user has none: refused, used up or switched off). $1 customer.
UPDATE customer_subscribe_grants SET used_at = now(), errcode = $3
WHERE customer_id = $1 AND template_id = $2 AND used_at IS NULL
