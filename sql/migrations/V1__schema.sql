-- Radar data model (spec BEHAVIOR.md §3). Times are timestamptz; text is plain UTF-8.
-- Counters are integer not null default 0. Uniqueness that the original only checked in forms is
-- enforced here with unique indexes.

-- §3.2 Tenancy and apps ----------------------------------------------------------------------------

CREATE TABLE companies (
    id                      bigserial PRIMARY KEY,
    name                    varchar(128) NOT NULL,
    area                    varchar(128),
    address                 text NOT NULL DEFAULT '',
    website_content         jsonb NOT NULL DEFAULT '[]',
    mingpian_available_num  smallint NOT NULL DEFAULT 0,
    charging_start_time     timestamptz,
    open_length_time        smallint,
    account_expired_time    timestamptz,
    is_customer_unique      boolean NOT NULL DEFAULT false,
    shopping_type           smallint NOT NULL DEFAULT 2,
    is_show_jszc            smallint NOT NULL DEFAULT 1,
    product_function_type   smallint NOT NULL DEFAULT 1,
    comment_moderation      boolean NOT NULL DEFAULT false,
    corp_id                 text,
    wechat_qr_code          text,
    xcx_qr_code             text,
    remarks                 text,
    status                  smallint NOT NULL DEFAULT 1,  -- 1 active, 3 deleted (soft delete)
    create_date             timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX companies_name_key ON companies (name) WHERE status <> 3;

CREATE TABLE mini_program_apps (
    id                        bigserial PRIMARY KEY,
    company_id                bigint NOT NULL UNIQUE REFERENCES companies (id),
    authorization_appid       varchar(128) NOT NULL DEFAULT '',
    app_secret                text,
    authorizer_refresh_token  text,
    template_id               varchar(128),
    version_num               varchar(32),
    three_services_type       smallint NOT NULL DEFAULT 1,
    name                      varchar(128),
    head_img                  varchar(256),
    qrcode_url                varchar(256),
    poster_company_logo       varchar(256),
    create_date               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE website_templates (
    id                bigserial PRIMARY KEY,
    name              varchar(128) NOT NULL,
    template_content  jsonb NOT NULL DEFAULT '[]',
    create_date       timestamptz NOT NULL DEFAULT now()
);

-- §3.3 People ------------------------------------------------------------------------------------

CREATE TABLE admin_roles (
    id    bigint PRIMARY KEY,
    name  varchar(32) NOT NULL
);
INSERT INTO admin_roles (id, name) VALUES (1, '超级管理员'), (2, '管理员'), (3, '普通成员');

CREATE TABLE admin_users (
    id                 bigserial PRIMARY KEY,
    login_user         varchar(32) NOT NULL,
    username           varchar(32) NOT NULL DEFAULT '',
    password           text NOT NULL,          -- argon2 PHC string (legacy md5 hex migrated on login)
    company_id         bigint NOT NULL REFERENCES companies (id),
    position           varchar(128),
    avatar             varchar(256) NOT NULL DEFAULT 'statics/imgs/setAvator.jpg',
    status             smallint NOT NULL DEFAULT 1,
    is_reset_password  boolean NOT NULL DEFAULT false,
    token              varchar(64) NOT NULL DEFAULT '',
    role_id            bigint NOT NULL REFERENCES admin_roles (id),
    create_date        timestamptz NOT NULL DEFAULT now(),
    last_login_date    timestamptz
);
CREATE UNIQUE INDEX admin_users_login_user_key ON admin_users (login_user);

CREATE TABLE departments (
    id           bigserial PRIMARY KEY,
    company_id   bigint NOT NULL REFERENCES companies (id),
    name         varchar(64) NOT NULL,
    parent_id    bigint REFERENCES departments (id),
    create_date  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE radar_users (
    id               bigserial PRIMARY KEY,
    userid           varchar(64) NOT NULL DEFAULT '',
    login_user       varchar(64),
    password         text,
    username         varchar(32) NOT NULL,
    memo_name        varchar(64),
    gender           smallint NOT NULL DEFAULT 1,
    company_id       bigint NOT NULL REFERENCES companies (id),
    position         varchar(128) NOT NULL DEFAULT '',
    telephone        varchar(32),
    wechat_phone     varchar(32),
    wechat           varchar(64),
    email            varchar(128),
    mingpian_phone   varchar(20),
    is_show_phone    boolean NOT NULL DEFAULT true,
    avatar           varchar(256) NOT NULL DEFAULT 'statics/imgs/setAvator.jpg',
    qr_code          varchar(256),
    status           smallint NOT NULL DEFAULT 2,   -- 1 AI雷达启用, 2 AI雷达不启用, 3 deleted
    boss_status      smallint NOT NULL DEFAULT 2,
    article_admin_status smallint NOT NULL DEFAULT 2,
    sign             text,
    popularity       integer NOT NULL DEFAULT 0,
    praise           integer NOT NULL DEFAULT 0,
    forward          integer NOT NULL DEFAULT 0,
    sign_num         integer NOT NULL DEFAULT 0,
    token            varchar(64) NOT NULL,
    create_date      timestamptz NOT NULL DEFAULT now(),
    last_login_date  timestamptz
);
CREATE UNIQUE INDEX radar_users_company_username_key ON radar_users (company_id, username) WHERE status <> 3;
CREATE UNIQUE INDEX radar_users_login_user_key ON radar_users (login_user) WHERE status <> 3;
CREATE INDEX radar_users_company_idx ON radar_users (company_id, status);

CREATE TABLE radar_user_departments (
    user_id        bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    department_id  bigint NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, department_id)
);

CREATE TABLE radar_user_photos (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    photo_type   smallint NOT NULL,               -- 1 photo wall, 2 card avatar
    photo_url    varchar(256) NOT NULL,
    "order"      integer NOT NULL DEFAULT 0,
    create_date  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX radar_user_photos_user_idx ON radar_user_photos (user_id, photo_type, id DESC);

CREATE TABLE radar_user_tags (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    name         varchar(64) NOT NULL,
    create_date  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX radar_user_tags_user_idx ON radar_user_tags (user_id, create_date DESC);

CREATE TABLE customers (
    id                 bigserial PRIMARY KEY,
    company_id         bigint REFERENCES companies (id),
    openid             varchar(128) NOT NULL,
    unionid            varchar(128),
    session_key        varchar(128),
    token              varchar(32) NOT NULL,
    user_type          smallint NOT NULL,      -- 1 公众号, 2 小程序, 3 雷达管家
    username           varchar(128),
    headimgurl         varchar(256) NOT NULL DEFAULT 'statics/imgs/Avator.jpg',
    city               varchar(64),
    province           varchar(64),
    country            varchar(64),
    language           varchar(32),
    sex                smallint,
    phone              varchar(20),
    memo_name          varchar(64),
    nickname           varchar(128),
    formatted_address  text,
    is_subscribe       smallint,
    subscribe_time     timestamptz,
    create_date        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_openid_user_type_key ON customers (openid, user_type);

CREATE TABLE customer_form_ids (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    form_id      varchar(128) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    used_at      timestamptz,
    UNIQUE (customer_id, form_id)
);
CREATE INDEX customer_form_ids_usable_idx ON customer_form_ids (customer_id, created_at DESC) WHERE used_at IS NULL;

CREATE TABLE customer_bindings (
    id                    bigserial PRIMARY KEY,
    user_id               bigint NOT NULL REFERENCES radar_users (id),
    customer_id           bigint NOT NULL REFERENCES customers (id),
    source                smallint NOT NULL DEFAULT 1,
    customer_parent_id    bigint REFERENCES customers (id),
    qr_code               varchar(256),
    poster_url            varchar(256),
    expected_time         date,
    expedted_pr           integer,
    last_follow_time      timestamptz,
    last_activity_time    timestamptz,
    is_customer_msg_num   integer NOT NULL DEFAULT 0,
    is_user_msg_num       integer NOT NULL DEFAULT 0,
    create_date           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, customer_id)
);
CREATE INDEX customer_bindings_customer_idx ON customer_bindings (customer_id, create_date DESC);

CREATE TABLE customer_profiles (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    sex          smallint,
    phone        varchar(20),
    email        varchar(128),
    company      varchar(128),
    position     varchar(128),
    address      text,
    birthday     date,
    mem          text,
    note_name    varchar(64),
    create_date  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, user_id)
);

CREATE TABLE customer_tags (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    name         varchar(64) NOT NULL,
    tag_type     smallint NOT NULL DEFAULT 2,    -- matches customers.user_type
    create_date  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_tag_links (
    tag_id       bigint NOT NULL REFERENCES customer_tags (id) ON DELETE CASCADE,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    create_date  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tag_id, customer_id)
);
CREATE INDEX customer_tag_links_customer_idx ON customer_tag_links (customer_id);

CREATE TABLE card_praises (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    up           boolean NOT NULL DEFAULT true,
    create_date  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, user_id)
);

CREATE TABLE sign_praises (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    up           boolean NOT NULL DEFAULT true,
    create_date  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, user_id)
);

-- §3.4 Activity ----------------------------------------------------------------------------------

CREATE TABLE action_logs (
    id           bigserial PRIMARY KEY,
    action       smallint NOT NULL,
    user_id      bigint NOT NULL REFERENCES radar_users (id) ON DELETE CASCADE,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    remark       text NOT NULL DEFAULT '',
    is_new_msg   boolean NOT NULL DEFAULT true,
    article_id   bigint,
    diary_id     bigint,
    video_id     bigint,
    create_date  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_logs_user_date_idx ON action_logs (user_id, create_date DESC);
CREATE INDEX action_logs_user_customer_action_idx ON action_logs (user_id, customer_id, action);

CREATE TABLE chat_messages (
    id                   bigserial PRIMARY KEY,
    user_id              bigint NOT NULL REFERENCES radar_users (id),
    customer_id          bigint NOT NULL REFERENCES customers (id),
    send_type            smallint NOT NULL,       -- 1 radar→customer, 2 customer→radar, 3 tip, 4 temp media
    content              jsonb NOT NULL,
    is_customer_new_msg  boolean NOT NULL DEFAULT true,
    is_user_new_msg      boolean NOT NULL DEFAULT true,
    article_id           bigint,
    client_msg_id        varchar(64),             -- the sender's retry key (spec: the original's `msg` column)
    create_date          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_pair_idx ON chat_messages (user_id, customer_id, id);
CREATE INDEX chat_messages_customer_unread_idx ON chat_messages (user_id, customer_id, id)
    WHERE is_customer_new_msg;
CREATE INDEX chat_messages_user_unread_idx ON chat_messages (user_id, customer_id, id)
    WHERE is_user_new_msg AND send_type = 2;
-- One stored message per (sender, client_msg_id): a retried send returns the first row.
CREATE UNIQUE INDEX chat_messages_client_msg_key
    ON chat_messages (user_id, customer_id, send_type, client_msg_id)
    WHERE client_msg_id IS NOT NULL;

-- The contact list's "last message" per pair (spec §6.1 New), maintained by the send path.
CREATE TABLE conversations (
    user_id          bigint NOT NULL REFERENCES radar_users (id),
    customer_id      bigint NOT NULL REFERENCES customers (id),
    last_message_id  bigint NOT NULL,
    last_at          timestamptz NOT NULL,
    PRIMARY KEY (user_id, customer_id)
);
CREATE INDEX conversations_user_last_idx ON conversations (user_id, last_at DESC);

CREATE TABLE login_codes (
    code         varchar(128) PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    response     jsonb                          -- the first answer, replayed for a repeated code
);
CREATE INDEX login_codes_created_idx ON login_codes (created_at);

CREATE TABLE dialog_clicks (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    xcx_type     smallint,
    create_date  timestamptz NOT NULL DEFAULT now()
);

-- §3.5 Catalog and content -------------------------------------------------------------------------

CREATE TABLE products (
    id               bigserial PRIMARY KEY,
    company_id       bigint NOT NULL REFERENCES companies (id),
    user_id          bigint REFERENCES radar_users (id),
    name             varchar(128) NOT NULL,
    price            varchar(64) NOT NULL DEFAULT '',
    reason           varchar(1024) NOT NULL DEFAULT '',
    content          jsonb NOT NULL DEFAULT '{}',
    status           smallint NOT NULL DEFAULT 1,   -- 1 已发布, 2 已下架, 3 推荐
    recommend_index  smallint NOT NULL DEFAULT 0,
    create_date      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_company_name_key ON products (company_id, name);
CREATE INDEX products_company_idx ON products (company_id, recommend_index DESC, id);

CREATE TABLE case_tags (
    id             bigserial PRIMARY KEY,
    company_id     bigint NOT NULL REFERENCES companies (id),
    name           varchar(32) NOT NULL,
    search_amount  integer NOT NULL DEFAULT 0,
    use_number     integer NOT NULL DEFAULT 0,
    create_date    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, name)
);

CREATE TABLE cases (
    id             bigserial PRIMARY KEY,
    company_id     bigint NOT NULL REFERENCES companies (id),
    user_id        bigint REFERENCES admin_users (id),
    case_name      varchar(128) NOT NULL,
    customer_name  varchar(64) NOT NULL DEFAULT '',
    headimgurl     varchar(256) NOT NULL DEFAULT 'statics/imgs/Avator.jpg',
    cover_picture  jsonb NOT NULL DEFAULT '[]',
    status         smallint NOT NULL DEFAULT 2,     -- 1 已发, 2 未发, 3 删除
    read_count     integer NOT NULL DEFAULT 0,
    up_count       integer NOT NULL DEFAULT 0,
    comment_count  integer NOT NULL DEFAULT 0,
    update_date    timestamptz,
    create_date    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_company_idx ON cases (company_id, status, update_date DESC);
CREATE UNIQUE INDEX cases_published_name_key ON cases (company_id, case_name) WHERE status = 1;

CREATE TABLE case_tag_links (
    case_id  bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    tag_id   bigint NOT NULL REFERENCES case_tags (id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, tag_id)
);
CREATE INDEX case_tag_links_tag_idx ON case_tag_links (tag_id);

CREATE TABLE diaries (
    id               bigserial PRIMARY KEY,
    company_id       bigint NOT NULL REFERENCES companies (id),
    case_id          bigint NOT NULL REFERENCES cases (id),
    user_id          bigint REFERENCES admin_users (id),
    title            varchar(128) NOT NULL,
    summary          varchar(255) NOT NULL DEFAULT '',
    diary_date       timestamptz NOT NULL,
    cover_picture    jsonb NOT NULL DEFAULT '[]',
    content          jsonb NOT NULL DEFAULT '""',
    status           smallint NOT NULL DEFAULT 2,
    cover_show_type  smallint NOT NULL DEFAULT 2,
    read_count       integer NOT NULL DEFAULT 0,
    up_count         integer NOT NULL DEFAULT 0,
    comment_count    integer NOT NULL DEFAULT 0,
    create_date      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diaries_case_idx ON diaries (case_id, status, create_date DESC);
CREATE INDEX diaries_company_idx ON diaries (company_id, status, create_date DESC);

CREATE TABLE diary_comments (
    id                bigserial PRIMARY KEY,
    diary_id          bigint NOT NULL REFERENCES diaries (id) ON DELETE CASCADE,
    from_customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    to_customer_id    bigint REFERENCES customers (id) ON DELETE SET NULL,
    content           text NOT NULL,
    is_audit_pass     smallint NOT NULL DEFAULT 0,
    create_date       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diary_comments_diary_idx ON diary_comments (diary_id, create_date DESC);

CREATE TABLE case_diary_actions (
    id           bigserial PRIMARY KEY,
    case_id      bigint REFERENCES cases (id) ON DELETE CASCADE,
    diary_id     bigint REFERENCES diaries (id) ON DELETE CASCADE,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    action       smallint NOT NULL,               -- 1 点赞, 2 收藏, 3 浏览
    status       smallint NOT NULL DEFAULT 1,
    create_date  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX case_diary_actions_praise_key ON case_diary_actions (customer_id, diary_id) WHERE action = 1;
CREATE UNIQUE INDEX case_diary_actions_collect_key ON case_diary_actions (customer_id, case_id) WHERE action = 2;
CREATE UNIQUE INDEX case_diary_actions_browse_key ON case_diary_actions (customer_id, case_id) WHERE action = 3;
CREATE INDEX case_diary_actions_customer_idx ON case_diary_actions (customer_id, action, create_date DESC);

CREATE TABLE tag_search_history (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    company_id   bigint NOT NULL REFERENCES companies (id),
    tag_id       bigint REFERENCES case_tags (id) ON DELETE SET NULL,
    text         varchar(64) NOT NULL,
    searched_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, company_id, text)
);
