//! The schemas in `schemas/`: the single source of every sheet name, header, type, pattern, allowed
//! value and cross-record annotation. They are loaded and compiled once per run.
//!
//! Besides standard JSON Schema (draft 2020-12), annex reads these annotations:
//!
//! | annotation | on | meaning |
//! |---|---|---|
//! | `x-sheet` | row schema | the sheet whose rows the schema describes |
//! | `x-workbook` | row schema | the kind of workbook that holds the sheet (`council`, `submission`) |
//! | `x-key` | row schema | the field that identifies a row; unique across all workbooks |
//! | `x-parent` | row schema | the field that names the row's parent in the master (e.g. `issue_id`) |
//! | `x-plural` | row schema | the name of the list of these rows inside their parent in `annex.json` |
//! | `x-order` | row schema | the order of these rows under their parent in the master and the annex: `rows`, as the sheet lists them, or `key` (the default), in natural id order (`1-2` before `1-10`) |
//! | `x-header` | field | the Japanese header of the field's column |
//! | `x-parse` | field | how a typed cell becomes a value: `id`, `title`, `fiscal-year`, `year-month`, `yes-no`, `organisations`, `ids` (several ids in one cell) |
//! | `x-text-to-number` | field | a number typed as text (`1,010`, `48件`) is accepted, with a warning |
//! | `x-unit-field` | field | with `x-text-to-number`: the field whose allowed values may follow the number (`48件`) |
//! | `x-percent-unit` | field | the unit (of `x-unit-field`) in which a cell shown as a percentage counts what it shows: 25 for 0.25 shown as 25%; in another unit such a cell is refused |
//! | `x-separators` | field | with `organisations` or `ids`: what separates several in one cell |
//! | `x-orders` | field | with `ids`: the child row schema whose rows this list puts in order under this row (those it does not list follow, in their own order) |
//! | `x-yes`, `x-no` | field | with `yes-no`: the spellings of yes and no |
//! | `x-references` | field | the row schema whose key this field names |
//! | `x-id-prefix` | field | the row's key starts with this value (or, for a list, with one of its items) and `-` |
//! | `x-not-before` | field | this value may not be smaller than the named field's |
//! | `x-description-ja` | field | the Japanese counterpart of `description` |
//! | `x-role` | row schema, field | what annex's own code reads it as (see [`ROLES`]): the annex's layout and the rules find entities and fields by role, never by name |
//! | `x-previous-header` | field | the header of the read-only column a template made with `--from` puts beside this one, holding last round's value (前回値); a check passes over it |
//! | `x-names` | organisation schema | the short and full name of each organisation code |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::{Registry, Resource, Validator};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::lang::Text;

/// The schemas compiled into the binary, so that annex runs anywhere without its source tree.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "annex.schema.json",
        include_str!("../schemas/annex.schema.json"),
    ),
    (
        "challenge.schema.json",
        include_str!("../schemas/challenge.schema.json"),
    ),
    (
        "section.schema.json",
        include_str!("../schemas/section.schema.json"),
    ),
    (
        "issue.schema.json",
        include_str!("../schemas/issue.schema.json"),
    ),
    (
        "measure.schema.json",
        include_str!("../schemas/measure.schema.json"),
    ),
    (
        "kpi.schema.json",
        include_str!("../schemas/kpi.schema.json"),
    ),
    (
        "organisation.schema.json",
        include_str!("../schemas/organisation.schema.json"),
    ),
];

const MASTER_FILE: &str = "annex.schema.json";
/// Where `annex.schema.json` fixes the master's format tag.
const FORMAT_POINTER: &str = "/properties/format/const";

/// The template layout's version; raise it when templates change shape.
pub const TEMPLATE_VERSION: &str = "1";
/// The hidden sheet of a template: its version, the schemas' fingerprint, its columns, and the
/// lists its drop-downs offer.
pub const INFO_SHEET: &str = "annex_template";
const ORGANISATION_FILE: &str = "organisation.schema.json";
/// The workbook kind (`x-workbook`) of the council master's sheets; every other kind is an
/// organisation's submission.
pub const COUNCIL_WORKBOOK: &str = "council";

/// What annex's own code reads by meaning: each entity role (`x-role` on a row schema) with the
/// roles of the fields it must have (`x-role` on a property). A schema folder that lacks one is
/// refused as it loads, naming what is missing, so that renaming a field can never silently
/// switch a rule or a part of the annex off.
pub const ROLES: &[(&str, &[&str])] = &[
    ("challenge", &["title", "direction"]),
    ("section", &["title"]),
    ("issue", &["question", "theme"]),
    ("measure", &["title", "text", "organisations", "relists"]),
    ("figure", &FIGURE_ROLES),
    // What the rules across rounds read of a figure beside those: the reason for a change.
    ("figure", &["note"]),
];

/// The roles of a figure's fields, which the annex reads to write its sentence.
pub const FIGURE_ROLES: [&str; 8] = [
    "name",
    "value",
    "unit",
    "part-of",
    "from",
    "to",
    "as-of",
    "cumulative",
];

/// A schema folder annex cannot use. The run stops before reading any workbook.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot read the schema folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file} is not valid JSON: {message}")]
    Json { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("the schema folder has no {0}; copy it from annex's schemas/ folder")]
    Missing(String),
}

fn invalid(file: &str, message: impl Into<String>) -> SchemaError {
    SchemaError::Invalid {
        file: file.to_string(),
        message: message.into(),
    }
}

/// How the text or number a person typed becomes the field's JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// Free text, trimmed.
    Text,
    /// An identifier: NFKC-normalised and trimmed, numbers written as whole numbers.
    Id,
    /// A title: trimmed, without surrounding 【】.
    Title,
    /// A number; `integer` when the schema asks for a whole number.
    Number {
        integer: bool,
    },
    Boolean,
    /// A Japanese fiscal year, stored as its Western year.
    FiscalYear,
    /// A year-month or a date, stored as `YYYY-MM` or `YYYY-MM-DD`.
    YearMonth,
    /// Yes or no in the spellings the schema lists.
    YesNo {
        yes: Vec<String>,
        no: Vec<String>,
    },
    /// One or more organisations, by code, short or full name.
    Organisations {
        separators: Vec<String>,
    },
    /// Several identifiers in one cell, each as [`ValueKind::Id`] makes it.
    Ids {
        separators: Vec<String>,
    },
}

/// One column of a sheet: one property of its row schema.
#[derive(Clone, Debug)]
pub struct Field {
    pub key: String,
    pub header: String,
    pub kind: ValueKind,
    pub required: bool,
    pub description: Text,
    pub example: Option<String>,
    pub default: Option<Value>,
    pub allowed: Vec<Value>,
    pub text_to_number: bool,
    pub unit_field: Option<String>,
    /// The unit in which a cell shown as a percentage means what it shows (`x-percent-unit`).
    pub percent_unit: Option<String>,
    pub references: Option<String>,
    pub id_prefix: bool,
    pub not_before: Option<String>,
    /// The child entity whose rows this list of ids orders under the row (`x-orders`).
    pub orders: Option<String>,
    /// A yes/no field's spellings as [`normalize_answer`] makes them, each with the answer it
    /// gives: what a cell is matched against, normalised once rather than for every cell.
    pub answers: Vec<(String, bool)>,
    /// What annex's own code reads the field as (`x-role`).
    pub role: Option<String>,
    /// The header of the read-only column beside this one that a template made with `--from`
    /// fills with last round's value (`x-previous-header`), which a check passes over.
    pub previous_header: Option<String>,
}

/// A row schema: the sheet it describes and its fields in column order.
#[derive(Debug)]
pub struct Entity {
    /// The schema's file stem, e.g. `kpi`; the first part of diagnostic codes.
    pub name: String,
    pub title: String,
    pub sheet: String,
    pub workbook: String,
    pub key: String,
    pub parent: Option<String>,
    pub plural: String,
    /// Whether its rows keep the order the sheet lists them in (`x-order: rows`), rather than
    /// natural id order.
    pub in_row_order: bool,
    /// What annex's own code reads the entity as (`x-role`).
    pub role: Option<String>,
    pub fields: Vec<Field>,
    pub validator: Validator,
}

impl Entity {
    /// The read-only sheet of a submission template that lists these rows to choose from
    /// (論点一覧).
    pub fn list_sheet(&self) -> String {
        format!("{}一覧", self.sheet)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.key == key)
    }

    pub fn field_index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|field| field.key == key)
    }

    /// The field with this role.
    pub fn role(&self, role: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.role.as_deref() == Some(role))
    }

    /// The key of the field with this role; empty (a key no record has) where there is none,
    /// which the schemas' check at load rules out for every role in [`ROLES`].
    pub fn role_key(&self, role: &str) -> &str {
        self.role(role).map_or("", |field| field.key.as_str())
    }

    /// Whether the entity's sheet is the council master's (`x-workbook: council`), not an
    /// organisation's submission.
    pub fn is_council(&self) -> bool {
        self.workbook == COUNCIL_WORKBOOK
    }

    /// Whether the entity plays this role.
    pub fn is(&self, role: &str) -> bool {
        self.role.as_deref() == Some(role)
    }

    /// The entity this one nests under in the master, with the field that names the parent.
    pub fn parent_link<'a>(&'a self, schemas: &'a Schemas) -> Option<(&'a Field, usize)> {
        let field = self.field(self.parent.as_deref()?)?;
        let parent = schemas.entity_index(field.references.as_deref()?)?;
        Some((field, parent))
    }
}

/// An organisation that may submit measures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub code: String,
    pub short_name: String,
    pub name: String,
    /// Code, short and full name as [`normalize_label`] makes them: what a cell is matched to.
    labels: [String; 3],
}

/// All schemas of a run, compiled.
#[derive(Debug)]
pub struct Schemas {
    /// Row schemas, parents before children.
    pub entities: Vec<Entity>,
    pub organisations: Vec<Organisation>,
    master: Validator,
    /// The format tag of `annex.json` (`annex/1`), as `annex.schema.json` fixes it
    /// (`/properties/format/const`); it changes when the master's shape does.
    pub master_format: String,
    /// For each entity, `annex.schema.json` at the entity's place in the master, and whether
    /// it says anything of a node beyond the entity's row schema and the lists of its children.
    nodes: Vec<(Validator, bool)>,
}

impl Schemas {
    /// The schemas built into annex.
    pub fn embedded() -> Result<Schemas, SchemaError> {
        let files = EMBEDDED
            .iter()
            .map(|(name, text)| Ok(((*name).to_string(), parse_json(name, text)?)))
            .collect::<Result<_, SchemaError>>()?;
        Schemas::from_files(files)
    }

    /// Every `*.schema.json` in a folder.
    pub fn from_dir(dir: &Path) -> Result<Schemas, SchemaError> {
        let folder_error = |source| SchemaError::Folder {
            path: dir.to_path_buf(),
            source,
        };
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(folder_error)? {
            let path = entry.map_err(folder_error)?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".schema.json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(folder_error)?;
            files.insert(name.to_string(), parse_json(name, &text)?);
        }
        Schemas::from_files(files)
    }

    fn from_files(files: BTreeMap<String, Value>) -> Result<Schemas, SchemaError> {
        let mut builder = Registry::new();
        for (name, schema) in &files {
            let id = schema_id(name, schema)?;
            builder = builder
                .add(id, Resource::from_contents(schema.clone()))
                .map_err(|e| invalid(name, e.to_string()))?;
        }
        let registry = builder
            .prepare()
            .map_err(|e| invalid("schemas", e.to_string()))?;
        let compile = |name: &str, schema: &Value| {
            jsonschema::options()
                .offline()
                .with_registry(&registry)
                .build(schema)
                .map_err(|e| invalid(name, e.to_string()))
        };

        let organisation_schema = files
            .get(ORGANISATION_FILE)
            .ok_or_else(|| SchemaError::Missing(ORGANISATION_FILE.into()))?;
        let organisations = read_organisations(organisation_schema)?;
        let master_schema = files
            .get(MASTER_FILE)
            .ok_or_else(|| SchemaError::Missing(MASTER_FILE.into()))?;
        let master = compile(MASTER_FILE, master_schema)?;
        let master_format = (master_schema.pointer(FORMAT_POINTER))
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(MASTER_FILE, format!("{FORMAT_POINTER} must be a string")))?
            .to_string();

        let mut entities = Vec::new();
        for (name, schema) in &files {
            if schema.get("x-sheet").is_none() {
                continue;
            }
            let validator = compile(name, schema)?;
            entities.push(read_entity(name, schema, validator)?);
        }
        if entities.is_empty() {
            return Err(invalid("schemas", "no schema names a sheet (x-sheet)"));
        }
        let entities = order_parents_first(entities)?;
        let master_id = schema_id(MASTER_FILE, master_schema)?;
        let nodes = (0..entities.len())
            .map(|index| {
                let pointer = master_pointer(&entities, index);
                let reference = serde_json::json!({"$ref": format!("{master_id}#{pointer}")});
                let adds = (master_schema.pointer(&pointer))
                    .is_none_or(|item| adds_to_row(item, &entities, index));
                Ok((compile(MASTER_FILE, &reference)?, adds))
            })
            .collect::<Result<_, SchemaError>>()?;
        let schemas = Schemas {
            entities,
            organisations,
            master,
            master_format,
            nodes,
        };
        schemas.check_annotations()?;
        Ok(schemas)
    }

    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|entity| entity.name == name)
    }

    pub fn entity_index(&self, name: &str) -> Option<usize> {
        self.entities.iter().position(|entity| entity.name == name)
    }

    /// The entity that plays this role.
    pub fn entity_role(&self, role: &str) -> Option<usize> {
        self.entities.iter().position(|entity| entity.is(role))
    }

    /// The lists that lead to an entity's rows in `annex.json`, from the root down:
    /// `["challenges", "sections", "issues"]` for the issues.
    pub fn master_path<'a>(&'a self, entity: &'a Entity) -> Vec<&'a str> {
        master_chain(&self.entities, entity)
    }

    /// The organisation whose code leads a key (`METI` of `METI-003-K1`), by index into
    /// [`Schemas::organisations`].
    pub fn lead_of(&self, key: &str) -> Option<usize> {
        let lead = key.split('-').next()?;
        self.organisations.iter().position(|org| org.code == lead)
    }

    /// The organisation a person means by a code, a short name or a full name.
    pub fn organisation(&self, written: &str) -> Option<&Organisation> {
        if let Some(org) = self.organisations.iter().find(|org| org.code == written) {
            return Some(org);
        }
        let wanted = normalize_label(written);
        (self.organisations.iter()).find(|org| org.labels.contains(&wanted))
    }

    /// Organisations by the short names people write (経産省), codes it does not know as they are.
    pub fn short_names(&self, codes: &[Value]) -> Vec<String> {
        codes
            .iter()
            .map(|code| {
                let code = code
                    .as_str()
                    .map_or_else(|| code.to_string(), str::to_string);
                self.organisation(&code)
                    .map_or(code, |org| org.short_name.clone())
            })
            .collect()
    }

    /// A stable fingerprint of the sheets, columns, types and allowed values of one kind of
    /// workbook (FNV-1a, 64 bits, in hex): what a template was made from.
    pub fn fingerprint(&self, workbook: &str) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |text: &str| {
            for byte in text.bytes().chain(std::iter::once(0)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for entity in self.entities.iter().filter(|e| e.workbook == workbook) {
            feed(&entity.sheet);
            for field in &entity.fields {
                feed(&field.key);
                feed(&field.header);
                feed(&format!(
                    "{:?}{}{:?}",
                    field.kind, field.required, field.allowed
                ));
            }
        }
        format!("{hash:016x}")
    }

    /// Every way the consolidated master breaks `annex.schema.json`, as `pointer: message`.
    pub fn master_errors(&self, master: &Value) -> Vec<String> {
        self.master
            .iter_errors(master)
            .map(|error| format!("{}: {}", error.instance_path(), error))
            .collect()
    }

    /// Every way one node of the master (its own fields, its children's lists empty) breaks
    /// `annex.schema.json` at its entity's place, as `pointer: message`.
    pub fn master_node_errors(&self, entity: usize, node: &Value) -> Vec<String> {
        (self.nodes.get(entity).into_iter())
            .flat_map(|(validator, _)| validator.iter_errors(node))
            .map(|error| format!("{}: {}", error.instance_path(), error))
            .collect()
    }

    /// Whether `annex.schema.json` asks more of an entity's nodes than their row schema, which
    /// every row met as it was read, and the lists of their children, which the master is made
    /// with: only then must each node be checked again as the master is written.
    pub fn master_adds_to_rows(&self, entity: usize) -> bool {
        self.nodes.get(entity).is_none_or(|(_, adds)| *adds)
    }

    /// Annotations that name other schemas or fields must name ones that exist, and every role
    /// annex reads must be played, once.
    fn check_annotations(&self) -> Result<(), SchemaError> {
        for (role, fields) in ROLES {
            let players: Vec<&Entity> = self.entities.iter().filter(|e| e.is(role)).collect();
            let [entity] = players.as_slice() else {
                return Err(invalid(
                    "schemas",
                    format!(
                        "exactly one row schema must have \"x-role\": \"{role}\" (found {})",
                        players.len()
                    ),
                ));
            };
            for field in *fields {
                let count = entity
                    .fields
                    .iter()
                    .filter(|f| f.role.as_deref() == Some(*field))
                    .count();
                if count != 1 {
                    return Err(invalid(
                        &format!("{}.schema.json", entity.name),
                        format!(
                            "exactly one field must have \"x-role\": \"{field}\" (found {count})"
                        ),
                    ));
                }
            }
        }
        for entity in &self.entities {
            let file = format!("{}.schema.json", entity.name);
            if entity.field(&entity.key).is_none() {
                return Err(invalid(
                    &file,
                    format!("x-key names no field: {}", entity.key),
                ));
            }
            for field in &entity.fields {
                if let Some(target) = &field.references {
                    if self.entity(target).is_none() {
                        return Err(invalid(
                            &file,
                            format!(
                                "{}: x-references names no sheet schema: {target}",
                                field.key
                            ),
                        ));
                    }
                }
                if let Some(child) = &field.orders {
                    let orders_a_child = self.entity(child).and_then(|c| c.parent_link(self));
                    let is_list = matches!(field.kind, ValueKind::Ids { .. });
                    if !is_list
                        || orders_a_child.map(|(_, parent)| &self.entities[parent].name)
                            != Some(&entity.name)
                    {
                        return Err(invalid(
                            &file,
                            format!("{}: x-orders must be on an `ids` field and name a sheet schema whose x-parent is this one: {child}", field.key),
                        ));
                    }
                }
                for named in [&field.not_before, &field.unit_field].into_iter().flatten() {
                    if entity.field(named).is_none() {
                        return Err(invalid(
                            &file,
                            format!("{}: names no field: {named}", field.key),
                        ));
                    }
                }
            }
            if entity.parent.is_some() && entity.parent_link(self).is_none() {
                return Err(invalid(
                    &file,
                    "x-parent must name a field that has x-references",
                ));
            }
        }
        Ok(())
    }
}

fn parse_json(name: &str, text: &str) -> Result<Value, SchemaError> {
    serde_json::from_str(text).map_err(|e| SchemaError::Json {
        file: name.to_string(),
        message: e.to_string(),
    })
}

fn schema_id<'a>(name: &str, schema: &'a Value) -> Result<&'a str, SchemaError> {
    schema
        .get("$id")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(name, "has no $id"))
}

/// The keys of a sheet's columns as a template records them: `id,issue_id,…`.
pub fn column_list(entity: &Entity) -> String {
    entity
        .fields
        .iter()
        .map(|f| f.key.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Header and sheet-name matching: NFKC, no white space at all, ASCII case folded.
pub fn normalize_label(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A yes/no answer as it is compared: `ＴＲＵＥ ` and `true` alike.
pub fn normalize_answer(text: &str) -> String {
    text.nfkc().collect::<String>().trim().to_lowercase()
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn strings_of(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn read_organisations(schema: &Value) -> Result<Vec<Organisation>, SchemaError> {
    let names = schema
        .get("x-names")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(ORGANISATION_FILE, "has no x-names"))?;
    strings_of(schema, "enum")
        .into_iter()
        .map(|code| {
            let entry = names
                .get(&code)
                .ok_or_else(|| invalid(ORGANISATION_FILE, format!("x-names has no {code}")))?;
            let name_of = |key| {
                str_of(entry, key).map(str::to_string).ok_or_else(|| {
                    invalid(ORGANISATION_FILE, format!("x-names.{code} has no {key}"))
                })
            };
            let (short_name, name) = (name_of("short")?, name_of("full")?);
            Ok(Organisation {
                labels: [&code, &short_name, &name].map(|label| normalize_label(label)),
                short_name,
                name,
                code,
            })
        })
        .collect()
}

fn read_entity(file: &str, schema: &Value, validator: Validator) -> Result<Entity, SchemaError> {
    let name = file.trim_end_matches(".schema.json").to_string();
    let required = strings_of(schema, "required");
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(file, "has no properties"))?;
    let fields = properties
        .iter()
        .map(|(key, property)| read_field(file, key, property, required.contains(key)))
        .collect::<Result<Vec<_>, _>>()?;
    let annotation = |key: &str| {
        str_of(schema, key)
            .map(str::to_string)
            .ok_or_else(|| invalid(file, format!("has no {key}")))
    };
    let in_row_order = match str_of(schema, "x-order") {
        None | Some("key") => false,
        Some("rows") => true,
        Some(other) => return Err(invalid(file, format!("unknown x-order {other:?}"))),
    };
    Ok(Entity {
        in_row_order,
        title: str_of(schema, "title").unwrap_or(&name).to_string(),
        sheet: annotation("x-sheet")?,
        workbook: annotation("x-workbook")?,
        key: annotation("x-key")?,
        parent: str_of(schema, "x-parent").map(str::to_string),
        plural: str_of(schema, "x-plural").unwrap_or(&name).to_string(),
        role: str_of(schema, "x-role").map(str::to_string),
        name,
        fields,
        validator,
    })
}

fn read_field(
    file: &str,
    key: &str,
    property: &Value,
    required: bool,
) -> Result<Field, SchemaError> {
    let header = str_of(property, "x-header")
        .ok_or_else(|| invalid(file, format!("{key}: has no x-header")))?
        .to_string();
    let json_type = str_of(property, "type").unwrap_or("string");
    let kind = match str_of(property, "x-parse") {
        Some("id") => ValueKind::Id,
        Some("title") => ValueKind::Title,
        Some("fiscal-year") => ValueKind::FiscalYear,
        Some("year-month") => ValueKind::YearMonth,
        Some("yes-no") => ValueKind::YesNo {
            yes: strings_of(property, "x-yes"),
            no: strings_of(property, "x-no"),
        },
        Some("organisations") => ValueKind::Organisations {
            separators: strings_of(property, "x-separators"),
        },
        Some("ids") => ValueKind::Ids {
            separators: strings_of(property, "x-separators"),
        },
        Some(other) => return Err(invalid(file, format!("{key}: unknown x-parse {other:?}"))),
        None => match json_type {
            "number" => ValueKind::Number { integer: false },
            "integer" => ValueKind::Number { integer: true },
            "boolean" => ValueKind::Boolean,
            _ => ValueKind::Text,
        },
    };
    if let ValueKind::YesNo { yes, no } = &kind {
        if yes.is_empty() || no.is_empty() {
            return Err(invalid(file, format!("{key}: yes-no needs x-yes and x-no")));
        }
    }
    let example = property
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|examples| examples.first())
        .map(|example| match example {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        });
    let allowed = property
        .get("enum")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(Field {
        key: key.to_string(),
        header,
        required,
        description: Text::new(
            str_of(property, "description").unwrap_or_default(),
            str_of(property, "x-description-ja").unwrap_or_default(),
        ),
        example,
        default: property.get("default").cloned(),
        allowed,
        text_to_number: property.get("x-text-to-number") == Some(&Value::Bool(true)),
        unit_field: str_of(property, "x-unit-field").map(str::to_string),
        percent_unit: str_of(property, "x-percent-unit").map(str::to_string),
        references: str_of(property, "x-references").map(str::to_string),
        id_prefix: property.get("x-id-prefix") == Some(&Value::Bool(true)),
        not_before: str_of(property, "x-not-before").map(str::to_string),
        orders: str_of(property, "x-orders").map(str::to_string),
        role: str_of(property, "x-role").map(str::to_string),
        previous_header: str_of(property, "x-previous-header").map(str::to_string),
        answers: match &kind {
            ValueKind::YesNo { yes, no } => (yes.iter().map(|s| (s, true)))
                .chain(no.iter().map(|s| (s, false)))
                .map(|(spelling, answer)| (normalize_answer(spelling), answer))
                .collect(),
            _ => Vec::new(),
        },
        kind,
    })
}

/// Sort so that every entity comes after the one its `x-parent` names.
/// Whether the master's item schema for an entity asks more than `{"$ref": "<entity>.schema.json"}`
/// with its children's lists (`"required"` and `"properties"` naming them, each
/// `{"type": "array", "items": …}`, the items being the child's own item schema).
fn adds_to_row(item: &Value, entities: &[Entity], index: usize) -> bool {
    let Some((entity, item)) = entities.get(index).zip(item.as_object()) else {
        return true;
    };
    let children: Vec<&str> = (entities.iter())
        .filter(|child| {
            let parent = child.parent.as_deref().and_then(|key| child.field(key));
            parent.and_then(|f| f.references.as_deref()) == Some(entity.name.as_str())
        })
        .map(|child| child.plural.as_str())
        .collect();
    let names_a_child = |value: &Value| value.as_str().is_some_and(|v| children.contains(&v));
    item.iter().any(|(keyword, value)| match keyword.as_str() {
        "$ref" => value.as_str() != Some(&format!("{}.schema.json", entity.name)),
        "required" => !value
            .as_array()
            .is_some_and(|names| names.iter().all(names_a_child)),
        "properties" => !value.as_object().is_some_and(|lists| {
            lists.iter().all(|(name, list)| {
                children.contains(&name.as_str())
                    && list.as_object().is_some_and(|list| {
                        list.get("type") == Some(&Value::from("array"))
                            && list.keys().all(|k| k == "type" || k == "items")
                    })
            })
        }),
        _ => true,
    })
}

/// The lists that lead to an entity's rows in the master, from the root down: `challenges`,
/// `sections`, … along the `x-parent` chain.
fn master_chain<'a>(entities: &'a [Entity], entity: &'a Entity) -> Vec<&'a str> {
    let mut chain = Vec::new();
    let mut current = Some(entity);
    while let Some(entity) = current {
        chain.push(entity.plural.as_str());
        current = (entity.parent.as_deref())
            .and_then(|key| entity.field(key))
            .and_then(|field| field.references.as_deref())
            .and_then(|name| entities.iter().find(|e| e.name == name));
        if chain.len() > entities.len() {
            break;
        }
    }
    chain.reverse();
    chain
}

/// Where an entity's rows sit in `annex.schema.json`: `/properties/challenges/items`, then
/// `/properties/sections/items` under it, and so on down the `x-parent` chain.
fn master_pointer(entities: &[Entity], index: usize) -> String {
    let chain = entities.get(index).map(|e| master_chain(entities, e));
    (chain.iter().flatten())
        .map(|plural| format!("/properties/{plural}/items"))
        .collect()
}

fn order_parents_first(entities: Vec<Entity>) -> Result<Vec<Entity>, SchemaError> {
    let depth_of = |entity: &Entity| {
        let mut depth = 0;
        let mut current = entity;
        while let Some(parent) = current
            .parent
            .as_deref()
            .and_then(|key| current.field(key))
            .and_then(|field| field.references.as_deref())
            .and_then(|name| entities.iter().find(|e| e.name == name))
        {
            depth += 1;
            if depth > entities.len() {
                return Err(invalid(
                    &format!("{}.schema.json", entity.name),
                    "x-parent forms a cycle",
                ));
            }
            current = parent;
        }
        Ok(depth)
    };
    let mut ranked = entities
        .iter()
        .map(depth_of)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .zip(entities)
        .collect::<Vec<_>>();
    ranked.sort_by_key(|(depth, _)| *depth);
    Ok(ranked.into_iter().map(|(_, entity)| entity).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn embedded_schemas_compile_parents_first() {
        let schemas = Schemas::embedded().unwrap();
        let names: Vec<_> = schemas.entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["challenge", "section", "issue", "measure", "kpi"]);
    }

    #[test]
    fn fields_carry_headers_and_kinds_from_the_schema() {
        let schemas = Schemas::embedded().unwrap();
        let kpi = schemas.entity("kpi").unwrap();
        assert_eq!(kpi.sheet, "KPI");
        let value = kpi.field("value").unwrap();
        assert_eq!(value.header, "値");
        assert_eq!(value.kind, ValueKind::Number { integer: false });
        assert!(value.required && value.text_to_number);
        assert_eq!(kpi.field("fy_from").unwrap().kind, ValueKind::FiscalYear);
        assert_eq!(
            kpi.field("fy_to").unwrap().not_before.as_deref(),
            Some("fy_from")
        );
    }

    #[test]
    fn organisations_are_found_by_code_short_or_full_name() {
        let schemas = Schemas::embedded().unwrap();
        for written in ["METI", "meti", "経産省", "経済産業省", " 経済産業省 "] {
            assert_eq!(
                schemas.organisation(written).unwrap().code,
                "METI",
                "{written}"
            );
        }
        assert!(schemas.organisation("財務省").is_none());
    }

    #[test]
    fn labels_match_across_widths_spaces_and_case() {
        assert_eq!(
            normalize_label("対象年度（開始）"),
            normalize_label("対象年度 (開始)")
        );
        assert_eq!(normalize_label(" FY_from "), "fy_from");
        assert_eq!(normalize_label("ＫＰＩ"), "kpi");
    }

    #[test]
    fn the_master_schema_checks_nesting() {
        let schemas = Schemas::embedded().unwrap();
        let good = json!({"format": "annex/1", "organisations": [], "challenges": [
            {"id": "1", "title": "t", "sections": []}
        ]});
        assert!(schemas.master_errors(&good).is_empty());
        let bad = json!({"format": "annex/1", "organisations": [], "challenges": [
            {"id": "x", "title": "t"}
        ]});
        assert_eq!(schemas.master_errors(&bad).len(), 2);
    }

    #[test]
    fn a_schema_folder_without_the_master_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = Schemas::from_dir(dir.path()).unwrap_err();
        assert!(matches!(error, SchemaError::Missing(_)), "{error}");
    }

    /// The schemas' files as [`Schemas::embedded`] reads them, with `change` applied to one.
    fn embedded_with(file: &str, change: impl FnOnce(&mut Value)) -> Result<Schemas, SchemaError> {
        let mut files: BTreeMap<String, Value> = EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_string(), serde_json::from_str(text).unwrap()))
            .collect();
        change(files.get_mut(file).unwrap());
        Schemas::from_files(files)
    }

    #[test]
    fn every_role_annex_reads_is_found_through_the_schemas() {
        let schemas = Schemas::embedded().unwrap();
        for (role, fields) in ROLES {
            let entity = &schemas.entities[schemas.entity_role(role).unwrap()];
            for field in *fields {
                assert!(entity.role(field).is_some(), "{role}: {field}");
            }
        }
        // A field renamed keeps its role, and what reads the role follows it.
        let renamed = embedded_with("kpi.schema.json", |kpi| {
            let properties = kpi["properties"].as_object_mut().unwrap();
            let value = properties.remove("value").unwrap();
            properties.insert("amount".into(), value);
        })
        .unwrap();
        let figure = &renamed.entities[renamed.entity_role("figure").unwrap()];
        assert_eq!(figure.role_key("value"), "amount");
    }

    #[test]
    fn a_role_that_no_field_plays_fails_loudly_as_the_schemas_load() {
        let error = embedded_with("kpi.schema.json", |kpi| {
            kpi["properties"]["part_of"]
                .as_object_mut()
                .unwrap()
                .remove("x-role");
        })
        .unwrap_err();
        assert!(error.to_string().contains("part-of"), "{error}");
        let error = embedded_with("measure.schema.json", |measure| {
            measure.as_object_mut().unwrap().remove("x-role");
        })
        .unwrap_err();
        assert!(error.to_string().contains("measure"), "{error}");
    }

    #[test]
    fn the_master_schema_adds_nothing_to_the_rows_until_it_does() {
        let schemas = Schemas::embedded().unwrap();
        assert!((0..schemas.entities.len()).all(|e| !schemas.master_adds_to_rows(e)));
        let stricter = embedded_with("annex.schema.json", |master| {
            master["properties"]["challenges"]["items"]["maxProperties"] = 9.into();
        })
        .unwrap();
        let challenge = stricter.entity_role("challenge").unwrap();
        assert!(stricter.master_adds_to_rows(challenge));
    }
}
