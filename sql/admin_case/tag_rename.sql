-- Renames case tag $1 to $2 (a duplicate name within the company violates the unique index).
UPDATE case_tags SET name = $2 WHERE id = $1
