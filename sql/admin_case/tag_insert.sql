-- Adds tag $2 to company $1. No row when the company already has a tag of that name.
INSERT INTO case_tags (company_id, name) VALUES ($1, $2)
ON CONFLICT (company_id, name) DO NOTHING
RETURNING id
