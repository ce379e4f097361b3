-- A website template. $1 name, $2 content JSON text
INSERT INTO website_templates (name, template_content) VALUES ($1, $2::text::jsonb) RETURNING id
