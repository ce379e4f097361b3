-- $1 company, $2 is_show_jszc (1 展示, 2 不展示)
UPDATE companies SET is_show_jszc = $2 WHERE id = $1 AND status <> 3
