use std::process::ExitCode;

/// A run allocates for every cell it reads, on every core at once; mimalloc's per-thread heaps
/// make that markedly cheaper than the system allocator (see `cargo bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    annex::read::quiet_reader_panics();
    let job = annex::cli::parse().into_job();
    let lang = job.lang();
    match annex::run(job) {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("annex: {}", fatal.text().get(lang));
            ExitCode::from(2)
        }
    }
}
