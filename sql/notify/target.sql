-- Who and how to notify: the customer's openid and the company app's template settings (legacy
-- formId template, subscribe template and its field mapping).
-- $1 radar user, $2 customer
SELECT c.openid, c.user_type, u.username, a.authorization_appid, a.app_secret, a.template_id,
       a.three_services_type, a.subscribe_template_id, a.subscribe_fields
FROM customers c
JOIN radar_users u ON u.id = $1
JOIN mini_program_apps a ON a.company_id = u.company_id
WHERE c.id = $2
