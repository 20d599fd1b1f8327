//! The rules that span rows, sheets and files. Each is a small unit in a file of its own, with a
//! stable code, a message and help in both languages, and tests of what it refuses and accepts.

mod duplicate_id;
mod id_prefix;
mod issue_without_measure;
mod listed_order;
mod not_before;
mod part_of;
mod relisting;
mod unresolved_reference;

use super::Index;
use crate::lang::Text;
use crate::records::Record;
use crate::report::Diagnostic;
use crate::schema::{Entity, Field};

pub struct Rule {
    /// The code, or the start of the codes, of the diagnostics the rule gives.
    pub code: &'static str,
    pub check: fn(&Index, &mut Vec<Diagnostic>),
    /// Whether the rule reads this field of this entity. A check keeps only the fields some
    /// rule reads; the rule's tests see only those, so a rule that reads more fails them.
    pub reads: fn(&Entity, &Field) -> bool,
}

impl Rule {
    /// An error `<code>.<suffix>` at the cell that holds `key` in `record`, with the cell's value
    /// and its row.
    fn finding(
        &self,
        index: &Index,
        record: Record,
        key: &str,
        suffix: &str,
        message: Text,
        help: Text,
    ) -> Diagnostic {
        let found = record.display(key).unwrap_or_default().into_owned();
        Diagnostic::error(
            format!("{}.{suffix}", self.code),
            record.location(index.schemas, key),
            message,
            help,
        )
        .with_found(found)
        .with_snippet(index.snippet(&record, key))
    }
}

/// Every cross-record rule, in the order their findings are most useful to read.
pub const RULES: &[Rule] = &[
    duplicate_id::RULE,
    unresolved_reference::RULE,
    id_prefix::RULE,
    not_before::RULE,
    part_of::RULE,
    relisting::RULE,
    listed_order::RULE,
    issue_without_measure::RULE,
];

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn rule_codes_are_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|rule| rule.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
    }
}
