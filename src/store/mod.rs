//! PostgreSQL access: one module per aggregate, one SQL statement per file under `sql/` (read in
//! with `sql!`), plus the pool (`pool`), migrations (`migrate`, from `sql/migrations`) and the
//! batch writers' own connections (`Dedicated`).
//!
//! Functions take `&impl GenericClient` so they run on a pooled client or inside a transaction,
//! and typed ids (`crate::ids`) where a radar user and a customer go side by side. Storage sits
//! below the cores: it imports neither `chat` nor `http` (the committed message it reads back is
//! `crate::wire::ChatMessage`). Statements that belong to one component run there instead: the
//! chat writer's and reader's batches (`chat::writer`, `chat::reader`), the offline notification
//! checks (`chat::notify`), the token reads (`auth::Tokens`, `wechat::token`), avatar and phone
//! updates (`avatar`, `http::phone`) and the demo data (`demo`).

pub mod action;
pub mod admin_account;
pub mod admin_case;
pub mod admin_case_diary;
pub mod admin_company;
pub mod admin_product;
pub mod admin_radar_user;
pub mod admin_website;
pub mod binding;
pub mod card;
pub mod case;
pub mod chat;
pub mod company;
pub mod customer;
pub mod diary;
pub mod extra;
pub mod json_text;
pub mod login_attempt;
pub mod login_code;
pub mod message;
pub mod poster;
pub mod product;
pub mod radar_user;
pub mod subscribe;
pub mod token;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

/// Includes `sql/<path>.sql` at compile time.
#[macro_export]
macro_rules! sql {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/", $path, ".sql"))
    };
}

/// A page of list rows and the list's total, which every row carries as `total` (a window count;
/// 0 when the page is empty).
pub(crate) fn page<T>(
    rows: &[tokio_postgres::Row],
    row: impl FnMut(&tokio_postgres::Row) -> T,
) -> (Vec<T>, i64) {
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    (rows.iter().map(row).collect(), total)
}

mod embedded_migrations {
    refinery::embed_migrations!("sql/migrations");
}

/// Applies every pending migration of `sql/migrations` (history in `refinery_schema_history`).
/// Several nodes starting at once take turns (an advisory lock): the first applies, the others
/// find nothing pending.
pub async fn migrate(client: &mut deadpool_postgres::Object) -> anyhow::Result<usize> {
    let client: &mut tokio_postgres::Client = client;
    client.batch_execute(sql!("migrate/lock")).await?;
    let report = embedded_migrations::migrations::runner()
        .run_async(client)
        .await;
    // Released even when a migration failed; the session ending would release it too.
    client.batch_execute(sql!("migrate/unlock")).await?;
    Ok(report?.applied_migrations().len())
}

/// The newest migration this binary embeds (`V<n>__…` in `sql/migrations`).
pub fn latest_migration() -> i64 {
    embedded_migrations::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// The newest migration applied to the database. SQL: sql/health/applied_migration.sql.
pub async fn applied_migration(db: &deadpool_postgres::ClientWrapper) -> anyhow::Result<i64> {
    let stmt = db.prepare_cached(sql!("health/applied_migration")).await?;
    Ok(db.query_one(&stmt, &[]).await?.get(0))
}

/// Builds a pool for `url` (a `postgres://` URL or a key=value string). Every connection it opens
/// (the batch writers' own ones too) runs with `TimeZone = 'Asia/Shanghai'`: the business day is
/// Shanghai's whatever the server's default, so `now()::date`, `date_trunc('day', …)` and
/// timestamp arithmetic in SQL agree with `crate::time`.
pub fn pool(url: &str, size: usize) -> anyhow::Result<Pool> {
    let mut pg: tokio_postgres::Config = url.parse()?;
    let options = match pg.get_options() {
        Some(given) => format!("{given} -c TimeZone={}", crate::time::ZONE),
        None => format!("-c TimeZone={}", crate::time::ZONE),
    };
    pg.options(&options);
    let manager = Manager::from_config(
        pg,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager).max_size(size).build()?)
}

/// A connection of its own for a batch writer: opened from the writer's task, so its socket is
/// polled on the writer's thread rather than by whichever HTTP worker happened to open a pooled
/// one, and reopened on the next use after it closes. It does not count against the pool's size.
pub struct Dedicated {
    pool: Pool,
    /// Run once on each newly opened connection (session settings).
    setup: &'static str,
    client: Option<deadpool_postgres::ClientWrapper>,
}

impl Dedicated {
    pub fn new(pool: Pool) -> Dedicated {
        Dedicated::with_setup(pool, "")
    }

    /// Runs `setup` (e.g. `SET synchronous_commit = off`) on each connection it opens.
    pub fn with_setup(pool: Pool, setup: &'static str) -> Dedicated {
        Dedicated {
            pool,
            setup,
            client: None,
        }
    }

    /// The open connection, opening it first when there is none or it closed.
    pub async fn get(&mut self) -> anyhow::Result<&deadpool_postgres::ClientWrapper> {
        use deadpool::managed::Manager as _;
        if self.client.as_ref().is_some_and(|c| c.is_closed()) {
            self.client = None;
        }
        let client = match self.client.take() {
            Some(client) => client,
            None => {
                let client = self.pool.manager().create().await?;
                if !self.setup.is_empty() {
                    client.batch_execute(self.setup).await?;
                }
                client
            }
        };
        Ok(self.client.insert(client))
    }

    /// Drops the connection; the next `get` opens a new one.
    pub fn reset(&mut self) {
        self.client = None;
    }
}
