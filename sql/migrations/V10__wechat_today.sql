-- WeChat as it is today (issue 13): one access token per app shared by every node, subscribe-message
-- grants (the replacement of formIds), and each company's subscribe template.

-- One row per mini-program app. The row is also the cluster-wide lease: a node fetches a token
-- from WeChat only while it holds this row FOR UPDATE, so one fetch at a time across all nodes.
CREATE TABLE wechat_access_tokens (
    appid          varchar(128) PRIMARY KEY,
    access_token   text,            -- NULL until the first successful fetch
    refresh_after  timestamptz,     -- the token is used until then, then fetched anew
    forced_at      timestamptz,     -- last force_refresh (WeChat: at least 30 s apart, 20 a day)
    failed_until   timestamptz,     -- negative cache: WeChat failed, nobody asks again before this
    last_error     varchar(200),    -- why, for the error of the nodes that wait (never a secret)
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The company's subscribe-message template (created in the mini-program's admin console) and how
-- its fields are filled: {"<key>": "sender" | "time" | "notice" | "text"}; NULL = the default
-- mapping in the README ("WeChat setup").
ALTER TABLE mini_program_apps
    ADD COLUMN subscribe_template_id varchar(128),
    ADD COLUMN subscribe_fields      jsonb;

-- One row per "accept" of wx.requestSubscribeMessage: a one-time grant allows one message.
CREATE TABLE customer_subscribe_grants (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    template_id  varchar(128) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    used_at      timestamptz,       -- consumed by a send, or invalidated (see errcode)
    errcode      integer            -- WeChat's answer to that send (0 = delivered); NULL = unused
);
CREATE INDEX customer_subscribe_grants_usable_idx
    ON customer_subscribe_grants (customer_id, template_id, id) WHERE used_at IS NULL;
