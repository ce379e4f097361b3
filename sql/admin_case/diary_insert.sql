-- Creates a diary of case $2 and sets the case's update_date. $1 company, $3 admin author,
-- $4 title, $5 summary, $6 diary_date, $7 cover_picture, $8 content, $9 status, $10 cover_show_type
WITH ins AS (
    INSERT INTO diaries (company_id, case_id, user_id, title, summary, diary_date, cover_picture,
                         content, status, cover_show_type)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    RETURNING id, case_id
), bump AS (
    UPDATE cases SET update_date = now() WHERE id IN (SELECT case_id FROM ins)
)
SELECT id FROM ins
