//! OpenSSH's client for tests: whether it is installed (said loudly when not), keys made by
//! `ssh-keygen`, and the options that make `ssh` ask nothing of a person.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether OpenSSH's `ssh` and `ssh-keygen` are installed; says so loudly when not, naming
/// `what` was skipped.
pub fn has_openssh(what: &str) -> bool {
    let has = |tool: &str| Command::new(tool).arg("-V").output().is_ok();
    if !has("ssh") || !has("ssh-keygen") {
        let line = format!("!!! SKIPPED: {what} — `ssh`/`ssh-keygen` not installed.");
        let bar = "!".repeat(line.chars().count() + 4);
        eprintln!(
            "\n{bar}\n{line}\n!!! Install openssh-client (CI's .ci/run does) to run it.\n{bar}\n"
        );
        return false;
    }
    true
}

/// A new ed25519 key pair made by `ssh-keygen` in `dir` (`id_NAME`, no passphrase): its
/// private key's path and its public line.
pub fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(format!("id_{name}"));
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "ssh-keygen failed");
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    (path, public)
}

/// `ssh`'s options for a test: no host key checks or questions, only the key given, quiet.
pub const OPTIONS: [&str; 12] = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=10",
];

/// `ssh -i KEY` with `OPTIONS`, as one command line (`--ssh-command`, `DUEDESK_SSH`).
pub fn ssh_command(key: &Path) -> String {
    format!("ssh -i {} {}", key.display(), OPTIONS.join(" "))
}

/// `ssh -i KEY OPTIONS -p PORT USER@127.0.0.1`, to add the remote command to.
pub fn ssh(key: &Path, port: u16, user: &str) -> Command {
    let mut ssh = Command::new("ssh");
    ssh.arg("-i").arg(key).args(OPTIONS).args([
        "-p",
        &port.to_string(),
        &format!("{user}@127.0.0.1"),
    ]);
    ssh
}
