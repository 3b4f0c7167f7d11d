//! The operator's commands: `serve` runs the site, `migrate` prepares the database.
//! Each reads the configuration layers (built-in defaults, `--config FILE`, then
//! `INSCRIPTIONS__…` variables) and reports a bad setting by its key.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{clock::Clock, config::Config, db, startup};

#[derive(Parser)]
#[command(
    name = "inscriptions",
    version,
    about = "Inscriptions aux groupes projets TNT"
)]
struct Cli {
    /// Configuration file read on top of the built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and deliver the outbox (migrates the database first).
    Serve,
    /// Apply the migrations and write the seed's groups if there are none.
    Migrate,
    /// Write a consistent copy of the database to FILE, while the server runs.
    Backup {
        /// The copy to create (must not exist).
        file: PathBuf,
    },
    /// Check the configuration, templates, database and SMTP server; list what is wrong.
    Check,
    /// Bring registrations in from elsewhere.
    #[command(subcommand)]
    Import(ImportCommand),
    /// The official list of authorities.
    #[command(subcommand)]
    Referentiel(ReferentielCommand),
    /// Staff administration from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Make EMAIL an admin (creating them if needed) and print a sign-in link.
    Add { email: String },
}

#[derive(Subcommand)]
enum ReferentielCommand {
    /// Import (or re-import a newer vintage of) @etalab/decoupage-administratif.
    /// Registrations keep the codes and names they were given. Restart the server
    /// afterwards so it searches the new list.
    Import {
        /// The package's data folder (default: referentiel.data_dir).
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import an Airtable CSV export into a group.
    Airtable {
        /// The group's slug (its address: /groupes/SLUG/inscription).
        #[arg(long)]
        group: String,
        /// A column of the file and the field it holds, as "Column=field", for
        /// headers not recognised (fields: prenom, nom, courriel, role, fonction,
        /// type_collectivite, collectivite, code_officiel, telephone, date, ignorer).
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        mappings: Vec<String>,
        /// Trust the export: import as confirmed, without a re-confirmation email.
        #[arg(long)]
        confirmed: bool,
        /// Report what would be imported, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The CSV file exported from Airtable.
        file: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(&config.log);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("démarrage impossible : {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
            Command::Backup { file } => backup(config, file).await,
            Command::Check => check(config).await,
            Command::Admin(AdminCommand::Add { email }) => add_admin(config, email).await,
            Command::Referentiel(ReferentielCommand::Import { from }) => {
                import_referentiel(config, from).await
            }
            Command::Import(ImportCommand::Airtable {
                group,
                mappings,
                confirmed,
                dry_run,
                file,
            }) => import_airtable(config, group, mappings, confirmed, dry_run, file).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("erreur : {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = startup::Application::build(config, Clock::system()).await?;
    first_admin(app.state()).await?;
    tracing::info!(address = %app.address(), "à l’écoute");
    // Tools that start the server on port 0 read the address from this line.
    println!(
        "inscriptions : {} (Ctrl-C pour arrêter)",
        app.state().config.server.base_url
    );
    app.run(startup::shutdown_on_signals()).await
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    db::migrate(&pool).await?;
    let seeded = db::groups::seed_if_empty(&pool, Clock::system().unix()).await?;
    println!("base à jour ({} groupe(s) ajouté(s))", seeded);
    Ok(())
}

async fn backup(config: Config, file: PathBuf) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    let bytes = crate::ops::backup::backup(&pool, &file).await?;
    println!("sauvegarde écrite : {} ({} octets)", file.display(), bytes);
    Ok(())
}

async fn check(config: Config) -> anyhow::Result<()> {
    let problems = crate::ops::check::run(&config).await;
    if problems.is_empty() {
        println!("tout est en ordre");
        Ok(())
    } else {
        for problem in &problems {
            println!("ÉCHEC {problem}");
        }
        anyhow::bail!("{} problème(s)", problems.len())
    }
}

async fn import_airtable(
    config: Config,
    group: String,
    mappings: Vec<String>,
    confirmed: bool,
    dry_run: bool,
    file: PathBuf,
) -> anyhow::Result<()> {
    use crate::import::airtable::{self, Field, Options};
    let mut parsed = Vec::new();
    for mapping in &mappings {
        let (column, field) = mapping
            .rsplit_once('=')
            .ok_or_else(|| anyhow::anyhow!("--map attend \"Colonne=champ\", reçu {mapping:?}"))?;
        let field = Field::parse(field.trim()).ok_or_else(|| {
            let names: Vec<&str> = Field::NAMES.iter().map(|(n, _)| *n).collect();
            anyhow::anyhow!(
                "--map : champ inconnu {field:?} (champs : {})",
                names.join(", ")
            )
        })?;
        parsed.push((column.to_owned(), field));
    }
    let state = startup::open_state(config, Clock::system()).await?;
    let options = Options {
        group_slug: group,
        mappings: parsed,
        confirmed,
        dry_run,
    };
    let report = airtable::import(&state, &file, &options).await?;
    print!("{report}");
    Ok(())
}

async fn import_referentiel(config: Config, from: Option<PathBuf>) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    db::migrate(&pool).await?;
    let dir = from.unwrap_or(config.referentiel.data_dir);
    let mut tx = db::begin_write(&pool).await?;
    let report = crate::referentiel::import_into(&mut tx, &dir).await?;
    tx.commit().await?;
    print!("{report}");
    Ok(())
}

/// How long a sign-in link printed on the console stays valid: long enough for a
/// newcomer reading the README, and it still works only once.
const CONSOLE_LINK_SECONDS: i64 = 24 * 3600;

async fn admin_link(state: &crate::state::AppState, email: &str) -> anyhow::Result<String> {
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let id = crate::staff::upsert(&mut tx, email, crate::staff::StaffRole::Admin, now).await?;
    let token = crate::staff::auth::issue_link(&mut tx, id, now, CONSOLE_LINK_SECONDS).await?;
    crate::staff::audit::record(
        &mut tx,
        now,
        None,
        "staff_added",
        None,
        None,
        serde_json::json!({ "membre": id, "role": "admin", "par": "ligne de commande" }),
    )
    .await?;
    tx.commit().await?;
    Ok(state.url(&format!("/connexion/{token}")))
}

/// On a start with no admin, makes `staff.first_admin_email` one and prints a
/// sign-in link, so a newcomer reaches the staff area without a mail server.
async fn first_admin(state: &crate::state::AppState) -> anyhow::Result<()> {
    let email = state.config.staff.first_admin_email.trim().to_lowercase();
    if email.is_empty() {
        return Ok(());
    }
    let mut conn = state.db.acquire().await?;
    let admins = crate::staff::admin_count(&mut conn).await?;
    drop(conn);
    if admins == 0 {
        let link = admin_link(state, &email).await?;
        println!(
            "Premier administrateur : {email}. Lien de connexion (24 h, une fois) :\n   {link}"
        );
    }
    Ok(())
}

async fn add_admin(config: Config, email: String) -> anyhow::Result<()> {
    let email = crate::domain::Email::parse(&email).map_err(anyhow::Error::msg)?;
    let state = startup::open_state(config, Clock::system()).await?;
    let link = admin_link(&state, email.as_str()).await?;
    println!(
        "{} est administrateur·rice. Lien de connexion (24 h, une fois) :\n   {link}",
        email.as_str()
    );
    Ok(())
}
