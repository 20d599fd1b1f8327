//! Every code annex can emit, once: its severity, what it means and how to fix it, in both
//! languages, with an example. `annex explain CODE` prints an entry; a diagnostic whose code the
//! catalogue lacks fails the debug build's assertion (so every test that meets one fails), and
//! the README's table of codes is checked against it.
//!
//! A code that starts with `*.` stands for the family `<sheet schema>.<field>.<rest>`: the
//! checks of one cell, named after the schema and field it concerns (`kpi.value.type`).

use super::Severity;
use crate::lang::Lang;

/// One code.
pub struct Entry {
    pub code: &'static str,
    pub severity: Severity,
    /// What it means, as (English, Japanese).
    pub means: (&'static str, &'static str),
    /// A case that gives it, as (English, Japanese).
    pub example: (&'static str, &'static str),
    /// How to fix it, as (English, Japanese).
    pub fix: (&'static str, &'static str),
}

impl Entry {
    pub fn means(&self, lang: Lang) -> &'static str {
        pick(self.means, lang)
    }

    pub fn fix(&self, lang: Lang) -> &'static str {
        pick(self.fix, lang)
    }

    pub fn example(&self, lang: Lang) -> &'static str {
        pick(self.example, lang)
    }

    /// Whether a code emitted is this entry's (or of its family).
    fn covers(&self, code: &str) -> bool {
        match self.code.strip_prefix('*') {
            Some(rest) => code.ends_with(rest) && code.split('.').count() == 3,
            None => self.code == code,
        }
    }
}

fn pick((en, ja): (&'static str, &'static str), lang: Lang) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

/// The entry of a code, if the catalogue has it.
pub fn entry(code: &str) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|entry| entry.covers(code))
}

/// Where the README's table of codes starts and ends.
pub const README_START: &str = "<!-- codes: made from src/report/catalogue.rs -->";
pub const README_END: &str = "<!-- /codes -->";

/// The catalogue as the README's table: code, severity, meaning in both languages, example, fix.
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| code | severity | means | 意味 | example | fix |\n|---|---|---|---|---|---|\n",
    );
    for entry in CATALOGUE {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            entry.code,
            entry.severity.as_str(),
            entry.means.0,
            entry.means.1,
            entry.example.0.replace('|', "\\|"),
            entry.fix.0,
        ));
    }
    table
}

use Severity::{Error as E, Warning as W};

macro_rules! entries {
    ($(($code:literal, $severity:expr, $means_en:literal, $means_ja:literal, ($example_en:literal, $example_ja:literal), $fix_en:literal, $fix_ja:literal),)*) => {
        &[$(Entry {
            code: $code,
            severity: $severity,
            means: ($means_en, $means_ja),
            example: ($example_en, $example_ja),
            fix: ($fix_en, $fix_ja),
        },)*]
    };
}

/// Every code, grouped as a run meets them: the round, files, sheets, cells, rules, the master.
pub const CATALOGUE: &[Entry] = entries![
    (
        "round.empty",
        E,
        "no workbook of the council's was found",
        "協議会のブックが見つからない",
        ("annex build empty-folder/", "annex build 空のフォルダ/"),
        "Give the folder that holds the round's workbooks.",
        "提出ブックのあるフォルダを指定する。"
    ),
    (
        "round.no_council",
        E,
        "a build, or a whole round, without the council master",
        "協議会マスターがない",
        ("annex build input/meti.xlsx", "annex build input/meti.xlsx"),
        "Put the council master beside the submissions.",
        "協議会マスターを提出ブックと同じフォルダに置く。"
    ),
    (
        "round.no_submissions",
        E,
        "a build, or a whole round, without any organisation's workbook",
        "府省の提出ブックが一つもない",
        ("annex build input/council.xlsx", "annex build input/council.xlsx"),
        "Put the organisations' workbooks beside the council master.",
        "各府省の提出ブックを協議会マスターと同じフォルダに置く。"
    ),
    (
        "round.missing",
        E,
        "an organisation of the contract has sent no workbook (a whole round)",
        "提出ブックのない府省がある",
        ("input/ without mhlw.xlsx", "input/ に mhlw.xlsx がない"),
        "Add its workbook, or run with --partial.",
        "提出ブックを加えるか、--partial を付けて実行する。"
    ),
    (
        "round.duplicate",
        E,
        "two workbooks from one organisation that hold the same rows, or two council masters",
        "同じ府省のブックが2つある",
        ("meti.xlsx and meti - コピー.xlsx", "meti.xlsx と meti - コピー.xlsx"),
        "Keep one workbook per organisation in the folder.",
        "1府省1ブックにする（古い版やコピーを移す）。"
    ),
    (
        "round.split",
        W,
        "an organisation's rows come in two or more workbooks that share none (one per bureau); all are read",
        "同じ府省のブックが複数あり重なりがない（全て読み込む）",
        ("meti-局A.xlsx and meti-局B.xlsx", "meti-局A.xlsx と meti-局B.xlsx"),
        "If one is an old version rather than a part, move it out of the folder.",
        "古い版であればフォルダから移す。"
    ),
    (
        "file.unreadable",
        E,
        "the file is not a workbook annex can read, or it is damaged",
        "ブックとして読めない・壊れている",
        ("a truncated .xlsx", "途中で切れた .xlsx"),
        "Open it in Excel or LibreOffice and save it again as .xlsx.",
        "Excel か LibreOffice で開き .xlsx で保存し直す。"
    ),
    (
        "file.locked",
        E,
        "the system refuses access to the file (no permission, or another program holds it); it is not damaged",
        "ファイルへのアクセスが拒否された（壊れてはいない）",
        ("a workbook only its owner may read", "作成者しか読めないブック"),
        "Close the program that holds it, or get permission to read it.",
        "開いているプログラムを閉じるか、読み取り権限をもらう。"
    ),
    (
        "file.open_elsewhere",
        W,
        "a lock file beside the workbook says it is open in Excel or LibreOffice; unsaved changes are not read",
        "ブックが Excel などで開かれている（未保存の変更は読まない）",
        ("~$meti.xlsx beside meti.xlsx", "meti.xlsx の横の ~$meti.xlsx"),
        "Save and close the workbook, then run again.",
        "ブックを保存して閉じてから再実行する。"
    ),
    (
        "file.encrypted",
        E,
        "the workbook is protected by a password",
        "パスワードが設定されている",
        ("a workbook saved with a password to open", "開くときのパスワードを付けて保存したブック"),
        "Remove the password and save it again.",
        "パスワードを解除して保存し直す。"
    ),
    (
        "file.too_large",
        E,
        "the workbook would unpack, or a sheet would span, more than the limit",
        "展開後のサイズ・セル数が上限を超える",
        ("a zip bomb; a cell at XFD1048576", "zip 爆弾、XFD1048576 のセル"),
        "Delete what lies far beyond the table, or raise --max-unpacked-mb / --max-cells.",
        "表から離れたセルを削除するか、上限を上げる。"
    ),
    (
        "workbook.unrecognised",
        W,
        "a workbook with none of the contract's sheets; it is not read",
        "契約のシートがないブック（読み込まない）",
        ("notes.xlsx with Sheet1", "Sheet1 だけの notes.xlsx"),
        "Rename its sheets to the contract's, or move it out of the folder.",
        "シート名を直すか、フォルダから移す。"
    ),
    (
        "template.outdated",
        W,
        "the workbook was made from an older template",
        "古いテンプレートから作成されている",
        ("a template of last round's schemas", "前回のスキーマのテンプレート"),
        "Make a new template with annex template and copy the rows into it.",
        "annex template で新しいテンプレートを作り、行を写す。"
    ),
    (
        "sheet.missing",
        E,
        "a sheet of the workbook's kind is missing",
        "必要なシートがない",
        ("a submission with 取組 but no KPI", "取組はあるが KPI がない提出ブック"),
        "Add the sheet with its header row.",
        "見出し行だけでもシートを追加する。"
    ),
    (
        "sheet.renamed",
        E,
        "a sheet of another name holds the table of a sheet the workbook lacks; it is read as that sheet",
        "シート名が違う（表は読み込んだ）",
        ("KPI renamed KPI一覧", "KPI を KPI一覧 に改名"),
        "Rename the sheet to the contract's name; do not add an empty one.",
        "シート名を契約の名前に直す（空のシートを追加しない）。"
    ),
    (
        "sheet.table_not_read",
        E,
        "a sheet holds a table of the contract beside the sheet read for it; its rows are not read",
        "同じ表のシートが別にある（その行は読み込まない）",
        ("取組 and 取組 (2)", "取組 と 取組 (2)"),
        "Move its rows into the sheet that is read, then delete it.",
        "行を読み込まれるシートに移し、シートを削除する。"
    ),
    (
        "sheet.unreadable",
        E,
        "a sheet could not be read to its end",
        "シートを最後まで読めない",
        ("a sheet's XML cut short", "シートの XML が途中で切れている"),
        "Save the workbook again as .xlsx.",
        ".xlsx で保存し直す。"
    ),
    (
        "sheet.headers_not_in_row_1",
        E,
        "row 1 holds no headers; they seem to be further down",
        "見出しが1行目にない",
        ("a title in row 1, headers in row 3", "1行目に表題、3行目に見出し"),
        "Delete the rows above the headers.",
        "見出しより上の行を削除する。"
    ),
    (
        "column.missing",
        E,
        "a required column is missing",
        "必須の列がない",
        ("取組 without 内容", "内容 の列がない 取組"),
        "Add a column with that header in row 1.",
        "1行目にその見出しの列を追加する。"
    ),
    (
        "column.unknown",
        W,
        "a column the sheet does not have; its cells are not read",
        "シートにない列（読み込まない）",
        ("a column headed メモ", "見出し メモ の列"),
        "Fix the header, or delete the column.",
        "見出しを直すか、列を削除する。"
    ),
    (
        "column.no_header",
        W,
        "a column holds values but its header cell is empty; they are not read",
        "見出しのない列に値がある（読み込まない）",
        ("notes typed in column K, K1 empty", "K1 が空欄の K列 に入力したメモ"),
        "Type the column's header in row 1, or move notes into 備考.",
        "1行目に見出しを入力するか、メモを備考に移す。"
    ),
    (
        "column.duplicate",
        W,
        "a column appears twice; the first is read",
        "同じ列が2つある",
        ("two 備考 columns", "備考 の列が2つ"),
        "Move the second column's values into the first, then delete it.",
        "2つ目の列の値を1つ目に移してから削除する。"
    ),
    (
        "cell.formula_error",
        E,
        "a cell holds a formula error",
        "数式エラーのセル",
        ("#REF! in 値", "値 に #REF!"),
        "Fix the formula, or type the value itself.",
        "数式を直すか、値を直接入力する。"
    ),
    (
        "cell.formula_not_computed",
        E,
        "a formula with no saved result (the workbook was written by a program and never opened in Excel): its value is not known",
        "数式の計算結果が保存されていない（値が分からない）",
        ("=IF(D2>0,\"○\",\"×\") written by openpyxl", "openpyxl が書いた =IF(D2>0,\"○\",\"×\")"),
        "Open the workbook in Excel, let it calculate and save it, or type the value itself.",
        "Excel で開いて保存し直すか、値を直接入力する。"
    ),
    (
        "*.type",
        E,
        "a cell holds something other than its column's kind of value",
        "セルの値の種類が違う",
        ("abc in 値", "値 に abc"),
        "Type a value of the kind the column asks for.",
        "列に合った種類の値を入力する。"
    ),
    (
        "*.required",
        E,
        "a required cell is empty",
        "必須のセルが空欄",
        ("内容 left empty", "内容 が空欄"),
        "Fill the cell.",
        "セルに入力する。"
    ),
    (
        "*.pattern",
        E,
        "a cell is not in the form its column takes",
        "形式が違う",
        ("METI-3 for 取組ID", "取組ID に METI-3"),
        "Write it as the column's examples show.",
        "例の形式で入力する。"
    ),
    (
        "*.enum",
        E,
        "a cell holds a value its column does not allow",
        "使えない値",
        ("個 as 単位", "単位 に 個"),
        "Choose one of the values the message lists.",
        "示された値から選ぶ。"
    ),
    (
        "*.const",
        E,
        "a cell must hold one value",
        "決まった値でない",
        ("—", "—"),
        "Type the value the message names.",
        "示された値にする。"
    ),
    (
        "*.minimum",
        E,
        "a number is smaller than its column allows",
        "値が下限より小さい",
        ("-2 in 値", "値 に -2"),
        "Type a number within the range.",
        "範囲内の数値にする。"
    ),
    (
        "*.maximum",
        E,
        "a number is larger than its column allows",
        "値が上限より大きい",
        ("3000 as a fiscal year", "年度に 3000"),
        "Type a number within the range.",
        "範囲内の数値にする。"
    ),
    (
        "*.exclusiveMinimum",
        E,
        "a number is not larger than its column's bound",
        "値が下限以下",
        ("—", "—"),
        "Type a number within the range.",
        "範囲内の数値にする。"
    ),
    (
        "*.exclusiveMaximum",
        E,
        "a number is not smaller than its column's bound",
        "値が上限以上",
        ("—", "—"),
        "Type a number within the range.",
        "範囲内の数値にする。"
    ),
    (
        "*.multipleOf",
        E,
        "a fraction where the unit counts whole things",
        "整数であるべき値に小数",
        ("2.5 件", "2.5 件"),
        "Type a whole number.",
        "整数にする。"
    ),
    (
        "*.minLength",
        E,
        "a text cell is empty",
        "文字が入っていない",
        ("取組名 of spaces", "空白だけの 取組名"),
        "Type the text.",
        "文字を入力する。"
    ),
    (
        "*.maxLength",
        E,
        "a text is longer than its column allows",
        "文字数が上限を超える",
        ("—", "—"),
        "Shorten it.",
        "短くする。"
    ),
    (
        "*.minItems",
        E,
        "a list holds nothing",
        "一覧が空",
        ("担当府省 of separators only", "区切り記号だけの 担当府省"),
        "Name at least one.",
        "一つ以上入力する。"
    ),
    (
        "*.maxItems",
        E,
        "a list holds more than its column allows",
        "一覧の数が上限を超える",
        ("—", "—"),
        "Name fewer.",
        "数を減らす。"
    ),
    (
        "*.uniqueItems",
        E,
        "a list names one thing twice",
        "一覧に重複がある",
        ("METI-003、METI-003 in 取組の掲載順", "取組の掲載順 に METI-003、METI-003"),
        "Name each once.",
        "重複を除く。"
    ),
    (
        "*.text_number",
        W,
        "a number typed as text; it was read",
        "数値が文字列で入力されている（読み取り済み）",
        ("1,010人", "1,010人"),
        "Type the number alone so the cell holds a number.",
        "数字だけを入力する。"
    ),
    (
        "*.unit_conflict",
        E,
        "a unit typed after the number is not the row's unit",
        "数値の後の単位が行の単位と違う",
        ("48人 on a 件 row", "単位 が 件 の行に 48人"),
        "Type the number alone, the unit in its own column.",
        "数字だけを入力し、単位は単位の列に入れる。"
    ),
    (
        "*.percent_conflict",
        E,
        "a cell shown as a percentage in a row whose unit is not %",
        "パーセント表示だが単位が%でない",
        ("0.25 shown as 25% on a 件 row", "単位 が 件 の行に 25% と表示される 0.25"),
        "Set the unit to %, or format the cell as a plain number.",
        "単位を%にするか、表示形式を標準にする。"
    ),
    (
        "*.percent_unsure",
        E,
        "a fraction in %, in a file that does not say how it is shown",
        "%の値が0.25%か25%か判断できない",
        ("0.25 in an .xls, unit %", ".xls の 0.25、単位 %"),
        "Type 25% as text, or save the workbook as .xlsx.",
        "25% のように%付きで入力するか、.xlsx で保存する。"
    ),
    (
        "*.range",
        E,
        "a span of fiscal years typed into a cell that takes one",
        "年度の欄に期間を入力している",
        ("R6-R8 in 対象年度（開始）", "対象年度（開始） に R6-R8"),
        "Type the first year in 対象年度（開始） and the last in 対象年度（終了）.",
        "開始の年度と終了の年度をそれぞれの列に入力する。"
    ),
    (
        "*.era",
        E,
        "an era year that never existed",
        "存在しない和暦の年",
        ("平成32年度", "平成32年度"),
        "Check the era and year, or write the Western year.",
        "元号と年を確かめるか、西暦で入力する。"
    ),
    (
        "*.years_disagree",
        E,
        "an era year and a Western year side by side that are not the same year",
        "和暦と西暦の併記が一致しない",
        ("令和6（2025）年度", "令和6（2025）年度"),
        "Correct one of them, or write only one.",
        "どちらかを直すか、一方だけにする。"
    ),
    (
        "*.date",
        E,
        "a month or day no calendar has",
        "暦にない日付",
        ("2024-13", "2024-13"),
        "Type a real date.",
        "実在する日付にする。"
    ),
    (
        "*.not_a_date",
        E,
        "a plain number where a date belongs",
        "日付の列に数値",
        ("2024.12 in a General cell", "標準の表示形式のセルに 2024.12"),
        "Type the year and month as text, or format the cell as a date.",
        "年月を文字で入力するか、表示形式を日付にする。"
    ),
    (
        "*.year_as_date",
        E,
        "a year typed into a cell formatted as a date, shown as a day in 1905",
        "日付の表示形式のセルに年だけを入力（1905年の日付になる）",
        ("2024 shown as 1905/7/16", "1905/7/16 と表示される 2024"),
        "Type the year and month as text (2024年12月), or a whole date.",
        "年月を文字で入力するか（2024年12月）、年月日まで入力する。"
    ),
    (
        "*.lookalike",
        E,
        "a character that looks like a hyphen or nothing, but is another",
        "ハイフンや空白に見える別の文字",
        ("METIー003", "METIー003"),
        "Type the ASCII hyphen -, or type the cell again.",
        "半角の - を入力するか、入力し直す。"
    ),
    (
        "*.not_before",
        E,
        "a field is smaller than the one it may not precede",
        "終了が開始より前",
        ("対象年度（終了） 2020, （開始） 2024", "対象年度（終了） 2020、（開始） 2024"),
        "Swap or correct the two.",
        "開始と終了を直す。"
    ),
    (
        "id.duplicate",
        E,
        "an id is used twice",
        "IDが重複している",
        ("METI-003 on two rows", "2つの行に METI-003"),
        "Give each row its own id; a measure repeated is a re-listing.",
        "行ごとに別のIDにする（同じ取組は再掲にする）。"
    ),
    (
        "id.prefix",
        E,
        "an id does not start with its parent's, or the lead is not in charge",
        "IDの先頭が親のIDと違う",
        ("1-3-01 under 1-2", "1-2 の下に 1-3-01"),
        "Make the id start with its parent's id.",
        "IDの先頭を親のIDにそろえる。"
    ),
    (
        "ref.unresolved",
        E,
        "a reference names no row",
        "参照先がない",
        ("論点ID 1-2-99", "論点ID 1-2-99"),
        "Correct the id, or add the row it names.",
        "IDを直すか、参照先の行を追加する。"
    ),
    (
        "ref.unchecked",
        W,
        "references were not checked: the sheet they name was not in the run",
        "参照先のシートがないため未確認",
        ("meti.xlsx checked alone", "meti.xlsx だけを確認"),
        "Check the workbook together with the council master.",
        "協議会マスターと一緒に確認する。"
    ),
    (
        "kpi.part_of.larger",
        E,
        "a part is larger than its whole",
        "内数が全体より大きい",
        ("上市 80 of 採択 48", "採択 48 のうち 上市 80"),
        "Correct one of the two figures.",
        "どちらかの値を直す。"
    ),
    (
        "kpi.part_of.measure",
        E,
        "a part names a KPI of another measure",
        "内数元が別の取組の指標",
        ("METI-002-K1 part of METI-001-K1", "METI-001-K1 の内数の METI-002-K1"),
        "Name a KPI of the same measure.",
        "同じ取組の指標を指定する。"
    ),
    (
        "kpi.part_of.unit",
        E,
        "a part and its whole are in different units",
        "内数と全体の単位が違う",
        ("件 part of 人", "人 の内数の 件"),
        "Use one unit for both.",
        "単位をそろえる。"
    ),
    (
        "kpi.part_of.self",
        E,
        "a KPI names itself as its whole",
        "自分自身を内数元にしている",
        ("METI-001-K1 part of METI-001-K1", "METI-001-K1 の内数の METI-001-K1"),
        "Name another KPI, or leave it empty.",
        "別の指標にするか空欄にする。"
    ),
    (
        "measure.relisting.self",
        E,
        "a re-listing names itself",
        "自分自身を再掲元にしている",
        ("MEXT-004 relisting MEXT-004", "MEXT-004 を再掲する MEXT-004"),
        "Name the original measure.",
        "再掲元の取組IDにする。"
    ),
    (
        "measure.relisting.chain",
        E,
        "a re-listing names another re-listing",
        "再掲の再掲",
        ("MEXT-005 relisting MEXT-004 (a re-listing)", "MEXT-004（再掲）を再掲する MEXT-005"),
        "Name the original.",
        "元の取組IDにする。"
    ),
    (
        "measure.relisting.title",
        W,
        "a re-listing's title differs from its original's",
        "再掲の取組名が再掲元と違う",
        ("—", "—"),
        "Give it the original's title.",
        "再掲元と同じ取組名にする。"
    ),
    (
        "order.unknown",
        E,
        "取組の掲載順 names a measure that is not the issue's",
        "取組の掲載順にその論点の取組でないIDがある",
        ("METI-009 in the order of 1-2-04", "1-2-04 の掲載順に METI-009"),
        "List only the issue's measures.",
        "その論点の取組だけを並べる。"
    ),
    (
        "issue.no_measures",
        W,
        "an issue nobody answered (a whole round)",
        "取組のない論点",
        ("2-6-01 with no measure", "取組のない 2-6-01"),
        "Check every ministry's workbook is in the run and their 論点ID.",
        "全府省のブックと論点IDを確かめる。"
    ),
    (
        "mr.merged",
        W,
        "merged cells (machine-readability rules)",
        "セルの結合",
        ("論点ID merged over rows", "複数行にわたり結合した 論点ID"),
        "Unmerge and fill every cell.",
        "結合を解除し各セルに入力する。"
    ),
    (
        "mr.hidden",
        W,
        "hidden rows, columns or sheets (machine-readability rules)",
        "非表示の行・列・シート",
        ("a hidden column", "非表示の列"),
        "Unhide or delete them.",
        "再表示するか削除する。"
    ),
    (
        "mr.formula",
        W,
        "formulas (machine-readability rules)",
        "数式",
        ("=SUM(D2:D5)", "=SUM(D2:D5)"),
        "Replace formulas with their values.",
        "値に置き換える。"
    ),
    (
        "mr.spacing",
        W,
        "spaces or line breaks for layout (machine-readability rules)",
        "体裁のための空白・改行",
        ("経　産　省", "経　産　省"),
        "Delete the layout spaces.",
        "体裁の空白を除く。"
    ),
    (
        "mr.unchecked",
        W,
        "hidden sheets and formulas not checked: part of the package is damaged",
        "ブックの一部が壊れているため非表示シートと数式を確認していない",
        ("a damaged _rels/.rels", "壊れた _rels/.rels"),
        "Open the workbook in Excel or LibreOffice and save it again as .xlsx.",
        "Excel または LibreOffice で開いて .xlsx として保存し直す。"
    ),
    (
        "mr.platform_character",
        W,
        "machine-dependent characters (machine-readability rules)",
        "機種依存文字",
        ("①, ㈱", "①、㈱"),
        "Write them out (1, (株)).",
        "書き換える（1、(株)）。"
    ),
    (
        "previous.total_fell",
        E,
        "a running total (累計) is smaller than last round's (--previous), and 備考 gives no new reason",
        "累計が前回より減っていて、備考に理由がない",
        ("累計 70件 last round, 67件 now", "累計が前回 70件、今回 67件"),
        "Correct the value, or say in 備考 why it was recounted.",
        "値を直すか、数え直した理由を備考に書く。"
    ),
    (
        "previous.total_fell_explained",
        W,
        "a running total (累計) is smaller than last round's; 備考 gives the reason",
        "累計が前回より減っている（備考に理由あり）",
        ("累計 70件 → 67件, 備考 集計方法の見直し", "累計 70件 → 67件、備考 集計方法の見直し"),
        "Check that 備考 explains the fall.",
        "備考の理由で説明できているか確認する。"
    ),
    (
        "previous.large_change",
        W,
        "a figure moved further from last round's than the threshold (±50 %), or away from 0, with no reason in 備考",
        "前回から閾値（±50%）を超えて変わったが、備考に理由がない",
        ("48件 last round, 480件 now", "前回 48件、今回 480件"),
        "Write the reason (変動要因) in 備考, or correct the value.",
        "変動の理由（変動要因）を備考に書くか、値を直す。"
    ),
    (
        "previous.removed",
        W,
        "a measure of last round's master is in no workbook this round",
        "前回の取組が今回ない",
        ("METI-003 last round, not now", "前回はあった METI-003 が今回ない"),
        "Nothing if it ended; otherwise add its row again.",
        "終了なら対応不要。継続なら行を戻す。"
    ),
    (
        "previous.lead_changed",
        W,
        "a measure is found again under another organisation's id (same title, same issue)",
        "取組の主担当府省が前回から変わった",
        ("METI-003 last round, MHLW-010 now", "前回 METI-003、今回 MHLW-010"),
        "Confirm the change with both organisations, or restore the id.",
        "両府省に確認するか、取組IDを戻す。"
    ),
    (
        "previous.unchanged",
        W,
        "an organisation's rows are exactly last round's: nothing was updated",
        "府省の行が前回とすべて同じ（更新されていない）",
        ("last year's workbook sent again", "昨年のブックをそのまま再提出"),
        "Check that it is this round's workbook and update it.",
        "今回のブックか確認し、更新する。"
    ),
    (
        "upload.other_sender",
        E,
        "annex serve: a workbook uploaded through another organisation's link; it is refused",
        "他府省のリンクからアップロードされたブック",
        ("meti.xlsx uploaded on 厚労省's page", "厚労省のページからアップロードした meti.xlsx"),
        "Upload your own organisation's workbook.",
        "自府省のブックをアップロードする。"
    ),
    (
        "master.incomplete",
        E,
        "rows whose parent is not in the master; nothing was written",
        "親のない行があるため書き出していない",
        ("a measure of a missing issue", "論点が欠けた取組"),
        "Fix the references reported, then build again.",
        "参照の誤りを直して再実行する。"
    ),
    (
        "master.schema",
        E,
        "the consolidated master breaks annex.schema.json",
        "統合結果が annex.schema.json に合わない",
        ("schemas edited apart", "別々に編集したスキーマ"),
        "Make the row schemas and annex.schema.json agree.",
        "スキーマを一致させる。"
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_families_are_found_and_listed_once() {
        assert_eq!(entry("kpi.value.type").map(|e| e.code), Some("*.type"));
        assert_eq!(
            entry("round.missing").map(|e| e.code),
            Some("round.missing")
        );
        assert!(
            entry("kpi.type").is_none(),
            "a family needs <schema>.<field>.<rest>"
        );
        assert!(entry("no.such.code.here").is_none());
        let mut codes: Vec<_> = CATALOGUE.iter().map(|e| e.code).collect();
        codes.sort_unstable();
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count, "a code listed twice");
    }

    #[test]
    fn every_example_is_said_in_japanese_too() {
        // Words that are names, not English: commands, folders, files, programs.
        let names = [
            "annex", "build", "input", "xlsx", "openpyxl", "rels", "notes", "meti", "mhlw",
            "council",
        ];
        for entry in CATALOGUE {
            let (en, ja) = entry.example;
            let words: Vec<&str> = (en.split(|c: char| !c.is_ascii_alphabetic()))
                .filter(|word| word.len() > 3 && word.chars().all(|c| c.is_ascii_lowercase()))
                .filter(|word| !names.contains(word))
                .collect();
            for word in words {
                assert!(
                    !ja.contains(word),
                    "{}: {word:?} in its Japanese example {ja:?}",
                    entry.code
                );
            }
        }
    }

    #[test]
    fn the_readmes_table_of_codes_is_the_catalogue() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split_once(README_START)
            .and_then(|(_, rest)| rest.split_once(README_END))
            .map(|(table, _)| table.trim())
            .unwrap_or_default();
        assert!(
            table == markdown_table().trim(),
            "README.md's table of codes differs from the catalogue; put this between {README_START} and {README_END}:\n{}",
            markdown_table()
        );
    }
}
