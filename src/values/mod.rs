//! Cells → values: one cell, as a person typed it, becomes the JSON value its field's schema asks
//! for (fiscal years in any era, year-months, yes/no, organisations, numbers written as text), or
//! a problem with that cell. Pure: nothing here reads a file or looks at another row.

mod era;

pub use era::{era_year, written_fiscal_year, written_fiscal_years, Era};
mod parse;

use std::borrow::Cow;

use calamine::{Data, ExcelDateTime, ExcelDateTimeType};
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

    fn error(problem: CellProblem) -> Converted {
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
}

impl Target<'_> {
    fn code(&self, suffix: &str) -> String {
        format!("{}.{}.{suffix}", self.entity.name, self.field.key)
    }

    /// The field's description and example, as help.
    pub fn help(&self) -> Text {
        field_help(self.field)
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
        CellProblem {
            severity: Severity::Error,
            code: self.code("era"),
            message: Text::new(
                format!(
                    "{}: {}{}年 did not exist; {range_en} ({span_en})",
                    self.field.header, error.era, error.year
                ),
                format!(
                    "「{}」: {}{}年は存在しません。{range_ja}です（{span_en}）",
                    self.field.header, error.era, error.year
                ),
            ),
            help: Text::new(
                "Check the era and the year, or write the Western year (e.g. 2024).",
                "元号と年を確かめるか、西暦（例: 2024）で入力してください。",
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

    fn value_error(&self, error: ValueError, found: &str) -> Converted {
        Converted::error(match error {
            ValueError::Unrecognised => self.type_error(found),
            ValueError::OutOfEra(era) => self.era_error(&era),
            ValueError::NoSuchDate => self.no_such_date(found),
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
        ValueKind::Id => text_value(cell, |text| nfkc(text).trim().to_string()),
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

fn strip_brackets(text: &str) -> String {
    let trimmed = text.trim();
    trimmed
        .strip_prefix('【')
        .and_then(|inner| inner.strip_suffix('】'))
        .filter(|inner| !inner.contains(['【', '】']))
        .unwrap_or(trimmed)
        .trim()
        .to_string()
}

fn number(cell: &Data, target: &Target) -> Converted {
    let n = match cell {
        Data::Int(n) => *n as f64,
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
    let Some(value) = parse::number_text(&nfkc(text), &units).and_then(number_value) else {
        return Converted::error(target.type_error(text));
    };
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
        Data::Float(n) if n.fract() == 0.0 && n.abs() < 1e9 => {
            Converted::value(Value::from(*n as i64))
        }
        Data::String(text) => match parse::fiscal_year(&nfkc(text)) {
            Ok(year) => Converted::value(Value::from(year)),
            Err(error) => target.value_error(error, text),
        },
        other => Converted::error(target.type_error(&display(other))),
    }
}

fn year_month(cell: &Data, target: &Target) -> Converted {
    let serial = match cell {
        Data::DateTime(date) => Some(date.as_f64()),
        Data::Int(n) => Some(*n as f64),
        Data::Float(n) => Some(*n),
        _ => None,
    };
    if let Some(serial) = serial {
        let date = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
        return match date_of(&date) {
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
    use calamine::CellErrorType;
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
            },
        )
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
    fn titles_lose_their_brackets() {
        assert_eq!(value("measure", "title", text("【がん】")), json!("がん"));
        assert_eq!(value("measure", "title", text(" がん ")), json!("がん"));
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
        assert_eq!(
            value("kpi", "as_of", Data::Float(45627.0)),
            json!("2024-12-01")
        );
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
        assert_eq!(code("kpi", "as_of", Data::Float(-3.0)), "kpi.as_of.type");
        assert_eq!(code("kpi", "as_of", Data::Int(202412)), "kpi.as_of.type");
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
