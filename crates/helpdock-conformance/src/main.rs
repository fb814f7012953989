//! `helpdock-conformance`: checks a backend against Helpdock's protocol v1,
//! one line per case and a closing `N passed, N failed, N skipped`; exits 1
//! when a case failed. See docs/conformance.md.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "helpdock-conformance",
    version,
    about = "Checks that a backend speaks Helpdock's protocol v1 as the widget relies on it.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The backend's base URL, e.g. http://127.0.0.1:8080 (the API is under /api/v1).
    #[arg(long)]
    backend: Option<String>,
    /// A command (run by `sh -c`) that plays the agent's side in JSON lines;
    /// without it the cases that need an agent are skipped.
    #[arg(long)]
    agent_driver: Option<String>,
    /// The secret the backend shares with its host, to sign a user id as the
    /// host's server would (or HELPDOCK_HOST_SECRET); without it the
    /// signed-in case is skipped.
    #[arg(long, env = "HELPDOCK_HOST_SECRET", hide_env_values = true)]
    host_secret: Option<String>,
    /// Run only the cases whose name contains this (repeatable).
    #[arg(long)]
    only: Vec<String>,
    /// Seconds to wait for an answer or a frame before a case fails.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// List the cases and exit.
    #[arg(long)]
    list: bool,
}

#[derive(Subcommand)]
enum Command {
    /// The agent driver for Helpdock's reference server (its console API);
    /// the password is read from HELPDOCK_AGENT_PASSWORD.
    ReferenceAgent {
        /// The reference server's base URL.
        #[arg(long)]
        backend: String,
        /// The agent's sign-in e-mail.
        #[arg(long)]
        email: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    if let Some(Command::ReferenceAgent { backend, email }) = cli.command {
        let Ok(password) = std::env::var("HELPDOCK_AGENT_PASSWORD") else {
            eprintln!("helpdock-conformance reference-agent: set HELPDOCK_AGENT_PASSWORD to the agent's password");
            return ExitCode::from(2);
        };
        return match runtime.block_on(helpdock_conformance::reference_agent::serve(&backend, &email, &password)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("helpdock-conformance reference-agent: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    if cli.list {
        for case in helpdock_conformance::cases::ALL {
            println!("{}{}", case.name, if case.agent { "  (needs an agent)" } else { "" });
        }
        return ExitCode::SUCCESS;
    }
    let Some(backend) = cli.backend else {
        eprintln!("helpdock-conformance: --backend URL is required (e.g. --backend http://127.0.0.1:8080)");
        return ExitCode::from(2);
    };
    let options = helpdock_conformance::Options {
        backend,
        agent_driver: cli.agent_driver,
        host_secret: cli.host_secret.filter(|s| !s.is_empty()),
        only: cli.only,
        timeout: Duration::from_secs(cli.timeout.max(1)),
    };
    let results = runtime.block_on(helpdock_conformance::run(&options, &mut |r| println!("{r}")));
    println!("{}", helpdock_conformance::summary(&results));
    if results.iter().any(|r| r.failed()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
