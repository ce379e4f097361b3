-- A live company's website blob. $1 company
SELECT id, name, website_content, create_date FROM companies WHERE id = $1 AND status <> 3
