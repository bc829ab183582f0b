//! A bounded wait for a replay stuck inside sled. sled 0.34.7 can deadlock under a burst of
//! writes (sled issue #1412: the writing thread waits in `bump_tip` for a file truncation
//! that its IO threads, blocked on a lock that thread holds, never run). Nothing inside the
//! process can free it; a new process can: the database is marked while a replay runs
//! (`Store::clear_projections`) and `App::open` replays again. So when a replay has committed
//! nothing for `DUEDESK_STALL_SECS` (120 by default), this says so and runs the same command
//! again in a fresh process (`exec`), at most twice; then it gives up with exit 1, and the
//! next command finishes the rebuild.

use std::time::Duration;

/// Attempts made so far, carried to the process started again.
const ATTEMPT: &str = "DUEDESK_REPLAY_ATTEMPT";
/// Processes started again before giving up.
const MAX_ATTEMPTS: u32 = 2;

/// Starts the watchdog thread for this process.
pub fn start() {
    let stall = std::env::var("DUEDESK_STALL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(120);
    let _ = std::thread::Builder::new()
        .name("replay-watchdog".into())
        .spawn(move || watch(Duration::from_secs(stall)));
}

fn watch(stall: Duration) {
    let tick = Duration::from_millis(250).min(stall);
    let mut last = crate::store::writes();
    let mut still = Duration::ZERO;
    loop {
        std::thread::sleep(tick);
        let now = crate::store::writes();
        if !crate::app::replaying() || now != last {
            last = now;
            still = Duration::ZERO;
            continue;
        }
        still += tick;
        if still >= stall {
            restart(stall);
        }
    }
}

/// Says what happened and runs this command again in a fresh process, or gives up.
fn restart(stall: Duration) -> ! {
    let attempt: u32 = std::env::var(ATTEMPT)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        + 1;
    eprintln!(
        "duedesk: the rebuild committed nothing for {} s: stuck inside sled (sled issue #1412); the database stays marked and the next open replays it again",
        stall.as_secs()
    );
    if attempt <= MAX_ATTEMPTS {
        eprintln!(
            "duedesk: running the command again in a fresh process (attempt {attempt} of {MAX_ATTEMPTS})"
        );
        #[cfg(unix)]
        if let Ok(exe) = std::env::current_exe() {
            use std::os::unix::process::CommandExt;
            // Replaces this process: sled's files are closed on exec, releasing its lock.
            let e = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env(ATTEMPT, attempt.to_string())
                .exec();
            eprintln!("duedesk: cannot run the command again: {e}");
        }
    }
    eprintln!("duedesk: giving up; run `duedesk rebuild` again");
    std::process::exit(1);
}
