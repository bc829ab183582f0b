//! The SSH server: host key, public-key authentication mapped to duedesk users, the failed
//! attempts limit, the audit of logins, and per channel either an interactive session
//! (`session`) or one command (`cli::exec`).
//!
//! Owns: russh, the connection handlers, output pumps. Must not touch: business rules
//! (the app decides), screens (ui/ draws them).

use super::session::{self, Input, Output, OutputSink, SessionSpec};
use crate::app::{App, Ctx, Mutation, SessionEvent};
use crate::ui::{self, Settings};
use anyhow::Context as _;
use russh::keys::{HashAlg, PrivateKey, PublicKey};
use russh::server::{Auth, Msg, PublicKeyOffer, Server as _, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelWriteHalf, MethodKind, MethodSet};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failed attempts from one address within `FAILURE_WINDOW` before it is refused.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Defaults when the config does not say.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_MAX_SESSIONS: usize = 200;

/// How the server runs.
#[derive(Clone)]
pub struct ServeOptions {
    pub listen: String,
    /// The host key file; generated (mode 0600) when missing.
    pub host_key: PathBuf,
    pub config: ui::config::Config,
    pub ui: ui::UiOptions,
    /// The business date sessions act on; `None`: each session's local date.
    pub today: Option<chrono::NaiveDate>,
}

/// The host key file beside a database.
pub fn host_key_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".host_ed25519");
    db.with_file_name(name)
}

/// Loads the host key, or generates an ed25519 key and writes it with mode 0600.
pub fn load_or_create_host_key(path: &Path) -> anyhow::Result<PrivateKey> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("host key {} cannot be read", path.display()))?;
        return PrivateKey::from_openssh(text.as_bytes())
            .with_context(|| format!("host key {} is not an OpenSSH private key", path.display()));
    }
    let key = PrivateKey::random(
        &mut russh::keys::key::safe_rng(),
        russh::keys::Algorithm::Ed25519,
    )
    .context("cannot generate a host key")?;
    let text = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .context("cannot encode the host key")?;
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create host key {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(key)
}

/// The SHA256 fingerprint of a public key, as `ssh-keygen -l` shows it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// What every connection shares.
struct Shared {
    app: Arc<App>,
    opts: ServeOptions,
    settings: Settings,
    idle_timeout: Duration,
    max_sessions: usize,
    sessions: AtomicUsize,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl Shared {
    fn today(&self) -> chrono::NaiveDate {
        self.opts
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    fn refused_address(&self, ip: IpAddr) -> bool {
        let mut failures = self.failures.lock().expect("failures lock");
        let list = failures.entry(ip).or_default();
        list.retain(|t| t.elapsed() < FAILURE_WINDOW);
        list.len() >= MAX_FAILURES
    }

    fn record_failure(&self, ip: IpAddr) {
        let mut failures = self.failures.lock().expect("failures lock");
        // Bounded: forget addresses whose failures are old.
        if failures.len() > 10_000 {
            failures.retain(|_, l| l.iter().any(|t| t.elapsed() < FAILURE_WINDOW));
        }
        failures.entry(ip).or_default().push(Instant::now());
    }

    /// Journals a login or logout for the audit trail.
    fn audit(&self, user: &str, event: SessionEvent, peer: SocketAddr) {
        let ctx = Ctx::new(user, self.today(), chrono::Utc::now().timestamp());
        let m = Mutation::Session {
            user: user.to_string(),
            event,
            peer: peer.to_string(),
        };
        if let Err(e) = self.app.execute(&ctx, m) {
            eprintln!("duedesk serve: {user} {} not recorded: {e}", event.name());
        }
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    /// The host key's SHA256 fingerprint.
    pub fingerprint: String,
    handle: russh::server::RunningServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, disconnects the clients and waits (a few seconds at most).
    pub async fn stop(self) {
        self.handle.shutdown("duedesk serve is stopping".into());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Starts serving `app` on `opts.listen` (use port 0 for any free port).
pub async fn start(app: Arc<App>, opts: ServeOptions) -> anyhow::Result<Running> {
    let host_key = load_or_create_host_key(&opts.host_key)?;
    let host_fingerprint = fingerprint(host_key.public_key());
    let settings = Settings::resolve(&opts.ui)?;
    let idle_timeout = opts
        .config
        .ssh_idle_timeout_secs
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_IDLE_TIMEOUT);
    let max_sessions = opts.config.ssh_max_sessions.unwrap_or(DEFAULT_MAX_SESSIONS);
    let mut methods = MethodSet::empty();
    methods.push(MethodKind::PublicKey);
    let config = Arc::new(russh::server::Config {
        methods,
        keys: vec![host_key],
        auth_rejection_time: Duration::from_millis(300),
        auth_rejection_time_initial: Some(Duration::ZERO),
        // Sessions time out on their own clock (no input); this only drops dead links.
        inactivity_timeout: Some(idle_timeout + Duration::from_secs(60)),
        keepalive_interval: Some(Duration::from_secs(60)),
        nodelay: true,
        ..Default::default()
    });
    let listener = tokio::net::TcpListener::bind(&opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        app,
        opts,
        settings,
        idle_timeout,
        max_sessions,
        sessions: AtomicUsize::new(0),
        failures: Mutex::new(HashMap::new()),
    });
    let (handle_tx, handle_rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let mut server = Server { shared };
        let running = server.run_on_socket(config, &listener);
        let _ = handle_tx.send(running.handle());
        running.await
    });
    let handle = handle_rx
        .await
        .context("the server stopped as it started")?;
    Ok(Running {
        addr,
        fingerprint: host_fingerprint,
        handle,
        task,
    })
}

struct Server {
    shared: Arc<Shared>,
}

impl russh::server::Server for Server {
    type Handler = Handler;
    fn new_client(&mut self, peer: Option<SocketAddr>) -> Handler {
        Handler {
            shared: self.shared.clone(),
            peer: peer.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
            user: None,
            channels: HashMap::new(),
        }
    }
}

/// A channel's state until its shell or command starts.
#[derive(Default)]
struct ChannelState {
    write: Option<ChannelWriteHalf<Msg>>,
    cols: u16,
    rows: u16,
    env: Vec<(String, String)>,
    input: Option<std::sync::mpsc::Sender<Input>>,
}

struct Handler {
    shared: Arc<Shared>,
    peer: SocketAddr,
    /// The duedesk user the key logged in as.
    user: Option<String>,
    channels: HashMap<ChannelId, ChannelState>,
}

impl Handler {
    /// The user a key logs in as, if the key is known, its owner is `name` and may log in.
    fn owner(&self, name: &str, key: &PublicKey) -> Result<String, String> {
        let fp = fingerprint(key);
        let owner = match self.shared.app.key_owner(&fp) {
            Ok(Some(k)) => k.user,
            Ok(None) => return Err(format!("unknown key {fp}")),
            Err(e) => return Err(format!("key lookup failed: {e}")),
        };
        if owner != name {
            return Err(format!("key {fp} belongs to {owner}, not {name}"));
        }
        self.shared
            .app
            .user(&owner)
            .map_err(|e| format!("{owner} may not log in: {e}"))?;
        Ok(owner)
    }

    fn refuse(&self, why: &str) -> Auth {
        eprintln!("duedesk serve: refused {} from {}", why, self.peer);
        self.shared.record_failure(self.peer.ip());
        Auth::reject()
    }

    fn start_shell(&mut self, id: ChannelId) -> Result<(), String> {
        let user = self.user.clone().ok_or("not logged in")?;
        let shared = self.shared.clone();
        let state = self.channels.get_mut(&id).ok_or("no such channel")?;
        let write = state
            .write
            .take()
            .ok_or("the channel already runs something")?;
        let taken = shared.sessions.fetch_add(1, Ordering::AcqRel);
        if taken >= shared.max_sessions {
            shared.sessions.fetch_sub(1, Ordering::AcqRel);
            let message = format!(
                "duedesk: the server is full ({} sessions); try again later\r\n",
                shared.max_sessions
            );
            tokio::spawn(async move {
                let _ = write.extended_data_bytes(1, message.into_bytes()).await;
                let _ = write.exit_status(1).await;
                let _ = write.eof().await;
                let _ = write.close().await;
            });
            return Ok(());
        }
        let settings = session::settings_for(
            &shared.settings,
            &shared.opts.ui,
            &shared.opts.config,
            &state.env,
        )
        .map_err(|e| e.to_string())?;
        let (cols, rows) = if state.cols == 0 {
            terminal_size(0, 0)
        } else {
            (state.cols, state.rows)
        };
        let (input_tx, input_rx) = std::sync::mpsc::channel();
        state.input = Some(input_tx);
        let (out_tx, out_rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = OutputSink {
            tx: out_tx,
            pending: Arc::new(AtomicUsize::new(0)),
        };
        tokio::spawn(pump(out_rx, sink.pending.clone(), write));
        let spec = SessionSpec {
            app: shared.app.clone(),
            user: user.clone(),
            today: shared.today(),
            settings,
            depth: session::colour_depth(&state.env),
            cols,
            rows,
            idle_timeout: shared.idle_timeout,
        };
        let spawned = std::thread::Builder::new()
            .name(format!("ssh-{user}"))
            .spawn(move || {
                let sessions = SessionSlot(shared);
                if let Err(e) = session::run(spec, input_rx, sink.clone()) {
                    eprintln!("duedesk serve: session of {user} stopped: {e:#}");
                    let _ = sink.tx.send(Output::Exit(1));
                }
                drop(sessions);
            });
        if let Err(e) = spawned {
            return Err(format!("cannot start a session thread: {e}"));
        }
        Ok(())
    }

    fn start_exec(&mut self, id: ChannelId, command: &[u8]) -> Result<(), String> {
        let user = self.user.clone().ok_or("not logged in")?;
        let state = self.channels.get_mut(&id).ok_or("no such channel")?;
        let write = state
            .write
            .take()
            .ok_or("the channel already runs something")?;
        let words = super::split_words(&String::from_utf8_lossy(command));
        let shared = self.shared.clone();
        // A branch's sync: its push comes on the channel's input, the reply goes out.
        let push = crate::sync::transport::is_sync(&words).then(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            state.input = Some(tx);
            rx
        });
        tokio::spawn(async move {
            let (status, out, err) = tokio::task::spawn_blocking(move || {
                if let Some(input) = push {
                    return serve_sync(&shared, &user, &words, input);
                }
                let out = SharedBuf::default();
                let err = SharedBuf::default();
                let status = crate::cli::exec(
                    &shared.app,
                    &shared.opts.config,
                    &user,
                    &words,
                    Box::new(out.clone()),
                    Box::new(err.clone()),
                );
                (status, out.take(), err.take())
            })
            .await
            .unwrap_or_else(|e| (1, Vec::new(), format!("duedesk: {e}\n").into_bytes()));
            let _ = write.data_bytes(out).await;
            let _ = write.extended_data_bytes(1, err).await;
            let _ = write.exit_status(status).await;
            let _ = write.eof().await;
            let _ = write.close().await;
        });
        Ok(())
    }
}

/// `sync-serve` (a branch's push) or `sync-clone SITE`: reads the channel's input until its
/// end and answers as the login user (who must be the site's): (status, output, error text).
fn serve_sync(
    shared: &Shared,
    user: &str,
    words: &[String],
    input: std::sync::mpsc::Receiver<Input>,
) -> (u32, Vec<u8>, Vec<u8>) {
    let mut push = Vec::new();
    loop {
        match input.recv() {
            Ok(Input::Bytes(bytes)) => push.extend(bytes),
            Ok(Input::Resize(..)) => {}
            Ok(Input::Closed) | Err(_) => break,
        }
        if push.len() > crate::sync::transport::MAX_PUSH {
            break;
        }
    }
    let ctx = Ctx::new(user, shared.today(), chrono::Utc::now().timestamp());
    crate::sync::transport::serve(&shared.app, &ctx, words, &push)
}

/// The size a client asked for; 80×24 for a size of 0 (a client without a terminal of
/// its own, such as `ssh -tt` from a script, sends 0).
fn terminal_size(cols: u32, rows: u32) -> (u16, u16) {
    let pick = |n: u32, default: u16| {
        if n == 0 { default } else { n.min(1000) as u16 }
    };
    (pick(cols, 80), pick(rows, 24))
}

/// Gives a session slot back when a session thread ends, however it ends.
struct SessionSlot(Arc<Shared>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A writer a blocking command fills and the async side then reads.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().expect("buffer lock"))
    }
}

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends a session's frames to its channel as the client's window allows, then its exit.
async fn pump(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Output>,
    pending: Arc<AtomicUsize>,
    write: ChannelWriteHalf<Msg>,
) {
    let mut status = 0;
    while let Some(item) = rx.recv().await {
        match item {
            Output::Frame(frame) => {
                let n = frame.len();
                if write.data_bytes(frame).await.is_err() {
                    return;
                }
                pending.fetch_sub(n, Ordering::AcqRel);
            }
            Output::Exit(s) => {
                status = s;
                break;
            }
        }
    }
    let _ = write.exit_status(status).await;
    let _ = write.eof().await;
    let _ = write.close().await;
}

impl Drop for Handler {
    fn drop(&mut self) {
        for state in self.channels.values() {
            if let Some(input) = &state.input {
                let _ = input.send(Input::Closed);
            }
        }
        if let Some(user) = self.user.take() {
            let shared = self.shared.clone();
            let peer = self.peer;
            eprintln!("duedesk serve: logout {user} from {peer}");
            // Journaling writes to disk: not on the connection's task.
            std::thread::spawn(move || shared.audit(&user, SessionEvent::Logout, peer));
        }
    }
}

impl russh::server::Handler for Handler {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.shared.refused_address(self.peer.ip()) {
            return Ok(Auth::reject());
        }
        Ok(match self.owner(user, offer.public_key) {
            Ok(_) => Auth::Accept,
            Err(why) => self.refuse(&why),
        })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.shared.refused_address(self.peer.ip()) {
            return Ok(Auth::reject());
        }
        Ok(match self.owner(user, key.public_key) {
            Ok(owner) => {
                self.user = Some(owner);
                Auth::Accept
            }
            Err(why) => self.refuse(&why),
        })
    }

    async fn auth_succeeded(&mut self, _session: &mut Session) -> Result<(), Self::Error> {
        if let Some(user) = self.user.clone() {
            eprintln!("duedesk serve: login {user} from {}", self.peer);
            let shared = self.shared.clone();
            let peer = self.peer;
            let _ =
                tokio::task::spawn_blocking(move || shared.audit(&user, SessionEvent::Login, peer))
                    .await;
        }
        Ok(())
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Input comes through `data`; only the writing half is kept (it waits for the
        // client's window, which is what bounds a session's output).
        let (_read, write) = channel.split();
        let id = write.id();
        self.channels.insert(
            id,
            ChannelState {
                write: Some(write),
                ..ChannelState::default()
            },
        );
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(state) = self.channels.get_mut(&channel) {
            (state.cols, state.rows) = terminal_size(col_width, row_height);
            state.env.push(("TERM".into(), term.to_string()));
            session.channel_success(channel)?;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let wanted = [
            "TERM",
            "LANG",
            "LC_ALL",
            "LC_MESSAGES",
            "NO_COLOR",
            "COLORTERM",
        ];
        match self.channels.get_mut(&channel) {
            Some(state) if wanted.contains(&name) && state.env.len() < 32 => {
                state.env.push((name.to_string(), value.to_string()));
                session.channel_success(channel)?;
            }
            _ => session.channel_failure(channel)?,
        }
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(state) = self.channels.get_mut(&channel) {
            let (cols, rows) = terminal_size(col_width, row_height);
            state.cols = cols;
            state.rows = rows;
            if let Some(input) = &state.input {
                let _ = input.send(Input::Resize(cols, rows));
            }
        }
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.start_shell(channel) {
            Ok(()) => session.channel_success(channel)?,
            Err(e) => {
                eprintln!("duedesk serve: shell refused: {e}");
                session.channel_failure(channel)?
            }
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.start_exec(channel, data) {
            Ok(()) => session.channel_success(channel)?,
            Err(e) => {
                eprintln!("duedesk serve: command refused: {e}");
                session.channel_failure(channel)?
            }
        }
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(input) = self.channels.get(&channel).and_then(|s| s.input.as_ref()) {
            let _ = input.send(Input::Bytes(data.to_vec()));
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(input) = self.channels.get(&channel).and_then(|s| s.input.as_ref()) {
            let _ = input.send(Input::Closed);
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(state) = self.channels.remove(&channel)
            && let Some(input) = state.input
        {
            let _ = input.send(Input::Closed);
        }
        Ok(())
    }
}
