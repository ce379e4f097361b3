//! Demo data: what a newcomer sees on the first start of the embedded default (`sql/demo/demo.sql`,
//! plus real tokens and password hashes made here).

use crate::auth::{md5_hex, new_token, now_ms};
use crate::{password, sql, store};

/// The demo company's name; its presence means the demo is loaded.
pub const COMPANY: &str = "诸葛雷达演示公司";
/// Login name and password of the demo back-office admin and radar users.
pub const ADMIN_LOGIN: &str = "demo-admin";
pub const PASSWORD: &str = "Demo1234";

/// Loads the demo unless it is there already. Returns whether it loaded.
pub async fn load(db: &mut deadpool_postgres::Object) -> anyhow::Result<bool> {
    let exists = db
        .query_opt("SELECT 1 FROM companies WHERE name = $1", &[&COMPANY])
        .await?;
    if exists.is_some() {
        return Ok(false);
    }
    let tx = db.transaction().await?;
    tx.batch_execute(sql!("demo/demo")).await?;
    // The case app's company, cases and diaries (spec §5.7), separate from the card company.
    tx.batch_execute(sql!("demo/demo_cases")).await?;
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
    let admin = store::admin::NewAdmin {
        login_user: ADMIN_LOGIN,
        username: "演示管理员",
        password_hash: &hash,
        company_id: company,
        role_id: 1,
        token: &new_token(PASSWORD),
    };
    store::admin::insert_admin(&tx, &admin).await?;
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
