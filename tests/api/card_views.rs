//! Group commit of card views (src/card_views.rs, sql/card/view_batch.sql): a batch answers every
//! view as if the views had run one after another.

use std::collections::BTreeSet;

use crate::helpers::spawn_app;
use radar::store::card::view_batch;

const CARD: &str = "/zhugeleida/xiaochengxu/mingpian";

#[actix_web::test]
async fn one_batch_counts_numbers_and_answers_each_view_in_order() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let other_company = app.seed_company("乙公司").await;
    let zhang = app.seed_radar_user(company, "张三").await;
    let li = app.seed_radar_user(company, "李四").await;
    let stranger = app.seed_radar_user(other_company, "王五").await;
    let a = app.seed_customer(company, Some("客户A")).await;
    let anonymous = app.seed_customer(company, None).await;
    app.seed_binding(zhang.id, a.id).await;
    let views = [
        (zhang.id, a.id),
        (li.id, a.id),
        (stranger.id, a.id), // another company's card: no row, nothing counted
        (zhang.id, anonymous.id), // counted, not logged
        (zhang.id, a.id),
        (999_999, a.id), // unknown radar user
        (zhang.id, a.id),
    ];
    let db = app.client().await;
    let cards = view_batch(&db, &views).await.expect("batch");

    let positions: Vec<usize> = cards.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        positions.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([0, 1, 3, 4, 6])
    );
    let card = |p: usize| &cards.iter().find(|(q, _)| *q == p).unwrap().1;
    // Popularity as each viewer would have seen it one after another.
    assert_eq!(
        [0, 3, 4, 6].map(|p| card(p).popularity),
        [1, 2, 3, 4],
        "张三's views in input order"
    );
    assert_eq!(card(1).popularity, 1);
    assert_eq!(card(0).logged_for.as_deref(), Some("客户A"));
    assert_eq!(card(3).logged_for, None);
    assert_eq!(card(0).remark, "首次查看您的名片,沟通从此刻开始");
    assert_eq!(card(4).remark, "查看您的名片第1次,把握深度交流的机会");
    assert_eq!(card(6).remark, "查看您的名片第2次,建议标注重点客户");
    assert_eq!(card(1).remark, "首次查看您的名片,沟通从此刻开始");
    drop(db);

    let stored = |sql: &'static str, id: i64| {
        let app = &app;
        async move { app.scalar(sql, &[&id]).await }
    };
    let pop = "SELECT popularity::bigint FROM radar_users WHERE id = $1";
    assert_eq!(stored(pop, zhang.id).await, 4);
    assert_eq!(stored(pop, li.id).await, 1);
    assert_eq!(stored(pop, stranger.id).await, 0);
    let logs = "SELECT count(*) FROM action_logs WHERE user_id = $1 AND action = 1";
    assert_eq!(stored(logs, zhang.id).await, 3);
    assert_eq!(stored(logs, li.id).await, 1);
    let touched = "SELECT count(*) FROM customer_bindings WHERE customer_id = $1 \
                   AND last_activity_time IS NOT NULL AND last_activity_time > create_date";
    assert_eq!(stored(touched, a.id).await, 1);
}

#[actix_web::test]
async fn concurrent_views_each_see_their_own_popularity_and_remark() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customers = futures_util::future::join_all((0..4).map(|i| {
        let app = &app;
        async move { app.seed_customer(company, Some(&format!("客户{i}"))).await }
    }))
    .await;
    let q = format!("uid={}", radar.id);
    let views = (0..40).map(|i| app.get_signed(CARD, &customers[i % 4], &q));
    let answers = futures_util::future::join_all(views).await;
    let popularity: BTreeSet<i64> = answers
        .iter()
        .map(|a| a["data"]["ret_data"]["popularity_num"].as_i64().unwrap())
        .collect();
    assert_eq!(
        popularity,
        (1..=40).collect(),
        "every view saw its own count"
    );
    // Each customer's ten views are numbered 0..9 without gaps or repeats.
    let db = app.client().await;
    for c in &customers {
        let remarks: Vec<String> = db
            .query(
                "SELECT remark FROM action_logs WHERE customer_id = $1 ORDER BY id",
                &[&c.id],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(remarks.len(), 10);
        assert_eq!(remarks[0], "首次查看您的名片,沟通从此刻开始");
        assert_eq!(remarks[9], "查看您的名片第9次,成交在望");
        assert_eq!(remarks.iter().collect::<BTreeSet<_>>().len(), 10);
    }
}
