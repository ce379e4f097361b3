-- send_user_info: the authorized WeChat profile. $1 id, $2 nickname, $3 avatar (null = keep), $4..$7
UPDATE customers SET username = $2, headimgurl = COALESCE($3, headimgurl),
       city = COALESCE($4, city), province = COALESCE($5, province),
       country = COALESCE($6, country), language = COALESCE($7, language)
WHERE id = $1
