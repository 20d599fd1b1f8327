use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let config = annex::cli::Cli::parse().into_config();
    match annex::run(config) {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("annex: {fatal}");
            ExitCode::from(2)
        }
    }
}
