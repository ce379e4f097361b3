-- Who and how to notify, if message $3 is still unread by the customer: the customer's openid and
-- the company app's template settings (legacy formId template, subscribe template and its field
-- mapping). One statement, so a message that was read costs one query and nothing more.
-- $1 radar user, $2 customer, $3 message
SELECT c.openid, c.user_type, u.username, a.authorization_appid, a.app_secret, a.template_id,
       a.three_services_type, a.subscribe_template_id, a.subscribe_fields
FROM customers c
JOIN radar_users u ON u.id = $1
JOIN mini_program_apps a ON a.company_id = u.company_id
WHERE c.id = $2
  AND EXISTS (SELECT 1 FROM chat_message_state m WHERE m.id = $3 AND m.is_customer_new_msg)
