-- M29: the customer's tag searches in the company, newest first, one entry per (existing) tag,
-- at most 13. $1 customer, $2 company
SELECT id, name
FROM (
    SELECT DISTINCT ON (t.id) t.id, t.name, h.searched_at
    FROM tag_search_history h JOIN case_tags t ON t.id = h.tag_id AND t.company_id = h.company_id
    WHERE h.customer_id = $1 AND h.company_id = $2
    ORDER BY t.id, h.searched_at DESC
) latest
ORDER BY searched_at DESC, id DESC
LIMIT 13
