-- Creates a case. $1 company, $2 admin author, $3 case_name, $4 customer_name,
-- $5 headimgurl (null = the default avatar), $6 cover_picture, $7 status
INSERT INTO cases (company_id, user_id, case_name, customer_name, headimgurl, cover_picture, status)
VALUES ($1, $2, $3, $4, COALESCE($5::varchar, 'statics/imgs/Avator.jpg'), $6, $7)
RETURNING id
