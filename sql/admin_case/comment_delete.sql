-- Deletes the comments $2 (distinct ids) on company $1's diaries, all or none, and lowers each
-- diary's comment_count by the comments actually deleted here (never below 0), in one statement.
-- Returns how many were deleted.
WITH del AS (
    DELETE FROM diary_comments c
    USING diaries d
    WHERE d.id = c.diary_id AND d.company_id = $1 AND c.id = ANY($2)
      AND (SELECT count(*) FROM diary_comments c2 JOIN diaries d2 ON d2.id = c2.diary_id
           WHERE d2.company_id = $1 AND c2.id = ANY($2)) = cardinality($2)
    RETURNING c.diary_id
), per_diary AS (
    SELECT diary_id, count(*)::integer AS n FROM del GROUP BY diary_id
), lowered AS (
    UPDATE diaries SET comment_count = GREATEST(comment_count - per_diary.n, 0)
    FROM per_diary
    WHERE diaries.id = per_diary.diary_id
)
SELECT count(*) FROM del
