-- Soft-deletes a live company (status 3). $1 id
UPDATE companies SET status = 3 WHERE id = $1 AND status <> 3
