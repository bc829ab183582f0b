//! The configured outside commands: `lock_command` (the GPS vendor's API) and
//! `notify_command` (an SMS or WeChat gateway). Each gets one JSON document on stdin; its
//! exit status is what duedesk records. A failing command never undoes or blocks the
//! change that caused it.

use crate::app::{App, Ctx, Mutation};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long an outside command may take before it is stopped and counted as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts before a notification stays failed in the inbox for good.
pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, Default, Clone)]
pub struct Hooks {
    pub lock_command: Option<String>,
    pub notify_command: Option<String>,
}

impl Hooks {
    /// The two commands of the configuration file (`--config`, else the default file).
    pub fn from_config(config: &crate::ui::config::Config) -> Hooks {
        Hooks {
            lock_command: config.lock_command.clone(),
            notify_command: config.notify_command.clone(),
        }
    }
}

/// Sends an approved lock or unlock order to the GPS vendor through `lock_command` and
/// records it as executed with the command's exit status (none without a command). A
/// failed run is recorded too and leaves the order approved, to be sent again. Checked
/// first, so nothing is sent for an order the user may not execute: the app's refusal then.
pub fn execute_lock_order(
    app: &App,
    ctx: &Ctx,
    lock_command: Option<&str>,
    id: &str,
) -> Result<(crate::app::Outcome, Option<i32>), crate::app::AppError> {
    let view = app.application(ctx, id)?;
    let refused = || {
        app.execute(
            ctx,
            Mutation::Execute {
                id: id.to_string(),
                command_status: None,
            },
        )
        .map(|o| (o, None))
    };
    if let Some(why) = view.row.next.execute.clone() {
        return Err(why.into());
    }
    if !app.awaits(ctx, id)? {
        // Let the app word the refusal (not this user's to execute).
        return refused();
    }
    let command_status = lock_command.map(|command| {
        let order = serde_json::json!({
            "id": view.row.id,
            "order": view.row.document,
            "contract_no": view.row.contract_no,
            "customer": view.row.customer,
            "branch": view.row.branch,
            "requested_by": ctx.actor,
            "on": ctx.today.to_string(),
        });
        run(command, &order.to_string()).unwrap_or(-1)
    });
    let outcome = app.execute(
        ctx,
        Mutation::Execute {
            id: id.to_string(),
            command_status,
        },
    )?;
    Ok((outcome, command_status))
}

/// Runs `sh -c command` with `input` on stdin. `Ok(status)`, or `Err` when it could not run.
pub fn run(command: &str, input: &str) -> Result<i32, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start '{command}': {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business.
        let _ = stdin.write_all(input.as_bytes());
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status.code().unwrap_or(-1)),
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "'{command}' took longer than {}s and was stopped",
                    COMMAND_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("'{command}': {e}")),
        }
    }
}

/// Hands undelivered notifications to the notify command, recording each outcome. A
/// notification that failed waits 2^attempts seconds before the next try. Returns how many
/// failed this time.
pub fn deliver(app: &App, ctx: &Ctx, command: &str) -> usize {
    let Ok(pending) = app.undelivered(MAX_ATTEMPTS) else {
        return 0;
    };
    let mut failed = 0;
    for (n, attempts) in pending {
        if let crate::domain::workflow::Delivery::Failed { at, .. } = n.delivery
            && ctx.now < at + (1i64 << attempts.min(16))
        {
            continue;
        }
        let json = serde_json::json!({
            "id": n.id,
            "user": n.user,
            "application": n.application,
            "document": n.document.name(),
            "contract_no": n.contract_no,
            "on": n.on.to_string(),
            // Worded in the recipient's language (English unless they chose another).
            "text": app
                .preferred_language(&n.user)
                .ok()
                .flatten()
                .unwrap_or_default()
                .notification(&n),
        });
        let (delivered, error) = match run(command, &json.to_string()) {
            Ok(0) => (true, String::new()),
            Ok(code) => (false, format!("notify_command exited with status {code}")),
            Err(e) => (false, e),
        };
        failed += usize::from(!delivered);
        // The command's words are not ours: a control character in them is dropped.
        let error = error
            .chars()
            .map(|c| {
                if crate::domain::text::is_control(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let record = Mutation::RecordDelivery {
            id: n.id.clone(),
            delivered,
            error,
            at: ctx.now,
        };
        let _ = app.execute(ctx, record);
    }
    failed
}
