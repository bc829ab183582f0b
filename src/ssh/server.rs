//! The SSH server: host key, public-key authentication mapped to duedesk users, the failed
//! attempts limit, the audit of logins, and per channel either an interactive session
//! (`session`) or one command (`cli::exec`).
//!
//! Owns: russh, the connection handlers, output pumps. Must not touch: business rules
//! (the app decides), screens (ui/ draws them).

use super::session::{self, InputSender, Output, OutputSink, SessionSpec};
use crate::app::{App, Ctx, Mutation, SessionEvent};
use crate::ui::{self, Settings};
use anyhow::Context as _;
use russh::keys::{HashAlg, PrivateKey, PublicKey};
use russh::server::{Auth, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelWriteHalf, MethodKind, MethodSet};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failed attempts for one login name from one address within `FAILURE_WINDOW` before that
/// name is refused from that address. Keys a client merely offers before the one that logs
/// it in are not failures; keys offered on a connection that never logs in are.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Defaults when the config does not say.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_MAX_SESSIONS: usize = 200;
/// A connection that has not started a session or a command this long after it connected
/// is closed (`ssh_login_grace_secs`).
pub const DEFAULT_LOGIN_GRACE: Duration = Duration::from_secs(60);

/// Connections one address may have open at once (an office behind one NAT included)
/// when the config does not say (`ssh_max_connections_per_address`).
pub const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS: usize = 64;

/// Connections open at once over all addresses: twice the session cap and some room for
/// commands and logins under way.
pub fn max_connections(max_sessions: usize) -> usize {
    max_sessions.saturating_mul(2).saturating_add(64)
}

/// Channels one connection may have open at once (sessions or commands).
pub const MAX_CHANNELS_PER_CONNECTION: usize = 8;
/// Interactive sessions one user may have open at once, over all connections.
pub const MAX_SHELLS_PER_USER: usize = 16;
/// Environment variables one channel keeps.
pub const MAX_ENV: usize = 32;
/// The largest terminal a client may ask for; larger sizes are cut to this.
pub const MAX_COLS: u32 = 500;
pub const MAX_ROWS: u32 = 200;

/// A login name as the server's log shows it: quoted, with control characters escaped, so a
/// name cannot forge log lines.
pub fn quoted(name: &str) -> String {
    format!("{name:?}")
}

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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .with_context(|| format!("host key {} cannot be read", path.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                anyhow::bail!(
                    "host key {} can be read by other users (mode {:04o}); anyone who reads it can pose as this server. Fix it with: chmod 600 {}",
                    path.display(),
                    mode & 0o777,
                    path.display()
                );
            }
        }
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
    login_grace: Duration,
    max_sessions: usize,
    sessions: AtomicUsize,
    /// Interactive sessions open per user.
    shells: Mutex<HashMap<String, usize>>,
    /// Connections open per address.
    connections: Mutex<HashMap<IpAddr, usize>>,
    failures: Mutex<FailureLog>,
}

/// Distinct login names failing from one address within `FAILURE_WINDOW` before the
/// address is refused for every name (someone is trying names, not mistyping a key).
pub const MAX_NAMES_PER_ADDRESS: usize = 20;

/// Failed logins per (address, claimed login name), each list its newest `MAX_FAILURES`
/// times; bounded whatever clients try.
#[derive(Default)]
struct FailureLog(HashMap<(IpAddr, String), Vec<Instant>>);

impl FailureLog {
    /// The failures of `user` from `ip` within the window before `now`.
    fn count(&mut self, ip: IpAddr, user: &str, now: Instant) -> usize {
        let key = (ip, user.to_string());
        let Some(list) = self.0.get_mut(&key) else {
            return 0;
        };
        list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
        let n = list.len();
        if n == 0 {
            self.0.remove(&key);
        }
        n
    }

    /// Names with failures from `ip` within the window before `now`.
    fn names_from(&self, ip: IpAddr, now: Instant) -> usize {
        self.0
            .iter()
            .filter(|((a, _), l)| {
                *a == ip && l.iter().any(|t| now.duration_since(*t) < FAILURE_WINDOW)
            })
            .count()
    }

    /// `MAX_FAILURES` for this name from this address, or `MAX_NAMES_PER_ADDRESS` names
    /// failing from it.
    fn locked_out(&mut self, ip: IpAddr, user: &str, now: Instant) -> bool {
        self.count(ip, user, now) >= MAX_FAILURES
            || self.names_from(ip, now) >= MAX_NAMES_PER_ADDRESS
    }

    fn record(&mut self, ip: IpAddr, user: &str, now: Instant) {
        // Bounded: forget names whose failures are old.
        if self.0.len() > 10_000 {
            self.0
                .retain(|_, l| l.iter().any(|t| now.duration_since(*t) < FAILURE_WINDOW));
        }
        let list = self.0.entry((ip, user.to_string())).or_default();
        list.push(now);
        // Only the newest matter: the list stays small whatever a client tries.
        if list.len() > MAX_FAILURES {
            list.drain(..list.len() - MAX_FAILURES);
        }
    }

    /// Takes back up to `count` of the newest failures of `user` from `ip`: keys a client
    /// offered before the one that logged it in.
    fn forgive(&mut self, ip: IpAddr, user: &str, count: usize) {
        if let Some(list) = self.0.get_mut(&(ip, user.to_string())) {
            list.truncate(list.len().saturating_sub(count));
        }
    }
}

impl Shared {
    fn today(&self) -> chrono::NaiveDate {
        self.opts
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Whether `user` is refused from `ip` (`FailureLog::locked_out`).
    fn locked_out(&self, ip: IpAddr, user: &str) -> bool {
        let mut log = self.failures.lock().expect("failures lock");
        log.locked_out(ip, user, Instant::now())
    }

    fn record_failure(&self, ip: IpAddr, user: &str) {
        let mut log = self.failures.lock().expect("failures lock");
        log.record(ip, user, Instant::now());
    }

    fn forgive(&self, ip: IpAddr, user: &str, count: usize) {
        let mut log = self.failures.lock().expect("failures lock");
        log.forgive(ip, user, count);
    }

    /// Takes a connection slot for `ip`: false (nothing taken) when the address or the
    /// server holds as many as it may.
    fn take_connection(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionSlot> {
        let mut open = self.connections.lock().expect("connections lock");
        let total: usize = open.values().sum();
        let here = open.entry(ip).or_default();
        let per_address = self
            .opts
            .config
            .ssh_max_connections_per_address
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
        if *here >= per_address || total >= max_connections(self.max_sessions) {
            if *here == 0 {
                open.remove(&ip);
            }
            return None;
        }
        *here += 1;
        Some(ConnectionSlot(self.clone(), ip))
    }

    /// Takes a shell slot for `user`; false when they have `MAX_SHELLS_PER_USER` open.
    fn take_shell(&self, user: &str) -> bool {
        let mut shells = self.shells.lock().expect("shells lock");
        let n = shells.entry(user.to_string()).or_default();
        if *n >= MAX_SHELLS_PER_USER {
            return false;
        }
        *n += 1;
        true
    }

    fn give_shell(&self, user: &str) {
        let mut shells = self.shells.lock().expect("shells lock");
        if let Some(n) = shells.get_mut(user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                shells.remove(user);
            }
        }
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
            eprintln!(
                "duedesk serve: {} {} not recorded: {e}",
                quoted(user),
                event.name()
            );
        }
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    /// The host key's SHA256 fingerprint.
    pub fingerprint: String,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
}

impl Running {
    /// Stops accepting, disconnects the clients and waits (a few seconds at most).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }

    /// Interactive sessions running now (their threads included: a session whose client
    /// left counts until its thread has stopped).
    pub fn sessions(&self) -> usize {
        self.shared.sessions.load(Ordering::Acquire)
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
    let login_grace = opts
        .config
        .ssh_login_grace_secs
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LOGIN_GRACE);
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
        login_grace,
        max_sessions,
        sessions: AtomicUsize::new(0),
        shells: Mutex::new(HashMap::new()),
        connections: Mutex::new(HashMap::new()),
        failures: Mutex::new(FailureLog::default()),
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(accept(listener, config, shared.clone(), stopped));
    Ok(Running {
        addr,
        fingerprint: host_fingerprint,
        stop,
        task,
        shared,
    })
}

/// Accepts connections until told to stop; each runs on its own task.
async fn accept(
    listener: tokio::net::TcpListener,
    config: Arc<russh::server::Config>,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    // Too many at once, from this address or all: closed before the greeting.
                    let Some(slot) = shared.take_connection(peer.ip()) else {
                        eprintln!("duedesk serve: refused a connection from {peer}: too many open");
                        continue;
                    };
                    let _ = socket.set_nodelay(true);
                    let handler = Handler {
                        shared: shared.clone(),
                        peer,
                        user: None,
                        offered: Vec::new(),
                        started: Arc::new(std::sync::atomic::AtomicBool::new(false)),
                        channels: HashMap::new(),
                    };
                    let stopped = stopped.clone();
                    let config = config.clone();
                    tokio::spawn(async move {
                        connection(config, socket, handler, stopped).await;
                        drop(slot);
                    });
                }
                Err(e) => {
                    eprintln!("duedesk serve: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}

/// One connection: closed when the server stops, and when it has not started a session or
/// a command within the login grace.
async fn connection(
    config: Arc<russh::server::Config>,
    socket: tokio::net::TcpStream,
    handler: Handler,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let grace = handler.shared.login_grace;
    let started = handler.started.clone();
    let deadline = tokio::time::Instant::now() + grace;
    let setup =
        tokio::time::timeout_at(deadline, russh::server::run_stream(config, socket, handler));
    let session = match setup.await {
        Ok(Ok(session)) => session,
        // The handshake failed, or did not finish within the grace: the socket is dropped.
        _ => return,
    };
    let handle = session.handle();
    tokio::pin!(session);
    let mut graced = false;
    loop {
        tokio::select! {
            _ = stopped.changed() => {
                let _ = handle
                    .disconnect(russh::Disconnect::ByApplication, "duedesk serve is stopping".into(), String::new())
                    .await;
                return;
            }
            _ = tokio::time::sleep_until(deadline), if !graced => {
                graced = true;
                if !started.load(Ordering::Acquire) {
                    let why = format!("no session or command within {} s", grace.as_secs());
                    let _ = handle
                        .disconnect(russh::Disconnect::ByApplication, why, String::new())
                        .await;
                    return;
                }
            }
            _ = &mut session => return,
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
    input: Option<InputSender>,
}

impl ChannelState {
    /// Sets an environment variable, replacing an earlier value of the same name; false when
    /// the channel already holds `MAX_ENV` names. Values are cut to 256 characters.
    fn set_env(&mut self, name: &str, value: &str) -> bool {
        self.env.retain(|(k, _)| k != name);
        if self.env.len() >= MAX_ENV {
            return false;
        }
        self.env
            .push((name.to_string(), value.chars().take(256).collect()));
        true
    }
}

struct Handler {
    shared: Arc<Shared>,
    peer: SocketAddr,
    /// The duedesk user the key logged in as.
    user: Option<String>,
    /// Login names claimed with keys refused on this connection (each one failure),
    /// forgiven when the connection logs in: a client offers its keys in turn.
    offered: Vec<String>,
    /// Whether a session or command has started on this connection.
    started: Arc<std::sync::atomic::AtomicBool>,
    channels: HashMap<ChannelId, ChannelState>,
}

impl Handler {
    /// The user a key logs in as, if the key is known, its owner is `name` and may log in.
    fn owner(&self, name: &str, key: &PublicKey) -> Result<String, String> {
        let fp = fingerprint(key);
        let owner = match self.shared.app.key_owner(&fp) {
            Ok(Some(k)) => k.user,
            Ok(None) => return Err(format!("unknown key {fp} for {}", quoted(name))),
            Err(e) => return Err(format!("key lookup failed: {e}")),
        };
        if owner != name {
            return Err(format!(
                "key {fp} belongs to {}, not {}",
                quoted(&owner),
                quoted(name)
            ));
        }
        self.shared
            .app
            .user(&owner)
            .map_err(|e| format!("{} may not log in: {e}", quoted(&owner)))?;
        Ok(owner)
    }

    /// Whether `name` is refused from this address: its failures reached the limit.
    fn locked_out(&self, name: &str) -> bool {
        self.shared.locked_out(self.peer.ip(), name)
    }

    /// Refuses a key offered for `name`: a failure, forgiven if this connection then logs
    /// in as `name`.
    fn refuse_offer(&mut self, name: &str, why: &str) -> Auth {
        eprintln!("duedesk serve: refused {} from {}", why, self.peer);
        self.shared.record_failure(self.peer.ip(), name);
        // Bounded by russh's attempts per connection; kept short whatever.
        if self.offered.len() < 64 {
            self.offered.push(name.to_string());
        }
        Auth::reject()
    }

    /// Refuses a signed login for `name`: a failure at once.
    fn refuse(&self, name: &str, why: &str) -> Auth {
        eprintln!("duedesk serve: refused {} from {}", why, self.peer);
        self.shared.record_failure(self.peer.ip(), name);
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
        let user_full = taken < shared.max_sessions && !shared.take_shell(&user);
        if taken >= shared.max_sessions || user_full {
            shared.sessions.fetch_sub(1, Ordering::AcqRel);
            let message = if user_full {
                format!(
                    "duedesk: you have {MAX_SHELLS_PER_USER} sessions open; close one first\r\n"
                )
            } else {
                format!(
                    "duedesk: the server is full ({} sessions); try again later\r\n",
                    shared.max_sessions
                )
            };
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
            shared.app.preferred_language(&user).ok().flatten(),
        )
        .map_err(|e| e.to_string())?;
        let (cols, rows) = if state.cols == 0 {
            terminal_size(0, 0)
        } else {
            (state.cols, state.rows)
        };
        let (input_tx, input_rx) = session::input_channel();
        input_tx.resize(cols, rows);
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
            follows_calendar: shared.opts.today.is_none(),
            settings,
            depth: session::colour_depth(&state.env),
            cols,
            rows,
            idle_timeout: shared.idle_timeout,
        };
        let spawned = std::thread::Builder::new()
            .name("ssh-session".into())
            .spawn(move || {
                let sessions = SessionSlot(shared, user.clone());
                match session::run(spec, input_rx, sink.clone()) {
                    Ok(session::End::Flooded) => eprintln!(
                        "duedesk serve: session of {} dropped: input faster than it was read",
                        quoted(&user)
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("duedesk serve: session of {} stopped: {e:#}", quoted(&user));
                        let _ = sink.tx.send(Output::Exit(1));
                    }
                }
                drop(sessions);
            });
        if let Err(e) = spawned {
            return Err(format!("cannot start a session thread: {e}"));
        }
        self.started.store(true, Ordering::Release);
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
            let (tx, rx) = session::input_channel_of(crate::sync::transport::MAX_PUSH);
            state.input = Some(tx);
            rx
        });
        self.started.store(true, Ordering::Release);
        if is_backup(&words) {
            tokio::spawn(serve_backup(shared, user, write));
            return Ok(());
        }
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
                    shared.today(),
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

/// `backup` (or `backup -`) over SSH: the backup streams to the client's side.
fn is_backup(words: &[String]) -> bool {
    matches!(words, [b] if b == "backup") || matches!(words, [b, d] if b == "backup" && d == "-")
}

/// Serves `backup` (admin only): written under the writer lock to a private file beside the
/// database (so writers wait on the disk, never on the client's network), then sent on the
/// channel a part at a time as the client's window allows, and removed.
async fn serve_backup(shared: Arc<Shared>, user: String, write: ChannelWriteHalf<Msg>) {
    let db = shared.app.db_path().to_path_buf();
    let taken = tokio::task::spawn_blocking(move || -> Result<(std::path::PathBuf, String), String> {
        let ctx = Ctx::new(&user, shared.today(), chrono::Utc::now().timestamp());
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        // One name per backup: two admins may take one at once.
        static TAKEN: AtomicUsize = AtomicUsize::new(0);
        let n = TAKEN.fetch_add(1, Ordering::AcqRel);
        name.push(format!(".backup-{}-{n}.partial", std::process::id()));
        let path = db.with_file_name(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .map_err(|e| format!("backup: cannot write {}: {e}", path.display()))?;
        let written = shared.app.backup(&ctx, &mut file);
        eprintln!("duedesk serve: backup by {}", quoted(&user));
        match written {
            Ok(summary) => Ok((
                path,
                format!(
                    "backup written: {} keys, {} journal entries, schema {}, backup format {}\n",
                    summary.keys,
                    summary.journal,
                    summary.schema,
                    crate::store::backup::FORMAT
                ),
            )),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                Err(format!("duedesk: {e}\n"))
            }
        }
    })
    .await
    .unwrap_or_else(|e| Err(format!("duedesk: {e}\n")));
    let status = match taken {
        Ok((path, said)) => {
            let sent = send_file(&path, &write).await;
            let _ = std::fs::remove_file(&path);
            match sent {
                Ok(()) => {
                    let _ = write.extended_data_bytes(1, said.into_bytes()).await;
                    0
                }
                Err(e) => {
                    let _ = write
                        .extended_data_bytes(1, format!("duedesk: backup: {e}\n").into_bytes())
                        .await;
                    1
                }
            }
        }
        Err(said) => {
            let _ = write.extended_data_bytes(1, said.into_bytes()).await;
            1
        }
    };
    let _ = write.exit_status(status).await;
    let _ = write.eof().await;
    let _ = write.close().await;
}

/// Sends a file on the channel, 64 KiB at a time (a local file just written: its reads
/// come from the page cache, so they are made here).
async fn send_file(path: &std::path::Path, write: &ChannelWriteHalf<Msg>) -> Result<(), String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            return Ok(());
        }
        write
            .data_bytes(buf[..n].to_vec())
            .await
            .map_err(|e| format!("the connection: {e}"))?;
    }
}

/// `sync-serve` (a branch's push) or `sync-clone SITE`: reads the channel's input until its
/// end and answers as the login user (who must be the site's): (status, output, error text).
fn serve_sync(
    shared: &Shared,
    user: &str,
    words: &[String],
    input: session::InputReceiver,
) -> (u32, Vec<u8>, Vec<u8>) {
    let max = crate::sync::transport::MAX_PUSH;
    let Some(push) = input.read_to_eof(max) else {
        return crate::sync::transport::too_large();
    };
    let ctx = Ctx::new(user, shared.today(), chrono::Utc::now().timestamp());
    // A branch's batch going in shows in the log a part at a time.
    let mut progress = |decided: usize, total: usize| {
        eprintln!(
            "duedesk serve: sync for {}: {decided} of {total} entries decided",
            quoted(user)
        );
    };
    crate::sync::transport::serve(&shared.app, &ctx, words, &push, &mut progress)
}

/// The size a client asked for, at most `MAX_COLS`×`MAX_ROWS`; 80×24 for a size of 0 (a
/// client without a terminal of its own, such as `ssh -tt` from a script, sends 0).
fn terminal_size(cols: u32, rows: u32) -> (u16, u16) {
    let pick = |n: u32, default: u16, max: u32| {
        if n == 0 { default } else { n.min(max) as u16 }
    };
    (pick(cols, 80, MAX_COLS), pick(rows, 24, MAX_ROWS))
}

/// Gives a connection slot back when its connection ends.
struct ConnectionSlot(Arc<Shared>, IpAddr);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.0.connections.lock().expect("connections lock");
        if let Some(n) = open.get_mut(&self.1) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Gives a session slot (the server's and the user's) back when a session thread ends,
/// however it ends.
struct SessionSlot(Arc<Shared>, String);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.give_shell(&self.1);
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
                input.close();
            }
        }
        if let Some(user) = self.user.take() {
            let shared = self.shared.clone();
            let peer = self.peer;
            eprintln!("duedesk serve: logout {} from {peer}", quoted(&user));
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
        if self.locked_out(user) {
            return Ok(Auth::reject());
        }
        Ok(match self.owner(user, offer.public_key) {
            Ok(_) => Auth::Accept,
            Err(why) => self.refuse_offer(user, &why),
        })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.locked_out(user) {
            return Ok(Auth::reject());
        }
        Ok(match self.owner(user, key.public_key) {
            Ok(owner) => {
                // The keys offered before this one were the client trying its keys.
                let tried = self.offered.iter().filter(|n| **n == owner).count();
                self.shared.forgive(self.peer.ip(), &owner, tried);
                self.offered.clear();
                self.user = Some(owner);
                Auth::Accept
            }
            Err(why) => self.refuse(user, &why),
        })
    }

    async fn auth_succeeded(&mut self, _session: &mut Session) -> Result<(), Self::Error> {
        if let Some(user) = self.user.clone() {
            eprintln!("duedesk serve: login {} from {}", quoted(&user), self.peer);
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
        if self.channels.len() >= MAX_CHANNELS_PER_CONNECTION {
            eprintln!(
                "duedesk serve: refused a channel from {}: {MAX_CHANNELS_PER_CONNECTION} open on the connection",
                self.peer
            );
            reply
                .reject(russh::ChannelOpenFailure::ResourceShortage)
                .await;
            return Ok(());
        }
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
        match self.channels.get_mut(&channel) {
            // Before the shell starts; a repeated request replaces the first.
            Some(state) if state.input.is_none() && state.write.is_some() => {
                (state.cols, state.rows) = terminal_size(col_width, row_height);
                state.set_env("TERM", term);
                session.channel_success(channel)?;
            }
            _ => session.channel_failure(channel)?,
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
        let set = wanted.contains(&name)
            && self
                .channels
                .get_mut(&channel)
                .is_some_and(|state| state.set_env(name, value));
        if set {
            session.channel_success(channel)?;
        } else {
            session.channel_failure(channel)?;
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
                input.resize(cols, rows);
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
            // A flooding client's bytes are dropped; its session ends and says why.
            let _ = input.bytes(data);
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(input) = self.channels.get(&channel).and_then(|s| s.input.as_ref()) {
            input.eof();
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
            input.close();
        }
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        eprintln!(
            "duedesk serve: refused subsystem {} from {}",
            quoted(name),
            self.peer
        );
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn signal(
        &mut self,
        channel: ChannelId,
        _signal: russh::Sig,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Sent only when the client asked for a reply.
        session.channel_failure(channel)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_pty_and_env_requests_replace_instead_of_growing() {
        let mut state = ChannelState::default();
        for i in 0..10_000 {
            assert!(state.set_env("TERM", &format!("xterm-{i}")));
            assert!(state.set_env("LANG", "zh_CN.UTF-8"));
        }
        assert_eq!(state.env.len(), 2);
        assert_eq!(state.env[0], ("TERM".to_string(), "xterm-9999".to_string()));
        let long = "x".repeat(100_000);
        assert!(state.set_env("COLORTERM", &long));
        assert_eq!(state.env[2].1.len(), 256);
    }

    #[test]
    fn login_names_in_the_log_cannot_forge_lines() {
        let name = "wang\nduedesk serve: login admin from 10.0.0.1\x1b[2J";
        let shown = quoted(name);
        assert!(!shown.contains('\n') && !shown.contains('\x1b'), "{shown}");
        assert!(shown.starts_with('"') && shown.ends_with('"'), "{shown}");
    }

    #[cfg(unix)]
    #[test]
    fn a_host_key_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.db.host_ed25519");
        load_or_create_host_key(&path).unwrap();
        assert!(load_or_create_host_key(&path).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_or_create_host_key(&path).unwrap_err().to_string();
        assert!(e.contains("mode 0644"), "{e}");
        assert!(e.contains(&format!("chmod 600 {}", path.display())), "{e}");
    }

    #[test]
    fn failures_count_per_address_and_name_and_a_name_scan_locks_the_address() {
        let mut log = FailureLog::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(!log.locked_out(a, "wang", t0));
            log.record(a, "wang", t0);
        }
        assert!(log.locked_out(a, "wang", t0));
        assert!(
            !log.locked_out(a, "li", t0),
            "another name behind the same address"
        );
        assert!(
            !log.locked_out(b, "wang", t0),
            "the same name from another address"
        );
        // The window passes.
        assert!(!log.locked_out(a, "wang", t0 + FAILURE_WINDOW));
        // Offered keys forgiven after the right one.
        log.record(a, "fin", t0);
        log.record(a, "fin", t0);
        log.forgive(a, "fin", 2);
        assert_eq!(log.count(a, "fin", t0), 0);
        // Trying names: one failure each for many names locks the address.
        for i in 0..MAX_NAMES_PER_ADDRESS {
            log.record(b, &format!("user{i}"), t0);
        }
        assert!(log.locked_out(b, "anyone", t0));
        // Bounded: a list never holds more than MAX_FAILURES times.
        for _ in 0..1000 {
            log.record(a, "x", t0);
        }
        assert_eq!(log.0[&(a, "x".to_string())].len(), MAX_FAILURES);
    }

    #[test]
    fn terminal_sizes_are_capped() {
        assert_eq!(terminal_size(0, 0), (80, 24));
        assert_eq!(
            terminal_size(100_000, 100_000),
            (MAX_COLS as u16, MAX_ROWS as u16)
        );
        assert_eq!(terminal_size(120, 40), (120, 40));
    }
}
