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
    /// HS256 secret for tokens (≥ 32 bytes); prefer the environment variable to the flag.
    #[arg(long, global = true, env = "LGSP_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// RS256/ES256 public key (PEM) that verifies tokens.
    #[arg(long, global = true, env = "LGSP_JWT_PUBLIC_KEY_FILE")]
    jwt_public_key_file: Option<PathBuf>,
    /// The matching private key (PEM), for `token`.
    #[arg(long, global = true, env = "LGSP_JWT_PRIVATE_KEY_FILE")]
    jwt_private_key_file: Option<PathBuf>,
    /// Expected `iss` of tokens [default: lgsp-hub].
    #[arg(long, global = true, env = "LGSP_JWT_ISSUER")]
    jwt_issuer: Option<String>,
    /// Expected `aud` of tokens [default: lgsp-hub].
    #[arg(long, global = true, env = "LGSP_JWT_AUDIENCE")]
    jwt_audience: Option<String>,
    /// Production mode: a missing token key is an error instead of a generated development secret.
    #[arg(long, global = true, env = "LGSP_PRODUCTION")]
    production: Option<bool>,
    /// Where the hub keeps its own files (the development secret) [default: data].
    #[arg(long, global = true, env = "LGSP_DATA_DIR")]
    data_dir: Option<PathBuf>,
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
    /// Mint a token with the configured key and print it alone on stdout.
    Token {
        /// The `sub` claim: who the token is for.
        #[arg(long)]
        subject: String,
        /// The caller's agency code (QĐ 20/2020/QĐ-TTg), e.g. 000.00.00.H48.
        #[arg(long)]
        agency: String,
        /// Space- or comma-separated scopes, e.g. "catalog:read systems:write".
        #[arg(long, default_value = "")]
        scopes: String,
        /// Province code claim (optional).
        #[arg(long)]
        province: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
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
        jwt_secret: cli.jwt_secret.clone(),
        jwt_public_key_file: cli.jwt_public_key_file.clone(),
        jwt_private_key_file: cli.jwt_private_key_file.clone(),
        jwt_issuer: cli.jwt_issuer.clone(),
        jwt_audience: cli.jwt_audience.clone(),
        production: cli.production,
        data_dir: cli.data_dir.clone(),
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
        Some(Command::Token {
            subject,
            agency,
            scopes,
            province,
            ttl,
        }) => {
            let agency = lgsp_hub::codes::AgencyCode::parse("agency", &agency)
                .map_err(|_| "--agency must be an agency code like 000.00.00.H48".to_owned())?;
            let scopes: Vec<String> = scopes
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let auth = lgsp_hub::app::authenticator(&config).map_err(|e| e.to_string())?;
            let token = auth
                .mint(&subject, &agency, &scopes, province, ttl)
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
    }
}
