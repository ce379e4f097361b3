SELECT is_customer_new_msg FROM chat_messages WHERE id = $1
