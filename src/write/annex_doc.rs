//! The council's annex as a document: the master laid out the way the council's own summary is —
//! challenge and section headings, themes (小見出し) grouping issues, each issue (論点) beside its
//! measures, the organisations in charge, re-listings marked （再掲）. Rendered to Markdown
//! (`annex.md`) and to a print-ready sheet of `annex.xlsx`.

use serde_json::Value;

use crate::records::display_value;
use crate::schema::Schemas;

pub struct AnnexDoc {
    pub challenges: Vec<ChallengeDoc>,
}

pub struct ChallengeDoc {
    /// `課題1 医療ニーズに基づいた…`
    pub heading: String,
    pub direction: Option<String>,
    pub sections: Vec<SectionDoc>,
}

pub struct SectionDoc {
    /// `（1）AI・計測技術を含む…`
    pub heading: String,
    pub groups: Vec<ThemeGroup>,
}

/// Consecutive issues of a section under one theme (or none).
pub struct ThemeGroup {
    pub theme: Option<String>,
    pub issues: Vec<IssueDoc>,
}

pub struct IssueDoc {
    pub question: String,
    pub measures: Vec<MeasureDoc>,
}

pub struct MeasureDoc {
    /// `【がん】`, or `【臨床開発に対する支援】（再掲）`.
    pub title: String,
    pub text: String,
    /// Short names, one per line.
    pub ministries: Vec<String>,
    /// One sentence per KPI: `上市件数 8件（採択件数の内数）`.
    pub figures: Vec<String>,
}

fn text<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Value::as_str)
}

fn list<'a>(node: &'a Value, key: &str) -> &'a [Value] {
    node.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `（1）` with full-width digits, as the council writes section numbers.
fn section_number(id: &str) -> String {
    let n = id.rsplit('-').next().unwrap_or(id);
    let wide: String = n
        .chars()
        .map(|c| {
            c.to_digit(10)
                .and_then(|d| char::from_u32(0xFF10 + d))
                .unwrap_or(c)
        })
        .collect();
    format!("（{wide}）")
}

/// `1,010`: whole numbers with thousands separators, others as they are.
pub fn grouped(value: &Value) -> String {
    let Some(n) = value.as_i64() else {
        return display_value(value);
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// `2024年12月時点`, `2024年12月1日時点`.
fn point_in_time(as_of: &str) -> String {
    let parts: Vec<&str> = as_of.split('-').collect();
    let number = |s: &str| s.trim_start_matches('0').to_string();
    match parts.as_slice() {
        [y, m] => format!("{y}年{}月時点", number(m)),
        [y, m, d] => format!("{y}年{}月{}日時点", number(m), number(d)),
        _ => format!("{as_of}時点"),
    }
}

fn figure(kpi: &Value, siblings: &[Value]) -> String {
    let name = text(kpi, "name").unwrap_or_default();
    let value = kpi.get("value").map(grouped).unwrap_or_default();
    let unit = text(kpi, "unit").unwrap_or_default();
    let mut notes = Vec::new();
    if let Some(whole) = text(kpi, "part_of") {
        let whole_name = siblings
            .iter()
            .find(|k| text(k, "id") == Some(whole))
            .and_then(|k| text(k, "name"))
            .unwrap_or(whole);
        notes.push(format!("{whole_name}の内数"));
    }
    match (
        kpi.get("fy_from").and_then(Value::as_i64),
        kpi.get("fy_to").and_then(Value::as_i64),
    ) {
        (Some(from), Some(to)) if from == to => notes.push(format!("{from}年度")),
        (Some(from), Some(to)) => notes.push(format!("{from}～{to}年度")),
        (Some(from), None) => notes.push(format!("{from}年度から")),
        (None, Some(to)) => notes.push(format!("{to}年度まで")),
        (None, None) => {}
    }
    if let Some(as_of) = text(kpi, "as_of") {
        notes.push(point_in_time(as_of));
    }
    if kpi.get("cumulative") == Some(&Value::Bool(true)) {
        notes.push("累計".into());
    }
    let mut sentence = format!("{name} {value}{unit}");
    if !notes.is_empty() {
        sentence.push_str(&format!("（{}）", notes.join("、")));
    }
    sentence
}

fn measure(node: &Value, schemas: &Schemas) -> MeasureDoc {
    let mut title = format!("【{}】", text(node, "title").unwrap_or_default());
    if node.get("relisted_from").is_some() {
        title.push_str("（再掲）");
    }
    let ministries = schemas.short_names(list(node, "ministries"));
    let kpis = list(node, "kpis");
    MeasureDoc {
        title,
        text: text(node, "description").unwrap_or_default().to_string(),
        ministries,
        figures: kpis.iter().map(|kpi| figure(kpi, kpis)).collect(),
    }
}

impl AnnexDoc {
    pub fn from_master(master: &Value, schemas: &Schemas) -> AnnexDoc {
        let challenges = list(master, "challenges")
            .iter()
            .map(|challenge| ChallengeDoc {
                heading: format!(
                    "課題{} {}",
                    text(challenge, "id").unwrap_or_default(),
                    text(challenge, "title").unwrap_or_default()
                ),
                direction: text(challenge, "direction").map(str::to_string),
                sections: list(challenge, "sections")
                    .iter()
                    .map(|section| SectionDoc {
                        heading: format!(
                            "{}{}",
                            section_number(text(section, "id").unwrap_or_default()),
                            text(section, "title").unwrap_or_default()
                        ),
                        groups: group_by_theme(list(section, "issues"), schemas),
                    })
                    .collect(),
            })
            .collect();
        AnnexDoc { challenges }
    }
}

fn group_by_theme(issues: &[Value], schemas: &Schemas) -> Vec<ThemeGroup> {
    let mut groups: Vec<ThemeGroup> = Vec::new();
    for issue in issues {
        let theme = text(issue, "theme").map(str::to_string);
        let doc = IssueDoc {
            question: text(issue, "question").unwrap_or_default().to_string(),
            measures: list(issue, "measures")
                .iter()
                .map(|m| measure(m, schemas))
                .collect(),
        };
        match groups.last_mut() {
            Some(group) if group.theme == theme => group.issues.push(doc),
            _ => groups.push(ThemeGroup {
                theme,
                issues: vec![doc],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn figures_read_as_the_council_writes_them() {
        let kpis = vec![
            json!({"id": "A-001-K1", "name": "採択件数", "value": 48, "unit": "件"}),
            json!({"id": "A-001-K2", "name": "上市件数", "value": 8, "unit": "件", "part_of": "A-001-K1"}),
            json!({"id": "A-001-K3", "name": "見学者数", "value": 1010, "unit": "人", "fy_from": 2024, "fy_to": 2024, "as_of": "2024-12", "cumulative": true}),
            json!({"id": "A-001-K4", "name": "承認件数", "value": 4, "unit": "件", "fy_from": 2020, "fy_to": 2024}),
        ];
        let sentences: Vec<_> = kpis.iter().map(|k| figure(k, &kpis)).collect();
        assert_eq!(
            sentences,
            [
                "採択件数 48件",
                "上市件数 8件（採択件数の内数）",
                "見学者数 1,010人（2024年度、2024年12月時点、累計）",
                "承認件数 4件（2020～2024年度）",
            ]
        );
    }

    #[test]
    fn sections_are_numbered_with_full_width_digits() {
        assert_eq!(section_number("2-6"), "（６）");
        assert_eq!(section_number("1-12"), "（１２）");
        assert_eq!(grouped(&json!(1234567)), "1,234,567");
        assert_eq!(grouped(&json!(12.5)), "12.5");
    }
}
