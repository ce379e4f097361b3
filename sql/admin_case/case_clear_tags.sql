-- Removes the tags of case $1 that are not among $2.
DELETE FROM case_tag_links WHERE case_id = $1 AND tag_id <> ALL($2::bigint[])
