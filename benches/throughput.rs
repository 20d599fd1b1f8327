//! `cargo bench`: how fast and in how much memory annex checks large workloads, against the floor
//! of merely reading them.
//!
//! Generates (once, under `target/tmp/bench-workload/`) six workloads, each a council master plus
//! submissions of measures (取組) and KPIs, one KPI in a hundred of the `-errors` ones broken in
//! one of five ways (a wrong type, a unit not allowed, a reference to nothing, a duplicate id, a
//! part larger than its whole):
//! - `5x50k`: 5 submissions × (12,500 measures + 50,000 KPIs);
//! - `2x500k`: 2 submissions × (125,000 measures + 500,000 KPIs);
//!
//! their `-errors` variants, `1x1M-bad-values` (1 submission × 1,000,000 KPIs, every 値 typed as
//! text: a million problems, for the report's memory), and `2x500k-shared`. The sheets are written as rust_xlsxwriter's
//! constant-memory mode writes them (strings inline, as a streaming writer does), but for
//! `2x500k-shared`, whose text is in the workbook's shared strings table, as Excel saves it.
//!
//! For each workload it times, in a process of its own so that peak memory is the run's own, each
//! program in turn, three times (`ANNEX_BENCH_RUNS`), giving the median time and the highest peak:
//! - the floor: calamine's streaming cell reader opens every workbook and touches every cell of
//!   取組 and KPI, on one thread, and on as many threads as annex uses (one workbook per thread);
//! - `annex check --format json`: the binary, end to end (discovery, reading, schemas, cross-record
//!   rules, the report);
//! - `annex build --format json` on the workloads without errors: the check, then the master
//!   written (`annex.json`, `annex.xlsx`, `annex.md`), with its time over the check's.
//!
//! and prints seconds, rows per second, annex/floor ratios, peak memory (max RSS) and CPU time over
//! wall time (how busy the cores were). It checks that annex reports exactly the seeded errors.
//!
//! `cargo bench -- 5x50k` runs the workloads whose names contain `5x50k`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{open_workbook, DataRef, Xlsx};
use rayon::prelude::*;
use rust_xlsxwriter::{Workbook, Worksheet};

const ORGS: [&str; 5] = ["CAO", "MEXT", "MHLW", "METI", "AMED"];
const ISSUES: usize = 100;
const KPIS_PER_MEASURE: usize = 4;
/// One KPI row in this many carries a seeded error, in the `-errors` workloads.
const ERROR_EVERY: usize = 100;

struct Workload {
    name: &'static str,
    submissions: usize,
    measures: usize,
    /// One KPI row in this many has a problem; every one when 1 (its 値 typed as text).
    error_every: Option<usize>,
    /// Text in the shared strings table, as Excel saves it; otherwise in each cell, as
    /// rust_xlsxwriter writes a sheet it streams.
    shared_strings: bool,
}

const WORKLOADS: [Workload; 6] = [
    Workload {
        name: "5x50k",
        submissions: 5,
        measures: 12_500,
        error_every: None,
        shared_strings: false,
    },
    Workload {
        name: "5x50k-errors",
        submissions: 5,
        measures: 12_500,
        error_every: Some(ERROR_EVERY),
        shared_strings: false,
    },
    Workload {
        name: "2x500k",
        submissions: 2,
        measures: 125_000,
        error_every: None,
        shared_strings: false,
    },
    Workload {
        name: "2x500k-errors",
        submissions: 2,
        measures: 125_000,
        error_every: Some(ERROR_EVERY),
        shared_strings: false,
    },
    // A million problems, one per row: the report's memory, whatever their number.
    Workload {
        name: "1x1M-bad-values",
        submissions: 1,
        measures: 250_000,
        error_every: Some(1),
        shared_strings: false,
    },
    Workload {
        name: "2x500k-shared",
        submissions: 2,
        measures: 125_000,
        error_every: None,
        shared_strings: true,
    },
];

impl Workload {
    fn kpis(&self) -> usize {
        self.measures * KPIS_PER_MEASURE
    }

    fn rows(&self) -> usize {
        self.submissions * (self.measures + self.kpis())
    }

    /// The errors seeded in the workload: one per seeded KPI row.
    fn seeded_errors(&self) -> usize {
        match self.error_every {
            Some(every) => {
                self.submissions
                    * (0..self.kpis())
                        .filter(|&r| seeded(r, every).is_some())
                        .count()
            }
            None => 0,
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--measure") => return measure_child(&args[1..]),
        Some("--floor") => return floor(&args[1], Path::new(&args[2])),
        _ => {}
    }
    if args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-workload");
    let threads = rayon::current_num_threads();
    for workload in WORKLOADS
        .iter()
        .filter(|w| filter.is_empty() || filter.iter().any(|f| w.name.contains(f.as_str())))
    {
        let dir = root.join(workload.name);
        generate(workload, &dir);
        run(workload, &dir, threads);
    }
}

fn run(workload: &Workload, dir: &Path, threads: usize) {
    let rows = workload.rows();
    let this = std::env::current_exe().expect("the bench executable");
    let dir_arg = dir.display().to_string();
    let annex_bin = env!("CARGO_BIN_EXE_annex");
    // A workload holds only some organisations' workbooks (--partial), some larger than the
    // default limit on what a workbook may unpack to.
    const ROUND: [&str; 3] = ["--partial", "--max-unpacked-mb", "4096"];
    let check_args = [&["check", "--format", "json"][..], &ROUND, &[&dir_arg]].concat();
    // A build of a round with errors stops after its check: only the valid workloads are built.
    let output = dir.with_extension("out");
    let out_arg = output.display().to_string();
    let build_args = [
        &["build", "--format", "json"][..],
        &ROUND,
        &[&dir_arg, "-o", &out_arg],
    ]
    .concat();
    let builds = workload.error_every.is_none();
    // Each program runs several times, the programs in turn, so that a slow spell of the
    // machine falls on all of them alike; each is given by its median run.
    let (mut floor_1, mut floor_n, mut annex, mut build) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs() {
        floor_1.push(measure(&this, &["--floor", "1", &dir_arg]));
        floor_n.push(measure(&this, &["--floor", "n", &dir_arg]));
        annex.push(measure(Path::new(annex_bin), &check_args));
        if builds {
            build.push(measure(Path::new(annex_bin), &build_args));
            let written = std::fs::metadata(output.join("annex.json")).map_or(0, |m| m.len());
            assert!(
                written > 0,
                "{}: annex build wrote no annex.json",
                workload.name
            );
        }
    }
    let (floor_1, floor_n, annex) = (median(floor_1), median(floor_n), median(annex));
    let build = builds.then(|| median(build));
    let errors = serde_json::from_str::<serde_json::Value>(&annex.stdout)
        .ok()
        .and_then(|report| report.get("errors").and_then(serde_json::Value::as_u64));
    println!(
        "\n{}: {} submissions × ({} measures + {} KPIs) = {rows} rows, {threads} threads",
        workload.name,
        workload.submissions,
        workload.measures,
        workload.kpis()
    );
    let floor_n_name = format!("calamine floor, {threads} threads");
    let mut runs = vec![
        ("calamine floor, 1 thread", &floor_1),
        (floor_n_name.as_str(), &floor_n),
        ("annex check", &annex),
    ];
    runs.extend(build.as_ref().map(|build| ("annex build", build)));
    for (name, run) in runs {
        println!(
            "  {name:<26} {:>7.3} s {:>10.0} rows/s  peak {:>6.1} MB  CPU/wall {:.2}",
            run.seconds,
            rows as f64 / run.seconds,
            run.peak_kb as f64 / 1024.0,
            run.cpu_seconds / run.seconds
        );
    }
    println!(
        "  annex / floor: {:.2}× (1 thread), {:.2}× ({threads} threads)",
        annex.seconds / floor_1.seconds,
        annex.seconds / floor_n.seconds
    );
    if let Some(build) = &build {
        println!(
            "  annex build / check: {:.2}× the wall time, in {:.0} MB",
            build.seconds / annex.seconds,
            build.peak_kb as f64 / 1024.0
        );
    }
    let expected = workload.seeded_errors() as u64;
    match errors {
        Some(found) if found == expected => println!("  errors reported: {found}, as seeded"),
        other => panic!(
            "{}: annex reported {other:?} errors, {expected} were seeded",
            workload.name
        ),
    }
}

/// How many times each program runs: `ANNEX_BENCH_RUNS`, else 3.
fn runs() -> usize {
    std::env::var("ANNEX_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .filter(|&runs| runs > 0)
        .unwrap_or(3)
}

/// The run of median wall time, with the highest peak memory of them all.
fn median(mut runs: Vec<Measured>) -> Measured {
    let peak_kb = runs.iter().map(|run| run.peak_kb).max().unwrap_or(0);
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut median = runs.swap_remove(runs.len() / 2);
    median.peak_kb = peak_kb;
    median
}

struct Measured {
    seconds: f64,
    peak_kb: u64,
    cpu_seconds: f64,
    stdout: String,
}

/// Run a program in a process of its own, through a child of this bench whose only child it is,
/// so that the resources its children used are the program's alone.
fn measure(program: &Path, args: &[&str]) -> Measured {
    let this = std::env::current_exe().expect("the bench executable");
    let output = Command::new(this)
        .arg("--measure")
        .arg(program)
        .args(args)
        .output()
        .expect("the measuring child runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let (head, stdout) = text.split_once('\n').unwrap_or((&text, ""));
    let fields: Vec<f64> = head
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [seconds, peak_kb, cpu_seconds] => Measured {
            seconds,
            peak_kb: peak_kb as u64,
            cpu_seconds,
            stdout: stdout.to_string(),
        },
        _ => panic!(
            "{} failed: {text}\n{}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// `--measure program args…`: run it, then print wall seconds, max RSS (kB) and CPU seconds of
/// the child on one line, and the child's stdout after it.
fn measure_child(command: &[String]) {
    let start = Instant::now();
    let output = Command::new(&command[0])
        .args(&command[1..])
        .output()
        .expect("the measured program runs");
    let seconds = start.elapsed().as_secs_f64();
    if !output.status.success() && output.status.code() != Some(1) {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        std::process::exit(2);
    }
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let cpu = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    println!(
        "{seconds} {} {}",
        usage.ru_maxrss,
        cpu(usage.ru_utime) + cpu(usage.ru_stime)
    );
    print!("{}", String::from_utf8_lossy(&output.stdout));
}

/// `--floor 1|n dir`: stream every cell of 取組 and KPI of every submission, on one thread or one
/// workbook per thread.
fn floor(threads: &str, dir: &Path) {
    let files = workbooks(dir);
    let cells: usize = match threads {
        "1" => files.iter().map(|p| touch(p)).sum(),
        _ => files.par_iter().map(|p| touch(p)).sum(),
    };
    assert!(cells > 0, "the workload has cells");
}

fn workbooks(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("workload folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    files.sort();
    files
}

/// Open a workbook and look at every cell of its 取組 and KPI sheets; returns a figure that
/// depends on each, so that none can be skipped.
fn touch(path: &Path) -> usize {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("workbook");
    let mut seen = 0;
    for sheet in ["取組", "KPI"] {
        let Ok(mut cells) = workbook.worksheet_cells_reader(sheet) else {
            continue;
        };
        while let Ok(Some(cell)) = cells.next_cell() {
            seen += match cell.get_value() {
                DataRef::String(text) => text.len(),
                DataRef::SharedString(text) => text.len(),
                DataRef::Empty => 0,
                _ => 1,
            };
        }
    }
    seen
}

/// What is wrong with KPI row `r` (0-based, within its workbook) of a workload with a problem
/// every `every` rows.
fn seeded(r: usize, every: usize) -> Option<usize> {
    if every == 1 {
        return Some(0);
    }
    // Row 50 of each hundred is a third KPI of its measure (50 % 4 == 2), which has a whole (K1)
    // and a K2 before it to duplicate.
    (r % every == 50).then_some((r / every) % 5)
}

/// Write the workload unless it is there already.
fn generate(workload: &Workload, dir: &Path) {
    let marker = dir.join("complete");
    if marker.exists() {
        return;
    }
    let started = Instant::now();
    std::fs::create_dir_all(dir).expect("workload folder");
    let mut council = Workbook::new();
    let sheet = council.add_worksheet().set_name("課題").expect("name");
    write_row(sheet, 0, &["課題ID", "課題"]);
    write_row(sheet, 1, &["1", "課題"]);
    let sheet = council.add_worksheet().set_name("項目").expect("name");
    write_row(sheet, 0, &["項目ID", "課題ID", "項目名"]);
    write_row(sheet, 1, &["1-1", "1", "項目"]);
    let sheet = council.add_worksheet().set_name("論点").expect("name");
    write_row(sheet, 0, &["論点ID", "項目ID", "論点"]);
    for issue in 0..ISSUES {
        write_row(
            sheet,
            issue as u32 + 1,
            &[&issue_id(issue), "1-1", "論点の文章"],
        );
    }
    council.save(dir.join("council.xlsx")).expect("council");
    (0..workload.submissions)
        .into_par_iter()
        .for_each(|n| write_submission(workload, n, dir));
    std::fs::write(marker, b"").expect("marker");
    eprintln!(
        "generated {} in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
}

fn new_sheet<'a>(book: &'a mut Workbook, workload: &Workload) -> &'a mut Worksheet {
    match workload.shared_strings {
        true => book.add_worksheet(),
        false => book.add_worksheet_with_constant_memory().expect("sheet"),
    }
}

fn write_submission(workload: &Workload, n: usize, dir: &Path) {
    let org = ORGS[n];
    let mut book = Workbook::new();
    let measures = new_sheet(&mut book, workload)
        .set_name("取組")
        .expect("name");
    write_row(
        measures,
        0,
        &["取組ID", "論点ID", "取組名", "内容", "担当府省"],
    );
    for m in 0..workload.measures {
        let text = format!("取組{m}について、医療機器の研究開発を支援し、成果をあげた。");
        write_row(
            measures,
            m as u32 + 1,
            &[
                &measure_id(org, m),
                &issue_id((m + n) % ISSUES),
                &format!("【取組{m}】"),
                &text,
                org,
            ],
        );
    }
    let kpis = new_sheet(&mut book, workload)
        .set_name("KPI")
        .expect("name");
    write_row(
        kpis,
        0,
        &[
            "指標ID",
            "取組ID",
            "指標名",
            "値",
            "単位",
            "対象年度（開始）",
            "対象年度（終了）",
            "累計",
            "内数元指標ID",
        ],
    );
    for r in 0..workload.kpis() {
        let (m, k) = (r / KPIS_PER_MEASURE, r % KPIS_PER_MEASURE + 1);
        let measure = measure_id(org, m);
        let mut id = format!("{measure}-K{k}");
        let mut part_of = match k {
            1 => String::new(),
            _ => format!("{measure}-K1"),
        };
        let mut unit = "件";
        let mut value = Some((100 - k) as f64);
        match workload.error_every.and_then(|every| seeded(r, every)) {
            Some(0) => value = None, // written as text below
            Some(1) => unit = "個",
            Some(2) => part_of = format!("{measure}-K9"),
            Some(3) => id = format!("{measure}-K2"),
            Some(4) => value = Some(1000.0),
            _ => {}
        }
        let row = r as u32 + 1;
        write_row(
            kpis,
            row,
            &[
                &id,
                &measure,
                "採択件数",
                "",
                unit,
                "令和2年度",
                "2024",
                "○",
                &part_of,
            ],
        );
        match value {
            Some(value) => kpis.write_number(row, 3, value).expect("value"),
            None => kpis.write_string(row, 3, "集計中").expect("value"),
        };
    }
    book.save(dir.join(format!("{}.xlsx", org.to_lowercase())))
        .expect("submission");
}

fn measure_id(org: &str, m: usize) -> String {
    format!("{org}-{:06}", m + 1)
}

fn issue_id(n: usize) -> String {
    format!("1-1-{:03}", n + 1)
}

fn write_row(sheet: &mut Worksheet, row: u32, cells: &[&str]) {
    for (column, text) in cells.iter().enumerate() {
        if !text.is_empty() {
            sheet.write_string(row, column as u16, *text).expect("cell");
        }
    }
}
