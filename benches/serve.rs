//! The load `annex serve` takes (`cargo bench --bench serve`): the release server on loopback
//! with a temporary round, the council master uploaded, then 50 uploads of a council-sized
//! workbook (`input/meti.xlsx`) at once, each on a connection of its own. It prints the latency
//! of each upload's answer (the check included) as p50, p99 and max, and fails unless every
//! upload is answered with its page and lands in the organisation's history.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const UPLOADS: usize = 50;

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let round = tempfile::tempdir().expect("a temporary round");
    let mut server = Command::new(env!("CARGO_BIN_EXE_annex"))
        .args(["serve", "--round"])
        .arg(round.path())
        .args(["--listen", "127.0.0.1:0", "--lang", "en", "--links"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("annex serve starts");
    let stdout = server.stdout.take().expect("its output");
    let mut links = Vec::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(link) = line
            .split_whitespace()
            .last()
            .filter(|l| l.starts_with("http://"))
        {
            links.push((line.clone(), link.to_string()));
        }
        if links.len() == 6 {
            break;
        }
    }
    let link = |who: &str| {
        (links.iter())
            .find(|(line, _)| line.contains(who))
            .map(|(_, link)| link.clone())
            .expect("a link")
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let council = std::fs::read(repo.join("input/council.xlsx")).expect("input/council.xlsx");
    let meti = std::fs::read(repo.join("input/meti.xlsx")).expect("input/meti.xlsx");
    assert_eq!(
        upload(&format!("{}/council", link("secretariat")), &council).0,
        303
    );
    let to = format!("{}/upload", link("METI"));
    let started = Instant::now();
    let threads: Vec<_> = (0..UPLOADS)
        .map(|_| {
            let (to, bytes) = (to.clone(), meti.clone());
            std::thread::spawn(move || upload(&to, &bytes))
        })
        .collect();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .map(|thread| {
            let (status, took) = thread.join().expect("an upload thread");
            assert_eq!(status, 303, "every upload is answered with its page");
            took
        })
        .collect();
    let wall = started.elapsed();
    let kept = std::fs::read_dir(round.path().join("uploads/METI"))
        .map(|entries| {
            (entries.filter_map(Result::ok))
                .filter(|e| e.path().join("upload.json").is_file())
                .count()
        })
        .unwrap_or(0);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(kept, UPLOADS, "every upload lands in the history");
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    println!(
        "\nannex serve: {UPLOADS} uploads of input/meti.xlsx at once, {:.2} s in all ({:.1} uploads/s)",
        wall.as_secs_f64(),
        UPLOADS as f64 / wall.as_secs_f64()
    );
    println!(
        "  latency (answer with the check): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; {kept} kept",
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

/// One form upload on a connection of its own: its status and how long its answer took.
fn upload(url: &str, bytes: &[u8]) -> (u16, Duration) {
    let boundary = "----annex-bench";
    let mut body = Vec::new();
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"workbook\"; filename=\"meti.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").expect("a body in memory");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let started = Instant::now();
    let response = agent
        .post(url)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&body[..])
        .expect("an answer");
    (response.status().as_u16(), started.elapsed())
}
