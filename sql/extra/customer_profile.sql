-- §5.9 GET /customer: the customer's own row, the labels radar users of its company gave it, and
-- the profile rows (notes) they keep on it, in one statement. $1 customer
SELECT cu.id, cu.company_id, cu.username, cu.headimgurl, cu.phone, cu.city, cu.province, cu.country,
       cu.language, cu.create_date,
       COALESCE((
           SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.id)
           FROM customer_tag_links l
           JOIN customer_tags t ON t.id = l.tag_id
           JOIN radar_users u ON u.id = t.user_id AND u.company_id = cu.company_id
           WHERE l.customer_id = cu.id
       ), '[]'::json) AS tags,
       COALESCE((
           SELECT json_agg(json_build_object(
                      'user_id', pr.user_id, 'username', u.username, 'sex', pr.sex,
                      'phone', COALESCE(pr.phone, ''), 'email', COALESCE(pr.email, ''),
                      'company', COALESCE(pr.company, ''), 'position', COALESCE(pr.position, ''),
                      'address', COALESCE(pr.address, ''),
                      'birthday', COALESCE(to_char(pr.birthday, 'YYYY-MM-DD'), ''),
                      'mem', COALESCE(pr.mem, ''), 'note_name', COALESCE(pr.note_name, ''))
                  ORDER BY pr.id)
           FROM customer_profiles pr
           JOIN radar_users u ON u.id = pr.user_id AND u.company_id = cu.company_id
           WHERE pr.customer_id = cu.id
       ), '[]'::json) AS notes
FROM customers cu
WHERE cu.id = $1
