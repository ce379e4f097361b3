//! Command-line interface: `radar [serve] | migrate | admin bootstrap | demo`, each with `--config`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::auth::new_token;
use crate::config::{Settings, Switch};
use crate::embedded::EmbeddedPostgres;
use crate::startup::{prepare_database, Application};
use crate::store::admin_account::{self, NewAccount};
use crate::store::admin_company::{self, CompanyForm};
use crate::{demo, password, time};

/// Radar: backend of the 诸葛雷达 WeChat mini-program business-card CRM.
#[derive(Debug, Parser)]
#[command(name = "radar", version)]
pub struct Cli {
    /// Configuration file (default: ./config.toml if present, else built-in defaults).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default). With an empty database.url it starts its own PostgreSQL.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Back-office administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Load the demo data into the configured database.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a company and its first super-admin (role 1); prints their ids as JSON.
    Bootstrap {
        /// Company name.
        #[arg(long)]
        company: String,
        /// Admin login name.
        #[arg(long)]
        username: String,
        /// Admin password.
        #[arg(long)]
        password: String,
        /// Card quota of the company.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i16).range(0..))]
        cards: i16,
        /// Months of service from today (the Shanghai day).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(i16).range(1..=1200))]
        months: i16,
    },
}

/// Runs one command. `serve` answers the embedded cluster it used, if any, still running: the
/// caller stops it with `startup::stop_embedded` once this runtime has ended.
pub async fn run(cli: Cli) -> anyhow::Result<Option<EmbeddedPostgres>> {
    let settings = Settings::load(cli.config.as_deref())?;
    // Logging follows `[log]`, so it starts once the settings are read (errors before it go to
    // stderr through `main`).
    crate::telemetry::logging::init(&settings.log)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => with_database(&settings, |_| async { Ok(()) }).await,
        Command::Demo => {
            let data_dir = settings.storage.data_dir.clone();
            with_database(&settings, |pool| async move {
                let mut client = pool.get().await?;
                let loaded = demo::load(&mut client).await?;
                demo::ensure_pictures(&client, &data_dir).await?;
                tracing::info!(loaded, "demo data");
                Ok(())
            })
            .await
        }
        Command::Admin {
            command:
                AdminCommand::Bootstrap {
                    company,
                    username,
                    password,
                    cards,
                    months,
                },
        } => {
            let b = Bootstrap {
                company: &company,
                username: &username,
                password: &password,
                cards,
                months,
            };
            with_database(&settings, |pool| async move {
                let ids = bootstrap(&pool, &b, Utc::now()).await?;
                println!("{ids}");
                Ok(())
            })
            .await
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<Option<EmbeddedPostgres>> {
    let app = Application::build(settings.clone()).await?;
    tracing::info!(
        "Radar listening on http://{}:{}",
        bind_host(&settings),
        app.port()
    );
    if let Some(example) = &app.example_request {
        tracing::info!(
            "try a signed request for the demo customer (valid 15 minutes):\n  {example}"
        );
    }
    log_console(&settings, app.port(), app.example_request.is_some());
    app.run_until_stopped().await
}

/// Where the console (and the simulator, when on) is, and the demo login when the demo is loaded.
fn log_console(settings: &Settings, port: u16, demo_loaded: bool) {
    let base = format!("http://{}:{port}", bind_host(settings));
    if demo_loaded {
        tracing::info!(
            "radar console: {base}/console/ (demo login: {} / {}, or {} / {})",
            demo::RADAR_LOGINS[0],
            demo::PASSWORD,
            demo::RADAR_LOGINS[1],
            demo::PASSWORD
        );
    } else {
        tracing::info!("radar console: {base}/console/");
    }
    if settings.console.simulator == Switch::On {
        tracing::info!("customer simulator: {base}/console/simulator");
    }
}

fn bind_host(settings: &Settings) -> String {
    settings
        .server
        .bind
        .rsplit_once(':')
        .map(|(h, _)| h.to_owned())
        .unwrap_or_default()
}

/// Migrates the configured (or embedded) database and runs `f` on its pool. An embedded cluster
/// this command had to start is stopped again; one that `serve` (or any other Radar process) is
/// using is left running.
async fn with_database<F, Fut>(
    settings: &Settings,
    f: F,
) -> anyhow::Result<Option<EmbeddedPostgres>>
where
    F: FnOnce(deadpool_postgres::Pool) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut db = prepare_database(settings).await?;
    let result = f(db.pool.clone()).await;
    db.pool.close();
    if let Some(pg) = db.embedded.as_mut() {
        pg.stop().await?;
    }
    // Stopped here already: a one-off command's connections are all in the pool just closed.
    result.map(|()| None)
}

/// A new company and its first super-admin (`radar admin bootstrap`).
#[derive(Debug, Clone)]
pub struct Bootstrap<'a> {
    pub company: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub cards: i16,
    pub months: i16,
}

/// Creates the company (service from the Shanghai day of `now`) and its role-1 admin; returns
/// `{"company_id":…,"admin_user_id":…}`.
pub async fn bootstrap(
    pool: &deadpool_postgres::Pool,
    b: &Bootstrap<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<serde_json::Value> {
    let (company, username) = (b.company.trim(), b.username.trim());
    anyhow::ensure!(!company.is_empty(), "--company must not be empty");
    anyhow::ensure!(!username.is_empty(), "--username must not be empty");
    anyhow::ensure!(
        b.password.chars().count() >= 8,
        "--password must have at least 8 characters"
    );
    let months = u32::try_from(b.months).ok().filter(|m| *m >= 1);
    let (start, end) = months
        .and_then(|m| time::service_period(now, m))
        .ok_or_else(|| anyhow::anyhow!("--months must be between 1 and 1200"))?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    if admin_company::name_taken(&tx, company, None).await? {
        anyhow::bail!("a company named {company:?} exists already");
    }
    if admin_account::login_taken(&tx, username).await? {
        anyhow::bail!("the admin login {username:?} is taken");
    }
    let form = CompanyForm {
        name: company.to_owned(),
        charging_start_time: start,
        open_length_time: b.months,
        account_expired_time: end,
        mingpian_available_num: b.cards,
        product_function_type: 1,
        remarks: None,
        xcx_qr_code: None,
        admin_is_hidden: None,
    };
    let company_id = admin_company::insert(&tx, &form).await?;
    let hash = password::hash(b.password)?;
    let admin = NewAccount {
        login_user: username,
        username,
        password_hash: &hash,
        company_id,
        role_id: 1,
        token: &new_token(b.password),
        position: None,
    };
    let admin_user_id = admin_account::insert(&tx, &admin).await?;
    tx.commit().await?;
    Ok(serde_json::json!({"company_id": company_id, "admin_user_id": admin_user_id}))
}
