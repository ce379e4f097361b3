-- The radar user's company as binding and chat need it.
SELECT u.id AS user_id, u.username, u.company_id, co.name AS company, co.is_customer_unique,
       co.shopping_type, a.authorization_appid
FROM radar_users u JOIN companies co ON co.id = u.company_id
LEFT JOIN mini_program_apps a ON a.company_id = co.id
WHERE u.id = $1 AND u.status <> 3
