-- Approves the comments $2 (distinct ids) on company $1's diaries, all or none: nothing changes
-- unless every id is such a comment. Returns the approved ids.
UPDATE diary_comments c SET is_audit_pass = 1
FROM diaries d
WHERE d.id = c.diary_id AND d.company_id = $1 AND c.id = ANY($2)
  AND (SELECT count(*) FROM diary_comments c2 JOIN diaries d2 ON d2.id = c2.diary_id
       WHERE d2.company_id = $1 AND c2.id = ANY($2)) = cardinality($2)
RETURNING c.id
