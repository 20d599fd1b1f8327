//! The command line in Japanese: every command's and option's help, the headings, the examples
//! and clap's own errors, for a run under `--lang ja` or a Japanese locale. clap writes its help
//! and errors in English; here the same command is given Japanese texts before it parses, and its
//! errors a Japanese formatter. A test checks that every option has its text here.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, Command};

const EXAMPLES: &str = "\
例:
  annex check                          input/ の全ブックを確認する
  annex check input/meti.xlsx input/council.xlsx
  annex check --format json input/     CI 向けの JSON の報告
  annex check --format github          GitHub のプルリクエストへの注記
  annex check --mark marked/           問題に印を付けた各ブックの写し（提出元に返す）
  annex check --format html > report.html   転送・印刷用の1ページ
  annex build                          input/ を確認し、output/annex.json と output/annex.xlsx を書き出す
  annex build submissions/ -o master/  別の入力フォルダ・出力フォルダ
  annex build --partial                全府省の提出を待たずに作成する
  annex template --org METI            METI が記入するブック（論点は input/ から）
  annex template --org 経産省 --from output/annex.json   前回の行を記入済みにする
  annex template --council --from output/annex.json      協議会マスターのブック
  annex build --previous last/annex.json   前回からの変更と、その誤り
  annex diff last/annex.json output/annex.json   二つの統合結果を比べる
  annex explain kpi.value.type         コードの意味と直し方
  annex serve --round round/           ブラウザで提出を受け付ける（府省ごとのリンクと事務局の一覧）

終了ステータス: 0 エラーなし（警告は可。--deny-warnings のときは警告も不可）、1 データにエラーあり、
2 コマンドの誤り（知らないオプション、存在しないパス、使えないスキーマのフォルダ）。";

/// The help page's layout, with Japanese headings for the parts a command has.
fn template(command: &Command) -> String {
    let mut template = String::from("{before-help}{about-with-newline}\n使い方: {usage}\n");
    if command.get_subcommands().next().is_some() {
        template.push_str("\nコマンド:\n{subcommands}\n");
    }
    if command.get_positionals().next().is_some() {
        template.push_str("\n引数:\n{positionals}\n");
    }
    template.push_str("\nオプション:\n{options}{after-help}");
    template
}

/// What each command does.
const ABOUT: &[(&str, &str)] = &[
    (
        "",
        "府省の提出ブックを JSON Schema と協議会のルールで確認し、一つの統合結果にまとめます。",
    ),
    (
        "check",
        "ブックをスキーマと協議会のルールで確認します（何も書き出しません）。",
    ),
    ("build", "確認し、誤りがなければ統合結果を書き出します。"),
    (
        "template",
        "府省（または事務局）が記入するブックを書き出します。",
    ),
    (
        "explain",
        "報告のコードの意味と直し方を示します（コードを省くと全コード）。",
    ),
    (
        "diff",
        "二つの統合結果を比べます: 前回（OLD）から今回（NEW）への変更と、回をまたぐルール。",
    ),
    (
        "serve",
        "ブラウザで提出を受け付けます: 府省ごとのアップロード・確認用のリンクと、事務局の一覧。",
    ),
    (
        "help",
        "このヘルプ、または指定したコマンドのヘルプを表示します。",
    ),
];

/// Each option's help, by command (`""` for every command that has it) and the option's id.
const HELP: &[(&str, &str, &str)] = &[
    ("", "help", "ヘルプを表示します（--help でより詳しく）。"),
    ("", "version", "バージョンを表示します。"),
    ("", "lang", "メッセージの言語（既定: ロケールが日本語なら ja、それ以外は en）。"),
    ("", "schemas", "annex に組み込みのスキーマの代わりに、このフォルダのスキーマを使います。"),
    ("", "max_unpacked_mb", "展開後にこの MB を超えるブックは読み込みません（zip 爆弾の対策）。"),
    ("", "deny_warnings", "警告もエラーとして扱います: 警告があれば終了ステータス 1（build は何も書き出しません）。"),
    ("", "change_threshold", "--previous と使います: 指標の値が前回の値から何 % 動いたら、備考に理由が必要か。"),
    ("", "format", "報告の出力形式。"),
    ("check", "paths", "ブック（.xlsx .xlsm .xls .xlsb .ods）、またはブックを探すフォルダ。"),
    ("build", "paths", "ブック（.xlsx .xlsm .xls .xlsb .ods）、またはブックを探すフォルダ。"),
    ("", "partial", "ラウンドの一部だけを扱います: 全府省のブックを求めません。build は、未提出の府省を記した統合結果を書き出します。"),
    ("", "profile", "確認を追加します: machine-readable は政府の機械判読可能なデータの表記ルール（セル結合、非表示シート、レイアウト用の空白、数式、機種依存文字）に反する箇所を警告します。"),
    ("", "mark", "確認した各ブックの写しを DIR に書き出します。問題のセルに印とメモを付け、先頭のシート「確認結果」に一覧を載せます（.xls .xlsb .ods は .xlsx で返します）。"),
    ("", "previous", "前回の統合結果（build が書き出した annex.json）と比べます: 変更点と、回をまたぐルール（累計の減少、理由のない大きな変動、なくなった取組）を確認します。"),
    ("", "max_cells", ".xls・.ods のブック（シートごとに全体を読み込みます）で、この数を超えるセルにわたるシートがあれば読み込みません。"),
    ("build", "output", "annex.json と annex.xlsx を書き出すフォルダ。"),
    ("template", "org", "テンプレートの提出元の府省: コード（METI）または名前（経産省、経済産業省）。"),
    ("template", "council", "府省のテンプレートの代わりに、協議会マスター（課題・項目・論点）のテンプレートを書き出します。"),
    ("template", "from", "前回の統合結果（annex.json）の行を記入済みにします。"),
    ("template", "paths", "--from がないとき: 選べる論点を読む、協議会マスターのあるブック。"),
    ("template", "output", "書き出すファイル（既定: template-<府省>.xlsx または template-council.xlsx）。"),
    ("template", "force", "記入済みの行があるファイルでも上書きします（付けなければ、そのファイルは残します）。"),
    ("explain", "code", "報告に出たコード（例: kpi.value.type）。"),
    ("diff", "old", "前回の統合結果（annex.json）。"),
    ("diff", "new", "今回の統合結果（annex.json）。"),
    ("serve", "round", "ラウンドのフォルダ: 状態はここだけに置きます（リンクの秘密、全アップロード、協議会マスター）。"),
    ("serve", "listen", "待ち受けるアドレス（指定しなければループバックのみ）。"),
    ("serve", "max_upload_mb", "この MB を超えるアップロードは受け付けません。"),
    ("serve", "utc_offset", "ページに表示する時刻の UTC からの時差（既定は日本時間 +09:00）。"),
    ("serve", "links", "起動時に全リンク（それぞれ秘密を含みます）を表示します。付けなければ、リンクを作った起動のときだけ表示し、以後の起動のログには残しません。"),
];

/// The values an option takes, in Japanese, where clap would list them in English.
const VALUES: &[(&str, &str)] = &[
    ("human", "人が読む報告"),
    ("json", "JSON"),
    ("github", "GitHub の注記"),
    ("html", "1ページの HTML"),
    ("junit", "JUnit XML"),
    ("contract", "契約のルールのみ"),
    ("machine-readable", "機械判読のルールも"),
    ("ja", "日本語"),
    ("en", "英語"),
];

/// The option's help for `command`, if this table has it.
pub fn help_of(command: &str, id: &str) -> Option<&'static str> {
    (HELP.iter())
        .find(|(of, arg, _)| *of == command && *arg == id)
        .or_else(|| HELP.iter().find(|(of, arg, _)| of.is_empty() && *arg == id))
        .map(|(_, _, help)| *help)
}

/// What `command` does, if this table has it.
pub fn about_of(command: &str) -> Option<&'static str> {
    ABOUT
        .iter()
        .find(|(of, _)| *of == command)
        .map(|(_, about)| *about)
}

/// The command line with Japanese texts.
pub fn localize(mut command: Command) -> Command {
    // Built first, so that clap's own --help, --version and `help` are there to be translated.
    command.build();
    let command = localize_one(command, "").after_help(EXAMPLES);
    let names: Vec<String> = (command.get_subcommands())
        .map(|sub| sub.get_name().to_string())
        .collect();
    names.iter().fold(command, |command, name| {
        command.mut_subcommand(name, |sub| localize_one(sub, name))
    })
}

fn localize_one(mut command: Command, name: &str) -> Command {
    let ids: Vec<String> = (command.get_arguments())
        .map(|arg| arg.get_id().to_string())
        .collect();
    // clap writes the options' place in a usage line as [OPTIONS], whatever the language.
    let usage = command.render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let usage = usage
        .replace("[OPTIONS]", "[オプション]")
        .replace("<COMMAND>", "<コマンド>");
    let command = command.override_usage(usage);
    let command = match about_of(name) {
        Some(about) => command.about(about).long_about(None),
        None => command,
    };
    let layout = template(&command);
    let command = command
        .help_template(layout)
        .subcommand_value_name("コマンド");
    ids.iter().fold(command, |command, id| {
        command.mut_arg(id, |arg| localize_arg(arg, name))
    })
}

fn localize_arg(arg: Arg, command: &str) -> Arg {
    let id = arg.get_id().to_string();
    let mut help = help_of(command, &id).unwrap_or_default().to_string();
    let values: Vec<String> = (arg.get_possible_values().iter())
        .filter(|value| !value.is_hide_set())
        .map(|value| {
            let name = value.get_name();
            match VALUES.iter().find(|(of, _)| *of == name) {
                Some((_, said)) => format!("{name}（{said}）"),
                None => name.to_string(),
            }
        })
        .collect();
    if !values.is_empty() && !matches!(id.as_str(), "help" | "version") {
        help.push_str(&format!("［選択肢: {}］", values.join("、")));
    }
    let defaults: Vec<String> = (arg.get_default_values().iter())
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    // A flag's default (false) says nothing.
    if !defaults.is_empty() && arg.get_action().takes_values() {
        help.push_str(&format!("［既定: {}］", defaults.join(" ")));
    }
    arg.help(help)
        .long_help(None)
        .hide_possible_values(true)
        .hide_default_value(true)
}

/// clap's errors, said in Japanese.
pub struct Japanese;

impl ErrorFormatter for Japanese {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let text = |kind| match error.get(kind) {
            Some(ContextValue::String(text)) => text.clone(),
            Some(ContextValue::Strings(texts)) => texts.join("、"),
            Some(ContextValue::StyledStr(text)) => text.to_string(),
            Some(ContextValue::StyledStrs(texts)) => (texts.iter())
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
            Some(ContextValue::Number(number)) => number.to_string(),
            _ => String::new(),
        };
        let argument = text(ContextKind::InvalidArg);
        let value = text(ContextKind::InvalidValue);
        let said = match error.kind() {
            ErrorKind::UnknownArgument => format!("「{argument}」というオプションはありません"),
            ErrorKind::InvalidSubcommand => format!(
                "「{}」というコマンドはありません",
                text(ContextKind::InvalidSubcommand)
            ),
            ErrorKind::InvalidValue => format!(
                "「{value}」は {argument} に使えません（使えるもの: {}）",
                text(ContextKind::ValidValue)
            ),
            ErrorKind::ValueValidation => {
                format!("{argument} の値「{value}」が正しくありません")
            }
            ErrorKind::MissingRequiredArgument => {
                format!("指定が必要です: {argument}")
            }
            ErrorKind::ArgumentConflict => format!(
                "{argument} と {} は一緒に使えません",
                text(ContextKind::PriorArg)
            ),
            ErrorKind::MissingSubcommand => "コマンドを指定してください".to_string(),
            ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
                format!("{argument} の値の数が正しくありません")
            }
            ErrorKind::NoEquals => format!("{argument} には = で値を付けてください"),
            _ => "コマンドラインが正しくありません".to_string(),
        };
        let mut out = format!("エラー: {said}\n");
        let suggested = [
            ContextKind::SuggestedArg,
            ContextKind::SuggestedSubcommand,
            ContextKind::SuggestedValue,
        ]
        .into_iter()
        .map(text)
        .find(|suggested| !suggested.is_empty());
        if let Some(suggested) = suggested {
            out.push_str(&format!("\n  もしかして: {suggested}\n"));
        }
        let usage = text(ContextKind::Usage);
        if let Some(usage) = usage.trim().strip_prefix("Usage:") {
            out.push_str(&format!("\n使い方:{usage}\n"));
        }
        out.push_str("\n詳しくは --help を付けて実行してください。\n");
        StyledStr::from(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{try_parse_in, Cli};
    use crate::lang::Lang;
    use clap::CommandFactory;

    /// Every command with its name as the tables know it (`""` for annex itself).
    fn commands(root: &Command) -> Vec<(String, &Command)> {
        std::iter::once((String::new(), root))
            .chain(
                root.get_subcommands()
                    .map(|sub| (sub.get_name().to_string(), sub)),
            )
            .collect()
    }

    #[test]
    fn every_command_and_option_has_its_japanese_text() {
        let mut root = Cli::command();
        root.build();
        for (name, command) in commands(&root) {
            assert!(
                about_of(&name).is_some(),
                "no Japanese for the command {name:?}"
            );
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                assert!(
                    help_of(&name, id).is_some(),
                    "no Japanese for {name} --{id}"
                );
                for value in arg.get_possible_values() {
                    let value = value.get_name();
                    assert!(
                        VALUES.iter().any(|(of, _)| *of == value),
                        "no Japanese for the value {value} of {name} --{id}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_japanese_help_has_no_english_sentence_in_it() {
        let mut english = Cli::command();
        english.build();
        let mut japanese = localize(Cli::command());
        let names: Vec<String> = commands(&english)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        for name in names {
            let page = match name.as_str() {
                "" => japanese.render_long_help().to_string(),
                name => (japanese.find_subcommand_mut(name))
                    .map(|sub| sub.render_long_help().to_string())
                    .unwrap_or_default(),
            };
            assert!(page.contains("使い方:"), "{name}: {page}");
            for word in [
                "Usage",
                "Options:",
                "Arguments:",
                "Commands:",
                "Print help",
                "[default",
                "[possible",
                "Examples",
            ] {
                assert!(!page.contains(word), "{name}: {word:?} in\n{page}");
            }
            let command = match name.as_str() {
                "" => Some(&english),
                name => english.find_subcommand(name),
            };
            for arg in command
                .map(|c| c.get_arguments().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(help) = arg.get_help() {
                    let help = help.to_string();
                    assert!(!page.contains(&help), "{name}: {help:?} in\n{page}");
                }
            }
        }
    }

    #[test]
    fn clap_s_own_errors_are_said_in_japanese() {
        let args = |line: &str| line.split(' ').map(Into::into).collect::<Vec<_>>();
        let said = |line: &str| match try_parse_in(Lang::Ja, args(line)) {
            Ok(_) => panic!("{line} is no command line"),
            Err(refused) => refused.render(),
        };
        let unknown = said("annex chek");
        assert!(
            unknown.contains("「chek」というコマンドはありません"),
            "{unknown}"
        );
        assert!(unknown.contains("もしかして: check"), "{unknown}");
        let value = said("annex check --format xml");
        assert!(value.contains("「xml」は --format"), "{value}");
        let both = said("annex template --org METI --council");
        assert!(both.contains("一緒に使えません"), "{both}");
        for text in [unknown, value, both] {
            assert!(
                !text.contains("error:") && !text.contains("Usage"),
                "{text}"
            );
        }
        let english = match try_parse_in(Lang::En, args("annex chek")) {
            Ok(_) => panic!("no command line"),
            Err(refused) => refused.render(),
        };
        assert!(english.contains("error:"), "{english}");
    }
}
