//! `cargo bench`: how fast annex checks a large workload, against the floor of merely reading it.
//!
//! Generates (once, under `target/bench-workload/`) a council master and 5 submissions of
//! 12,500 measures + 50,000 KPIs each, all valid, then times, each in a child process of its own so
//! that peak memory is the run's own:
//! - the floor: calamine alone opens every workbook and touches every cell of 取組 and KPI, on
//!   one thread and on as many threads as annex uses;
//! - annex: discover, read, validate (schemas and cross-record rules), as `annex check` does.
//!
//! It prints seconds, rows per second, annex/floor ratios, peak memory (VmHWM) and CPU time over
//! wall time (how busy the cores were).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader};
use rayon::prelude::*;
use rust_xlsxwriter::Workbook;

const SUBMISSIONS: usize = 5;
const MEASURES: usize = 12_500;
const KPIS_PER_MEASURE: usize = 4;
const ISSUES: usize = 100;
const ORGS: [&str; 5] = ["CAO", "MEXT", "MHLW", "METI", "AMED"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(position) = args.iter().position(|a| a == "--child") {
        let what = args
            .get(position + 1)
            .map(String::as_str)
            .unwrap_or_default();
        let dir = PathBuf::from(
            args.get(position + 2)
                .map(String::as_str)
                .unwrap_or_default(),
        );
        child(what, &dir);
        return;
    }
    if args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-workload");
    let rows = generate(&dir);
    let threads = rayon::current_num_threads();
    println!("workload: {SUBMISSIONS} submissions × ({MEASURES} measures + {} KPIs) = {rows} rows, {threads} threads", MEASURES * KPIS_PER_MEASURE);
    let floor_1 = measure("floor-1", &dir);
    let floor_n = measure("floor-n", &dir);
    let annex = measure("annex", &dir);
    for (name, (seconds, peak, cpu)) in [
        ("calamine floor, 1 thread", floor_1),
        (&*format!("calamine floor, {threads} threads"), floor_n),
        ("annex check", annex),
    ] {
        println!(
            "{name:<28} {seconds:>7.3} s  {:>10.0} rows/s  peak {:>6.1} MB  CPU/wall {:.2}",
            rows as f64 / seconds,
            peak as f64 / 1024.0,
            cpu / seconds
        );
    }
    println!("annex / floor (1 thread): {:.2}×", annex.0 / floor_1.0);
    println!(
        "annex / floor ({threads} threads): {:.2}×",
        annex.0 / floor_n.0
    );
}

/// Run one measurement in a child process: (seconds, peak kB, CPU seconds).
fn measure(what: &str, dir: &Path) -> (f64, u64, f64) {
    let output = Command::new(std::env::current_exe().expect("the bench executable"))
        .args(["--child", what])
        .arg(dir)
        .output()
        .expect("the child runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut fields = text.split_whitespace();
    let seconds = fields.next().and_then(|s| s.parse().ok());
    let peak = fields.next().and_then(|s| s.parse().ok());
    let cpu = fields.next().and_then(|s| s.parse().ok());
    match (seconds, peak, cpu) {
        (Some(seconds), Some(peak), Some(cpu)) => (seconds, peak, cpu),
        _ => panic!(
            "{what} failed: {text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

fn child(what: &str, dir: &Path) {
    let start = Instant::now();
    match what {
        "floor-1" => {
            let cells: usize = workbooks(dir).iter().map(|p| touch(p)).sum();
            assert!(cells > 0);
        }
        "floor-n" => {
            let cells: usize = workbooks(dir).par_iter().map(|p| touch(p)).sum();
            assert!(cells > 0);
        }
        "annex" => {
            let schemas = annex::schema::Schemas::embedded().expect("schemas");
            let inputs = annex::read::discover(&[dir.to_path_buf()]).expect("workload");
            let mut reading =
                annex::read::read_all(&inputs, &schemas, annex::read::ReadOptions::default());
            let diagnostics =
                annex::validate::validate(&mut reading.records, &reading.sheets, &schemas);
            assert!(
                reading.diagnostics.is_empty() && diagnostics.is_empty(),
                "the workload is valid: {:?}",
                diagnostics.first()
            );
        }
        other => panic!("unknown measurement {other}"),
    }
    println!(
        "{} {} {}",
        start.elapsed().as_secs_f64(),
        peak_kb(),
        cpu_seconds()
    );
}

/// User plus system CPU time of this process, from /proc (clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |at: usize| {
        fields
            .get(at)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
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

/// Open a workbook and touch every cell of its 取組 and KPI sheets; returns how many were filled.
fn touch(path: &Path) -> usize {
    let mut workbook = open_workbook_auto(path).expect("workbook");
    let mut filled = 0;
    for sheet in ["取組", "KPI"] {
        if let Ok(range) = workbook.worksheet_range(sheet) {
            filled += range
                .used_cells()
                .filter(|(_, _, c)| **c != Data::Empty)
                .count();
        }
    }
    filled
}

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Write the workload unless it is there already; returns the number of data rows.
fn generate(dir: &Path) -> usize {
    let rows = SUBMISSIONS * MEASURES * (1 + KPIS_PER_MEASURE);
    let marker = dir.join(format!("complete-{rows}"));
    if marker.exists() {
        return rows;
    }
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
    for (n, org) in ORGS.iter().enumerate().take(SUBMISSIONS) {
        let mut book = Workbook::new();
        let measures = book.add_worksheet().set_name("取組").expect("name");
        write_row(
            measures,
            0,
            &["取組ID", "論点ID", "取組名", "内容", "担当府省"],
        );
        for m in 0..MEASURES {
            let id = format!("{org}-{:05}", m + 1);
            let text = format!("取組{m}について、医療機器の研究開発を支援し、成果をあげた。");
            write_row(
                measures,
                m as u32 + 1,
                &[
                    &id,
                    &issue_id((m + n) % ISSUES),
                    &format!("【取組{m}】"),
                    &text,
                    org,
                ],
            );
        }
        let kpis = book.add_worksheet().set_name("KPI").expect("name");
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
        let mut row = 1;
        for m in 0..MEASURES {
            let measure = format!("{org}-{:05}", m + 1);
            for k in 1..=KPIS_PER_MEASURE {
                let id = format!("{measure}-K{k}");
                let part_of = if k > 1 {
                    format!("{measure}-K1")
                } else {
                    String::new()
                };
                write_row(
                    kpis,
                    row,
                    &[
                        &id,
                        &measure,
                        "採択件数",
                        "",
                        "件",
                        "令和2年度",
                        "2024",
                        "○",
                        &part_of,
                    ],
                );
                kpis.write_number(row, 3, (100 - k) as f64).expect("value");
                row += 1;
            }
        }
        book.save(dir.join(format!("{}.xlsx", org.to_lowercase())))
            .expect("submission");
    }
    std::fs::write(marker, b"").expect("marker");
    rows
}

fn issue_id(n: usize) -> String {
    format!("1-1-{:03}", n + 1)
}

fn write_row(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, cells: &[&str]) {
    for (column, text) in cells.iter().enumerate() {
        if !text.is_empty() {
            sheet.write_string(row, column as u16, *text).expect("cell");
        }
    }
}
