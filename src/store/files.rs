//! The database's files on disk: who may read them. The book holds customers' id numbers
//! and phone numbers, so the directory is created 0700 and its files 0600, and a directory
//! that others can read is reported at start (`exposed`) with the command that fixes it.

use std::path::Path;

/// Creates the database directory (and missing parents) readable by its owner only.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Makes every file under `dir` readable and writable by its owner only (directories 0700):
/// for a database just created, whose files sled made with the process's umask.
pub fn make_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                continue;
            }
            let mode = if kind.is_dir() { 0o700 } else { 0o600 };
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))?;
            if kind.is_dir() {
                make_private(&entry.path())?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A warning when other users of this machine can read or enter the database directory:
/// `… can be read by other users of this machine (mode 0755) …; chmod 700 PATH`.
pub fn exposed(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "warning: database {} can be read by other users of this machine (mode {mode:04o}) and holds customers' id numbers; fix it with: chmod 700 {}",
                dir.display(),
                dir.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_directory_is_private_and_an_open_one_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/db");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(exposed(&dir), None);
        std::fs::write(dir.join("conf"), "x").unwrap();
        std::fs::create_dir(dir.join("blobs")).unwrap();
        std::fs::write(dir.join("blobs/1"), "x").unwrap();
        std::fs::set_permissions(dir.join("conf"), std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&dir).unwrap();
        assert_eq!(mode(&dir.join("conf")), 0o600);
        assert_eq!(mode(&dir.join("blobs")), 0o700);
        assert_eq!(mode(&dir.join("blobs/1")), 0o600);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let warning = exposed(&dir).unwrap();
        assert!(
            warning.contains("mode 0755") && warning.contains("chmod 700"),
            "{warning}"
        );
    }
}
