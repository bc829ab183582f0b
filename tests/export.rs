//! Data out and back in through the built binary: reports as xlsx against their JSON cell by
//! cell, the book exported as CSV (and xlsx) and imported into an empty book, xlsx imports as
//! Excel writes them, and the list commands' `--format csv|xlsx --out FILE`.

use calamine::{Data, Reader, Xlsx, open_workbook};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

const TODAY: &str = "2026-06-30";

struct Book {
    dir: tempfile::TempDir,
    name: &'static str,
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Book {
    fn new(name: &'static str) -> Book {
        Book {
            dir: tempfile::tempdir().unwrap(),
            name,
        }
    }

    fn demo() -> Book {
        let b = Book::new("db");
        b.ok(&["demo", "--contracts", "60", "--no-tui"]);
        b.ok(&["accrue"]);
        b
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
            .args(args)
            .env("DUEDESK_DB", self.path(self.name))
            .env("DUEDESK_TODAY", TODAY)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&output.stdout).into_owned(),
            err: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "duedesk {args:?} failed: {}{}", r.out, r.err);
        r.out
    }

    fn refused(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 1, "duedesk {args:?}: {}{}", r.out, r.err);
        assert!(!r.err.contains("panicked"), "{}", r.err);
        r.err
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// An xlsx cell against the JSON value of the same cell: money and shares (strings) as
/// numbers of the same value, dates as dates, whole numbers as numbers, null as empty.
fn same_cell(xlsx: &Data, json: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (xlsx, json) {
        (Data::Empty, Value::Null) => true,
        (Data::String(s), Value::String(j)) => s == j,
        (Data::Float(f), Value::Number(n)) => n.as_i64() == Some(*f as i64),
        (Data::Float(f), Value::String(j)) => {
            Decimal::from_str(&format!("{f}")).ok()
                == Decimal::from_str(j).ok().map(|d| d.normalize())
                || Decimal::from_str(&format!("{f}"))
                    .ok()
                    .map(|d| d.normalize())
                    == Decimal::from_str(j).ok().map(|d| d.normalize())
        }
        (Data::DateTime(d), Value::String(j)) => {
            d.as_datetime().map(|t| t.date().to_string()).as_deref() == Some(j.as_str())
        }
        _ => false,
    }
}

#[test]
fn each_report_as_xlsx_matches_its_json_cell_by_cell() {
    let b = Book::demo();
    let from = ["--from", "2026-01-01", "--to", TODAY];
    for name in [
        "aging",
        "roll-rates",
        "collection",
        "forecast",
        "penalty",
        "tows",
        "stock",
    ] {
        let json = b.json(&[&["report", name, "--format", "json"][..], &from].concat());
        let file = b.path(&format!("{name}.xlsx"));
        let out = file.to_str().unwrap();
        b.ok(&[
            &["report", name, "--format", "xlsx", "--out", out][..],
            &from,
        ]
        .concat());
        let mut book: Xlsx<_> = open_workbook(&file).unwrap();
        let sheets = json["sheets"].as_object().unwrap();
        assert_eq!(
            book.sheet_names().len(),
            sheets.len(),
            "{name}: a sheet per part"
        );
        for (sheet, rows) in sheets {
            let range = book.worksheet_range(sheet).unwrap();
            let grid: Vec<&[Data]> = range.rows().collect();
            let rows = rows.as_array().unwrap();
            assert_eq!(
                grid.len(),
                rows.len() + 1,
                "{name}/{sheet}: header and rows"
            );
            let header: Vec<String> = grid[0].iter().map(|c| c.to_string()).collect();
            for (r, row) in rows.iter().enumerate() {
                let row = row.as_object().unwrap();
                assert_eq!(row.len(), header.len(), "{name}/{sheet}");
                for (c, column) in header.iter().enumerate() {
                    let cell = grid[r + 1].get(c).unwrap_or(&Data::Empty);
                    assert!(
                        same_cell(cell, &row[column]),
                        "{name}/{sheet} row {} column {column}: xlsx {cell:?}, json {}",
                        r + 2,
                        row[column]
                    );
                }
            }
        }
    }
}

#[test]
fn the_book_exported_as_csv_imports_into_an_empty_book_unchanged() {
    let source = Book::demo();
    let copy = Book::new("copy");
    let parts = ["customers", "contracts", "installments", "payments"];
    for part in parts {
        let file = source.path(&format!("{part}.csv"));
        let out = source.ok(&["export", part, "--out", file.to_str().unwrap()]);
        assert!(out.contains(&format!(" {part} written to ")), "{out}");
        let mut args = vec!["import", part, file.to_str().unwrap()];
        if part == "payments" {
            args.push("--confirm");
        }
        copy.ok(&args);
    }
    for part in parts {
        let again = copy.path(&format!("{part}.csv"));
        copy.ok(&[
            "export",
            part,
            "--format",
            "csv",
            "--out",
            again.to_str().unwrap(),
        ]);
        let first = std::fs::read_to_string(source.path(&format!("{part}.csv"))).unwrap();
        let second = std::fs::read_to_string(&again).unwrap();
        assert!(first.lines().count() > 10, "{part}: a real book");
        assert_eq!(first, second, "{part} after the round trip");
    }
    // The same schedules and payments give the same overdue figures (penalty rates, contacts
    // and users are not among the four files).
    let overdue = |b: &Book| {
        let rows = b.json(&["overdue", "--as-of", "2026-05-31", "--json"]);
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["contract_no"].clone(),
                    r["days_overdue"].clone(),
                    r["overdue_amount"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(overdue(&source), overdue(&copy));
    assert!(!overdue(&source).is_empty());
}

#[test]
fn installments_exported_as_xlsx_import_back() {
    let source = Book::demo();
    let copy = Book::new("copy");
    for part in ["customers", "contracts", "installments"] {
        let file = source.path(&format!("{part}.xlsx"));
        source.ok(&["export", part, "--out", file.to_str().unwrap()]);
        copy.ok(&["import", part, file.to_str().unwrap()]);
    }
    let csv = |b: &Book, name: &str| {
        let file = b.path(name);
        b.ok(&["export", "installments", "--out", file.to_str().unwrap()]);
        std::fs::read_to_string(file).unwrap()
    };
    assert_eq!(csv(&source, "a.csv"), csv(&copy, "b.csv"));
}

/// A workbook as Excel saves one: shared strings, dates as serial numbers with a date
/// format (and one bare serial), a number typed as text, a formatted blank row at the end.
fn excel_workbook(path: &Path, bad_principal: Option<f64>) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    let fill = Format::new().set_background_color(0xFFFF00);
    let ws = book.add_worksheet();
    ws.set_name("客户").unwrap();
    for (c, h) in [
        "customer_id",
        "name",
        "phone",
        "id_number",
        "address",
        "branch",
        "collector",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "C1").unwrap();
    ws.write_string(1, 1, "张伟").unwrap();
    ws.write_number(1, 2, 13800000001.0).unwrap();
    ws.write_string(1, 5, "合肥").unwrap();
    ws.write_string(1, 6, "wangjun").unwrap();
    let ws = book.add_worksheet();
    ws.set_name("合同").unwrap();
    let header = [
        "contract_no",
        "customer_id",
        "signed_on",
        "model",
        "serial",
        "financed_amount",
        "penalty_rate",
        "grace_days",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "HT1").unwrap();
    ws.write_string(1, 1, "C1").unwrap();
    ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2026, 1, 1).unwrap(), &date)
        .unwrap();
    ws.write_string(1, 3, "SY75C").unwrap();
    ws.write_number(1, 5, 2400.0).unwrap();
    let ws = book.add_worksheet();
    ws.set_name("还款计划").unwrap();
    for (c, h) in ["contract_no", "seq", "due_date", "principal", "interest"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "HT1").unwrap();
    ws.write_number(1, 1, 1.0).unwrap();
    ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2026, 2, 15).unwrap(), &date)
        .unwrap();
    ws.write_string(1, 3, "1200.50").unwrap(); // a number typed as text
    ws.write_number(1, 4, 0.0).unwrap();
    ws.write_string(2, 0, "HT1").unwrap();
    ws.write_number(2, 1, 2.0).unwrap();
    ws.write_number(2, 2, 46096.0).unwrap(); // 2026-03-15 as a bare serial
    ws.write_number(2, 3, bad_principal.unwrap_or(1199.5))
        .unwrap();
    ws.write_number(2, 4, 0.0).unwrap();
    for c in 0..5 {
        ws.write_blank(3, c, &fill).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn xlsx_as_excel_writes_it_imports_every_sheet_by_name() {
    let b = Book::new("db");
    let file = b.path("book.xlsx");
    excel_workbook(&file, None);
    let f = file.to_str().unwrap();
    assert!(
        b.ok(&["import", "customers", f])
            .starts_with("1 rows imported")
    );
    b.ok(&["import", "contracts", f, "--sheet", "合同"]);
    assert!(
        b.ok(&["import", "installments", f, "--sheet", "还款计划"])
            .starts_with("2 rows")
    );
    let ticket = b.json(&["ticket", "show", "HT1", "--json"]);
    assert_eq!(ticket["customer"]["phone"], "13800000001");
    assert_eq!(ticket["financed_amount"], "2400.00");
    let inst = &ticket["installments"];
    assert_eq!(
        (
            inst[0]["due_date"].as_str(),
            inst[0]["principal_due"].as_str()
        ),
        (Some("2026-02-15"), Some("1200.50"))
    );
    assert_eq!(
        (
            inst[1]["due_date"].as_str(),
            inst[1]["principal_due"].as_str()
        ),
        (Some("2026-03-15"), Some("1199.50"))
    );
    let err = b.refused(&["import", "installments", f, "--sheet", "付款"]);
    assert!(
        err.contains("no sheet named '付款'; its sheets are: 客户, 合同, 还款计划"),
        "{err}"
    );
}

#[test]
fn a_bad_xlsx_row_is_named_by_sheet_and_row_and_nothing_is_imported() {
    let b = Book::new("db");
    let file = b.path("book.xlsx");
    excel_workbook(&file, Some(1199.555));
    let f = file.to_str().unwrap();
    b.ok(&["import", "customers", f]);
    b.ok(&["import", "contracts", f, "--sheet", "合同"]);
    let err = b.refused(&["import", "installments", f, "--sheet", "还款计划"]);
    assert!(
        err.contains(&format!("{f}:还款计划:3: principal: ")) && err.contains("1199.555"),
        "{err}"
    );
    let ticket = b.json(&["ticket", "show", "HT1", "--json"]);
    assert_eq!(
        ticket["installments"].as_array().unwrap().len(),
        0,
        "nothing half imported"
    );
}

#[test]
fn list_commands_write_csv_and_xlsx() {
    let b = Book::demo();
    let rows = b.json(&["overdue", "--json"]);
    let n = rows.as_array().unwrap().len();
    assert!(n > 3);
    let csv = b.ok(&["overdue", "--format", "csv"]);
    assert_eq!(csv.lines().count(), n + 1, "header and a line per row");
    assert!(
        csv.starts_with("contract_no,customer_id,customer,"),
        "{csv}"
    );
    let file = b.path("overdue.xlsx");
    b.ok(&["overdue", "--out", file.to_str().unwrap()]);
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let range = book.worksheet_range("overdue").unwrap();
    assert_eq!(range.rows().count(), n + 1);
    let first = &rows[0];
    let row: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
    assert_eq!(
        row[0],
        &Data::String(first["contract_no"].as_str().unwrap().into())
    );
    for (args, file) in [
        (vec!["payment", "list"], "payments.csv"),
        (vec!["approval", "list"], "approvals.xlsx"),
        (vec!["tow", "board"], "tows.xlsx"),
        (vec!["stock"], "stock.csv"),
    ] {
        let path = b.path(file);
        b.ok(&[&args[..], &["--out", path.to_str().unwrap()]].concat());
        assert!(path.exists(), "{file}");
    }
    // A usage mistake the argument parser cannot see still exits 2, naming what to add.
    let r = b.run(&["overdue", "--format", "xlsx"]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err.contains("--format xlsx needs --out FILE"),
        "{}",
        r.err
    );
}

#[test]
fn stock_imports_read_xlsx_too() {
    let b = Book::new("db");
    let file = b.path("stock.xlsx");
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = book.add_worksheet();
    ws.set_name("整机").unwrap();
    for (c, h) in ["serial", "model", "type", "yard", "arrived_on"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "SY75C-1").unwrap();
    ws.write_string(1, 1, "SY75C").unwrap();
    ws.write_string(1, 2, "excavator").unwrap();
    ws.write_string(1, 3, "合肥一号场").unwrap();
    ws.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2026, 3, 2).unwrap(), &date)
        .unwrap();
    let ws = book.add_worksheet();
    ws.set_name("附件").unwrap();
    for (c, h) in ["code", "name", "unit", "quantity"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "BKT").unwrap();
    ws.write_string(1, 1, "挖斗").unwrap();
    ws.write_string(1, 2, "个").unwrap();
    ws.write_number(1, 3, 4.0).unwrap();
    book.save(&file).unwrap();
    let f = file.to_str().unwrap();
    b.ok(&["import", "machines", f]);
    b.ok(&["import", "accessories", f, "--sheet", "附件"]);
    let stock = b.json(&["stock", "--json"]);
    assert_eq!(stock[0]["serial"], "SY75C-1");
    assert_eq!(stock[0]["arrived_on"], "2026-03-02");
    assert_eq!(stock[0]["yard"], "合肥一号场");
}
