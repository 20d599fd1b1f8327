//! The council's annex as a document: the master laid out the way the council's own summary is —
//! challenge and section headings, themes (小見出し) grouping issues, each issue (論点) beside its
//! measures, the organisations in charge, re-listings marked （再掲）. Rendered to Markdown
//! (`annex.md`) and to a print-ready sheet of `annex.xlsx`, each walking the master part by part,
//! so that only one issue is ever held at a time.

use serde_json::Value;

use super::master::{Master, Node};
use crate::records::{display_value, Field, Record};
use crate::schema::{Schemas, FIGURE_ROLES};
use crate::values::{era_year, written_fiscal_year, written_fiscal_years, Era, RELISTED_MARK};

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

/// `令和6（2024）年12月時点`, `令和6（2024）年12月1日時点`.
fn point_in_time(as_of: &str) -> String {
    format!("{}時点", written_date(as_of))
}

/// `令和6（2024）年12月`, `令和6（2024）年12月1日`: the era as the council writes it, the Western
/// year beside.
pub fn written_date(as_of: &str) -> String {
    let parts: Vec<u32> = as_of.split('-').filter_map(|p| p.parse().ok()).collect();
    let year = |y: u32, m: u32, d: u32| match Era::of_date((y as i32, m, d)) {
        Some((era, n)) => format!("{}（{y}）年", era_year(era, n)),
        None => format!("{y}年"),
    };
    match parts.as_slice() {
        [y, m] => format!("{}{m}月", year(*y, *m, 1)),
        [y, m, d] => format!("{}{m}月{d}日", year(*y, *m, *d)),
        _ => as_of.to_string(),
    }
}

/// What the sentence of one KPI is made of.
#[derive(Default)]
pub struct Figure<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub value: Option<Field<'a>>,
    pub unit: &'a str,
    pub part_of: Option<&'a str>,
    pub fy_from: Option<f64>,
    pub fy_to: Option<f64>,
    pub as_of: Option<&'a str>,
    pub cumulative: bool,
}

/// Where the annex finds what it prints: each level's entity and the fields it reads, by the
/// roles the schemas give them (`x-role`; see `schema::ROLES`), found once.
pub struct Layout<'s> {
    pub schemas: &'s Schemas,
    challenge: Level<'s>,
    section: Level<'s>,
    issue: Level<'s>,
    measure: Level<'s>,
    pub figure: Level<'s>,
    /// The figures' fields by index, for reading a figure in one pass.
    figure_fields: [Option<usize>; FIGURE_ROLES.len()],
}

/// One level of the annex: its entity, and the key of each field by role.
pub struct Level<'s> {
    pub entity: usize,
    spec: &'s crate::schema::Entity,
}

impl<'s> Level<'s> {
    fn of(schemas: &'s Schemas, role: &str) -> Option<Level<'s>> {
        let entity = schemas.entity_role(role)?;
        Some(Level {
            entity,
            spec: schemas.entities.get(entity)?,
        })
    }

    /// The key of the entity's field with this role.
    pub fn key(&self, role: &str) -> &'s str {
        self.spec.role_key(role)
    }

    fn id(&self) -> &'s str {
        &self.spec.key
    }
}

impl<'s> Layout<'s> {
    /// The layout of the annex in these schemas; `None` only for schemas that fail their check
    /// at load.
    pub fn new(schemas: &'s Schemas) -> Option<Layout<'s>> {
        let figure = Level::of(schemas, "figure")?;
        let figure_fields = FIGURE_ROLES
            .map(|role| (figure.spec.fields.iter()).position(|f| f.role.as_deref() == Some(role)));
        Some(Layout {
            schemas,
            challenge: Level::of(schemas, "challenge")?,
            section: Level::of(schemas, "section")?,
            issue: Level::of(schemas, "issue")?,
            measure: Level::of(schemas, "measure")?,
            figure,
            figure_fields,
        })
    }

    /// The header of a level's field with this role.
    pub fn header(&self, level: &Level<'s>, role: &str) -> &'s str {
        level
            .spec
            .role(role)
            .map_or("", |field| field.header.as_str())
    }

    pub fn issue(&self) -> &Level<'s> {
        &self.issue
    }

    pub fn measure(&self) -> &Level<'s> {
        &self.measure
    }

    /// The name of the measures' sheet (取組), which titles their column.
    pub fn measure_sheet(&self) -> &'s str {
        &self.measure.spec.sheet
    }

    /// The key of the measures' titles.
    pub fn measure_title_key(&self) -> &'s str {
        self.measure.key("title")
    }

    /// The header of the figures' ids (指標ID).
    pub fn figure_id_header(&self) -> &'s str {
        (self.figure.spec.field(self.figure.id())).map_or("", |field| field.header.as_str())
    }

    /// The organisations in charge of a measure, by the short names people use.
    pub fn organisations(&self, measure: &Record) -> Vec<String> {
        match measure.field(self.measure.key("organisations")) {
            Some(Field::List(codes)) => {
                let codes: Vec<Value> = codes.iter().map(|code| code.to_value()).collect();
                self.schemas.short_names(&codes)
            }
            _ => Vec::new(),
        }
    }

    /// A figure read from its record in one pass.
    pub fn figure<'a>(&self, kpi: &Record<'a>) -> Figure<'a> {
        let mut figure = Figure {
            id: kpi.text(self.figure.id()).unwrap_or_default(),
            ..Figure::default()
        };
        for (at, field) in kpi.indexed_fields() {
            // The roles in the order of `FIGURE_ROLES`.
            let Some(role) = self.figure_fields.iter().position(|f| *f == Some(at)) else {
                continue;
            };
            let text = match field {
                Field::Text(text) => Some(text),
                _ => None,
            };
            match role {
                0 => figure.name = text.unwrap_or_default(),
                1 => figure.value = Some(field),
                2 => figure.unit = text.unwrap_or_default(),
                3 => figure.part_of = text,
                4 => figure.fy_from = field.number(),
                5 => figure.fy_to = field.number(),
                6 => figure.as_of = text,
                _ => figure.cumulative = field == Field::Bool(true),
            }
        }
        figure
    }

    /// Each measure of the master in its order, with its figures: one measure at a time.
    pub fn measures<'a>(
        &'a self,
        master: &'a Master<'a>,
    ) -> impl Iterator<Item = (Node<'a>, Vec<Figure<'a>>)> + 'a {
        master
            .all(self.challenge.entity)
            .flat_map(move |challenge| challenge.children_of(self.section.entity))
            .flat_map(move |section| section.children_of(self.issue.entity))
            .flat_map(move |issue| issue.children_of(self.measure.entity))
            .map(move |measure| {
                let figures = (measure.children_of(self.figure.entity))
                    .map(|kpi| self.figure(&kpi.record))
                    .collect();
                (measure, figures)
            })
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
        (Some(from), Some(to)) => notes.push(written_fiscal_years(from as i32, to as i32)),
        (Some(from), None) => notes.push(format!("{}から", written_fiscal_year(from as i32))),
        (None, Some(to)) => notes.push(format!("{}まで", written_fiscal_year(to as i32))),
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

fn measure(node: &Node, figures: &[Figure], layout: &Layout) -> MeasureDoc {
    let (record, level) = (node.record, &layout.measure);
    // A title typed with its （再掲） mark keeps one mark, after the brackets.
    let typed = record.text(level.key("title")).unwrap_or_default();
    let (bare, marked) = match typed.strip_suffix(RELISTED_MARK) {
        Some(bare) => (bare, true),
        None => (typed, false),
    };
    let mut title = format!("【{bare}】");
    if marked || record.field(level.key("relists")).is_some() {
        title.push_str(RELISTED_MARK);
    }
    let ministries = layout.organisations(&record);
    MeasureDoc {
        title,
        text: (record.text(level.key("text")))
            .unwrap_or_default()
            .to_string(),
        ministries,
        figures: figures.iter().map(|kpi| figure(kpi, figures)).collect(),
    }
}

/// Walks the annex part by part; stops at the first error `visit` returns.
pub fn walk<E>(
    master: &Master,
    layout: &Layout,
    mut visit: impl FnMut(Part) -> Result<(), E>,
) -> Result<(), E> {
    let (challenge, section, issue) = (&layout.challenge, &layout.section, &layout.issue);
    for node in master.all(challenge.entity) {
        let record = node.record;
        visit(Part::Challenge {
            heading: format!(
                "課題{} {}",
                record.text(challenge.id()).unwrap_or_default(),
                record.text(challenge.key("title")).unwrap_or_default()
            ),
            direction: record.text(challenge.key("direction")).map(str::to_string),
        })?;
        for node in node.children_of(section.entity) {
            let record = node.record;
            visit(Part::Section {
                heading: format!(
                    "{}{}",
                    section_number(record.text(section.id()).unwrap_or_default()),
                    record.text(section.key("title")).unwrap_or_default()
                ),
            })?;
            let mut theme: Option<Option<&str>> = None;
            for node in node.children_of(issue.entity) {
                let this = node.record.text(issue.key("theme"));
                if theme != Some(this) {
                    visit(Part::Group {
                        theme: this.map(str::to_string),
                    })?;
                    theme = Some(this);
                }
                visit(Part::Issue(issue_doc(&node, layout)))?;
            }
        }
    }
    Ok(())
}

/// One issue with its measures and their figures, read from the issue's subtree alone.
fn issue_doc(issue: &Node, layout: &Layout) -> IssueDoc {
    let measures = (issue.children_of(layout.measure.entity))
        .map(|node| {
            let figures: Vec<Figure> = (node.children_of(layout.figure.entity))
                .map(|kpi| layout.figure(&kpi.record))
                .collect();
            measure(&node, &figures, layout)
        })
        .collect();
    let question = issue.record.text(layout.issue.key("question"));
    IssueDoc {
        question: question.unwrap_or_default().to_string(),
        measures,
    }
}

/// What the first page of a partial round's annex says: whom it lacks.
pub fn partial_note(master: &Master) -> Option<String> {
    let lacking: Vec<String> = (master.lacks())
        .map(|(code, short)| match code == short {
            true => code.to_string(),
            false => format!("{short}（{code}）"),
        })
        .collect();
    (!lacking.is_empty()).then(|| {
        format!(
            "※ 部分版: {}の提出ブックがないまま作成しています。",
            lacking.join("、")
        )
    })
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
        let layout = Layout::new(schemas).unwrap();
        let kpis: Vec<Record> = records.iter().collect();
        let kpis: Vec<Figure> = kpis.iter().map(|kpi| layout.figure(kpi)).collect();
        let sentences: Vec<_> = kpis.iter().map(|k| figure(k, &kpis)).collect();
        assert_eq!(
            sentences,
            [
                "採択件数 48件",
                "上市件数 8件（採択件数の内数）",
                "見学者数 1,010人（令和6（2024）年度、令和6（2024）年12月時点、累計）",
                "承認件数 4件（令和2～6（2020～2024）年度）",
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
