//! Japanese eras (元号): exact arithmetic between era years and Western years, and the bounds of
//! each era, so that a year that never existed (令和0年, 平成32年, 昭和65年) is refused, not guessed.

/// A calendar date, as (year, month, day).
pub type Ymd = (i32, u32, u32);

#[derive(Debug, PartialEq, Eq)]
pub struct Era {
    pub name: &'static str,
    /// The letter used in abbreviations such as `R6` or `H30.4`.
    pub letter: char,
    /// The first day of the era; its year is the era's 元年.
    pub first_day: Ymd,
    /// The last day of the era, if it has ended.
    pub last_day: Option<Ymd>,
}

pub const ERAS: &[Era] = &[
    Era {
        name: "明治",
        letter: 'M',
        first_day: (1868, 10, 23),
        last_day: Some((1912, 7, 29)),
    },
    Era {
        name: "大正",
        letter: 'T',
        first_day: (1912, 7, 30),
        last_day: Some((1926, 12, 24)),
    },
    Era {
        name: "昭和",
        letter: 'S',
        first_day: (1926, 12, 25),
        last_day: Some((1989, 1, 7)),
    },
    Era {
        name: "平成",
        letter: 'H',
        first_day: (1989, 1, 8),
        last_day: Some((2019, 4, 30)),
    },
    Era {
        name: "令和",
        letter: 'R',
        first_day: (2019, 5, 1),
        last_day: None,
    },
];

/// An era year that the era never had, or a date outside the era.
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfEra {
    pub era: &'static str,
    /// The era year as written.
    pub year: u32,
    /// The era's last year, if it has ended.
    pub last_year: Option<u32>,
    /// The first and last day, for a date that falls outside the era.
    pub first_day: Ymd,
    pub last_day: Option<Ymd>,
}

impl Era {
    /// The era whose full name or letter starts `text`, and the rest of the text.
    pub fn strip_prefix(text: &str) -> Option<(&'static Era, &str)> {
        ERAS.iter().find_map(|era| {
            if let Some(rest) = text.strip_prefix(era.name) {
                return Some((era, rest));
            }
            let mut chars = text.chars();
            let first = chars.next()?;
            (first.to_ascii_uppercase() == era.letter).then_some((era, chars.as_str()))
        })
    }

    /// The era's last year number (平成 → 31), if it has ended.
    pub fn last_year(&self) -> Option<u32> {
        self.last_day
            .map(|(year, _, _)| (year - self.first_day.0 + 1).unsigned_abs())
    }

    fn out_of_era(&'static self, year: u32) -> OutOfEra {
        OutOfEra {
            era: self.name,
            year,
            last_year: self.last_year(),
            first_day: self.first_day,
            last_day: self.last_day,
        }
    }

    /// The Western year of an era year, if the era had that year at all (元年 is 1).
    pub fn western_year(&'static self, year: u32) -> Result<i32, OutOfEra> {
        let in_range = year >= 1 && self.last_year().is_none_or(|last| year <= last);
        let western = i32::try_from(year)
            .ok()
            .and_then(|y| self.first_day.0.checked_add(y - 1));
        match western {
            Some(western) if in_range => Ok(western),
            _ => Err(self.out_of_era(year)),
        }
    }

    /// The Western date of an era date; `day` 0 stands for "some day in that month".
    pub fn western_date(&'static self, year: u32, month: u32, day: u32) -> Result<Ymd, OutOfEra> {
        let western = self.western_year(year)?;
        let inside_start = if day == 0 {
            (western, month) >= (self.first_day.0, self.first_day.1)
        } else {
            (western, month, day) >= self.first_day
        };
        let inside_end = self.last_day.is_none_or(|last| {
            if day == 0 {
                (western, month) <= (last.0, last.1)
            } else {
                (western, month, day) <= last
            }
        });
        if inside_start && inside_end {
            Ok((western, month, day))
        } else {
            Err(self.out_of_era(year))
        }
    }

    /// The era and era year a Western date falls in: how the annex writes a date, and the
    /// inverse the tests check readings against.
    pub fn of_date(date: Ymd) -> Option<(&'static Era, u32)> {
        let era = ERAS.iter().rev().find(|era| date >= era.first_day)?;
        Some((era, (date.0 - era.first_day.0 + 1).unsigned_abs()))
    }

    /// The era of a fiscal year (April to March): the one it is named after, so that FY2019 is
    /// 令和元年度 although 令和 began in its second month.
    pub fn of_fiscal_year(year: i32) -> Option<(&'static Era, u32)> {
        Era::of_date((year, 5, 1))
    }
}

/// An era year as it is written: 令和元, 令和6.
pub fn era_year(era: &Era, year: u32) -> String {
    match year {
        1 => format!("{}元", era.name),
        n => format!("{}{n}", era.name),
    }
}

/// Fiscal years as the council writes them, the Western years beside: 令和6（2024）年度,
/// 令和2～6（2020～2024）年度, 平成30～令和2（2018～2020）年度.
pub fn written_fiscal_years(from: i32, to: i32) -> String {
    let (Some((first_era, first)), Some((last_era, last))) =
        (Era::of_fiscal_year(from), Era::of_fiscal_year(to))
    else {
        return match from == to {
            true => format!("{from}年度"),
            false => format!("{from}～{to}年度"),
        };
    };
    match (from == to, first_era == last_era) {
        (true, _) => format!("{}（{from}）年度", era_year(first_era, first)),
        (false, true) => format!("{}～{last}（{from}～{to}）年度", era_year(first_era, first)),
        (false, false) => format!(
            "{}～{}（{from}～{to}）年度",
            era_year(first_era, first),
            era_year(last_era, last)
        ),
    }
}

/// One fiscal year as the council writes it: 令和6（2024）年度.
pub fn written_fiscal_year(year: i32) -> String {
    written_fiscal_years(year, year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn era(name: &str) -> &'static Era {
        ERAS.iter().find(|era| era.name == name).unwrap()
    }

    #[test]
    fn fiscal_years_are_written_in_the_era_the_council_uses() {
        assert_eq!(written_fiscal_year(2024), "令和6（2024）年度");
        assert_eq!(written_fiscal_year(2019), "令和元（2019）年度");
        assert_eq!(written_fiscal_year(2018), "平成30（2018）年度");
        assert_eq!(
            written_fiscal_years(2020, 2024),
            "令和2～6（2020～2024）年度"
        );
        assert_eq!(
            written_fiscal_years(2018, 2020),
            "平成30～令和2（2018～2020）年度"
        );
    }

    #[test]
    fn first_years_are_exact() {
        assert_eq!(era("令和").western_year(1), Ok(2019));
        assert_eq!(era("平成").western_year(1), Ok(1989));
        assert_eq!(era("昭和").western_year(1), Ok(1926));
        assert_eq!(era("令和").western_year(6), Ok(2024));
        assert_eq!(era("平成").western_year(30), Ok(2018));
    }

    #[test]
    fn years_an_era_never_had_are_refused() {
        assert!(era("令和").western_year(0).is_err());
        assert_eq!(era("平成").western_year(31), Ok(2019));
        let error = era("平成").western_year(32).unwrap_err();
        assert_eq!(
            (error.era, error.year, error.last_year),
            ("平成", 32, Some(31))
        );
        assert_eq!(era("昭和").western_year(64), Ok(1989));
        assert!(era("昭和").western_year(65).is_err());
        assert!(era("大正").western_year(20).is_err());
        assert_eq!(era("大正").western_year(15), Ok(1926));
    }

    #[test]
    fn dates_outside_the_era_are_refused() {
        assert_eq!(era("令和").western_date(1, 5, 1), Ok((2019, 5, 1)));
        assert!(era("令和").western_date(1, 4, 30).is_err());
        assert!(era("令和").western_date(1, 4, 0).is_err());
        assert_eq!(era("平成").western_date(31, 4, 30), Ok((2019, 4, 30)));
        assert!(era("平成").western_date(31, 5, 0).is_err());
        assert!(era("平成").western_date(1, 1, 7).is_err());
        assert_eq!(era("平成").western_date(1, 1, 0), Ok((1989, 1, 0)));
        assert_eq!(era("昭和").western_date(64, 1, 7), Ok((1989, 1, 7)));
    }

    #[test]
    fn prefixes_are_names_or_letters() {
        assert_eq!(
            Era::strip_prefix("令和6年度").map(|(e, r)| (e.name, r)),
            Some(("令和", "6年度"))
        );
        assert_eq!(
            Era::strip_prefix("r6").map(|(e, r)| (e.name, r)),
            Some(("令和", "6"))
        );
        assert_eq!(
            Era::strip_prefix("H30.4").map(|(e, r)| (e.name, r)),
            Some(("平成", "30.4"))
        );
        assert!(Era::strip_prefix("2024").is_none());
        assert!(Era::strip_prefix("").is_none());
    }

    proptest! {
        #[test]
        fn western_to_era_and_back(year in 1869i32..2200, month in 1u32..=12, day in 1u32..=28) {
            let (era, era_year) = Era::of_date((year, month, day)).unwrap();
            prop_assert_eq!(era.western_date(era_year, month, day), Ok((year, month, day)));
            prop_assert_eq!(era.western_year(era_year), Ok(year));
        }

        #[test]
        fn the_day_before_an_era_belongs_to_the_one_before(index in 1usize..ERAS.len()) {
            let era = &ERAS[index];
            let previous = &ERAS[index - 1];
            let last = previous.last_day.unwrap();
            prop_assert_eq!(Era::of_date(last).map(|(e, _)| e.name), Some(previous.name));
            prop_assert_eq!(Era::of_date(era.first_day), Some((era, 1)));
            let (year, month, day) = last;
            let era_year = (year - previous.first_day.0 + 1) as u32;
            prop_assert!(previous.western_date(era_year, month, day).is_ok());
            prop_assert!(era.western_date(1, era.first_day.1, era.first_day.2).is_ok());
            prop_assert_eq!(Some(era_year), previous.last_year());
        }
    }
}
