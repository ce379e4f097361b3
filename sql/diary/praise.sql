-- M35: the customer praises a published diary (of a published case) of the company, once. The first
-- praise inserts the row and counts it; a repeat only sets the row back to status 1. Of concurrent
-- first praises exactly one inserts (the unique index serializes them), so `up_count` moves once.
-- $1 diary, $2 company, $3 customer
WITH d AS (
    SELECT d.id, d.case_id
    FROM diaries d JOIN cases c ON c.id = d.case_id
    WHERE d.id = $1 AND d.company_id = $2 AND d.status = 1 AND c.status = 1
), ins AS (
    INSERT INTO case_diary_actions (diary_id, case_id, customer_id, action, status)
    SELECT id, case_id, $3, 1, 1 FROM d
    ON CONFLICT (customer_id, diary_id) WHERE action = 1 DO NOTHING
    RETURNING diary_id
), counted AS (
    UPDATE diaries SET up_count = up_count + 1 WHERE id IN (SELECT diary_id FROM ins)
    RETURNING id
), again AS (
    UPDATE case_diary_actions SET status = 1
    WHERE action = 1 AND customer_id = $3 AND diary_id IN (SELECT id FROM d) AND status <> 1
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM d) AS found, EXISTS (SELECT 1 FROM counted) AS praised
