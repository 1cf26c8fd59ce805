use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use klinik_api::cli::{Cli, Command};
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

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("klinik: {error:#}");
    ExitCode::FAILURE
}
