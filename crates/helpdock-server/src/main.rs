//! The `helpdock-server` binary: `serve` and `agent add`.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use helpdock_core::protocol::AgentRole;
use helpdock_server::config::Config;
use helpdock_server::db::Db;

#[derive(Parser)]
#[command(name = "helpdock-server", version, about = "Helpdock's reference backend (protocol v1) and agent console.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the widget API, the console and the static files.
    Serve {
        /// A TOML configuration file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on (port 0: any free port).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// sqlite://PATH, a file path, or postgres://…
        #[arg(long)]
        database: Option<String>,
        /// redis://HOST:PORT: one node of several sharing a PostgreSQL database.
        #[arg(long)]
        redis: Option<String>,
        /// The built widget folder served at /.
        #[arg(long = "static")]
        static_dir: Option<PathBuf>,
        /// Demo mode: helpdock-demo.sqlite, a seeded agent, a demo host secret.
        #[arg(long)]
        demo: bool,
    },
    /// Manage agents.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Add an agent, or update the one with this e-mail.
    Add {
        /// Sign-in e-mail.
        #[arg(long)]
        email: String,
        /// Display name, shown to visitors.
        #[arg(long)]
        name: String,
        /// What they may do.
        #[arg(long, value_enum, default_value = "agent")]
        role: Role,
        /// Topics or queues they serve, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        topics: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// A TOML configuration file (for the database).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The database (overrides the configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Disable an agent: no more sign-ins, their sessions end, they are no
    /// longer offered for transfers (`agent add` enables them again).
    Disable {
        /// Sign-in e-mail.
        #[arg(long)]
        email: String,
        /// A TOML configuration file (for the database).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The database (overrides the configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Role {
    Agent,
    Admin,
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("helpdock_server=info,warn")),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("helpdock-server: {e:#}");
        std::process::exit(1);
    }
}

fn load_config(file: Option<&std::path::Path>) -> Result<Config> {
    Ok(Config::load(file, |name| std::env::var(name).ok())?)
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { config, listen, database, redis, static_dir, demo } => {
            let mut config = load_config(config.as_deref())?;
            if demo {
                // The demo prints its agent's password and the host secret,
                // and seeds an admin: never on a reachable address, never
                // with a secret a real host shares.
                if config.host_secret.is_some() {
                    bail!(
                        "--demo prints the host secret and seeds a demo admin, so it refuses a real host_secret \
                         (from the configuration or HELPDOCK_HOST_SECRET); run without --demo"
                    );
                }
                config.database = "helpdock-demo.sqlite".into();
                config.host_secret = Some("demo-host-secret".into());
            }
            if let Some(listen) = listen {
                config.listen = listen;
            }
            if demo && !config.listen.ip().is_loopback() {
                bail!(
                    "--demo listens on loopback only (127.0.0.1 or ::1), not {}: its agent password and host \
                     secret are printed and known; run without --demo to serve others",
                    config.listen
                );
            }
            if let Some(database) = database {
                config.database = database;
            }
            if let Some(redis) = redis {
                config.redis = Some(redis);
            }
            if let Some(dir) = static_dir {
                config.static_dir = dir;
            }
            serve(config, demo).await
        }
        Command::Agent {
            command: AgentCommand::Add { email, name, role, topics, password_stdin, config, database },
        } => {
            let mut config = load_config(config.as_deref())?;
            if let Some(database) = database {
                config.database = database;
            }
            if !email.contains('@') || email.trim().len() > 254 {
                bail!("--email {email:?} is not an e-mail address");
            }
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let password = read_password(password_stdin)?;
            if let Some(why) = helpdock_server::password::weakness(&password, &email) {
                bail!("password refused: {why}");
            }
            let db = Db::open(&config.database).await?;
            let role = match role {
                Role::Agent => AgentRole::Agent,
                Role::Admin => AgentRole::Admin,
            };
            let topics: Vec<String> =
                topics.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
            let id = helpdock_server::upsert_agent(&db, &email, &name, role, &topics, &password).await?;
            db.close().await;
            println!("agent {} ({id}) saved", email.trim());
            Ok(())
        }
        Command::Agent { command: AgentCommand::Disable { email, config, database } } => {
            let mut config = load_config(config.as_deref())?;
            if let Some(database) = database {
                config.database = database;
            }
            let db = Db::open(&config.database).await?;
            let disabled = db.disable_agent(email.trim(), helpdock_server::token::now_ms()).await?;
            db.close().await;
            match disabled {
                Some(id) => println!("agent {} ({id}) disabled; their sessions have ended", email.trim()),
                None => bail!("no agent signs in with {:?}", email.trim()),
            }
            Ok(())
        }
    }
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")
        .context("reading the password (use --password-stdin when not on a terminal)")?;
    let second = rpassword::prompt_password("Again: ").context("reading the password")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

async fn serve(config: Config, demo: bool) -> Result<()> {
    let host_secret = config.host_secret.clone();
    let running = helpdock_server::start(config).await?;
    let url = running.url();
    let mut out = std::io::stdout().lock();
    writeln!(out, "helpdock-server listening on {url}")?;
    if let Some(addr) = running.mail_addr {
        writeln!(out, "accepting replies to ticket e-mails by SMTP on {addr}")?;
    }
    if demo {
        let password = std::env::var("HELPDOCK_DEMO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| helpdock_server::token::random_id("demo-"));
        let db = &running.state.db;
        helpdock_server::upsert_agent(db, "demo@example.com", "Demo Agent", AgentRole::Admin, &[], &password).await?;
        helpdock_server::upsert_agent(db, "mei@example.com", "Mei", AgentRole::Agent, &[], &password).await?;
        writeln!(out, "demo agent: demo@example.com / {password}")?;
        writeln!(out, "second agent: mei@example.com / {password}")?;
        writeln!(out, "host secret: {}", host_secret.as_deref().unwrap_or("demo-host-secret"))?;
        writeln!(out, "console: {url}/console/")?;
    }
    out.flush()?;
    drop(out);
    running.until_signal().await?;
    Ok(())
}
