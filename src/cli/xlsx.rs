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

/// An opened workbook.
pub type Book = Xlsx<std::io::BufReader<std::fs::File>>;

/// Opens the workbook at `path` and names the worksheet `sheet` (default: the first).
pub fn open(path: &Path, sheet: Option<&str>) -> Result<(Book, String), String> {
    let book: Book =
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
    Ok((book, name))
}

/// Streams the worksheet `name`: `each` hears every row that holds a cell, in order, with its
/// number as Excel shows it (the first row is 1) and its cells from column A. The sheet's XML
/// is read as it is unzipped, one row in memory at a time; calamine keeps the workbook's
/// shared strings (each distinct text once) and styles in memory for the whole read.
pub fn each_row(
    book: &mut Book,
    name: &str,
    each: &mut dyn FnMut(u64, Vec<CellText>),
) -> Result<(), String> {
    let cannot = |e: calamine::XlsxError| format!("sheet '{name}' cannot be read: {e}");
    let mut cells = book.worksheet_cells_reader(name).map_err(cannot)?;
    let mut row: Option<(u32, Vec<CellText>)> = None;
    while let Some(cell) = cells.next_cell().map_err(cannot)? {
        let (r, c) = cell.get_position();
        if row.as_ref().is_some_and(|(at, _)| *at != r)
            && let Some((at, texts)) = row.take()
        {
            each(u64::from(at) + 1, texts);
        }
        let texts = &mut row.get_or_insert_with(|| (r, Vec::new())).1;
        let c = c as usize;
        if texts.len() <= c {
            texts.resize(c + 1, Ok(String::new()));
        }
        texts[c] = cell_text(&Data::from(cell.get_value().clone()));
    }
    if let Some((at, texts)) = row {
        each(u64::from(at) + 1, texts);
    }
    Ok(())
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
