//! The per-node cache of unfiltered M27 pages (`cache.case_list_ms`): every customer of a company
//! gets the same page, a change shows once the period is over, and filtered lists (which count
//! searches and record footprints) are never served from it.

use std::time::Duration;

use crate::case::{seed_case, seed_tag, CASES};
use crate::helpers::{spawn_with, test_settings};

#[actix_web::test]
async fn an_unfiltered_page_is_reused_for_the_period_and_then_shows_changes() {
    let wechat = wiremock::MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.cache.case_list_ms = 2_000;
    let app = spawn_with(settings, wechat).await;
    let company = app.seed_company("美丽人生").await;
    let other_company = app.seed_company("别家医美").await;
    let a = app.seed_customer(company, Some("小红")).await;
    let b = app.seed_customer(company, Some("小明")).await;
    let stranger = app.seed_customer(other_company, Some("路人")).await;
    let tag = seed_tag(&app, company, "双眼皮").await;
    seed_case(&app, company, "一号", 1, "", &[tag]).await;
    let q = format!("company_id={company}");

    let first = app.get_signed(CASES, &a, &q).await;
    assert_eq!(first["data"]["data_count"], 1);
    seed_case(&app, company, "二号", 1, "", &[]).await;
    // Within the period: the same page, for another customer of the company too.
    assert_eq!(app.get_signed(CASES, &b, &q).await, first);
    // Another company's customer is refused as before, never handed the cached page.
    let foreign = app.get_signed(CASES, &stranger, &q).await;
    assert_eq!(foreign["code"], 404);
    // A filtered list is read fresh and counts the search each time.
    let by_tag = format!("{q}&search_tag_id={tag}");
    for _ in 0..2 {
        let tagged = app.get_signed(CASES, &a, &by_tag).await;
        assert_eq!(tagged["data"]["data_count"], 1);
    }
    assert_eq!(
        app.scalar(
            "SELECT search_amount::bigint FROM case_tags WHERE id = $1",
            &[&tag]
        )
        .await,
        2
    );

    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let later = app.get_signed(CASES, &b, &q).await;
    assert_eq!(
        later["data"]["data_count"], 2,
        "the new case shows after the period"
    );
}
