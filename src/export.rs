//! Writing tables out: a `tabular::Sheet` (a report's part, or any list) as text for
//! people, CSV or an xlsx workbook. Shared by the command line and the screens' export key.
//! Knows nothing of what a sheet means; must not touch the store.
//!
//! xlsx: one worksheet per sheet, the header row bold and frozen, money as numbers in a ¥
//! format, dates as dates, shares as percentages, columns as wide as their widest text in
//! display cells (CJK counts two). Rows are streamed to the file (rust_xlsxwriter's constant
//! memory mode), so a 68,000-row list does not sit in memory twice.
//!
//! Money becomes an f64 only as the xlsx cell value, which Excel stores as a double: made
//! from the cents, whose shortest decimal form is the amount itself up to 2^53 cents.

use crate::app::tabular::{Cell, Sheet};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// The forms a table can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Table,
    Json,
    Csv,
    Xlsx,
}

impl Form {
    pub fn parse(text: &str) -> Option<Form> {
        match text {
            "table" => Some(Form::Table),
            "json" => Some(Form::Json),
            "csv" => Some(Form::Csv),
            "xlsx" => Some(Form::Xlsx),
            _ => None,
        }
    }

    /// The form a file's extension asks for (`.csv`, `.xlsx`, `.json`).
    pub fn of_path(path: &Path) -> Option<Form> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Form::parse(&ext).filter(|f| *f != Form::Table)
    }
}

/// Excel's number format for yuan.
pub const MONEY_FORMAT: &str = "[$¥-804]#,##0.00";
pub const DATE_FORMAT: &str = "yyyy-mm-dd";
pub const SHARE_FORMAT: &str = "0.00%";

/// Widest column Excel is asked for, in character widths.
const MAX_COLUMN_WIDTH: usize = 60;

/// Rows of any list (anything serialising to JSON objects) as a sheet. The columns are the
/// keys of the first row; cell types follow the JSON interface: a string of digits with two
/// decimals is money, `YYYY-MM-DD` a date, numbers whole numbers, nested values their JSON.
pub fn sheet_of<T: Serialize>(name: &str, rows: &[T]) -> Result<Sheet, serde_json::Error> {
    let mut sheet = Sheet::new(name, &[]);
    for row in rows {
        // Through the text, to keep the fields in their declared order.
        let Fields(fields) = serde_json::from_str(&serde_json::to_string(row)?)?;
        if sheet.columns.is_empty() {
            sheet.columns = fields.iter().map(|(k, _)| k.clone()).collect();
        }
        let cells = sheet
            .columns
            .iter()
            .map(|c| {
                fields
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or(Cell::Empty, |(_, v)| cell_of_json(v))
            })
            .collect();
        sheet.rows.push(cells);
    }
    Ok(sheet)
}

/// A JSON object's fields in the order they were written.
struct Fields(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a row as a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(Visitor)
    }
}

fn cell_of_json(v: &serde_json::Value) -> Cell {
    use serde_json::Value;
    match v {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::text(b.to_string()),
        Value::Number(n) => n.as_i64().map_or(Cell::text(n.to_string()), Cell::Int),
        Value::String(s) => {
            if looks_like_money(s)
                && let Ok(m) = crate::domain::Money::parse(s)
            {
                return Cell::Money(m);
            }
            if s.len() == 10
                && let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            {
                return Cell::Date(d);
            }
            Cell::text(s.clone())
        }
        other => Cell::text(other.to_string()),
    }
}

/// `1234.50`, `-3.00`: the JSON form of money (two decimals, no grouping).
fn looks_like_money(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    match digits.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && frac.len() == 2
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// A sheet as an aligned text table for people (money `¥1,234.50`).
pub fn table(sheet: &Sheet) -> String {
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::display).collect())
        .collect();
    let right: Vec<bool> = (0..sheet.columns.len())
        .map(|i| sheet.rows.first().is_some_and(|r| r[i].is_number()))
        .collect();
    align(&sheet.columns, &right, &rows)
}

/// Columns aligned by display cells (CJK is two), two spaces apart, `right` ones
/// right-aligned; each line ends in a newline, without trailing spaces.
pub fn align(headers: &[String], right: &[bool], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|c| c.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(headers).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
            if i > 0 {
                line.push_str("  ");
            }
            if right[i] {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A sheet as CSV: the header row, then each row with plain values (money `1234.50`, dates
/// ISO), which the imports read back.
pub fn write_csv<W: Write>(sheet: &Sheet, out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&sheet.columns)?;
    for row in &sheet.rows {
        w.write_record(row.iter().map(Cell::plain))?;
    }
    w.flush()?;
    Ok(())
}

/// Writes a CSV file for Excel: UTF-8 with a byte-order mark (Excel in China reads a file
/// without one as GB18030), which the imports accept.
pub fn save_csv(sheet: &Sheet, path: &Path) -> Result<(), String> {
    let file = std::fs::File::create(path)
        .map_err(|e| format!("{}: cannot be written: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(b"\xEF\xBB\xBF")
        .map_err(|e| format!("{}: cannot be written: {e}", path.display()))?;
    write_csv(sheet, &mut out)
        .map_err(|e| format!("{}: cannot be written: {e}", path.display()))?;
    out.flush()
        .map_err(|e| format!("{}: cannot be written: {e}", path.display()))
}

/// Writes the sheets as one xlsx workbook, a worksheet each, columns fitted to their text.
pub fn save_xlsx(sheets: &[Sheet], path: &Path) -> Result<(), String> {
    let mut book = XlsxBook::new(path);
    for sheet in sheets {
        let columns: Vec<&str> = sheet.columns.iter().map(String::as_str).collect();
        book.sheet(&sheet.name, &columns, &column_widths(sheet))?;
        for row in &sheet.rows {
            book.row(row)?;
        }
    }
    book.save()
}

/// Widths for a sheet streamed before its rows are known: the header's, or what a column
/// of money or dates takes, whichever is wider.
pub fn streamed_widths(columns: &[&str], sample: &[Cell]) -> Vec<usize> {
    columns
        .iter()
        .zip(sample)
        .map(|(c, cell)| {
            let typical = match cell {
                Cell::Money(_) => 16,
                Cell::Date(_) => 10,
                Cell::Int(_) | Cell::Share(_) | Cell::Decimal(_) => 8,
                Cell::Text(_) | Cell::Empty => 14,
            };
            c.width().max(typical) + 2
        })
        .collect()
}

/// Rows most Excel versions take on one worksheet, the header included.
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// An xlsx workbook written a row at a time (constant memory: each worksheet streams to a
/// temporary file until `save`).
pub struct XlsxBook {
    path: std::path::PathBuf,
    book: Workbook,
    sheets: usize,
    next_row: u32,
    money: Format,
    date: Format,
    share: Format,
}

impl XlsxBook {
    pub fn new(path: &Path) -> XlsxBook {
        XlsxBook {
            path: path.to_path_buf(),
            book: Workbook::new(),
            sheets: 0,
            next_row: 0,
            money: Format::new().set_num_format(MONEY_FORMAT),
            date: Format::new().set_num_format(DATE_FORMAT),
            share: Format::new().set_num_format(SHARE_FORMAT),
        }
    }

    fn place(&self, e: XlsxError) -> String {
        format!("{}: cannot be written: {e}", self.path.display())
    }

    /// Starts a worksheet: its name, bold frozen header and column widths.
    pub fn sheet(&mut self, name: &str, columns: &[&str], widths: &[usize]) -> Result<(), String> {
        let header = Format::new().set_bold();
        let result = (|| -> Result<(), XlsxError> {
            let ws = self.book.add_worksheet_with_constant_memory()?;
            ws.set_name(sheet_name(name))?;
            // Widths go before the rows: a streamed sheet writes its columns first.
            for (col, width) in widths.iter().enumerate() {
                ws.set_column_width(col as u16, *width as f64)?;
            }
            for (col, name) in columns.iter().enumerate() {
                ws.write_string_with_format(0, col as u16, *name, &header)?;
            }
            ws.set_freeze_panes(1, 0)?;
            Ok(())
        })();
        result.map_err(|e| self.place(e))?;
        self.sheets += 1;
        self.next_row = 1;
        Ok(())
    }

    /// Writes the next row of the current worksheet.
    pub fn row(&mut self, row: &[Cell]) -> Result<(), String> {
        if self.next_row >= XLSX_MAX_ROWS {
            return Err(format!(
                "{}: more rows than an Excel sheet holds ({XLSX_MAX_ROWS}); export as CSV",
                self.path.display()
            ));
        }
        let r = self.next_row;
        let (money, date, share) = (&self.money, &self.date, &self.share);
        let result = (|| -> Result<(), XlsxError> {
            let ws = self.book.worksheet_from_index(self.sheets - 1)?;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(r, c, s)?,
                    Cell::Int(n) => ws.write_number(r, c, *n as f64)?,
                    Cell::Money(m) => {
                        ws.write_number_with_format(r, c, m.cents() as f64 / 100.0, money)?
                    }
                    Cell::Date(d) => ws.write_datetime_with_format(r, c, d, date)?,
                    Cell::Share(_) => {
                        let value: f64 = cell.plain().parse().unwrap_or(0.0);
                        ws.write_number_with_format(r, c, value, share)?
                    }
                    Cell::Decimal(_) => {
                        let value: f64 = cell.plain().parse().unwrap_or(0.0);
                        ws.write_number(r, c, value)?
                    }
                    Cell::Empty => continue,
                };
            }
            Ok(())
        })();
        result.map_err(|e| self.place(e))?;
        self.next_row += 1;
        Ok(())
    }

    pub fn save(mut self) -> Result<(), String> {
        if self.sheets == 0 {
            self.sheet("Sheet1", &[], &[])?;
        }
        let path = self.path.clone();
        self.book.save(&path).map_err(|e| self.place(e))
    }
}

/// Excel's rules for a worksheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if clean.is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

/// Each column's width in Excel's character widths: its widest text in display cells (a
/// Chinese character is two), money as people see it, plus a little room.
fn column_widths(sheet: &Sheet) -> Vec<usize> {
    let mut widths: Vec<usize> = sheet.columns.iter().map(|c| c.width()).collect();
    for row in &sheet.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            let width = match cell {
                Cell::Date(_) => 10,
                other => other.display().width(),
            };
            *w = (*w).max(width);
        }
    }
    widths
        .into_iter()
        .map(|w| (w + 2).min(MAX_COLUMN_WIDTH))
        .collect()
}

/// A file name for a sheet beside `path` when a report of many sheets goes to CSV:
/// `aging.csv` → `aging-trend.csv`.
pub fn csv_path_for(path: &Path, sheet: &str) -> std::path::PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("report");
    path.with_file_name(format!("{stem}-{sheet}.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;

    #[derive(Serialize)]
    struct Line {
        no: &'static str,
        name: &'static str,
        amount: Money,
        on: chrono::NaiveDate,
        days: i64,
        phone: &'static str,
        note: Option<String>,
    }

    #[test]
    fn a_list_becomes_typed_cells_by_its_json_interface() {
        let rows = [Line {
            no: "H1",
            name: "张伟",
            amount: Money::parse("1234.5").unwrap(),
            on: "2026-03-01".parse().unwrap(),
            days: 45,
            phone: "13800000000",
            note: None,
        }];
        let sheet = sheet_of("overdue", &rows).unwrap();
        assert_eq!(
            sheet.columns,
            ["no", "name", "amount", "on", "days", "phone", "note"]
        );
        assert_eq!(
            sheet.rows[0],
            vec![
                Cell::text("H1"),
                Cell::text("张伟"),
                Cell::Money(Money::parse("1234.50").unwrap()),
                Cell::Date("2026-03-01".parse().unwrap()),
                Cell::Int(45),
                Cell::text("13800000000"),
                Cell::Empty,
            ]
        );
        assert_eq!(column_widths(&sheet), [4, 6, 11, 12, 6, 13, 6]);
        let table = table(&sheet);
        assert!(table.contains("张伟  ¥1,234.50"), "{table}");
    }

    #[test]
    fn csv_writes_plain_values() {
        let mut sheet = Sheet::new("s", &["name", "amount"]);
        sheet.push(vec![
            Cell::text("王, 五"),
            Cell::Money(Money::parse("5").unwrap()),
        ]);
        let mut out = Vec::new();
        write_csv(&sheet, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,amount\n\"王, 五\",5.00\n"
        );
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(
            csv_path_for(Path::new("/tmp/aging.csv"), "trend"),
            Path::new("/tmp/aging-trend.csv")
        );
    }
}
