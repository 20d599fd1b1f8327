use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    annex::read::quiet_reader_panics();
    let job = annex::cli::Cli::parse().into_job();
    match annex::run(job) {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("annex: {fatal}");
            ExitCode::from(2)
        }
    }
}
