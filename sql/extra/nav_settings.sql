-- §5.9 bottom_button_info: the company's navigation flags and its mini-program's online version.
-- $1 company
SELECT co.shopping_type, co.is_show_jszc, a.version_num
FROM companies co LEFT JOIN mini_program_apps a ON a.company_id = co.id
WHERE co.id = $1 AND co.status <> 3
