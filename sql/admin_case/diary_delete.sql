-- Logically deletes live diary $1 (status 3).
UPDATE diaries SET status = 3 WHERE id = $1 AND status <> 3
