-- The article of the customer's newest message that has one (radar replies copy it).
SELECT article_id FROM chat_messages
WHERE user_id = $1 AND customer_id = $2 AND send_type = 2 AND article_id IS NOT NULL
ORDER BY id DESC LIMIT 1
