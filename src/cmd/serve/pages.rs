//! The pages of `annex serve`, rendered on the server with maud, which escapes every text it is
//! given: a cell holding `<script>` is shown as text. No script, nothing fetched from elsewhere.

use axum::response::Html;
use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use super::folder::{shown_time, RoundFolder, Upload, COUNCIL};
use crate::lang::Text;
use crate::schema::Schemas;
use crate::validate::round::{sender_name, Sender};

const STYLE: &str = r#"
body { font-family: "BIZ UDPGothic", "Noto Sans CJK JP", "Hiragino Sans", Meiryo, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1a1a1a; line-height: 1.6; }
td, th { overflow-wrap: anywhere; }
.short { white-space: nowrap; }
h1 { font-size: 1.5em; border-bottom: 3px solid #1f4e79; padding-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; color: #1f4e79; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
.notice { background: #fdecea; border: 2px solid #b3261e; padding: 0.6em 1em; }
.pass { background: #e6f4ea; border: 2px solid #1e7e34; padding: 0.6em 1em; }
.fail { background: #fdecea; border: 2px solid #b3261e; padding: 0.6em 1em; }
.none { color: #666; }
.error { color: #b3261e; font-weight: bold; }
.warning { color: #8a5a00; font-weight: bold; }
form { border: 1px dashed #1f4e79; padding: 1em; background: #f7f9fc; }
form.over { background: #e3ecf7; border-style: solid; }
"#;

fn page(title: &str, notice: Option<&Text>, body: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                @if let Some(notice) = notice {
                    p.notice role="alert" { (notice.ja) }
                }
                (body)
                script src="/assets/drop.js" {}
            }
        }
    };
    Html(markup.into_string())
}

pub fn not_found() -> Html<String> {
    page(
        "ページが見つかりません",
        None,
        html! { p { "リンクが正しいか確認してください。リンクは事務局から届いたものをそのまま使ってください。" } },
    )
}

/// A form sent from a page of another site: refused, as a forged request would be.
pub fn other_origin() -> Html<String> {
    page(
        "別のサイトからの送信は受け付けません",
        None,
        html! { p { "このサーバーのページのフォームから送信してください。事務局から届いたリンクを開き直して、もう一度操作してください。" } },
    )
}

/// A sender as people know it: 経産省（METI）, or 協議会マスター.
fn organisation_name(schemas: &Schemas, code: &str) -> String {
    let sender = match schemas.organisations.iter().position(|o| o.code == code) {
        Some(org) => Sender::Organisation(org),
        None if code == COUNCIL => Sender::Council,
        None => return code.to_string(),
    };
    sender_name(schemas, sender).ja
}

/// The status of an upload in words: 提出済み（エラーあり）, 提出済み.
fn status(upload: &Upload) -> (&'static str, &'static str) {
    if upload.rechecking {
        return ("none", "再確認中");
    }
    match (upload.errors, upload.warnings) {
        (0, 0) => ("pass", "エラーなし"),
        (0, _) => ("pass", "エラーなし（警告あり）"),
        _ => ("fail", "エラーあり"),
    }
}

/// An organisation's page: its upload form, the check of the upload it is looking at, and
/// every upload it has made.
pub fn organisation(
    schemas: &Schemas,
    code: &str,
    secret: &str,
    uploads: &[Upload],
    current: Option<&Upload>,
    report: Option<&Value>,
    notice: Option<&Text>,
) -> Html<String> {
    let name = organisation_name(schemas, code);
    let base = format!("/o/{secret}");
    let body = html! {
        p { a href={ (base) "/template.xlsx" } { "提出用のテンプレートをダウンロード" } }
        p { "提出するブックを選ぶか下の枠にドラッグして、「アップロードして確認」を押してください。すぐに確認し、誤りのあるセルを示します。" }
        form method="post" action={ (base) "/upload" } enctype="multipart/form-data" data-drop {
            label { "ブック（.xlsx .xlsm .xls .xlsb .ods）: " input type="file" name="workbook" accept=".xlsx,.xlsm,.xls,.xlsb,.ods" required; }
            " "
            label { "担当者（任意）: " input type="text" name="person" maxlength="100" autocomplete="name"; }
            " "
            label { "連絡先（任意）: " input type="text" name="contact" maxlength="100" placeholder="内線・メール"; }
            " "
            button type="submit" { "アップロードして確認" }
        }
        @if let Some(upload) = current {
            (upload_section(upload, report, &format!("{base}/u/{}", upload.id)))
        }
        h2 { "これまでのアップロード" }
        @if uploads.is_empty() {
            p.none { "まだアップロードはありません。" }
        } @else {
            p { "最新のアップロードが提出として扱われます。" }
            (upload_table(uploads, &|u: &Upload| format!("{base}/u/{}", u.id)))
        }
    };
    page(&format!("{name} の提出"), notice, body)
}

/// The check of one upload: its verdict, links to the marked copy and the full report, and
/// every problem with where it is and what to do.
fn upload_section(upload: &Upload, report: Option<&Value>, base: &str) -> Markup {
    let (class, verdict) = status(upload);
    let diagnostics = report
        .and_then(|r| r.get("diagnostics"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let text = |d: &Value, key: &str| {
        d.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    html! {
        h2 { "確認結果: " (upload.file_name) }
        p class=(class) {
            (verdict) "　エラー " (upload.errors) " 件、警告 " (upload.warnings) " 件（" (shown_time(upload.at)) "）"
        }
        @if upload.person.is_some() || upload.contact.is_some() {
            p { "担当者: " (upload.person.as_deref().unwrap_or("—"))
                @if let Some(contact) = &upload.contact { "（連絡先: " (contact) "）" } }
        }
        p {
            @if upload.rechecking {
                "協議会マスターが更新されたため、新しい協議会マスターと照合し直しています。しばらくしてからページを再読み込みしてください。"
            } @else if let Some((council, at)) = &upload.checked_against {
                "協議会マスター「" (council) "」（" (shown_time(*at)) " 受付）と照合した結果です。"
            } @else if upload.who != COUNCIL {
                "協議会マスターがまだないため、論点IDは照合していません。協議会マスターが届くと自動で照合し直します。"
            }
        }
        p {
            @if upload.marked {
                a href={ (base) "/marked.xlsx" } { "誤りに印を付けたブックをダウンロード" }
                "　"
            }
            a href={ (base) "/report.html" } { "確認結果のページ（印刷・転送用）" }
        }
        @if !diagnostics.is_empty() {
            table {
                tr { th.short { "重要度" } th.short { "シート" } th.short { "セル" } th.short { "列" } th { "内容" } th { "入力値" } th { "対応" } }
                @for d in diagnostics {
                    @let severity = text(d, "severity");
                    tr {
                        td class={ (severity) " short" } { @if severity == "error" { "エラー" } @else { "警告" } }
                        td.short { (text(d, "sheet")) }
                        td.short { (text(d, "cell")) }
                        td.short { (text(d, "column")) }
                        td { (text(d, "message")) }
                        td { (text(d, "found")) }
                        td { (text(d, "help")) }
                    }
                }
            }
        }
    }
}

fn upload_table(uploads: &[Upload], link: &dyn Fn(&Upload) -> String) -> Markup {
    html! {
        table {
            tr { th { "日時" } th { "ファイル" } th { "状態" } th { "エラー" } th { "警告" } th { "テンプレート版" } th { "SHA-256" } }
            @for upload in uploads {
                @let (class, verdict) = status(upload);
                tr {
                    td { a href=(link(upload)) { (shown_time(upload.at)) } }
                    td { (upload.file_name) }
                    td class=(class) { (verdict) }
                    td { (upload.errors) }
                    td { (upload.warnings) }
                    td { (upload.template.as_deref().unwrap_or("—")) }
                    td { code { (upload.sha256.get(..12).unwrap_or(&upload.sha256)) } }
                }
            }
        }
    }
}

/// The secretariat's board: every organisation's status, with its latest upload, and the
/// council master's upload form.
pub fn board(
    schemas: &Schemas,
    folder: &RoundFolder,
    secret: &str,
    notice: Option<&Text>,
) -> Html<String> {
    let base = format!("/s/{secret}");
    let who: Vec<String> = std::iter::once(COUNCIL.to_string())
        .chain(schemas.organisations.iter().map(|o| o.code.clone()))
        .collect();
    let body = html! {
        h2 { "提出状況" }
        table {
            tr { th { "提出元" } th { "状態" } th { "ファイル" } th { "日時" } th { "担当者" } th.short { "テンプレート版" } th.short { "エラー" } th.short { "警告" } th.short { "アップロード数" } }
            @for code in &who {
                @let uploads = folder.uploads(code);
                tr {
                    td { (organisation_name(schemas, code)) }
                    @if let Some(latest) = uploads.first() {
                        @let (class, verdict) = status(latest);
                        td class={ (class) " short" } { "提出済み（" (verdict) "）" }
                        td { a href={ (base) "/o/" (code) "/u/" (latest.id) } { (latest.file_name) } }
                        td { (shown_time(latest.at)) }
                        td { (latest.person.as_deref().unwrap_or("—"))
                            @if let Some(contact) = &latest.contact { br; (contact) } }
                        td { (latest.template.as_deref().unwrap_or("—")) }
                        td { (latest.errors) }
                        td { (latest.warnings) }
                        td { (uploads.len()) }
                    } @else {
                        td.none { "未提出" } td {} td {} td {} td {} td {} td {} td { "0" }
                    }
                }
            }
        }
        p { a href={ (base) "/marked.zip" } { "各府省の確認用ブック（誤りに印を付けたもの）をまとめてダウンロード（zip）" } }
        h2 { "別添の作成" }
        @match folder.latest_build() {
            Some((build, _)) if build.written => { (built(&base, &build, schemas)) }
            Some((build, _)) => {
                @let missing_only = build.problems.iter().all(|p| p.code == "round.missing");
                p.fail {
                    "作成できませんでした（" (shown_time(build.at)) "）: エラー " (build.errors) " 件。"
                    @if missing_only {
                        "未提出の府省があります。提出を待つか、「一部の府省のみで作成する」を選んで作成してください。"
                    } @else {
                        "次の誤りを各府省の提出で直してから、もう一度作成してください。"
                    }
                }
                @if !missing_only {
                    table {
                        tr { th { "提出元" } th { "ファイル" } th { "場所" } th { "内容" } }
                        @for problem in &build.problems {
                            tr {
                                @if let Some(upload) = &problem.upload {
                                    td.short { (organisation_name(schemas, &upload.who)) }
                                    td.short { a href={ (base) "/o/" (upload.who) "/u/" (upload.id) } { (upload.file_name) } }
                                } @else {
                                    td.short { "提出状況" } td {}
                                }
                                td.short { (problem.place) }
                                td { (problem.message) }
                            }
                        }
                    }
                    @if build.errors > build.problems.len() {
                        p { "ほか " (build.errors - build.problems.len()) " 件。各提出の確認結果に全件があります。" }
                    }
                }
                @if let Some(good) = folder.latest_good_build() {
                    p { "前回作成した別添は引き続きダウンロードできます:" }
                    (built(&base, &good, schemas))
                }
            }
            None => { p.none { "まだ作成していません。" } }
        }
        form method="post" action={ (base) "/build" } {
            label { input type="checkbox" name="partial"; " 一部の府省のみで作成する（未提出の府省を除く）" }
            " "
            button type="submit" { "別添を作成" }
        }
        h2 { "協議会マスターのアップロード" }
        form method="post" action={ (base) "/council" } enctype="multipart/form-data" data-drop {
            label { "協議会マスター: " input type="file" name="workbook" accept=".xlsx,.xlsm,.xls,.xlsb,.ods" required; }
            " "
            button type="submit" { "アップロード" }
        }
    };
    page("事務局: 提出状況", notice, body)
}

/// A build that wrote the annex: when, from what, and its three files.
fn built(base: &str, build: &super::folder::Build, schemas: &Schemas) -> Markup {
    html! {
        p.pass { "作成済み（" (shown_time(build.at)) @if build.partial { "、一部の府省のみ" } "）: "
            @for file in ["annex.xlsx", "annex.md", "annex.json"] {
                a href={ (base) "/build/" (build.id) "/" (file) } { (file) } " "
            }
        }
        @if !build.inputs.is_empty() {
            p { "作成に使った提出: "
                @for (at, input) in build.inputs.iter().enumerate() {
                    @if at > 0 { "、" }
                    (organisation_name(schemas, &input.who)) "「" (input.file_name) "」"
                }
            }
        }
    }
}

/// One upload's check, as the secretariat opens it from the board.
pub fn upload_for_board(
    schemas: &Schemas,
    upload: &Upload,
    report: Option<&Value>,
    base: &str,
) -> Html<String> {
    let title = format!("{} の提出", organisation_name(schemas, &upload.who));
    page(&title, None, upload_section(upload, report, base))
}
