-- The company and its mini-program app as login needs them.
SELECT co.id, a.authorization_appid, a.app_secret, a.version_num
FROM companies co LEFT JOIN mini_program_apps a ON a.company_id = co.id
WHERE co.id = $1 AND co.status <> 3
