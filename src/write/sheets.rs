//! A workbook in the contract's layout from rows given as JSON objects keyed by English key:
//! row 1 the schema's Japanese headers, then one row per object, each value in the cell type it
//! has (text, number, TRUE/FALSE). This is how `input/` is generated from `input/source/`.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Map, Value};

use super::fit;
use crate::schema::Schemas;

#[derive(Debug, thiserror::Error)]
pub enum SheetsError {
    #[error("no schema describes a sheet named {0}")]
    UnknownSheet(String),
    #[error("the rows of sheet {0} must be a list of objects")]
    NotRows(String),
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
}

/// `sheets` maps sheet names to lists of rows.
pub fn workbook_from_rows(
    sheets: &Map<String, Value>,
    schemas: &Schemas,
) -> Result<Vec<u8>, SheetsError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&super::xlsx::stable_properties("annex submission")?);
    let header = Format::new().set_bold();
    for (name, rows) in sheets {
        let entity = schemas
            .entities
            .iter()
            .find(|entity| entity.sheet == *name)
            .ok_or_else(|| SheetsError::UnknownSheet(name.clone()))?;
        let rows = rows
            .as_array()
            .ok_or_else(|| SheetsError::NotRows(name.clone()))?;
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        for (column, field) in entity.fields.iter().enumerate() {
            let column = column as u16;
            sheet.write_string_with_format(0, column, &field.header, &header)?;
            for (offset, row) in rows.iter().enumerate() {
                let row_number = offset as u32 + 1;
                match row.get(&field.key) {
                    Some(Value::String(text)) => {
                        sheet.write_string(row_number, column, fit(text, 0))?;
                    }
                    Some(Value::Number(n)) => {
                        sheet.write_number(row_number, column, n.as_f64().unwrap_or_default())?;
                    }
                    Some(Value::Bool(b)) => {
                        sheet.write_boolean(row_number, column, *b)?;
                    }
                    Some(Value::Null) | None => {}
                    Some(other) => {
                        return Err(SheetsError::NotRows(format!(
                            "{name} ({}: {other})",
                            field.key
                        )))
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(workbook.save_to_buffer()?)
}
