//! CSV and xlsx import: decode (UTF-8 with or without BOM, or GB18030) or read the first (or
//! named) worksheet, check every row, and import all rows as one atomic change — or
//! nothing, with every bad row reported as `FILE:LINE: column: reason` (`FILE:SHEET:ROW:
//! column: reason` for a worksheet).

use super::args::{Encoding, ImportKind};
use super::xlsx;
use crate::app::{App, AppError, Ctx, Mutation, NewContract};
use crate::domain::{Customer, Installment, Money, Rate};
use crate::store::Reader;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A failed import: every problem, one line each.
#[derive(Debug)]
pub struct ImportError {
    pub lines: Vec<String>,
}

/// Turns the file's bytes into text, detecting the encoding unless one is forced.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
    let utf8 = |b: &[u8]| {
        let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
        std::str::from_utf8(b).map(str::to_owned)
    };
    let gb = |b: &[u8]| {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(b)
            .map(|text| text.into_owned())
    };
    match encoding {
        Encoding::Utf8 => utf8(bytes).map_err(|e| {
            format!(
                "not valid UTF-8 at byte {}; if it came from Excel in China try --encoding gb18030",
                e.valid_up_to()
            )
        }),
        Encoding::Gb18030 => {
            gb(bytes).ok_or_else(|| "not valid GB18030 text; try --encoding utf-8".to_string())
        }
        Encoding::Auto => utf8(bytes).ok().or_else(|| gb(bytes)).ok_or_else(|| {
            "neither UTF-8 nor GB18030 text; save it as CSV UTF-8 and try again".to_string()
        }),
    }
}

pub use crate::app::book_export::{
    CONTRACT_COLUMNS, CUSTOMER_COLUMNS, INSTALLMENT_COLUMNS, PAYMENT_COLUMNS,
};
pub const MACHINE_COLUMNS: &[&str] = &["serial", "model", "type", "yard", "arrived_on"];
pub const ACCESSORY_COLUMNS: &[&str] = &["code", "name", "unit", "quantity"];

/// One data row: its line in the file and its fields by column name.
struct Row {
    line: u64,
    fields: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.fields.get(column).map(|s| s.trim()).unwrap_or("")
    }
}

/// Collects problems as `FILE:LINE: column: reason` (`file` is `FILE:SHEET` for a sheet).
struct Problems<'a> {
    file: &'a str,
    lines: Vec<String>,
    /// A worksheet: a whole number in a date column is an Excel serial date.
    serial_dates: bool,
}

impl Problems<'_> {
    fn add(&mut self, line: u64, column: &str, reason: impl std::fmt::Display) {
        self.lines
            .push(format!("{}:{line}: {column}: {reason}", self.file));
    }

    fn required<'r>(&mut self, row: &'r Row, column: &str) -> Option<&'r str> {
        let value = row.get(column);
        if value.is_empty() {
            self.add(row.line, column, "is empty; it is required");
            None
        } else {
            Some(value)
        }
    }

    fn date(&mut self, row: &Row, column: &str) -> Option<NaiveDate> {
        let value = self.required(row, column)?;
        let serial = self
            .serial_dates
            .then(|| xlsx::serial_date(value))
            .flatten();
        match serial.map_or_else(|| parse_date(value), Ok) {
            Ok(day) => Some(day),
            Err(e) => {
                self.add(row.line, column, e);
                None
            }
        }
    }

    fn money(&mut self, row: &Row, column: &str) -> Option<Money> {
        let value = self.required(row, column)?;
        match Money::parse(value) {
            Ok(amount) => Some(amount),
            Err(e) => {
                self.add(row.line, column, e);
                None
            }
        }
    }
}

/// Parses an ISO date (`2026-03-01`); also accepts `2026/3/1` as Excel writes it. Dates
/// outside `domain::limits`' range are refused.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    crate::domain::limits::parse_date(text)
}

/// What an import reads: CSV text, or a worksheet's rows as text (with their row numbers).
enum Input {
    Csv(String),
    Sheet(xlsx::SheetRows),
}

fn read_rows(input: &Input, expected: &[&str], problems: &mut Problems<'_>) -> Vec<Row> {
    match input {
        Input::Csv(text) => read_csv_rows(text, expected, problems),
        Input::Sheet(rows) => read_sheet_rows(rows, expected, problems),
    }
}

/// The header's names, lowercased; a problem (and None) when it lacks an expected column.
fn check_header(
    headers: Vec<String>,
    line: u64,
    expected: &[&str],
    problems: &mut Problems<'_>,
) -> Option<Vec<String>> {
    let headers: Vec<String> = headers
        .iter()
        .map(|s| s.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if missing.is_empty() {
        return Some(headers);
    }
    problems.add(
        line,
        "header",
        format!(
            "missing column(s) {}; the header row must name: {}",
            missing.join(", "),
            expected.join(",")
        ),
    );
    None
}

/// A worksheet's rows: the first non-empty row is the header; blank rows are skipped.
fn read_sheet_rows(
    rows: &[(u64, Vec<xlsx::CellText>)],
    expected: &[&str],
    problems: &mut Problems<'_>,
) -> Vec<Row> {
    let blank = |cells: &[xlsx::CellText]| {
        cells
            .iter()
            .all(|c| c.as_ref().is_ok_and(|t| t.trim().is_empty()))
    };
    let mut rows = rows.iter().filter(|(_, cells)| !blank(cells));
    let Some((line, header)) = rows.next() else {
        problems.add(
            1,
            "header",
            "the sheet is empty; the first row must name the columns",
        );
        return Vec::new();
    };
    let header = header
        .iter()
        .map(|c| c.clone().unwrap_or_default())
        .collect();
    let Some(headers) = check_header(header, *line, expected, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (line, cells) in rows {
        let mut fields = HashMap::new();
        for (header, cell) in headers.iter().zip(cells) {
            match cell {
                Ok(text) => {
                    fields.insert(header.clone(), text.clone());
                }
                Err(reason) => problems.add(*line, header, reason),
            }
        }
        out.push(Row {
            line: *line,
            fields,
        });
    }
    out
}

fn read_csv_rows(text: &str, expected: &[&str], problems: &mut Problems<'_>) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            problems.add(1, "header", format!("cannot be read: {e}"));
            return Vec::new();
        }
    };
    let Some(headers) = check_header(headers, 1, expected, problems) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let fields: HashMap<String, String> = headers
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_owned))
                    .collect();
                let mut clean = true;
                for column in &headers {
                    if let Some(why) = crate::domain::text::problem(&fields[column], false) {
                        problems.add(line, column, why);
                        clean = false;
                    }
                }
                if clean {
                    rows.push(Row { line, fields });
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.add(line, "row", format!("cannot be read: {}", csv_reason(&e)));
            }
        }
    }
    rows
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields, the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

/// The file an import reads: CSV in an encoding, or an .xlsx workbook's sheet.
pub struct Source<'a> {
    pub path: &'a Path,
    pub encoding: Encoding,
    /// The worksheet of an .xlsx file (default: the first).
    pub sheet: Option<&'a str>,
}

impl Source<'_> {
    fn is_xlsx(&self) -> bool {
        self.path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    }
}

/// Imports one file. On success returns how many rows were imported.
pub fn import(
    app: &App,
    ctx: &Ctx,
    kind: ImportKind,
    source: &Source,
    confirm: bool,
) -> Result<usize, ImportError> {
    let path = source.path;
    let mut file = path.display().to_string();
    let one = |msg: String| ImportError { lines: vec![msg] };
    app.require(ctx, &representative(kind, confirm))
        .map_err(|e| one(e.to_string()))?;
    let text = if source.is_xlsx() {
        let (sheet, rows) =
            xlsx::read(path, source.sheet).map_err(|e| one(format!("{file}: {e}")))?;
        file = format!("{file}:{sheet}");
        Input::Sheet(rows)
    } else {
        if source.sheet.is_some() {
            return Err(one(format!(
                "{file}: --sheet is for .xlsx files; this one is read as CSV"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| one(format!("{file}: cannot be read: {e}")))?;
        Input::Csv(decode(&bytes, source.encoding).map_err(|e| one(format!("{file}: {e}")))?)
    };
    let mut problems = Problems {
        file: &file,
        lines: Vec::new(),
        serial_dates: matches!(text, Input::Sheet(_)),
    };
    let store = app.store();
    let (mutations, lines): (Vec<Mutation>, Vec<u64>) = match kind {
        ImportKind::Customers => customers(&text, &mut problems),
        ImportKind::Contracts => contracts(&text, store, &mut problems),
        ImportKind::Installments => installments(&text, store, &mut problems),
        ImportKind::Payments => payments(&text, store, ctx.today, confirm, &mut problems),
        ImportKind::Machines => machines(&text, store, &mut problems),
        ImportKind::Accessories => accessories(&text, &mut problems),
    }
    .map_err(|e| one(format!("{file}: {e}")))?
    .into_iter()
    .unzip();
    if !problems.lines.is_empty() {
        return Err(ImportError {
            lines: problems.lines,
        });
    }
    if mutations.is_empty() {
        return Err(one(format!("{file}: has no data rows; nothing imported")));
    }
    let count = mutations
        .iter()
        .map(|m| match m {
            Mutation::AddInstallments { installments, .. } => installments.len(),
            _ => 1,
        })
        .sum();
    app.execute_batch(ctx, &mutations).map_err(|e| match e {
        AppError::InBatch { index, error } => one(format!("{file}:{}: {error}", lines[index])),
        other => one(format!("{file}: {other}")),
    })?;
    Ok(count)
}

type Planned = Result<Vec<(Mutation, u64)>, String>;

/// A mutation of the kind an import makes, for the permission check before reading.
fn representative(kind: ImportKind, confirm: bool) -> Mutation {
    let day = NaiveDate::MIN;
    match kind {
        ImportKind::Customers => Mutation::PutCustomer(Customer {
            id: String::new(),
            name: String::new(),
            phone: String::new(),
            id_number: String::new(),
            address: String::new(),
            branch: String::new(),
            collector: String::new(),
        }),
        ImportKind::Contracts | ImportKind::Installments => Mutation::AddInstallments {
            contract: String::new(),
            installments: Vec::new(),
        },
        ImportKind::Payments => Mutation::RecordPayment {
            id: String::new(),
            contract: String::new(),
            received_on: day,
            amount: Money::ZERO,
            method: String::new(),
            reference: String::new(),
            confirmed: confirm,
        },
        ImportKind::Machines | ImportKind::Accessories => Mutation::PutAccessory {
            code: String::new(),
            name: String::new(),
            unit: String::new(),
            quantity: 0,
        },
    }
}

fn customers(text: &Input, p: &mut Problems<'_>) -> Planned {
    let rows = read_rows(text, CUSTOMER_COLUMNS, p);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in &rows {
        let id = p.required(row, "customer_id");
        let name = p.required(row, "name");
        let branch = p.required(row, "branch");
        let collector = p.required(row, "collector");
        if let Some(id) = id
            && !seen.insert(id.to_string())
        {
            p.add(
                row.line,
                "customer_id",
                format!("{id} appears twice in this file"),
            );
        }
        if let (Some(id), Some(name), Some(branch), Some(collector)) = (id, name, branch, collector)
        {
            let customer = Customer {
                id: id.to_string(),
                name: nfc(name),
                phone: row.get("phone").to_string(),
                id_number: row.get("id_number").to_string(),
                address: nfc(row.get("address")),
                branch: nfc(branch),
                collector: collector.to_string(),
            };
            out.push((Mutation::PutCustomer(customer), row.line));
        }
    }
    Ok(out)
}

fn contracts(text: &Input, store: &crate::store::Store, p: &mut Problems<'_>) -> Planned {
    let rows = read_rows(text, CONTRACT_COLUMNS, p);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in &rows {
        let no = p.required(row, "contract_no");
        if let Some(no) = no {
            if !seen.insert(no.to_string()) {
                p.add(
                    row.line,
                    "contract_no",
                    format!("{no} appears twice in this file"),
                );
            } else if store.contract(no).ok().flatten().is_some() {
                p.add(
                    row.line,
                    "contract_no",
                    format!("{no} already exists in the book"),
                );
            }
        }
        let customer = p.required(row, "customer_id");
        if let Some(id) = customer
            && store.customer(id).ok().flatten().is_none()
        {
            p.add(
                row.line,
                "customer_id",
                format!("{id} is not in the book; import customers first"),
            );
        }
        let signed_on = p.date(row, "signed_on");
        let model = p.required(row, "model");
        let financed = p.money(row, "financed_amount");
        if financed.is_some_and(|f| !f.is_positive()) {
            p.add(row.line, "financed_amount", "must be more than 0");
        }
        let rate = match row.get("penalty_rate") {
            "" => Some(None),
            text => match Rate::parse(text) {
                Ok(r) => Some(Some(r)),
                Err(e) => {
                    p.add(row.line, "penalty_rate", e);
                    None
                }
            },
        };
        let grace = match row.get("grace_days") {
            "" => Some(None),
            text => match text.parse::<u32>() {
                Ok(n) if n <= crate::domain::MAX_GRACE_DAYS => Some(Some(n)),
                _ => {
                    p.add(
                        row.line,
                        "grace_days",
                        format!("'{text}' is not a whole number of days from 0 to 365"),
                    );
                    None
                }
            },
        };
        if let (
            Some(no),
            Some(customer),
            Some(signed_on),
            Some(model),
            Some(financed),
            Some(rate),
            Some(grace),
        ) = (no, customer, signed_on, model, financed, rate, grace)
        {
            out.push((
                Mutation::AddContract(NewContract {
                    no: no.to_string(),
                    customer_id: customer.to_string(),
                    signed_on,
                    model: model.to_string(),
                    serial: row.get("serial").to_string(),
                    financed,
                    penalty_rate: rate,
                    grace_days: grace,
                }),
                row.line,
            ));
        }
    }
    Ok(out)
}

fn installments(text: &Input, store: &crate::store::Store, p: &mut Problems<'_>) -> Planned {
    let rows = read_rows(text, INSTALLMENT_COLUMNS, p);
    let mut seen: HashSet<(String, u32)> = HashSet::new();
    let mut existing: HashMap<String, Option<HashSet<u32>>> = HashMap::new();
    // Consecutive rows of one contract become one mutation, reported at its first line.
    let mut out: Vec<(Mutation, u64)> = Vec::new();
    for row in &rows {
        let no = p.required(row, "contract_no");
        let seq = match p.required(row, "seq") {
            Some(text) => match text.parse::<u32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    p.add(
                        row.line,
                        "seq",
                        format!("'{text}' is not an installment number (1, 2, …)"),
                    );
                    None
                }
            },
            None => None,
        };
        let due = p.date(row, "due_date");
        let principal = p.money(row, "principal");
        let interest = p.money(row, "interest");
        if let Some(no) = no {
            let known = existing.entry(no.to_string()).or_insert_with(|| {
                store
                    .contract(no)
                    .ok()
                    .flatten()
                    .map(|c| c.installments.iter().map(|i| i.seq).collect())
            });
            match (known, seq) {
                (None, _) => p.add(
                    row.line,
                    "contract_no",
                    format!("{no} is not in the book; import contracts first"),
                ),
                (Some(seqs), Some(seq)) if seqs.contains(&seq) => p.add(
                    row.line,
                    "seq",
                    format!("installment {seq} of {no} already exists in the book"),
                ),
                (Some(_), Some(seq)) if !seen.insert((no.to_string(), seq)) => p.add(
                    row.line,
                    "seq",
                    format!("installment {seq} of {no} appears twice in this file"),
                ),
                _ => {}
            }
        }
        if let (Some(no), Some(seq), Some(due), Some(principal), Some(interest)) =
            (no, seq, due, principal, interest)
        {
            let inst = Installment {
                seq,
                due,
                principal,
                interest,
            };
            match out.last_mut() {
                Some((
                    Mutation::AddInstallments {
                        contract,
                        installments,
                    },
                    _,
                )) if contract == no => installments.push(inst),
                _ => out.push((
                    Mutation::AddInstallments {
                        contract: no.to_string(),
                        installments: vec![inst],
                    },
                    row.line,
                )),
            }
        }
    }
    Ok(out)
}

fn payments(
    text: &Input,
    store: &crate::store::Store,
    today: NaiveDate,
    confirm: bool,
    p: &mut Problems<'_>,
) -> Planned {
    let rows = read_rows(text, PAYMENT_COLUMNS, p);
    let mut out = Vec::new();
    for row in &rows {
        let no = p.required(row, "contract_no");
        if let Some(no) = no {
            match store.contract(no).ok().flatten() {
                None => p.add(row.line, "contract_no", format!("{no} is not in the book")),
                Some(c) if !c.is_open() => p.add(
                    row.line,
                    "contract_no",
                    format!("{no} is {}; it takes no payments", c.state.name()),
                ),
                Some(_) => {}
            }
        }
        let received_on = p.date(row, "received_on");
        if let Some(day) = received_on
            && day > today
        {
            p.add(
                row.line,
                "received_on",
                format!("{day} is after today ({today})"),
            );
        }
        let amount = p.money(row, "amount");
        if amount.is_some_and(|a| !a.is_positive()) {
            p.add(row.line, "amount", "must be more than 0");
        }
        if let (Some(no), Some(received_on), Some(amount)) = (no, received_on, amount) {
            let method = match row.get("method") {
                "" => "transfer",
                m => m,
            };
            out.push((
                Mutation::RecordPayment {
                    id: String::new(),
                    contract: no.to_string(),
                    received_on,
                    amount,
                    method: method.to_string(),
                    reference: row.get("reference").to_string(),
                    confirmed: confirm,
                },
                row.line,
            ));
        }
    }
    Ok(out)
}

fn machines(text: &Input, store: &crate::store::Store, p: &mut Problems<'_>) -> Planned {
    use crate::domain::outbound::{Machine, MachineStock, Model};
    use crate::store::RecordKind;
    let rows = read_rows(text, MACHINE_COLUMNS, p);
    let mut seen = HashSet::new();
    let mut types: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for row in &rows {
        let serial = p.required(row, "serial");
        if let Some(serial) = serial {
            if !seen.insert(serial.to_string()) {
                p.add(
                    row.line,
                    "serial",
                    format!("{serial} appears twice in this file"),
                );
            } else if store
                .record::<Machine>(RecordKind::Machine, serial)
                .ok()
                .flatten()
                .is_some()
            {
                p.add(
                    row.line,
                    "serial",
                    format!("{serial} is already in stock records"),
                );
            }
        }
        let model = p.required(row, "model");
        let kind = p.required(row, "type");
        if let (Some(model), Some(kind)) = (model, kind) {
            let known = types.get(model).cloned().or_else(|| {
                store
                    .record::<Model>(RecordKind::Model, model)
                    .ok()
                    .flatten()
                    .map(|m| m.machine_type)
            });
            match known {
                Some(t) if t != kind => p.add(
                    row.line,
                    "type",
                    format!("model {model} is of type {t}, not {kind}"),
                ),
                _ => {
                    types.insert(model.to_string(), kind.to_string());
                }
            }
        }
        let yard = p.required(row, "yard");
        let arrived_on = p.date(row, "arrived_on");
        if let (Some(serial), Some(model), Some(kind), Some(yard), Some(arrived_on)) =
            (serial, model, kind, yard, arrived_on)
        {
            let machine = Machine {
                serial: serial.to_string(),
                model: model.to_string(),
                machine_type: kind.to_lowercase(),
                yard: nfc(yard),
                arrived_on,
                state: MachineStock::InStock,
            };
            out.push((Mutation::AddMachine(machine), row.line));
        }
    }
    Ok(out)
}

fn accessories(text: &Input, p: &mut Problems<'_>) -> Planned {
    let rows = read_rows(text, ACCESSORY_COLUMNS, p);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in &rows {
        let code = p.required(row, "code");
        if let Some(code) = code
            && !seen.insert(code.to_string())
        {
            p.add(
                row.line,
                "code",
                format!("{code} appears twice in this file"),
            );
        }
        let name = p.required(row, "name");
        let quantity = match p.required(row, "quantity") {
            Some(text) => match text.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    p.add(
                        row.line,
                        "quantity",
                        format!("'{text}' is not a whole number of 0 or more"),
                    );
                    None
                }
            },
            None => None,
        };
        if let (Some(code), Some(name), Some(quantity)) = (code, name, quantity) {
            let m = Mutation::PutAccessory {
                code: code.to_string(),
                name: nfc(name),
                unit: row.get("unit").to_string(),
                quantity,
            };
            out.push((m, row.line));
        }
    }
    Ok(out)
}

/// Names are stored NFC-normalised, so the same name typed two ways is one name.
fn nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn detects_utf8_bom_and_gb18030() {
        let text = "customer_id,name\nC1,张伟\n";
        assert_eq!(decode(text.as_bytes(), Encoding::Auto).unwrap(), text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom, Encoding::Auto).unwrap(), text);
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert_ne!(gb.as_ref(), text.as_bytes());
        assert_eq!(decode(&gb, Encoding::Auto).unwrap(), text);
        assert!(decode(&gb, Encoding::Utf8).unwrap_err().contains("gb18030"));
    }

    #[test]
    fn dates_in_iso_and_excel_form() {
        assert_eq!(
            parse_date("2026-03-01").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            parse_date("2026/3/1").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert!(parse_date("2026-02-30").unwrap_err().contains("YYYY-MM-DD"));
    }

    proptest! {
        // Whatever bytes arrive, decoding and row reading return values or errors, never panic.
        #[test]
        fn decoding_and_reading_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            for enc in [Encoding::Auto, Encoding::Utf8, Encoding::Gb18030] {
                if let Ok(text) = decode(&bytes, enc) {
                    let mut p = Problems { file: "f.csv", lines: Vec::new(), serial_dates: false };
                    let rows = read_rows(&Input::Csv(text), PAYMENT_COLUMNS, &mut p);
                    prop_assert!(rows.iter().all(|r| r.line >= 1));
                    prop_assert!(p.lines.iter().all(|l| l.starts_with("f.csv:")));
                }
            }
        }

        /// Whatever a worksheet holds (text, numbers as text, error cells, blanks, short or
        /// long rows), reading it and checking a payment row never panic, and every problem
        /// names the sheet.
        #[test]
        fn any_worksheet_reads_without_panic(
            cells in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![".{0,10}".prop_map(Ok), "#[A-Z/0!]{1,6}".prop_map(Err), Just(Ok(String::new()))],
                    0..7,
                ),
                0..8,
            ),
            header in any::<bool>(),
        ) {
            let mut rows: Vec<(u64, Vec<xlsx::CellText>)> =
                cells.into_iter().enumerate().map(|(i, r)| (i as u64 + 2, r)).collect();
            if header {
                let names = PAYMENT_COLUMNS.iter().map(|c| Ok(c.to_string())).collect();
                rows.insert(0, (1, names));
            }
            let mut p = Problems { file: "f.xlsx:付款", lines: Vec::new(), serial_dates: true };
            let read = read_rows(&Input::Sheet(rows), PAYMENT_COLUMNS, &mut p);
            for row in &read {
                let _ = p.date(row, "received_on");
                let _ = p.money(row, "amount");
            }
            prop_assert!(p.lines.iter().all(|l| l.starts_with("f.xlsx:付款:")));
        }

        #[test]
        fn csv_rows_keep_their_fields(names in proptest::collection::vec("[a-z张王李,\" ]{0,8}", 1..6)) {
            let mut text = String::from("customer_id,name,phone,id_number,address,branch,collector\n");
            let mut writer = csv::Writer::from_writer(Vec::new());
            for (i, n) in names.iter().enumerate() {
                writer.write_record([format!("C{i}"), n.clone(), "1".into(), "".into(), "".into(), "合肥".into(), "li".into()]).unwrap();
            }
            text.push_str(&String::from_utf8(writer.into_inner().unwrap()).unwrap());
            let mut p = Problems { file: "f.csv", lines: Vec::new(), serial_dates: false };
            let rows = read_rows(&Input::Csv(text), CUSTOMER_COLUMNS, &mut p);
            prop_assert!(p.lines.is_empty());
            prop_assert_eq!(rows.len(), names.len());
            for (row, n) in rows.iter().zip(&names) {
                prop_assert_eq!(row.fields["name"].as_str(), n.as_str());
            }
        }
    }
}
