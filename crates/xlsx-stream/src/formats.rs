//! Whether a cell's number is a date: decided by its style's number format, by the same rules
//! calamine applies (its `formats` module, MIT), so that both readers give the same values.

/// What a number format makes of a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumberKind {
    Number,
    DateTime,
    Duration,
}

/// A built-in format, by its id as written (`14`, not `014`).
pub fn builtin(id: &str) -> NumberKind {
    let written_plainly = |n: &u16| n.to_string() == id;
    match id.parse::<u16>().ok().filter(written_plainly) {
        Some(14..=22 | 27..=36 | 45 | 47 | 50..=58) => NumberKind::DateTime,
        Some(46) => NumberKind::Duration,
        _ => NumberKind::Number,
    }
}

/// A format written in the workbook, by its code: a date if its first section shows a date or
/// time part outside quotes, brackets and escapes; a duration if it shows elapsed `[h]`, `[m]`
/// or `[s]`.
pub fn custom(code: &str) -> NumberKind {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut previous = ' ';
    let mut elapsed = false;
    let mut am_pm = false;
    for c in code.chars() {
        match (c, escaped, quoted, am_pm, brackets) {
            (_, true, ..) => escaped = false,
            // `\` escapes, `_` skips a width and `*` fills: the next character is literal.
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => (),
            ('"', ..) => quoted = true,
            (';', ..) => return NumberKind::Number,
            ('[', ..) => brackets += 1,
            (']', .., 1) if elapsed => return NumberKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => am_pm = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumberKind::DateTime
            }
            _ => {
                if !(elapsed && c.eq_ignore_ascii_case(&previous)) {
                    elapsed = previous == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        previous = c;
    }
    NumberKind::Number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_durations_and_numbers_are_told_apart() {
        assert_eq!(builtin("14"), NumberKind::DateTime);
        assert_eq!(builtin("46"), NumberKind::Duration);
        assert_eq!(builtin("3"), NumberKind::Number);
        assert_eq!(builtin("014"), NumberKind::Number);
        assert_eq!(custom(r#"yyyy"年"m"月"d"日""#), NumberKind::DateTime);
        assert_eq!(
            custom("[$-ja-JP-x-gannen]ggge\"年\"m\"月\"d\"日\""),
            NumberKind::DateTime
        );
        assert_eq!(custom("[h]:mm:ss"), NumberKind::Duration);
        assert_eq!(custom(r#"#,##0"件""#), NumberKind::Number);
        assert_eq!(custom("0.0_);[Red](0.0)"), NumberKind::Number);
        assert_eq!(custom("General"), NumberKind::Number);
    }
}
