-- Customer badge: radar→customer messages of the pair unread by the customer.
SELECT count(*) FROM chat_messages
WHERE user_id = $1 AND customer_id = $2 AND is_customer_new_msg AND send_type = 1
