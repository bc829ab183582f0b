//! Commands of the workflows: users, rules, approvals, lock, tow, inbox, audit.

use super::args::*;
use super::hooks::{self, Hooks};
use super::table::Table;
use super::{Done, Failure, parse_date, parse_money, print_created, print_json, say};
use crate::app::{
    App, ApplicationFilter, ApplicationRow, ApplicationView, Ctx, Mutation, rules_file,
};
use crate::domain::approval::DocumentType;
use crate::domain::{Money, Role};

fn roles(text: &str) -> Result<Vec<Role>, Failure> {
    text.split(',')
        .map(|r| {
            Role::parse(r).ok_or_else(|| {
                Failure::of(vec![format!(
                    "--role: '{}' is not a role; use collector, clerk, sales, finance, approver or admin",
                    r.trim()
                )])
            })
        })
        .collect()
}

pub fn user(app: &App, ctx: &Ctx, cmd: UserCmd) -> Done {
    match cmd {
        UserCmd::Add {
            name,
            roles: r,
            branch,
            display,
        } => {
            let m = Mutation::AddUser {
                name,
                display: display.unwrap_or_default(),
                roles: roles(&r)?,
                branch,
            };
            say(app, ctx, m)
        }
        UserCmd::List(JsonFlag { json }) => {
            let users = app.users(ctx)?;
            if json {
                return print_json(&users);
            }
            let mut t = Table::new(&["name", "display", "roles", "branch", "state", "lang"]);
            for u in &users {
                t.row(vec![
                    u.name.clone(),
                    u.display.clone(),
                    u.roles.join(","),
                    u.branch.clone().unwrap_or_else(|| "-".into()),
                    if u.disabled { "disabled" } else { "active" }.into(),
                    u.lang.unwrap_or("-").into(),
                ]);
            }
            out!("{}", t.render());
            Ok(())
        }
        UserCmd::Disable { name } => say(app, ctx, Mutation::DisableUser { name }),
        UserCmd::AddKey { name, file } => {
            let text = if file.as_os_str() == "-" {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map_err(|e| format!("stdin cannot be read: {e}"))?;
                text
            } else {
                std::fs::read_to_string(&file)
                    .map_err(|e| format!("{}: cannot be read: {e}", file.display()))?
            };
            let (key, fingerprint) = parse_public_key(&text)?;
            say(
                app,
                ctx,
                Mutation::AddKey {
                    user: name,
                    key,
                    fingerprint,
                },
            )
        }
        UserCmd::Keys { name, json } => {
            let keys = app.user_keys(ctx, &name)?;
            if json {
                let items: Vec<_> = keys
                    .iter()
                    .map(|(f, k)| serde_json::json!({ "fingerprint": f, "key": k }))
                    .collect();
                return print_json(&items);
            }
            let mut t = Table::new(&["fingerprint", "key"]);
            for (fingerprint, key) in keys {
                let comment = key.split_whitespace().nth(2).unwrap_or("").to_string();
                let kind = key.split_whitespace().next().unwrap_or("").to_string();
                t.row(vec![fingerprint, format!("{kind} {comment}")]);
            }
            out!("{}", t.render());
            Ok(())
        }
        UserCmd::RemoveKey { name, fingerprint } => say(
            app,
            ctx,
            Mutation::RemoveKey {
                user: name,
                fingerprint,
            },
        ),
        UserCmd::Lang { name, lang } => {
            let lang = crate::i18n::Lang::parse(&lang).ok_or("language: give zh or en")?;
            say(app, ctx, Mutation::SetLanguage { name, lang })
        }
        UserCmd::Branch { name, branch } => say(app, ctx, Mutation::SetBranch { name, branch }),
        UserCmd::Roles { name, roles: r } => say(
            app,
            ctx,
            Mutation::SetRoles {
                name,
                roles: roles(&r)?,
            },
        ),
    }
}

/// The first key line of an OpenSSH public key file: (normalised line, SHA256 fingerprint).
pub fn parse_public_key(text: &str) -> Result<(String, String), Failure> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| {
            Failure::of(vec![
                "no public key given: pass an OpenSSH .pub line".into(),
            ])
        })?;
    let key = russh::keys::PublicKey::from_openssh(line).map_err(|e| {
        Failure::of(vec![format!(
            "not an OpenSSH public key ({e}); give the .pub file, e.g. ~/.ssh/id_ed25519.pub"
        )])
    })?;
    let fingerprint = key.fingerprint(russh::keys::HashAlg::Sha256).to_string();
    let normalised = key
        .to_openssh()
        .map_err(|e| Failure::of(vec![format!("the key cannot be encoded: {e}")]))?;
    Ok((normalised, fingerprint))
}

fn read_rules(file: &std::path::Path) -> Result<Vec<crate::domain::approval::Rule>, Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::of(vec![format!("{name}: cannot be read: {e}")]))?;
    rules_file::parse(&name, &text).map_err(Failure::of)
}

pub fn rules(app: &App, ctx: &Ctx, cmd: RulesCmd) -> Done {
    match cmd {
        RulesCmd::Show(JsonFlag { json }) => {
            let view = app.rules(ctx)?;
            if json {
                return print_json(&view);
            }
            let set = crate::app::rules_in_force_of(app)?;
            outln!(
                "# approval rules, version {}{}",
                view.version,
                if view.version == 0 {
                    " (built-in defaults)"
                } else {
                    ""
                }
            );
            out!("{}", rules_file::render(&set.rules));
            Ok(())
        }
        RulesCmd::Check { file } => {
            let rules = read_rules(&file)?;
            outln!("{}: {} rules, valid", file.display(), rules.len());
            Ok(())
        }
        RulesCmd::Set { file } => {
            let rules = read_rules(&file)?;
            say(app, ctx, Mutation::SetRules { rules })
        }
    }
}

fn print_rows(rows: &[ApplicationRow]) {
    let mut t = Table::new(&[
        "id",
        "type",
        "contract",
        "customer",
        "branch",
        "applicant",
        "submitted",
        "stage",
        "waiting for",
        ">days",
        ">overdue",
    ]);
    for r in rows {
        t.row(vec![
            r.id.clone(),
            r.document.into(),
            r.contract_no.clone(),
            r.customer.clone(),
            r.branch.clone(),
            r.applicant.clone(),
            r.submitted_on.to_string(),
            r.stage.into(),
            r.current_step.clone().unwrap_or_else(|| "-".into()),
            r.days_overdue.to_string(),
            r.overdue_amount.display(),
        ]);
    }
    out!("{}", t.render());
}

fn print_application(v: &ApplicationView) {
    let r = &v.row;
    outln!(
        "{} {} application on contract {} ({}, {})",
        r.id,
        r.document,
        r.contract_no,
        r.customer,
        r.branch
    );
    outln!(
        "applicant {} on {}: {}",
        r.applicant,
        r.submitted_on,
        r.reason
    );
    if !r.location.is_empty() {
        outln!("machine location: {}", r.location);
    }
    if let Some(amount) = r.amount {
        outln!("amount asked: {}", amount.display());
    }
    outln!(
        "figures at submission: {} days overdue, overdue {}, penalty {}, total outstanding {}",
        r.days_overdue,
        r.overdue_amount.display(),
        r.penalty_outstanding.display(),
        r.total_outstanding.display()
    );
    outln!(
        "rule '{}' (version {}): chain {}",
        r.rule_name,
        r.rule_version,
        v.chain.join(" → ")
    );
    outln!(
        "stage: {}{}",
        r.stage,
        r.current_step
            .as_ref()
            .map_or(String::new(), |s| format!(", waiting for {s}"))
    );
    outln!("history:");
    for d in &v.history {
        let step = d.step.as_ref().map_or(String::new(), |s| format!(" [{s}]"));
        outln!("  {} {} {}{step} {}", d.on, d.by, d.action, d.comment);
    }
    if let Some(t) = &v.tow {
        outln!(
            "tow: crew {} on {} at {} (registered by {}){}",
            t.crew.join(","),
            t.planned_on,
            t.location,
            t.registered_by,
            if t.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", t.note)
            }
        );
        if let (Some(on), Some(yard)) = (t.towed_on, &t.yard) {
            outln!(
                "towed back on {on} to {yard}; condition: {}; cost {}",
                t.condition.clone().unwrap_or_default(),
                t.cost.unwrap_or(Money::ZERO).display()
            );
        }
        if let Some(reason) = &t.failure {
            outln!("tow failed: {reason}");
        }
    }
    for status in &v.failed_commands {
        outln!("lock_command failed with status {status}");
    }
    if let Some(on) = v.executed_on {
        let status = v
            .command_status
            .map_or("no lock_command configured".to_string(), |c| {
                format!("lock_command exit status {c}")
            });
        outln!("executed on {on} ({status})");
    }
}

pub fn approval(app: &App, ctx: &Ctx, cmd: ApprovalCmd) -> Done {
    match cmd {
        ApprovalCmd::List { mine, json, out } => {
            let rows = app.applications(
                ctx,
                &ApplicationFilter {
                    awaiting_me: mine,
                    ..Default::default()
                },
            )?;
            if super::report::list_out("approvals", &rows, &out)? {
                return Ok(());
            }
            if json {
                print_json(&rows)
            } else {
                print_rows(&rows);
                Ok(())
            }
        }
        ApprovalCmd::Show { id, json } => show(app, ctx, &id, json),
        ApprovalCmd::Approve { id, comment } => say(app, ctx, Mutation::Approve { id, comment }),
        ApprovalCmd::Reject { id, comment } => say(app, ctx, Mutation::Reject { id, comment }),
        ApprovalCmd::Resubmit {
            id,
            reason,
            location,
            amount,
        } => {
            let amount = amount.map(|a| parse_money(&a, "--amount")).transpose()?;
            say(
                app,
                ctx,
                Mutation::Resubmit {
                    id,
                    reason,
                    location,
                    amount,
                },
            )
        }
        ApprovalCmd::Withdraw { id } => say(app, ctx, Mutation::Withdraw { id }),
    }
}

fn show(app: &App, ctx: &Ctx, id: &str, json: bool) -> Done {
    let view = app.application(ctx, id)?;
    if json {
        print_json(&view)
    } else {
        print_application(&view);
        Ok(())
    }
}

fn apply(
    app: &App,
    ctx: &Ctx,
    document: DocumentType,
    contract: String,
    reason: String,
    location: String,
    json: bool,
) -> Done {
    let outcome = app.execute(
        ctx,
        Mutation::Apply {
            id: String::new(),
            document,
            contract,
            reason,
            location,
        },
    )?;
    if !json {
        errln!("{}", outcome.message);
    }
    print_created(outcome.id, &outcome.message, json)
}

pub fn lock(app: &App, ctx: &Ctx, hooks: &Hooks, cmd: LockCmd) -> Done {
    match cmd {
        LockCmd::Apply {
            contract,
            reason,
            json,
        } => apply(
            app,
            ctx,
            DocumentType::Lock,
            contract,
            reason,
            String::new(),
            json,
        ),
        LockCmd::Unlock {
            contract,
            reason,
            json,
        } => apply(
            app,
            ctx,
            DocumentType::Unlock,
            contract,
            reason,
            String::new(),
            json,
        ),
        LockCmd::Execute { id } => {
            let (outcome, status) =
                hooks::execute_lock_order(app, ctx, hooks.lock_command.as_deref(), &id)?;
            match status {
                Some(code) if code != 0 => Err(Failure::of(vec![outcome.message])),
                _ => {
                    outln!("{}", outcome.message);
                    Ok(())
                }
            }
        }
    }
}

pub fn tow(app: &App, ctx: &Ctx, cmd: TowCmd) -> Done {
    match cmd {
        TowCmd::Apply {
            contract,
            reason,
            location,
            json,
        } => apply(
            app,
            ctx,
            DocumentType::Tow,
            contract,
            reason,
            location,
            json,
        ),
        TowCmd::Register {
            id,
            crew,
            date,
            location,
            note,
        } => {
            let crew = crew
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            let planned_on = parse_date(&date, "--date")?;
            say(
                app,
                ctx,
                Mutation::RegisterTow {
                    id,
                    crew,
                    planned_on,
                    location,
                    note,
                },
            )
        }
        TowCmd::Complete {
            id,
            date,
            yard,
            condition,
            cost,
        } => {
            let towed_on = parse_date(&date, "--date")?;
            let cost = cost
                .map(|c| parse_money(&c, "--cost"))
                .transpose()?
                .unwrap_or(Money::ZERO);
            say(
                app,
                ctx,
                Mutation::CompleteTow {
                    id,
                    towed_on,
                    yard,
                    condition,
                    cost,
                },
            )
        }
        TowCmd::Fail { id, reason } => say(app, ctx, Mutation::FailTow { id, reason }),
        TowCmd::Show { id, json } => show(app, ctx, &id, json),
        TowCmd::Board(ListArgs { json, out }) => {
            let rows = app.tow_board(ctx)?;
            if super::report::list_out("tow_board", &rows, &out)? {
                return Ok(());
            }
            if json {
                print_json(&rows)
            } else {
                print_rows(&rows);
                Ok(())
            }
        }
    }
}

pub fn waiver_list(app: &App, ctx: &Ctx, json: bool) -> Done {
    let rows = app.applications(
        ctx,
        &ApplicationFilter {
            document: Some(DocumentType::Waiver),
            ..Default::default()
        },
    )?;
    if json {
        print_json(&rows)
    } else {
        print_rows(&rows);
        Ok(())
    }
}

pub fn inbox(app: &App, ctx: &Ctx, args: InboxArgs) -> Done {
    let items = app.inbox(ctx)?;
    if args.read_all {
        let ids: Vec<String> = items
            .iter()
            .filter(|n| !n.read)
            .map(|n| n.id.clone())
            .collect();
        return say(app, ctx, Mutation::MarkRead { ids });
    }
    if args.json {
        return print_json(&items);
    }
    let mut t = Table::new(&["", "date", "message", "delivery"]);
    for n in &items {
        t.row(vec![
            if n.read { " " } else { "*" }.into(),
            n.on.to_string(),
            n.text.clone(),
            n.delivery.into(),
        ]);
    }
    out!("{}", t.render());
    outln!("{} unread", items.iter().filter(|n| !n.read).count());
    Ok(())
}

pub fn audit(app: &App, ctx: &Ctx, contract: &str, json: bool, out: &OutArgs) -> Done {
    let entries = app.audit(ctx, contract)?;
    if super::report::list_out("audit", &entries, out)? {
        return Ok(());
    }
    if json {
        return print_json(&entries);
    }
    let mut t = Table::new(&["#", "when", "date", "who", "what", "detail"]);
    for e in &entries {
        t.row(vec![
            format!("{}-{}", e.site, e.seq),
            e.at.clone(),
            e.business_date.to_string(),
            e.actor.clone(),
            e.action.into(),
            e.detail.clone(),
        ]);
    }
    out!("{}", t.render());
    Ok(())
}
