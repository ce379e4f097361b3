-- M34: sets the customer's collect state (0/1) on a published case of the company; one row per
-- (customer, case). Collecting moves the row to now (M37 lists by that time). No row when the case
-- is not visible. $1 case, $2 company, $3 customer, $4 status
INSERT INTO case_diary_actions (case_id, customer_id, action, status)
SELECT id, $3, 2, $4::smallint FROM cases WHERE id = $1 AND company_id = $2 AND status = 1
ON CONFLICT (customer_id, case_id) WHERE action = 2
    DO UPDATE SET status = EXCLUDED.status,
                  create_date = CASE WHEN EXCLUDED.status = 1 THEN now()
                                     ELSE case_diary_actions.create_date END
RETURNING id
