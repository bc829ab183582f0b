//! Backup files: a consistent copy of every key and value of the database, versioned and
//! checksummed, and the database made again from one.
//!
//! A backup file is the 15 bytes `DUEDESK-BACKUP\n`, the format (u32, big-endian; this is
//! format `FORMAT`) and the schema of the database it was taken from (u32), then a zstd
//! stream (with zstd's own checksum) of records `key length (u32), key, value length (u32),
//! value`, ended by `u32::MAX`, the number of records (u64) and the CRC-32 of the header and
//! every record before it (u32). A file cut short has no end; a changed byte fails a
//! checksum; either is refused before anything is written.

use super::{SCHEMA_VERSION, Store, files};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// What every backup file begins with.
pub const MAGIC: &[u8; 15] = b"DUEDESK-BACKUP\n";
/// The backup format this duedesk writes and reads.
pub const FORMAT: u32 = 1;
/// The record length that ends the records.
const END: u32 = u32::MAX;
/// Records written to the new database in one batch.
const RESTORE_PART: usize = 10_000;

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Keys, the journal's included.
    pub keys: u64,
    /// Journal entries.
    pub journal: u64,
    /// The schema of the database it was taken from.
    pub schema: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{file}: not a duedesk backup file")]
    NotABackup { file: PathBuf },
    #[error(
        "{file}: backup format {found}, newer than this duedesk reads ({FORMAT}); restore it with a newer duedesk"
    )]
    NewerFormat { file: PathBuf, found: u32 },
    #[error(
        "{file}: backup of a database with schema version {found}, newer than this duedesk understands ({SCHEMA_VERSION}); restore it with a newer duedesk"
    )]
    NewerSchema { file: PathBuf, found: u32 },
    #[error(
        "{file}: the backup is cut short (truncated); nothing was restored: take the backup again"
    )]
    Truncated { file: PathBuf },
    #[error("{file}: the backup is corrupted ({why}); nothing was restored: take the backup again")]
    Corrupted { file: PathBuf, why: String },
    #[error(
        "{path} already exists; restore makes a new database: name a directory that does not exist"
    )]
    Exists { path: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a backup of every key and value of `store` to `out`. The caller holds the writer
/// lock, so no change lands while it reads: the copy is of one moment.
pub fn write(store: &Store, out: &mut dyn Write) -> super::Result<Summary> {
    let io = |e: io::Error| super::StoreError::Journal(format!("writing the backup: {e}"));
    let schema = store.schema_version()?;
    let mut header = MAGIC.to_vec();
    header.extend_from_slice(&FORMAT.to_be_bytes());
    header.extend_from_slice(&schema.to_be_bytes());
    out.write_all(&header).map_err(io)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&header);
    let mut zstd = zstd::stream::Encoder::new(BufWriter::new(out), 3).map_err(io)?;
    zstd.include_checksum(true).map_err(io)?;
    let mut summary = Summary {
        keys: 0,
        journal: 0,
        schema,
    };
    let journal = super::Space::Journal.prefix();
    for kv in store.tree.iter() {
        let (k, v) = kv?;
        for part in [&k[..], &v[..]] {
            let len = (part.len() as u32).to_be_bytes();
            crc.update(&len);
            crc.update(part);
            zstd.write_all(&len).map_err(io)?;
            zstd.write_all(part).map_err(io)?;
        }
        summary.keys += 1;
        if k.starts_with(journal) {
            summary.journal += 1;
        }
    }
    zstd.write_all(&END.to_be_bytes()).map_err(io)?;
    zstd.write_all(&summary.keys.to_be_bytes()).map_err(io)?;
    zstd.write_all(&crc.finalize().to_be_bytes()).map_err(io)?;
    zstd.finish().map_err(io)?.flush().map_err(io)?;
    Ok(summary)
}

/// Reads a backup file through, checking it, and hands each (key, value) to `each`.
fn read(file: &Path, mut each: impl FnMut(Vec<u8>, Vec<u8>)) -> Result<Summary, BackupError> {
    let mut input = BufReader::new(std::fs::File::open(file).map_err(io_at(file))?);
    let mut header = Vec::with_capacity(23);
    (&mut input)
        .take(23)
        .read_to_end(&mut header)
        .map_err(io_at(file))?;
    let truncated = || BackupError::Truncated {
        file: file.to_path_buf(),
    };
    if header.len() < 23 {
        let magic = &header[..header.len().min(15)];
        return Err(if !header.is_empty() && MAGIC.starts_with(magic) {
            truncated()
        } else {
            BackupError::NotABackup {
                file: file.to_path_buf(),
            }
        });
    }
    if &header[..15] != MAGIC {
        return Err(BackupError::NotABackup {
            file: file.to_path_buf(),
        });
    }
    let format = u32::from_be_bytes(header[15..19].try_into().expect("4 bytes"));
    if format > FORMAT {
        return Err(BackupError::NewerFormat {
            file: file.to_path_buf(),
            found: format,
        });
    }
    let schema = u32::from_be_bytes(header[19..23].try_into().expect("4 bytes"));
    if schema > SCHEMA_VERSION {
        return Err(BackupError::NewerSchema {
            file: file.to_path_buf(),
            found: schema,
        });
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&header);
    let corrupted = |why: String| BackupError::Corrupted {
        file: file.to_path_buf(),
        why,
    };
    // zstd's errors: a stream that ends early is a file cut short; anything else a
    // changed byte (zstd's checksum, or a frame that does not decode).
    let classify = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            truncated()
        } else {
            corrupted(e.to_string())
        }
    };
    let mut zstd = zstd::stream::Decoder::new(input).map_err(io_at(file))?;
    let mut summary = Summary {
        keys: 0,
        journal: 0,
        schema,
    };
    let journal = super::Space::Journal.prefix();
    let read_part = |zstd: &mut dyn Read, crc: &mut crc32fast::Hasher| {
        let mut len = [0u8; 4];
        zstd.read_exact(&mut len).map_err(classify)?;
        let n = u32::from_be_bytes(len);
        if n == END {
            return Ok(None);
        }
        // No key or value of duedesk's is near this; a length past it is a changed byte.
        if n > 1 << 30 {
            return Err(corrupted(format!("a record of {n} bytes")));
        }
        let mut bytes = vec![0u8; n as usize];
        zstd.read_exact(&mut bytes).map_err(classify)?;
        crc.update(&len);
        crc.update(&bytes);
        Ok(Some(bytes))
    };
    while let Some(key) = read_part(&mut zstd, &mut crc)? {
        let Some(value) = read_part(&mut zstd, &mut crc)? else {
            return Err(corrupted("a key without its value".into()));
        };
        summary.keys += 1;
        if key.starts_with(journal) {
            summary.journal += 1;
        }
        each(key, value);
    }
    let mut end = [0u8; 12];
    zstd.read_exact(&mut end).map_err(classify)?;
    let count = u64::from_be_bytes(end[..8].try_into().expect("8 bytes"));
    let sum = u32::from_be_bytes(end[8..].try_into().expect("4 bytes"));
    if count != summary.keys {
        return Err(corrupted(format!(
            "{} records where its end says {count}",
            summary.keys
        )));
    }
    if sum != crc.finalize() {
        return Err(corrupted("checksum mismatch".into()));
    }
    // Nothing may follow the end: zstd's frame ends here (and checks its own checksum).
    let mut rest = [0u8; 1];
    match zstd.read(&mut rest).map_err(classify)? {
        0 => {}
        _ => return Err(corrupted("bytes after its end".into())),
    }
    Ok(summary)
}

/// Checks a backup file from its first byte to its last, writing nothing.
pub fn verify(file: &Path) -> Result<Summary, BackupError> {
    read(file, |_, _| {})
}

/// Makes a new database at `db` from the backup `file`: refused if `db` exists; the file is
/// checked through first, so a corrupted or truncated one changes nothing.
pub fn restore(file: &Path, db: &Path) -> Result<Summary, BackupError> {
    if db.exists() {
        return Err(BackupError::Exists {
            path: db.to_path_buf(),
        });
    }
    let checked = verify(file)?;
    files::create_private_dir(db).map_err(io_at(db))?;
    let written = write_new(file, db);
    if written.is_err() {
        // The directory is this restore's own: take it away again.
        let _ = std::fs::remove_dir_all(db);
    }
    let summary = written?;
    if summary != checked {
        let _ = std::fs::remove_dir_all(db);
        return Err(BackupError::Corrupted {
            file: file.to_path_buf(),
            why: "it changed while it was restored".into(),
        });
    }
    Ok(summary)
}

fn write_new(file: &Path, db: &Path) -> Result<Summary, BackupError> {
    let sled_db = super::open_sled(db).map_err(|source| super::StoreError::Open {
        path: db.to_path_buf(),
        source,
    })?;
    let tree = sled_db
        .open_tree("duedesk")
        .map_err(super::StoreError::from)?;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    let mut failed = None;
    let summary = read(file, |k, v| {
        if failed.is_some() {
            return;
        }
        batch.insert(k, v);
        in_batch += 1;
        if in_batch == RESTORE_PART {
            if let Err(e) = tree.apply_batch(std::mem::take(&mut batch)) {
                failed = Some(e);
            }
            in_batch = 0;
        }
    })?;
    if let Some(e) = failed {
        return Err(super::StoreError::from(e).into());
    }
    tree.apply_batch(batch).map_err(super::StoreError::from)?;
    sled_db.flush().map_err(super::StoreError::from)?;
    drop(tree);
    drop(sled_db);
    files::make_private(db).map_err(io_at(db))?;
    Ok(summary)
}
