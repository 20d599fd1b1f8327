//! Property: any valid master, split into pre-filled templates (the council's and one per
//! organisation) and read back, gives the same master.

use annex::input::discover;
use annex::read::{read_all, ReadOptions, ReadWith};
use annex::records::Keep;
use annex::schema::Schemas;
use annex::validate::{check_row, validate, Round, Scope};
use annex::write::{build_master, natural_order, template_bytes, Audience};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const ORGS: [&str; 5] = ["CAO", "MEXT", "MHLW", "METI", "AMED"];
const COUNTING: [&str; 3] = ["件", "人", "拠点"];
const MEASURED: [&str; 2] = ["%", "百万円"];

fn text() -> impl Strategy<Value = String> {
    "[ぁ-んァ-ヶ亜-熙a-zA-Z0-9（）、。・]{1,24}"
}

#[derive(Debug, Clone)]
struct Kpi {
    name: String,
    counting: bool,
    unit: usize,
    amount: u32,
    years: Option<(i64, i64)>,
    as_of: Option<(u32, u32, u32)>,
    cumulative: bool,
    part_of_first: bool,
    note: Option<String>,
}

fn kpi() -> impl Strategy<Value = Kpi> {
    (
        text(),
        any::<bool>(),
        0usize..3,
        0u32..200_000,
        proptest::option::of((1989i64..2030, 0i64..6)),
        proptest::option::of((1990u32..2030, 1u32..=12, 0u32..=28)),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(text()),
    )
        .prop_map(
            |(name, counting, unit, amount, years, as_of, cumulative, part_of_first, note)| Kpi {
                name,
                counting,
                unit,
                amount,
                years: years.map(|(from, span)| (from, from + span)),
                as_of,
                cumulative,
                part_of_first,
                note,
            },
        )
}

#[derive(Debug, Clone)]
struct Measure {
    lead: usize,
    others: Vec<usize>,
    title: String,
    text: String,
    kpis: Vec<Kpi>,
}

fn measure() -> impl Strategy<Value = Measure> {
    (
        0usize..5,
        proptest::collection::vec(0usize..5, 0..3),
        text(),
        text(),
        proptest::collection::vec(kpi(), 0..3),
    )
        .prop_map(|(lead, others, title, text, kpis)| Measure {
            lead,
            others,
            title,
            text,
            kpis,
        })
}

type Issue = (Option<String>, String, Vec<Measure>);
type Section = (String, Vec<Issue>);
type Challenge = (String, Option<String>, Vec<Section>);

fn council() -> impl Strategy<Value = Vec<Challenge>> {
    let issue = (
        proptest::option::of(text()),
        text(),
        proptest::collection::vec(measure(), 0..3),
    );
    let section = (text(), proptest::collection::vec(issue, 1..3));
    let challenge = (
        text(),
        proptest::option::of(text()),
        proptest::collection::vec(section, 1..3),
    );
    proptest::collection::vec(challenge, 1..3)
}

fn sort_by_id(list: &mut [Value]) {
    list.sort_by(|a, b| natural_order(a["id"].as_str().unwrap(), b["id"].as_str().unwrap()));
}

/// The master these generated rows make, as `annex build` would write it.
fn master(challenges: &[Challenge], schemas: &Schemas) -> Value {
    let mut next = [0u32; 5];
    let mut nodes = Vec::new();
    for (c, (title, direction, sections)) in challenges.iter().enumerate() {
        let challenge_id = (c + 1).to_string();
        let mut challenge = json!({"id": challenge_id, "title": title});
        if let Some(direction) = direction {
            challenge["direction"] = json!(direction);
        }
        let mut section_nodes = Vec::new();
        for (s, (title, issues)) in sections.iter().enumerate() {
            let section_id = format!("{challenge_id}-{}", s + 1);
            let mut issue_nodes = Vec::new();
            for (i, (theme, question, measures)) in issues.iter().enumerate() {
                let issue_id = format!("{section_id}-{:02}", i + 1);
                let mut issue = Map::new();
                issue.insert("id".into(), json!(issue_id));
                issue.insert("section_id".into(), json!(section_id));
                if let Some(theme) = theme {
                    issue.insert("theme".into(), json!(theme));
                }
                issue.insert("question".into(), json!(question));
                let mut measure_nodes = Vec::new();
                for m in measures {
                    next[m.lead] += 1;
                    let id = format!("{}-{:03}", ORGS[m.lead], next[m.lead]);
                    let mut ministries = vec![ORGS[m.lead]];
                    for other in &m.others {
                        if !ministries.contains(&ORGS[*other]) {
                            ministries.push(ORGS[*other]);
                        }
                    }
                    let mut kpi_nodes: Vec<Value> = Vec::new();
                    for (k, kpi) in m.kpis.iter().enumerate() {
                        let first = kpi_nodes.first().cloned();
                        let mut unit = if kpi.counting {
                            COUNTING[kpi.unit % 3]
                        } else {
                            MEASURED[kpi.unit % 2]
                        }
                        .to_string();
                        let mut value = if kpi.counting {
                            json!(kpi.amount)
                        } else {
                            json!(f64::from(kpi.amount) + 0.5)
                        };
                        let mut node = Map::new();
                        node.insert("id".into(), json!(format!("{id}-K{}", k + 1)));
                        node.insert("measure_id".into(), json!(id));
                        node.insert("name".into(), json!(kpi.name));
                        let whole = first.filter(|_| kpi.part_of_first);
                        if let Some(whole) = &whole {
                            unit = whole["unit"].as_str().unwrap().to_string();
                            value = whole["value"].clone();
                        }
                        node.insert("value".into(), value);
                        node.insert("unit".into(), json!(unit));
                        if let Some((from, to)) = kpi.years {
                            node.insert("fy_from".into(), json!(from));
                            node.insert("fy_to".into(), json!(to));
                        }
                        if let Some((y, m, d)) = kpi.as_of {
                            let date = if d == 0 {
                                format!("{y}-{m:02}")
                            } else {
                                format!("{y}-{m:02}-{d:02}")
                            };
                            node.insert("as_of".into(), json!(date));
                        }
                        node.insert("cumulative".into(), json!(kpi.cumulative));
                        if let Some(whole) = whole {
                            node.insert("part_of".into(), whole["id"].clone());
                        }
                        if let Some(note) = &kpi.note {
                            node.insert("note".into(), json!(note));
                        }
                        kpi_nodes.push(Value::Object(node));
                    }
                    measure_nodes.push(json!({
                        "id": id, "issue_id": issue_id, "title": m.title, "description": m.text,
                        "ministries": ministries, "kpis": kpi_nodes,
                    }));
                }
                sort_by_id(&mut measure_nodes);
                issue.insert("measures".into(), Value::Array(measure_nodes));
                issue_nodes.push(Value::Object(issue));
            }
            section_nodes.push(json!({"id": section_id, "challenge_id": challenge_id, "title": title, "issues": issue_nodes}));
        }
        challenge["sections"] = Value::Array(section_nodes);
        nodes.push(challenge);
    }
    let organisations: Vec<Value> = schemas
        .organisations
        .iter()
        .map(|o| json!({"code": o.code, "short_name": o.short_name, "name": o.name}))
        .collect();
    json!({"format": "annex/1", "organisations": organisations, "challenges": nodes})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn templates_give_back_the_master_they_were_made_from(challenges in council()) {
        let schemas = Schemas::embedded().unwrap();
        let original = master(&challenges, &schemas);
        prop_assert_eq!(schemas.master_errors(&original), Vec::<String>::new());
        let dir = tempfile::tempdir().unwrap();
        let mut audiences = vec![("council".to_string(), Audience::Council)];
        audiences.extend(ORGS.iter().map(|org| (org.to_lowercase(), Audience::Organisation(org))));
        for (name, audience) in &audiences {
            let bytes = template_bytes(&schemas, audience, &original, true).unwrap();
            std::fs::write(dir.path().join(format!("{name}.xlsx")), bytes).unwrap();
        }
        let inputs = discover(&[dir.path().to_path_buf()]).unwrap();
        let with = ReadWith {
            schemas: &schemas,
            options: ReadOptions::default(),
            check: &check_row,
            keep: &Keep::all(&schemas),
        };
        let reading = read_all(&inputs, with);
        let mut problems: Vec<_> = reading.diagnostics.iter().map(|d| d.into_owned()).collect();
        let files: Vec<_> = inputs.iter().map(|input| input.shown.clone()).collect();
        let round = Round::survey(&schemas, Scope::Whole, &files, &reading.sheets, &reading.records, &reading.templates, &reading.unopened);
        prop_assert_eq!(round.missing.len(), 0, "every template names its organisation");
        problems.extend(validate(&reading.records, &reading.sheets, &schemas, &round).0);
        problems.retain(|d| d.code != "issue.no_measures");
        prop_assert!(problems.is_empty(), "{:?}", problems.first());
        prop_assert_eq!(build_master(&reading.records, &schemas), original);
    }
}
