//! The ways people type fiscal years, year-months, dates and numbers, read into one form each.
//! Every function takes text already NFKC-normalised (full-width digits are ASCII digits).

pub use super::era::Ymd;
use super::era::{Era, OutOfEra};

/// Why a typed value could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ValueError {
    /// Not in any accepted form.
    Unrecognised,
    /// An era year or date that did not exist.
    OutOfEra(OutOfEra),
    /// A month or day that no calendar has (13月, 2月30日).
    NoSuchDate,
    /// An era year and a Western year written side by side that are not the same year
    /// (令和6（2025）年度): as written, and the Western year the era year is.
    Disagree {
        era_year: String,
        western: i32,
        era_means: i32,
    },
}

impl From<OutOfEra> for ValueError {
    fn from(error: OutOfEra) -> Self {
        ValueError::OutOfEra(error)
    }
}

/// Splits leading ASCII digits off `text`.
fn digits(text: &str) -> Option<(u32, &str)> {
    let end = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(text.len(), |(i, _)| i);
    if end == 0 || end > 9 {
        return None;
    }
    Some((text[..end].parse().ok()?, &text[end..]))
}

/// A year written as an era year (令和6, R6, 令和元) or as four Western digits, and the rest.
enum Year {
    Era(&'static Era, u32),
    Western(i32),
}

/// A year, with the same year written the other way beside it in brackets, as ministries write
/// 和暦と西暦の併記: `令和6(2024)`, `2024(令和6)`. Both must be the same year.
fn year(text: &str) -> Result<(Year, &str), ValueError> {
    let (first, rest) = single_year(text)?;
    let Some(inner) = rest.trim_start().strip_prefix('(') else {
        return Ok((first, rest));
    };
    let (close, after) = inner.split_once(')').ok_or(ValueError::Unrecognised)?;
    let (second, left) = single_year(close.trim())?;
    if !left.trim().is_empty() {
        return Err(ValueError::Unrecognised);
    }
    let (era, n, western) = match (&first, &second) {
        (Year::Era(era, n), Year::Western(y)) | (Year::Western(y), Year::Era(era, n)) => {
            (*era, *n, *y)
        }
        _ => return Err(ValueError::Unrecognised),
    };
    let era_means = era.first_day.0 + n as i32 - 1;
    if era_means != western {
        let era_year = match n {
            1 => format!("{}元年", era.name),
            n => format!("{}{n}年", era.name),
        };
        return Err(ValueError::Disagree {
            era_year,
            western,
            era_means,
        });
    }
    Ok((Year::Era(era, n), after))
}

fn single_year(text: &str) -> Result<(Year, &str), ValueError> {
    if let Some((era, rest)) = Era::strip_prefix(text) {
        let rest = rest.trim_start();
        if let Some(rest) = rest.strip_prefix('元') {
            return Ok((Year::Era(era, 1), rest));
        }
        let (n, rest) = digits(rest).ok_or(ValueError::Unrecognised)?;
        return Ok((Year::Era(era, n), rest));
    }
    let (n, rest) = digits(text).ok_or(ValueError::Unrecognised)?;
    if text.len() - rest.len() != 4 {
        return Err(ValueError::Unrecognised);
    }
    Ok((Year::Western(n as i32), rest))
}

/// A fiscal year as its Western year: `2024`, `2024年度`, `FY2024`, `令和6年度`, `R6`, `令和元年度`.
pub fn fiscal_year(text: &str) -> Result<i32, ValueError> {
    let text = text.trim();
    let body = strip_prefix_ignore_case(text, "FY")
        .unwrap_or(text)
        .trim_start();
    let (year, rest) = year(body)?;
    if !matches!(rest.trim(), "" | "年度" | "年") {
        return Err(ValueError::Unrecognised);
    }
    match year {
        Year::Era(era, n) => Ok(era.western_year(n)?),
        Year::Western(y) => Ok(y),
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Words people add after a point in time: 令和6年12月時点, 2024年12月現在.
const POINT_IN_TIME_SUFFIXES: &[&str] = &["時点", "現在", "末"];

/// A year-month or a date: `2024-12`, `2024/12`, `2024年12月`, `令和6年12月`, `R6.12`, `2024-12-01`,
/// `2024年12月1日`. Returns `YYYY-MM` or `YYYY-MM-DD`.
pub fn year_month(text: &str) -> Result<String, ValueError> {
    let mut text = text.trim();
    for suffix in POINT_IN_TIME_SUFFIXES {
        text = text.strip_suffix(suffix).unwrap_or(text).trim_end();
    }
    let (year, rest) = year(text)?;
    let rest = rest
        .strip_prefix(['-', '/', '.', '年'])
        .ok_or(ValueError::Unrecognised)?;
    let (month, rest) = digits(rest).ok_or(ValueError::Unrecognised)?;
    let (day, rest) = match rest {
        "" | "月" => (0, ""),
        _ => {
            let rest = rest
                .strip_prefix(['-', '/', '.', '月'])
                .ok_or(ValueError::Unrecognised)?;
            let (day, rest) = digits(rest).ok_or(ValueError::Unrecognised)?;
            if day == 0 {
                return Err(ValueError::NoSuchDate);
            }
            (day, rest)
        }
    };
    if !matches!(rest, "" | "日") {
        return Err(ValueError::Unrecognised);
    }
    if !(1..=12).contains(&month) || day > days_in_month_of(&year, month) {
        return Err(ValueError::NoSuchDate);
    }
    let (y, m, d) = match year {
        Year::Era(era, n) => era.western_date(n, month, day)?,
        Year::Western(y) => (y, month, day),
    };
    Ok(format_date((y, m, d)))
}

fn days_in_month_of(year: &Year, month: u32) -> u32 {
    let western = match year {
        Year::Western(y) => *y,
        Year::Era(era, n) => era.first_day.0 + *n as i32 - 1,
    };
    days_in_month(western, month)
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// `YYYY-MM-DD`, or `YYYY-MM` when the day is 0.
pub fn format_date((year, month, day): Ymd) -> String {
    if day == 0 {
        format!("{year:04}-{month:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// A number typed as text: `1,010`, `48件`, `12.5%`. A trailing unit is accepted when it is one
/// of `units`. Returns `None` for anything else.
pub fn number_text(text: &str, units: &[&str]) -> Option<f64> {
    let text = text.trim();
    // The longest unit that ends the text: 千円 before 円.
    let body = units
        .iter()
        .filter(|unit| !unit.is_empty() && text.ends_with(**unit))
        .max_by_key(|unit| unit.len())
        .and_then(|unit| text.strip_suffix(unit))
        .unwrap_or(text)
        .trim_end();
    let cleaned: String = body.chars().filter(|c| *c != ',').collect();
    let valid = !cleaned.is_empty()
        && cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        && cleaned.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    fn nfkc(text: &str) -> String {
        text.nfkc().collect()
    }

    #[test]
    fn era_and_western_years_side_by_side_must_agree() {
        for text in [
            "令和6（2024）年度",
            "2024（令和6）年度",
            "令和６（２０２４）年度",
            "R6(2024)",
        ] {
            assert_eq!(fiscal_year(&nfkc(text)), Ok(2024), "{text}");
        }
        assert_eq!(fiscal_year(&nfkc("令和元（2019）年度")), Ok(2019));
        assert_eq!(
            year_month(&nfkc("令和6（2024）年12月")),
            Ok("2024-12".into())
        );
        assert_eq!(
            fiscal_year(&nfkc("令和6（2025）年度")),
            Err(ValueError::Disagree {
                era_year: "令和6年".into(),
                western: 2025,
                era_means: 2024
            })
        );
        assert_eq!(
            fiscal_year(&nfkc("2024（2024）年度")),
            Err(ValueError::Unrecognised)
        );
    }

    #[test]
    fn fiscal_years_in_every_accepted_spelling() {
        for text in [
            "2024",
            "2024年度",
            "FY2024",
            "fy 2024",
            "令和6年度",
            "令和６年度",
            "R6",
            "r6年度",
            "令和6",
        ] {
            assert_eq!(fiscal_year(&nfkc(text)), Ok(2024), "{text}");
        }
        assert_eq!(fiscal_year("令和元年度"), Ok(2019));
        assert_eq!(fiscal_year("平成30年度"), Ok(2018));
        assert_eq!(fiscal_year("平成元年度"), Ok(1989));
        assert_eq!(fiscal_year("昭和元年"), Ok(1926));
        assert_eq!(fiscal_year("H31"), Ok(2019));
    }

    #[test]
    fn fiscal_years_that_never_existed_are_refused() {
        for text in ["令和0年度", "平成32年度", "昭和65年", "大正20年"] {
            assert!(
                matches!(fiscal_year(text), Err(ValueError::OutOfEra(_))),
                "{text}"
            );
        }
        for text in [
            "",
            "24",
            "20245",
            "令和",
            "令和六年度",
            "2024年度から",
            "FY",
            "next year",
        ] {
            assert_eq!(fiscal_year(text), Err(ValueError::Unrecognised), "{text}");
        }
    }

    #[test]
    fn year_months_and_dates_in_every_accepted_spelling() {
        for text in [
            "2024-12",
            "2024/12",
            "2024年12月",
            "令和6年12月",
            "令和６年１２月",
            "R6.12",
            "2024.12",
            "令和６年12月時点",
        ] {
            assert_eq!(year_month(&nfkc(text)).as_deref(), Ok("2024-12"), "{text}");
        }
        for text in [
            "2024-12-01",
            "2024/12/1",
            "2024年12月1日",
            "令和6年12月1日",
            "R6.12.1",
        ] {
            assert_eq!(
                year_month(&nfkc(text)).as_deref(),
                Ok("2024-12-01"),
                "{text}"
            );
        }
        assert_eq!(year_month("令和7年3月").as_deref(), Ok("2025-03"));
        assert_eq!(year_month("2024/2/29").as_deref(), Ok("2024-02-29"));
    }

    #[test]
    fn impossible_year_months_are_refused() {
        assert_eq!(year_month("2024-13"), Err(ValueError::NoSuchDate));
        assert_eq!(year_month("2023/2/29"), Err(ValueError::NoSuchDate));
        assert_eq!(year_month("2024年4月31日"), Err(ValueError::NoSuchDate));
        assert!(matches!(
            year_month("令和元年4月"),
            Err(ValueError::OutOfEra(_))
        ));
        assert!(matches!(
            year_month("平成31年5月"),
            Err(ValueError::OutOfEra(_))
        ));
        assert!(matches!(
            year_month("令和0年12月"),
            Err(ValueError::OutOfEra(_))
        ));
        for text in ["2024", "12月", "2024-12-", "2024年12月1日時", "soon"] {
            assert_eq!(year_month(text), Err(ValueError::Unrecognised), "{text}");
        }
    }

    #[test]
    fn numbers_typed_as_text() {
        let units = ["件", "人", "%"];
        assert_eq!(number_text("1,010", &units), Some(1010.0));
        assert_eq!(number_text(&nfkc("１，０１０"), &units), Some(1010.0));
        assert_eq!(number_text("48件", &units), Some(48.0));
        assert_eq!(number_text("48 件", &units), Some(48.0));
        assert_eq!(number_text("12.5%", &units), Some(12.5));
        assert_eq!(number_text("-3", &units), Some(-3.0));
        for text in ["", "件", "48社", "abc", "1.2.3", "--", "inf", "NaN"] {
            assert_eq!(number_text(text, &units), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_western_year_round_trips_through_its_era(year in 1869i32..2200) {
            let (era, era_year) = Era::of_date((year, 12, 31)).unwrap();
            prop_assert_eq!(fiscal_year(&format!("{}{}年度", era.name, era_year)), Ok(year));
            prop_assert_eq!(fiscal_year(&format!("{}{}", era.letter, era_year)), Ok(year));
            prop_assert_eq!(fiscal_year(&format!("{year}年度")), Ok(year));
        }

        #[test]
        fn any_date_round_trips_through_its_era(year in 1869i32..2200, month in 1u32..=12, day in 1u32..=28) {
            let (era, era_year) = Era::of_date((year, month, day)).unwrap();
            let written = format!("{}{}年{}月{}日", era.name, era_year, month, day);
            prop_assert_eq!(year_month(&written), Ok(format_date((year, month, day))));
        }

        #[test]
        fn no_text_makes_the_readers_panic(text in "\\PC{0,20}") {
            let _ = fiscal_year(&text);
            let _ = year_month(&text);
            let _ = number_text(&text, &["件"]);
        }
    }
}
