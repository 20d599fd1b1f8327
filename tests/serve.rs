//! `annex serve`: the server started on 127.0.0.1 with a temporary round folder, driven over
//! HTTP as a browser would drive it: links, uploads, the board, who may see what, hostile
//! uploads, concurrent uploads and a restart.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::repo;

/// A running `annex serve`, killed when dropped.
struct Server {
    child: Child,
    /// Each link by who it is for: `secretariat`, or an organisation's code.
    links: HashMap<String, String>,
}

impl Server {
    fn start(round: &Path) -> Server {
        Server::start_with(Command::new(env!("CARGO_BIN_EXE_annex")), round)
    }

    /// The server as a small machine runs it: 256 file descriptors at most.
    fn start_with_256_files(round: &Path) -> Server {
        let mut limited = Command::new("sh");
        limited.args([
            "-c",
            "ulimit -n 256 && exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_annex"),
        ]);
        Server::start_with(limited, round)
    }

    fn start_with(mut command: Command, round: &Path) -> Server {
        let mut child = command
            .args(["serve", "--round"])
            .arg(round)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--max-upload-mb",
                "2",
                "--max-unpacked-mb",
                "10",
                "--lang",
                "en",
                "--links",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut links = HashMap::new();
        while links.len() < 6 {
            let line = lines.next().expect("the links on start").unwrap();
            let Some(link) = line
                .split_whitespace()
                .last()
                .filter(|l| l.starts_with("http://"))
            else {
                continue;
            };
            let who = if line.contains("secretariat") {
                "secretariat".to_string()
            } else {
                line.split('(')
                    .nth(1)
                    .unwrap()
                    .split(')')
                    .next()
                    .unwrap()
                    .to_string()
            };
            links.insert(who, link.to_string());
        }
        Server { child, links }
    }

    fn link(&self, who: &str) -> &str {
        &self.links[who]
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
    headers: HashMap<String, String>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn answer(response: ureq::http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    let headers = (response.headers().iter())
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect::<HashMap<_, _>>();
    let location = headers.get("location").cloned();
    let body = response.into_body().read_to_vec().unwrap_or_default();
    Answer {
        status,
        location,
        body,
        headers,
    }
}

fn get(url: &str) -> Answer {
    answer(agent().get(url).call().unwrap())
}

/// A form upload of one file in the field `workbook`, as a browser sends it.
fn upload(url: &str, name: &str, bytes: &[u8]) -> Answer {
    upload_with(url, name, bytes, &[])
}

/// A form upload with text fields beside the workbook (担当者 and 連絡先).
fn upload_with(url: &str, name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Answer {
    let boundary = "----annex-test-boundary";
    let mut body = Vec::new();
    for (field, value) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"workbook\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    let request = agent().post(url).header(
        "Content-Type",
        format!("multipart/form-data; boundary={boundary}"),
    );
    answer(request.send(&body[..]).unwrap())
}

fn input(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("input").join(name)).unwrap()
}

/// A round folder with the council master uploaded on the board.
fn round_with_council() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let board = server.link("secretariat").to_string();
    let sent = upload(
        &format!("{board}/council"),
        "council.xlsx",
        &input("council.xlsx"),
    );
    assert_eq!(sent.status, 303, "{}", sent.text());
    (dir, server)
}

fn uploads_of(round: &Path, who: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(round.join("uploads").join(who)) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("upload.json").is_file())
        .collect()
}

#[test]
fn an_organisation_uploads_sees_its_problems_and_gets_its_marked_copy() {
    let (dir, server) = round_with_council();
    let meti = server.link("METI").to_string();
    let page = get(&meti);
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("経産省（METI） の提出"),
        "{}",
        page.text()
    );
    let csp = &page.headers["content-security-policy"];
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let script = get(&format!("http://{}/assets/drop.js", host(&meti)));
    assert!(script.headers["content-type"].starts_with("text/javascript"));
    assert!(script.text().contains("dataTransfer"));
    // The template, with the 論点 of the council master uploaded.
    let template = get(&format!("{meti}/template.xlsx"));
    assert_eq!((template.status, &template.body[..2]), (200, &b"PK"[..]));

    let mistakes =
        std::fs::read(repo().join("tests/fixtures/mistakes/meti-openpyxl.xlsx")).unwrap();
    let sent = upload(&format!("{meti}/upload"), "経産省 提出.xlsx", &mistakes);
    assert_eq!(sent.status, 303, "{}", sent.text());
    let location = sent.location.unwrap();
    let page = get(&format!("http://{}{location}", host(&meti)));
    let text = page.text();
    assert!(text.contains("確認結果: 経産省 提出.xlsx"), "{text}");
    assert!(text.contains("エラーあり"), "{text}");
    assert!(
        text.contains("<td class=\"short\">KPI</td>"),
        "a problem at its sheet: {text}"
    );
    let marked = get(&format!("http://{}{location}/marked.xlsx", host(&meti)));
    assert_eq!(marked.status, 200);
    assert_eq!(&marked.body[..2], b"PK", "an xlsx");
    assert!(marked.headers["content-disposition"].contains("filename*=UTF-8''"));
    let report = get(&format!("http://{}{location}/report.html", host(&meti)));
    assert!(report.text().contains("経産省 提出.xlsx"));
    let round = dir.path().display().to_string();
    assert!(
        !text.contains(&round) && !report.text().contains(&round),
        "no path of the server's shown"
    );

    // The board shows METI as submitted with errors, and opens its report.
    let board = get(server.link("secretariat")).text();
    assert!(board.contains("提出済み（エラーあり）"), "{board}");
    assert!(board.contains("未提出"), "the others have sent nothing");
    assert_eq!(uploads_of(dir.path(), "METI").len(), 1);
}

/// `127.0.0.1:port` of a link.
fn host(link: &str) -> &str {
    link.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
}

#[test]
fn nobody_gets_in_where_they_do_not_belong() {
    let (_dir, server) = round_with_council();
    let meti = server.link("METI").to_string();
    let mhlw = server.link("MHLW").to_string();
    let sent = upload(&format!("{meti}/upload"), "meti.xlsx", &input("meti.xlsx"));
    let location = sent.location.unwrap();
    let id = location.rsplit('/').next().unwrap();
    let base = format!("http://{}", host(&meti));
    let meti_secret = meti.rsplit('/').next().unwrap();
    let mhlw_secret = mhlw.rsplit('/').next().unwrap();
    // Another organisation's link does not open METI's upload, nor the board.
    for path in [
        format!("/o/{mhlw_secret}/u/{id}"),
        format!("/o/{mhlw_secret}/u/{id}/marked.xlsx"),
        format!("/s/{meti_secret}"),
        format!("/s/{meti_secret}/o/METI/u/{id}"),
        format!("/o/{}/u/{id}", &meti_secret[..63]),
        "/".to_string(),
        "/s/".to_string(),
        "/uploads/METI".to_string(),
        format!("/o/{meti_secret}/u/{id}/../../secrets.json"),
    ] {
        assert_eq!(get(&format!("{base}{path}")).status, 404, "{path}");
    }
    assert_eq!(get(&format!("{base}{location}")).status, 200);
    let board = server.link("secretariat");
    assert_eq!(get(&format!("{board}/o/METI/u/{id}")).status, 200);
    assert_eq!(get(&format!("{board}/o/%2e%2e/u/{id}")).status, 404);
    // A workbook uploaded through the wrong organisation's link says whose it is, and is never
    // that organisation's submission.
    let before = get(&mhlw).text();
    let wrong = upload(&format!("{mhlw}/upload"), "meti.xlsx", &input("meti.xlsx"));
    assert_eq!(wrong.status, 400);
    assert!(wrong.text().contains("このブックは経産省（METI）のものですが、厚労省（MHLW）のリンクからアップロードされました"), "{}", wrong.text());
    assert!(wrong.text().contains("受け付けていません"));
    assert_eq!(get(&mhlw).text(), before, "厚労省's page is as it was");
    // The board takes a council master only: a submission uploaded there keeps the master in use.
    let council_before = get(board).text();
    let not_council = upload(
        &format!("{board}/council"),
        "meti.xlsx",
        &input("meti.xlsx"),
    );
    assert_eq!(not_council.status, 400);
    assert!(
        not_council.text().contains("協議会マスターではありません"),
        "{}",
        not_council.text()
    );
    assert_eq!(
        get(board).text(),
        council_before,
        "the council master in use is kept"
    );
}

#[test]
fn hostile_uploads_get_a_clear_message_and_leave_the_round_as_it_was() {
    let (dir, server) = round_with_council();
    let meti = server.link("METI").to_string();
    let to = format!("{meti}/upload");
    let empty = upload(&to, "meti.xlsx", b"");
    assert_eq!(empty.status, 400);
    assert!(empty.text().contains("空（0バイト）"), "{}", empty.text());
    let text = upload(&to, "meti.xlsx", b"this is not a workbook\n");
    assert_eq!(text.status, 400);
    assert!(text.text().contains("「meti.xlsx」"), "{}", text.text());
    let named = upload(&to, "notes.txt", b"hello");
    assert_eq!(named.status, 400);
    assert!(named.text().contains("ブックではありません"));
    let large = upload(&to, "big.xlsx", &vec![b'x'; 3 * 1024 * 1024]);
    assert!(matches!(large.status, 400 | 413), "{}", large.status);
    // A name with control characters, or far longer than a name people give a file.
    let long = format!("{}.xlsx", "長".repeat(300));
    for name in ["meti\u{1}.xlsx", long.as_str()] {
        let refused = upload(&to, name, &input("meti.xlsx"));
        assert_eq!(refused.status, 400, "{name}");
        assert!(
            refused.text().contains("制御文字"),
            "{name:?}: {}",
            refused.text().rsplit("<main").next().unwrap_or_default()
        );
    }
    let bomb = zip_bomb();
    let bombed = upload(&to, "bomb.xlsx", &bomb);
    assert_eq!(bombed.status, 400, "{}", bombed.text());
    assert!(uploads_of(dir.path(), "METI").is_empty(), "nothing counted");
    // A name that looks like a path is a name: the file is kept inside the round folder.
    let sneaky = upload(&to, "../../x.xlsx", &input("meti.xlsx"));
    assert_eq!(sneaky.status, 303);
    assert!(!dir.path().parent().unwrap().join("x.xlsx").exists());
    let page = get(&format!(
        "http://{}{}",
        host(&meti),
        sneaky.location.unwrap()
    ))
    .text();
    assert!(page.contains("確認結果: ../../x.xlsx"), "{page}");
    let markup = upload(
        &to,
        "<img src=x onerror=alert(1)>.xlsx",
        &input("meti.xlsx"),
    );
    let page = get(&format!(
        "http://{}{}",
        host(&meti),
        markup.location.unwrap()
    ))
    .text();
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.xlsx"));
    assert!(!page.contains("<img"));
}

/// A small zip whose one part inflates to more than the server accepts (10 MB here).
fn zip_bomb() -> Vec<u8> {
    use std::io::Cursor;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![b'0'; 1024 * 1024];
    for _ in 0..20 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn uploads_at_once_all_land_and_a_restart_shows_the_same_round() {
    let (dir, server) = round_with_council();
    let meti = server.link("METI").to_string();
    let workbook = input("meti.xlsx");
    let threads: Vec<_> = (0..6)
        .map(|n| {
            let (to, bytes) = (format!("{meti}/upload"), workbook.clone());
            std::thread::spawn(move || upload(&to, &format!("meti-{n}.xlsx"), &bytes).status)
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 303);
    }
    assert_eq!(uploads_of(dir.path(), "METI").len(), 6);
    let secrets = |server: &Server| {
        let mut paths: Vec<String> = (server.links.iter())
            .map(|(who, link)| format!("{who} {}", link.split_once(host(link)).unwrap().1))
            .collect();
        paths.sort();
        paths
    };
    let before = secrets(&server);
    drop(server);
    let again = Server::start(dir.path());
    assert_eq!(secrets(&again), before, "the same secrets");
    let page = get(again.link("METI")).text();
    assert_eq!(page.matches("meti-").count(), 6, "{page}");
    assert!(get(again.link("secretariat"))
        .text()
        .contains("提出済み（エラーなし）"));
}

#[test]
fn a_server_killed_mid_upload_counts_no_half_upload() {
    let (dir, mut server) = round_with_council();
    let meti = server.link("METI").to_string();
    upload(&format!("{meti}/upload"), "meti.xlsx", &input("meti.xlsx"));
    // Send the head of an upload and half its body, then kill the server.
    let mut stream = std::net::TcpStream::connect(host(&meti)).unwrap();
    let path = format!("/o/{}/upload", meti.rsplit('/').next().unwrap());
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"workbook\"; filename=\"half.xlsx\"\r\n\r\nPK"
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(stream);
    // What a kill between keeping the workbook and recording it leaves: removed at the next start.
    let half = dir.path().join("uploads/METI/20261204-000000-deadbeef");
    std::fs::create_dir_all(&half).unwrap();
    std::fs::write(half.join("workbook.xlsx"), b"PK").unwrap();
    let again = Server::start(dir.path());
    assert!(
        !half.exists(),
        "a half-written upload folder is removed at start"
    );
    assert_eq!(
        uploads_of(dir.path(), "METI").len(),
        1,
        "the earlier upload only"
    );
    let page = get(again.link("METI")).text();
    assert!(!page.contains("half.xlsx"));
}

/// A WebDriver session of headless Chromium (chromium-driver), closed when dropped.
struct Browser {
    driver: Child,
    base: String,
}

impl Browser {
    fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver runs (apt-get install chromium-driver)");
        let root = format!("http://127.0.0.1:{port}");
        let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
        }}});
        let mut session = None;
        for _ in 0..100 {
            if let Ok(response) = agent()
                .post(format!("{root}/session"))
                .send_json(&capabilities)
            {
                let value: serde_json::Value = answer(response).text().parse().unwrap_or_default();
                session = value["value"]["sessionId"].as_str().map(str::to_string);
                if session.is_some() {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let session = session.expect("a WebDriver session");
        Browser {
            driver,
            base: format!("{root}/session/{session}"),
        }
    }

    fn call(&self, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "GET" => agent().get(&url).call(),
            _ => agent().post(&url).send_json(&body),
        };
        let text = answer(response.unwrap()).text();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", serde_json::json!({"url": url}));
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            serde_json::json!({"using": "css selector", "value": css}),
        );
        found["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .unwrap_or_else(|| panic!("no {css}: {found}"))
            .to_string()
    }

    fn source(&self) -> String {
        self.call("GET", "/source", serde_json::Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn url(&self) -> String {
        self.call("GET", "/url", serde_json::Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = agent().delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn in_chromium_an_organisation_uploads_sees_its_mistakes_and_the_board_its_status() {
    let (_dir, server) = round_with_council();
    let browser = Browser::start();
    browser.open(server.link("METI"));
    assert!(browser.source().contains("アップロードして確認"));
    let mistakes = repo().join("tests/fixtures/mistakes/meti-openpyxl.xlsx");
    let field = browser.find("input[type=file]");
    browser.call(
        "POST",
        &format!("/element/{field}/value"),
        serde_json::json!({"text": mistakes.display().to_string()}),
    );
    let button = browser.find("button[type=submit]");
    browser.call(
        "POST",
        &format!("/element/{button}/click"),
        serde_json::json!({}),
    );
    for _ in 0..200 {
        if browser.url().contains("/u/") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = browser.source();
    assert!(page.contains("確認結果: meti-openpyxl.xlsx"), "{page}");
    assert!(
        page.contains(
            "「METI-001-K2」の値（60）が内数元「METI-001-K1」の値（48）より大きくなっています"
        ),
        "{page}"
    );
    // The marked copy, at the link the page gives.
    let link = browser.find("a[href$='/marked.xlsx']");
    let href = browser.call(
        "GET",
        &format!("/element/{link}/property/href"),
        serde_json::Value::Null,
    );
    let marked = get(href.as_str().unwrap());
    assert_eq!((marked.status, &marked.body[..2]), (200, &b"PK"[..]));
    browser.open(server.link("secretariat"));
    let board = browser.source();
    assert!(
        board.contains("meti-openpyxl.xlsx") && board.contains("提出済み（エラーあり）"),
        "{board}"
    );
}

fn post_form(url: &str, body: &str) -> Answer {
    let request = agent()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded");
    answer(request.send(body).unwrap())
}

#[test]
fn the_board_builds_the_annex_when_the_round_is_whole_or_declared_partial() {
    let (_dir, server) = round_with_council();
    let board = server.link("secretariat").to_string();
    let meti = server.link("METI").to_string();
    upload(&format!("{meti}/upload"), "meti.xlsx", &input("meti.xlsx"));
    // Four organisations have sent nothing: a whole round cannot be built yet.
    assert_eq!(post_form(&format!("{board}/build"), "").status, 303);
    let page = get(&board).text();
    assert!(page.contains("作成できませんでした"), "{page}");
    assert!(
        page.contains("一部の府省のみで作成する」を選んで"),
        "only missing senders: {page}"
    );
    assert_eq!(
        post_form(&format!("{board}/build"), "partial=on").status,
        303
    );
    assert!(get(&board).text().contains("一部の府省のみ"));
    for (code, file) in [
        ("CAO", "cao.xlsx"),
        ("MEXT", "mext.xlsx"),
        ("MHLW", "mhlw.xlsx"),
        ("AMED", "amed.xlsx"),
    ] {
        let sent = upload(&format!("{}/upload", server.link(code)), file, &input(file));
        assert_eq!(sent.status, 303);
    }
    assert_eq!(post_form(&format!("{board}/build"), "").status, 303);
    let page = get(&board).text();
    let link = |file: &str| {
        let at = page
            .find(&format!("/{file}\""))
            .unwrap_or_else(|| panic!("no {file} link: {page}"));
        let start = page[..at].rfind("href=\"").unwrap() + 6;
        format!("http://{}{}/{file}", host(&board), &page[start..at])
    };
    let json = get(&link("annex.json"));
    assert_eq!(json.status, 200);
    assert_eq!(
        json.body,
        std::fs::read(repo().join("output/annex.json")).unwrap(),
        "the council's master"
    );
    assert_eq!(&get(&link("annex.xlsx")).body[..2], b"PK");
    assert!(get(&link("annex.md")).text().starts_with("# "));
    // An organisation's link does not reach the build.
    let meti_secret = meti.rsplit('/').next().unwrap();
    let own = link("annex.json").replace(board.rsplit('/').next().unwrap(), meti_secret);
    assert_eq!(get(&own).status, 404);
    // A build that fails lists its errors where they are, and the last good annex stays.
    let mistakes =
        std::fs::read(repo().join("tests/fixtures/mistakes/meti-openpyxl.xlsx")).unwrap();
    assert_eq!(
        upload(&format!("{meti}/upload"), "meti-誤り.xlsx", &mistakes).status,
        303
    );
    assert_eq!(post_form(&format!("{board}/build"), "").status, 303);
    let failed = get(&board).text();
    assert!(
        failed.contains("次の誤りを各府省の提出で直してから"),
        "{failed}"
    );
    assert!(
        !failed.contains("を選んで作成してください"),
        "a partial build mends no error: {failed}"
    );
    assert!(
        failed.contains("meti-誤り.xlsx") && failed.contains("KPI › D3"),
        "{failed}"
    );
    assert!(
        failed.contains("前回作成した別添は引き続きダウンロードできます"),
        "{failed}"
    );
    assert!(
        failed.contains(&link("annex.json").replace(&format!("http://{}", host(&board)), "")),
        "{failed}"
    );
    assert!(failed.contains("作成に使った提出"), "{failed}");
}

#[test]
fn a_template_from_the_round_folder_s_previous_master_shows_last_round_s_values() {
    let (dir, server) = round_with_council();
    std::fs::copy(
        repo().join("output/annex.json"),
        dir.path().join("previous.json"),
    )
    .unwrap();
    let template = get(&format!("{}/template.xlsx", server.link("CAO")));
    assert_eq!(template.status, 200);
    let path = dir.path().join("downloaded.xlsx");
    std::fs::write(&path, &template.body).unwrap();
    let strings = support::xlsx_part(&path, "xl/sharedStrings.xml");
    assert!(
        strings.contains("前回値") && strings.contains("CAO-001-K2"),
        "{strings}"
    );
}

/// Slow clients, as an attacker on the intranet would send them: 300 connections that send half
/// a request head and hold, and one that sends a body a byte a second. The secretariat's board
/// still answers at once.
#[test]
fn slow_clients_cannot_hold_the_server() {
    let round = tempfile::tempdir().unwrap();
    let server = Server::start_with_256_files(round.path());
    let board = server.link("secretariat").to_string();
    let address = board
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut slow = Vec::new();
    for _ in 0..300 {
        if let Ok(mut stream) = std::net::TcpStream::connect(&address) {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
            slow.push(stream);
        }
    }
    assert!(slow.len() > 200, "the slow clients connected");
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let answered = agent().get(&board).call().map(|r| r.status().as_u16());
    assert_eq!(answered.ok(), Some(200));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the board answered in {:?}",
        started.elapsed()
    );
    drop(slow);
}

/// A form posted from a page of another site (cross-site request forgery) is refused and
/// changes nothing; the same form from the server's own page is taken.
#[test]
fn a_form_posted_from_another_site_is_refused() {
    let round = tempfile::tempdir().unwrap();
    let server = Server::start(round.path());
    let board = server.link("secretariat").to_string();
    let own = board.split('/').take(3).collect::<Vec<_>>().join("/");
    let build = format!("{board}/build");
    let post = |origin: &str| {
        answer(
            agent()
                .post(&build)
                .header("Origin", origin)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send("partial=on")
                .unwrap(),
        )
    };
    for origin in ["http://evil.example", "null"] {
        let refused = post(origin);
        assert_eq!(refused.status, 403, "{origin}: {}", refused.text());
        assert!(refused
            .text()
            .contains("別のサイトからの送信は受け付けません"));
    }
    assert_ne!(post(&own).status, 403, "the server's own page may post");
    let page = get(&board);
    assert_eq!(
        page.headers.get("referrer-policy").map(String::as_str),
        Some("same-origin")
    );
}

/// The links hold the secrets: printed on the start that makes them, and on a later start only
/// when asked for, so that a log of later starts holds none.
#[test]
fn a_later_start_prints_no_secret_unless_asked() {
    let round = tempfile::tempdir().unwrap();
    let first_lines = |extra: &[&str]| -> Vec<String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_annex"))
            .args(["serve", "--round"])
            .arg(round.path())
            .args(["--listen", "127.0.0.1:0", "--lang", "en"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut read = Vec::new();
        // The first line says where it runs; the links, or the word that they are not shown, follow.
        while let Some(Ok(line)) = lines.next() {
            let last = line.contains("AMED") || line.contains("--links prints them");
            read.push(line);
            if last {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        read
    };
    let secrets: serde_json::Value = {
        let first = first_lines(&[]);
        assert!(first.iter().any(|l| l.contains("/s/")), "{first:?}");
        serde_json::from_slice(&std::fs::read(round.path().join("secrets.json")).unwrap()).unwrap()
    };
    let secretariat = secrets["secretariat"].as_str().unwrap().to_string();
    let second = first_lines(&[]);
    assert!(!second.join("\n").contains(&secretariat), "{second:?}");
    assert!(second.iter().any(|l| l.contains("--links")), "{second:?}");
    let asked = first_lines(&["--links"]);
    assert!(asked.join("\n").contains(&secretariat), "{asked:?}");
}

/// An upload made before the council master arrives is checked again when it does: its result
/// is never that of a master that has changed, and names the master it was checked beside.
#[test]
fn an_upload_is_checked_again_when_the_council_master_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let meti = server.link("METI").to_string();
    // 9-9-99 is no issue of the council's: nobody can tell until its master is there.
    let mut files = support::seed();
    let measures = support::rows(&mut files, "meti", "取組");
    measures[0]["issue_id"] = "9-9-99".into();
    let (_, meti_rows) = files.iter().find(|(stem, _)| stem == "meti").unwrap();
    let schemas = annex::schema::Schemas::embedded().unwrap();
    let workbook =
        annex::write::workbook_from_rows(meti_rows["sheets"].as_object().unwrap(), &schemas)
            .unwrap();
    let sent = upload(&format!("{meti}/upload"), "meti.xlsx", &workbook);
    assert_eq!(sent.status, 303);
    let page_of_upload = format!("http://{}{}", host(&meti), sent.location.unwrap());
    let recorded = |who: &str| -> serde_json::Value {
        let folder = uploads_of(dir.path(), who).pop().unwrap();
        serde_json::from_slice(&std::fs::read(folder.join("upload.json")).unwrap()).unwrap()
    };
    let before = recorded("METI");
    assert_eq!(before["errors"], 0, "no council master yet: {before}");
    assert!(get(&page_of_upload)
        .text()
        .contains("協議会マスターがまだないため"));
    let board = server.link("secretariat").to_string();
    let council = upload(
        &format!("{board}/council"),
        "council.xlsx",
        &input("council.xlsx"),
    );
    assert_eq!(council.status, 303);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let after = loop {
        let after = recorded("METI");
        if !after["checked_against"].is_null() {
            break after;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "checked again within a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(after["checked_against"][0], "council.xlsx");
    assert!(
        after["errors"].as_u64().unwrap() >= 1,
        "9-9-99 is reported now: {after}"
    );
    assert_eq!(after["id"], before["id"], "the same upload, checked again");
    let report = std::fs::read_to_string(
        uploads_of(dir.path(), "METI")
            .pop()
            .unwrap()
            .join("report.json"),
    )
    .unwrap();
    assert!(report.contains("9-9-99"), "{report}");
    // The page says which master it was checked beside, once the check is done.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let page = get(&page_of_upload).text();
        if !page.contains("再確認中") {
            assert!(page.contains("協議会マスター「council.xlsx」"), "{page}");
            break;
        }
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Who uploaded: the 担当者 and a contact, typed on the form, kept with the upload and shown to
/// the secretariat.
#[test]
fn an_upload_says_who_sent_it() {
    let (dir, server) = round_with_council();
    let meti = server.link("METI").to_string();
    let fields = [("person", "経産 太郎\u{7}"), ("contact", "内線 1234")];
    let sent = upload_with(
        &format!("{meti}/upload"),
        "meti.xlsx",
        &input("meti.xlsx"),
        &fields,
    );
    assert_eq!(sent.status, 303);
    let folder = uploads_of(dir.path(), "METI").pop().unwrap();
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("upload.json")).unwrap()).unwrap();
    assert_eq!(
        recorded["person"], "経産 太郎",
        "a control character is dropped"
    );
    assert_eq!(recorded["contact"], "内線 1234");
    let board = get(server.link("secretariat")).text();
    assert!(
        board.contains("経産 太郎") && board.contains("内線 1234"),
        "{board}"
    );
    // Without them, nothing is made up.
    upload(&format!("{meti}/upload"), "meti.xlsx", &input("meti.xlsx"));
    let board = get(server.link("secretariat")).text();
    assert!(
        !board.contains("経産 太郎"),
        "the latest upload names nobody"
    );
}

/// Every organisation's marked copy in one zip, for the secretariat to send back at once; the
/// organisations' links do not reach it.
#[test]
fn the_board_gives_every_marked_copy_in_one_zip() {
    let (_dir, server) = round_with_council();
    for (code, file) in [("METI", "meti.xlsx"), ("AMED", "amed.xlsx")] {
        let sent = upload(&format!("{}/upload", server.link(code)), file, &input(file));
        assert_eq!(sent.status, 303);
    }
    let board = server.link("secretariat").to_string();
    let zipped = get(&format!("{board}/marked.zip"));
    assert_eq!(zipped.status, 200);
    assert_eq!(
        zipped.headers.get("content-type").map(String::as_str),
        Some("application/zip")
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped.body)).unwrap();
    let mut names: Vec<String> = (archive.file_names())
        .map(|name| name.unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["AMED_amed（確認結果）.xlsx", "経産省_meti（確認結果）.xlsx"]
    );
    let mut first = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_index(0).unwrap(), &mut first).unwrap();
    assert_eq!(&first[..2], b"PK", "each entry is a workbook");
    let meti = server.link("METI").to_string();
    let secret = board.rsplit('/').next().unwrap();
    let theirs = format!("{board}/marked.zip").replace(secret, meti.rsplit('/').next().unwrap());
    assert_eq!(get(&theirs).status, 404);
}
