//! Cells → values: one cell, as a person typed it, becomes the JSON value its field's schema asks
//! for (fiscal years in any era, year-months, yes/no, organisations, numbers written as text), or
//! a problem with that cell. Pure: nothing here reads a file or looks at another row.

mod era;

pub use era::{era_year, written_fiscal_year, written_fiscal_years, Era};

mod parse;

use std::borrow::Cow;

use calamine::{Data, ExcelDateTime};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::lang::Text;
use crate::report::Severity;
use crate::schema::{normalize_answer, Entity, Field, Schemas, ValueKind};
use era::OutOfEra;
use parse::ValueError;

/// The serial number of 2100-12-31: a number beyond it in a date column is not a date anyone
/// meant (202412 is not a serial for 2024-12), so it is refused rather than guessed at.
const LAST_PLAUSIBLE_SERIAL: f64 = 73_415.0;

/// Something to say about a cell: an error (the value is dropped) or a warning (it is kept).
#[derive(Debug, PartialEq)]
pub struct CellProblem {
    pub severity: Severity,
    pub code: String,
    pub message: Text,
    pub help: Text,
}

#[derive(Debug, PartialEq)]
pub struct Converted {
    pub value: Option<Value>,
    pub problem: Option<CellProblem>,
}

impl Converted {
    fn value(value: Value) -> Converted {
        Converted {
            value: Some(value),
            problem: None,
        }
    }

    fn empty() -> Converted {
        Converted {
            value: None,
            problem: None,
        }
    }

    pub fn error(problem: CellProblem) -> Converted {
        Converted {
            value: None,
            problem: Some(problem),
        }
    }
}

/// What a cell of a field is read against.
pub struct Target<'a> {
    pub schemas: &'a Schemas,
    pub entity: &'a Entity,
    pub field: &'a Field,
    /// The row's own unit, as typed (its `x-unit-field` cell): a unit typed after a number must
    /// be this one.
    pub unit_in_row: Option<&'a str>,
    /// Whether the cell's format shows its number as a percentage (0.25 as 25%); `None` where
    /// the reader does not tell (calamine's).
    pub shown_as_percent: Option<bool>,
}

impl Target<'_> {
    fn code(&self, suffix: &str) -> String {
        format!("{}.{}.{suffix}", self.entity.name, self.field.key)
    }

    /// What to do with a cell that is not of the field's kind, then the field's description
    /// and example.
    pub fn help(&self) -> Text {
        let (header, expected, about) = (
            &self.field.header,
            expected(self.field),
            field_help(self.field),
        );
        Text::new(
            format!(
                "Replace the cell's content with {}. {}",
                expected.en, about.en
            ),
            format!(
                "「{header}」のセルを{}に直してください。{}",
                expected.ja, about.ja
            ),
        )
    }

    fn type_error(&self, found: &str) -> CellProblem {
        CellProblem {
            severity: Severity::Error,
            code: self.code("type"),
            message: type_message(self.field, found),
            help: self.help(),
        }
    }

    fn era_error(&self, error: &OutOfEra) -> CellProblem {
        let range_en = match error.last_year {
            Some(last) => format!("{} runs from 元年 (1) to {last}", error.era),
            None => format!("{} starts at 元年 (1)", error.era),
        };
        let range_ja = match error.last_year {
            Some(last) => format!("{}は元年から{last}年まで", error.era),
            None => format!("{}は元年から", error.era),
        };
        let (fy, fm, fd) = error.first_day;
        let span_en = match error.last_day {
            Some((ly, lm, ld)) => format!("{fy}-{fm:02}-{fd:02} to {ly}-{lm:02}-{ld:02}"),
            None => format!("from {fy}-{fm:02}-{fd:02}"),
        };
        let span_ja = match error.last_day {
            Some((ly, lm, ld)) => format!("{fy}年{fm}月{fd}日～{ly}年{lm}月{ld}日"),
            None => format!("{fy}年{fm}月{fd}日から"),
        };
        CellProblem {
            severity: Severity::Error,
            code: self.code("era"),
            message: Text::new(
                format!(
                    "{}: {}{}年 did not exist; {range_en} ({span_en})",
                    self.field.header, error.era, error.year
                ),
                format!(
                    "「{}」: {}{}年は存在しません。{range_ja}です（{span_ja}）",
                    self.field.header, error.era, error.year
                ),
            ),
            help: Text::new(
                "Check the era and the year, or write the Western year (e.g. 2024).",
                "元号と年を確かめるか、西暦（例: 2024）で入力してください。",
            ),
        }
    }

    fn lookalike(&self, cell: &Data, (c, en, ja): &(char, &str, &str)) -> CellProblem {
        let (header, found) = (&self.field.header, display(cell));
        let invisible =
            c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}');
        let help = match invisible {
            true => Text::new(
                "Delete the cell's content and type it again: the invisible character goes with it.",
                "セルの内容を消して入力し直してください（見えない文字も消えます）。",
            ),
            false => Text::new(
                "Type the ASCII hyphen-minus - (the key right of 0) in its place.",
                "その文字の代わりに半角のハイフン「-」（キーボードの0の右）を入力してください。",
            ),
        };
        CellProblem {
            severity: Severity::Error,
            code: self.code("lookalike"),
            message: Text::new(
                format!("{header} {found:?} holds {en}, which looks like a hyphen or nothing but is another character"),
                format!("「{header}」の「{found}」に、ハイフンや空白に見える別の文字「{ja}」が入っています"),
            ),
            help,
        }
    }

    /// Whether the row's unit is the one that counts percentages.
    fn counts_percentages(&self) -> bool {
        let unit = self.unit_in_row.map(|unit| nfkc(unit).trim().to_string());
        self.field.percent_unit.is_some() && unit.as_deref() == self.field.percent_unit.as_deref()
    }

    fn percent_unsure(&self, stored: f64) -> CellProblem {
        let header = &self.field.header;
        let shown = (stored * 1e11).round() / 1e9;
        CellProblem {
            severity: Severity::Error,
            code: self.code("percent_unsure"),
            message: Text::new(
                format!("{header} holds {stored} in %: annex cannot tell from this file whether the cell shows {stored}% or {shown}%"),
                format!("「{header}」の {stored}（単位 %）が、{stored}% と {shown}% のどちらを表すか、このファイルからは判断できません"),
            ),
            help: Text::new(
                format!("Type the figure as text with its sign ({shown}% or {stored}%), or save the workbook as .xlsx."),
                format!("「{shown}%」のように%を付けて文字で入力するか、ブックを .xlsx で保存し直してください。"),
            ),
        }
    }

    fn percent_conflict(&self, stored: f64) -> CellProblem {
        let header = &self.field.header;
        let shown = stored * 100.0;
        let unit = self.unit_in_row.unwrap_or_default();
        let percent = self.field.percent_unit.as_deref().unwrap_or("%");
        CellProblem {
            severity: Severity::Error,
            code: self.code("percent_conflict"),
            message: Text::new(
                format!("{header} is shown as a percentage ({shown}%), but the row's unit is {unit:?}: annex cannot tell which figure is meant"),
                format!("「{header}」はパーセント表示（{shown}%）ですが、この行の単位は「{unit}」のため、どの値か判断できません"),
            ),
            help: Text::new(
                format!("If the figure is a percentage, set the unit to {percent}; otherwise format the cell as a plain number and type the figure."),
                format!("割合であれば単位を「{percent}」に、そうでなければセルの表示形式を標準にして数値を入力してください。"),
            ),
        }
    }

    fn unit_conflict(&self, found: &str, typed: &str, row: &str) -> CellProblem {
        let header = &self.field.header;
        let unit_header = (self.field.unit_field.as_deref())
            .and_then(|key| self.entity.field(key))
            .map_or("unit", |field| field.header.as_str());
        CellProblem {
            severity: Severity::Error,
            code: self.code("unit_conflict"),
            message: Text::new(
                format!("{header} {found:?} is in {typed}, but the row's {unit_header} is {row}"),
                format!("「{header}」の「{found}」は{typed}ですが、この行の「{unit_header}」は{row}です"),
            ),
            help: Text::new(
                format!("Type the number alone in {header}, and the unit it counts in {unit_header}."),
                format!("「{header}」には数字だけを、数える単位は「{unit_header}」に入力してください。"),
            ),
        }
    }

    fn number_not_a_date(&self, cell: &Data) -> CellProblem {
        let (header, found) = (&self.field.header, display(cell));
        CellProblem {
            severity: Severity::Error,
            code: self.code("not_a_date"),
            message: Text::new(
                format!("{header} holds the number {found}, not a date: annex cannot tell which date it means"),
                format!("「{header}」に数値 {found} が入っています。日付ではないため、どの日付か判断できません"),
            ),
            help: Text::new(
                "Type the year and month as text (2024-12, 2024年12月, 令和6年12月), or format the cell as a date.",
                "年月を文字で入力するか（2024-12、2024年12月、令和6年12月）、セルの表示形式を日付にしてください。",
            ),
        }
    }

    /// A date cell whose serial is a year (2024 is 1905-07-16): the year typed into a cell
    /// formatted as a date. What it shows is read in the workbook's own date system.
    fn year_as_date(&self, date: &ExcelDateTime) -> Option<CellProblem> {
        let serial = date.as_f64();
        if serial.fract() != 0.0 || !(1900.0..=2100.0).contains(&serial) {
            return None;
        }
        let header = &self.field.header;
        let shown = date_of(date).map(parse::format_date).unwrap_or_default();
        Some(CellProblem {
            severity: Severity::Error,
            code: self.code("year_as_date"),
            message: Text::new(
                format!("{header} shows the date {shown}: the year {serial} typed into a cell formatted as a date"),
                format!("「{header}」が {shown} になっています。日付の表示形式のセルに年 {serial} だけを入力したためです"),
            ),
            help: Text::new(
                "Type the year and month as text (2024年12月, 2024-12), or the whole date.",
                "年月を文字で入力するか（2024年12月、2024-12）、年月日まで入力してください。",
            ),
        })
    }

    fn years_disagree(&self, era_year: &str, western: i32, era_means: i32) -> CellProblem {
        let header = &self.field.header;
        CellProblem {
            severity: Severity::Error,
            code: self.code("years_disagree"),
            message: Text::new(
                format!("{header}: {era_year} is {era_means}, not {western} as written beside it"),
                format!(
                    "「{header}」: {era_year}は{era_means}年で、併記の{western}年と一致しません"
                ),
            ),
            help: Text::new(
                format!("Correct one of the two, or write only one of them (e.g. {era_means})."),
                format!(
                    "どちらかを直すか、どちらか一方だけを入力してください（例: {era_means}）。"
                ),
            ),
        }
    }

    fn no_such_date(&self, found: &str) -> CellProblem {
        CellProblem {
            severity: Severity::Error,
            code: self.code("date"),
            message: Text::new(
                format!(
                    "{}: {found:?} is not a date in the calendar",
                    self.field.header
                ),
                format!("「{}」: {found} は暦にない日付です", self.field.header),
            ),
            help: self.help(),
        }
    }

    /// Two fiscal years in one of the two cells a span takes: each end goes in its own column.
    fn range_in_one_cell(&self, found: &str, from: &str, to: &str) -> CellProblem {
        let header = &self.field.header;
        let other = |role: &str| self.entity.role(role).map(|f| f.header.clone());
        let help = match (self.field.role.as_deref(), other("from"), other("to")) {
            (Some("from"), _, Some(end)) => Text::new(
                format!("Type the first year ({from}) here and the last ({to}) in {end}."),
                format!("ここには最初の年度（{from}）を、最後の年度（{to}）は「{end}」に入力してください。"),
            ),
            (Some("to"), Some(start), _) => Text::new(
                format!("Type the last year ({to}) here and the first ({from}) in {start}."),
                format!("ここには最後の年度（{to}）を、最初の年度（{from}）は「{start}」に入力してください。"),
            ),
            _ => Text::new("Type one fiscal year in the cell.", "セルには年度を一つだけ入力してください。"),
        };
        CellProblem {
            severity: Severity::Error,
            code: self.code("range"),
            message: Text::new(
                format!("{header} holds a span of years, {found}, where it takes one year"),
                format!("「{header}」に期間「{found}」が入っています。このセルには年度を一つだけ入力します"),
            ),
            help,
        }
    }

    fn value_error(&self, error: ValueError, found: &str) -> Converted {
        Converted::error(match error {
            ValueError::Unrecognised => self.type_error(found),
            ValueError::OutOfEra(era) => self.era_error(&era),
            ValueError::NoSuchDate => self.no_such_date(found),
            ValueError::Disagree {
                era_year,
                western,
                era_means,
            } => self.years_disagree(&era_year, western, era_means),
        })
    }
}

/// What the field expects, in words a person understands.
pub fn expected(field: &Field) -> Text {
    match &field.kind {
        ValueKind::Text | ValueKind::Title | ValueKind::Id => Text::new("text", "文字列"),
        ValueKind::Number { integer: false } => Text::new("a number", "数値"),
        ValueKind::Number { integer: true } => Text::new("a whole number", "整数"),
        ValueKind::Boolean => Text::new("TRUE or FALSE", "TRUE または FALSE"),
        ValueKind::YesNo { yes, no } => Text::new(
            format!("yes or no ({} / {})", yes.join(", "), no.join(", ")),
            format!("はい・いいえ（{} / {}）", yes.join("、"), no.join("、")),
        ),
        ValueKind::FiscalYear => Text::new(
            "a fiscal year such as 2024, 2024年度, FY2024, 令和6年度 or R6",
            "年度（2024、2024年度、FY2024、令和6年度、R6 など）",
        ),
        ValueKind::YearMonth => Text::new(
            "a year-month or a date such as 2024-12, 2024年12月, 令和6年12月, R6.12 or a date cell",
            "年月または日付（2024-12、2024年12月、令和6年12月、R6.12、日付セル など）",
        ),
        ValueKind::Organisations { .. } => Text::new(
            "one or more organisations such as 経産省、厚労省",
            "府省名（経産省、厚労省 など）",
        ),
        ValueKind::Ids { .. } => Text::new("one or more ids separated by 、", "「、」で区切ったID"),
    }
}

/// `値 should be a number, but the cell holds "abc"`.
pub fn type_message(field: &Field, found: &str) -> Text {
    let header = &field.header;
    let expected = expected(field);
    Text::new(
        format!(
            "{header} should be {}, but the cell holds {found:?}",
            expected.en
        ),
        format!(
            "「{header}」には{}を入力してください（入力値: {found}）",
            expected.ja
        ),
    )
}

/// The description and example of a field, as help for whoever fixes its cell.
pub fn field_help(field: &Field) -> Text {
    let mut help = field.description.clone();
    if let Some(example) = &field.example {
        help.en.push_str(&format!(" Example: {example}"));
        help.ja.push_str(&format!("（例: {example}）"));
    }
    help
}

/// The cell as text, the way the spreadsheet shows it.
pub fn display(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(n) => format_number(*n),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::DateTime(date) => {
            date_of(date).map_or_else(|| date.as_f64().to_string(), parse::format_date)
        }
        Data::Error(error) => error.to_string(),
    }
}

/// A number as a person would write it: whole numbers without `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A JSON number: whole numbers as integers, so that `48` stays `48`.
fn number_value(n: f64) -> Option<Value> {
    // A formula's floating-point noise (48.00000000000001, shown as 48) is the whole number the
    // cell shows: within a few units of the last place of it, never further.
    let whole = n.round();
    let n = match (n - whole).abs() <= whole.abs() * 4.0 * f64::EPSILON {
        true => whole,
        false => n,
    };
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Some(Value::from(n as i64))
    } else {
        serde_json::Number::from_f64(n).map(Value::Number)
    }
}

fn date_of(date: &ExcelDateTime) -> Option<parse::Ymd> {
    if !date.is_datetime() || !(1.0..=LAST_PLAUSIBLE_SERIAL).contains(&date.as_f64()) {
        return None;
    }
    let (year, month, day, ..) = date.to_ymd_hms_milli();
    Some((i32::from(year), u32::from(month), u32::from(day)))
}

/// Characters that, in a Japanese font, look like a hyphen or like nothing at all, each with its
/// name as people know it: in an id or a code, one of them would make another id that looks the
/// same.
const LOOKALIKES: &[(char, &str, &str)] = &[
    ('\u{30FC}', "the long-vowel mark ー", "ー（長音記号）"),
    ('\u{2212}', "the minus sign −", "−（マイナス記号）"),
    (
        '\u{2010}',
        "the typographic hyphen ‐",
        "‐（全角のハイフン）",
    ),
    ('\u{2013}', "the en dash –", "–（ダッシュ）"),
    ('\u{2014}', "the em dash —", "—（ダッシュ）"),
    ('\u{2015}', "the horizontal bar ―", "―（ダッシュ）"),
    ('\u{FE63}', "the small hyphen ﹣", "﹣（小さいハイフン）"),
    (
        '\u{200B}',
        "a zero-width space (an invisible character)",
        "ゼロ幅スペース（見えない文字）",
    ),
    (
        '\u{200C}',
        "a zero-width non-joiner (an invisible character)",
        "見えない文字（U+200C）",
    ),
    (
        '\u{200D}',
        "a zero-width joiner (an invisible character)",
        "見えない文字（U+200D）",
    ),
    (
        '\u{2060}',
        "a word joiner (an invisible character)",
        "見えない文字（U+2060）",
    ),
    (
        '\u{FEFF}',
        "a byte-order mark (an invisible character)",
        "見えない文字（U+FEFF）",
    ),
];

/// The first look-alike character in a text cell, after NFKC (which makes ｰ the ー it looks like).
/// A ー after kana is the long vowel of a word (サービス), not a look-alike.
fn lookalike(cell: &Data) -> Option<&'static (char, &'static str, &'static str)> {
    let Data::String(text) = cell else {
        return None;
    };
    let text = nfkc(text);
    let mut previous = None;
    text.chars().find_map(|c| {
        let after_kana = previous.is_some_and(|p| ('\u{3041}'..='\u{30FF}').contains(&p));
        previous = Some(c);
        match (c, after_kana) {
            ('\u{30FC}', true) => None,
            _ => LOOKALIKES.iter().find(|(lookalike, ..)| *lookalike == c),
        }
    })
}

fn nfkc(text: &str) -> Cow<'_, str> {
    // ASCII is already in NFKC; most ids are ASCII, and normalising is the costly part.
    if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

/// Line ends as `\n` alone, whichever system the text was typed on.
fn unix_lines(text: &str) -> Cow<'_, str> {
    match text.contains('\r') {
        true => Cow::Owned(text.replace("\r\n", "\n")),
        false => Cow::Borrowed(text),
    }
}

/// Read one cell for its field.
pub fn convert(cell: &Data, target: &Target) -> Converted {
    if let Data::Error(error) = cell {
        return Converted::error(formula_error(&error.to_string(), target));
    }
    if let Data::String(text) = cell {
        if text.trim().is_empty() {
            return Converted::empty();
        }
    }
    if cell == &Data::Empty {
        return Converted::empty();
    }
    match &target.field.kind {
        ValueKind::Text => text_value(cell, |text| unix_lines(text).trim().to_string()),
        ValueKind::Id => match lookalike(cell) {
            Some(found) => Converted::error(target.lookalike(cell, found)),
            None => text_value(cell, |text| nfkc(text).trim().to_string()),
        },
        ValueKind::Title => text_value(cell, strip_brackets),
        ValueKind::Number { .. } => number(cell, target),
        ValueKind::Boolean => yes_no(cell, target, &BOOLEAN_ANSWERS),
        ValueKind::YesNo { .. } => yes_no(cell, target, &target.field.answers),
        ValueKind::FiscalYear => fiscal_year(cell, target),
        ValueKind::YearMonth => year_month(cell, target),
        ValueKind::Organisations { separators } => organisations(cell, target, separators),
        ValueKind::Ids { separators } => ids(cell, target, separators),
    }
}

/// A cell whose formula has no saved result (the workbook was written by a program and never
/// opened in a spreadsheet): its value is not known, so it is neither empty nor guessed.
pub fn uncomputed_formula(field: &Field, formula: &str) -> CellProblem {
    let header = &field.header;
    let (en, ja) = match formula.is_empty() {
        true => (
            format!("{header} holds a formula (part of a shared formula) with no saved result, so its value is not known"),
            format!("「{header}」の数式（共有数式の一部）に計算結果が保存されていないため、値が分かりません"),
        ),
        false => (
            format!("{header} holds the formula ={formula} with no saved result, so its value is not known"),
            format!("「{header}」の数式 ={formula} に計算結果が保存されていないため、値が分かりません"),
        ),
    };
    CellProblem {
        severity: Severity::Error,
        code: "cell.formula_not_computed".into(),
        message: Text::new(en, ja),
        help: Text::new(
            "Open the workbook in Excel (or LibreOffice), let it calculate, and save it; or type the value itself instead of the formula.",
            "ブックを Excel（または LibreOffice）で開いて再計算させ、保存し直してください。または数式ではなく値そのものを入力してください。",
        ),
    }
}

fn formula_error(error: &str, target: &Target) -> CellProblem {
    CellProblem {
        severity: Severity::Error,
        code: "cell.formula_error".into(),
        message: Text::new(
            format!("{} holds the formula error {error}", target.field.header),
            format!(
                "「{}」が数式エラー {error} になっています",
                target.field.header
            ),
        ),
        help: Text::new(
            "Fix the formula, or type the value itself instead of a formula.",
            "数式を直すか、数式ではなく値そのものを入力してください。",
        ),
    }
}

fn text_value(cell: &Data, clean: impl Fn(&str) -> String) -> Converted {
    let text = match cell {
        Data::String(text) => clean(text),
        other => display(other),
    };
    Converted::value(Value::String(text))
}

/// A title without the 【】 around it; a （再掲） mark typed after them stays, after the title.
fn strip_brackets(text: &str) -> String {
    let trimmed = text.trim();
    let (title, mark) = match RELISTED_MARKS.iter().find_map(|m| trimmed.strip_suffix(m)) {
        Some(title) if title.trim_end().ends_with('】') => (title.trim_end(), RELISTED_MARK),
        _ => (trimmed, ""),
    };
    let title = title
        .strip_prefix('【')
        .and_then(|inner| inner.strip_suffix('】'))
        .filter(|inner| !inner.contains(['【', '】']))
        .unwrap_or(title)
        .trim();
    format!("{title}{mark}")
}

/// How the annex marks a re-listed measure, after its title.
pub const RELISTED_MARK: &str = "（再掲）";
/// The ways people type that mark (NFKC makes full-width brackets half-width).
const RELISTED_MARKS: [&str; 2] = ["（再掲）", "(再掲)"];

fn number(cell: &Data, target: &Target) -> Converted {
    let n = match cell {
        Data::Int(n) => *n as f64,
        Data::Float(n) if target.shown_as_percent == Some(true) => {
            // What the person sees (25%) is the figure, in the unit that counts percentages.
            let percent = target.field.percent_unit.as_deref();
            let unit = target.unit_in_row.map(|unit| nfkc(unit).trim().to_string());
            match (percent, unit) {
                // 0.123 × 100 is 12.299999999999999 in binary; the cell shows 12.3.
                (Some(percent), Some(unit)) if unit == percent => (*n * 1e11).round() / 1e9,
                _ => return Converted::error(target.percent_conflict(*n)),
            }
        }
        // Where the reader cannot say how the cell shows it, a fraction in the unit of
        // percentages is 0.25% or 25%: annex cannot tell which.
        Data::Float(n)
            if target.shown_as_percent.is_none()
                && (0.0..1.0).contains(&n.abs())
                && *n != 0.0
                && target.counts_percentages() =>
        {
            return Converted::error(target.percent_unsure(*n));
        }
        Data::Float(n) => *n,
        Data::String(text) if target.field.text_to_number => {
            return number_from_text(text, target);
        }
        other => return Converted::error(target.type_error(&display(other))),
    };
    match number_value(n) {
        Some(value) => Converted::value(value),
        None => Converted::error(target.type_error(&display(cell))),
    }
}

fn number_from_text(text: &str, target: &Target) -> Converted {
    let units: Vec<&str> = target
        .field
        .unit_field
        .as_deref()
        .and_then(|key| target.entity.field(key))
        .map(|unit| unit.allowed.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let normalised = nfkc(text);
    let Some(value) = parse::number_text(&normalised, &units).and_then(number_value) else {
        return Converted::error(target.type_error(text));
    };
    let typed_unit = (units.iter())
        .filter(|unit| !unit.is_empty() && normalised.trim().ends_with(**unit))
        .max_by_key(|unit| unit.len());
    if let (Some(typed), Some(row)) = (typed_unit, target.unit_in_row) {
        if *typed != nfkc(row).trim() {
            return Converted::error(target.unit_conflict(text, typed, row));
        }
    }
    let header = &target.field.header;
    Converted {
        problem: Some(CellProblem {
            severity: Severity::Warning,
            code: target.code("text_number"),
            message: Text::new(
                format!("{header} holds {text:?} as text; it was read as {value}"),
                format!("「{header}」の {text} が文字列として入力されています（{value} として読みました）"),
            ),
            help: Text::new(
                "Type the number alone (no commas or units) so that the cell holds a number.",
                "セルが数値になるよう、カンマや単位を付けずに数字だけを入力してください。",
            ),
        }),
        value: Some(value),
    }
}

/// A boolean field's spellings, normalised as [`normalize_answer`] makes them.
const BOOLEAN_ANSWERS: [(&str, bool); 2] = [("true", true), ("false", false)];

/// `answers`: each spelling, normalised, and the answer it gives.
fn yes_no<S: AsRef<str>>(cell: &Data, target: &Target, answers: &[(S, bool)]) -> Converted {
    let answer = match cell {
        Data::Bool(b) => Some(*b),
        Data::Int(1) => Some(true),
        Data::Int(0) => Some(false),
        Data::Float(n) if *n == 1.0 => Some(true),
        Data::Float(n) if *n == 0.0 => Some(false),
        Data::String(text) => {
            let answer = |written: &str| {
                (answers.iter())
                    .find(|(spelling, _)| spelling.as_ref() == written)
                    .map(|(_, answer)| *answer)
            };
            // Most cells hold a spelling exactly as listed; only the others need normalising.
            answer(text).or_else(|| answer(&normalize_answer(text)))
        }
        _ => None,
    };
    match answer {
        Some(answer) => Converted::value(Value::Bool(answer)),
        None => Converted::error(target.type_error(&display(cell))),
    }
}

fn fiscal_year(cell: &Data, target: &Target) -> Converted {
    match cell {
        Data::Int(n) => Converted::value(Value::from(*n)),
        // A date cell (令和6年4月, formatted with era tokens) names the fiscal year it falls in:
        // April to March.
        Data::DateTime(date) => match (target.year_as_date(date), date_of(date)) {
            (Some(problem), _) => Converted::error(problem),
            (None, Some((year, month, _))) => Converted::value(Value::from(match month {
                1..=3 => year - 1,
                _ => year,
            })),
            (None, None) => Converted::error(target.type_error(&display(cell))),
        },
        Data::Float(n) if n.fract() == 0.0 && n.abs() < 1e9 => {
            Converted::value(Value::from(*n as i64))
        }
        Data::String(text) => match parse::fiscal_year(&nfkc(text)) {
            Ok(year) => Converted::value(Value::from(year)),
            Err(error) => match year_range(&nfkc(text)) {
                Some((from, to)) => Converted::error(target.range_in_one_cell(text, from, to)),
                None => target.value_error(error, text),
            },
        },
        other => Converted::error(target.type_error(&display(other))),
    }
}

/// A span of fiscal years typed into one cell (R6-R8, 2024～2026年度), as its two ends as typed.
fn year_range(text: &str) -> Option<(&str, &str)> {
    let (from, to) = ["～", "〜", "~", "-", "－", "ー", "から"]
        .iter()
        .find_map(|separator| text.split_once(separator))?;
    let (from, to) = (from.trim(), to.trim().trim_end_matches("まで").trim());
    // 2024-12 is a month, not a span: a span's end is a year no earlier than its start.
    let start = parse::fiscal_year(from).or_else(|_| parse::fiscal_year(&format!("{from}年度")));
    match (start, parse::fiscal_year(to)) {
        (Ok(start), Ok(end)) if start <= end => Some((from, to)),
        _ => None,
    }
}

fn year_month(cell: &Data, target: &Target) -> Converted {
    let date = match cell {
        // The date as the workbook counts its serials (from 1900, or from 1904 on a Mac).
        Data::DateTime(date) => Some(date),
        // A plain number is not a date serial unless the cell is formatted as a date: 2024.12
        // typed into a General cell would otherwise become 1905-07-16.
        Data::Int(_) | Data::Float(_) => return Converted::error(target.number_not_a_date(cell)),
        _ => None,
    };
    if let Some(date) = date {
        if let Some(problem) = target.year_as_date(date) {
            return Converted::error(problem);
        }
        return match date_of(date) {
            Some(ymd) => Converted::value(Value::String(parse::format_date(ymd))),
            None => Converted::error(target.type_error(&display(cell))),
        };
    }
    let text = match cell {
        Data::String(text) => nfkc(text),
        Data::DateTimeIso(text) => Cow::Borrowed(text.get(..10).unwrap_or(text)),
        other => return Converted::error(target.type_error(&display(other))),
    };
    match parse::year_month(&text) {
        Ok(date) => Converted::value(Value::String(date)),
        Err(error) => target.value_error(error, &display(cell)),
    }
}

fn organisations(cell: &Data, target: &Target, separators: &[String]) -> Converted {
    let Data::String(text) = cell else {
        return Converted::error(target.type_error(&display(cell)));
    };
    if let Some(found) = lookalike(cell) {
        return Converted::error(target.lookalike(cell, found));
    }
    let codes = split_list(&nfkc(text), separators)
        .map(|part| {
            let code = target
                .schemas
                .organisation(part)
                .map_or(part, |org| org.code.as_str());
            Value::String(code.to_string())
        })
        .collect();
    Converted::value(Value::Array(codes))
}

fn ids(cell: &Data, target: &Target, separators: &[String]) -> Converted {
    let text = match cell {
        Data::String(text) => nfkc(text),
        Data::Float(_) | Data::Int(_) => display(cell).into(),
        other => return Converted::error(target.type_error(&display(other))),
    };
    let ids = split_list(&text, separators)
        .map(|id| Value::String(id.to_string()))
        .collect();
    Converted::value(Value::Array(ids))
}

/// The non-empty, trimmed parts of a cell's text between any of the separators.
fn split_list<'a>(text: &'a str, separators: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let next = separators
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| rest.find(s.as_str()).map(|at| (at, s.len())))
            .min();
        let (part, remainder) = match next {
            Some((at, len)) => (&rest[..at], &rest[at + len..]),
            None => (rest, ""),
        };
        rest = remainder;
        let part = part.trim();
        if !part.is_empty() {
            return Some(part);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};
    use serde_json::json;

    fn read(entity: &str, key: &str, cell: Data) -> Converted {
        let schemas = Schemas::embedded().unwrap();
        let entity = schemas.entity(entity).unwrap();
        let field = entity.field(key).unwrap();
        convert(
            &cell,
            &Target {
                schemas: &schemas,
                entity,
                field,
                unit_in_row: None,
                shown_as_percent: Some(false),
            },
        )
    }

    /// A KPI's 値 in a row whose 単位 is `unit`.
    fn figure_in(unit: &str, typed: &str) -> Converted {
        let schemas = Schemas::embedded().unwrap();
        let entity = schemas.entity("kpi").unwrap();
        let target = Target {
            schemas: &schemas,
            entity,
            field: entity.field("value").unwrap(),
            unit_in_row: Some(unit),
            shown_as_percent: Some(false),
        };
        convert(&text(typed), &target)
    }

    #[test]
    fn a_percentage_cell_is_the_figure_it_shows_in_the_unit_of_percentages() {
        let schemas = Schemas::embedded().unwrap();
        let entity = schemas.entity("kpi").unwrap();
        let shown = |unit| {
            let target = Target {
                schemas: &schemas,
                entity,
                field: entity.field("value").unwrap(),
                unit_in_row: unit,
                shown_as_percent: Some(true),
            };
            convert(&Data::Float(0.25), &target)
        };
        assert_eq!(shown(Some("%")).value, Some(json!(25)));
        let target = Target {
            schemas: &schemas,
            entity,
            field: entity.field("value").unwrap(),
            unit_in_row: Some("%"),
            shown_as_percent: Some(true),
        };
        assert_eq!(
            convert(&Data::Float(0.123), &target).value,
            Some(json!(12.3))
        );
        assert_eq!(shown(Some("％")).value, Some(json!(25)));
        let refused = shown(Some("件"));
        assert_eq!(refused.value, None);
        assert_eq!(refused.problem.unwrap().code, "kpi.value.percent_conflict");
        assert_eq!(
            shown(None).problem.unwrap().code,
            "kpi.value.percent_conflict"
        );
    }

    #[test]
    fn a_unit_typed_after_the_number_must_be_the_rows() {
        assert_eq!(figure_in("人", "48人").value, Some(json!(48)));
        let conflict = figure_in("件", "48人");
        assert_eq!(conflict.value, None);
        assert_eq!(conflict.problem.unwrap().code, "kpi.value.unit_conflict");
        assert_eq!(figure_in("千円", "1,200千円").value, Some(json!(1200)));
        assert_eq!(figure_in("件", "48").value, Some(json!(48)));
    }

    fn value(entity: &str, key: &str, cell: Data) -> Value {
        let converted = read(entity, key, cell);
        assert_eq!(converted.problem, None);
        converted.value.unwrap()
    }

    fn code(entity: &str, key: &str, cell: Data) -> String {
        read(entity, key, cell).problem.unwrap().code
    }

    fn text(s: &str) -> Data {
        Data::String(s.into())
    }

    #[test]
    fn ids_are_normalised_and_numbers_become_text() {
        assert_eq!(value("challenge", "id", Data::Float(1.0)), json!("1"));
        assert_eq!(value("challenge", "id", Data::Int(2)), json!("2"));
        assert_eq!(
            value("measure", "id", text(" ＭＥＴＩ－００３ ")),
            json!("METI-003")
        );
    }

    #[test]
    fn look_alike_characters_are_named_never_read_as_another_id() {
        for (typed, named) in [
            ("METIー003", "ー（長音記号）"),
            ("METIｰ003", "ー（長音記号）"),
            ("METI−003", "−（マイナス記号）"),
            ("METI‐003", "‐（全角のハイフン）"),
            ("METI-003\u{200B}", "ゼロ幅スペース（見えない文字）"),
        ] {
            let problem = read("measure", "id", text(typed)).problem.unwrap();
            assert_eq!(problem.code, "measure.id.lookalike", "{typed}");
            assert!(
                problem.message.ja.contains(named),
                "{typed}: {}",
                problem.message.ja
            );
        }
        assert_eq!(
            code("kpi", "unit", text("件\u{200B}")),
            "kpi.unit.lookalike"
        );
        // The long vowel of a word in kana is no look-alike (the schema then finds a department
        // where a ministry belongs).
        let department = read(
            "measure",
            "ministries",
            text("経済産業省 商務・サービスグループ"),
        );
        assert_eq!(department.problem, None);
        assert_eq!(
            code("measure", "ministries", text("経産省\u{FEFF}")),
            "measure.ministries.lookalike"
        );
        assert_eq!(value("kpi", "unit", text("％")), json!("%"));
        assert_eq!(value("kpi", "unit", text("件　")), json!("件"));
        assert_eq!(value("kpi", "unit", text(" 社")), json!("社"));
    }

    #[test]
    fn titles_lose_their_brackets() {
        assert_eq!(value("measure", "title", text("【がん】")), json!("がん"));
        assert_eq!(value("measure", "title", text(" がん ")), json!("がん"));
        assert_eq!(
            value("measure", "title", text("【臨床開発に対する支援】（再掲）")),
            json!("臨床開発に対する支援（再掲）"),
            "the mark is kept, once, outside the brackets the annex adds"
        );
        assert_eq!(
            value("measure", "title", text("【臨床開発に対する支援】 (再掲)")),
            json!("臨床開発に対する支援（再掲）")
        );
        assert_eq!(
            value("measure", "title", text("【がん】と【介護】")),
            json!("【がん】と【介護】")
        );
    }

    #[test]
    fn empty_and_blank_cells_are_absent() {
        assert_eq!(read("kpi", "value", Data::Empty), Converted::empty());
        assert_eq!(read("kpi", "note", text("  \n ")), Converted::empty());
    }

    #[test]
    fn numbers_from_cells_and_from_text() {
        assert_eq!(value("kpi", "value", Data::Float(48.0)), json!(48));
        assert_eq!(value("kpi", "value", Data::Float(12.5)), json!(12.5));
        assert_eq!(value("kpi", "value", Data::Int(1010)), json!(1010));
        let typed = read("kpi", "value", text("１，０１０"));
        assert_eq!(typed.value, Some(json!(1010)));
        assert_eq!(typed.problem.unwrap().code, "kpi.value.text_number");
        assert_eq!(read("kpi", "value", text("48件")).value, Some(json!(48)));
        assert_eq!(code("kpi", "value", text("many")), "kpi.value.type");
        assert_eq!(code("kpi", "value", Data::Bool(true)), "kpi.value.type");
    }

    #[test]
    fn formula_errors_are_errors_at_the_cell() {
        let problem = read("kpi", "value", Data::Error(CellErrorType::Ref))
            .problem
            .unwrap();
        assert_eq!(problem.code, "cell.formula_error");
        assert!(problem.message.en.contains("#REF!"));
    }

    #[test]
    fn fiscal_years() {
        assert_eq!(value("kpi", "fy_from", Data::Float(2024.0)), json!(2024));
        assert_eq!(value("kpi", "fy_from", text("令和６年度")), json!(2024));
        assert_eq!(
            code("kpi", "fy_from", text("平成32年度")),
            "kpi.fy_from.era"
        );
        assert_eq!(code("kpi", "fy_from", text("来年度")), "kpi.fy_from.type");
        let message = read("kpi", "fy_to", text("令和0年度"))
            .problem
            .unwrap()
            .message;
        assert!(message.en.contains("令和 starts at 元年"), "{}", message.en);
    }

    #[test]
    fn year_months_from_dates_serials_and_text() {
        let date = Data::DateTime(ExcelDateTime::new(
            45627.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(value("kpi", "as_of", date), json!("2024-12-01"));
        // A number in a cell not formatted as a date is no date: 2024.12 is not 1905-07-16.
        for number in [
            Data::Float(45627.0),
            Data::Float(2024.12),
            Data::Int(202412),
        ] {
            assert_eq!(code("kpi", "as_of", number), "kpi.as_of.not_a_date");
        }
        // A year typed into a date-formatted cell is no day of 1905, as a 時点 or a 年度.
        let year = Data::DateTime(ExcelDateTime::new(
            2024.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        let problem = read("kpi", "as_of", year.clone()).problem.unwrap();
        assert_eq!(problem.code, "kpi.as_of.year_as_date");
        assert!(
            problem.message.ja.contains("1905-07-16") && problem.message.ja.contains("2024"),
            "{}",
            problem.message.ja
        );
        assert_eq!(code("kpi", "fy_from", year), "kpi.fy_from.year_as_date");
        assert_eq!(value("kpi", "as_of", text("令和6年12月")), json!("2024-12"));
        assert_eq!(
            value(
                "kpi",
                "as_of",
                Data::DateTimeIso("2024-12-01T00:00:00".into())
            ),
            json!("2024-12-01")
        );
        assert_eq!(code("kpi", "as_of", text("2024-13")), "kpi.as_of.date");
    }

    #[test]
    fn a_span_of_years_in_one_cell_says_where_each_end_goes() {
        for span in [
            "R6-R8",
            "2024～2026年度",
            "令和6年度から令和8年度まで",
            "FY2024~FY2026",
        ] {
            let problem = read("kpi", "fy_from", text(span)).problem.unwrap();
            assert_eq!(problem.code, "kpi.fy_from.range", "{span}");
            assert!(
                problem.help.ja.contains("「対象年度（終了）」"),
                "{}",
                problem.help.ja
            );
        }
        let end = read("kpi", "fy_to", text("R6-R8")).problem.unwrap();
        assert!(
            end.help.ja.contains("「対象年度（開始）」"),
            "{}",
            end.help.ja
        );
        // A year and a month is no span.
        assert_eq!(code("kpi", "fy_from", text("2024-12")), "kpi.fy_from.type");
    }

    #[test]
    fn an_era_s_span_is_said_in_japanese_in_a_japanese_message() {
        let problem = read("kpi", "fy_from", text("平成32年度")).problem.unwrap();
        assert!(
            problem.message.ja.contains("1989年1月8日～2019年4月30日"),
            "{}",
            problem.message.ja
        );
        assert!(
            !problem.message.ja.contains(" to "),
            "{}",
            problem.message.ja
        );
    }

    #[test]
    fn dates_are_read_in_the_workbooks_own_date_system() {
        // Excel for Mac's 1904 system counts from 1904-01-01: 44165 is 2024-12-01 there, and
        // 2020-11-30 in the usual 1900 system.
        let mac = Data::DateTime(ExcelDateTime::new(
            44165.0,
            ExcelDateTimeType::DateTime,
            true,
        ));
        assert_eq!(value("kpi", "as_of", mac.clone()), json!("2024-12-01"));
        assert_eq!(display(&mac), "2024-12-01");
        let fiscal_start = Data::DateTime(ExcelDateTime::new(
            43921.0,
            ExcelDateTimeType::DateTime,
            true,
        ));
        assert_eq!(value("kpi", "fy_from", fiscal_start), json!(2024));
        let year = Data::DateTime(ExcelDateTime::new(
            2024.0,
            ExcelDateTimeType::DateTime,
            true,
        ));
        let problem = read("kpi", "as_of", year).problem.unwrap();
        assert!(
            problem.message.en.contains("1909-07-17"),
            "{}",
            problem.message.en
        );
    }

    #[test]
    fn a_date_cell_in_a_fiscal_year_column_is_the_fiscal_year_it_falls_in() {
        let date = |serial| {
            Data::DateTime(ExcelDateTime::new(
                serial,
                ExcelDateTimeType::DateTime,
                false,
            ))
        };
        // 45383 is 2024-04-01, the first day of 令和6年度; 45352 is 2024-03-01, still 令和5年度.
        assert_eq!(value("kpi", "fy_from", date(45383.0)), json!(2024));
        assert_eq!(value("kpi", "fy_from", date(45352.0)), json!(2023));
    }

    #[test]
    fn a_formulas_floating_point_noise_is_the_whole_number_it_shows() {
        assert_eq!(
            value("kpi", "value", Data::Float(48.00000000000001)),
            json!(48)
        );
        assert_eq!(
            value("kpi", "value", Data::Float(47.99999999999999)),
            json!(48)
        );
        assert_eq!(value("kpi", "value", Data::Float(48.001)), json!(48.001));
        assert_eq!(value("kpi", "value", Data::Float(1e-20)), json!(1e-20));
    }

    #[test]
    fn yes_and_no() {
        for yes in [
            text("○"),
            text("はい"),
            text("TRUE"),
            text("Yes"),
            Data::Bool(true),
            Data::Int(1),
            text("１"),
        ] {
            assert_eq!(
                value("kpi", "cumulative", yes.clone()),
                json!(true),
                "{yes:?}"
            );
        }
        for no in [
            text("×"),
            text("いいえ"),
            text("false"),
            Data::Bool(false),
            Data::Float(0.0),
        ] {
            assert_eq!(
                value("kpi", "cumulative", no.clone()),
                json!(false),
                "{no:?}"
            );
        }
        assert_eq!(
            code("kpi", "cumulative", text("たぶん")),
            "kpi.cumulative.type"
        );
    }

    #[test]
    fn organisations_by_any_name_and_separator() {
        assert_eq!(
            value(
                "measure",
                "ministries",
                text("経産省、厚生労働省・MEXT/内閣府\nAMED，METI")
            ),
            json!(["METI", "MHLW", "MEXT", "CAO", "AMED", "METI"])
        );
        assert_eq!(
            value("measure", "ministries", text("財務省")),
            json!(["財務省"])
        );
    }
}
