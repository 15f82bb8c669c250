//! `mission-control-operator`: `run` (default) runs the controller, `crd` prints the CRD.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use mission_control_operator::config::Config;
use mission_control_operator::controller::{self, RunOptions};
use mission_control_operator::crd;
use mission_control_operator::telemetry;

#[derive(Parser, Debug)]
#[command(
    name = "mission-control-operator",
    version,
    about = "Runs Mission Control on Kubernetes from MissionControl resources"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the controller (the default).
    Run(RunArgs),
    /// Print the CustomResourceDefinition as YAML.
    Crd,
}

#[derive(clap::Args, Debug, Clone)]
struct RunArgs {
    /// Address of /healthz, /readyz and /metrics.
    #[arg(long, env = "PROBE_ADDR", default_value = "0.0.0.0:8080")]
    probe_addr: SocketAddr,
    /// Watch only this namespace (default: all namespaces).
    #[arg(long, env = "WATCH_NAMESPACE")]
    namespace: Option<String>,
    /// Name of the leader-election Lease.
    #[arg(long, env = "LEASE_NAME", default_value = "mission-control-operator")]
    lease_name: String,
    /// Namespace of the Lease (default: the client's namespace).
    #[arg(long, env = "LEASE_NAMESPACE")]
    lease_namespace: Option<String>,
    /// Identity of this replica (default: POD_NAME, else a random name).
    #[arg(long, env = "POD_NAME")]
    identity: Option<String>,
    /// Lease duration in seconds.
    #[arg(long, env = "LEASE_DURATION_SECONDS", default_value_t = 15)]
    lease_duration: u64,
    /// Renew the Lease this many seconds before it expires.
    #[arg(long, env = "LEASE_GRACE_SECONDS", default_value_t = 5)]
    lease_grace: u64,
    /// Log format: text or json.
    #[arg(long, env = "LOG_FORMAT", default_value = "json")]
    log_format: String,
}

async fn shutdown_signal() {
    mission_control_telemetry::shutdown_signal().await;
    tracing::info!("shutdown signal received");
}

fn random_identity() -> String {
    use rand::Rng;
    let suffix: String = rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(8)
        .map(|c| char::from(c).to_ascii_lowercase())
        .collect();
    format!("mission-control-operator-{suffix}")
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Crd) => {
            return match crd::crd_yaml() {
                Ok(yaml) => {
                    print!("{yaml}");
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("could not render the CRD: {e}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
        Some(Command::Run(args)) => args,
        None => cli.run,
    };
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mission-control-operator: configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let telemetry = match telemetry::init(&args.log_format, &config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("mission-control-operator: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let opts = RunOptions {
        probe_addr: args.probe_addr,
        namespace: args.namespace,
        lease_name: args.lease_name,
        lease_namespace: args.lease_namespace,
        identity: args.identity.unwrap_or_else(random_identity),
        lease_duration: args.lease_duration,
        lease_grace: args.lease_grace,
    };
    let code = match controller::run(opts, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "operator stopped");
            std::process::ExitCode::FAILURE
        }
    };
    // Export buffered spans off the async workers before exiting.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    code
}
