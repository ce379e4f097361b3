-- The radar user's conversations, latest first, with the last message and the unread count.
-- $1 radar user, $2 limit, $3 offset
SELECT cv.customer_id, cv.last_at, c.username, c.headimgurl, c.user_type, c.is_subscribe,
       m.content AS last_content,
       cv.user_unread::bigint AS unread,
       count(*) OVER () AS total
FROM conversations cv
JOIN customers c ON c.id = cv.customer_id
JOIN chat_messages m ON m.id = cv.last_message_id
WHERE cv.user_id = $1
ORDER BY cv.last_at DESC, cv.customer_id DESC
LIMIT $2 OFFSET $3
