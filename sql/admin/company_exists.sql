-- Whether company $1 exists and is not deleted.
SELECT EXISTS (SELECT 1 FROM companies WHERE id = $1 AND status <> 3)
