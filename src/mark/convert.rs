//! An `.xls`, `.xlsb` or `.ods` workbook as an `.xlsx` of its values, so that it can be marked
//! like one: every sheet, in order, every cell where it was, as calamine reads it. A text stays
//! text (written as a string, never as a formula); a date keeps a date format.

use std::path::Path;

use std::io::Cursor;
use std::sync::Arc;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use rust_xlsxwriter::{Format, Workbook};

/// The workbook at `path` as the bytes of an `.xlsx` holding its values. Its format is told from
/// its content, not its name: an `.xls` or `.ods` saved under an `.xlsx` name is read as what it is.
pub fn to_xlsx(path: &Path) -> Result<Vec<u8>, String> {
    let bytes: Arc<[u8]> = std::fs::read(path).map_err(|e| e.to_string())?.into();
    let mut source = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    let date_time = Format::new().set_num_format("yyyy/m/d h:mm");
    for name in source.sheet_names() {
        let range = source.worksheet_range(&name).map_err(|e| e.to_string())?;
        let sheet = book.add_worksheet();
        sheet
            .set_name(&name)
            .map_err(|e| format!("the sheet name {name}: {e}"))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, column, value) in range.used_cells() {
            let (row, column) = (top + row as u32, (left + column as u32) as u16);
            let written = match value {
                Data::Empty => continue,
                Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => {
                    sheet.write_string(row, column, crate::write::fit(text, 0))
                }
                Data::Float(number) => sheet.write_number(row, column, *number),
                Data::Int(number) => sheet.write_number(row, column, *number as f64),
                Data::Bool(value) => sheet.write_boolean(row, column, *value),
                Data::DateTime(moment) => {
                    let serial = serial_from_1900(moment);
                    let format = match serial.fract() == 0.0 {
                        true => &date,
                        false => &date_time,
                    };
                    sheet.write_number_with_format(row, column, serial, format)
                }
                Data::Error(error) => sheet.write_string(row, column, error.to_string()),
            };
            written.map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// A date's serial as a workbook counting from 1900 holds it, which the copy does: a serial of a
/// workbook counting from 1904 (Excel for Mac's option) would show a day four years early.
fn serial_from_1900(moment: &calamine::ExcelDateTime) -> f64 {
    if !moment.is_datetime() {
        return moment.as_f64();
    }
    let (year, month, day, hour, minute, second, milli) = moment.to_ymd_hms_milli();
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, month, day)
        .and_then(|date| date.and_hms_milli(u16::from(hour), minute, second, milli))
        .map_or(moment.as_f64(), |date| date.to_excel())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn a_date_counted_from_1904_is_written_as_the_same_day() {
        let mac = ExcelDateTime::new(44165.5, ExcelDateTimeType::DateTime, true);
        assert_eq!(serial_from_1900(&mac), 45627.5);
        let usual = ExcelDateTime::new(45627.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(serial_from_1900(&usual), 45627.0);
        let duration = ExcelDateTime::new(1.25, ExcelDateTimeType::TimeDelta, true);
        assert_eq!(serial_from_1900(&duration), 1.25);
    }
}
