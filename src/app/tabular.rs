//! Reports and lists as typed tables: a `Report` is named sheets of columns and rows of
//! typed cells (text, whole numbers, money, dates, shares). The edges write them as a table
//! for people, JSON, CSV or xlsx (`crate::export`) without knowing what a report means;
//! JSON and the xlsx file come from the same cells, so they agree cell by cell.
//!
//! JSON of a report: `{"report": NAME, "from": DATE, "to": DATE, "sheets": {SHEET: [{COLUMN:
//! VALUE, …}, …]}}` with money a string of two decimals, dates ISO, shares a string of four
//! decimals, other decimals (average days) strings, whole numbers numbers, empty cells null.

use crate::domain::Money;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};

/// One cell of a sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Money(Money),
    Date(NaiveDate),
    /// A share or weight: 0.3750 is 37.50 %.
    Share(Decimal),
    /// A figure that is not money, as exact as it was computed (average days: `3.5`).
    Decimal(Decimal),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    /// The cell as plain text, as CSV and the import columns read it: money `1234.50`,
    /// dates `2026-03-01`, shares `0.3750`.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(m) => m.plain(),
            Cell::Date(d) => d.to_string(),
            Cell::Share(r) => format!("{:.4}", r),
            Cell::Decimal(x) => x.to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// The cell for people: money `¥1,234.50`, shares `37.5%`.
    pub fn display(&self) -> String {
        match self {
            Cell::Money(m) => m.display(),
            Cell::Share(r) => {
                let pct = (*r * Decimal::ONE_HUNDRED).round_dp(1);
                format!("{pct:.1}%")
            }
            other => other.plain(),
        }
    }

    /// Right-aligned in a table for people (numbers, money, shares).
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Money(_) | Cell::Share(_) | Cell::Decimal(_)
        )
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => s.serialize_str(t),
            Cell::Int(n) => s.serialize_i64(*n),
            Cell::Money(m) => m.serialize(s),
            Cell::Date(d) => d.serialize(s),
            Cell::Share(_) | Cell::Decimal(_) => s.serialize_str(&self.plain()),
            Cell::Empty => s.serialize_none(),
        }
    }
}

/// A table: a name (a sheet of the xlsx file), column names and rows of as many cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, columns: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "sheet {}", self.name);
        self.rows.push(row);
    }
}

/// Rows as JSON objects keyed by column.
impl Serialize for Sheet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Row<'a>(&'a [String], &'a [Cell]);
        impl Serialize for Row<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (column, cell) in self.0.iter().zip(self.1) {
                    map.serialize_entry(column, cell)?;
                }
                map.end()
            }
        }
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for row in &self.rows {
            seq.serialize_element(&Row(&self.columns, row))?;
        }
        seq.end()
    }
}

/// A report: its name, period and sheets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub name: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sheets: Vec<Sheet>,
}

impl Report {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Sheets<'a>(&'a [Sheet]);
        impl Serialize for Sheets<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for sheet in self.0 {
                    map.serialize_entry(&sheet.name, sheet)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("report", self.name)?;
        map.serialize_entry("from", &self.from)?;
        map.serialize_entry("to", &self.to)?;
        map.serialize_entry("sheets", &Sheets(&self.sheets))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_rows_by_column_with_money_and_shares_as_strings() {
        let mut sheet = Sheet::new("by_month", &["month", "amount", "share", "n", "on"]);
        sheet.push(vec![
            Cell::text("2026-03"),
            Cell::Money(Money::parse("1234.5").unwrap()),
            Cell::Share(Decimal::new(375, 3)),
            Cell::Int(3),
            Cell::Empty,
        ]);
        let report = Report {
            name: "x",
            from: "2026-01-01".parse().unwrap(),
            to: "2026-03-31".parse().unwrap(),
            sheets: vec![sheet],
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"report": "x", "from": "2026-01-01", "to": "2026-03-31",
                "sheets": {"by_month": [{"month": "2026-03", "amount": "1234.50",
                "share": "0.3750", "n": 3, "on": null}]}})
        );
        assert_eq!(report.sheets[0].rows[0][2].display(), "37.5%");
        assert_eq!(report.sheets[0].rows[0][1].display(), "¥1,234.50");
    }
}
