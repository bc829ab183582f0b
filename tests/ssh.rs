//! `duedesk serve` end to end on loopback, with russh's client in-process (and OpenSSH's
//! `ssh` when it is installed): keys, sessions, screens, changes between sessions, input
//! split across packets, Chinese input, commands with their exit status, a client that
//! never reads.

#[path = "support/openssh.rs"]
mod openssh;
#[path = "support/ssh_client.rs"]
mod ssh_client;
mod support;

use duedesk::app::{App, Ctx, Mutation};
use duedesk::domain::Role;
use duedesk::ssh::{self, ServeOptions};
use russh::keys::PrivateKey;
use ssh_client::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

struct Served {
    _dir: tempfile::TempDir,
    app: Arc<App>,
    running: ssh::server::Running,
    keys: HashMap<&'static str, PrivateKey>,
}

impl Served {
    fn addr(&self) -> std::net::SocketAddr {
        self.running.addr
    }
    fn key(&self, user: &str) -> &PrivateKey {
        &self.keys[user]
    }
}

fn add_key(app: &App, user: &str, key: &PrivateKey) {
    let public = key.public_key();
    app.execute(
        &ctx(),
        Mutation::AddKey {
            user: user.into(),
            key: public.to_openssh().unwrap(),
            fingerprint: ssh::server::fingerprint(public),
        },
    )
    .unwrap();
}

/// The test book served on a free loopback port; users wang and li (collectors), fin
/// (finance), gone (disabled) and the built-in admin, each with a key.
async fn serve_with(config_text: &str) -> Served {
    let Book { dir, app } = book();
    for (name, role) in [
        ("wang", Role::Collector),
        ("li", Role::Collector),
        ("fin", Role::Finance),
        ("gone", Role::Collector),
    ] {
        let _ = app.execute(
            &ctx(),
            Mutation::AddUser {
                name: name.into(),
                display: String::new(),
                roles: vec![role],
                branch: None,
            },
        );
    }
    let mut keys = HashMap::new();
    for name in ["admin", "wang", "li", "fin", "gone"] {
        let key = new_key();
        add_key(&app, name, &key);
        keys.insert(name, key);
    }
    app.execute(
        &ctx(),
        Mutation::DisableUser {
            name: "gone".into(),
        },
    )
    .unwrap();
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config_text).unwrap();
    let config = duedesk::ui::config::Config::load(Some(&config_path)).unwrap();
    let app = Arc::new(app);
    let opts = ServeOptions {
        listen: "127.0.0.1:0".into(),
        host_key: dir.path().join("host_ed25519"),
        config,
        ui: duedesk::ui::UiOptions {
            theme: None,
            lang: None,
            config: Some(config_path),
            follows_calendar: false,
        },
        today: Some(d(TODAY)),
    };
    let running = ssh::start(app.clone(), opts).await.unwrap();
    Served {
        _dir: dir,
        app,
        running,
        keys,
    }
}

async fn serve() -> Served {
    serve_with("").await
}

/// Runs a test body with an overall timeout, so nothing hangs.
async fn within<F: std::future::Future<Output = ()>>(secs: u64, f: F) {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("the test took too long");
}

const T: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_decide_who_logs_in() {
    within(60, async {
        let s = serve().await;
        // The host key was generated with mode 0600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(s._dir.path().join("host_ed25519"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(login(s.addr(), "wang", s.key("wang")).await.is_ok());
        assert!(login(s.addr(), "admin", s.key("admin")).await.is_ok());
        let stranger = new_key();
        assert_eq!(
            login(s.addr(), "wang", &stranger).await.err().as_deref(),
            Some("refused")
        );
        // li's key does not log in as wang.
        assert!(login(s.addr(), "wang", s.key("li")).await.is_err());
        // A disabled user's own key is refused.
        assert!(login(s.addr(), "gone", s.key("gone")).await.is_err());
        // Logins are in the audit trail.
        let journal: Vec<(duedesk::store::EntryHeader, Mutation)> = s
            .app
            .store()
            .journal()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(journal.iter().any(|(h, m)| h.actor == "wang"
            && matches!(m, Mutation::Session { user, event: duedesk::app::SessionEvent::Login, .. } if user == "wang")));
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_attempts_are_limited_per_address_and_login_name() {
    within(60, async {
        let s = serve().await;
        let stranger = new_key();
        for _ in 0..ssh::server::MAX_FAILURES {
            assert!(login(s.addr(), "wang", &stranger).await.is_err());
        }
        // Now even the right key is refused for wang from this address, for a while…
        assert!(login(s.addr(), "wang", s.key("wang")).await.is_err());
        // …but not for li, behind the same address (a NAT).
        assert!(login(s.addr(), "li", s.key("li")).await.is_ok());
        s.running.stop().await;
    })
    .await;
}

/// Logs in on one connection offering `keys` in turn, as an SSH client tries its keys.
async fn login_offering(addr: std::net::SocketAddr, user: &str, keys: &[&PrivateKey]) -> bool {
    use russh::keys::PrivateKeyWithHashAlg;
    let config = Arc::new(russh::client::Config::default());
    let mut handle = russh::client::connect(config, addr, Trust).await.unwrap();
    for key in keys {
        let signed = PrivateKeyWithHashAlg::new(Arc::new((*key).clone()), None);
        if handle
            .authenticate_publickey(user, signed)
            .await
            .unwrap()
            .success()
        {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_offered_before_the_right_one_are_not_failures() {
    within(60, async {
        let s = serve().await;
        let (other1, other2) = (new_key(), new_key());
        // A client with two other keys in its agent logs in again and again.
        for round in 0..ssh::server::MAX_FAILURES + 2 {
            assert!(
                login_offering(s.addr(), "wang", &[&other1, &other2, s.key("wang")]).await,
                "round {round}: wang's own key was refused after offering two others"
            );
        }
        // Offered keys on connections that never log in do count.
        for _ in 0..3 {
            assert!(!login_offering(s.addr(), "fin", &[&other1, &other2]).await);
        }
        assert!(!login_offering(s.addr(), "fin", &[s.key("fin")]).await);
        assert!(login_offering(s.addr(), "li", &[s.key("li")]).await);
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_at_the_pty_size_then_resized() {
    within(60, async {
        let s = serve().await;
        let mut t = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        t.expect("5 overdue contracts").await;
        t.expect("HT-2025-004").await;
        // The hint bar sits on the last of 30 rows.
        t.wait_for("hint bar on row 30", T, |_| true).await;
        let rows: Vec<String> = t.parser.screen().rows(0, 100).collect();
        assert_eq!(rows.len(), 30);
        assert!(rows[29].contains("q quit"), "last row: {:?}", rows[29]);
        // Narrower and shorter: the bar moves to row 20.
        t.resize(70, 20).await;
        t.wait_for("hint bar on row 20", T, |_| true).await;
        t.settle(Duration::from_millis(300)).await;
        let rows: Vec<String> = t.parser.screen().rows(0, 70).collect();
        assert_eq!(rows.len(), 20);
        assert!(
            rows[19].contains("quit") || rows[19].contains("help"),
            "last row after resize: {:?}\n{}",
            rows[19],
            t.screen()
        );
        // q quits with status 0.
        t.send(b"q").await;
        assert_eq!(t.wait_closed(T).await, Some(0));
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keystrokes_drive_the_screens_and_collectors_see_their_own_customers() {
    within(60, async {
        let s = serve().await;
        let mut t = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        t.expect("5 overdue contracts").await;
        t.send(b"2").await;
        t.expect("WX-8812").await;
        t.send(b"1").await;
        t.expect("5 overdue contracts").await;
        // wang collects for 李四 and 欧阳…; he does not see 张三.
        let mut w = Term::open(s.addr(), "wang", s.key("wang"), 100, 30, &[])
            .await
            .unwrap();
        w.expect("HT-2025-002").await;
        w.settle(Duration::from_millis(200)).await;
        assert!(!w.screen().contains("HT-2025-001"), "{}", w.screen());
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escape_sequence_split_across_packets_is_one_key() {
    within(60, async {
        let s = serve().await;
        let mut t = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        t.expect("5 overdue contracts").await;
        // Down arrow in three packets, then Enter: the second row's ticket opens.
        for part in [&b"\x1b"[..], b"[", b"B"] {
            t.send(part).await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        t.send(b"\r").await;
        t.wait_for("the ticket of HT-2025-001", T, |s| {
            s.contains("HT-2025-001") && !s.contains("HT-2025-004")
        })
        .await;
        // A lone Esc (after its timeout) closes the ticket.
        t.send(b"\x1b").await;
        t.expect("5 overdue contracts").await;
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_search_input_split_mid_character() {
    within(60, async {
        let s = serve().await;
        let mut t = Term::open(
            s.addr(),
            "admin",
            s.key("admin"),
            100,
            30,
            &[("LANG", "zh_CN.UTF-8")],
        )
        .await
        .unwrap();
        t.expect("HT-2025-004").await;
        t.send(b"/").await;
        let name = "王小明".as_bytes();
        // Split inside the first character.
        t.send(&name[..2]).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        t.send(&name[2..]).await;
        t.wait_for("only 王小明's row", T, |s| {
            s.contains("HT-2025-003") && !s.contains("HT-2025-004")
        })
        .await;
        assert!(t.screen().contains("王小明"));
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_one_session_reaches_the_others_and_unchanged_screens_stay_quiet() {
    within(60, async {
        let s = serve().await;
        let mut payments = Term::open(s.addr(), "fin", s.key("fin"), 100, 30, &[])
            .await
            .unwrap();
        payments.expect("overdue").await;
        payments.send(b"2").await;
        payments.expect("WX-8812").await;
        let mut quiet = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        quiet.send(b"3").await;
        quiet.expect("Settings").await;
        payments.settle(Duration::from_millis(300)).await;
        quiet.settle(Duration::from_millis(300)).await;
        let quiet_before = quiet.received;

        // wang records a payment from his session's account: it waits for finance.
        let (status, out, err) = exec(
            s.addr(),
            "wang",
            s.key("wang"),
            "payment record --contract HT-2025-002 --amount 777 --received-on 2026-06-14 --reference SSH-TEST",
        )
        .await;
        assert_eq!(status, Some(0), "stdout {out} stderr {err}");
        let start = Instant::now();
        payments.expect("SSH-TEST").await;
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "the change took {:?} to show",
            start.elapsed()
        );
        // The settings screen shows nothing that changed: at most a few reset bytes.
        quiet.settle(Duration::from_millis(500)).await;
        assert!(
            quiet.received - quiet_before < 64,
            "an unchanged screen received {} bytes",
            quiet.received - quiet_before
        );
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_over_ssh_run_as_the_key_user_with_their_exit_status() {
    within(60, async {
        let s = serve().await;
        let (status, out, err) = exec(s.addr(), "wang", s.key("wang"), "overdue --json").await;
        assert_eq!(status, Some(0), "{err}");
        let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
        let nos: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["contract_no"].as_str().unwrap())
            .collect();
        assert!(
            nos.contains(&"HT-2025-002") && !nos.contains(&"HT-2025-001"),
            "{nos:?}"
        );

        // Refused by the app: status 1 and the reason on stderr.
        let (status, _, err) = exec(s.addr(), "wang", s.key("wang"), "settle HT-2025-001").await;
        assert_eq!(status, Some(1));
        assert!(err.contains("scope"), "{err}");
        // --as is the key's to decide.
        let (status, _, err) = exec(s.addr(), "wang", s.key("wang"), "--as admin overdue").await;
        assert_eq!(status, Some(2));
        assert!(err.contains("--as"), "{err}");
        // Usage errors: status 2.
        let (status, _, _) = exec(s.addr(), "wang", s.key("wang"), "no-such-command").await;
        assert_eq!(status, Some(2));
        // Key management is the admin's, and works over SSH.
        let (status, out, _) =
            exec(s.addr(), "admin", s.key("admin"), "user keys wang --json").await;
        assert_eq!(status, Some(0));
        assert!(out.contains("SHA256:"), "{out}");
        let (status, _, err) = exec(s.addr(), "wang", s.key("wang"), "user keys li").await;
        assert_eq!(status, Some(1));
        assert!(err.contains("user.keys"), "{err}");
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cap_and_the_idle_timeout_come_from_the_config() {
    within(60, async {
        let s = serve_with("ssh_max_sessions = 1\nssh_idle_timeout_secs = 1\n").await;
        let mut first = Term::open(s.addr(), "admin", s.key("admin"), 80, 24, &[])
            .await
            .unwrap();
        first.expect("overdue").await;
        let mut second = Term::open(s.addr(), "wang", s.key("wang"), 80, 24, &[])
            .await
            .unwrap();
        assert_eq!(second.wait_closed(T).await, Some(1));
        // The first one idles out after a second without input.
        assert_eq!(first.wait_closed(T).await, Some(0));
        assert!(
            first.screen().contains("without input"),
            "{}",
            first.screen()
        );
        s.running.stop().await;
    })
    .await;
}

/// Keystroke → first output byte latencies of `keys` Down/Up presses.
async fn type_and_time(t: &mut Term, keys: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(keys);
    for i in 0..keys {
        let key: &[u8] = if i % 2 == 0 { b"j" } else { b"k" };
        let sent = Instant::now();
        t.send(key).await;
        assert!(t.read_once(T).await, "no output after a keystroke");
        times.push(sent.elapsed());
        // Take the rest of the frame before the next key.
        t.settle(Duration::from_millis(5)).await;
    }
    times
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_does_not_slow_the_others() {
    within(120, async {
        let s = serve().await;
        // The stalled client: switches screens without reading a byte.
        let stalled = Term::open(s.addr(), "admin", s.key("admin"), 200, 60, &[])
            .await
            .unwrap();
        let flood = tokio::spawn(async move {
            for i in 0..2000 {
                let key: &[u8] = [b"1", b"2", b"3"][i % 3];
                if tokio::time::timeout(Duration::from_millis(50), stalled.channel.data(key))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            stalled
        });
        let mut sessions = Vec::new();
        for _ in 0..10 {
            let mut t = Term::open(s.addr(), "fin", s.key("fin"), 100, 30, &[])
                .await
                .unwrap();
            t.expect("overdue").await;
            sessions.push(t);
        }
        let mut tasks = Vec::new();
        for mut t in sessions {
            tasks.push(tokio::spawn(async move { type_and_time(&mut t, 20).await }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all.sort();
        let p99 = all[all.len() * 99 / 100 - 1];
        eprintln!("10 sessions × 20 keys beside a stalled client: p99 {p99:?}");
        // Debug build on a shared 2-core machine: generous, but a stall would be seconds.
        assert!(p99 < Duration::from_millis(1000), "p99 {p99:?}");
        let _ = tokio::time::timeout(Duration::from_secs(30), flood).await;
        s.running.stop().await;
    })
    .await;
}

/// Whether OpenSSH's `ssh` and `ssh-keygen` are installed; says so loudly when not.
fn has_openssh() -> bool {
    openssh::has_openssh("the OpenSSH client test")
}

/// A key made by `ssh-keygen` and registered for `user`: (its directory, its path).
fn openssh_key(app: &App, user: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, public) = openssh::keygen(dir.path(), "ed25519");
    let (line, fingerprint) = duedesk::cli::parse_public_key(&public).unwrap();
    app.execute(
        &ctx(),
        Mutation::AddKey {
            user: user.into(),
            key: line,
            fingerprint,
        },
    )
    .unwrap();
    (dir, key_path)
}

/// `ssh` with `key`, to `user` on the served port, asking nothing of a person.
fn openssh(s: &Served, key: &std::path::Path, user: &str) -> std::process::Command {
    openssh::ssh(key, s.addr().port(), user)
}

/// Waits for a child for up to `timeout`; kills it and returns `None` after that.
fn wait_child(
    child: &mut std::process::Child,
    timeout: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn openssh_client_logs_in_sees_the_dashboard_and_quits() {
    if !has_openssh() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(serve());
    let (_keys, key_path) = openssh_key(&s.app, "li");
    use std::io::{Read, Write};
    let mut child = openssh(&s, &key_path, "li")
        .arg("-tt")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&seen).contains("HT-2025-001") && Instant::now() < deadline {
        if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(100)) {
            seen.extend(bytes);
        }
    }
    let text = String::from_utf8_lossy(&seen).into_owned();
    if !text.contains("HT-2025-001") {
        let _ = child.kill();
        let mut err = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        panic!("ssh did not show li's dashboard: stdout {text:?} stderr {err:?}");
    }
    child.stdin.as_mut().unwrap().write_all(b"q").unwrap();
    let status = wait_child(&mut child, Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "ssh did not exit 0 after q: {status:?}"
    );
    rt.block_on(s.running.stop());
}

#[test]
fn openssh_sftp_is_refused_at_once_instead_of_hanging() {
    if !has_openssh() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(serve());
    let (_keys, key_path) = openssh_key(&s.app, "li");
    let mut child = openssh(&s, &key_path, "li")
        .args(["-s", "sftp"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_child(&mut child, Duration::from_secs(20));
    assert!(
        status.is_some_and(|s| !s.success()),
        "ssh -s sftp did not fail within 20 s: {status:?}"
    );
    rt.block_on(s.running.stop());
}

#[test]
fn a_served_database_tells_a_local_command_who_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let app = App::open(&db).unwrap();
    std::fs::write(
        duedesk::store::serve_lock_path(&db),
        "pid=4242\naddress=127.0.0.1:2222\n",
    )
    .unwrap();
    let err = App::open(&db)
        .err()
        .expect("a second open is refused")
        .to_string();
    assert!(
        err.contains("pid 4242") && err.contains("127.0.0.1:2222"),
        "{err}"
    );
    drop(app);
    let _ = Ctx::new("admin", d(TODAY), 0);
}

/// A client that names no language gets the user's preferred one; one that names a
/// language gets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_without_lang_takes_the_users_language() {
    within(60, async {
        let s = serve().await;
        s.app
            .execute(
                &ctx(),
                Mutation::SetLanguage {
                    name: "fin".into(),
                    lang: duedesk::i18n::Lang::Zh,
                },
            )
            .unwrap();
        let mut zh = Term::open(s.addr(), "fin", s.key("fin"), 100, 30, &[])
            .await
            .unwrap();
        zh.expect("逾期客户").await;
        let mut en = Term::open(
            s.addr(),
            "fin",
            s.key("fin"),
            100,
            30,
            &[("LANG", "en_US.UTF-8")],
        )
        .await
        .unwrap();
        en.expect("Overdue").await;
        assert!(!en.screen().contains("逾期客户"), "{}", en.screen());
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_date_over_ssh_is_the_servers() {
    within(60, async {
        let s = serve().await;
        // Backdating (or postdating) through --today is refused…
        let (status, _, err) = exec(
            s.addr(),
            "wang",
            s.key("wang"),
            "--today 2031-01-01 payment record --contract HT-2025-002 --amount 1 --received-on 2031-01-01",
        )
        .await;
        assert_eq!(status, Some(2), "{err}");
        assert!(err.contains("--today"), "{err}");
        // …and a command without it acts on the server's date.
        let (status, _, err) = exec(
            s.addr(),
            "wang",
            s.key("wang"),
            "contact add HT-2025-002 --channel call --result answered",
        )
        .await;
        assert_eq!(status, Some(0), "{err}");
        let journal: Vec<(duedesk::store::EntryHeader, Mutation)> = s
            .app
            .store()
            .journal()
            .collect::<Result<_, _>>()
            .unwrap();
        let (header, _) = journal
            .iter()
            .rev()
            .find(|(_, m)| matches!(m, Mutation::AddContact { .. }))
            .unwrap();
        assert_eq!(header.business_date, d(TODAY));
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_is_refused_over_ssh_even_to_the_admin() {
    within(60, async {
        let s = serve().await;
        let before = s.app.store().journal_len().unwrap();
        let (status, _, err) = exec(s.addr(), "admin", s.key("admin"), "rebuild").await;
        assert_eq!(status, Some(2), "{err}");
        assert!(err.contains("server's own machine"), "{err}");
        // Nothing was replayed: the journal is as it was, bar the login and logout.
        assert!(s.app.store().journal_len().unwrap() <= before + 2);
        // And a key still logs in (a rebuild used to make every key unknown).
        assert!(login(s.addr(), "wang", s.key("wang")).await.is_ok());
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_window_changes_are_coalesced_and_the_last_size_wins() {
    within(120, async {
        let s = serve().await;
        let mut t = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        t.expect("5 overdue contracts").await;
        for i in 0..20_000u32 {
            let (cols, rows) = if i % 2 == 0 { (1000, 1000) } else { (999, 998) };
            t.channel.window_change(cols, rows, 0, 0).await.unwrap();
        }
        t.resize(90, 25).await;
        // The screen answers a key at the last size, promptly, once the burst is through.
        t.send(b"2").await;
        t.expect("WX-8812").await;
        t.wait_for("the hint bar on row 25", T, |s| {
            s.lines().count() <= 25 && s.contains("quit")
        })
        .await;
        t.send(b"q").await;
        assert_eq!(t.wait_closed(T).await, Some(0));
        s.running.stop().await;
    })
    .await;
}

/// Polls until the server runs no interactive session; panics after `T`.
async fn sessions_end(s: &Served) {
    let deadline = Instant::now() + T;
    while s.running.sessions() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} sessions still run {T:?} after their clients left",
            s.running.sessions()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_client_is_dropped_and_a_closed_connection_stops_its_work() {
    within(120, async {
        let s = serve().await;
        // 300 KB of screen switches at once: more than a session will hold unread.
        let mut t = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        t.expect("5 overdue contracts").await;
        let flood: Vec<u8> = b"1234".iter().copied().cycle().take(300_000).collect();
        t.send(&flood).await;
        assert_eq!(t.wait_closed(Duration::from_secs(30)).await, Some(1));
        sessions_end(&s).await;

        // 60 KB (within the budget) and gone: the session stops at once, not after the keys.
        let t = Term::open(s.addr(), "admin", s.key("admin"), 100, 30, &[])
            .await
            .unwrap();
        let keys: Vec<u8> = b"1234".iter().copied().cycle().take(60_000).collect();
        t.send(&keys).await;
        let _ = t
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "")
            .await;
        drop(t);
        sessions_end(&s).await;
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_per_connection_and_shells_per_user_are_capped() {
    within(120, async {
        let s = serve().await;
        let handle = login(s.addr(), "fin", s.key("fin")).await.unwrap();
        let mut open = Vec::new();
        for _ in 0..ssh::server::MAX_CHANNELS_PER_CONNECTION {
            open.push(handle.channel_open_session().await.expect("a channel"));
        }
        assert!(
            handle.channel_open_session().await.is_err(),
            "a channel past the cap was opened"
        );
        drop(open);
        drop(handle);
        // One user's shells, over as many connections as they like.
        let mut shells = Vec::new();
        for _ in 0..ssh::server::MAX_SHELLS_PER_USER {
            let mut t = Term::open(s.addr(), "li", s.key("li"), 100, 30, &[])
                .await
                .unwrap();
            t.expect("quit").await;
            shells.push(t);
        }
        let mut one_more = Term::open(s.addr(), "li", s.key("li"), 100, 30, &[])
            .await
            .unwrap();
        assert_eq!(one_more.wait_closed(T).await, Some(1));
        // Another user is not held back by li's sessions.
        let mut w = Term::open(s.addr(), "wang", s.key("wang"), 100, 30, &[])
            .await
            .unwrap();
        w.expect("quit").await;
        s.running.stop().await;
    })
    .await;
}

/// Waits for a reply to a channel request: true for success, false for failure.
async fn reply_to_request(channel: &mut russh::Channel<russh::client::Msg>) -> bool {
    loop {
        match tokio::time::timeout(T, channel.wait()).await {
            Ok(Some(russh::ChannelMsg::Success)) => return true,
            Ok(Some(russh::ChannelMsg::Failure)) => return false,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the channel closed without a reply"),
            Err(_) => panic!("no reply to the request within {T:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subsystem_and_x11_requests_are_answered_with_failure() {
    within(60, async {
        let s = serve().await;
        let handle = login(s.addr(), "wang", s.key("wang")).await.unwrap();
        let mut channel = handle.channel_open_session().await.unwrap();
        channel.request_subsystem(true, "sftp").await.unwrap();
        assert!(!reply_to_request(&mut channel).await);
        channel
            .request_x11(true, false, "MIT-MAGIC-COOKIE-1", "00", 0)
            .await
            .unwrap();
        assert!(!reply_to_request(&mut channel).await);
        // The channel still takes a command.
        channel.exec(true, "overdue --json").await.unwrap();
        assert!(reply_to_request(&mut channel).await);
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_start_nothing_are_closed_after_the_grace() {
    within(60, async {
        let s = serve_with("ssh_login_grace_secs = 1\n").await;
        // Logged in, but no session and no command.
        let handle = login(s.addr(), "wang", s.key("wang")).await.unwrap();
        // Not even the SSH greeting.
        let mut raw = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
        let deadline = Instant::now() + T;
        while !handle.is_closed() {
            assert!(Instant::now() < deadline, "an idle login stayed open");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 4096];
        let closed = tokio::time::timeout(T, async {
            loop {
                match raw.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a silent connection stayed open");
        // A session started within the grace is not cut by it.
        let mut t = Term::open(s.addr(), "wang", s.key("wang"), 80, 24, &[])
            .await
            .unwrap();
        t.expect("quit").await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        t.send(b"2").await;
        t.settle(Duration::from_millis(300)).await;
        assert!(!t.closed, "a running session was closed by the login grace");
        s.running.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_users_open_screens_close() {
    within(60, async {
        let s = serve().await;
        let mut t = Term::open(s.addr(), "wang", s.key("wang"), 100, 30, &[])
            .await
            .unwrap();
        t.expect("HT-2025-002").await;
        s.app
            .execute(
                &ctx(),
                Mutation::DisableUser {
                    name: "wang".into(),
                },
            )
            .unwrap();
        assert_eq!(t.wait_closed(T).await, Some(1));
        assert!(
            t.screen().contains("may no longer log in"),
            "{}",
            t.screen()
        );
        s.running.stop().await;
    })
    .await;
}

/// `duedesk serve` as its own process, as an operator starts it: with `DUEDESK_DB` and
/// `DUEDESK_CONFIG` in its environment.
#[test]
fn the_servers_environment_does_not_refuse_ssh_commands_and_its_log_quotes_names() {
    use std::io::BufRead;
    let Book { dir, app } = book();
    let key = new_key();
    add_key(&app, "admin", &key);
    drop(app);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let db = dir.path().join("db");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DUEDESK_DB", &db)
        .env("DUEDESK_CONFIG", &config)
        .env("DUEDESK_TODAY", TODAY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = served_address(&first);
    let stderr = server.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (status, out, err) = rt.block_on(exec(addr, "admin", &key, "overdue --json"));
    let forged = "x\nduedesk serve: login admin from 6.6.6.6:22";
    let refused = rt.block_on(login(addr, forged, &key));
    let _ = std::process::Command::new("kill")
        .arg(server.id().to_string())
        .status();
    let _ = server.wait();
    let log: Vec<String> = rx.try_iter().collect();
    assert_eq!(status, Some(0), "stdout {out} stderr {err}");
    assert!(out.trim_start().starts_with('['), "{out}");
    assert!(refused.is_err());
    assert!(
        !log.iter()
            .any(|l| l.starts_with("duedesk serve: login admin from 6.6.6.6")),
        "a login name forged a log line: {log:#?}"
    );
    assert!(
        log.iter()
            .any(|l| l.contains(r#""x\nduedesk serve: login admin from 6.6.6.6:22""#)),
        "the refusal names the login quoted: {log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_are_closed_before_the_greeting() {
    use tokio::io::AsyncReadExt;
    within(60, async {
        let s = serve_with("ssh_max_sessions = 1\nssh_max_connections_per_address = 10\n").await;
        let cap = 10;
        let mut held = Vec::new();
        for _ in 0..cap {
            let mut c = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
            // Each gets the server's greeting: it was taken.
            let mut greeting = [0u8; 8];
            c.read_exact(&mut greeting).await.unwrap();
            assert_eq!(&greeting, b"SSH-2.0-");
            held.push(c);
        }
        let mut refused = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
        let mut buf = [0u8; 64];
        let n = tokio::time::timeout(T, refused.read(&mut buf))
            .await
            .expect("the connection past the cap was left open")
            .unwrap_or(0);
        assert_eq!(n, 0, "the connection past the cap got {:?}", &buf[..n]);
        // Once they go, logins work again.
        drop(held);
        let deadline = Instant::now() + T;
        while login(s.addr(), "wang", s.key("wang")).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "no login after the connections closed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        s.running.stop().await;
    })
    .await;
}

/// Over SSH a move that scrolls the list scrolls the client's terminal (a scroll region)
/// instead of repainting the rows: a few hundred bytes, and the screen the client shows is
/// the frame's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_that_scrolls_the_list_costs_a_few_hundred_bytes() {
    within(60, async {
        let s = serve().await;
        // 80×15: the list has five rows; the view of every contract has six.
        let mut t = Term::open(s.addr(), "admin", s.key("admin"), 80, 15, &[])
            .await
            .unwrap();
        t.expect("HT-2025-004").await;
        t.send(b"vv").await;
        t.expect("All in scope: 6 contracts").await;
        t.settle(Duration::from_millis(200)).await;
        let first_row = |t: &Term| {
            t.screen()
                .lines()
                .find(|l| l.contains("HT-2025-"))
                .map(str::to_string)
                .unwrap_or_default()
        };
        let top = first_row(&t);
        for _ in 0..4 {
            t.send(b"j").await;
            t.settle(Duration::from_millis(150)).await;
        }
        assert_eq!(first_row(&t), top, "no scroll yet:\n{}", t.screen());
        let before = t.received;
        t.send(b"j").await;
        t.settle(Duration::from_millis(300)).await;
        let bytes = t.received - before;
        assert_ne!(first_row(&t), top, "the list scrolled:\n{}", t.screen());
        assert!(bytes <= 300, "a move that scrolls cost {bytes} bytes");
        // What the client shows is what a repaint shows: every contract once, the last
        // one on the list's last row.
        let screen = t.screen();
        let shown: Vec<&str> = screen.lines().filter(|l| l.contains("HT-2025-")).collect();
        assert_eq!(shown.len(), 5, "{screen}");
        let mut nos: Vec<&str> = shown
            .iter()
            .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("HT-2025-")))
            .collect();
        nos.sort();
        nos.dedup();
        assert_eq!(nos.len(), 5, "{screen}");
        s.running.stop().await;
    })
    .await;
}
