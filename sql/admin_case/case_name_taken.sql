-- Whether company $1 has a published case other than $3 (null = none) called $2.
SELECT EXISTS (
    SELECT 1 FROM cases
    WHERE company_id = $1 AND case_name = $2 AND status = 1 AND ($3::bigint IS NULL OR id <> $3)
)
