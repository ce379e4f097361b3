//! Demo data: what a newcomer sees on the first start of the embedded default (`sql/demo/demo.sql`,
//! plus real tokens, password hashes and the service period made here, and the pictures the rows
//! point at, drawn by `statics`).

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::auth::{md5_hex, new_token, now_ms};
use crate::store::admin_account::{self, NewAccount};
use crate::{password, sql, statics, time};

/// The demo company's name; its presence means the demo is loaded.
pub const COMPANY: &str = "诸葛雷达演示公司";
/// The demo case-library company (spec §5.7).
pub const CASE_COMPANY: &str = "美丽人生医美";
/// Login name and password of the demo back-office admin and radar users.
pub const ADMIN_LOGIN: &str = "demo-admin";
pub const PASSWORD: &str = "Demo1234";
/// Login names of the demo radar users (`sql/demo/demo.sql`), for the console.
pub const RADAR_LOGINS: [&str; 2] = ["zhangwei", "lina"];
/// Months of service of the demo companies, from the Shanghai day they are loaded.
const MONTHS: u32 = 12;

/// Every picture the demo rows point at (besides `statics::DEFAULT_AVATARS`); a test keeps this
/// list and `sql/demo` in step.
pub const PICTURES: [&str; 23] = [
    "statics/demo/banner1.jpg",
    "statics/demo/banner2.jpg",
    "statics/demo/zhangwei_avatar.jpg",
    "statics/demo/zhangwei_wall1.jpg",
    "statics/demo/lina_avatar.jpg",
    "statics/demo/product1.jpg",
    "statics/demo/product2.jpg",
    "statics/demo/product3.jpg",
    "statics/demo/case1_cover.jpg",
    "statics/demo/case2_cover.jpg",
    "statics/demo/case3_cover.jpg",
    "statics/demo/case4_cover.jpg",
    "statics/demo/case5_cover.jpg",
    "statics/demo/case_avatar1.jpg",
    "statics/demo/case_avatar2.jpg",
    "statics/demo/case_avatar3.jpg",
    "statics/demo/case_avatar4.jpg",
    "statics/demo/diary1_1.jpg",
    "statics/demo/diary1_2.jpg",
    "statics/demo/diary1_3.jpg",
    "statics/demo/diary2_1.jpg",
    "statics/demo/diary2_2.jpg",
    "statics/demo/diary4_1.jpg",
];

/// Whether the demo is loaded in this database.
pub async fn is_loaded(db: &deadpool_postgres::Object) -> anyhow::Result<bool> {
    let row = db
        .query_opt("SELECT 1 FROM companies WHERE name = $1", &[&COMPANY])
        .await?;
    Ok(row.is_some())
}

/// Draws the demo's pictures under `data_dir` that are missing, if the demo is loaded.
pub async fn ensure_pictures(
    db: &deadpool_postgres::Object,
    data_dir: &Path,
) -> anyhow::Result<()> {
    if is_loaded(db).await? {
        let written = statics::ensure(data_dir, &PICTURES).await?;
        if written > 0 {
            tracing::info!(written, dir = %data_dir.display(), "demo pictures drawn");
        }
    }
    Ok(())
}

/// Loads the demo unless it is there already. Returns whether it loaded.
pub async fn load(db: &mut deadpool_postgres::Object) -> anyhow::Result<bool> {
    load_at(db, Utc::now()).await
}

/// [`load`] as if it were `now` (the demo companies' service starts on its Shanghai day).
pub async fn load_at(
    db: &mut deadpool_postgres::Object,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    if is_loaded(db).await? {
        return Ok(false);
    }
    let (start, end) = time::service_period(now, MONTHS)
        .ok_or_else(|| anyhow::anyhow!("no service period from {now}"))?;
    let tx = db.transaction().await?;
    tx.batch_execute(sql!("demo/demo")).await?;
    // The case app's company, cases and diaries (spec §5.7), separate from the card company.
    tx.batch_execute(sql!("demo/demo_cases")).await?;
    tx.execute(
        sql!("demo/service_period"),
        &[&vec![COMPANY, CASE_COMPANY], &start, &end],
    )
    .await?;
    let hash = password::hash(PASSWORD)?;
    for row in tx
        .query(
            "SELECT id FROM radar_users WHERE token LIKE 'pending-%'",
            &[],
        )
        .await?
    {
        let id: i64 = row.get(0);
        tx.execute(
            "UPDATE radar_users SET token = $2, password = $3 WHERE id = $1",
            &[&id, &new_token(PASSWORD), &hash],
        )
        .await?;
    }
    tx.execute(
        "UPDATE customers SET token = $1 WHERE token = 'pending-c'",
        &[&new_token("demo-customer-openid")],
    )
    .await?;
    tx.execute(
        "UPDATE customers SET token = $1 WHERE token = 'pending-case'",
        &[&new_token("demo-case-customer-openid")],
    )
    .await?;
    let company: i64 = tx
        .query_one("SELECT id FROM companies WHERE name = $1", &[&COMPANY])
        .await?
        .get(0);
    let admin = NewAccount {
        login_user: ADMIN_LOGIN,
        username: "演示管理员",
        password_hash: &hash,
        company_id: company,
        role_id: 1,
        token: &new_token(PASSWORD),
        position: None,
    };
    admin_account::insert(&tx, &admin).await?;
    tx.commit().await?;
    Ok(true)
}

/// A ready-to-paste signed card request for the demo customer, if the demo is loaded.
pub async fn example_request(
    db: &deadpool_postgres::Object,
    base: &str,
) -> anyhow::Result<Option<String>> {
    let row = db
        .query_opt(
            "SELECT c.id, c.token, u.id FROM customers c JOIN radar_users u ON u.company_id = c.company_id
             WHERE c.openid = 'demo-customer-openid' ORDER BY u.id LIMIT 1",
            &[],
        )
        .await?;
    Ok(row.map(|r| {
        let (cid, token, uid): (i64, String, i64) = (r.get(0), r.get(1), r.get(2));
        let ts = now_ms().to_string();
        let rand = md5_hex(&format!("{ts}{token}"));
        format!("curl '{base}/zhugeleida/xiaochengxu/mingpian?uid={uid}&user_id={cid}&timestamp={ts}&rand_str={rand}'")
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

    #[test]
    fn every_picture_the_demo_rows_point_at_is_drawn() {
        let sql = [sql!("demo/demo"), sql!("demo/demo_cases")].concat();
        let mut referenced: Vec<&str> = sql
            .match_indices("statics/")
            .map(|(at, _)| {
                let rest = &sql[at..];
                let end = rest.find(['"', '\'', ' ']).unwrap_or(rest.len());
                &rest[..end]
            })
            .filter(|p| !statics::DEFAULT_AVATARS.contains(p))
            .collect();
        referenced.sort_unstable();
        referenced.dedup();
        let mut listed = PICTURES.to_vec();
        listed.sort_unstable();

        assert_eq!(referenced, listed);
    }
}
