-- Logically deletes live case $1 and its diaries (status 3). Returns the case id when it existed.
WITH gone AS (
    UPDATE cases SET status = 3 WHERE id = $1 AND status <> 3 RETURNING id
), diaries_gone AS (
    UPDATE diaries SET status = 3 WHERE case_id IN (SELECT id FROM gone) AND status <> 3
)
SELECT id FROM gone
