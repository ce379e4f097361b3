-- M32: adds the customer's comment to a published diary (of a published case) of the company and
-- counts it, in one statement. Without moderation a comment is approved at once (is_audit_pass 1);
-- with it, it waits for the back office (0). No row when the diary is not visible.
-- $1 diary, $2 company, $3 customer, $4 content
WITH d AS (
    UPDATE diaries d SET comment_count = d.comment_count + 1
    FROM cases c, companies co
    WHERE d.id = $1 AND d.company_id = $2 AND d.status = 1
      AND c.id = d.case_id AND c.status = 1 AND co.id = d.company_id
    RETURNING d.id, co.comment_moderation
)
INSERT INTO diary_comments (diary_id, from_customer_id, content, is_audit_pass)
SELECT id, $3, $4, CASE WHEN comment_moderation THEN 0 ELSE 1 END FROM d
RETURNING id
