-- M27 `search_tag_id`: counts one search of a tag of the company and upserts the customer's
-- history row (a repeat search bumps `searched_at`). No row when the tag is not the company's.
-- $1 tag, $2 company, $3 customer
WITH tag AS (
    UPDATE case_tags SET search_amount = search_amount + 1
    WHERE id = $1 AND company_id = $2
    RETURNING id, name
)
INSERT INTO tag_search_history (customer_id, company_id, tag_id, text)
SELECT $3, $2, id, name FROM tag
ON CONFLICT (customer_id, company_id, text)
    DO UPDATE SET searched_at = now(), tag_id = EXCLUDED.tag_id
RETURNING tag_id
