-- Replaces the remote avatar with the local copy, unless the customer changed it meanwhile.
UPDATE customers SET headimgurl = $3 WHERE id = $1 AND headimgurl = $2
