//! Whether a cell's number is a date: decided by its style's number format, by the same rules
//! calamine applies (its `formats` module, MIT), so that both readers give the same values.

/// What a number format makes of a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumberKind {
    Number,
    /// A number shown multiplied by 100 with a `%` (0.25 as 25%).
    Percent,
    DateTime,
    Duration,
}

/// A built-in format, by its id as written (`14`, not `014`).
pub fn builtin(id: &str) -> NumberKind {
    let written_plainly = |n: &u16| n.to_string() == id;
    match id.parse::<u16>().ok().filter(written_plainly) {
        Some(14..=22 | 27..=36 | 45 | 47 | 50..=58) => NumberKind::DateTime,
        Some(46) => NumberKind::Duration,
        Some(9 | 10) => NumberKind::Percent,
        _ => NumberKind::Number,
    }
}

/// A format written in the workbook, by its code: a date if its first section shows a date or
/// time part outside quotes, brackets and escapes; a duration if it shows elapsed `[h]`, `[m]`
/// or `[s]`.
///
/// Beyond calamine, the Japanese era tokens are date parts too: `g` (the era's name) and `e` (the
/// era year), as in `ggge"年"m"月"` — but not the `e` of a scientific `0.00e+00`.
pub fn custom(code: &str) -> NumberKind {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut previous = ' ';
    let mut elapsed = false;
    let mut am_pm = false;
    // `General`, the word, shows a number as it is; its letters are no tokens.
    let code = without_general(code);
    let mut chars = code.chars().peekable();
    let mut percent = false;
    while let Some(c) = chars.next() {
        let scientific = matches!(c, 'e' | 'E') && matches!(chars.peek(), Some('+' | '-'));
        match (c, escaped, quoted, am_pm, brackets) {
            (_, true, ..) => escaped = false,
            // `\` escapes, `_` skips a width and `*` fills: the next character is literal.
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => (),
            ('"', ..) => quoted = true,
            (';', ..) => break,
            ('%', _, _, _, 0) => percent = true,
            ('[', ..) => brackets += 1,
            (']', .., 1) if elapsed => return NumberKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => am_pm = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumberKind::DateTime
            }
            ('g' | 'G' | 'e', _, _, false, 0) if !scientific => return NumberKind::DateTime,
            _ => {
                if !(elapsed && c.eq_ignore_ascii_case(&previous)) {
                    elapsed = previous == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        previous = c;
    }
    match percent {
        true => NumberKind::Percent,
        false => NumberKind::Number,
    }
}

/// A format code without the word `General` (in any case) wherever it stands.
fn without_general(code: &str) -> String {
    let mut rest = code;
    let mut out = String::with_capacity(code.len());
    while let Some(at) = rest.to_ascii_lowercase().find("general") {
        out.push_str(&rest[..at]);
        rest = &rest[at + "general".len()..];
    }
    out.push_str(rest);
    out
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
        assert_eq!(custom(r#"ggge"年度""#), NumberKind::DateTime);
        assert_eq!(custom(r#"[$-411]ge.m.d"#), NumberKind::DateTime);
        assert_eq!(custom(r#"[DBNum1][$-411]ggge"年""#), NumberKind::DateTime);
        assert_eq!(custom("0.00E+00"), NumberKind::Number);
        assert_eq!(custom("0.0e-0"), NumberKind::Number);
        assert_eq!(custom(r#"#,##0"件""#), NumberKind::Number);
        assert_eq!(custom("0.0_);[Red](0.0)"), NumberKind::Number);
        assert_eq!(custom("General"), NumberKind::Number);
        assert_eq!(builtin("9"), NumberKind::Percent);
        assert_eq!(custom("0.0%"), NumberKind::Percent);
        assert_eq!(custom(r#"0"%""#), NumberKind::Number, "a quoted % is text");
        assert_eq!(
            custom("0;[Red]-0%"),
            NumberKind::Number,
            "the first section decides"
        );
        assert_eq!(custom(r#"General"件""#), NumberKind::Number);
    }
}
