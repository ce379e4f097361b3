//! Command-line interface: `radar [serve] | migrate | admin bootstrap | demo`, each with `--config`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::auth::new_token;
use crate::config::Settings;
use crate::startup::{prepare_database, Application};
use crate::{demo, password, store};

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
        #[arg(long, default_value_t = 100)]
        cards: i16,
        /// Months of service from today.
        #[arg(long, default_value_t = 12)]
        months: i16,
    },
}

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    // Logging follows `[log]`, so it starts once the settings are read (errors before it go to
    // stderr through `main`).
    crate::telemetry::logging::init(&settings.log)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => with_database(&settings, |_| async { Ok(()) }).await,
        Command::Demo => {
            with_database(&settings, |pool| async move {
                let mut client = pool.get().await?;
                let loaded = demo::load(&mut client).await?;
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
            with_database(&settings, |pool| async move {
                let ids = bootstrap(&pool, &company, &username, &password, cards, months).await?;
                println!("{ids}");
                Ok(())
            })
            .await
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
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
    app.run_until_stopped().await
}

fn bind_host(settings: &Settings) -> String {
    settings
        .server
        .bind
        .rsplit_once(':')
        .map(|(h, _)| h.to_owned())
        .unwrap_or_default()
}

/// Migrates the configured (or embedded) database, runs `f` on its URL, stops an embedded cluster.
async fn with_database<F, Fut>(settings: &Settings, f: F) -> anyhow::Result<()>
where
    F: FnOnce(deadpool_postgres::Pool) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut db = prepare_database(settings).await?;
    let result = f(db.pool.clone()).await;
    if let Some(pg) = db.embedded.as_mut() {
        pg.stop().await?;
    }
    result
}

/// Creates a company and its role-1 admin; returns `{"company_id":…,"admin_user_id":…}`.
pub async fn bootstrap(
    pool: &deadpool_postgres::Pool,
    company: &str,
    username: &str,
    pass: &str,
    cards: i16,
    months: i16,
) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(!company.trim().is_empty(), "--company must not be empty");
    anyhow::ensure!(!username.trim().is_empty(), "--username must not be empty");
    anyhow::ensure!(
        pass.len() >= 8,
        "--password must have at least 8 characters"
    );
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let company_id = store::admin::insert_company(&tx, company, cards, months).await?;
    let hash = password::hash(pass)?;
    let admin = store::admin::NewAdmin {
        login_user: username,
        username,
        password_hash: &hash,
        company_id,
        role_id: 1,
        token: &new_token(pass),
    };
    let admin_user_id = store::admin::insert_admin(&tx, &admin).await?;
    tx.commit().await?;
    Ok(serde_json::json!({"company_id": company_id, "admin_user_id": admin_user_id}))
}
