//! The two SQL functions that store chat batches (sql/migrations/V15 `chat_insert_batch`,
//! set-based, for large batches; V18 `chat_insert_rows`, row by row, for small ones): they must
//! answer and store alike, and a replay must store nothing twice.

use serde_json::json;
use tokio_postgres::types::ToSql;

use crate::chat::pair;
use crate::helpers::{spawn_app, Principal, TestApp};

/// One row of a batch: sender side (1 radar, 2 customer), text, client_msg_id, quote the article.
type Row = (i16, &'static str, Option<&'static str>, bool);

/// What a call answers per row (ord, seq, inserted, customer badge, customer read seq): everything
/// but the ids, which differ between pairs.
type Answer = (i64, i64, bool, i64, i64);

/// `n` fresh message ids, as the writer reserves them.
async fn reserve_ids(db: &deadpool_postgres::Object, n: usize) -> Vec<i64> {
    db.query(
        "SELECT nextval('chat_messages_id_seq') FROM generate_series(1, $1)",
        &[&(n as i32)],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

async fn call(
    app: &TestApp,
    function: &str,
    radar: &Principal,
    customer: &Principal,
    rows: &[Row],
) -> Vec<Answer> {
    let db = app.client().await;
    let ids = reserve_ids(&db, rows.len()).await;
    let users = vec![radar.id; rows.len()];
    let customers = vec![customer.id; rows.len()];
    let sides: Vec<i16> = rows.iter().map(|r| r.0).collect();
    let contents: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| json!({"info_type": 1, "msg": r.1}))
        .collect();
    let unread_for_customer: Vec<bool> = rows.iter().map(|r| r.0 == 1).collect();
    let unread_for_radar: Vec<bool> = rows.iter().map(|r| r.0 == 2).collect();
    let cmids: Vec<Option<&str>> = rows.iter().map(|r| r.2).collect();
    let quotes: Vec<bool> = rows.iter().map(|r| r.3).collect();
    let counters: Vec<i32> = rows.iter().map(|r| if r.0 == 2 { 1 } else { 2 }).collect();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![
        &ids,
        &users,
        &customers,
        &sides,
        &contents,
        &unread_for_customer,
        &unread_for_radar,
        &cmids,
        &quotes,
        &counters,
    ];
    let replay = false;
    let args = if function == "chat_insert_rows" {
        params.push(&replay);
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11"
    } else {
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10"
    };
    let sql = format!(
        "SELECT ord, seq, inserted, customer_badge, customer_read_seq FROM {function}({args}) \
         ORDER BY ord"
    );
    db.query(&sql, &params)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

/// The pair's stored state: its messages (seq, side, text, client_msg_id, article, unread flags),
/// its conversation (seq, both unread counters) and its binding's legacy counters.
async fn stored(app: &TestApp, radar: &Principal, customer: &Principal) -> String {
    let db = app.client().await;
    let messages: Vec<String> = db
        .query(
            "SELECT seq, send_type, content->>'msg', client_msg_id, article_id, \
                    sent_unread_to_customer, sent_unread_to_user \
             FROM chat_messages WHERE user_id = $1 AND customer_id = $2 ORDER BY seq",
            &[&radar.id, &customer.id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{:?}",
                (
                    r.get::<_, i64>(0),
                    r.get::<_, i16>(1),
                    r.get::<_, String>(2),
                    r.get::<_, Option<String>>(3),
                    r.get::<_, Option<i64>>(4),
                    r.get::<_, bool>(5),
                    r.get::<_, bool>(6),
                )
            )
        })
        .collect();
    let pair = db
        .query_one(
            "SELECT cv.seq, cv.customer_unread::bigint, cv.user_unread::bigint, \
                    b.is_customer_msg_num, b.is_user_msg_num, \
                    b.last_activity_time IS NOT NULL, b.last_follow_time IS NOT NULL \
             FROM conversations cv \
             JOIN customer_bindings b USING (user_id, customer_id) \
             WHERE cv.user_id = $1 AND cv.customer_id = $2",
            &[&radar.id, &customer.id],
        )
        .await
        .unwrap();
    let pair = (
        pair.get::<_, i64>(0),
        pair.get::<_, i64>(1),
        pair.get::<_, i64>(2),
        pair.get::<_, i32>(3),
        pair.get::<_, i32>(4),
        pair.get::<_, bool>(5),
        pair.get::<_, bool>(6),
    );
    format!("{messages:#?}\n{pair:?}")
}

#[actix_web::test]
async fn both_insert_functions_answer_and_store_a_batch_alike() {
    let app = spawn_app().await;
    // Two pairs of one company (`chat::pair` makes a company of a fixed name each time).
    let company = app.seed_company("甲公司").await;
    let mut pairs = Vec::new();
    for n in 0..2 {
        let radar = app.seed_radar_user(company, &format!("销售{n}")).await;
        let customer = app.seed_customer(company, Some("客户")).await;
        app.seed_binding(radar.id, customer.id).await;
        pairs.push((radar, customer));
    }
    // The first batch creates the conversation; the second has a resend of the first batch's
    // row, a client_msg_id repeated inside the batch, rows without one, both directions and a
    // reply that quotes the customer's article (none here: it stays null).
    let first: &[Row] = &[
        (2, "在吗", Some("c-1"), false),
        (1, "在的", Some("r-1"), false),
    ];
    let second: &[Row] = &[
        (1, "重发", Some("r-1"), false),
        (1, "价格", Some("r-2"), false),
        (2, "多少钱", None, false),
        (1, "价格(重复)", Some("r-2"), false),
        (1, "回复", None, true),
        (2, "好的", Some("c-2"), false),
    ];
    let mut answers = Vec::new();
    for (function, (radar, customer)) in
        ["chat_insert_batch", "chat_insert_rows"].iter().zip(&pairs)
    {
        let a = call(&app, function, radar, customer, first).await;
        let b = call(&app, function, radar, customer, second).await;
        answers.push((a, b, stored(&app, radar, customer).await));
    }
    assert_eq!(answers[0], answers[1]);
    let (_, second_answer, _) = &answers[0];
    assert_eq!(
        second_answer.iter().map(|a| (a.1, a.2)).collect::<Vec<_>>(),
        vec![
            (2, false),
            (3, true),
            (4, true),
            (3, false),
            (5, true),
            (6, true)
        ],
        "seq and inserted per row: the resend and the repeat answer the stored rows"
    );
}

/// The writer calls again with the same ids when the connection died around COMMIT; only such a
/// replay looks the ids up in `chat_insert_rows` (a first call's ids were just reserved). Rows
/// without a client_msg_id are found by id alone.
#[actix_web::test]
async fn a_replayed_small_batch_answers_the_rows_it_stored_and_stores_nothing_twice() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let db = app.client().await;
    let ids = reserve_ids(&db, 2).await;
    let call = |replay: bool| {
        let (db, ids) = (&db, ids.clone());
        async move {
            db.query(
                "SELECT ord, id, seq, inserted FROM chat_insert_rows($1::bigint[], \
                 ARRAY[$2::bigint, $2], ARRAY[$3::bigint, $3], ARRAY[1, 1]::smallint[], \
                 ARRAY['{\"info_type\":1,\"msg\":\"a\"}', '{\"info_type\":1,\"msg\":\"b\"}']::jsonb[], \
                 ARRAY[true, true], ARRAY[false, false], ARRAY[NULL, NULL]::varchar[], \
                 ARRAY[false, false], ARRAY[2, 2], $4::bool) ORDER BY ord",
                &[&ids, &radar.id, &customer.id, &replay],
            )
            .await
            .map(|rows| {
                rows.iter()
                    .map(|r| (r.get::<_, i64>(1), r.get::<_, i64>(2), r.get::<_, bool>(3)))
                    .collect::<Vec<_>>()
            })
        }
    };
    let first = call(false).await.unwrap();
    assert_eq!(first, vec![(ids[0], 1, true), (ids[1], 2, true)]);
    let replayed = call(true).await.unwrap();
    assert_eq!(replayed, vec![(ids[0], 1, false), (ids[1], 2, false)]);
    // Without the replay flag the same ids are a key violation, never a second copy.
    let err = call(false).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    );
    let pair: [&(dyn ToSql + Sync); 2] = [&radar.id, &customer.id];
    let sql = "SELECT count(*) FROM chat_messages WHERE user_id = $1 AND customer_id = $2";
    assert_eq!(app.scalar(sql, &pair).await, 2);
    let sql = "SELECT seq FROM conversations WHERE user_id = $1 AND customer_id = $2";
    assert_eq!(
        app.scalar(sql, &pair).await,
        2,
        "the replay did not move the conversation"
    );
}
