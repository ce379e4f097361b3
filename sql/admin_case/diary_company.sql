-- The company of diary $1, unless it is deleted.
SELECT company_id FROM diaries WHERE id = $1 AND status <> 3
