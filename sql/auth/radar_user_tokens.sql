-- The tokens of the radar users among $1 (an id array) who still have access, by the rule of
-- radar_user_token.sql (enabled, of a live company): a missing id has lost access.
-- The per-node revocation sweep of open sockets (src/chat/revocation.rs). $1 ids
SELECT u.id, u.token
FROM radar_users u JOIN companies co ON co.id = u.company_id
WHERE u.id = ANY($1) AND u.status = 1 AND co.status <> 3
