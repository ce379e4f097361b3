-- Radar badge: customer→radar messages unread by the radar user, over all their conversations.
SELECT count(*) FROM chat_messages WHERE user_id = $1 AND is_user_new_msg AND send_type = 2
