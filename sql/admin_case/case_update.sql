-- Edits live case $1. $2 case_name, $3 customer_name, $4 headimgurl, $5 cover_picture (null keeps
-- the stored value), $6 status
UPDATE cases
SET case_name = $2, customer_name = $3, headimgurl = COALESCE($4::varchar, headimgurl),
    cover_picture = COALESCE($5::jsonb, cover_picture), status = $6
WHERE id = $1 AND status <> 3
