-- The customer's newest unexpired, unused formId, now marked used (each formId serves once).
UPDATE customer_form_ids SET used_at = now()
WHERE id = (
    SELECT id FROM customer_form_ids
    WHERE customer_id = $1 AND used_at IS NULL AND created_at > now() - interval '7 days'
    ORDER BY created_at DESC, id DESC LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING form_id
