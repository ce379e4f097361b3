-- M31 `diary_id`: counts one read of a published diary (of a published case) of the company.
-- $1 diary, $2 company
UPDATE diaries d SET read_count = d.read_count + 1
FROM cases c
WHERE d.id = $1 AND d.company_id = $2 AND d.status = 1 AND c.id = d.case_id AND c.status = 1
