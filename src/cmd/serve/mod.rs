//! `annex serve --round DIR`: the round in a browser, for people who never open a terminal. Each
//! organisation has a link of its own (a random secret) to download its template, upload its
//! workbook and see at once what is wrong with it, with the marked copy to download; the
//! secretariat's link opens the board of every organisation's status. The round folder
//! ([`folder`]) is the only state; checks run off the event loop, one blocking task each.

mod folder;
mod listen;
mod pages;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use super::check::examine;
use super::{load_schemas, Fatal};
use crate::cli::ServeConfig;
use crate::input::{Input, Limits, WORKBOOK_EXTENSIONS};
use crate::lang::{Lang, Text};
use crate::mark::{self, Marked};
use crate::read::ReadOptions;
use crate::report::{Diagnostic, Findings, Format, Location, Report};
use crate::schema::Schemas;
use crate::validate::across_rounds::DEFAULT_THRESHOLD;
use crate::validate::round::Sender;
use crate::validate::{rule_fields, Profile};
use crate::write::Audience;
use folder::{sha256, workbook_in, Holder, RoundFolder, Upload, COUNCIL};

/// What every handler shares.
struct App {
    folder: RoundFolder,
    schemas: Schemas,
    limits: Limits,
    /// Held while uploads are checked again: two council masters in a row are checked in turn,
    /// so that the last result is always the newest master's.
    recheck_turn: std::sync::Mutex<()>,
}

type Shared = Arc<App>;

pub fn run(config: ServeConfig) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    let folder = RoundFolder::open(&config.round, &schemas).map_err(|source| Fatal::Write {
        path: config.round.clone(),
        source,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Fatal::Print)?;
    let app = Arc::new(App {
        folder,
        schemas,
        limits: config.limits,
        recheck_turn: std::sync::Mutex::new(()),
    });
    folder::show_times_in(config.utc_offset);
    let links = config.links || app.folder.new_links;
    runtime.block_on(serve(
        app,
        config.listen,
        config.max_upload,
        (config.lang, links),
    ))
}

async fn serve(
    app: Shared,
    listen: SocketAddr,
    max_upload: usize,
    (lang, links): (Lang, bool),
) -> Result<ExitCode, Fatal> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| Fatal::Write {
            path: PathBuf::from(listen.to_string()),
            source,
        })?;
    let bound = listener.local_addr().map_err(Fatal::Print)?;
    print_links(&app, bound, lang, links);
    let router = Router::new()
        .route("/o/{secret}", get(organisation_page))
        .route("/o/{secret}/upload", post(organisation_upload))
        .route("/o/{secret}/template.xlsx", get(organisation_template))
        .route("/o/{secret}/u/{id}", get(organisation_upload_page))
        .route("/o/{secret}/u/{id}/{file}", get(organisation_upload_file))
        .route("/assets/drop.js", get(drop_script))
        .route("/s/{secret}", get(board))
        .route("/s/{secret}/council", post(council_upload))
        .route("/s/{secret}/build", post(build_annex))
        .route("/s/{secret}/build/{id}/{file}", get(built_file))
        .route("/s/{secret}/marked.zip", get(every_marked_copy))
        .route("/s/{secret}/o/{who}/u/{id}", get(board_upload_page))
        .route("/s/{secret}/o/{who}/u/{id}/{file}", get(board_upload_file))
        .fallback(|| async { not_found() })
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(axum::middleware::from_fn(same_origin))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app);
    listen::serve(listener, router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(ExitCode::SUCCESS)
}

/// What the server says on start, in the reader's language: where it runs and, with `links`,
/// one line per organisation and one for the secretariat.
fn print_links(app: &App, bound: SocketAddr, lang: Lang, links: bool) {
    let link = |prefix: &str, holder: &Holder| {
        let secret = app.folder.secret_of(holder).unwrap_or_default();
        format!("http://{bound}/{prefix}/{secret}")
    };
    let dir = app.folder.dir.display();
    let mut lines = vec![
        Text::new(
            format!("annex serve: the round in {dir}, on http://{bound}/ (Ctrl+C stops it)"),
            format!(
                "annex serve: ラウンドのフォルダ {dir}、http://{bound}/ で受付中（Ctrl+C で停止）"
            ),
        ),
        Text::new(
            format!("  secretariat: {}", link("s", &Holder::Secretariat)),
            format!("  事務局: {}", link("s", &Holder::Secretariat)),
        ),
    ];
    for org in &app.schemas.organisations {
        let holder = Holder::Organisation(org.code.clone());
        lines.push(Text::new(
            format!(
                "  {} ({}): {}",
                org.short_name,
                org.code,
                link("o", &holder)
            ),
            format!(
                "  {}（{}）: {}",
                org.short_name,
                org.code,
                link("o", &holder)
            ),
        ));
    }
    if !links {
        lines.truncate(1);
        lines.push(Text::new(
            format!(
                "  the links are not printed again: annex serve --round {dir} --links prints them"
            ),
            format!("  リンクは再表示しません。表示するには annex serve --round {dir} --links"),
        ));
    }
    for line in lines {
        println!("{}", line.get(lang));
    }
}

/// Every response: no framing, no sniffing, nothing from elsewhere, nothing kept by a proxy.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |value: &'static str| HeaderValue::from_static(value);
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        set("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, set("nosniff"));
    // Another site is never told a page's address (it holds the link's secret); this server's
    // own forms are, so that their Origin can be checked.
    headers.insert(header::REFERRER_POLICY, set("same-origin"));
    headers.insert(header::CACHE_CONTROL, set("no-store"));
    response
}

/// Refuses a form posted from a page of another site (cross-site request forgery): a browser
/// says where a form comes from in `Origin`, which must be this server. A client that is no
/// browser sends none, and cannot be made to post on someone's behalf.
async fn same_origin(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if request.method() == axum::http::Method::POST {
        let header = |name| {
            (request.headers().get(name)).and_then(|value: &HeaderValue| value.to_str().ok())
        };
        if let Some(origin) = header(header::ORIGIN) {
            let from = origin.split_once("://").map(|(_, host)| host);
            if from.is_none() || from != header(header::HOST) {
                return (StatusCode::FORBIDDEN, pages::other_origin()).into_response();
            }
        }
    }
    next.run(request).await
}

/// Dropping a file anywhere on an upload form puts it in the form's file field, where a browser
/// runs scripts; without them the field is chosen or dropped on as usual.
const DROP_SCRIPT: &str = r#"for (const form of document.querySelectorAll("form[data-drop]")) {
  const field = form.querySelector("input[type=file]");
  form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("over"); });
  form.addEventListener("dragleave", () => form.classList.remove("over"));
  form.addEventListener("drop", (e) => {
    e.preventDefault();
    form.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length > 0) { field.files = e.dataTransfer.files; }
  });
}
"#;

async fn drop_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        DROP_SCRIPT,
    )
        .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, pages::not_found()).into_response()
}

/// The organisation a link is for; anything else is not found.
fn organisation(app: &App, secret: &str) -> Option<String> {
    match app.folder.holder(secret) {
        Some(Holder::Organisation(code)) => Some(code),
        _ => None,
    }
}

/// Whether a path names a sender of the round: the council master or an organisation.
fn sender_known(app: &App, who: &str) -> bool {
    who == COUNCIL || app.schemas.organisations.iter().any(|o| o.code == who)
}

/// Whether a link is the secretariat's.
fn secretariat(app: &App, secret: &str) -> bool {
    app.folder.holder(secret) == Some(Holder::Secretariat)
}

async fn organisation_page(
    State(app): State<Shared>,
    UrlPath(secret): UrlPath<String>,
) -> Response {
    let Some(code) = organisation(&app, &secret) else {
        return not_found();
    };
    let uploads = app.folder.uploads(&code);
    pages::organisation(&app.schemas, &code, &secret, &uploads, None, None, None).into_response()
}

/// The organisation's template: pre-filled from last round's master where the round folder has
/// one, else with the 論点 of the council master uploaded.
async fn organisation_template(
    State(app): State<Shared>,
    UrlPath(secret): UrlPath<String>,
) -> Response {
    let Some(code) = organisation(&app, &secret) else {
        return not_found();
    };
    let made = tokio::task::spawn_blocking(move || template_for(&app, &code)).await;
    match made {
        Ok(Some(bytes)) => attachment(bytes, "template.xlsx"),
        _ => not_found(),
    }
}

fn template_for(app: &App, code: &str) -> Option<Vec<u8>> {
    let schemas = &app.schemas;
    let (master, prefill) = match app.folder.previous() {
        Some(path) => (crate::compare::previous::read(&path, schemas).ok()?, true),
        None => {
            let inputs: Vec<Input> = (app.folder.submission(COUNCIL).into_iter())
                .map(|(_, path)| Input {
                    shown: path.display().to_string().into(),
                    path,
                })
                .collect();
            (super::template::master_of(&inputs, schemas), false)
        }
    };
    crate::write::template_bytes(schemas, &Audience::Organisation(code), &master, prefill).ok()
}

async fn organisation_upload_page(
    State(app): State<Shared>,
    UrlPath((secret, id)): UrlPath<(String, String)>,
) -> Response {
    let Some(code) = organisation(&app, &secret) else {
        return not_found();
    };
    let Some((upload, folder)) = app.folder.upload(&code, &id) else {
        return not_found();
    };
    let uploads = app.folder.uploads(&code);
    let report = std::fs::read(folder.join("report.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    pages::organisation(
        &app.schemas,
        &code,
        &secret,
        &uploads,
        Some(&upload),
        report.as_ref(),
        None,
    )
    .into_response()
}

async fn organisation_upload_file(
    State(app): State<Shared>,
    UrlPath((secret, id, file)): UrlPath<(String, String, String)>,
) -> Response {
    match organisation(&app, &secret) {
        Some(code) => upload_file(&app, &code, &id, &file),
        None => not_found(),
    }
}

async fn board_upload_file(
    State(app): State<Shared>,
    UrlPath((secret, who, id, file)): UrlPath<(String, String, String, String)>,
) -> Response {
    match secretariat(&app, &secret) && sender_known(&app, &who) {
        true => upload_file(&app, &who, &id, &file),
        false => not_found(),
    }
}

/// An upload's report page or marked copy, by the fixed names a page links to.
fn upload_file(app: &App, who: &str, id: &str, file: &str) -> Response {
    let Some((upload, folder)) = app.folder.upload(who, id) else {
        return not_found();
    };
    match file {
        "report.html" => match std::fs::read(folder.join("report.html")) {
            Ok(page) => {
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
            }
            Err(_) => not_found(),
        },
        "marked.xlsx" => {
            let marked = std::fs::read_dir(folder.join("marked"))
                .ok()
                .and_then(|mut entries| entries.find_map(|e| e.ok().map(|e| e.path())));
            match marked.and_then(|path| std::fs::read(path).ok()) {
                Some(bytes) => attachment(bytes, &marked_name(&upload)),
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

/// Every organisation's latest marked copy in one zip, for the secretariat to send them back:
/// each named after its organisation and the file it came as.
async fn every_marked_copy(
    State(app): State<Shared>,
    UrlPath(secret): UrlPath<String>,
) -> Response {
    if !secretariat(&app, &secret) {
        return not_found();
    }
    let shared = app.clone();
    let zipped = tokio::task::spawn_blocking(move || marked_copies_zip(&shared)).await;
    match zipped {
        Ok(Ok(bytes)) => {
            let mut response = attachment(bytes, "確認用ブック（全府省）.zip");
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            response
        }
        _ => {
            let page = pages::board(&app.schemas, &app.folder, &secret, Some(&failed()));
            (StatusCode::INTERNAL_SERVER_ERROR, page).into_response()
        }
    }
}

/// The latest marked copy of every organisation that has one, zipped.
fn marked_copies_zip(app: &App) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for org in &app.schemas.organisations {
        let Some((upload, workbook)) = app.folder.submission(&org.code) else {
            continue;
        };
        let marked = (workbook.parent().map(|folder| folder.join("marked")))
            .and_then(|folder| std::fs::read_dir(folder).ok())
            .and_then(|mut entries| entries.find_map(|e| e.ok().map(|e| e.path())));
        let Some(bytes) = marked.and_then(|path| std::fs::read(path).ok()) else {
            continue;
        };
        let name = format!("{}_{}", org.short_name, marked_name(&upload));
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// The marked copy's name for the person downloading it: their file's, marked.
fn marked_name(upload: &Upload) -> String {
    let stem = Path::new(&upload.file_name)
        .file_stem()
        .map_or_else(|| "workbook".into(), |s| s.to_string_lossy().into_owned());
    format!("{stem}（確認結果）.xlsx")
}

fn attachment(bytes: Vec<u8>, name: &str) -> Response {
    // The name, in RFC 5987 form, so that no character of it can break the header.
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let disposition = format!("attachment; filename=\"workbook.xlsx\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn organisation_upload(
    State(app): State<Shared>,
    UrlPath(secret): UrlPath<String>,
    multipart: Multipart,
) -> Response {
    let Some(code) = organisation(&app, &secret) else {
        return not_found();
    };
    match receive(&app, &code, multipart).await {
        Ok(upload) => Redirect::to(&format!("/o/{secret}/u/{}", upload.id)).into_response(),
        Err(problem) => {
            let uploads = app.folder.uploads(&code);
            let page = pages::organisation(
                &app.schemas,
                &code,
                &secret,
                &uploads,
                None,
                None,
                Some(&problem),
            );
            (StatusCode::BAD_REQUEST, page).into_response()
        }
    }
}

async fn council_upload(
    State(app): State<Shared>,
    UrlPath(secret): UrlPath<String>,
    multipart: Multipart,
) -> Response {
    if !secretariat(&app, &secret) {
        return not_found();
    }
    match receive(&app, COUNCIL, multipart).await {
        Ok(_) => {
            // Off the event loop, and answered at once: the board says 再確認中 meanwhile.
            let senders = to_recheck(&app);
            let shared = app.clone();
            tokio::task::spawn_blocking(move || recheck(&shared, &senders));
            Redirect::to(&format!("/s/{secret}")).into_response()
        }
        Err(problem) => {
            let page = pages::board(&app.schemas, &app.folder, &secret, Some(&problem));
            (StatusCode::BAD_REQUEST, page).into_response()
        }
    }
}

async fn board(State(app): State<Shared>, UrlPath(secret): UrlPath<String>) -> Response {
    match secretariat(&app, &secret) {
        true => pages::board(&app.schemas, &app.folder, &secret, None).into_response(),
        false => not_found(),
    }
}

/// The form of the board's build button: whether the round is declared partial.
#[derive(serde::Deserialize)]
struct BuildForm {
    partial: Option<String>,
}

async fn build_annex(
    State(app): State<Shared>,
    UrlPath(secret): UrlPath<String>,
    axum::Form(form): axum::Form<BuildForm>,
) -> Response {
    if !secretariat(&app, &secret) {
        return not_found();
    }
    let partial = form.partial.is_some();
    let built = tokio::task::spawn_blocking({
        let app = app.clone();
        move || build_latest(&app, partial)
    })
    .await;
    match built {
        Ok(Ok(_)) => Redirect::to(&format!("/s/{secret}")).into_response(),
        _ => {
            let page = pages::board(&app.schemas, &app.folder, &secret, Some(&failed()));
            (StatusCode::INTERNAL_SERVER_ERROR, page).into_response()
        }
    }
}

/// Build the annex from every sender's latest upload, beside last round's master when the
/// round folder has one, into a build folder of its own.
fn build_latest(app: &App, partial: bool) -> Result<folder::Build, Fatal> {
    let senders = std::iter::once(COUNCIL.to_string())
        .chain(app.schemas.organisations.iter().map(|o| o.code.clone()));
    let read: Vec<(folder::BuildInput, PathBuf)> = senders
        .filter_map(|who| {
            let (upload, path) = app.folder.submission(&who)?;
            let input = folder::BuildInput {
                who,
                file_name: upload.file_name,
                id: upload.id,
            };
            Some((input, path))
        })
        .collect();
    let paths: Vec<PathBuf> = read.iter().map(|(_, path)| path.clone()).collect();
    let (id, output) = app.folder.new_build().map_err(|source| Fatal::Write {
        path: app.folder.dir.join("build"),
        source,
    })?;
    let config = run_config(app, paths, partial, app.folder.previous());
    let (examined, written) = super::build::build_round(&config, &app.schemas, &output)?;
    let tally = examined.diagnostics.tally();
    // The first errors, each in the upload it is in, as the secretariat looks for them.
    let problems = (examined.diagnostics.iter())
        .filter(|d| d.severity == crate::report::Severity::Error)
        .take(BUILD_PROBLEMS_SHOWN)
        .map(|d| {
            let upload = (read.iter())
                .find(|(_, path)| *d.location.file == *path.display().to_string())
                .map(|(input, _)| input.clone());
            let place = [
                d.location.sheet.as_deref().map(str::to_string),
                d.location.cell(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" › ");
            folder::BuildProblem {
                upload,
                place,
                message: d.message.ja.clone(),
                code: d.code.clone(),
            }
        })
        .collect();
    let build = folder::Build {
        id,
        at: folder::now().0,
        partial,
        errors: tally.errors,
        warnings: tally.warnings,
        written: !written.is_empty(),
        inputs: read.into_iter().map(|(input, _)| input).collect(),
        problems,
    };
    app.folder
        .commit_build(&build)
        .map_err(|source| Fatal::Write {
            path: output,
            source,
        })?;
    Ok(build)
}

/// How many of a failed build's errors the board lists; each upload's page has the rest.
const BUILD_PROBLEMS_SHOWN: usize = 30;

/// One of a build's three files, by its fixed name.
async fn built_file(
    State(app): State<Shared>,
    UrlPath((secret, id, file)): UrlPath<(String, String, String)>,
) -> Response {
    if !secretariat(&app, &secret) {
        return not_found();
    }
    let Some((build, folder)) = app.folder.latest_build().filter(|(b, _)| b.id == id) else {
        return not_found();
    };
    let content_type = match file.as_str() {
        "annex.xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "annex.md" => "text/markdown; charset=utf-8",
        "annex.json" => "application/json",
        _ => return not_found(),
    };
    match std::fs::read(folder.join(&file))
        .ok()
        .filter(|_| build.written)
    {
        Some(bytes) => {
            let mut response = attachment(bytes, &file);
            if let Ok(value) = HeaderValue::from_str(content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        None => not_found(),
    }
}

async fn board_upload_page(
    State(app): State<Shared>,
    UrlPath((secret, who, id)): UrlPath<(String, String, String)>,
) -> Response {
    if !secretariat(&app, &secret) || !sender_known(&app, &who) {
        return not_found();
    }
    let Some((upload, folder)) = app.folder.upload(&who, &id) else {
        return not_found();
    };
    let report = std::fs::read(folder.join("report.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let base = format!("/s/{secret}/o/{who}/u/{id}");
    pages::upload_for_board(&app.schemas, &upload, report.as_ref(), &base).into_response()
}

/// Take the workbook out of the form, keep it, check it off the event loop, and record it.
/// What is refused before it is kept (no file, an empty one, one that is no workbook by its
/// name) leaves the round as it was and says why.
async fn receive(app: &Shared, who: &str, mut multipart: Multipart) -> Result<Upload, Text> {
    // A body that arrives too slowly is given up, as one cut short.
    let form = tokio::time::timeout(listen::BODY_TIMEOUT, workbook_field(&mut multipart))
        .await
        .map_err(|_| too_large())??;
    let sender = (form.person, form.contact);
    let Some((name, bytes)) = form.file else {
        return Err(Text::new(
            "Choose a workbook to upload.",
            "アップロードするブックを選んでください。",
        ));
    };
    if bytes.is_empty() {
        return Err(Text::new(
            format!("{name} is empty (0 bytes): nothing was kept."),
            format!("「{name}」は空（0バイト）です。受け付けていません。"),
        ));
    }
    // A name is shown on pages and kept in the round folder: a readable one, of a readable length.
    if name.chars().any(char::is_control) || name.chars().count() > MAX_NAME {
        return Err(Text::new(
            format!("The file's name is longer than {MAX_NAME} characters or holds control characters: rename the file and upload it again."),
            format!("ファイル名が {MAX_NAME} 文字を超えているか、制御文字を含んでいます。ファイル名を短く直してから、もう一度アップロードしてください。"),
        ));
    }
    let extension = Path::new(&name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .filter(|e| WORKBOOK_EXTENSIONS.contains(&e.as_str()));
    let Some(extension) = extension else {
        return Err(Text::new(
            format!("{name} is not a workbook: upload an .xlsx, .xlsm, .xls, .xlsb or .ods file."),
            format!("「{name}」はブックではありません。.xlsx、.xlsm、.xls、.xlsb、.ods のファイルをアップロードしてください。"),
        ));
    };
    let (shared, who) = (app.clone(), who.to_string());
    let checked = tokio::task::spawn_blocking(move || {
        check_upload(&shared, &who, &name, &extension, &bytes, sender)
    })
    .await
    .map_err(|_| failed())?;
    checked.map_err(|error| {
        // Whoever runs the server needs the path and the system's words; the page says what
        // the failure is, in words a person acts on.
        eprintln!(
            "annex serve: cannot keep an upload in {}: {error}",
            app.folder.dir.display()
        );
        not_kept(&error)
    })?
}

/// A write that failed, said as what it is.
fn not_kept(error: &std::io::Error) -> Text {
    use std::io::ErrorKind;
    let (en, ja) = match error.kind() {
        ErrorKind::StorageFull => (
            "the server's disk is full",
            "サーバーのディスクの空きがありません",
        ),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => (
            "the server may not write to its round folder",
            "サーバーがラウンドのフォルダに書き込むことが許可されていません",
        ),
        _ => return failed(),
    };
    Text::new(
        format!("The upload could not be kept: {en}. Tell the secretariat; nothing was kept."),
        format!("アップロードを保存できませんでした（{ja}）。事務局に連絡してください。何も受け付けていません。"),
    )
}

/// The upload form's workbook, as its file name and bytes.
async fn workbook_field(multipart: &mut Multipart) -> Result<Form, Text> {
    let mut form = Form::default();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("workbook") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|e| form_error(&e))?;
                form.file = Some((name, bytes));
            }
            Ok(Some(field)) if matches!(field.name(), Some("person" | "contact")) => {
                let key = field.name().unwrap_or_default().to_string();
                let text = field.text().await.map_err(|e| form_error(&e))?;
                // What a person types in a line: control characters out, and a line's length.
                let text: String = (text.chars().filter(|c| !c.is_control()))
                    .take(MAX_PERSON)
                    .collect::<String>()
                    .trim()
                    .to_string();
                let value = (!text.is_empty()).then_some(text);
                match key.as_str() {
                    "person" => form.person = value,
                    _ => form.contact = value,
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Ok(form),
            Err(error) => return Err(form_error(&error)),
        }
    }
}

/// An upload form as sent: the workbook, and who sent it.
#[derive(Default)]
struct Form {
    file: Option<(String, Bytes)>,
    person: Option<String>,
    contact: Option<String>,
}

/// The most characters kept of a 担当者's name or contact.
const MAX_PERSON: usize = 100;

/// The longest file name an upload may have, in characters.
const MAX_NAME: usize = 200;

/// A form that could not be read: too large or cut short, or with a part it cannot carry (a file
/// name with control characters, which browsers send as they are).
fn form_error(error: &axum::extract::multipart::MultipartError) -> Text {
    let headers = error.body_text().to_ascii_lowercase().contains("header");
    match (error.status(), headers) {
        (StatusCode::PAYLOAD_TOO_LARGE, _) | (_, false) => too_large(),
        _ => Text::new(
            "The upload could not be read: the file's name may hold control characters. Rename the file and upload it again; nothing was kept.",
            "アップロードを読み取れませんでした。ファイル名に制御文字が含まれている可能性があります。ファイル名を直してから、もう一度アップロードしてください。受け付けていません。",
        ),
    }
}

fn too_large() -> Text {
    Text::new(
        "The upload was cut short or is larger than this server accepts; nothing was kept.",
        "アップロードが途中で切れたか、受け付ける大きさを超えています。受け付けていません。",
    )
}

fn failed() -> Text {
    Text::new(
        "The upload could not be kept; try again, or tell the secretariat.",
        "アップロードを保存できませんでした。もう一度試すか、事務局に連絡してください。",
    )
}

/// Keep an upload, check it as its organisation's own check beside the council master (or, for
/// the council master, alone), write its report and marked copy, and record it.
fn check_upload(
    app: &App,
    who: &str,
    name: &str,
    extension: &str,
    bytes: &[u8],
    (person, contact): (Option<String>, Option<String>),
) -> std::io::Result<Result<Upload, Text>> {
    let folder = app.folder.receive(who, extension, bytes)?;
    let kept = Kept {
        who,
        name,
        bytes: bytes.len() as u64,
        sha256: sha256(bytes),
        at: folder::now().0,
        fresh: true,
        person,
        contact,
    };
    check_kept(app, &folder, &kept)
}

/// An upload kept in its folder, to be checked: as it arrives (`fresh`: it may still be refused),
/// or again, when the council master has changed.
struct Kept<'a> {
    who: &'a str,
    name: &'a str,
    bytes: u64,
    sha256: String,
    at: u64,
    fresh: bool,
    person: Option<String>,
    contact: Option<String>,
}

/// Checks an upload kept in `folder`, writes its report and marked copy, and records it.
fn check_kept(app: &App, folder: &Path, kept: &Kept) -> std::io::Result<Result<Upload, Text>> {
    let (who, name) = (kept.who, kept.name);
    let workbook = workbook_in(folder).ok_or_else(|| std::io::Error::other("no workbook kept"))?;
    let mut paths = vec![workbook.clone()];
    let mut checked_against = None;
    if who != COUNCIL {
        if let Some((council, path)) = app.folder.submission(COUNCIL) {
            paths.push(path);
            checked_against = Some((council.file_name, council.at));
        }
    }
    let config = run_config(app, paths, true, None);
    let schemas = &app.schemas;
    let examined = examine(&config, schemas, &rule_fields(schemas), false)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let shown = workbook.display().to_string();
    // The problems of this workbook, under the name its sender knows it by.
    let known_as: std::sync::Arc<str> = name.into();
    let mut own = Findings::default();
    own.extend(
        (examined.diagnostics.iter())
            .filter(|d| *d.location.file == *shown)
            .map(|d| {
                let mut d = d.into_owned();
                d.location.file = known_as.clone();
                // A rule's text may name another cell of the workbook by its place.
                let rename = |text: &str| text.replace(shown.as_str(), name);
                if d.message.en.contains(shown.as_str()) || d.message.ja.contains(shown.as_str()) {
                    d.message = Text::new(rename(&d.message.en), rename(&d.message.ja));
                }
                if d.help.en.contains(shown.as_str()) || d.help.ja.contains(shown.as_str()) {
                    d.help = std::sync::Arc::new(Text::new(rename(&d.help.en), rename(&d.help.ja)));
                }
                for related in &mut d.related {
                    if *related.location.file == *shown {
                        related.location.file = known_as.clone();
                    }
                }
                d
            }),
    );
    // A file no reader could open is not kept as a submission: the round stays as it was.
    let unopened = (own.iter()).find(|d| d.code.starts_with("file."));
    if let (true, Some(unopened)) = (kept.fresh, unopened) {
        let _ = std::fs::remove_dir_all(folder);
        return Ok(Err(Text::new(
            format!("{name}: {} {}", unopened.message.en, unopened.help.en),
            format!("「{name}」: {} {}", unopened.message.ja, unopened.help.ja),
        )));
    }
    // A workbook holding the council's sheets and an organisation's has both as senders.
    let senders: Vec<Sender> = (examined.round.workbooks.iter())
        .filter(|w| *w.file == *shown)
        .map(|w| w.sender)
        .collect();
    // A workbook that is not this page's (another organisation's, or no submission at all) is
    // never counted as its submission: the round stays as it was, and the page says why.
    let refused = match wrong_sender(schemas, who, &senders, &known_as) {
        // The board's form takes the council master alone, whoever's the workbook is.
        Some(_) if who == COUNCIL => Some(not_a_submission(name, who)),
        Some(problem) => Some(Text::new(
            format!("{name}: {} Nothing was kept.", problem.message.en),
            format!("「{name}」: {}。受け付けていません。", problem.message.ja),
        )),
        None if senders.is_empty() => Some(not_a_submission(name, who)),
        None => None,
    };
    if let (true, Some(refused)) = (kept.fresh, refused) {
        let _ = std::fs::remove_dir_all(folder);
        return Ok(Err(refused));
    }
    own.sort();
    let report = Report {
        files: 1,
        diagnostics: &own,
        round: None,
        comparison: None,
        lang: Lang::Ja,
    };
    let mut json = Vec::new();
    report.write(Format::Json, &mut json, false, 100)?;
    crate::write::write_atomic(&folder.join("report.json"), &json)?;
    let mut html = Vec::new();
    report.write(Format::Html, &mut html, false, 100)?;
    crate::write::write_atomic(&folder.join("report.html"), &html)?;
    let tally = own.tally();
    let input = Input {
        path: workbook.clone(),
        shown: known_as.clone(),
    };
    let marked = mark::mark_all(&[input], &own, &folder.join("marked"), Lang::Ja)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let template = (examined.round.workbooks.iter())
        .find(|w| *w.file == *shown)
        .and_then(|w| w.template.clone());
    let upload = Upload {
        id: folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        who: who.to_string(),
        at: kept.at,
        file_name: name.to_string(),
        bytes: kept.bytes,
        sha256: kept.sha256.clone(),
        errors: tally.errors,
        warnings: tally.warnings,
        template,
        marked: marked.iter().any(|m| matches!(m, Marked::Written { .. })),
        person: kept.person.clone(),
        contact: kept.contact.clone(),
        checked_against,
        rechecking: false,
    };
    app.folder.commit(folder, &upload)?;
    Ok(Ok(upload))
}

/// The organisations with an upload, each marked as being checked again (再確認中) from now on.
fn to_recheck(app: &App) -> Vec<String> {
    let senders: Vec<String> = (app.schemas.organisations.iter())
        .map(|o| o.code.clone())
        .filter(|code| app.folder.submission(code).is_some())
        .collect();
    if let Ok(mut rechecking) = app.folder.rechecking.lock() {
        rechecking.extend(senders.iter().cloned());
    }
    senders
}

/// Checks every organisation's latest upload again, beside the council master now in use, so
/// that no result stays one of a master that has changed. Runs on a blocking thread; each
/// organisation's page says 再確認中 until its check is done.
fn recheck(app: &App, senders: &[String]) {
    let _turn = app.recheck_turn.lock();
    for who in senders {
        if let Some((upload, workbook)) = app.folder.submission(who) {
            let kept = Kept {
                who,
                name: &upload.file_name,
                bytes: upload.bytes,
                sha256: upload.sha256.clone(),
                at: upload.at,
                fresh: false,
                person: upload.person.clone(),
                contact: upload.contact.clone(),
            };
            let folder = workbook.parent().map(Path::to_path_buf).unwrap_or_default();
            if let Err(error) = check_kept(app, &folder, &kept) {
                eprintln!(
                    "annex serve: cannot check {} again: {error}",
                    folder.display()
                );
            }
        }
        if let Ok(mut rechecking) = app.folder.rechecking.lock() {
            rechecking.remove(who);
        }
    }
}

/// A run of the pipeline as the server makes one: in Japanese, with the server's limits.
fn run_config(
    app: &App,
    paths: Vec<PathBuf>,
    partial: bool,
    previous: Option<PathBuf>,
) -> crate::cli::Config {
    crate::cli::Config {
        paths,
        format: Format::Json,
        lang: Lang::Ja,
        deny_warnings: false,
        partial,
        read: ReadOptions {
            profile: Profile::Contract,
            limits: app.limits,
            lang: Some(Lang::Ja),
        },
        schemas: None,
        mark: None,
        previous,
        threshold: DEFAULT_THRESHOLD,
    }
}

/// A workbook with none of the sheets of what the page takes: a submission (取組, KPI), or, on the
/// board, the council master (課題, 項目, 論点).
fn not_a_submission(name: &str, who: &str) -> Text {
    match who {
        COUNCIL => Text::new(
            format!("{name} is not a council master: it has no 課題, 項目 and 論点 sheets. The council master in use is kept; nothing was kept."),
            format!("「{name}」は協議会マスターではありません（シート「課題」「項目」「論点」がありません）。今の協議会マスターはそのまま使います。受け付けていません。"),
        ),
        _ => Text::new(
            format!("{name} is not a submission: it has no 取組 or KPI sheet. Upload the workbook made from your template; nothing was kept."),
            format!("「{name}」は提出ブックではありません（シート「取組」「KPI」がありません）。テンプレートから作ったブックをアップロードしてください。受け付けていません。"),
        ),
    }
}

/// A workbook uploaded through one organisation's link that is another's, or not a submission.
fn wrong_sender(
    schemas: &Schemas,
    who: &str,
    senders: &[Sender],
    file: &str,
) -> Option<Diagnostic> {
    let expected = match who {
        COUNCIL => Sender::Council,
        code => Sender::Organisation(schemas.organisations.iter().position(|o| o.code == code)?),
    };
    if senders.contains(&expected) {
        return None;
    }
    let found = (senders.iter().copied()).find(|&sender| sender != Sender::Unknown)?;
    let name = |s| crate::validate::round::sender_name(schemas, s);
    let (found, expected) = (name(found), name(expected));
    Some(Diagnostic::error(
        "upload.other_sender",
        Location::file(&file.into()),
        Text::new(
            format!("this workbook is {}'s, but it was uploaded through {}'s link", found.en, expected.en),
            format!("このブックは{}のものですが、{}のリンクからアップロードされました", found.ja, expected.ja),
        ),
        Text::new(
            "Upload your own organisation's workbook; tell the secretariat if the link is wrong.",
            "自府省のブックをアップロードしてください。リンクが違う場合は事務局に連絡してください。",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_failed_is_said_as_what_it_is() {
        let full = not_kept(&std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert!(
            full.ja.contains("ディスクの空きがありません"),
            "{}",
            full.ja
        );
        let denied = not_kept(&std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(denied.ja.contains("許可されていません"), "{}", denied.ja);
        assert_eq!(not_kept(&std::io::Error::other("x")), failed());
    }
}
