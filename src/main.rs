//! The `lgsp-hub` command: parse the command line, load the configuration, start tracing, call the library.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use lgsp_hub::{
    app::{shutdown_signal, App},
    config::{Config, Overrides},
    db, graphql, seed,
};
use tracing_subscriber::EnvFilter;

/// Open provincial integration and data-sharing platform (LGSP) with a GraphQL API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file (flags and LGSP_* variables override it; unknown keys are errors).
    #[arg(long, global = true, env = "LGSP_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL [default: sqlite://data/lgsp-hub.sqlite?mode=rwc]; PostgreSQL: postgres://user@host/db.
    #[arg(long, global = true, env = "LGSP_DATABASE_URL")]
    database_url: Option<String>,
    /// Size of the database connection pool [default: 2 × CPU cores].
    #[arg(long, global = true, env = "LGSP_DB_MAX_CONNECTIONS")]
    db_max_connections: Option<u32>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "LGSP_LISTEN")]
    listen: Option<String>,
    /// Largest page a connection serves [default: 100].
    #[arg(long, global = true, env = "LGSP_MAX_PAGE_SIZE")]
    max_page_size: Option<usize>,
    /// Largest request body in bytes [default: 1048576].
    #[arg(long, global = true, env = "LGSP_BODY_LIMIT_BYTES")]
    body_limit_bytes: Option<usize>,
    /// How long (ms) totalCounts and reference rows are cached; 0 turns the cache off [default: 1000].
    #[arg(long, global = true, env = "LGSP_CACHE_TTL_MS")]
    cache_ttl_ms: Option<u64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API (the default). Migrates and seeds an empty database first.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Seed an empty database from the plans; optionally add synthetic information systems (for benchmarks).
    Seed {
        /// Add this many synthetic information systems (codes start with `syn-`).
        #[arg(long, default_value_t = 0)]
        synthetic_systems: u64,
        /// PRNG seed of the synthetic data.
        #[arg(long, default_value_t = 1)]
        synthetic_seed: u64,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

/// mimalloc: the request path allocates many small, short-lived objects, and glibc's allocator spent a third of the
/// CPU of the nested-query benchmark (see bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("LGSP_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::load(Overrides {
        config_file: cli.config.clone(),
        listen: cli.listen.clone(),
        database_url: cli.database_url.clone(),
        max_page_size: cli.max_page_size,
        body_limit_bytes: cli.body_limit_bytes,
        db_max_connections: cli.db_max_connections,
        cache_ttl_ms: cli.cache_ttl_ms,
    })
    .map_err(|e| e.to_string())?;

    match cli.command {
        None | Some(Command::Serve) => {
            tracing::info!(database = %config.database_url_redacted(), "starting lgsp-hub");
            let app = App::build(&config).await.map_err(|e| e.to_string())?;
            let addr = app.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(%addr, "listening: GraphiQL at http://{addr}/, GraphQL at http://{addr}/graphql");
            app.run(shutdown_signal()).await.map_err(|e| e.to_string())
        }
        Some(Command::Migrate) => {
            let (conn, _) = db::connect(&config.database_url, 2)
                .await
                .map_err(|e| e.to_string())?;
            db::migrate(&conn).await.map_err(|e| e.to_string())?;
            tracing::info!(database = %config.database_url_redacted(), "migrations applied");
            Ok(())
        }
        Some(Command::Seed {
            synthetic_systems,
            synthetic_seed,
        }) => {
            let (conn, _) = db::connect(&config.database_url, 2)
                .await
                .map_err(|e| e.to_string())?;
            db::migrate(&conn).await.map_err(|e| e.to_string())?;
            let seeded = seed::seed_if_empty(&conn)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(seeded, "seed data in place");
            if synthetic_systems > 0 {
                let n = seed::synthetic::generate_systems(&conn, synthetic_systems, synthetic_seed)
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(inserted = n, "synthetic information systems added");
            }
            Ok(())
        }
        Some(Command::Schema) => {
            print!("{}", graphql::sdl());
            Ok(())
        }
    }
}
