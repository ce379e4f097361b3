-- Offline template notifications (spec §6.5 New): at most one per pair per interval.
ALTER TABLE customer_bindings ADD COLUMN last_template_at timestamptz;
