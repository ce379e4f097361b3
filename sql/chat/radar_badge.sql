-- Radar badge: customer→radar messages unread by the radar user, over all their conversations.
SELECT COALESCE(sum(user_unread), 0)::bigint FROM conversations WHERE user_id = $1
