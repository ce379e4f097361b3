-- Every message updates its conversation twice (the writer moves seq, preview and counters; the
-- reader moves a read watermark) and its binding once (counters). Measured in
-- load-tests/chat_vs_node.sh, 60 % of those updates were not HOT: each wrote new entries into
-- every index of the table and left a dead tuple that lookups then had to step over (26,000 dead
-- tuples behind 300 live conversations after 30 s).
--
-- * conversations_user_last_idx indexed last_at, which every message changes, so no writer update
--   could be HOT. Its only reader, the contact list (sql/chat/contacts.sql), counts all of a radar
--   user's conversations anyway (`count(*) OVER ()`): it now finds them by the primary key's
--   user_id prefix and sorts them, which costs it nothing measurable.
-- * Free room on every page, so updated versions stay on their page (HOT) and are pruned there.
--   Applies to pages written from now on.
DROP INDEX conversations_user_last_idx;
ALTER TABLE conversations SET (fillfactor = 50);
ALTER TABLE customer_bindings SET (fillfactor = 80);

-- Messages: every row checked its radar user and customer through two foreign keys, each one more
-- query and a shared row lock per message (on rows that every message of the pair locks again).
-- Rows are written only by chat_insert_batch, which first creates (or locks) the pair's
-- conversation, whose own foreign keys check both ids; radar users and customers are never
-- deleted (status flags). The conversation row stands for the check.
ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_user_id_fkey;
ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_customer_id_fkey;

-- user_id and customer_id are correlated (a pair's messages): without this the planner takes a
-- pair for one row and reads a whole conversation through chat_messages_pair_seq_key to find a
-- client_msg_id, instead of using chat_messages_client_msg_key.
CREATE STATISTICS chat_messages_pair_stats (ndistinct, dependencies) ON user_id, customer_id
    FROM chat_messages;
