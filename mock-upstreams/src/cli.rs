//! The `mock-upstreams` command line: the mock national databases (population, business, insurance, land,
//! civil-status, judicial) on one port, each under its own prefix. Prints `listening on ADDR` as its first line, so
//! scripts and tests can use port 0. See the README's "Mock national databases".

use std::{collections::BTreeMap, io::Write, process::ExitCode};

use clap::Parser;

use crate::{Knobs, MockConfig, SERVICES};

#[derive(Parser)]
#[command(about = "Mock national databases for lgsp-hub, with synthetic Vietnamese data")]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:9100")]
    listen: String,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = MockConfig::default().seed)]
    seed: u64,
    /// Citizens to generate (10 to 10,000,000).
    #[arg(long, default_value_t = 100_000)]
    citizens: u32,
    /// The X-Admin-Key of the admin endpoints.
    #[arg(long, default_value = "dev-admin-key")]
    admin_key: String,
    /// The client id every service accepts.
    #[arg(long, default_value = "lgsp-hub")]
    client_id: String,
    /// A service's client secret, `SERVICE=SECRET` (repeatable; default `dev-secret-<service>`).
    #[arg(long, value_name = "SERVICE=SECRET")]
    client_secret: Vec<String>,
    /// Lifetime of issued tokens, every service.
    #[arg(long, default_value_t = 300)]
    token_ttl_secs: u64,
    /// Added latency of data calls, `SERVICE=MS` (repeatable).
    #[arg(long, value_name = "SERVICE=MS")]
    latency_ms: Vec<String>,
    /// Share of data calls answered 500, `SERVICE=RATE` with RATE in [0, 1] (repeatable).
    #[arg(long, value_name = "SERVICE=RATE")]
    error_rate: Vec<String>,
    /// A service that answers 503 everywhere (repeatable).
    #[arg(long, value_name = "SERVICE")]
    down: Vec<String>,
    /// Added latency of the token endpoint, `SERVICE=MS` (repeatable).
    #[arg(long, value_name = "SERVICE=MS")]
    token_latency_ms: Vec<String>,
    /// The mock OpenID provider's issuer URL, as the hub and browsers reach it [default: http://<listen>/oidc].
    #[arg(long)]
    oidc_issuer_url: Option<String>,
    /// The one client id the mock OpenID provider knows.
    #[arg(long, default_value = crate::oidc::DEFAULT_CLIENT_ID)]
    oidc_client_id: String,
    /// That client's secret.
    #[arg(long, default_value = crate::oidc::DEFAULT_CLIENT_SECRET)]
    oidc_client_secret: String,
    /// A redirect URI the mock OpenID provider accepts (repeatable) [default: any http URI on the loopback].
    #[arg(long)]
    oidc_redirect_uri: Vec<String>,
}

fn pairs(flag: &str, values: &[String]) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| format!("--{flag} expects SERVICE=VALUE, got `{v}`"))
        })
        .collect()
}

fn config(args: Args) -> Result<(String, MockConfig), String> {
    let mut knobs: BTreeMap<String, Knobs> = BTreeMap::new();
    let mut knob = |name: &str| {
        knobs.entry(name.to_owned()).or_insert_with(|| Knobs {
            token_ttl_secs: args.token_ttl_secs,
            ..Knobs::default()
        });
    };
    for s in SERVICES {
        knob(s.name);
    }
    let number = |flag: &str, v: &str| {
        v.parse::<f64>()
            .map_err(|_| format!("--{flag}: `{v}` is not a number"))
    };
    let mut set =
        |flag: &str, values: &[String], apply: &dyn Fn(&mut Knobs, f64)| -> Result<(), String> {
            for (svc, v) in pairs(flag, values)? {
                let k = knobs
                    .get_mut(&svc)
                    .ok_or_else(|| format!("--{flag}: unknown service `{svc}`"))?;
                apply(k, number(flag, &v)?);
            }
            Ok(())
        };
    set("latency-ms", &args.latency_ms, &|k, v| {
        k.latency_ms = v as u64
    })?;
    set("error-rate", &args.error_rate, &|k, v| k.error_rate = v)?;
    set("token-latency-ms", &args.token_latency_ms, &|k, v| {
        k.token_latency_ms = v as u64
    })?;
    for svc in &args.down {
        knobs
            .get_mut(svc)
            .ok_or_else(|| format!("--down: unknown service `{svc}`"))?
            .down = true;
    }
    Ok((
        args.listen,
        MockConfig {
            seed: args.seed,
            citizens: args.citizens,
            admin_key: args.admin_key,
            client_id: args.client_id,
            client_secrets: pairs("client-secret", &args.client_secret)?
                .into_iter()
                .collect(),
            knobs,
            oidc: crate::oidc::OidcConfig {
                client_id: args.oidc_client_id,
                client_secret: args.oidc_client_secret,
                redirect_uris: args.oidc_redirect_uri,
                issuer: args.oidc_issuer_url,
            },
        },
    ))
}

/// The whole program: parses the process's arguments, serves until the server fails or Ctrl-C. Exit code 2 for a bad
/// command line.
pub fn main() -> ExitCode {
    let (listen, config) = match config(Args::parse()) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("mock-upstreams: {message}");
            return ExitCode::from(2);
        }
    };
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(serve(&listen, config)),
        Err(e) => {
            eprintln!("mock-upstreams: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(listen: &str, config: MockConfig) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mock-upstreams: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let running = match crate::start(config, listener).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mock-upstreams: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", running.addr);
    let _ = out.flush();
    drop(out);
    tokio::select! {
        result = running.wait() => {
            if let Err(e) = result {
                eprintln!("mock-upstreams: {e}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
