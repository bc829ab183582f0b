//! Imports at the size of a real dealer: rows staged, then applied in journaled parts.
//!
//! A front end checks every row of a file first (its own checks, then `ImportStage::push`:
//! permission, scope and input, as the run will check them) and stages each checked row on
//! disk (`store::staged`), so memory does not grow with the file. Only when every row passed
//! does `App::run_import` apply them, `IMPORT_PART` rows to a write: each part journals its
//! rows as their own mutations (they travel to other sites and are scoped one by one, as rows
//! recorded by hand are) followed by a local `Mutation::ImportPart` mark, and moves the run's
//! progress (a meta key) in the same atomic write. The last part is followed by
//! `Mutation::ImportEnd`.
//!
//! All or nothing, across crashes: a run cut short (a kill, a power cut) is *finished* from
//! its staged rows on the next open, before anything is answered (`App::open`). Should a run
//! not be finishable (its staged file gone, a row refused while applying), it is *undone*:
//! the journal is cut back to where the run began and the projections replayed, and an
//! `ImportEnd { undone: true }` says so. The ids minted and the seqs used by an undone run
//! stay used (as for entries head office refused).
//!
//! Must not touch: files other than the staged ones (the CLI reads the user's file).

use super::outcome::{Ctx, Outcome};
use super::{App, AppError, Mutation, Result, execute, ledger, permissions};
use crate::domain::User;
use crate::store::staged::{StagedReader, StagedWriter, staged_path};
use crate::store::{EntryHeader, Txn};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Rows applied in one atomic write: bounds the memory a part takes. sled frees the nodes a
/// write replaces only once the write is done, so a part's peak grows with its rows: 300,000
/// payments peaked at 311 MB in parts of 10,000 rows, 193 MB in parts of 1,000, no slower.
pub const IMPORT_PART: usize = 1_000;

/// The meta key of the run being applied.
const RUN: &str = "import_run";

/// An import run being applied: kept in the meta from the first part to the end mark.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ImportRun {
    import: String,
    /// Rows staged.
    rows: u64,
    /// Rows applied so far.
    done: u64,
    /// The local order of the last journal entry before the run: where an undo cuts back to.
    keep: u64,
    /// An undo has begun: the next open completes it.
    undoing: bool,
    actor: String,
    #[serde(with = "crate::codec::date")]
    today: NaiveDate,
    now: i64,
}

impl ImportRun {
    fn ctx(&self) -> Ctx {
        Ctx::new(&self.actor, self.today, self.now)
    }
}

/// `Mutation::ImportPart`: a mark; the part's rows did the work.
pub(super) fn part_mark(import: &str, through: u64, rows: u64) -> Outcome {
    Outcome::done(format!("import {import}: {through} of {rows} rows applied"))
}

/// `Mutation::ImportEnd`.
pub(super) fn end_mark(import: &str, rows: u64, undone: bool) -> Outcome {
    Outcome::done(if undone {
        format!("import {import} undone: none of its {rows} rows stay")
    } else {
        format!("import {import} finished: {rows} rows")
    })
}

/// What opening a database did about an import run cut short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResumedImport {
    /// Finished: every one of its rows is applied.
    Finished { import: String, rows: u64 },
    /// Undone: none of its rows stays; `why` it could not be finished.
    Undone {
        import: String,
        rows: u64,
        why: String,
    },
}

/// The rows of an import being checked and staged, before any is applied.
pub struct ImportStage {
    import: String,
    actor: User,
    writer: StagedWriter,
    /// Rows a part applies (`IMPORT_PART`).
    part: usize,
    /// Tests: stop after this many parts, as a kill between two parts would.
    stop_after: Option<u64>,
}

impl ImportStage {
    /// Checks a row's mutation as the run will (permission, scope, input) and stages it.
    /// A refusal stages nothing; the caller reports it at the row's line.
    pub fn push(&mut self, app: &App, line: u64, mutation: &Mutation) -> Result<()> {
        self.check(app, mutation)?;
        self.writer.push(line, mutation)?;
        Ok(())
    }

    /// Checks a row's mutation as `push` does, staging nothing (once the file has a bad row,
    /// the rest are only checked).
    pub fn check(&self, app: &App, mutation: &Mutation) -> Result<()> {
        permissions::check(app.store(), &self.actor, mutation)?;
        mutation.check_input()
    }

    /// Applies `rows` rows a part instead of `IMPORT_PART` (tests, benchmarks).
    pub fn with_part(mut self, rows: usize) -> ImportStage {
        self.part = rows.max(1);
        self
    }

    /// Tests: the run stops after `parts` parts and returns, leaving the database as a kill
    /// between two parts would (the next open finishes it).
    #[doc(hidden)]
    pub fn stop_after(mut self, parts: u64) -> ImportStage {
        self.stop_after = Some(parts);
        self
    }

    /// Rows staged so far.
    pub fn rows(&self) -> u64 {
        self.writer.rows()
    }

    /// Drops the staged rows (the file had bad rows): nothing was applied.
    pub fn discard(self) {
        let path = self.writer.path().to_path_buf();
        drop(self.writer);
        let _ = std::fs::remove_file(path);
    }
}

impl App {
    /// Whether an import run is being applied (or was cut short and not yet resumed).
    pub fn import_unfinished(&self) -> Result<bool> {
        Ok(self.store().meta::<ImportRun>(RUN)?.is_some())
    }

    /// Begins an import as `ctx.actor`: rows are staged in a scratch file in the database
    /// directory until `run_import` applies them.
    pub fn stage_import(&self, ctx: &Ctx) -> Result<ImportStage> {
        let actor = self.user(&ctx.actor)?;
        let import = format!("{}-{}", ctx.now, self.store().journal_len()? + 1);
        let writer = StagedWriter::create(staged_path(self.store().path(), &import))?;
        Ok(ImportStage {
            import,
            actor,
            writer,
            part: IMPORT_PART,
            stop_after: None,
        })
    }

    /// Applies every staged row, `IMPORT_PART` to a write (see the module). `progress` hears
    /// (rows applied, rows) after each part. Returns the rows applied. A row refused while
    /// applying undoes the run and is returned as `AppError::InBatch` whose `index` is the
    /// row's line in the file.
    pub fn run_import(
        &self,
        ctx: &Ctx,
        stage: ImportStage,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        let import = stage.import.clone();
        let how = Parts {
            rows: stage.part,
            stop_after: stage.stop_after,
        };
        let (_, rows) = stage.writer.finish()?;
        let run = {
            let _writer = self.store().lock();
            let run = ImportRun {
                import,
                rows,
                done: 0,
                keep: self.store().journal_len()?,
                undoing: false,
                actor: ctx.actor.clone(),
                today: ctx.today,
                now: ctx.now,
            };
            let mut txn = self.store().begin();
            txn.set_meta(RUN, Some(&run));
            txn.commit()?;
            self.store().flush()?;
            run
        };
        match self.apply_run(run.clone(), how, progress) {
            Ok(()) => Ok(rows),
            Err(e) => {
                self.undo_import(run)?;
                Err(e)
            }
        }
    }

    /// On open: finishes (or undoes) an import run cut short; `None` when there was none.
    pub(super) fn resume_import(&self) -> Result<Option<ResumedImport>> {
        let Some(run) = self.store().meta::<ImportRun>(RUN)? else {
            self.remove_stray_staged_files();
            return Ok(None);
        };
        let import = run.import.clone();
        let rows = run.rows;
        if run.undoing {
            self.undo_import(run)?;
            return Ok(Some(ResumedImport::Undone {
                import,
                rows,
                why: "its undo had been cut short".into(),
            }));
        }
        match self.apply_run(run.clone(), Parts::default(), &mut |_, _| {}) {
            Ok(()) => Ok(Some(ResumedImport::Finished { import, rows })),
            Err(e) => {
                self.undo_import(run)?;
                Ok(Some(ResumedImport::Undone {
                    import,
                    rows,
                    why: e.to_string(),
                }))
            }
        }
    }

    /// Staged files of runs that never began applying (a crash while a file was checked).
    fn remove_stray_staged_files(&self) {
        let Ok(dir) = std::fs::read_dir(self.store().path()) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("import-") && name.ends_with(".staged") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Applies the run's staged rows after those it has done, then its end mark.
    fn apply_run(
        &self,
        mut run: ImportRun,
        how: Parts,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<()> {
        let path = staged_path(self.store().path(), &run.import);
        let mut staged = StagedReader::open(&path)?;
        staged.skip(run.done)?;
        let ctx = run.ctx();
        let _writer = self.store().lock();
        let actor = self.user(&ctx.actor)?;
        let site_code = self.store().site_code()?;
        let mut parts = 0;
        loop {
            if how.stop_after == Some(parts) {
                return Ok(());
            }
            parts += 1;
            let mut part = Vec::with_capacity(how.rows);
            while part.len() < how.rows {
                match staged.next_row::<Mutation>()? {
                    Some(row) => part.push(row),
                    None => break,
                }
            }
            let last = part.is_empty() || run.done + part.len() as u64 >= run.rows;
            let mut txn = self.store().begin();
            if !part.is_empty() {
                run.done += part.len() as u64;
                apply_part(&mut txn, &ctx, &actor, site_code.as_deref(), part)?;
                let mark = Mutation::ImportPart {
                    import: run.import.clone(),
                    through: run.done,
                    rows: run.rows,
                };
                journal_mark(&mut txn, &ctx, &mark)?;
            }
            if last {
                let end = Mutation::ImportEnd {
                    import: run.import.clone(),
                    rows: run.rows,
                    undone: false,
                };
                journal_mark(&mut txn, &ctx, &end)?;
                txn.set_meta::<ImportRun>(RUN, None);
            } else {
                txn.set_meta(RUN, Some(&run));
            }
            txn.commit()?;
            // Each part is one atomic sled batch: a crash leaves the book at the end of some
            // part, its progress with it, and the run is finished from there on the next
            // open (sled writes its log out every half second meanwhile). Only the end waits
            // for the disk, before the import says it is done: a flush per part cost a sixth
            // of an import's time.
            if last {
                self.store().flush()?;
            }
            progress(run.done, run.rows);
            if last {
                break;
            }
        }
        self.book_changed();
        let _ = std::fs::remove_file(path);
        Ok(())
    }

    /// Takes a run back out: the journal cut back to where it began, the projections replayed
    /// (`rebase`), then the end mark. Each step is durable before the next, so an undo cut
    /// short is completed on the next open.
    fn undo_import(&self, mut run: ImportRun) -> Result<()> {
        if !run.undoing {
            run.undoing = true;
            let _writer = self.store().lock();
            let mut txn = self.store().begin();
            txn.set_meta(RUN, Some(&run));
            txn.commit()?;
            self.store().flush()?;
        }
        self.rebase(run.keep, &[])?;
        let ctx = run.ctx();
        {
            let _writer = self.store().lock();
            let mut txn = self.store().begin();
            let end = Mutation::ImportEnd {
                import: run.import.clone(),
                rows: run.rows,
                undone: true,
            };
            journal_mark(&mut txn, &ctx, &end)?;
            txn.set_meta::<ImportRun>(RUN, None);
            txn.commit()?;
            self.store().flush()?;
        }
        let _ = std::fs::remove_file(staged_path(self.store().path(), &run.import));
        Ok(())
    }
}

/// How a run is cut into parts.
#[derive(Clone, Copy)]
struct Parts {
    rows: usize,
    stop_after: Option<u64>,
}

impl Default for Parts {
    fn default() -> Parts {
        Parts {
            rows: IMPORT_PART,
            stop_after: None,
        }
    }
}

/// The header of the next entry of this site, as `ctx`.
fn next_header(txn: &Txn<'_>, ctx: &Ctx) -> Result<EntryHeader> {
    let (site, seq) = txn.next_origin()?;
    Ok(EntryHeader {
        site,
        seq,
        actor: ctx.actor.clone(),
        at: ctx.now,
        business_date: ctx.today,
    })
}

fn journal_mark(txn: &mut Txn<'_>, ctx: &Ctx, mark: &Mutation) -> Result<()> {
    let header = next_header(txn, ctx)?;
    execute::apply(txn, &header, mark)?;
    txn.append_journal(&header, mark)?;
    Ok(())
}

/// One part: every row checked, minted, journaled and applied in `txn`. Payments are applied
/// a contract at a time (`ledger::record_payments`): the same projections as one by one,
/// without reading and writing a contract once per payment.
fn apply_part(
    txn: &mut Txn<'_>,
    ctx: &Ctx,
    actor: &User,
    site_code: Option<&str>,
    rows: Vec<(u64, Mutation)>,
) -> Result<()> {
    let mut entries = Vec::with_capacity(rows.len());
    // The part's entries take this site's next seqs in turn (`append_journal` moves the
    // site's seq on as each is journaled).
    let (site, first) = txn.next_origin()?;
    for (seq, (line, mut mutation)) in (first..).zip(rows) {
        let at = |error: AppError| in_row(line, error);
        permissions::check(&*txn, actor, &mutation).map_err(at)?;
        mutation.check_input().map_err(at)?;
        if let Some((kind, slot)) = mutation.new_id() {
            let n = txn.mint(kind.counter())?;
            *slot = kind.format(site_code, n);
        }
        let header = EntryHeader {
            site,
            seq,
            actor: ctx.actor.clone(),
            at: ctx.now,
            business_date: ctx.today,
        };
        // Journaled first, so the next row's header takes the next seq; the part commits
        // all or nothing, so a row refused below journals nothing.
        txn.append_journal(&header, &mutation)?;
        entries.push((line, header, mutation));
    }
    let payments_only = entries
        .iter()
        .all(|(_, _, m)| matches!(m, Mutation::RecordPayment { .. }));
    if !payments_only {
        for (line, header, mutation) in &entries {
            execute::apply(txn, header, mutation).map_err(|e| in_row(*line, e))?;
        }
        return Ok(());
    }
    // Each contract's payments in the file's order, contracts in the order first met.
    let mut order: Vec<&str> = Vec::new();
    let mut by_contract: HashMap<&str, Vec<(u64, &EntryHeader, &Mutation)>> = HashMap::new();
    for (line, header, mutation) in &entries {
        if let Mutation::RecordPayment { contract, .. } = mutation {
            let group = by_contract.entry(contract.as_str()).or_insert_with(|| {
                order.push(contract.as_str());
                Vec::new()
            });
            group.push((*line, header, mutation));
        }
    }
    for contract in order {
        let group = &by_contract[contract];
        let items: Vec<(&EntryHeader, &Mutation)> =
            group.iter().map(|(_, h, m)| (*h, *m)).collect();
        ledger::record_payments(txn, contract, &items).map_err(|e| in_row(group[0].0, e))?;
    }
    Ok(())
}

/// A refusal of the row at `line` of the file.
fn in_row(line: u64, error: AppError) -> AppError {
    AppError::InBatch {
        index: usize::try_from(line).unwrap_or(usize::MAX),
        error: Box::new(error),
    }
}
