-- WeChat's answer to the send that used grant $1 (0 = delivered, -1 = no answer).
UPDATE customer_subscribe_grants SET errcode = $2 WHERE id = $1
