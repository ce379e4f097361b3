-- Deletes case tag $1; its case links go with it (ON DELETE CASCADE).
DELETE FROM case_tags WHERE id = $1
