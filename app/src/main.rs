//! `globaldesk`: config → database → migrate → seed → serve, and the operator's commands.

use globaldesk::{AnyError, demo, import};

// Pages allocate many small strings; mimalloc serves them faster than glibc's allocator
// (measured in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use kit::mail::MailConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "globaldesk", version, about = "GlobalDesk: one platform for SMEs going global and the agencies that support them.")]
struct Cli {
    /// Database: sqlite://path (created if missing) or postgres://user@host/db.
    #[arg(long, global = true, env = "GLOBALDESK_DATABASE_URL", default_value = "sqlite://globaldesk.db")]
    database_url: String,
    /// Log format: text for people (coloured only on a terminal) or json, one object per line,
    /// for a log collector.
    #[arg(long, global = true, env = "GLOBALDESK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GLOBALDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Load demo accounts and companies, show the demo banner, confirm sign-ups without e-mail.
    #[arg(long, env = "GLOBALDESK_DEMO", default_value_t = false)]
    demo: bool,
    /// Public base URL used in e-mailed links.
    #[arg(long, env = "GLOBALDESK_BASE_URL")]
    base_url: Option<String>,
    /// SMTP relay as host:port; without it e-mail is written as .eml files to --mail-dir.
    #[arg(long, env = "GLOBALDESK_SMTP")]
    smtp: Option<String>,
    /// SMTP security: none (a relay on port 25), starttls (587) or tls (465).
    #[arg(long, env = "GLOBALDESK_SMTP_TLS", default_value = "starttls")]
    smtp_tls: String,
    /// A PEM file with one more certificate authority to trust for SMTP (a relay whose
    /// certificate comes from a private CA); the public roots stay trusted.
    #[arg(long, env = "GLOBALDESK_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// SMTP user name, when the server wants one.
    #[arg(long, env = "GLOBALDESK_SMTP_USER")]
    smtp_user: Option<String>,
    /// SMTP password (prefer the environment variable; it is never logged).
    #[arg(long, env = "GLOBALDESK_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// Sender address for e-mail.
    #[arg(long, env = "GLOBALDESK_MAIL_FROM", default_value = "GlobalDesk <no-reply@globaldesk.invalid>")]
    mail_from: String,
    /// Folder for .eml files when no SMTP relay is set.
    #[arg(long, env = "GLOBALDESK_MAIL_DIR", default_value = "mail-outbox")]
    mail_dir: PathBuf,
    /// Mark cookies Secure (serve over TLS or behind a TLS proxy).
    #[arg(long, env = "GLOBALDESK_SECURE_COOKIES", default_value_t = false)]
    secure_cookies: bool,
    /// Trust X-Forwarded-For for client addresses (only behind your own proxy).
    #[arg(long, env = "GLOBALDESK_TRUST_PROXY", default_value_t = false)]
    trust_proxy: bool,
    /// Folder with static assets.
    #[arg(long, env = "GLOBALDESK_STATIC_DIR", default_value = "static")]
    static_dir: PathBuf,
    /// Folder for uploaded attachments (shared storage when several nodes serve one site).
    #[arg(long, env = "GLOBALDESK_FILES_DIR", default_value = "files")]
    files_dir: PathBuf,
    /// Do not run the e-mail worker on this node.
    #[arg(long, env = "GLOBALDESK_NO_WORKER", default_value_t = false)]
    no_worker: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web site and API.
    Serve(ServeArgs),
    /// Apply database migrations and load the shipped reference data.
    Migrate,
    /// Import a file: reference data CSV (countries, hs, regions, ksic, export-stages, sme-size), companies CSV, or
    /// `bizinfo` (public program notices as Bizinfo API JSON).
    Import {
        kind: String,
        file: PathBuf,
        /// Load nothing if any row is invalid (companies).
        #[arg(long)]
        all_or_nothing: bool,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Load demo accounts and generate demo companies (marked as illustrative).
    Demo {
        /// How many demo companies to have in all.
        #[arg(long, default_value_t = 300)]
        companies: usize,
        /// How many programs to have in all: the demo catalog, topped up with generated
        /// illustrative programs (for load tests).
        #[arg(long, default_value_t = 0)]
        programs: usize,
        /// How many regulatory cases to have in all (illustrative, with their timelines).
        #[arg(long, default_value_t = 300)]
        cases: usize,
        /// How many setting-up plans of demo companies to have in all (illustrative).
        #[arg(long, default_value_t = 100)]
        plans: usize,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// company_member, officer, agency_admin, platform_admin or analyst.
        #[arg(long)]
        role: String,
        /// Agency code (officers and agency admins), e.g. MSS, KOTRA.
        #[arg(long)]
        agency: Option<String>,
        /// Password; read from GLOBALDESK_NEW_PASSWORD when not given.
        #[arg(long, env = "GLOBALDESK_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal access token for a user; prints it once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("GLOBALDESK_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => logs.json().init(),
        // Colour codes are for terminals; in a file or a journal they are noise.
        LogFormat::Text => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// SQLite URLs get `mode=rwc` so that the file is created on first start.
fn normalise_url(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_string()
    }
}

async fn open(url: &str) -> Result<store::Store, AnyError> {
    let store = store::Store::connect(&normalise_url(url)).await?;
    store::migrate::run(&store).await?;
    store::reference::seed_builtin(&store).await?;
    store::desk::seed_defaults(&store.db).await?;
    // The agencies are the platform's institutions and the playbooks its reference content;
    // both are loaded once and then kept by people.
    demo::ensure_agencies(&store).await?;
    globaldesk::playbook_seed::seed_playbooks(&store).await?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<(), AnyError> {
    let started = Instant::now();
    match cli.command {
        // No arguments: the demo, as the README promises.
        None => {
            // Parsing `serve` with no flags still honours the GLOBALDESK_* environment.
            let Some(Command::Serve(mut args)) = Cli::parse_from(["globaldesk", "serve"]).command else {
                unreachable!("parsed the serve command")
            };
            args.demo = true;
            serve(&cli.database_url, args, started).await
        }
        Some(Command::Serve(args)) => serve(&cli.database_url, args, started).await,
        Some(Command::Migrate) => {
            open(&cli.database_url).await?;
            println!("migrations applied; reference data loaded");
            Ok(())
        }
        Some(Command::Import { kind, file, all_or_nothing }) => {
            let store = open(&cli.database_url).await?;
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            if kind == "bizinfo" {
                let report = globaldesk::catalog::import_bizinfo(&store, &text).await?;
                print!("{report}");
                return if report.errors.is_empty() || report.added > 0 {
                    Ok(())
                } else {
                    Err("import refused: see the errors above".into())
                };
            }
            if kind == "companies" {
                let report = import::companies(&store, &text, all_or_nothing).await?;
                println!("{report}");
                if report.failed > 0 && (all_or_nothing || report.loaded == 0) {
                    return Err("import refused: see the errors above".into());
                }
                Ok(())
            } else {
                let n = store::reference::import(&store, &kind, &text).await?;
                println!("imported {n} {kind} rows");
                Ok(())
            }
        }
        Some(Command::User { command: UserCommand::Add { email, name, role, agency, password } }) => {
            let store = open(&cli.database_url).await?;
            let id = demo::add_user(&store, &email, &name, &role, agency.as_deref(), &password).await?;
            println!("user {id} added: {email} ({role})");
            Ok(())
        }
        Some(Command::Token { command: TokenCommand::Create { email, name } }) => {
            let store = open(&cli.database_url).await?;
            let user =
                store::users::by_email(&store.db, &email.trim().to_lowercase()).await?.ok_or(format!("no user with e-mail {email}"))?;
            let (_, secret) = store::tokens::create(&store.db, user.id, &name).await?;
            store::audit::record(&store.db, Some(user.id), "cli", "token.create", &format!("user:{}", user.id), "", &name).await?;
            println!("{secret}");
            Ok(())
        }
        Some(Command::Demo { companies, programs, cases, plans }) => {
            let store = open(&cli.database_url).await?;
            let password = demo::password();
            demo::seed_accounts(&store, &password).await?;
            let n = demo::seed_companies(&store, companies, true).await?;
            globaldesk::catalog::seed_demo_catalog(&store).await?;
            let p = globaldesk::catalog::seed_synthetic_programs(&store, programs).await?;
            store::desk::seed_defaults(&store.db).await?;
            let k = globaldesk::desk_demo::seed_cases(&store, cases).await?;
            globaldesk::expert_demo::seed_experts(&store).await?;
            let pl = globaldesk::plan_demo::seed_plans(&store, plans).await?;
            println!("demo data ready: {n} companies, {p} programs, {k} regulatory cases, {pl} plans");
            Ok(())
        }
    }
}

async fn serve(url: &str, args: ServeArgs, started: Instant) -> Result<(), AnyError> {
    let store = open(url).await?;
    if args.demo {
        let password = demo::password();
        // Each seeding step's time goes to the log: start-up to ready must stay under 2 s.
        let mut step = Instant::now();
        let mut lap = |what: &str| {
            tracing::info!(ms = step.elapsed().as_millis() as u64, "seeded {what}");
            step = Instant::now();
        };
        let accounts = demo::seed_accounts(&store, &password).await?;
        lap("demo accounts");
        demo::seed_companies(&store, 300, false).await?;
        lap("demo companies");
        globaldesk::catalog::seed_demo_catalog(&store).await?;
        store::desk::seed_defaults(&store.db).await?;
        lap("demo catalog");
        globaldesk::desk_demo::seed_cases(&store, 300).await?;
        lap("demo cases");
        globaldesk::expert_demo::seed_experts(&store).await?;
        lap("demo experts");
        globaldesk::plan_demo::seed_plans(&store, 100).await?;
        lap("demo plans");
        println!("\nGlobalDesk demo — accounts (password: {password}):");
        for (email, label) in accounts {
            println!("  {email:<28} {label}");
        }
        println!();
    }
    let base_url = args.base_url.clone().unwrap_or_else(|| format!("http://{}", args.addr));
    let mail = match &args.smtp {
        Some(hp) => {
            let (host, port) = hp.rsplit_once(':').ok_or("--smtp must be host:port")?;
            let tls = kit::mail::SmtpTls::parse(&args.smtp_tls).ok_or("--smtp-tls must be none, starttls or tls")?;
            let credentials = match (&args.smtp_user, &args.smtp_password) {
                (Some(u), Some(p)) => Some((u.clone(), p.clone())),
                (None, None) => None,
                _ => return Err("--smtp-user and --smtp-password go together".into()),
            };
            // Read now, so that a wrong path or a broken file stops the start, not the first send.
            let extra_root = match &args.smtp_ca_file {
                Some(path) => {
                    let pem = std::fs::read(path).map_err(|e| format!("--smtp-ca-file {}: {e}", path.display()))?;
                    Some(kit::mail::certificate_authority(&pem).map_err(|e| format!("--smtp-ca-file {}: {e}", path.display()))?)
                }
                None => None,
            };
            MailConfig::Smtp {
                host: host.to_string(),
                port: port.parse().map_err(|_| "--smtp port must be a number")?,
                from: args.mail_from.clone(),
                tls,
                credentials,
                extra_root,
            }
        }
        None => MailConfig::Files(args.mail_dir.clone()),
    };
    let config = kit::Config {
        demo: args.demo,
        secure_cookies: args.secure_cookies,
        base_url,
        mail,
        static_dir: args.static_dir.clone(),
        terms_version: kit::Config::default().terms_version,
        trust_proxy: args.trust_proxy,
        files_dir: args.files_dir.clone(),
    };
    let state = globaldesk::site::Site::open(store, config).await?;
    state.start_background(!args.no_worker);
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    // A page leaves in several writes (a kept page's pieces); with Nagle's algorithm on, the
    // later ones wait for the client's delayed acknowledgement (about 40 ms).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    tracing::info!(%addr, ready_in_ms = started.elapsed().as_millis() as u64, "GlobalDesk is serving");
    println!("GlobalDesk on http://{addr}  (ready in {} ms)", started.elapsed().as_millis());
    let app = state.router().into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
