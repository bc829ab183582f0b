//! The staged rows of an import run: a scratch file beside the database (`import-ID.staged`)
//! holding every checked row as `(line, value)` in bincode, each record led by its length (u32,
//! little endian). Written once, in the file's order, before any row is applied; read back a
//! part at a time — by the run, or on the next open to finish a run cut short. Owns that
//! file's bytes; must not touch sled or the journal.

use super::{Result, StoreError, decode_value, encode_value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The staged file of import `import` in the database directory `db`.
pub fn staged_path(db: &Path, import: &str) -> PathBuf {
    db.join(format!("import-{import}.staged"))
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Staged(format!("{}: {e}", path.display()))
}

/// Writes the rows of a run, one record each.
pub struct StagedWriter {
    path: PathBuf,
    out: BufWriter<File>,
    rows: u64,
}

impl StagedWriter {
    /// Creates (or empties) the file at `path`, readable by its owner only.
    pub fn create(path: PathBuf) -> Result<StagedWriter> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|e| io(&path, e))?;
        Ok(StagedWriter {
            path,
            out: BufWriter::with_capacity(1 << 16, file),
            rows: 0,
        })
    }

    pub fn push<T: Serialize>(&mut self, line: u64, value: &T) -> Result<()> {
        let bytes = encode_value(&(line, value));
        let len = u32::try_from(bytes.len())
            .map_err(|_| StoreError::Staged("a row of more than 4 GB".into()))?;
        self.out
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.out.write_all(&bytes))
            .map_err(|e| io(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every row durable; returns the file's path and its rows.
    pub fn finish(self) -> Result<(PathBuf, u64)> {
        let path = self.path;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io(&path, e.into_error()))?;
        file.sync_all().map_err(|e| io(&path, e))?;
        Ok((path, self.rows))
    }
}

/// Reads the rows of a staged file back, in order.
pub struct StagedReader {
    path: PathBuf,
    input: BufReader<File>,
    buf: Vec<u8>,
}

impl StagedReader {
    pub fn open(path: &Path) -> Result<StagedReader> {
        let file = File::open(path).map_err(|e| io(path, e))?;
        Ok(StagedReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 16, file),
            buf: Vec::new(),
        })
    }

    /// The next record's bytes; `None` at the end of the file.
    fn next_bytes(&mut self) -> Result<Option<&[u8]>> {
        let mut len = [0u8; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io(&self.path, e)),
        }
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.input
            .read_exact(&mut self.buf)
            .map_err(|e| io(&self.path, e))?;
        Ok(Some(&self.buf))
    }

    /// Passes over `rows` records (a run resumed after the rows it had applied).
    pub fn skip(&mut self, rows: u64) -> Result<()> {
        for _ in 0..rows {
            if self.next_bytes()?.is_none() {
                return Err(StoreError::Staged(format!(
                    "{}: ends before the rows already applied",
                    self.path.display()
                )));
            }
        }
        Ok(())
    }

    /// The next row and its line; `None` at the end of the file.
    pub fn next_row<T: DeserializeOwned>(&mut self) -> Result<Option<(u64, T)>> {
        match self.next_bytes()? {
            Some(bytes) => Ok(Some(decode_value(bytes)?)),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_in_order_and_resume_after_a_skip() {
        let dir = tempfile::tempdir().unwrap();
        let path = staged_path(dir.path(), "7");
        let mut w = StagedWriter::create(path.clone()).unwrap();
        for i in 0..1000u64 {
            w.push(i + 2, &format!("row {i}")).unwrap();
        }
        let (path, rows) = w.finish().unwrap();
        assert_eq!(rows, 1000);
        let mut r = StagedReader::open(&path).unwrap();
        assert_eq!(r.next_row::<String>().unwrap(), Some((2, "row 0".into())));
        r.skip(500).unwrap();
        assert_eq!(
            r.next_row::<String>().unwrap(),
            Some((503, "row 501".into()))
        );
        let mut r = StagedReader::open(&path).unwrap();
        assert!(r.skip(1001).is_err());
    }
}
