-- Deletes a website template. $1 id
DELETE FROM website_templates WHERE id = $1
