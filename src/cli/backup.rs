//! `backup` and `restore`: a consistent copy of the book in one file, and a new database
//! made from one (`store::backup`).

use super::{Done, Failure};
use crate::app::{App, Ctx};
use crate::store::backup::{self, Summary};
use std::io::Write;
use std::path::Path;

fn said(summary: &Summary) -> String {
    format!(
        "{} keys, {} journal entries, schema {}, backup format {}",
        summary.keys,
        summary.journal,
        summary.schema,
        backup::FORMAT
    )
}

/// `backup FILE`: written beside FILE first and renamed over it once whole, so FILE is
/// never half a backup. `backup` or `backup -` writes it to standard output (what `ssh …
/// backup > FILE` saves), and refuses a terminal.
pub fn backup(app: &App, ctx: &Ctx, file: Option<&Path>) -> Done {
    let Some(file) = file.filter(|f| f.as_os_str() != "-") else {
        use std::io::IsTerminal;
        if !super::output::is_process_stdout() {
            // Over SSH the server streams it (`ssh::server`); never this process's stdout.
            return Err(Failure::usage(
                "backup: over SSH run `backup` on its own: ssh -p PORT USER@HOST backup > FILE"
                    .into(),
            ));
        }
        if std::io::stdout().is_terminal() {
            return Err(Failure::usage(
                "backup: name the file to write (standard output is a terminal)".into(),
            ));
        }
        let mut out = std::io::stdout().lock();
        let summary = app.backup(ctx, &mut out)?;
        out.flush()
            .map_err(|e| format!("backup: standard output: {e}"))?;
        errln!("backup written: {}", said(&summary));
        return Ok(());
    };
    let mut partial = file.as_os_str().to_os_string();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = (|| -> Result<Summary, Failure> {
        let mut out = std::fs::File::create(&partial)
            .map_err(|e| format!("backup: cannot write {}: {e}", partial.display()))?;
        let summary = app.backup(ctx, &mut out)?;
        out.sync_all()
            .map_err(|e| format!("backup: cannot write {}: {e}", partial.display()))?;
        std::fs::rename(&partial, file)
            .map_err(|e| format!("backup: cannot write {}: {e}", file.display()))?;
        Ok(summary)
    })();
    match written {
        Ok(summary) => {
            outln!("backup written to {}: {}", file.display(), said(&summary));
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// `restore FILE --db DIR`: a new database at DIR from the backup, refused over an existing
/// one; the file is checked through before anything is written.
pub fn restore(file: &Path, db: &Path) -> Done {
    let summary = backup::restore(file, db).map_err(|e| format!("restore: {e}"))?;
    // Opened once: an older schema is migrated now, and the book answers.
    let app = App::open(db)?;
    drop(app);
    outln!(
        "restored {} into {}: {}",
        file.display(),
        db.display(),
        said(&summary)
    );
    Ok(())
}
