//! An SSH client for tests and the benchmark (russh's, in-process): log in with a key,
//! open a terminal session and read what it draws through a vt100 emulator, or run a
//! command. Every wait has a timeout.
#![allow(dead_code)]

use russh::client;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Trust;

impl client::Handler for Trust {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

pub fn new_key() -> PrivateKey {
    PrivateKey::random(
        &mut russh::keys::key::safe_rng(),
        russh::keys::Algorithm::Ed25519,
    )
    .unwrap()
}

/// Logs in; `Err` with a reason when the server refuses.
pub async fn login(
    addr: SocketAddr,
    user: &str,
    key: &PrivateKey,
) -> Result<client::Handle<Trust>, String> {
    let config = Arc::new(client::Config {
        nodelay: true,
        ..Default::default()
    });
    let connect = client::connect(config, addr, Trust);
    let mut handle = tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let auth = handle.authenticate_publickey(
        user,
        PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None),
    );
    let result = tokio::time::timeout(Duration::from_secs(10), auth)
        .await
        .map_err(|_| "authentication timed out".to_string())?
        .map_err(|e| format!("authentication: {e}"))?;
    if result.success() {
        Ok(handle)
    } else {
        Err("refused".into())
    }
}

/// Runs one command: (exit status, stdout, stderr).
pub async fn exec(
    addr: SocketAddr,
    user: &str,
    key: &PrivateKey,
    command: &str,
) -> (Option<u32>, String, String) {
    let (status, out, err) = exec_bytes(addr, user, key, command).await;
    (status, String::from_utf8_lossy(&out).into_owned(), err)
}

/// An interactive session as a terminal shows it.
pub struct Term {
    pub handle: client::Handle<Trust>,
    pub channel: russh::Channel<client::Msg>,
    pub parser: vt100::Parser,
    /// Bytes received on the channel so far.
    pub received: usize,
    pub exit: Option<u32>,
    pub closed: bool,
}

impl Term {
    pub async fn open(
        addr: SocketAddr,
        user: &str,
        key: &PrivateKey,
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Result<Term, String> {
        let handle = login(addr, user, key).await?;
        let channel = handle
            .channel_open_session()
            .await
            .map_err(|e| format!("session: {e}"))?;
        for (k, v) in env {
            channel
                .set_env(false, *k, *v)
                .await
                .map_err(|e| format!("env: {e}"))?;
        }
        channel
            .request_pty(false, "xterm-256color", cols as u32, rows as u32, 0, 0, &[])
            .await
            .map_err(|e| format!("pty: {e}"))?;
        channel
            .request_shell(false)
            .await
            .map_err(|e| format!("shell: {e}"))?;
        Ok(Term {
            handle,
            channel,
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            received: 0,
            exit: None,
            closed: false,
        })
    }

    pub async fn send(&self, bytes: &[u8]) {
        self.channel.data(bytes).await.expect("send keys");
    }

    pub async fn resize(&mut self, cols: u16, rows: u16) {
        self.channel
            .window_change(cols as u32, rows as u32, 0, 0)
            .await
            .expect("window change");
        self.parser
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
    }

    /// Handles one message if one comes within `timeout`; false on timeout or close.
    pub async fn read_once(&mut self, timeout: Duration) -> bool {
        if self.closed {
            return false;
        }
        match tokio::time::timeout(timeout, self.channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => {
                self.received += data.len();
                self.parser.process(&data);
                true
            }
            Ok(Some(ChannelMsg::ExitStatus { exit_status })) => {
                self.exit = Some(exit_status);
                true
            }
            Ok(Some(ChannelMsg::Close)) | Ok(None) => {
                self.closed = true;
                false
            }
            Ok(Some(_)) => true,
            Err(_) => false,
        }
    }

    /// Reads until nothing more arrives for `quiet`.
    pub async fn settle(&mut self, quiet: Duration) {
        while self.read_once(quiet).await {}
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Reads until the screen satisfies `pred`; panics with the screen after `timeout`.
    pub async fn wait_for(&mut self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            if pred(&self.screen()) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || (!self.read_once(left).await && self.closed) {
                break;
            }
        }
        assert!(
            pred(&self.screen()),
            "waited {timeout:?} for {what}; the screen shows:\n{}",
            self.screen()
        );
    }

    /// Waits for the text to appear on screen.
    pub async fn expect(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(text, Duration::from_secs(10), move |s| s.contains(&t))
            .await;
    }

    /// Reads until the session closes (after a quit); returns the exit status.
    pub async fn wait_closed(&mut self, timeout: Duration) -> Option<u32> {
        let deadline = Instant::now() + timeout;
        while !self.closed && Instant::now() < deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            self.read_once(left).await;
        }
        assert!(self.closed, "the session did not close within {timeout:?}");
        self.exit
    }
}

/// A terminal dimension for vt100: a size of 0 stands for 1.
fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).expect("at least 1")
}

/// The address `duedesk serve` prints on its first line: `duedesk serve: DB on ADDR (pid N)`.
pub fn served_address(first_line: &str) -> SocketAddr {
    first_line
        .split(" on ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first_line:?}"))
}

/// Runs one command and keeps its output as bytes: (exit status, stdout, stderr).
pub async fn exec_bytes(
    addr: SocketAddr,
    user: &str,
    key: &PrivateKey,
    command: &str,
) -> (Option<u32>, Vec<u8>, String) {
    let handle = login(addr, user, key).await.expect("login");
    let mut channel = handle.channel_open_session().await.expect("session");
    channel.exec(true, command).await.expect("exec");
    let (mut status, mut out, mut err) = (None, Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => out.extend_from_slice(&data),
            Ok(Some(ChannelMsg::ExtendedData { data, .. })) => err.extend_from_slice(&data),
            Ok(Some(ChannelMsg::ExitStatus { exit_status })) => status = Some(exit_status),
            Ok(Some(ChannelMsg::Close)) | Ok(None) => break,
            Ok(Some(_)) => {}
            Err(_) => panic!("command {command:?} did not finish in 60 s"),
        }
    }
    let _ = handle.disconnect(Disconnect::ByApplication, "", "").await;
    (status, out, String::from_utf8_lossy(&err).into_owned())
}
