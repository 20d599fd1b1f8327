//! The council's annex as a document: the master laid out the way the council's own summary is —
//! challenge and section headings, themes (小見出し) grouping issues, each issue (論点) beside its
//! measures, the organisations in charge, re-listings marked （再掲）. Rendered to Markdown
//! (`annex.md`) and to a print-ready sheet of `annex.xlsx`, each walking the master part by part,
//! so that only one issue is ever held at a time.

use serde_json::Value;

use super::master::{Master, Node};
use crate::records::{display_value, Field, Record};
use crate::schema::Schemas;

/// One part of the annex, in the order it is printed.
pub enum Part {
    /// `課題1 医療ニーズに基づいた…`, and where the challenge aims (目指す方向).
    Challenge {
        heading: String,
        direction: Option<String>,
    },
    /// `（1）AI・計測技術を含む…`
    Section {
        heading: String,
    },
    /// The start of a run of consecutive issues of a section under one theme (or none).
    Group {
        theme: Option<String>,
    },
    Issue(IssueDoc),
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
fn grouped(value: Field) -> String {
    let n = match value {
        Field::Int(n) => n,
        other => return display_value(&other.to_value()),
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

/// What the sentence of one KPI is made of.
struct Figure<'a> {
    id: &'a str,
    name: &'a str,
    value: Option<Field<'a>>,
    unit: &'a str,
    part_of: Option<&'a str>,
    fy_from: Option<f64>,
    fy_to: Option<f64>,
    as_of: Option<&'a str>,
    cumulative: bool,
}

impl<'a> Figure<'a> {
    fn of(kpi: &Record<'a>) -> Figure<'a> {
        Figure {
            id: kpi.text("id").unwrap_or_default(),
            name: kpi.text("name").unwrap_or_default(),
            value: kpi.field("value"),
            unit: kpi.text("unit").unwrap_or_default(),
            part_of: kpi.text("part_of"),
            fy_from: kpi.number("fy_from"),
            fy_to: kpi.number("fy_to"),
            as_of: kpi.text("as_of"),
            cumulative: kpi.field("cumulative") == Some(Field::Bool(true)),
        }
    }
}

/// `上市件数 8件（採択件数の内数）`.
fn figure(kpi: &Figure, siblings: &[Figure]) -> String {
    let value = kpi.value.map(grouped).unwrap_or_default();
    let mut notes = Vec::new();
    if let Some(whole) = kpi.part_of {
        let whole_name = (siblings.iter().find(|k| k.id == whole)).map_or(whole, |k| k.name);
        notes.push(format!("{whole_name}の内数"));
    }
    match (kpi.fy_from, kpi.fy_to) {
        (Some(from), Some(to)) if from == to => notes.push(format!("{from}年度")),
        (Some(from), Some(to)) => notes.push(format!("{from}～{to}年度")),
        (Some(from), None) => notes.push(format!("{from}年度から")),
        (None, Some(to)) => notes.push(format!("{to}年度まで")),
        (None, None) => {}
    }
    if let Some(as_of) = kpi.as_of {
        notes.push(point_in_time(as_of));
    }
    if kpi.cumulative {
        notes.push("累計".into());
    }
    let mut sentence = format!("{} {value}{}", kpi.name, kpi.unit);
    if !notes.is_empty() {
        sentence.push_str(&format!("（{}）", notes.join("、")));
    }
    sentence
}

fn measure(node: &Node, schemas: &Schemas) -> MeasureDoc {
    let record = node.record;
    let mut title = format!("【{}】", record.text("title").unwrap_or_default());
    if record.field("relisted_from").is_some() {
        title.push_str("（再掲）");
    }
    let ministries = match record.field("ministries") {
        Some(Field::List(codes)) => {
            let codes: Vec<Value> = codes.iter().map(|code| code.to_value()).collect();
            schemas.short_names(&codes)
        }
        _ => Vec::new(),
    };
    let kpis: Vec<Record> = first_children(node).iter().map(|kpi| kpi.record).collect();
    let figures: Vec<Figure> = kpis.iter().map(Figure::of).collect();
    MeasureDoc {
        title,
        text: record.text("description").unwrap_or_default().to_string(),
        ministries,
        figures: figures.iter().map(|kpi| figure(kpi, &figures)).collect(),
    }
}

/// Walks the annex part by part; stops at the first error `visit` returns.
pub fn walk<E>(master: &Master, mut visit: impl FnMut(Part) -> Result<(), E>) -> Result<(), E> {
    let schemas = master.schemas;
    for (_, challenges) in master.roots().take(1) {
        for challenge in challenges {
            let record = challenge.record;
            visit(Part::Challenge {
                heading: format!(
                    "課題{} {}",
                    record.text("id").unwrap_or_default(),
                    record.text("title").unwrap_or_default()
                ),
                direction: record.text("direction").map(str::to_string),
            })?;
            for section in first_children(&challenge) {
                let record = section.record;
                visit(Part::Section {
                    heading: format!(
                        "{}{}",
                        section_number(record.text("id").unwrap_or_default()),
                        record.text("title").unwrap_or_default()
                    ),
                })?;
                let mut theme: Option<Option<&str>> = None;
                for issue in first_children(&section) {
                    let this = issue.record.text("theme");
                    if theme != Some(this) {
                        visit(Part::Group {
                            theme: this.map(str::to_string),
                        })?;
                        theme = Some(this);
                    }
                    visit(Part::Issue(issue_doc(&issue, schemas)))?;
                }
            }
        }
    }
    Ok(())
}

/// The nodes of a node's first child entity: the next level of the annex.
fn first_children<'a>(node: &Node<'a>) -> Vec<Node<'a>> {
    node.children()
        .next()
        .map(|(_, nodes)| nodes)
        .unwrap_or_default()
}

/// One issue with its measures and their figures, read from the issue's subtree alone.
fn issue_doc(issue: &Node, schemas: &Schemas) -> IssueDoc {
    let measures = first_children(issue)
        .iter()
        .map(|node| measure(node, schemas))
        .collect();
    IssueDoc {
        question: issue
            .record
            .text("question")
            .unwrap_or_default()
            .to_string(),
        measures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn figures_read_as_the_council_writes_them() {
        let rows = crate::validate::tests::records(&[
            (
                "kpi",
                json!({"id": "A-001-K1", "name": "採択件数", "value": 48, "unit": "件"}),
            ),
            (
                "kpi",
                json!({"id": "A-001-K2", "name": "上市件数", "value": 8, "unit": "件", "part_of": "A-001-K1"}),
            ),
            (
                "kpi",
                json!({"id": "A-001-K3", "name": "見学者数", "value": 1010, "unit": "人", "fy_from": 2024, "fy_to": 2024, "as_of": "2024-12", "cumulative": true}),
            ),
            (
                "kpi",
                json!({"id": "A-001-K4", "name": "承認件数", "value": 4, "unit": "件", "fy_from": 2020, "fy_to": 2024}),
            ),
        ]);
        let schemas = crate::validate::tests::schemas();
        let records =
            crate::records::Records::from_rows(&rows, &crate::records::Keep::all(schemas));
        let kpis: Vec<Record> = records.iter().collect();
        let kpis: Vec<Figure> = kpis.iter().map(Figure::of).collect();
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
        assert_eq!(grouped(Field::Int(1234567)), "1,234,567");
        assert_eq!(grouped(Field::Float(12.5)), "12.5");
    }
}
