//! Each workbook is opened once, whatever its format and whatever the run asks of it: its limits,
//! its cells, its merges and hidden rows all come from the one open file. Checked as the issue
//! asked, by tracing the files the binary opens (strace, which `.ci/run` installs).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// How many times the run opened each workbook under `input/` and the fixtures.
fn opens(args: &[&str]) -> HashMap<String, usize> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trace = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new("strace")
        .args(["-f", "-e", "trace=openat", "-o"])
        .arg(trace.path())
        .arg(assert_cmd::cargo::cargo_bin("annex"))
        .args(args)
        .current_dir(root)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("strace runs (apt-get install strace)");
    assert!(status.code().is_some(), "annex ran to its end under strace");
    let mut opened = HashMap::new();
    for line in std::fs::read_to_string(trace.path()).unwrap().lines() {
        let Some(path) = line.split('"').nth(1) else {
            continue;
        };
        let workbook = [".xlsx", ".xls", ".ods"].iter().any(|e| path.ends_with(e));
        if workbook && !line.contains("ENOENT") {
            *opened.entry(path.to_string()).or_insert(0) += 1;
        }
    }
    opened
}

#[test]
fn each_workbook_is_opened_once() {
    let folders = ["input", "tests/fixtures/xls", "tests/fixtures/ods"];
    for profile in ["contract", "machine-readable"] {
        let mut args = vec!["check", "--format", "json", "--profile", profile];
        args.extend(folders);
        let opened = opens(&args);
        assert!(opened.len() >= 18, "{profile}: only {opened:?} seen");
        for (path, times) in &opened {
            assert_eq!(*times, 1, "{profile}: {path} opened {times} times");
        }
    }
    let opened = opens(&["check", "input/meti.xlsx", "input/council.xlsx"]);
    assert_eq!(opened.len(), 2, "{opened:?}");
    assert!(opened.values().all(|&times| times == 1), "{opened:?}");
}
