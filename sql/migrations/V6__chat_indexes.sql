-- Radar replies copy the article id of the customer's newest article message (spec §7 R5 step 4);
-- almost no message has one, so without this index the lookup walks the pair's whole history.
CREATE INDEX chat_messages_article_idx ON chat_messages (user_id, customer_id, id DESC)
    WHERE article_id IS NOT NULL AND send_type = 2;
