-- $1 company, $2 comment_moderation (only approved comments are shown to other customers)
UPDATE companies SET comment_moderation = $2 WHERE id = $1 AND status <> 3
