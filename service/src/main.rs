//! `mission-control`: load config → init telemetry → serve (or migrate).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mission_control::config::Config;
use mission_control::store::Store;
use mission_control::{AppState, MIGRATE_TIMEOUT, serve, shutdown_signal, telemetry};

/// Mission Control: the HTTP API for fleets of AI agents and the humans who steer them.
///
/// Configuration comes from the environment (see the README's configuration table).
#[derive(Parser)]
#[command(name = "mission-control", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API on HOST:PORT (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document and exit.
    Openapi,
}

fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::Openapi)) {
        return match mission_control::http::openapi().to_pretty_json() {
            Ok(doc) => {
                println!("{doc}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mission-control: cannot render the OpenAPI document: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mission-control: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mission-control: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async move {
        let telemetry = match telemetry::init(&config) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("mission-control: {e}");
                return ExitCode::from(2);
            }
        };
        let code = match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => run_server(config).await,
            Command::Migrate => run_migrations(config).await,
            Command::Openapi => ExitCode::SUCCESS,
        };
        // Export buffered spans off the async workers.
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || telemetry.shutdown()).await {
            eprintln!("telemetry: span exporter shutdown failed: {e}");
        }
        code
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

async fn run_server(config: Config) -> ExitCode {
    tracing::info!(config = ?config, "starting mission-control");
    let addr = std::net::SocketAddr::new(config.host, config.port);
    let state = match AppState::build(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mission-control: {e}");
            tracing::error!(error = %e, "start-up failed");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mission-control: HOST/PORT: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        address = %listener.local_addr().map_or(addr, |a| a),
        database = state.store.backend_name(),
        rate_limiter = state.limiter.backend_name(),
        "listening"
    );
    match serve(state, listener, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            ExitCode::FAILURE
        }
    }
}

async fn run_migrations(config: Config) -> ExitCode {
    let result = async {
        let store = Store::connect(&config.database, 2).await?;
        tokio::time::timeout(MIGRATE_TIMEOUT, store.migrate())
            .await
            .unwrap_or_else(|_| {
                Err(mission_control::store::StoreError::Unavailable(
                    sqlx::Error::PoolTimedOut,
                ))
            })
    }
    .await;
    match result {
        Ok(()) => {
            tracing::info!("migrations applied");
            println!("mission-control: migrations applied");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "mission-control: DATABASE_URL: migration failed: {}",
                mission_control::http::error::error_chain(&e)
            );
            ExitCode::FAILURE
        }
    }
}
