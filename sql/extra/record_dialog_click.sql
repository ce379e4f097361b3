-- §5.9 record_customer_click_dialog_box: one row per click on the chat dialog box.
-- $1 customer, $2 xcx_type (null when not sent)
INSERT INTO dialog_clicks (customer_id, xcx_type) VALUES ($1, $2)
