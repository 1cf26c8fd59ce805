use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use klinik_api::cli::{Cli, Command, KeysCommand, RegionsCommand, UsersCommand};
use klinik_api::settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match klinik_api::openapi_json() {
            Ok(json) => match std::io::stdout().write_all(json.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            },
            Err(e) => fail(&e),
        };
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("klinik: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    klinik_api::telemetry::init(&settings);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => klinik_api::prepare_state(&settings).map(|_| ()),
        Command::Users {
            command: UsersCommand::CreateAdmin { username },
        } => create_admin(&settings, &username),
        Command::SeedDemo {
            scale,
            ukm,
            region,
            seed,
        } => seed_demo(&settings, &scale, ukm, region.as_deref(), seed),
        Command::Regions {
            command: RegionsCommand::Apply { file },
        } => apply_regions(&settings, file.as_deref()),
        Command::Backup { file } => klinik_app::backup::backup(&settings, &file),
        Command::Keys {
            command: KeysCommand::Rotate,
        } => klinik_app::personal_data::rotation::run(&settings).map(|done| {
            println!(
                "examined {} persons, re-sealed {} under the current data key",
                done.examined, done.resealed
            );
        }),
        Command::Serve | Command::Openapi => run_server(settings),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn run_server(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(klinik_api::serve(settings))
}

fn create_admin(settings: &Settings, username: &str) -> anyhow::Result<()> {
    let password = match std::env::var("KLINIK_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        Some(password) => password,
        None => {
            eprintln!("Password for {username} (one line on standard input):");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let id = klinik_app::auth::bootstrap::create_admin_in(settings, username, &password)?;
    println!("created admin {username} (id {id})");
    Ok(())
}

fn apply_regions(settings: &Settings, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let state = klinik_api::prepare_state(settings)?;
    let applied = klinik_app::registry::region_list::apply_command(&state, file)?;
    println!(
        "applied {} to {}: {} added, {} renamed, {} retired, {} restored; restart the server to use it",
        applied.source,
        settings.area.to_setting(),
        applied.added,
        applied.renamed,
        applied.retired,
        applied.restored
    );
    Ok(())
}

fn seed_demo(
    settings: &Settings,
    scale: &str,
    ukm: Option<usize>,
    region: Option<&str>,
    seed: u64,
) -> anyhow::Result<()> {
    // The demo fills `--region`; the records must be valid in the configured area.
    let mut settings = settings.clone();
    if let Some(region) = region {
        let narrowed = klinik_domain::regions::Area::parse(region)
            .map_err(|e| anyhow::anyhow!("--region {region}: {e}"))?;
        anyhow::ensure!(
            narrowed.parts().iter().all(|p| settings.area.contains(p)),
            "--region {region} lies outside KLINIK_REGIONS={}; set KLINIK_REGIONS={region}",
            settings.area.to_setting()
        );
        settings.area = narrowed;
    }
    let settings = &settings;
    if ukm.is_some() && scale != "national" {
        anyhow::bail!("--ukm applies to --scale national only");
    }
    let state = klinik_api::prepare_state(settings)?;
    let scale = match scale {
        "bogor-2017" => klinik_api::demo::BOGOR_2017,
        "province" => klinik_api::demo::province(
            state
                .regions
                .places(klinik_domain::regions::Level::KabupatenKota)
                .count(),
        )?,
        "national" => klinik_api::demo::national(ukm.unwrap_or(1_000_000))?,
        other => anyhow::bail!("unknown scale {other}: use bogor-2017, province or national"),
    };
    let started = std::time::Instant::now();
    klinik_api::demo::seed(&state, scale, seed)?;
    // The files go through the document store, which is asynchronous.
    let documents =
        actix_web::rt::System::new().block_on(klinik_api::demo::documents::attach(&state))?;
    println!(
        "seeded {} cooperatives ({} active), {} UKM ({} active), {} programme years of clinic history and {documents} sample documents in {:.1} s",
        scale.cooperatives,
        scale.active_cooperatives,
        scale.ukm,
        scale.active_ukm,
        klinik_api::demo::clinic::YEARS,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("klinik: {error:#}");
    ExitCode::FAILURE
}
