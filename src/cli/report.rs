//! `report NAME`, `export PART` and `--format csv|xlsx --out FILE` of the list commands:
//! app results written as a table, JSON, CSV or xlsx (`crate::export`).

use super::args::{
    Command, ExportArgs, ExportKind, ListFormat, OutArgs, ReportArgs, ReportCmd, ReportFormat,
};
use super::{Done, Failure, parse_date, print_json};
use crate::app::book_export::BookPart;
use crate::app::reports::{ReportName, ReportQuery};
use crate::app::tabular::{Report, Sheet};
use crate::app::{App, Ctx};
use crate::export::{self, Form};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

fn usage(message: String) -> Failure {
    Failure::usage(message)
}

/// The form asked for: `--format`, else the `--out` file's extension, else `default`.
fn form_of(format: Option<Form>, out: Option<&Path>, default: Form) -> Result<Form, Failure> {
    let form = match (format, out) {
        (Some(form), _) => form,
        (None, Some(path)) => Form::of_path(path).ok_or_else(|| {
            usage(format!(
                "--out {}: say --format csv or xlsx (or end the name in .csv or .xlsx)",
                path.display()
            ))
        })?,
        (None, None) => default,
    };
    if form == Form::Xlsx && out.is_none() {
        return Err(usage("--format xlsx needs --out FILE".into()));
    }
    Ok(form)
}

fn list_form(f: ListFormat) -> Form {
    match f {
        ListFormat::Csv => Form::Csv,
        ListFormat::Xlsx => Form::Xlsx,
    }
}

/// Writes a list as CSV or xlsx when `--format` or `--out` asks for it; false when neither
/// does (the command prints its usual table or JSON).
pub fn list_out<T: Serialize>(name: &str, rows: &[T], out: &OutArgs) -> Result<bool, Failure> {
    if out.format.is_none() && out.out.is_none() {
        return Ok(false);
    }
    let form = form_of(out.format.map(list_form), out.out.as_deref(), Form::Csv)?;
    let sheet = export::sheet_of(name, rows)?;
    write_sheets(&[sheet], form, out.out.as_deref())?;
    Ok(true)
}

/// Writes sheets as CSV or xlsx to `out`, or CSV to standard output.
fn write_sheets(sheets: &[Sheet], form: Form, out: Option<&Path>) -> Done {
    match (form, out) {
        (Form::Xlsx, Some(path)) => export::save_xlsx(sheets, path).map_err(usage)?,
        (Form::Csv, Some(path)) if sheets.len() == 1 => export::save_csv(&sheets[0], path)?,
        (Form::Csv, Some(path)) => {
            for sheet in sheets {
                let file = export::csv_path_for(path, &sheet.name);
                export::save_csv(sheet, &file)?;
                outln!("{}", file.display());
            }
        }
        (Form::Csv, None) => {
            for (i, sheet) in sheets.iter().enumerate() {
                if sheets.len() > 1 {
                    if i > 0 {
                        outln!();
                    }
                    outln!("# {}", sheet.name);
                }
                export::write_csv(sheet, super::output::Stdout)?;
            }
        }
        (Form::Table | Form::Json, _) | (Form::Xlsx, None) => {
            return Err(usage(
                "a list is written as csv or xlsx: end the --out name in .csv or .xlsx or say --format".into(),
            ));
        }
    }
    Ok(())
}

fn report_name(cmd: &ReportCmd) -> Option<(ReportName, &ReportArgs)> {
    Some(match cmd {
        ReportCmd::Aging(a) => (ReportName::Aging, a),
        ReportCmd::RollRates(a) => (ReportName::RollRates, a),
        ReportCmd::Collection(a) => (ReportName::Collection, a),
        ReportCmd::Forecast(a) => (ReportName::Forecast, a),
        ReportCmd::Penalty(a) => (ReportName::Penalty, a),
        ReportCmd::Tows(a) => (ReportName::Tows, a),
        ReportCmd::Stock(a) => (ReportName::Stock, a),
        ReportCmd::Outbound(_) => return None,
    })
}

/// `report NAME`: the management reports. `report stock --json` alone keeps printing the
/// stock lines by model as before; `--format json` prints the whole report.
pub fn report(app: &App, ctx: &Ctx, cmd: ReportCmd) -> Done {
    let Some((name, args)) = report_name(&cmd) else {
        let json = matches!(
            cmd,
            ReportCmd::Outbound(super::args::JsonFlag { json: true })
        );
        return super::outbound::outbound_report(app, ctx, json);
    };
    if name == ReportName::Stock && args.json && args.format.is_none() && args.out.is_none() {
        return print_json(&app.stock_report(ctx)?);
    }
    let to = match &args.to {
        Some(text) => parse_date(text, "--to")?,
        None => ctx.today,
    };
    let mut query = ReportQuery::last_12_months(to);
    if let Some(text) = &args.from {
        query.from = parse_date(text, "--from")?;
    }
    query.branch = args.branch.clone();
    query.collector = args.collector.clone();
    let format = match (args.json, args.format) {
        (true, _) => Some(Form::Json),
        (false, Some(f)) => Some(match f {
            ReportFormat::Table => Form::Table,
            ReportFormat::Json => Form::Json,
            ReportFormat::Csv => Form::Csv,
            ReportFormat::Xlsx => Form::Xlsx,
        }),
        (false, None) => None,
    };
    let form = form_of(format, args.out.as_deref(), Form::Table)?;
    let report = app.report(ctx, name, &query)?;
    match form {
        Form::Json => match &args.out {
            Some(path) => {
                let text = serde_json::to_string_pretty(&report)?;
                std::fs::write(path, text + "\n").map_err(|e| {
                    Failure::of(vec![format!("{}: cannot be written: {e}", path.display())])
                })?;
            }
            None => print_json(&report)?,
        },
        Form::Table => print_report(&report, args.out.as_deref())?,
        form => write_sheets(&report.sheets, form, args.out.as_deref())?,
    }
    Ok(())
}

fn print_report(report: &Report, out: Option<&Path>) -> Done {
    let mut text = format!("{} report, {} to {}\n", report.name, report.from, report.to);
    for sheet in &report.sheets {
        text.push_str(&format!("\n{}\n", sheet.name));
        text.push_str(&export::table(sheet));
    }
    match out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Failure::of(vec![format!("{}: cannot be written: {e}", path.display())])),
        None => {
            out!("{text}");
            Ok(())
        }
    }
}

/// `export PART --format csv|xlsx --out FILE`: the book in the columns `import` reads,
/// streamed to the file.
pub fn export_book(app: &App, ctx: &Ctx, args: &ExportArgs) -> Done {
    let part = match args.kind {
        ExportKind::Customers => BookPart::Customers,
        ExportKind::Contracts => BookPart::Contracts,
        ExportKind::Installments => BookPart::Installments,
        ExportKind::Payments => BookPart::Payments,
    };
    let form = form_of(args.format.map(list_form), Some(&args.out), Form::Csv)?;
    if !matches!(form, Form::Csv | Form::Xlsx) {
        return Err(usage(format!(
            "--out {}: export writes csv or xlsx; end the name in .csv or .xlsx or say --format",
            args.out.display()
        )));
    }
    let path = args.out.as_path();
    let place = |e: std::io::Error| {
        Failure::of(vec![format!("{}: cannot be written: {e}", path.display())])
    };
    let count = match form {
        Form::Xlsx => {
            let mut book = export::XlsxBook::new(path);
            let mut started = false;
            let count = app.export_book(ctx, part, |row| {
                if !started {
                    let widths = export::streamed_widths(part.columns(), &row);
                    book.sheet(part.name(), part.columns(), &widths)?;
                    started = true;
                }
                book.row(&row)
            })?;
            if !started {
                book.sheet(part.name(), part.columns(), &[])?;
            }
            book.save().map_err(usage)?;
            count
        }
        _ => {
            let file = std::fs::File::create(path).map_err(place)?;
            let mut file = std::io::BufWriter::new(file);
            file.write_all(b"\xEF\xBB\xBF").map_err(place)?;
            let mut w = csv::Writer::from_writer(file);
            w.write_record(part.columns())?;
            let count = app.export_book(ctx, part, |row| {
                w.write_record(row.iter().map(|c| c.plain()))
                    .map_err(|e| format!("{}: cannot be written: {e}", path.display()))
            })?;
            w.flush().map_err(place)?;
            count
        }
    };
    outln!("{count} {} written to {}", part.name(), path.display());
    Ok(())
}

/// Whether a command writes a file (`export`, `--out`): refused over SSH, where the file
/// would land on the server.
pub fn writes_file(command: &Command) -> bool {
    use super::args::{ApprovalCmd, PaymentCmd, TowCmd};
    let out = |o: &OutArgs| o.out.is_some();
    match command {
        Command::Export(_) => true,
        Command::Report(cmd) => report_name(cmd).is_some_and(|(_, a)| a.out.is_some()),
        Command::Overdue(a) => out(&a.out),
        Command::Payment(PaymentCmd::List(a)) | Command::Tow(TowCmd::Board(a)) => out(&a.out),
        Command::Approval(ApprovalCmd::List { out: o, .. })
        | Command::Stock { out: o, .. }
        | Command::Audit { out: o, .. } => out(o),
        _ => false,
    }
}
