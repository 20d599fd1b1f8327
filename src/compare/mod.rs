//! This round beside the last: last round's master read back ([`previous`]), each round's rows
//! found by key ([`Snapshot`]), and what changed between them ([`Comparison`]) — rows added,
//! removed, renumbered (the same row under a new id, as when its lead organisation changes),
//! moved to another parent, renamed, and every other field before and after, a figure's value
//! with its difference and percentage. Which changes are mistakes is for the rules across rounds
//! (`validate::across_rounds`) to say; the comparison only says what they are.

pub mod previous;
mod show;
mod snapshot;

use std::sync::Arc;

use hashbrown::HashMap;
use serde_json::{json, Value};

use crate::lang::Text;
use crate::records::display_value;
use crate::schema::{Entity, Schemas};
use crate::values::format_number;

pub use previous::{nodes_at, PreviousError};
pub use show::{Compared, LISTED};
pub use snapshot::{Owner, Row, Snapshot};

/// The roles (`x-role`) of the field that names a row to people: a 課題's or 取組's title, a
/// 論点's question, a figure's name. A change there is a renaming.
const NAME_ROLES: &[&str] = &["title", "question", "name"];
/// The role of a figure's value, whose change is measured.
const VALUE: &str = "value";

/// What happened to a row, or to one of its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Added,
    Removed,
    /// The same row (same name, same parent) under another key; `before` is the old key.
    Renumbered,
    /// Its parent field names another row.
    Moved,
    /// The field that names it changed.
    Renamed,
    /// A figure's value changed.
    Value,
    /// Any other field changed.
    Changed,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Added,
        Kind::Removed,
        Kind::Renumbered,
        Kind::Moved,
        Kind::Renamed,
        Kind::Value,
        Kind::Changed,
    ];

    /// The kind as the JSON report spells it.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Renumbered => "renumbered",
            Kind::Moved => "moved",
            Kind::Renamed => "renamed",
            Kind::Value => "value",
            Kind::Changed => "changed",
        }
    }

    /// The kind as people read it, in Japanese: the 変化 column of the 前回比 sheet.
    pub fn ja(self) -> &'static str {
        match self {
            Kind::Added => "追加",
            Kind::Removed => "削除",
            Kind::Renumbered => "ID変更",
            Kind::Moved => "移動",
            Kind::Renamed => "名称変更",
            Kind::Value => "値の変化",
            Kind::Changed => "変更",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Renumbered => "renumbered",
            Kind::Moved => "moved",
            Kind::Renamed => "renamed",
            Kind::Value => "value changed",
            Kind::Changed => "changed",
        }
    }
}

/// One change between the rounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Index into [`Schemas::entities`].
    pub entity: usize,
    /// The row's key this round; last round's for a row removed.
    pub key: String,
    /// What names the row to people (its title, question or name), this round's where it has one.
    pub name: String,
    pub kind: Kind,
    /// The field that changed, by index into the entity's fields; none for a row added or
    /// removed, and the key for a row renumbered.
    pub field: Option<usize>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    /// The header of the field that changed, as people know its column; empty for a row added
    /// or removed.
    pub fn field_header<'s>(&self, schemas: &'s Schemas) -> &'s str {
        (schemas.entities.get(self.entity))
            .and_then(|entity| entity.fields.get(self.field?))
            .map_or("", |field| field.header.as_str())
    }

    /// After minus before, for a figure's value.
    pub fn difference(&self) -> Option<f64> {
        Some(self.after.as_ref()?.as_f64()? - self.before.as_ref()?.as_f64()?)
    }

    /// The difference as a percentage of last round's value; none when that was 0.
    pub fn percent(&self) -> Option<f64> {
        percent(
            self.before.as_ref()?.as_f64()?,
            self.after.as_ref()?.as_f64()?,
        )
    }
}

impl Change {
    /// The change in one line, as a person reads it: `KPI「CAO-001-K2」匿名加工医療情報の提供件数:
    /// 値 67 → 70（+3、+4.5%）`.
    pub fn describe(&self, schemas: &Schemas) -> Text {
        let Some(entity) = schemas.entities.get(self.entity) else {
            return Text::new(&self.key, &self.key);
        };
        let (sheet, key, name) = (&entity.sheet, &self.key, &self.name);
        let header = self.field_header(schemas);
        let (then, now) = (shown(self.before.as_ref()), shown(self.after.as_ref()));
        let row = Text::new(
            format!("{sheet} {key} \"{name}\""),
            format!("{sheet}「{key}」{name}"),
        );
        match self.kind {
            Kind::Added => Text::new(format!("{}: added", row.en), format!("{}: 追加", row.ja)),
            Kind::Removed => Text::new(format!("{}: removed", row.en), format!("{}: 削除", row.ja)),
            Kind::Renumbered => Text::new(
                format!("{}: was {then} last round", row.en),
                format!("{}: 前回のIDは「{then}」", row.ja),
            ),
            Kind::Value => {
                let by = match (self.difference(), self.percent()) {
                    (Some(d), Some(p)) => format!("{}, {p:+.1}%", signed(d)),
                    (Some(d), None) => signed(d),
                    _ => String::new(),
                };
                Text::new(
                    format!("{}: {header} {then} → {now} ({by})", row.en),
                    format!(
                        "{}: {header} {then} → {now}（{}）",
                        row.ja,
                        by.replace(", ", "、")
                    ),
                )
            }
            Kind::Moved | Kind::Renamed | Kind::Changed => Text::new(
                format!("{}: {header} \"{then}\" → \"{now}\"", row.en),
                format!("{}: {header}「{then}」→「{now}」", row.ja),
            ),
        }
    }
}

impl Change {
    /// Before and after as a line shows them (nothing for a row added or removed).
    pub fn shown_values(&self) -> (String, String) {
        match self.kind {
            Kind::Added | Kind::Removed => (String::new(), String::new()),
            _ => (shown(self.before.as_ref()), shown(self.after.as_ref())),
        }
    }

    /// A figure's difference with its percentage: `+3（+4.5%）`; nothing for another change.
    pub fn shown_difference(&self) -> Text {
        match (self.difference(), self.percent()) {
            (Some(d), Some(p)) => Text::new(
                format!("{} ({p:+.1}%)", signed(d)),
                format!("{}（{p:+.1}%）", signed(d)),
            ),
            (Some(d), None) => Text::new(signed(d), signed(d)),
            _ => Text::new("", ""),
        }
    }
}

/// A value in a change's line: on one line, cut short, （空欄） for none.
pub fn shown(value: Option<&Value>) -> String {
    const LIMIT: usize = 60;
    let text = value.map_or_else(String::new, display_value);
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.trim() {
        "" => "（空欄）".to_string(),
        flat if flat.chars().count() > LIMIT => {
            format!("{}…", flat.chars().take(LIMIT).collect::<String>())
        }
        flat => flat.to_string(),
    }
}

/// A difference with its sign: `+3`, `-2.5`.
pub fn signed(difference: f64) -> String {
    let number = format_number(difference.abs());
    match difference < 0.0 {
        true => format!("-{number}"),
        false => format!("+{number}"),
    }
}

/// `after` against `before`, in percent; none when `before` is 0.
pub fn percent(before: f64, after: f64) -> Option<f64> {
    (before != 0.0).then(|| (after - before) / before.abs() * 100.0)
}

/// One figure of either round, matched by key: a line of the 前回比 sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// Which owners' rows a comparison covers: a check of one ministry's workbook compares that
/// ministry's rows only, and a round that lacks an organisation does not call its rows removed.
pub struct Coverage {
    pub council: bool,
    /// By index into [`Schemas::organisations`].
    pub organisations: Vec<bool>,
}

impl Coverage {
    /// Every owner's rows.
    pub fn all(schemas: &Schemas) -> Coverage {
        Coverage {
            council: true,
            organisations: vec![true; schemas.organisations.len()],
        }
    }

    pub fn covers(&self, owner: Owner) -> bool {
        match owner {
            Owner::Council => self.council,
            Owner::Organisation(org) => self.organisations.get(org).copied().unwrap_or(false),
            Owner::Unknown => true,
        }
    }
}

/// What changed from last round's master to this round.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Last round's master, as given.
    pub previous: Arc<str>,
    /// Entity by entity (parents first), this round's rows in their order, then the rows removed.
    pub changes: Vec<Change>,
    /// Every figure of either round, this round's first.
    pub figures: Vec<Figure>,
}

impl Comparison {
    /// How many changes of each kind, in [`Kind::ALL`]'s order.
    pub fn counts(&self) -> [usize; 7] {
        let mut counts = [0; 7];
        for change in &self.changes {
            if let Some(at) = Kind::ALL.iter().position(|&k| k == change.kind) {
                counts[at] += 1;
            }
        }
        counts
    }

    /// The comparison as the JSON report carries it (key `comparison`) and `annex diff --format
    /// json` prints it.
    pub fn to_json(&self, schemas: &Schemas) -> Value {
        let counts: serde_json::Map<String, Value> = (Kind::ALL.iter().zip(self.counts()))
            .map(|(kind, count)| (kind.code().to_string(), count.into()))
            .collect();
        let changes: Vec<Value> = (self.changes.iter())
            .map(|change| {
                let entity = &schemas.entities[change.entity];
                let field = change.field.and_then(|f| entity.fields.get(f));
                let mut line = json!({
                    "entity": entity.name,
                    "sheet": entity.sheet,
                    "id": change.key,
                    "name": change.name,
                    "change": change.kind.code(),
                });
                if let Some(field) = field {
                    line["field"] = field.key.as_str().into();
                    line["header"] = field.header.as_str().into();
                }
                for (key, value) in [("before", &change.before), ("after", &change.after)] {
                    if let Some(value) = value {
                        line[key] = value.clone();
                    }
                }
                if let Some(difference) = change.difference() {
                    line["difference"] = json!(difference);
                }
                if let Some(percent) = change.percent() {
                    line["percent"] = json!((percent * 10.0).round() / 10.0);
                }
                line
            })
            .collect();
        json!({"previous": &*self.previous, "counts": counts, "changes": changes})
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compare this round's rows with last round's, for the owners `coverage` covers.
pub fn compare(
    previous: &Snapshot,
    current: &Snapshot,
    schemas: &Schemas,
    coverage: &Coverage,
) -> Comparison {
    let covered = |entity: usize, key: &str| {
        let owner = Owner::of(schemas, entity, key);
        let lacked =
            |lacking: &[usize]| matches!(owner, Owner::Organisation(o) if lacking.contains(&o));
        coverage.covers(owner) && !lacked(&current.lacking) && !lacked(&previous.lacking)
    };
    let mut changes = Vec::new();
    let mut figures = Vec::new();
    // For each entity, last round's key of each row renumbered, by this round's key: a child
    // whose parent was renumbered has not moved.
    let mut renumbered: Vec<HashMap<&str, &str>> = vec![HashMap::new(); schemas.entities.len()];
    for (index, entity) in schemas.entities.iter().enumerate() {
        let parent = entity.parent_link(schemas);
        let name_field = entity.fields.iter().find(|f| {
            f.role
                .as_deref()
                .is_some_and(|role| NAME_ROLES.contains(&role))
        });
        let name_of = |row: &Row| {
            (name_field.and_then(|f| row.fields.get(&f.key)))
                .map_or_else(String::new, display_value)
        };
        let removed: Vec<&Row> = (previous.rows(index).iter())
            .filter(|row| current.find(index, &row.key).is_none() && covered(index, &row.key))
            .collect();
        let mut paired = vec![false; removed.len()];
        // The rows removed by their name, so that each new row looks only at its namesakes.
        let mut namesakes: HashMap<String, Vec<usize>> = HashMap::new();
        for (at, row) in removed.iter().enumerate() {
            let name = name_of(row);
            if !name.is_empty() {
                namesakes.entry(name).or_default().push(at);
            }
        }
        let mut matches: Vec<(&Row, Option<&Row>)> = Vec::new();
        for row in current.rows(index) {
            if let Some(before) = previous.find(index, &row.key) {
                matches.push((row, Some(before)));
                continue;
            }
            // A row new by its key is the same row renumbered when one removed has its name,
            // under the same parent (or the parent's own renumbering).
            let same_parent = |before: &Row| match parent {
                None => true,
                Some((field, parent)) => {
                    let now = row.fields.get(&field.key).and_then(Value::as_str);
                    let then = before.fields.get(&field.key).and_then(Value::as_str);
                    let now = now.map(|key| renumbered[parent].get(key).copied().unwrap_or(key));
                    now == then
                }
            };
            let found = (namesakes.get(&name_of(row)).into_iter().flatten())
                .copied()
                .find(|&at| !paired[at] && same_parent(removed[at]));
            match found {
                Some(at) => {
                    paired[at] = true;
                    matches.push((row, Some(removed[at])));
                }
                None => matches.push((row, None)),
            }
        }
        for (row, before) in &matches {
            match before {
                Some(before) if before.key != row.key => {
                    renumbered[index].insert(&row.key, &before.key);
                }
                _ => {}
            }
        }
        if entity.is(FIGURE) {
            let unmatched = (removed.iter().zip(&paired)).filter(|(_, p)| !**p);
            let lines = matches
                .iter()
                .map(|&(row, before)| (row, before, Some(row)));
            let gone = unmatched.map(|(row, _)| (*row, Some(*row), None));
            figures = lines
                .chain(gone)
                .map(|(row, before, after)| figure(entity, row, before, after))
                .collect();
        }
        for (row, before) in matches {
            let name = name_of(row);
            let Some(before) = before else {
                changes.push(Change {
                    entity: index,
                    key: row.key.clone(),
                    name,
                    kind: Kind::Added,
                    field: None,
                    before: None,
                    after: None,
                });
                continue;
            };
            if before.key != row.key {
                changes.push(Change {
                    entity: index,
                    key: row.key.clone(),
                    name: name.clone(),
                    kind: Kind::Renumbered,
                    field: entity.field_index(&entity.key),
                    before: Some(before.key.as_str().into()),
                    after: Some(row.key.as_str().into()),
                });
            }
            for (at, field) in entity.fields.iter().enumerate() {
                if field.key == entity.key {
                    continue;
                }
                let (then, now) = (before.fields.get(&field.key), row.fields.get(&field.key));
                let is_parent = parent.is_some_and(|(p, _)| p.key == field.key);
                let parent_renumbered = is_parent
                    && parent.is_some_and(|(_, p)| {
                        let now = now.and_then(Value::as_str).unwrap_or_default();
                        renumbered[p].get(now).copied() == then.and_then(Value::as_str)
                    });
                if same(then, now, field.default.as_ref()) || parent_renumbered {
                    continue;
                }
                let kind = match field.role.as_deref() {
                    _ if is_parent => Kind::Moved,
                    Some(role) if NAME_ROLES.contains(&role) => Kind::Renamed,
                    Some(VALUE) if now.is_some_and(Value::is_number) => Kind::Value,
                    _ => Kind::Changed,
                };
                changes.push(Change {
                    entity: index,
                    key: row.key.clone(),
                    name: name.clone(),
                    kind,
                    field: Some(at),
                    before: then.cloned(),
                    after: now.cloned(),
                });
            }
        }
        for (at, row) in removed.iter().enumerate() {
            if !paired[at] {
                changes.push(Change {
                    entity: index,
                    key: row.key.clone(),
                    name: name_of(row),
                    kind: Kind::Removed,
                    field: None,
                    before: None,
                    after: None,
                });
            }
        }
    }
    Comparison {
        previous: previous.file.clone(),
        changes,
        figures,
    }
}

/// The entity whose rows are figures (`x-role`), with a name, a unit and a value.
const FIGURE: &str = "figure";

/// A figure's line: its name and unit (this round's, or last round's for one removed), and
/// its value in each round.
fn figure(entity: &Entity, row: &Row, before: Option<&Row>, after: Option<&Row>) -> Figure {
    let text = |role: &str| {
        (row.fields.get(entity.role_key(role))).map_or_else(String::new, display_value)
    };
    let value = |row: &Row| {
        row.fields
            .get(entity.role_key(VALUE))
            .and_then(Value::as_f64)
    };
    Figure {
        key: row.key.clone(),
        name: text("name"),
        unit: text("unit"),
        before: before.and_then(value),
        after: after.and_then(value),
    }
}

/// Whether two values of a field are the same: numbers by their value (`67` and `67.0` alike),
/// an absent field as its default.
fn same(a: Option<&Value>, b: Option<&Value>, default: Option<&Value>) -> bool {
    let (a, b) = (a.or(default), b.or(default));
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(Some(x), Some(y), None))
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::schemas;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The council's own master, as `annex build` writes it from `input/`.
    fn council_master() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/output/annex.json");
        let text = std::fs::read_to_string(path).expect("output/annex.json is committed");
        serde_json::from_str(&text).expect("a master")
    }

    fn comparison(before: &Value, after: &Value) -> Comparison {
        let schemas = schemas();
        let before = Snapshot::of_master(before, "last.json".into(), schemas).unwrap();
        let after = Snapshot::of_master(after, "this.json".into(), schemas).unwrap();
        compare(&before, &after, schemas, &Coverage::all(schemas))
    }

    /// Each change as (entity, key, kind, field).
    fn found(comparison: &Comparison) -> BTreeSet<(String, String, Kind, String)> {
        let schemas = schemas();
        (comparison.changes.iter())
            .map(|c| {
                let entity = &schemas.entities[c.entity];
                let field = c.field.map_or("", |f| entity.fields[f].key.as_str());
                (
                    entity.name.clone(),
                    c.key.clone(),
                    c.kind,
                    field.to_string(),
                )
            })
            .collect()
    }

    fn each<'a>(node: &'a mut Value, list: &str) -> impl Iterator<Item = &'a mut Value> {
        (node.get_mut(list).and_then(Value::as_array_mut).into_iter()).flatten()
    }

    fn issues(master: &mut Value) -> Vec<&mut Value> {
        each(master, "challenges")
            .flat_map(|c| each(c, "sections"))
            .flat_map(|s| each(s, "issues"))
            .collect()
    }

    fn measures(master: &mut Value) -> Vec<&mut Value> {
        issues(master)
            .into_iter()
            .flat_map(|i| each(i, "measures"))
            .collect()
    }

    fn kpis(master: &mut Value) -> Vec<&mut Value> {
        measures(master)
            .into_iter()
            .flat_map(|m| each(m, "kpis"))
            .collect()
    }

    fn key(node: &Value) -> String {
        node["id"].as_str().unwrap().to_string()
    }

    /// A change made to a master, by the place of the row it is made to.
    #[derive(Clone, Debug)]
    enum Edit {
        Value(usize, u32),
        Note(usize),
        Rename(usize),
        Move(usize, usize),
        RemoveKpi(usize),
        AddKpi(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0..100usize, 0..10_000u32).prop_map(|(k, v)| Edit::Value(k, v)),
            (0..100usize).prop_map(Edit::Note),
            (0..100usize).prop_map(Edit::Rename),
            (0..100usize, 0..100usize).prop_map(|(m, i)| Edit::Move(m, i)),
            (0..100usize).prop_map(Edit::RemoveKpi),
            (0..100usize).prop_map(Edit::AddKpi),
        ]
    }

    type Expected = BTreeSet<(String, String, Kind, String)>;

    /// Apply the edits, each to a row no earlier edit touched, and say what each should be found as.
    fn apply(master: &mut Value, edits: &[Edit]) -> Expected {
        let mut expected = BTreeSet::new();
        let mut touched = BTreeSet::new();
        let line = |entity: &str, key: String, kind: Kind, field: &str| {
            (entity.to_string(), key, kind, field.to_string())
        };
        for (n, edit) in edits.iter().enumerate() {
            match *edit {
                Edit::Value(at, value) => {
                    let mut kpis = kpis(master);
                    let count = kpis.len();
                    let kpi = &mut kpis[at % count];
                    let value = f64::from(value);
                    if !touched.insert(key(kpi)) || kpi["value"].as_f64() == Some(value) {
                        continue;
                    }
                    kpi["value"] = json!(value);
                    expected.insert(line("kpi", key(kpi), Kind::Value, "value"));
                }
                Edit::Note(at) => {
                    let mut kpis = kpis(master);
                    let count = kpis.len();
                    let kpi = &mut kpis[at % count];
                    if !touched.insert(key(kpi)) {
                        continue;
                    }
                    kpi["note"] = json!(format!("変更 {n}"));
                    expected.insert(line("kpi", key(kpi), Kind::Changed, "note"));
                }
                Edit::Rename(at) => {
                    let mut measures = measures(master);
                    let count = measures.len();
                    let measure = &mut measures[at % count];
                    if !touched.insert(key(measure)) {
                        continue;
                    }
                    let title = format!("{}（改 {n}）", measure["title"].as_str().unwrap());
                    measure["title"] = json!(title);
                    expected.insert(line("measure", key(measure), Kind::Renamed, "title"));
                }
                Edit::Move(at, to) => {
                    let mut issues = issues(master);
                    let places: Vec<(usize, usize)> = (issues.iter_mut().enumerate())
                        .flat_map(|(i, issue)| {
                            (0..each(issue, "measures").count()).map(move |m| (i, m))
                        })
                        .collect();
                    let (from, place) = places[at % places.len()];
                    let to = to % issues.len();
                    let measure = &issues[from]["measures"][place];
                    if from == to || touched.contains(&key(measure)) {
                        continue;
                    }
                    touched.insert(key(measure));
                    let mut measure = issues[from]["measures"]
                        .as_array_mut()
                        .unwrap()
                        .remove(place);
                    measure["issue_id"] = issues[to]["id"].clone();
                    expected.insert(line("measure", key(&measure), Kind::Moved, "issue_id"));
                    issues[to]["measures"].as_array_mut().unwrap().push(measure);
                }
                Edit::RemoveKpi(at) => {
                    let mut measures = measures(master);
                    let places: Vec<(usize, usize)> = (measures.iter_mut().enumerate())
                        .flat_map(|(m, measure)| {
                            (0..each(measure, "kpis").count()).map(move |k| (m, k))
                        })
                        .collect();
                    let (measure, place) = places[at % places.len()];
                    let kpis = measures[measure]["kpis"].as_array_mut().unwrap();
                    if !touched.insert(key(&kpis[place])) {
                        continue;
                    }
                    let kpi = kpis.remove(place);
                    expected.insert(line("kpi", key(&kpi), Kind::Removed, ""));
                }
                Edit::AddKpi(at) => {
                    let mut measures = measures(master);
                    let count = measures.len();
                    let measure = &mut measures[at % count];
                    let id = format!("{}-K{}", key(measure), 90 + n);
                    let kpi = json!({"id": id, "measure_id": key(measure),
                        "name": format!("新しい指標 {n}"), "value": n, "unit": "件"});
                    touched.insert(id.clone());
                    measure["kpis"].as_array_mut().unwrap().push(kpi);
                    expected.insert(line("kpi", id, Kind::Added, ""));
                }
            }
        }
        expected
    }

    proptest! {
        #[test]
        fn comparing_a_master_with_itself_finds_nothing(edits in prop::collection::vec(edit(), 0..6)) {
            let mut master = council_master();
            apply(&mut master, &edits);
            prop_assert!(comparison(&master, &master).is_empty());
        }

        #[test]
        fn the_changes_made_to_a_master_are_the_changes_found(edits in prop::collection::vec(edit(), 1..12)) {
            let before = council_master();
            let mut after = before.clone();
            let expected = apply(&mut after, &edits);
            prop_assert_eq!(found(&comparison(&before, &after)), expected);
        }
    }

    #[test]
    fn a_figure_s_change_is_measured() {
        let before = council_master();
        let mut after = before.clone();
        for kpi in kpis(&mut after) {
            if kpi["id"] == "CAO-001-K2" {
                kpi["value"] = json!(70);
            }
        }
        let comparison = comparison(&before, &after);
        let [change] = comparison.changes.as_slice() else {
            panic!("one change: {:?}", comparison.changes);
        };
        assert_eq!((change.kind, change.difference()), (Kind::Value, Some(3.0)));
        assert_eq!(
            change.percent().map(|p| (p * 10.0).round() / 10.0),
            Some(4.5)
        );
        assert_eq!(change.name, "匿名加工医療情報の提供件数");
        let figure = comparison
            .figures
            .iter()
            .find(|f| f.key == "CAO-001-K2")
            .unwrap();
        assert_eq!((figure.before, figure.after), (Some(67.0), Some(70.0)));
        assert_eq!(comparison.figures.len(), kpis(&mut after).len());
        assert_eq!(
            change.describe(schemas()).ja,
            "KPI「CAO-001-K2」匿名加工医療情報の提供件数: 値 67 → 70（+3、+4.5%）"
        );
        let json = comparison.to_json(schemas());
        assert_eq!(json["counts"]["value"], 1);
        assert_eq!(json["changes"][0]["header"], "値");
    }

    #[test]
    fn a_measure_under_a_new_lead_is_renumbered_with_its_figures() {
        let before = council_master();
        let mut after = before.clone();
        for measure in measures(&mut after) {
            if measure["id"] != "METI-003" {
                continue;
            }
            measure["id"] = json!("MHLW-090");
            measure["ministries"] = json!(["MHLW"]);
            for kpi in each(measure, "kpis") {
                let id = kpi["id"].as_str().unwrap().replace("METI-003", "MHLW-090");
                kpi["id"] = json!(id);
                kpi["measure_id"] = json!("MHLW-090");
            }
        }
        let found = found(&comparison(&before, &after));
        let line = |entity: &str, key: &str, kind, field: &str| {
            (entity.to_string(), key.to_string(), kind, field.to_string())
        };
        let expected: BTreeSet<_> = [
            line("measure", "MHLW-090", Kind::Renumbered, "id"),
            line("measure", "MHLW-090", Kind::Changed, "ministries"),
            line("kpi", "MHLW-090-K1", Kind::Renumbered, "id"),
            line("kpi", "MHLW-090-K2", Kind::Renumbered, "id"),
        ]
        .into();
        assert_eq!(found, expected);
    }

    #[test]
    fn rows_of_an_owner_not_covered_are_not_removed() {
        let schemas = schemas();
        let before = council_master();
        let mut after = before.clone();
        for issue in issues(&mut after) {
            issue["measures"] = json!([]);
        }
        let last = Snapshot::of_master(&before, "last.json".into(), schemas).unwrap();
        let this = Snapshot::of_master(&after, "this.json".into(), schemas).unwrap();
        let mut only_meti = Coverage::all(schemas);
        only_meti.organisations = (schemas.organisations.iter())
            .map(|o| o.code == "METI")
            .collect();
        let comparison = compare(&last, &this, schemas, &only_meti);
        assert!(!comparison.changes.is_empty());
        assert!(comparison
            .changes
            .iter()
            .all(|c| c.key.starts_with("METI-")));
        assert!(comparison.changes.iter().all(|c| c.kind == Kind::Removed));
    }
}
