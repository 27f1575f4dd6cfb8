//! The `lgsp-hub` command: parse the command line, load the configuration, start tracing, call the library.

// Computing the layout of the schema's nested resolver futures (inlined across crates by the release build's LTO)
// goes deeper than the default limit of 128.
#![recursion_limit = "256"]

use std::{
    io::IsTerminal,
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use clap::{Parser, Subcommand};
use lgsp_hub::{
    access_log::verify::Verdict,
    app::{shutdown_signal, App},
    config::{Config, Overrides, Settings},
    db, graphql, seed,
    telemetry::{
        logs::{self, LogFormat},
        metrics::SqlMetrics,
        traces,
    },
};

/// Open provincial integration and data-sharing platform (LGSP) with a GraphQL API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file (flags and LGSP_* variables override it; unknown keys are errors).
    #[arg(long, global = true, env = "LGSP_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: Settings,
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
    /// The personal-data access log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Test the connection to every configured national database: token fetch, then an authenticated probe.
    /// Exits with failure if one fails.
    CheckUpstreams,
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

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the access log's hash chain: finds edited, deleted, inserted or reordered entries. Needs the access-log
    /// key the hub writes with. Exits with failure when the chain is broken.
    Verify,
}

/// mimalloc: the request path allocates many small, short-lived objects, and glibc's allocator spent a third of the
/// CPU of the nested-query benchmark (see bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The configuration says how to log, so it is read before anything is logged; an error reading it is then logged
    // as text.
    let config = Config::load(Overrides {
        config_file: cli.config.clone(),
        settings: cli.settings.clone(),
    })
    .map_err(|e| e.to_string());
    // Traces only for the server: the offline commands' spans are of no use to a collector. Dropped at the end of
    // `main`, which flushes the spans still batched.
    let serving = matches!(cli.command, None | Some(Command::Serve));
    let traces = match &config {
        Ok(c) if serving => c
            .otlp_endpoint
            .as_deref()
            .map(|endpoint| traces::Exporter::new(endpoint, "lgsp-hub", &instance(c))),
        _ => None,
    }
    .transpose();
    let (traces, traces_error) = match traces {
        Ok(t) => (t, None),
        Err(e) => (None, Some(e)),
    };
    logs::init(
        config.as_ref().map_or(LogFormat::Text, |c| c.log_format),
        traces.as_ref(),
    );
    let config = match traces_error {
        Some(e) => Err(e),
        None => config,
    };
    let code = match async { run(cli.command, config?).await }.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    };
    // The spans of the last requests are exported before the process exits.
    drop(traces);
    code
}

/// This process among the replicas, for its spans: the host's name (a container's is its own) and the port it
/// listens on.
fn instance(config: &Config) -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| config.listen.ip().to_string());
    format!("{host}:{}", config.listen.port())
}

/// Tests every configured upstream and prints one line per step.
async fn check_upstreams(config: &Config) -> Result<(), String> {
    let (upstreams, _mocks) = lgsp_hub::app::upstreams(config)
        .await
        .map_err(|e| e.to_string())?;
    if upstreams.is_empty() {
        return Err("no upstream configured: set upstreams_url or [upstream.<name>] tables".into());
    }
    let http = reqwest::Client::new();
    let caller = lgsp_hub::upstream::Caller {
        agency: "lgsp-hub".into(),
        subject: "check-upstreams".into(),
        ..Default::default()
    };
    let mut failed = 0;
    for settings in upstreams {
        let upstream = lgsp_hub::upstream::Upstream::new(
            settings,
            http.clone(),
            lgsp_hub::telemetry::metrics::UpstreamMetrics::noop(),
        );
        let report = lgsp_hub::federation::connection::test(&upstream, &caller).await;
        for step in &report.steps {
            let outcome = match &step.error {
                None => "ok".to_owned(),
                Some((message, code)) => format!("FAILED {code}: {message}"),
            };
            println!(
                "{:<14} {:<6} {:>9.1} ms  {outcome}",
                report.upstream, step.step, step.ms
            );
        }
        failed += usize::from(!report.ok);
    }
    if failed > 0 {
        return Err(format!("{failed} upstream(s) failed the connection test"));
    }
    Ok(())
}

async fn run(command: Option<Command>, config: Config) -> Result<(), String> {
    match command {
        None | Some(Command::Serve) => {
            tracing::info!(database = %config.database_url_redacted(), "starting lgsp-hub");
            let app = App::build(&config).await.map_err(|e| e.to_string())?;
            let addr = app.local_addr().map_err(|e| e.to_string())?;
            // Before the line below: whoever reads it may send SIGTERM at once.
            let shutdown = shutdown_signal();
            tracing::info!(%addr, "listening: GraphiQL at http://{addr}/, GraphQL at http://{addr}/graphql");
            app.run(shutdown).await.map_err(|e| e.to_string())
        }
        Some(Command::Migrate) => {
            migrated_connection(&config).await?;
            tracing::info!(database = %config.database_url_redacted(), "migrations applied");
            Ok(())
        }
        Some(Command::Seed {
            synthetic_systems,
            synthetic_seed,
        }) => {
            let conn = migrated_connection(&config).await?;
            let seeded = seed::seed_if_empty(&conn)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(seeded, "seed data in place");
            // As `serve` does when it seeds (see Data-sharing grants in the README).
            if seeded && config.sharing.demo_grants {
                let now = lgsp_hub::clock::Clock::now_ms(&lgsp_hub::clock::SystemClock);
                let made = lgsp_hub::sharing::demo::create_demo_grants(&conn, now)
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::warn!(
                    grants = made,
                    "created demonstration data-sharing grants (demo_grants; off in production)"
                );
            }
            if synthetic_systems > 0 {
                let mut shown = SeedProgress::new(synthetic_systems);
                let n = seed::synthetic::generate_systems(
                    &conn,
                    synthetic_systems,
                    synthetic_seed,
                    |done, total| shown.advanced(done, total),
                )
                .await
                .map_err(|e| e.to_string())?;
                shown.finish();
                tracing::info!(inserted = n, "synthetic information systems added");
            }
            Ok(())
        }
        Some(Command::Schema) => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Some(Command::Audit {
            action: AuditCommand::Verify,
        }) => {
            let conn = migrated_connection(&config).await?;
            let keys = lgsp_hub::app::access_log_keys(&config).map_err(|e| e.to_string())?;
            match lgsp_hub::access_log::verify::verify(&conn, &keys)
                .await
                .map_err(|e| e.to_string())?
            {
                Verdict::Intact { entries, head_hash } => {
                    println!("access log intact: {entries} entries, head {head_hash}");
                    Ok(())
                }
                Verdict::Broken { seq, reason } => {
                    println!("access log BROKEN at entry {seq}: {reason}");
                    Err(format!("the access log is broken at entry {seq}"))
                }
            }
        }
        Some(Command::CheckUpstreams) => check_upstreams(&config).await,
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

/// A small pool for a command that runs beside (or instead of) the server, over a migrated database.
async fn migrated_connection(config: &Config) -> Result<sea_orm::DatabaseConnection, String> {
    let conn = db::connect(
        &config.database_url,
        2,
        config.db_acquire_timeout,
        None,
        SqlMetrics::noop(),
    )
    .await
    .map_err(|e| e.to_string())?;
    db::migrate(&conn).await.map_err(|e| e.to_string())?;
    Ok(conn)
}

/// How far `seed --synthetic-systems` has come: a bar on a terminal, otherwise (CI, a pipe, a container log) a log line
/// every few seconds, so that a run of minutes is never silent.
enum SeedProgress {
    Bar(indicatif::ProgressBar),
    Log { started: Instant, last: Instant },
}

impl SeedProgress {
    const LOG_EVERY: Duration = Duration::from_secs(5);

    fn new(total: u64) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} systems, {per_sec}, eta {eta}",
            ) {
                bar.set_style(style);
            }
            Self::Bar(bar)
        } else {
            let now = Instant::now();
            Self::Log {
                started: now,
                last: now,
            }
        }
    }

    fn advanced(&mut self, done: u64, total: u64) {
        match self {
            Self::Bar(bar) => bar.set_position(done),
            Self::Log { started, last } => {
                if last.elapsed() >= Self::LOG_EVERY {
                    *last = Instant::now();
                    let secs = started.elapsed().as_secs_f64();
                    tracing::info!(
                        done,
                        total,
                        rows_per_second = (done as f64 / secs.max(f64::EPSILON)).round(),
                        "seeding synthetic information systems"
                    );
                }
            }
        }
    }

    fn finish(self) {
        if let Self::Bar(bar) = self {
            bar.finish();
        }
    }
}
