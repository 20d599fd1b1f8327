//! The round as a whole: which workbook is whose, who has sent none, who has sent two, and what
//! a run may say about the round at all.
//!
//! A workbook is the council master when it holds a council sheet (`x-workbook: council`), and an
//! organisation's submission when it holds submission sheets: the organisation is the one whose
//! code leads most of its rows' keys (`METI-003`, `METI-003-K1`), or, in a workbook with no rows
//! yet, the one its template names.
//!
//! How a run knows what it holds ([`Scope`]): `annex build` is given a round, unless told
//! `--partial`; `annex check` is given a round when it is given a folder (`input/` by default),
//! and part of one when it is given workbooks one by one or `--partial`. Only a round is asked
//! to be whole: findings about the round (organisations with no workbook, issues nobody answered)
//! are not raised against a ministry checking its own workbook.

use std::collections::HashMap;
use std::sync::Arc;

use crate::lang::Text;
use crate::records::{Records, SheetLayout};
use crate::report::{Diagnostic, Findings, Location, SenderLine, Severity, Summary};
use crate::schema::Schemas;

/// What a run holds: a whole round, or part of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Whole,
    Part,
}

/// What the hidden sheet of a workbook made by `annex template` says it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateIdentity {
    /// An organisation's code, or `council`.
    pub organisation: Option<String>,
    pub version: Option<String>,
}

/// Whose a workbook is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sender {
    Council,
    /// Index into [`Schemas::organisations`].
    Organisation(usize),
    /// Submission sheets with nothing in them that says whose they are.
    Unknown,
}

/// One workbook of the run, as the round sees it.
#[derive(Clone, Debug)]
pub struct Workbook {
    pub file: Arc<str>,
    pub sender: Sender,
    pub template: Option<String>,
    /// Rows read, by entity.
    pub rows: Vec<usize>,
}

/// The workbooks of a run and what is missing from the round.
#[derive(Clone, Debug)]
pub struct Round {
    pub scope: Scope,
    /// Every workbook with a council or submission sheet, in reading order.
    pub workbooks: Vec<Workbook>,
    /// Organisations with no workbook, by index into [`Schemas::organisations`], in the
    /// contract's order.
    pub missing: Vec<usize>,
    /// Organisations that sent their rows in two or more workbooks that share none (one per
    /// bureau): every one is read.
    pub split: Vec<usize>,
    /// The workbooks that are there but could not be read, each with the organisation its file
    /// name suggests (the only clue left; [`Sender::Unknown`] where it names none): such an
    /// organisation has sent something, and is not missing.
    pub unread: Vec<(Arc<str>, Sender)>,
}

impl Round {
    /// Which workbook of `files` is whose, from the sheets read, their rows and their templates.
    pub fn survey(
        schemas: &Schemas,
        scope: Scope,
        files: &[Arc<str>],
        sheets: &[Arc<SheetLayout>],
        records: &Records,
        templates: &[(Arc<str>, TemplateIdentity)],
        unopened: &[Arc<str>],
    ) -> Round {
        let entities = schemas.entities.len();
        let mut found: Vec<Seen> = files
            .iter()
            .map(|_| Seen {
                rows: vec![0; entities],
                ..Seen::default()
            })
            .collect();
        let position: HashMap<&str, usize> = (files.iter().enumerate())
            .map(|(at, file)| (&**file, at))
            .collect();
        for sheet in sheets {
            let (Some(&at), Some(entity)) = (
                position.get(&*sheet.file),
                schemas.entities.get(sheet.entity),
            ) else {
                continue;
            };
            match entity.is_council() {
                true => found[at].council = true,
                false => found[at].submission = true,
            }
        }
        for batch in records.batches() {
            let layout = batch.layout();
            let (Some(&at), Some(entity)) = (
                position.get(&*layout.file),
                schemas.entities.get(layout.entity),
            ) else {
                continue;
            };
            found[at].rows[layout.entity] += batch.len();
            if entity.is_council() {
                continue;
            }
            for record in batch.records() {
                let lead = record
                    .text(&entity.key)
                    .and_then(|key| schemas.lead_of(key));
                if let Some(org) = lead {
                    *found[at].leads.entry(org).or_default() += 1;
                }
            }
        }
        let template_of = |file: &str| {
            (templates.iter())
                .find(|(of, _)| &**of == file)
                .map(|(_, identity)| identity)
        };
        // A workbook holding the council's sheets and an organisation's is read as both.
        let workbooks: Vec<Workbook> = (files.iter().zip(found))
            .flat_map(|(file, seen)| {
                let Seen {
                    council,
                    submission,
                    rows,
                    leads,
                } = seen;
                let template = template_of(file);
                let named = (template.and_then(|t| t.organisation.as_deref()))
                    .and_then(|code| schemas.organisations.iter().position(|o| o.code == code));
                let most = (leads.into_iter())
                    .max_by_key(|&(org, count)| (count, std::cmp::Reverse(org)))
                    .map(|(org, _)| org);
                let organisation = match most.or(named) {
                    Some(org) => Sender::Organisation(org),
                    None => Sender::Unknown,
                };
                let senders = [
                    council.then_some(Sender::Council),
                    submission.then_some(organisation),
                ];
                let version = template.and_then(|t| t.version.clone());
                senders.into_iter().flatten().map(move |sender| Workbook {
                    file: file.clone(),
                    sender,
                    template: version.clone(),
                    rows: rows.clone(),
                })
            })
            .collect();
        let split = (0..schemas.organisations.len())
            .filter(|&org| {
                let files: Vec<&str> = (workbooks.iter())
                    .filter(|w| w.sender == Sender::Organisation(org))
                    .map(|w| &*w.file)
                    .collect();
                files.len() > 1 && !share_a_key(schemas, records, &files)
            })
            .collect();
        let unread: Vec<(Arc<str>, Sender)> = (unopened.iter())
            .map(|file| (file.clone(), named_by_file(schemas, file)))
            .collect();
        let missing = (0..schemas.organisations.len())
            .filter(|&org| {
                let sender = Sender::Organisation(org);
                !(workbooks.iter()).any(|w| w.sender == sender)
                    && !(unread.iter()).any(|(_, unreadable)| *unreadable == sender)
            })
            .collect();
        Round {
            scope,
            workbooks,
            missing,
            split,
            unread,
        }
    }

    /// Whether every workbook of a whole round was read, so that what no workbook holds is
    /// really missing rather than in a workbook that could not be read.
    pub fn read_whole(&self) -> bool {
        self.scope == Scope::Whole && self.unread.is_empty()
    }

    /// The workbooks of one sender.
    pub fn of(&self, sender: Sender) -> impl Iterator<Item = &Workbook> {
        self.workbooks.iter().filter(move |w| w.sender == sender)
    }

    /// Whether two files are workbooks of one sender: copies of one submission, whose repeated
    /// ids are one finding ([`DUPLICATE`]), not one per row.
    pub fn same_sender(&self, a: &str, b: &str) -> bool {
        let sender = |file: &str| {
            (self.workbooks.iter())
                .find(|w| &*w.file == file)
                .map(|w| w.sender)
                .filter(|&s| s != Sender::Unknown)
        };
        a != b && sender(a).is_some() && sender(a) == sender(b)
    }

    /// Whether a key is of an organisation the round has no workbook from (`CAO-001` while
    /// 内閣府's is missing): its rows cannot be looked for.
    pub fn lacks_sender_of(&self, schemas: &Schemas, key: &str) -> bool {
        schemas.lead_of(key).is_some_and(|org| {
            self.missing.contains(&org)
                || (self.unread.iter()).any(|(_, sender)| *sender == Sender::Organisation(org))
        })
    }

    /// The round at a glance, with the problems found in each sender's files.
    pub fn summary(&self, schemas: &Schemas, diagnostics: &Findings) -> Summary {
        let round = self;
        let mut by_file: HashMap<&str, (usize, usize)> = HashMap::new();
        for (file, severity) in diagnostics.places() {
            let tally = by_file.entry(file).or_default();
            match severity {
                Severity::Error => tally.0 += 1,
                Severity::Warning => tally.1 += 1,
            }
        }
        let submission: Vec<usize> = (0..schemas.entities.len())
            .filter(|&e| !schemas.entities[e].is_council())
            .collect();
        let sheets = (submission.iter())
            .map(|&e| &schemas.entities[e])
            .map(|e| (e.sheet.clone(), e.plural.clone()))
            .collect();
        let senders = std::iter::once(Sender::Council)
            .chain((0..schemas.organisations.len()).map(Sender::Organisation))
            .chain(std::iter::once(Sender::Unknown));
        let senders = senders
            .filter_map(|sender| {
                let workbooks: Vec<_> = round.of(sender).collect();
                if workbooks.is_empty() {
                    return None;
                }
                let mut templates: Vec<String> = (workbooks.iter())
                    .filter_map(|w| w.template.clone())
                    .collect();
                templates.dedup();
                let rows = (sender != Sender::Council).then(|| {
                    (submission.iter())
                        .map(|&e| workbooks.iter().map(|w| w.rows[e]).sum())
                        .collect()
                });
                let tally = |pick: fn(&(usize, usize)) -> usize| {
                    (workbooks.iter())
                        .filter_map(|w| by_file.get(&*w.file))
                        .map(pick)
                        .sum()
                };
                Some(SenderLine {
                    unreadable: false,
                    code: match sender {
                        Sender::Organisation(org) => {
                            schemas.organisations.get(org).map(|o| o.code.clone())
                        }
                        _ => None,
                    },
                    name: sender_name(schemas, sender),
                    short_name: match sender {
                        Sender::Organisation(org) => (schemas.organisations.get(org))
                            .map_or_else(String::new, |o| o.short_name.clone()),
                        _ => sender_name(schemas, sender).ja,
                    },
                    files: workbooks.iter().map(|w| w.file.clone()).collect(),
                    templates,
                    rows,
                    errors: tally(|t| t.0),
                    warnings: tally(|t| t.1),
                })
            })
            .chain(round.unread.iter().map(|(file, sender)| {
                let tally = by_file.get(&**file).copied().unwrap_or_default();
                let org = match sender {
                    Sender::Organisation(org) => schemas.organisations.get(*org),
                    _ => None,
                };
                SenderLine {
                    unreadable: true,
                    code: org.map(|o| o.code.clone()),
                    name: sender_name(schemas, *sender),
                    short_name: org.map_or_else(
                        || sender_name(schemas, *sender).ja,
                        |o| o.short_name.clone(),
                    ),
                    files: vec![file.clone()],
                    templates: Vec::new(),
                    rows: None,
                    errors: tally.0,
                    warnings: tally.1,
                }
            }))
            .collect();
        let missing = (round.missing.iter())
            .filter_map(|&org| {
                let code = schemas.organisations.get(org)?.code.clone();
                Some((code, sender_name(schemas, Sender::Organisation(org))))
            })
            .collect();
        Summary {
            whole: round.scope == Scope::Whole,
            sheets,
            senders,
            missing,
        }
    }

    pub fn has_council(&self) -> bool {
        self.of(Sender::Council).next().is_some()
    }

    pub fn has_submissions(&self) -> bool {
        (self.workbooks.iter()).any(|w| w.sender != Sender::Council)
    }
}

/// Whether two of `files` hold a row with the same key (the same measure or KPI twice): copies
/// of one submission, not parts of it.
fn share_a_key(schemas: &Schemas, records: &Records, files: &[&str]) -> bool {
    let mut seen: HashMap<(usize, &str), &str> = HashMap::new();
    for batch in records.batches() {
        let layout = batch.layout();
        let Some(entity) = schemas.entities.get(layout.entity) else {
            continue;
        };
        if entity.is_council() || !files.contains(&&*layout.file) {
            continue;
        }
        for record in batch.records() {
            let Some(key) = record.text(&entity.key) else {
                continue;
            };
            match seen.insert((layout.entity, key), &layout.file) {
                Some(other) if other != &*layout.file => return true,
                _ => {}
            }
        }
    }
    false
}

/// The organisation a file's name names (`meti.xlsx`, `経産省_提出.xlsx`), for a workbook whose
/// content cannot tell.
fn named_by_file(schemas: &Schemas, file: &str) -> Sender {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let first = stem
        .split(|c: char| c.is_whitespace() || "_-－（(・".contains(c))
        .next()
        .unwrap_or(stem);
    [
        stem,
        first,
        &stem.to_ascii_uppercase(),
        &first.to_ascii_uppercase(),
    ]
    .into_iter()
    .find_map(|written| schemas.organisation(written))
    .and_then(|org| {
        schemas
            .organisations
            .iter()
            .position(|o| o.code == org.code)
    })
    .map_or(Sender::Unknown, Sender::Organisation)
}

/// What the sheets and rows of one file show.
#[derive(Default)]
struct Seen {
    council: bool,
    submission: bool,
    rows: Vec<usize>,
    /// Rows by the organisation whose code leads their key.
    leads: HashMap<usize, usize>,
}

pub const EMPTY: &str = "round.empty";
pub const NO_COUNCIL: &str = "round.no_council";
pub const NO_SUBMISSIONS: &str = "round.no_submissions";
pub const MISSING: &str = "round.missing";
pub const DUPLICATE: &str = "round.duplicate";
pub const SPLIT: &str = "round.split";

/// What a run needs of its round before it can say the round is sound: a workbook at all; for a
/// build or a whole round, the council master and a submission; for a whole round, one workbook
/// from every organisation; and never two from one. `at` names what the run was given.
pub fn findings(
    round: &Round,
    schemas: &Schemas,
    building: bool,
    at: &Arc<str>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if round.workbooks.is_empty() {
        // Workbooks that are there but unreadable are reported each for itself.
        if round.unread.is_empty() {
            found.push(empty(at));
        }
        return found;
    }
    let expects_round = building || round.scope == Scope::Whole;
    if expects_round && !round.has_council() {
        found.push(no_council(at));
    }
    if expects_round && !round.has_submissions() {
        found.push(no_submissions(at));
    } else if round.scope == Scope::Whole {
        let unknown: Vec<&Arc<str>> = (round.unread.iter())
            .filter(|(_, sender)| *sender == Sender::Unknown)
            .map(|(file, _)| file)
            .collect();
        found.extend(round.missing.iter().map(|&org| {
            // A workbook that could not be read may be the one this organisation sent.
            (unknown.iter()).fold(missing(schemas, org, at), |finding, file| {
                finding.with_related(
                    Location::file(file),
                    Text::new(
                        "this workbook could not be read; it may be this organisation's",
                        "このブックは読み込めませんでした。この府省のものかもしれません",
                    ),
                )
            })
        }));
    }
    let senders = (0..schemas.organisations.len()).map(Sender::Organisation);
    for sender in std::iter::once(Sender::Council).chain(senders) {
        let files: Vec<&Arc<str>> = round.of(sender).map(|w| &w.file).collect();
        let finding = match sender {
            Sender::Organisation(org) if round.split.contains(&org) => {
                split(schemas, sender, &files)
            }
            _ => duplicate(schemas, sender, &files),
        };
        found.extend(finding);
    }
    found
}

/// The name people use for a sender: 経産省（METI）, or 協議会マスター.
pub fn sender_name(schemas: &Schemas, sender: Sender) -> Text {
    match sender {
        Sender::Council => Text::new("the council master", "協議会マスター"),
        Sender::Organisation(org) => match schemas.organisations.get(org) {
            Some(org) if org.short_name == org.code => Text::new(&org.code, &org.code),
            Some(org) => Text::new(
                format!("{} ({})", org.short_name, org.code),
                format!("{}（{}）", org.short_name, org.code),
            ),
            None => Text::new("?", "?"),
        },
        Sender::Unknown => Text::new("unknown", "不明"),
    }
}

fn empty(at: &Arc<str>) -> Diagnostic {
    Diagnostic::error(
        EMPTY,
        Location::file(at),
        Text::new(
            "no workbook of the council's was found here",
            "協議会のブック（協議会マスター・提出ブック）が見つかりません",
        ),
        Text::new(
            "Give the folder that holds the round's workbooks (.xlsx .xlsm .xls .xlsb .ods), or the workbooks themselves.",
            "提出ブック（.xlsx .xlsm .xls .xlsb .ods）のあるフォルダ、またはブックそのものを指定してください。",
        ),
    )
}

fn no_council(at: &Arc<str>) -> Diagnostic {
    Diagnostic::error(
        NO_COUNCIL,
        Location::file(at),
        Text::new(
            "the round has no council master (課題, 項目, 論点), so no measure has a place in the annex",
            "協議会マスター（課題・項目・論点）がないため、取組を別添に載せる場所がありません",
        ),
        Text::new(
            "Put the council master beside the submissions and run again.",
            "協議会マスターを提出ブックと同じフォルダに置いて、もう一度実行してください。",
        ),
    )
}

fn no_submissions(at: &Arc<str>) -> Diagnostic {
    Diagnostic::error(
        NO_SUBMISSIONS,
        Location::file(at),
        Text::new(
            "the round holds no organisation's submission (取組, KPI)",
            "府省の提出ブック（取組・KPI）が一つもありません",
        ),
        Text::new(
            "Put the organisations' workbooks beside the council master and run again.",
            "各府省の提出ブックを協議会マスターと同じフォルダに置いて、もう一度実行してください。",
        ),
    )
}

fn missing(schemas: &Schemas, org: usize, at: &Arc<str>) -> Diagnostic {
    let name = sender_name(schemas, Sender::Organisation(org));
    Diagnostic::error(
        MISSING,
        Location::file(at),
        Text::new(
            format!("there is no workbook from {}", name.en),
            format!("{}の提出ブックがありません", name.ja),
        ),
        Text::new(
            "Add its workbook to the round; to build without it, run with --partial (the annex then says whom it lacks).",
            "提出ブックを加えてください。提出を待たずに作成する場合は --partial を付けて実行します（別添に未提出の府省が記載されます）。",
        ),
    )
}

/// Workbooks of one organisation that share no row, as two bureaus send them: all are read, and
/// the secretariat is told, so that an old copy with new ids is not taken for a part.
fn split(schemas: &Schemas, sender: Sender, files: &[&Arc<str>]) -> Option<Diagnostic> {
    several_workbooks(schemas, sender, files, |name, all| {
        Diagnostic::warning(
            SPLIT,
            Location::file(all.second),
            Text::new(
                format!("{} workbooks from {} that share no measure or KPI: {}; all are read, as parts of one submission", all.count, name.en, all.listed.join(", ")),
                format!("{}のブックが{}つあり、取組・KPIに重なりがないため、一つの提出の分割として全て読み込みました: {}", name.ja, all.count, all.listed.join("、")),
            ),
            Text::new(
                "If one of them is an old version rather than a part (one bureau's rows), move it out of the folder.",
                "いずれかが（局ごとの分割ではなく）古い版であれば、フォルダから移してください。",
            ),
        )
    })
}

fn duplicate(schemas: &Schemas, sender: Sender, files: &[&Arc<str>]) -> Option<Diagnostic> {
    several_workbooks(schemas, sender, files, |name, all| {
        Diagnostic::error(
            DUPLICATE,
            Location::file(all.second),
            Text::new(
                format!("{} workbooks from {}: {}", all.count, name.en, all.listed.join(", ")),
                format!("{}のブックが{}つあります: {}", name.ja, all.count, all.listed.join("、")),
            ),
            Text::new(
                "Keep one workbook per organisation in the round: move the old copy or the duplicate out of the folder.",
                "1府省につき1ブックにしてください。古い版やコピーはフォルダから移してください。",
            ),
        )
    })
}

/// The workbooks one finding about several of a sender's is about: it stands at the second,
/// naming them all.
struct Several<'a> {
    second: &'a Arc<str>,
    count: usize,
    listed: Vec<&'a str>,
}

/// A finding about a sender's several workbooks, made by `finding`, with each of the others as
/// a related place; none for one workbook.
fn several_workbooks(
    schemas: &Schemas,
    sender: Sender,
    files: &[&Arc<str>],
    finding: impl FnOnce(&Text, &Several) -> Diagnostic,
) -> Option<Diagnostic> {
    let [_, second, ..] = files else {
        return None;
    };
    let name = sender_name(schemas, sender);
    let all = Several {
        second,
        count: files.len(),
        listed: files.iter().map(|f| &***f).collect(),
    };
    let mut finding = finding(&name, &all);
    for file in files.iter().filter(|f| **f != *second) {
        finding = finding.with_related(
            Location::file(file),
            Text::new(
                format!("also from {}", name.en),
                format!("これも{}のブック", name.ja),
            ),
        );
    }
    Some(finding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Keep;
    use crate::validate::tests::{layouts, records, schemas};
    use serde_json::json;

    fn measure(id: &str) -> (&'static str, serde_json::Value) {
        (
            "measure",
            json!({"id": id, "issue_id": "1-1-01", "title": "t", "description": "d", "ministries": ["METI"]}),
        )
    }

    fn issue() -> (&'static str, serde_json::Value) {
        (
            "issue",
            json!({"id": "1-1-01", "section_id": "1-1", "question": "q"}),
        )
    }

    /// The round of rows as `validate::tests::records` lays them out, with submission rows in
    /// the files named after each row's lead.
    fn round_of(rows: &[(&str, serde_json::Value)], scope: Scope) -> Round {
        let mut read = records(rows);
        for row in &mut read {
            let entity = &schemas().entities[row.layout.entity];
            if !entity.is_council() {
                let key = row.values[&entity.key].as_str().unwrap_or_default();
                let lead = key.split('-').next().unwrap_or_default().to_lowercase();
                let mut layout = (*row.layout).clone();
                layout.file = format!("{lead}.xlsx").into();
                row.layout = Arc::new(layout);
            }
        }
        let sheets = layouts(&read);
        let mut files: Vec<Arc<str>> = sheets.iter().map(|s| s.file.clone()).collect();
        files.dedup();
        let store = Records::from_rows(&read, &Keep::all(schemas()));
        Round::survey(schemas(), scope, &files, &sheets, &store, &[], &[])
    }

    fn codes(round: &Round, building: bool) -> Vec<String> {
        findings(round, schemas(), building, &"input".into())
            .into_iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn a_workbook_is_its_leads_and_a_round_misses_whoever_sent_none() {
        let round = round_of(
            &[issue(), measure("METI-001"), measure("MHLW-001")],
            Scope::Whole,
        );
        let senders: Vec<_> = round
            .workbooks
            .iter()
            .map(|w| (&*w.file, w.sender))
            .collect();
        let org = |code: &str| {
            schemas()
                .organisations
                .iter()
                .position(|o| o.code == code)
                .unwrap()
        };
        assert_eq!(
            senders,
            [
                ("council.xlsx", Sender::Council),
                ("meti.xlsx", Sender::Organisation(org("METI"))),
                ("mhlw.xlsx", Sender::Organisation(org("MHLW"))),
            ]
        );
        let missing: Vec<&str> = (round.missing.iter())
            .map(|&o| schemas().organisations[o].code.as_str())
            .collect();
        assert_eq!(missing, ["CAO", "MEXT", "AMED"]);
        assert_eq!(codes(&round, false), [MISSING, MISSING, MISSING]);
        let finding = &findings(&round, schemas(), true, &"input".into())[0];
        assert_eq!(finding.message.ja, "内閣府（CAO）の提出ブックがありません");
    }

    #[test]
    fn part_of_a_round_is_not_asked_for_the_rest() {
        let round = round_of(&[issue(), measure("METI-001")], Scope::Part);
        assert!(codes(&round, false).is_empty());
        assert!(codes(&round, true).is_empty(), "a --partial build");
    }

    #[test]
    fn a_build_needs_the_council_master_and_a_submission() {
        let round = round_of(&[measure("METI-001")], Scope::Part);
        assert_eq!(codes(&round, true), [NO_COUNCIL]);
        assert!(codes(&round, false).is_empty(), "a ministry checks alone");
        let round = round_of(&[issue()], Scope::Part);
        assert_eq!(codes(&round, true), [NO_SUBMISSIONS]);
        let round = round_of(&[], Scope::Whole);
        assert_eq!(codes(&round, true), [EMPTY]);
        assert_eq!(codes(&round, false), [EMPTY]);
    }

    #[test]
    fn two_workbooks_of_one_sender_are_one_finding_naming_both() {
        let mut round = round_of(&[issue(), measure("METI-001")], Scope::Part);
        let mut copy = round.workbooks[1].clone();
        copy.file = "meti - コピー.xlsx".into();
        round.workbooks.push(copy);
        let found = findings(&round, schemas(), false, &"input".into());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, DUPLICATE);
        assert!(found[0]
            .message
            .ja
            .contains("meti.xlsx、meti - コピー.xlsx"));
        assert!(round.same_sender("meti.xlsx", "meti - コピー.xlsx"));
        assert!(!round.same_sender("meti.xlsx", "council.xlsx"));
    }
}
