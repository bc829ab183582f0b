//! CSV and xlsx import, streamed: the file is read a row at a time (CSV through a decoder of
//! its encoding — UTF-8 with or without BOM, or GB18030 — or an .xlsx worksheet through
//! calamine's cell reader), every row checked and its mutation staged on disk by the app
//! (`app::import`); cross-row checks (duplicates, installment numbers) keep only ids and
//! numbers, never whole rows. Only when every row passed are the rows applied, in journaled
//! parts, all or nothing (a run cut short is finished on the next open). Every bad row is
//! reported as `FILE:LINE: column: reason` (`FILE:SHEET:ROW: column: reason` for a
//! worksheet). On a terminal, stderr shows a progress bar (rows and percent).
//!
//! Memory is bounded by the book, not by the file: the ids seen (customers, contracts,
//! serials, codes), each contract's installment numbers (4 bytes each) and each referenced
//! contract's state, plus at most `MAX_REPORTED` problem lines.

use super::args::{Encoding, ImportKind};
use super::xlsx;
use crate::app::{App, AppError, Ctx, ImportStage, Mutation, NewContract};
use crate::domain::outbound::{Machine, MachineStock, Model};
use crate::domain::{Customer, Installment, Money, Rate};
use crate::store::{Reader, RecordKind};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Read};
use std::path::Path;

/// A failed import: every problem, one line each.
#[derive(Debug)]
pub struct ImportError {
    pub lines: Vec<String>,
}

/// Problem lines kept for the report; beyond them only a count (memory stays bounded
/// whatever a broken file holds).
pub const MAX_REPORTED: usize = 10_000;

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
        Encoding::Utf8 => utf8(bytes).map_err(|e| not_utf8(e.valid_up_to() as u64)),
        Encoding::Gb18030 => gb(bytes).ok_or_else(not_gb18030),
        Encoding::Auto => utf8(bytes)
            .ok()
            .or_else(|| gb(bytes))
            .ok_or_else(neither_encoding),
    }
}

fn not_utf8(at: u64) -> String {
    format!("not valid UTF-8 at byte {at}; if it came from Excel in China try --encoding gb18030")
}

fn not_gb18030() -> String {
    "not valid GB18030 text; try --encoding utf-8".to_string()
}

fn neither_encoding() -> String {
    "neither UTF-8 nor GB18030 text; save it as CSV UTF-8 and try again".to_string()
}

/// Where a stream of bytes stops being UTF-8 (the offset of the first bad byte), read a
/// chunk at a time; `None` when all of it is UTF-8. A leading BOM counts as UTF-8.
fn first_non_utf8(input: impl Read) -> std::io::Result<Option<u64>> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0usize; // bytes of an unfinished character kept from the last chunk
    let mut offset = 0u64; // the file offset of buf[0]
    loop {
        let n = input.read(&mut buf[carry..])?;
        let end = carry + n;
        match std::str::from_utf8(&buf[..end]) {
            Ok(_) if n == 0 => return Ok(None),
            Ok(_) => {
                offset += end as u64;
                carry = 0;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                if e.error_len().is_some() || n == 0 {
                    return Ok(Some(offset + valid as u64));
                }
                buf.copy_within(valid..end, 0);
                offset += valid as u64;
                carry = end - valid;
            }
        }
    }
}

/// Whether a stream of bytes is GB18030 text throughout, read a chunk at a time.
fn is_gb18030(input: impl Read) -> std::io::Result<bool> {
    let mut reader = GbReader::new(input);
    let mut sink = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut sink) {
            Ok(0) => return Ok(true),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

/// GB18030 bytes read as UTF-8, a chunk at a time; malformed input is an `InvalidData` error.
struct GbReader<R> {
    input: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    raw_len: usize,
    out: Vec<u8>,
    out_at: usize,
    done: bool,
}

impl<R: Read> GbReader<R> {
    fn new(input: R) -> Self {
        GbReader {
            input,
            decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            raw: vec![0; 1 << 15],
            raw_len: 0,
            out: Vec::with_capacity(1 << 16),
            out_at: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for GbReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_at == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.input.read(&mut self.raw[self.raw_len..])?;
            self.raw_len += n;
            let last = n == 0;
            self.out.clear();
            self.out_at = 0;
            self.out.resize(self.raw_len * 3 + 16, 0);
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[..self.raw_len],
                &mut self.out,
                last,
            );
            if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    not_gb18030(),
                ));
            }
            self.out.truncate(written);
            self.raw.copy_within(read..self.raw_len, 0);
            self.raw_len -= read;
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

/// A byte stream without a leading UTF-8 BOM.
fn without_bom(input: impl Read) -> std::io::Result<impl Read> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let head = std::io::BufRead::fill_buf(&mut input)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        std::io::BufRead::consume(&mut input, 3);
    }
    Ok(input)
}

/// The CSV file at `path` as UTF-8 bytes, in the encoding found (or forced), checked
/// throughout before a row is read.
fn open_csv(path: &Path, encoding: Encoding) -> Result<Box<dyn Read>, String> {
    let open = || std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"));
    let io = |e: std::io::Error| format!("cannot be read: {e}");
    let utf8 = match encoding {
        Encoding::Gb18030 => false,
        Encoding::Utf8 | Encoding::Auto => match first_non_utf8(open()?).map_err(io)? {
            None => true,
            Some(at) if matches!(encoding, Encoding::Utf8) => return Err(not_utf8(at)),
            Some(_) => false,
        },
    };
    if utf8 {
        return Ok(Box::new(without_bom(open()?).map_err(io)?));
    }
    if !is_gb18030(open()?).map_err(io)? {
        return Err(match encoding {
            Encoding::Gb18030 => not_gb18030(),
            _ => neither_encoding(),
        });
    }
    Ok(Box::new(GbReader::new(BufReader::new(open()?))))
}

pub use crate::app::book_export::{
    CONTRACT_COLUMNS, CUSTOMER_COLUMNS, INSTALLMENT_COLUMNS, PAYMENT_COLUMNS,
};
pub const MACHINE_COLUMNS: &[&str] = &["serial", "model", "type", "yard", "arrived_on"];
pub const ACCESSORY_COLUMNS: &[&str] = &["code", "name", "unit", "quantity"];

/// One data row: its line in the file and its fields in the header's order.
struct Row<'h> {
    line: u64,
    headers: &'h [String],
    fields: Vec<String>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// Collects problems as `FILE:LINE: column: reason` (`file` is `FILE:SHEET` for a sheet).
struct Problems<'a> {
    file: &'a str,
    lines: Vec<String>,
    /// Problems found beyond `MAX_REPORTED`: counted, not kept.
    more: u64,
    /// A worksheet: a whole number in a date column is an Excel serial date.
    serial_dates: bool,
}

impl Problems<'_> {
    fn new(file: &str, serial_dates: bool) -> Problems<'_> {
        Problems {
            file,
            lines: Vec::new(),
            more: 0,
            serial_dates,
        }
    }

    fn any(&self) -> bool {
        !self.lines.is_empty()
    }

    fn push(&mut self, line: String) {
        if self.lines.len() < MAX_REPORTED {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    fn add(&mut self, line: u64, column: &str, reason: impl std::fmt::Display) {
        self.push(format!("{}:{line}: {column}: {reason}", self.file));
    }

    /// Every problem, with a last line counting those not kept.
    fn into_lines(mut self) -> Vec<String> {
        if self.more > 0 {
            self.lines.push(format!(
                "{}: {} more problems not shown; correct these and import again",
                self.file, self.more
            ));
        }
        self.lines
    }

    fn required<'r>(&mut self, row: &'r Row<'_>, column: &str) -> Option<&'r str> {
        let value = row.get(column);
        if value.is_empty() {
            self.add(row.line, column, "is empty; it is required");
            None
        } else {
            Some(value)
        }
    }

    fn date(&mut self, row: &Row<'_>, column: &str) -> Option<NaiveDate> {
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

    fn money(&mut self, row: &Row<'_>, column: &str) -> Option<Money> {
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

/// A worksheet's rows as they stream: the first non-empty row is the header; blank rows
/// are skipped.
struct SheetRows<'e> {
    expected: &'e [&'e str],
    /// `None` until the header is met; `Some(None)` after a bad header.
    headers: Option<Option<Vec<String>>>,
}

impl SheetRows<'_> {
    fn feed(
        &mut self,
        line: u64,
        cells: Vec<xlsx::CellText>,
        problems: &mut Problems<'_>,
        each: &mut dyn FnMut(&Row<'_>, &mut Problems<'_>),
    ) {
        if cells
            .iter()
            .all(|c| c.as_ref().is_ok_and(|t| t.trim().is_empty()))
        {
            return;
        }
        let Some(headers) = &self.headers else {
            let header = cells.into_iter().map(|c| c.unwrap_or_default()).collect();
            self.headers = Some(check_header(header, line, self.expected, problems));
            return;
        };
        let Some(headers) = headers else { return };
        let mut fields = Vec::with_capacity(headers.len());
        for (header, cell) in headers.iter().zip(cells) {
            match cell {
                Ok(text) => fields.push(text),
                Err(reason) => {
                    problems.add(line, header, reason);
                    fields.push(String::new());
                }
            }
        }
        each(
            &Row {
                line,
                headers,
                fields,
            },
            problems,
        );
    }

    fn finish(&self, problems: &mut Problems<'_>) {
        if self.headers.is_none() {
            problems.add(
                1,
                "header",
                "the sheet is empty; the first row must name the columns",
            );
        }
    }
}

/// Reads CSV rows one at a time, handing each clean one to `each`. `progress` hears the
/// bytes read so far.
fn each_csv_row(
    input: impl Read,
    expected: &[&str],
    problems: &mut Problems<'_>,
    progress: &mut dyn FnMut(u64),
    each: &mut dyn FnMut(&Row<'_>, &mut Problems<'_>),
) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            problems.add(1, "header", format!("cannot be read: {}", csv_reason(&e)));
            return;
        }
    };
    let Some(headers) = check_header(headers, 1, expected, problems) else {
        return;
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let position = record.position();
                let line = position.map_or(0, |p| p.line());
                progress(position.map_or(0, |p| p.byte()));
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let mut clean = true;
                for (column, field) in headers.iter().zip(record.iter()) {
                    if let Some(why) = crate::domain::text::problem(field, false) {
                        problems.add(line, column, why);
                        clean = false;
                    }
                }
                if clean {
                    let row = Row {
                        line,
                        headers: &headers,
                        fields: record.iter().map(str::to_owned).collect(),
                    };
                    each(&row, problems);
                }
            }
            Err(e) => {
                if let csv::ErrorKind::Io(io) = e.kind()
                    && io.kind() == std::io::ErrorKind::InvalidData
                {
                    problems.add(0, "row", io);
                    return;
                }
                let line = e.position().map_or(0, |p| p.line());
                problems.add(line, "row", format!("cannot be read: {}", csv_reason(&e)));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return;
                }
            }
        }
    }
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

/// What an import reads, opened: CSV bytes (UTF-8), or a workbook and its sheet's name.
enum Input {
    Csv(Box<dyn Read>, u64),
    Sheet(Box<xlsx::Book>, String),
}

/// Reads every row of `input` (a terminal sees the rows and percent go by), handing each to
/// `each`.
fn each_row(
    input: Input,
    expected: &[&str],
    problems: &mut Problems<'_>,
    bar: &mut super::progress::Bar,
    each: &mut dyn FnMut(&Row<'_>, &mut Problems<'_>),
) -> Result<(), String> {
    match input {
        Input::Csv(reader, size) => {
            let mut rows = 0u64;
            each_csv_row(
                reader,
                expected,
                problems,
                &mut |byte| {
                    rows += 1;
                    bar.show(rows, Some((byte, size)));
                },
                each,
            );
        }
        Input::Sheet(mut book, name) => {
            let mut sheet = SheetRows {
                expected,
                headers: None,
            };
            let mut rows = 0u64;
            xlsx::each_row(&mut book, &name, &mut |line, cells| {
                rows += 1;
                bar.show(rows, None);
                sheet.feed(line, cells, problems, each);
            })?;
            sheet.finish(problems);
        }
    }
    Ok(())
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
    let input = if source.is_xlsx() {
        let (book, sheet) =
            xlsx::open(path, source.sheet).map_err(|e| one(format!("{file}: {e}")))?;
        file = format!("{file}:{sheet}");
        Input::Sheet(Box::new(book), sheet)
    } else {
        if source.sheet.is_some() {
            return Err(one(format!(
                "{file}: --sheet is for .xlsx files; this one is read as CSV"
            )));
        }
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let reader = open_csv(path, source.encoding).map_err(|e| one(format!("{file}: {e}")))?;
        Input::Csv(reader, size)
    };
    let mut problems = Problems::new(&file, matches!(input, Input::Sheet(..)));
    let mut stage = app
        .stage_import(ctx)
        .map_err(|e| one(format!("{file}: {e}")))?;
    let mut checker = checker(kind, app.store(), ctx.today, confirm);
    let mut bar = super::progress::Bar::new("checking");
    let mut counted = 0usize;
    let mut stage_row = |line: u64, mutation: Mutation, p: &mut Problems<'_>| {
        counted += match &mutation {
            Mutation::AddInstallments { installments, .. } => installments.len(),
            _ => 1,
        };
        let staged = if p.any() {
            stage.check(app, &mutation)
        } else {
            stage.push(app, line, &mutation)
        };
        if let Err(e) = staged {
            p.push(format!("{}:{line}: {e}", p.file));
        }
    };
    let read = each_row(
        input,
        checker.columns(),
        &mut problems,
        &mut bar,
        &mut |row, p| {
            if let Some((mutation, line)) = checker.row(row, p) {
                stage_row(line, mutation, p);
            }
        },
    );
    if let Some((mutation, line)) = checker.finish() {
        stage_row(line, mutation, &mut problems);
    }
    bar.done();
    let fail = |lines: Vec<String>, stage: ImportStage| {
        stage.discard();
        Err(ImportError { lines })
    };
    if let Err(e) = read {
        return fail(vec![format!("{file}: {e}")], stage);
    }
    if problems.any() {
        return fail(problems.into_lines(), stage);
    }
    if stage.rows() == 0 {
        return fail(
            vec![format!("{file}: has no data rows; nothing imported")],
            stage,
        );
    }
    let mut bar = super::progress::Bar::new("importing");
    app.run_import(ctx, stage, &mut |done, rows| {
        bar.show(done, Some((done, rows)));
    })
    .map_err(|e| match e {
        AppError::InBatch { index, error } => one(format!("{file}:{index}: {error}")),
        other => one(format!("{file}: {other}")),
    })?;
    bar.done();
    Ok(counted)
}

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

/// The checks of one kind of file, a row at a time: each row gives its mutation and the
/// line to report it at, or problems. Whatever a checker keeps across rows is ids and numbers.
trait Checker {
    fn columns(&self) -> &'static [&'static str];
    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)>;
    /// A mutation still held when the file ends.
    fn finish(&mut self) -> Option<(Mutation, u64)> {
        None
    }
}

fn checker<'s>(
    kind: ImportKind,
    store: &'s crate::store::Store,
    today: NaiveDate,
    confirm: bool,
) -> Box<dyn Checker + 's> {
    match kind {
        ImportKind::Customers => Box::new(Customers::default()),
        ImportKind::Contracts => Box::new(Contracts {
            store,
            seen: HashSet::new(),
        }),
        ImportKind::Installments => Box::new(Installments {
            store,
            contracts: HashMap::new(),
            pending: None,
        }),
        ImportKind::Payments => Box::new(Payments {
            store,
            today,
            confirm,
            contracts: HashMap::new(),
        }),
        ImportKind::Machines => Box::new(Machines {
            store,
            seen: HashSet::new(),
            types: HashMap::new(),
        }),
        ImportKind::Accessories => Box::new(Accessories::default()),
    }
}

#[derive(Default)]
struct Customers<'s> {
    seen: HashSet<String>,
    _store: std::marker::PhantomData<&'s ()>,
}

struct Contracts<'s> {
    store: &'s crate::store::Store,
    seen: HashSet<String>,
}

/// Each contract met: `None` when it is not in the book, else the installment numbers the
/// book holds and those this file gave it so far (sorted).
type Seqs = Option<(Vec<u32>, Vec<u32>)>;

struct Installments<'s> {
    store: &'s crate::store::Store,
    contracts: HashMap<String, Seqs>,
    /// Consecutive rows of one contract become one mutation, reported at its first line.
    pending: Option<(Mutation, u64)>,
}

/// Installments held in one mutation at most: a long run of one contract's rows is split.
const INSTALLMENTS_PER_MUTATION: usize = 1_000;

struct Payments<'s> {
    store: &'s crate::store::Store,
    today: NaiveDate,
    confirm: bool,
    /// Each contract met: `None` when not in the book, else `Some(state)` when closed.
    contracts: HashMap<String, Option<Option<&'static str>>>,
}

struct Machines<'s> {
    store: &'s crate::store::Store,
    seen: HashSet<String>,
    types: HashMap<String, String>,
}

#[derive(Default)]
struct Accessories<'s> {
    seen: HashSet<String>,
    _store: std::marker::PhantomData<&'s ()>,
}

impl Checker for Installments<'_> {
    fn columns(&self) -> &'static [&'static str] {
        INSTALLMENT_COLUMNS
    }

    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)> {
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
            if !self.contracts.contains_key(no) {
                let book = self.store.contract(no).ok().flatten().map(|c| {
                    let mut seqs: Vec<u32> = c.installments.iter().map(|i| i.seq).collect();
                    seqs.sort_unstable();
                    (seqs, Vec::new())
                });
                self.contracts.insert(no.to_string(), book);
            }
            match self.contracts.get_mut(no).and_then(Option::as_mut) {
                None => p.add(
                    row.line,
                    "contract_no",
                    format!("{no} is not in the book; import contracts first"),
                ),
                Some((book, _)) if seq.is_some_and(|s| book.binary_search(&s).is_ok()) => p.add(
                    row.line,
                    "seq",
                    format!(
                        "installment {} of {no} already exists in the book",
                        seq.unwrap_or_default()
                    ),
                ),
                Some((_, file)) => {
                    if let Some(seq) = seq {
                        match file.binary_search(&seq) {
                            Ok(_) => p.add(
                                row.line,
                                "seq",
                                format!("installment {seq} of {no} appears twice in this file"),
                            ),
                            Err(at) => file.insert(at, seq),
                        }
                    }
                }
            }
        }
        let (Some(no), Some(seq), Some(due), Some(principal), Some(interest)) =
            (no, seq, due, principal, interest)
        else {
            return None;
        };
        let inst = Installment {
            seq,
            due,
            principal,
            interest,
        };
        if let Some((
            Mutation::AddInstallments {
                contract,
                installments,
            },
            _,
        )) = &mut self.pending
            && contract == no
            && installments.len() < INSTALLMENTS_PER_MUTATION
        {
            installments.push(inst);
            return None;
        }
        let next = Mutation::AddInstallments {
            contract: no.to_string(),
            installments: vec![inst],
        };
        self.pending.replace((next, row.line))
    }

    fn finish(&mut self) -> Option<(Mutation, u64)> {
        self.pending.take()
    }
}

impl Checker for Customers<'_> {
    fn columns(&self) -> &'static [&'static str] {
        CUSTOMER_COLUMNS
    }

    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)> {
        let id = p.required(row, "customer_id");
        let name = p.required(row, "name");
        let branch = p.required(row, "branch");
        let collector = p.required(row, "collector");
        if let Some(id) = id
            && !self.seen.insert(id.to_string())
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
            return Some((Mutation::PutCustomer(customer), row.line));
        }
        None
    }
}

impl Checker for Contracts<'_> {
    fn columns(&self) -> &'static [&'static str] {
        CONTRACT_COLUMNS
    }

    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)> {
        let no = p.required(row, "contract_no");
        if let Some(no) = no {
            if !self.seen.insert(no.to_string()) {
                p.add(
                    row.line,
                    "contract_no",
                    format!("{no} appears twice in this file"),
                );
            } else if self.store.contract(no).ok().flatten().is_some() {
                p.add(
                    row.line,
                    "contract_no",
                    format!("{no} already exists in the book"),
                );
            }
        }
        let customer = p.required(row, "customer_id");
        if let Some(id) = customer
            && self.store.customer(id).ok().flatten().is_none()
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
            return Some((
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
        None
    }
}

impl Checker for Payments<'_> {
    fn columns(&self) -> &'static [&'static str] {
        PAYMENT_COLUMNS
    }

    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)> {
        let no = p.required(row, "contract_no");
        if let Some(no) = no {
            if !self.contracts.contains_key(no) {
                let state = self.store.contract(no).ok().flatten().map(|c| {
                    if c.is_open() {
                        None
                    } else {
                        Some(c.state.name())
                    }
                });
                self.contracts.insert(no.to_string(), state);
            }
            match self.contracts[no] {
                None => p.add(row.line, "contract_no", format!("{no} is not in the book")),
                Some(Some(state)) => p.add(
                    row.line,
                    "contract_no",
                    format!("{no} is {state}; it takes no payments"),
                ),
                Some(None) => {}
            }
        }
        let received_on = p.date(row, "received_on");
        if let Some(day) = received_on
            && day > self.today
        {
            p.add(
                row.line,
                "received_on",
                format!("{day} is after today ({})", self.today),
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
            return Some((
                Mutation::RecordPayment {
                    id: String::new(),
                    contract: no.to_string(),
                    received_on,
                    amount,
                    method: method.to_string(),
                    reference: row.get("reference").to_string(),
                    confirmed: self.confirm,
                },
                row.line,
            ));
        }
        None
    }
}

impl Checker for Machines<'_> {
    fn columns(&self) -> &'static [&'static str] {
        MACHINE_COLUMNS
    }

    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)> {
        let serial = p.required(row, "serial");
        if let Some(serial) = serial {
            if !self.seen.insert(serial.to_string()) {
                p.add(
                    row.line,
                    "serial",
                    format!("{serial} appears twice in this file"),
                );
            } else if self
                .store
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
            let known = self.types.get(model).cloned().or_else(|| {
                self.store
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
                    self.types.insert(model.to_string(), kind.to_string());
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
            return Some((Mutation::AddMachine(machine), row.line));
        }
        None
    }
}

impl Checker for Accessories<'_> {
    fn columns(&self) -> &'static [&'static str] {
        ACCESSORY_COLUMNS
    }

    fn row(&mut self, row: &Row<'_>, p: &mut Problems<'_>) -> Option<(Mutation, u64)> {
        let code = p.required(row, "code");
        if let Some(code) = code
            && !self.seen.insert(code.to_string())
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
            return Some((m, row.line));
        }
        None
    }
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

    /// The streamed encoding checks agree with `decode` on whole files.
    #[test]
    fn streamed_decoding_agrees_with_decode() {
        let text = "customer_id,name\nC1,张伟\n".repeat(5000);
        let (gb, _, _) = encoding_rs::GB18030.encode(&text);
        assert_eq!(first_non_utf8(text.as_bytes()).unwrap(), None);
        let at = first_non_utf8(gb.as_ref()).unwrap().unwrap();
        assert_eq!(
            std::str::from_utf8(&gb).unwrap_err().valid_up_to() as u64,
            at
        );
        let mut back = String::new();
        GbReader::new(gb.as_ref())
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(!is_gb18030(&b"\xff\xff\xff"[..]).unwrap());
        // A character cut by the chunk boundary is still UTF-8.
        let mut long = "a".repeat((1 << 16) - 1);
        long.push('张');
        assert_eq!(first_non_utf8(long.as_bytes()).unwrap(), None);
    }

    proptest! {
        /// Streamed checks give what `decode` gives, whatever the bytes.
        #[test]
        fn streamed_checks_agree_with_decode(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let utf8 = decode(&bytes, Encoding::Utf8).is_ok();
            prop_assert_eq!(first_non_utf8(&bytes[..]).unwrap().is_none(), utf8);
            let gb = decode(&bytes, Encoding::Gb18030);
            prop_assert_eq!(is_gb18030(&bytes[..]).unwrap(), gb.is_ok());
            if let Ok(text) = gb {
                let mut back = String::new();
                GbReader::new(&bytes[..]).read_to_string(&mut back).unwrap();
                prop_assert_eq!(back, text);
            }
        }

        // Whatever bytes arrive, decoding and row reading return values or errors, never panic.
        #[test]
        fn decoding_and_reading_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            for enc in [Encoding::Auto, Encoding::Utf8, Encoding::Gb18030] {
                if let Ok(text) = decode(&bytes, enc) {
                    let mut p = Problems::new("f.csv", false);
                    let mut lines = Vec::new();
                    each_csv_row(text.as_bytes(), PAYMENT_COLUMNS, &mut p, &mut |_| {}, &mut |r, _| lines.push(r.line));
                    prop_assert!(lines.iter().all(|l| *l >= 1));
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
            let mut p = Problems::new("f.xlsx:付款", true);
            let mut sheet = SheetRows { expected: PAYMENT_COLUMNS, headers: None };
            for (line, cells) in rows {
                sheet.feed(line, cells, &mut p, &mut |row, p| {
                    let _ = p.date(row, "received_on");
                    let _ = p.money(row, "amount");
                });
            }
            sheet.finish(&mut p);
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
            let mut p = Problems::new("f.csv", false);
            let mut read = Vec::new();
            each_csv_row(text.as_bytes(), CUSTOMER_COLUMNS, &mut p, &mut |_| {}, &mut |r, _| read.push(r.fields[1].clone()));
            prop_assert!(p.lines.is_empty());
            prop_assert_eq!(read, names);
        }
    }
}
