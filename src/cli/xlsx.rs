//! Reading a worksheet of an .xlsx file for the imports (calamine): each cell as the text the
//! CSV import would have read, so both go through the same checks.
//!
//! - text is taken as it is (a number typed as text, `"1200.50"`, is read like any number);
//! - a number is written in its shortest exact form (`1200.5`, `13800000000`), so money with
//!   more than two decimals (`0.1 + 0.2` saved as `0.30000000000000004`) is refused by the
//!   money check, never rounded quietly;
//! - a date cell (a serial number with a date format) becomes `YYYY-MM-DD`; a bare serial
//!   number in a date column is read as a date by the import (`serial_date`);
//! - an error cell (`#N/A`, `#DIV/0!`) is refused, naming its row and column.

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{Days, NaiveDate};
use std::path::Path;

/// One cell's text, or why it cannot be read.
pub type CellText = Result<String, String>;

/// A worksheet's rows with their row numbers as Excel shows them (the first row is 1).
pub type SheetRows = Vec<(u64, Vec<CellText>)>;

/// The worksheet `sheet` (default: the first) of the workbook at `path`: its name, and its
/// rows with their row numbers as Excel shows them (the first row is 1).
pub fn read(path: &Path, sheet: Option<&str>) -> Result<(String, SheetRows), String> {
    let mut book: Xlsx<_> =
        open_workbook(path).map_err(|e| format!("cannot be read as an .xlsx workbook: {e}"))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "has no sheet named '{wanted}'; its sheets are: {}",
                    names.join(", ")
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "has no worksheets".to_string())?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format!("sheet '{name}' cannot be read: {e}"))?;
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut texts: Vec<CellText> = vec![Ok(String::new()); first_col];
            texts.extend(cells.iter().map(cell_text));
            (first_row + i as u64 + 1, texts)
        })
        .collect();
    Ok((name, rows))
}

/// A cell as text (see the module's rules).
pub fn cell_text(cell: &Data) -> CellText {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number_text(*f)?,
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_datetime()
                && let Some(at) = dt.as_datetime()
            {
                if at.time() == chrono::NaiveTime::MIN {
                    at.date().to_string()
                } else {
                    at.to_string()
                }
            } else {
                number_text(dt.as_f64())?
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("the cell holds the error {e}; correct it in Excel")),
    })
}

/// A number in its shortest exact decimal form, without an exponent.
fn number_text(f: f64) -> CellText {
    if !f.is_finite() {
        return Err("the cell holds no finite number".into());
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return Ok(format!("{}", f as i64));
    }
    Ok(format!("{f}"))
}

/// An Excel serial date (days since 1899-12-30, as Excel counts from 1 March 1900 on) given
/// as a whole number: `46082` is 2026-03-01. None for anything else.
pub fn serial_date(text: &str) -> Option<NaiveDate> {
    let n: u64 = text.trim().parse().ok()?;
    if !(61..=2_958_465).contains(&n) {
        return None; // before 1 March 1900 (Excel's leap-year bug) or after 9999
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_and_dates_read_as_excel_stores_them() {
        assert_eq!(cell_text(&Data::Float(1200.5)).unwrap(), "1200.5");
        assert_eq!(
            cell_text(&Data::Float(13800000000.0)).unwrap(),
            "13800000000"
        );
        assert_eq!(
            cell_text(&Data::Float(0.1 + 0.2)).unwrap(),
            "0.30000000000000004"
        );
        assert_eq!(cell_text(&Data::Int(3)).unwrap(), "3");
        assert_eq!(
            cell_text(&Data::String(" 1200.50".into())).unwrap(),
            " 1200.50"
        );
        assert!(cell_text(&Data::Float(f64::NAN)).is_err());
        assert_eq!(serial_date("46082"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(serial_date("61"), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(serial_date("60"), None);
        assert_eq!(serial_date("46082.5"), None);
        assert_eq!(serial_date("2026-03-01"), None);
    }

    proptest! {
        /// Whatever a cell holds, reading it gives text or a reason, never a panic.
        #[test]
        fn any_cell_reads_without_panic(f in any::<f64>(), n in any::<i64>(), s in ".{0,12}") {
            for cell in [Data::Float(f), Data::Int(n), Data::String(s.clone()), Data::Bool(n % 2 == 0)] {
                let _ = cell_text(&cell);
            }
            let _ = serial_date(&s);
            let _ = serial_date(&n.to_string());
        }
    }
}
