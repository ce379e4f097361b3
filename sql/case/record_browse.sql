-- M27 `case_id`: the customer's footprint on a published case of the company, one row per
-- (customer, case); a repeat visit moves it to now. No row when the case is not visible.
-- $1 case, $2 company, $3 customer
INSERT INTO case_diary_actions (case_id, customer_id, action, status)
SELECT id, $3, 3, 1 FROM cases WHERE id = $1 AND company_id = $2 AND status = 1
ON CONFLICT (customer_id, case_id) WHERE action = 3
    DO UPDATE SET create_date = now(), status = 1
RETURNING id
