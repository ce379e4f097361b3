-- Links case $1 to the tags $2; each newly linked tag's use_number goes up by one.
WITH linked AS (
    INSERT INTO case_tag_links (case_id, tag_id)
    SELECT $1, t FROM unnest($2::bigint[]) AS t
    ON CONFLICT DO NOTHING
    RETURNING tag_id
)
UPDATE case_tags SET use_number = use_number + 1 WHERE id IN (SELECT tag_id FROM linked)
