-- Updates a website template. $1 id, $2 name, $3 content JSON text
UPDATE website_templates SET name = $2, template_content = $3::text::jsonb WHERE id = $1
