-- Stores a live company's website blob from its JSON text. $1 company, $2 JSON text
UPDATE companies SET website_content = $2::text::jsonb WHERE id = $1 AND status <> 3
