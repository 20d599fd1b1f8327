//! `--profile machine-readable`: the checks of the government's rules for machine-readable data
//! that apply to a submission, as warnings that name the rule they come from:
//! 総務省「統計表における機械判読可能なデータの表記方法の統一ルール」(2020) チェック項目 and
//! デジタル庁「行政データにおける機械可読性に関するルール」 level 1, which restates them.

use calamine::Dimensions;

use crate::lang::Text;
use crate::report::{cell_name, column_name, Diagnostic, Location};
use crate::schema::{Field, ValueKind, INFO_SHEET};

use crate::records::SheetLayout;

/// The checks a run adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// The contract's checks only.
    #[default]
    Contract,
    /// Also the machine-readability rules, as warnings.
    MachineReadable,
}

const DIGITAL_AGENCY: &str = "デジタル庁 機械可読性ルール レベル1";

/// The rule a finding comes from, e.g. `総務省 統一ルール 1-4（セルの結合）`.
fn rule(item: &str, title: &str) -> String {
    format!("総務省 統一ルール チェック項目{item}（{title}）／{DIGITAL_AGENCY}")
}

fn warning(code: &str, at: Location, rule: String, message: Text, help: Text) -> Diagnostic {
    Diagnostic::warning(
        code,
        at,
        Text::new(
            format!("{} [{rule}]", message.en),
            format!("{}【{rule}】", message.ja),
        ),
        help,
    )
}

/// A workbook whose cells were read but whose package is too damaged for the reader that tells
/// hidden sheets and formulas: those two checks were not made, and the report says so.
pub fn unchecked(file: &std::sync::Arc<str>) -> Diagnostic {
    warning(
        "mr.unchecked",
        Location::file(file),
        format!("{DIGITAL_AGENCY}（非表示の行・列・シート、数式）"),
        Text::new(
            "part of the workbook's package is damaged: its cells were read, but hidden sheets and formulas were not checked",
            "ブックの一部が壊れているため、セルの値は読み込みましたが、非表示のシートと数式は確認していません",
        ),
        Text::new(
            "Open the workbook in Excel or LibreOffice and save it again as .xlsx, then check it again.",
            "Excel または LibreOffice で開いて .xlsx として保存し直し、もう一度確認してください。",
        ),
    )
}

/// Sheets hidden from view, in any workbook with council sheets, but for a template's own.
pub fn hidden_sheets(file: &std::sync::Arc<str>, hidden: &[String]) -> Vec<Diagnostic> {
    hidden
        .iter()
        .filter(|name| name.as_str() != INFO_SHEET)
        .map(|name| {
            warning(
                "mr.hidden",
                Location::sheet(file, &name.as_str().into()),
                format!("{DIGITAL_AGENCY}（非表示の行・列・シート）"),
                Text::new(format!("the sheet {name} is hidden"), format!("シート「{name}」が非表示です")),
                Text::new(
                    "Show the sheet (right-click a sheet tab › Unhide), or delete it if it holds nothing to submit.",
                    "シートを再表示するか（シート見出しを右クリック › 再表示）、提出不要なら削除してください。",
                ),
            )
        })
        .collect()
}

/// Rows (1-based) and columns (0-based) hidden from view in a council sheet.
pub fn hidden_rows_and_columns(
    layout: &SheetLayout,
    rows: &[u32],
    columns: &[u32],
) -> Vec<Diagnostic> {
    let rule = format!("{DIGITAL_AGENCY}（非表示の行・列・シート）");
    let help = Text::new(
        "Unhide it (select the rows or columns around it, right-click › Unhide); delete it if it holds nothing to submit.",
        "再表示してください（前後の行・列を選択し右クリック › 再表示）。提出不要なら削除してください。",
    );
    let rows = rows.iter().map(|row| {
        warning(
            "mr.hidden",
            Location {
                row: Some(*row),
                ..Location::sheet(&layout.file, &layout.sheet)
            },
            rule.clone(),
            Text::new(
                format!("row {row} is hidden"),
                format!("{row}行目が非表示です"),
            ),
            help.clone(),
        )
    });
    let columns = columns.iter().map(|column| {
        let name = column_name(*column);
        warning(
            "mr.hidden",
            Location {
                row: Some(1),
                column: Some(*column),
                ..Location::sheet(&layout.file, &layout.sheet)
            },
            rule.clone(),
            Text::new(
                format!("column {name} is hidden"),
                format!("{name}列が非表示です"),
            ),
            help.clone(),
        )
    });
    rows.chain(columns).collect()
}

pub fn merged_cells(layout: &SheetLayout, merges: &[Dimensions]) -> Vec<Diagnostic> {
    merges
        .iter()
        .map(|merge| {
            let (first, last) = (cell_name(merge.start.0.saturating_add(1), merge.start.1), cell_name(merge.end.0.saturating_add(1), merge.end.1));
            warning(
                "mr.merged",
                Location {
                    row: Some(merge.start.0.saturating_add(1)),
                    column: Some(merge.start.1),
                    ..Location::sheet(&layout.file, &layout.sheet)
                },
                rule("1-4", "セルの結合"),
                Text::new(format!("cells {first}:{last} are merged"), format!("セル {first}:{last} が結合されています")),
                Text::new(
                    "Unmerge the cells and write the value in every row it belongs to (annex reads it so already).",
                    "セルの結合を解除し、該当するすべての行に値を入力してください（annex はそのように読み取っています）。",
                ),
            )
        })
        .collect()
}

/// Formulas in data rows, where a value belongs; `formulas` are (0-based row, column, formula).
pub fn formulas(layout: &SheetLayout, formulas: &[(u32, u32, String)]) -> Vec<Diagnostic> {
    formulas
        .iter()
        .filter(|(row, _, _)| *row > 0)
        .map(|(row, column, formula)| {
            warning(
                "mr.formula",
                Location {
                    row: Some(row.saturating_add(1)),
                    column: Some(*column),
                    ..Location::sheet(&layout.file, &layout.sheet)
                },
                rule("1-7", "数式"),
                Text::new(
                    format!("the cell holds the formula ={formula}"),
                    format!("セルに数式 ={formula} が入っています"),
                ),
                Text::new(
                    "Replace the formula by its value (Copy, then Paste Special › Values).",
                    "数式を値に置き換えてください（コピーして「形式を選択して貼り付け › 値」）。",
                ),
            )
        })
        .collect()
}

/// A text cell of a data row: spaces or line breaks used for layout, platform-dependent
/// characters.
pub fn text_cell(
    layout: &SheetLayout,
    field: &Field,
    row: u32,
    column: u32,
    text: &str,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let at = Location {
        row: Some(row),
        column: Some(column),
        header: Some(field.header.clone()),
        ..Location::sheet(&layout.file, &layout.sheet)
    };
    let free_text = matches!(
        field.kind,
        ValueKind::Text | ValueKind::Organisations { .. }
    );
    if has_layout_spacing(text, free_text) {
        found.push(
            warning(
                "mr.spacing",
                at.clone(),
                rule("1-5", "スペースや改行による体裁"),
                Text::new(
                    format!("{} uses spaces or line breaks for layout", field.header),
                    format!("「{}」でスペースや改行を体裁のために使っています", field.header),
                ),
                Text::new(
                    "Remove leading and trailing spaces, runs of spaces and full-width spaces; use line breaks only inside long text.",
                    "前後のスペース、連続したスペース、全角スペースを削除してください。改行は長い文章の中だけにしてください。",
                ),
            )
            .with_found(text),
        );
    }
    let dependent: String = text.chars().filter(|c| is_platform_dependent(*c)).collect();
    if !dependent.is_empty() {
        found.push(
            warning(
                "mr.platform_character",
                at,
                rule("1-10", "機種依存文字"),
                Text::new(
                    format!(
                        "{} uses platform-dependent characters: {dependent}",
                        field.header
                    ),
                    format!(
                        "「{}」に機種依存文字 {dependent} が使われています",
                        field.header
                    ),
                ),
                Text::new(
                    "Write them with ordinary characters: ① → (1), Ⅲ → III, ㈱ → (株), ㎡ → m2.",
                    "通常の文字で書いてください（① → (1)、Ⅲ → III、㈱ → (株)、㎡ → m2 など）。",
                ),
            )
            .with_found(text),
        );
    }
    found
}

/// Leading or trailing white space, two or more spaces in a row, a full-width space, or (outside
/// free text) a line break.
fn has_layout_spacing(text: &str, free_text: bool) -> bool {
    let edges = text.trim() != text;
    let runs = text.contains("  ") || text.contains('\u{3000}');
    let breaks = !free_text && text.contains('\n');
    edges || runs || breaks
}

/// Characters that display differently, or not at all, across systems (機種依存文字): circled and
/// parenthesised numbers, Roman numerals, enclosed and squared CJK abbreviations, and symbols such
/// as № and ℡.
fn is_platform_dependent(c: char) -> bool {
    matches!(c,
        '\u{2460}'..='\u{24FF}'
        | '\u{2160}'..='\u{217F}'
        | '\u{3200}'..='\u{32FF}'
        | '\u{3300}'..='\u{33FF}'
        | '\u{2116}' | '\u{2121}' | '\u{301D}' | '\u{301F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_for_layout() {
        assert!(has_layout_spacing(" 経産省", true));
        assert!(has_layout_spacing("経　産　省", true));
        assert!(has_layout_spacing("a  b", true));
        assert!(has_layout_spacing("METI-001\n", false));
        assert!(has_layout_spacing("がん\n介護", false));
        assert!(!has_layout_spacing("がん\n介護", true));
        assert!(!has_layout_spacing("DASH for SaMD 2", true));
    }

    #[test]
    fn platform_dependent_characters() {
        for c in ['①', 'Ⅲ', '㈱', '㍉', '№', '℡', '㎡'] {
            assert!(is_platform_dependent(c), "{c}");
        }
        for c in ['1', 'あ', '（', '・', '【', 'Ｉ'] {
            assert!(!is_platform_dependent(c), "{c}");
        }
    }
}
