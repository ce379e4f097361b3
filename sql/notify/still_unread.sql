SELECT is_customer_new_msg FROM chat_message_state WHERE id = $1
