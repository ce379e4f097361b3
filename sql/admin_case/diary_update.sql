-- Edits live diary $1 and sets update_date of its case (both cases when it moves). $2 case id,
-- $3 title, $4 summary, $5 diary_date, $6 cover_picture, $7 content, $8 status, $9 cover_show_type.
-- Returns the diary id when it existed.
WITH old AS (
    SELECT case_id FROM diaries WHERE id = $1 AND status <> 3
), upd AS (
    UPDATE diaries
    SET case_id = $2, title = $3, summary = $4, diary_date = $5, cover_picture = $6, content = $7,
        status = $8, cover_show_type = $9
    WHERE id = $1 AND status <> 3
    RETURNING id, case_id
), bump AS (
    UPDATE cases SET update_date = now()
    WHERE id IN (SELECT case_id FROM upd UNION SELECT case_id FROM old)
      AND EXISTS (SELECT 1 FROM upd)
)
SELECT id FROM upd
