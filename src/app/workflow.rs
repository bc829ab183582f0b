//! Applying the workflow mutations: users, approval rules, applications and their chains,
//! tow registration and outcome, lock execution, notifications (DOMAIN §4–6).

use super::apply::required;
use super::{AppError, Mutation, Outcome, Result};
use crate::domain::approval::{
    Action, Approver, Decision, DocumentType, Facts, ReviewState, Rule, RuleSet,
};
use crate::domain::workflow::{
    Application, Delivery, Followup, Notification, NotificationKind, Snapshot, TowPlan,
};
use crate::domain::{
    self, Contract, ContractState, MachineState, Money, Role, User, WaiverGrant, evaluate,
};
use crate::store::{EntryHeader, Reader, RecordKind, Txn};

/// The rules in force before an admin sets any: waivers, outbound, budget changes and new
/// contracts go to finance; locks, unlocks and tows to the branch's approver.
pub fn builtin_rules() -> RuleSet {
    let rules = DocumentType::ALL
        .iter()
        .map(|&document| Rule {
            name: format!("default {}", document.name()),
            document,
            branch: None,
            min_days_overdue: None,
            min_overdue_amount: None,
            min_amount: None,
            chain: vec![Approver::Role(match document {
                DocumentType::Tow | DocumentType::Lock | DocumentType::Unlock => Role::Approver,
                DocumentType::Waiver
                | DocumentType::Outbound
                | DocumentType::Budget
                | DocumentType::Contract => Role::Finance,
            })],
        })
        .collect();
    RuleSet { version: 0, rules }
}

pub(crate) fn rules_in_force<R: Reader + ?Sized>(reader: &R) -> Result<RuleSet> {
    Ok(reader.rules()?.unwrap_or_else(builtin_rules))
}

fn decision(header: &EntryHeader, action: Action, comment: &str) -> Decision {
    Decision {
        by: header.actor.clone(),
        on: header.business_date,
        at: header.at,
        action,
        step: None,
        comment: comment.to_string(),
    }
}

pub(super) fn apply(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    mutation: &Mutation,
) -> Result<Outcome> {
    let today = header.business_date;
    match mutation {
        Mutation::AddUser {
            name,
            display,
            roles,
            branch,
        } => {
            required("name", name)?;
            if !name
                .chars()
                .all(|c| c.is_alphanumeric() || "._-".contains(c))
            {
                return Err(AppError::Invalid(format!(
                    "user name '{name}' may hold only letters, digits, '.', '_' and '-'"
                )));
            }
            if txn.user(name)?.is_some() {
                return Err(AppError::Refused(format!("user {name} already exists")));
            }
            if roles.is_empty() {
                return Err(AppError::Invalid(format!(
                    "user {name}: give at least one role"
                )));
            }
            let user = User {
                name: name.clone(),
                display: if display.trim().is_empty() {
                    name.clone()
                } else {
                    display.clone()
                },
                roles: sorted(roles),
                branch: branch.clone(),
                disabled: false,
            };
            txn.put_user(&user);
            Ok(Outcome::created(name.clone(), format!("user {name} added")))
        }
        Mutation::DisableUser { name } => {
            let mut user = existing_user(txn, name)?;
            if user.disabled {
                return Ok(Outcome::nothing(format!("user {name} is already disabled")));
            }
            user.disabled = true;
            txn.put_user(&user);
            Ok(Outcome::done(format!("user {name} disabled")))
        }
        Mutation::SetRoles { name, roles } => {
            if roles.is_empty() {
                return Err(AppError::Invalid(format!(
                    "user {name}: give at least one role"
                )));
            }
            let mut user = existing_user(txn, name)?;
            user.roles = sorted(roles);
            txn.put_user(&user);
            let names: Vec<&str> = user.roles.iter().map(|r| r.name()).collect();
            Ok(Outcome::done(format!(
                "user {name}: roles {}",
                names.join(",")
            )))
        }
        Mutation::AddKey {
            user,
            key,
            fingerprint,
        } => {
            key_owner_exists(txn, user)?;
            if !fingerprint.starts_with("SHA256:") || key.split_whitespace().count() < 2 {
                return Err(AppError::Invalid(format!(
                    "user {user}: give an OpenSSH public key line and its SHA256 fingerprint"
                )));
            }
            if let Some(found) = txn.record::<UserKey>(RecordKind::UserKey, fingerprint)? {
                return Err(AppError::Refused(format!(
                    "key {fingerprint} already belongs to user {}; remove it there first",
                    found.user
                )));
            }
            let record = UserKey {
                user: user.clone(),
                key: key.trim().to_string(),
            };
            txn.put_record(RecordKind::UserKey, fingerprint, &record);
            Ok(Outcome::created(
                fingerprint.clone(),
                format!("key {fingerprint} added for user {user}"),
            ))
        }
        Mutation::RemoveKey { user, fingerprint } => {
            match txn.record::<UserKey>(RecordKind::UserKey, fingerprint)? {
                Some(found) if found.user == *user => {
                    txn.delete_record(RecordKind::UserKey, fingerprint);
                    Ok(Outcome::done(format!(
                        "key {fingerprint} removed from user {user}"
                    )))
                }
                _ => Err(AppError::NotFound(format!(
                    "user {user} has no key {fingerprint}; see `duedesk user keys {user}`"
                ))),
            }
        }
        Mutation::Session { user, event, peer } => {
            if header.actor != *user {
                return Err(AppError::Refused(format!(
                    "a session event of {user} is recorded by {user} only"
                )));
            }
            Ok(Outcome::done(format!(
                "{user} {} from {peer}",
                event.name()
            )))
        }
        Mutation::SetRules { rules } => {
            let version = txn.rules()?.map_or(0, |r| r.version) + 1;
            let set = RuleSet {
                version,
                rules: rules.clone(),
            };
            let problems = set.problems();
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems.join("; ")));
            }
            txn.set_rules(&set);
            Ok(Outcome::done(format!(
                "approval rules version {version}: {} rules",
                rules.len()
            )))
        }
        Mutation::ApplyWaiver {
            contract,
            amount,
            reason,
        } => {
            required("reason", reason)?;
            let c = open_contract(txn, contract)?;
            let settings = txn.settings()?;
            let figures = evaluate(&c, &settings, today);
            if let Some(why) = domain::waiver_blocker(&figures, *amount) {
                return Err(AppError::Refused(format!("contract {contract}: {why}")));
            }
            submit_for(
                txn,
                header,
                DocumentType::Waiver,
                &c,
                reason,
                "",
                Some(*amount),
                None,
            )
        }
        Mutation::Apply {
            document,
            contract,
            reason,
            location,
        } => {
            required("reason", reason)?;
            let c = open_contract(txn, contract)?;
            let machine_ok = match document {
                DocumentType::Lock => c.machine == MachineState::Normal,
                DocumentType::Unlock => c.machine == MachineState::Locked,
                DocumentType::Tow => c.machine != MachineState::Towed,
                _ => {
                    return Err(AppError::Invalid(format!(
                        "{} applications are not made on a contract's machine",
                        document.name()
                    )));
                }
            };
            if !machine_ok {
                return Err(AppError::Refused(format!(
                    "contract {contract}: the machine is {}; a {} does not apply",
                    c.machine.name(),
                    document.name()
                )));
            }
            submit_for(txn, header, *document, &c, reason, location, None, None)
        }
        Mutation::Approve { id, comment } => {
            let (mut a, user) = decidable(txn, header, id)?;
            a.review
                .approve(decision(header, Action::Approved, comment));
            match a.review.state {
                ReviewState::InReview { .. } => {
                    notify_step(txn, header, &a)?;
                    save_application(txn, &a)?;
                    let step = a
                        .review
                        .current_step()
                        .map(|s| s.label())
                        .unwrap_or_default();
                    Ok(Outcome::done(format!(
                        "{id} approved by {}; next step: {step}",
                        user.name
                    )))
                }
                _ => {
                    if a.document == DocumentType::Waiver {
                        grant_waiver(txn, header, &mut a)?;
                    }
                    super::outbound::on_review_change(txn, &a)?;
                    notify(
                        txn,
                        header,
                        &a,
                        &[a.applicant.clone()],
                        NotificationKind::Approved,
                    )?;
                    save_application(txn, &a)?;
                    Ok(Outcome::done(format!("{id} approved")))
                }
            }
        }
        Mutation::Reject { id, comment } => {
            required("comment", comment)?;
            let (mut a, _) = decidable(txn, header, id)?;
            a.review.reject(decision(header, Action::Rejected, comment));
            super::outbound::on_review_change(txn, &a)?;
            let kind = NotificationKind::Rejected {
                comment: comment.clone(),
            };
            notify(txn, header, &a, &[a.applicant.clone()], kind)?;
            save_application(txn, &a)?;
            Ok(Outcome::done(format!(
                "{id} rejected and returned to {}",
                a.applicant
            )))
        }
        Mutation::Resubmit {
            id,
            reason,
            location,
            amount,
        } => {
            let mut a = own_application(txn, header, id)?;
            if a.review.state != ReviewState::Rejected {
                return Err(AppError::Refused(format!(
                    "{id} is {}; only a rejected application can be resubmitted",
                    a.review.state_name()
                )));
            }
            if let Some(other) = txn.open_application(&a.contract_no, a.document.name())? {
                return Err(AppError::Refused(format!(
                    "contract {}: {} application {other} is in flight; finish or withdraw it first",
                    a.contract_no,
                    a.document.name()
                )));
            }
            // A draft contract's own approval is resubmitted while it is still a draft.
            let c = if a.document == DocumentType::Contract {
                contract(txn, &a.contract_no)?
            } else {
                open_contract(txn, &a.contract_no)?
            };
            if let Some(reason) = reason {
                required("reason", reason)?;
                a.reason = reason.clone();
            }
            if let Some(location) = location {
                a.location = location.clone();
            }
            if let Some(amount) = amount {
                a.amount = Some(*amount);
            }
            let settings = txn.settings()?;
            let figures = evaluate(&c, &settings, today);
            if a.document == DocumentType::Waiver {
                let asked = a.amount.unwrap_or(Money::ZERO);
                if let Some(why) = domain::waiver_blocker(&figures, asked) {
                    return Err(AppError::Refused(format!("contract {}: {why}", c.no)));
                }
            }
            let history = std::mem::take(&mut a.review.history);
            a.snapshot = snapshot(&figures);
            a.submitted_on = today;
            a.review = domain::approval::Review::start(&rules_in_force(txn)?, &facts(&a, &figures))
                .map_err(AppError::Refused)?;
            a.review.history = history;
            a.review
                .history
                .push(decision(header, Action::Resubmitted, &a.reason));
            notify_step(txn, header, &a)?;
            save_application(txn, &a)?;
            Ok(Outcome::done(format!(
                "{id} resubmitted; the chain starts again"
            )))
        }
        Mutation::Withdraw { id } => {
            let mut a = own_application(txn, header, id)?;
            if !matches!(
                a.review.state,
                ReviewState::InReview { .. } | ReviewState::Rejected
            ) {
                return Err(AppError::Refused(format!(
                    "{id} is {}; it can no longer be withdrawn",
                    a.review.state_name()
                )));
            }
            a.review.state = ReviewState::Withdrawn;
            a.review
                .history
                .push(decision(header, Action::Withdrawn, ""));
            save_application(txn, &a)?;
            Ok(Outcome::done(format!("{id} withdrawn")))
        }
        Mutation::RegisterTow {
            id,
            crew,
            planned_on,
            location,
            note,
        } => {
            let mut a = application(txn, id)?;
            if let Some(why) = a.registration_blocker() {
                return Err(AppError::Refused(why));
            }
            let crew: Vec<String> = crew
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if crew.is_empty() {
                return Err(AppError::Invalid(
                    "crew is required: name at least one person".into(),
                ));
            }
            required("location", location)?;
            let plan = TowPlan {
                crew: crew.clone(),
                planned_on: *planned_on,
                location: location.clone(),
                note: note.clone(),
                registered_by: header.actor.clone(),
            };
            a.followup = Followup::TowRegistered(plan);
            let mut told = crew;
            told.push(collector_of(txn, &a.contract_no)?);
            told.push(a.applicant.clone());
            let kind = NotificationKind::TowRegistered {
                planned_on: *planned_on,
                location: location.clone(),
            };
            notify(txn, header, &a, &told, kind)?;
            save_application(txn, &a)?;
            Ok(Outcome::done(format!(
                "tow {id} registered for {planned_on}"
            )))
        }
        Mutation::CompleteTow {
            id,
            towed_on,
            yard,
            condition,
            cost,
        } => {
            let mut a = application(txn, id)?;
            if let Some(why) = a.outcome_blocker() {
                return Err(AppError::Refused(why));
            }
            required("yard", yard)?;
            let Some(plan) = a.tow_plan().cloned() else {
                unreachable!("scheduled tows have a plan")
            };
            let mut c = contract(txn, &a.contract_no)?;
            c.machine = MachineState::Towed;
            if c.is_open() {
                c.state = ContractState::Repossessed { on: *towed_on };
            }
            if let Some(mut ticket) = txn.ticket(&c.no)? {
                ticket.closed_on.get_or_insert(*towed_on);
                txn.put_ticket(&ticket);
            }
            super::apply::save_contract(txn, &c)?;
            a.followup = Followup::TowCompleted {
                plan,
                towed_on: *towed_on,
                yard: yard.clone(),
                condition: condition.clone(),
                cost: *cost,
                by: header.actor.clone(),
            };
            let told = [a.applicant.clone(), collector_of(txn, &a.contract_no)?];
            notify(
                txn,
                header,
                &a,
                &told,
                NotificationKind::TowCompleted { yard: yard.clone() },
            )?;
            save_application(txn, &a)?;
            Ok(Outcome::done(format!(
                "tow {id} done: contract {} repossessed, machine in {yard}",
                c.no
            )))
        }
        Mutation::FailTow { id, reason } => {
            required("reason", reason)?;
            let mut a = application(txn, id)?;
            if let Some(why) = a.outcome_blocker() {
                return Err(AppError::Refused(why));
            }
            let Some(plan) = a.tow_plan().cloned() else {
                unreachable!("scheduled tows have a plan")
            };
            a.followup = Followup::TowFailed {
                plan,
                reason: reason.clone(),
                by: header.actor.clone(),
            };
            let told = [a.applicant.clone(), collector_of(txn, &a.contract_no)?];
            notify(
                txn,
                header,
                &a,
                &told,
                NotificationKind::TowFailed {
                    reason: reason.clone(),
                },
            )?;
            save_application(txn, &a)?;
            Ok(Outcome::done(format!("tow {id} recorded as failed")))
        }
        Mutation::Execute { id, command_status } => {
            let mut a = application(txn, id)?;
            if let Some(why) = a.execution_blocker() {
                return Err(AppError::Refused(why));
            }
            let mut c = open_contract(txn, &a.contract_no)?;
            if let Some(status) = command_status.filter(|s| *s != 0) {
                // The GPS terminal did not take the order: nothing changed on the machine.
                a.failed_commands.push(domain::workflow::CommandAttempt {
                    on: today,
                    by: header.actor.clone(),
                    status,
                });
                save_application(txn, &a)?;
                return Ok(Outcome::done(format!(
                    "{} {id}: the lock command failed with status {status}; the order stays approved — check the GPS terminal and run it again",
                    a.document.name()
                )));
            }
            c.machine = if a.document == DocumentType::Lock {
                MachineState::Locked
            } else {
                MachineState::Normal
            };
            super::apply::save_contract(txn, &c)?;
            a.followup = Followup::Executed {
                by: header.actor.clone(),
                on: today,
                command_status: *command_status,
            };
            let told = [a.applicant.clone(), collector_of(txn, &a.contract_no)?];
            notify(txn, header, &a, &told, NotificationKind::Executed)?;
            save_application(txn, &a)?;
            let status = if command_status.is_some() {
                "; the lock command succeeded"
            } else {
                ""
            };
            Ok(Outcome::done(format!(
                "{} {id} executed: machine {}{status}",
                a.document.name(),
                c.machine.name()
            )))
        }
        Mutation::MarkRead { ids } => {
            let mut changed = 0;
            for id in ids {
                let mut n = notification(txn, id)?;
                if n.user != header.actor {
                    return Err(AppError::Forbidden {
                        user: header.actor.clone(),
                        permission: "inbox.read",
                        holders: format!("{} (whose inbox it is)", n.user),
                    });
                }
                if !n.read {
                    n.read = true;
                    txn.put_record(RecordKind::Notification, id, &n);
                    changed += 1;
                }
            }
            if changed == 0 {
                return Ok(Outcome::nothing("nothing new to mark as read".into()));
            }
            Ok(Outcome::done(format!(
                "{changed} notifications marked as read"
            )))
        }
        Mutation::RecordDelivery {
            id,
            delivered,
            error,
            at,
        } => {
            let mut n = notification(txn, id)?;
            let attempts = match &n.delivery {
                Delivery::Failed { attempts, .. } => attempts + 1,
                _ => 1,
            };
            n.delivery = if *delivered {
                Delivery::Delivered { at: *at }
            } else {
                Delivery::Failed {
                    attempts,
                    error: error.clone(),
                    at: *at,
                }
            };
            txn.put_record(RecordKind::Notification, id, &n);
            Ok(Outcome::done(format!(
                "notification {id}: delivery recorded"
            )))
        }
        _ => super::outbound::apply(txn, header, mutation),
    }
}

fn sorted(roles: &[Role]) -> Vec<Role> {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles
}

/// A registered SSH key: who it logs in as, and the OpenSSH line it was given as.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserKey {
    pub user: String,
    pub key: String,
}

/// Keys belong to stored users, or to the built-in local administrator.
fn key_owner_exists(txn: &Txn<'_>, name: &str) -> Result<()> {
    if name == super::LOCAL_ADMIN {
        return Ok(());
    }
    existing_user(txn, name).map(|_| ())
}

fn existing_user(txn: &Txn<'_>, name: &str) -> Result<User> {
    txn.user(name)?
        .ok_or_else(|| AppError::NotFound(format!("user {name} does not exist; check the name")))
}

fn contract(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    txn.contract(no)?.ok_or_else(|| {
        AppError::NotFound(format!("contract {no} does not exist; check the number"))
    })
}

fn open_contract(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    let c = contract(txn, no)?;
    if !c.is_open() {
        return Err(AppError::Refused(format!(
            "contract {no} is {}; it takes no more changes",
            c.state.name()
        )));
    }
    Ok(c)
}

pub(crate) fn application<R: Reader + ?Sized>(reader: &R, id: &str) -> Result<Application> {
    reader
        .record(RecordKind::Application, id)?
        .ok_or_else(|| AppError::NotFound(format!("application {id} does not exist; check the id")))
}

fn notification(txn: &Txn<'_>, id: &str) -> Result<Notification> {
    txn.record(RecordKind::Notification, id)?
        .ok_or_else(|| AppError::NotFound(format!("notification {id} does not exist")))
}

fn branch_of(txn: &Txn<'_>, c: &Contract) -> Result<String> {
    Ok(txn
        .customer(&c.customer_id)?
        .map(|cu| cu.branch)
        .unwrap_or_default())
}

fn collector_of(txn: &Txn<'_>, contract_no: &str) -> Result<String> {
    let c = contract(txn, contract_no)?;
    Ok(txn
        .customer(&c.customer_id)?
        .map(|cu| cu.collector)
        .unwrap_or_default())
}

fn snapshot(f: &domain::Figures) -> Snapshot {
    Snapshot {
        as_of: f.as_of,
        days_overdue: f.days_overdue,
        bucket: f.bucket,
        overdue_amount: f.overdue_amount,
        penalty_outstanding: f.penalty_outstanding,
        total_outstanding: f.total_outstanding(),
    }
}

fn facts(a: &Application, f: &domain::Figures) -> Facts {
    Facts {
        document: a.document,
        branch: a.branch.clone(),
        days_overdue: f.days_overdue,
        overdue_amount: f.overdue_amount,
        amount: a.amount,
    }
}

/// Submits an application: snapshot, chain under the rules in force, first notifications.
#[allow(clippy::too_many_arguments)]
pub(super) fn submit_for(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    document: DocumentType,
    c: &Contract,
    reason: &str,
    location: &str,
    amount: Option<Money>,
    order: Option<String>,
) -> Result<Outcome> {
    let in_flight = match txn.open_application(&c.no, document.name())? {
        Some(id) => Some(application(txn, &id)?),
        None => None,
    };
    if let Some(other) = in_flight {
        return Err(AppError::Refused(format!(
            "contract {}: {} application {} is still {}; finish or withdraw it first",
            c.no,
            document.name(),
            other.id,
            other.stage().name()
        )));
    }
    let settings = txn.settings()?;
    let figures = evaluate(c, &settings, header.business_date);
    let id = format!("A{}", txn.next_counter("application")?);
    let mut a = Application {
        id: id.clone(),
        document,
        contract_no: c.no.clone(),
        customer: txn
            .customer(&c.customer_id)?
            .map(|cu| cu.name)
            .unwrap_or_default(),
        branch: branch_of(txn, c)?,
        applicant: header.actor.clone(),
        submitted_on: header.business_date,
        reason: reason.to_string(),
        location: location.to_string(),
        amount,
        order,
        snapshot: snapshot(&figures),
        review: domain::approval::Review {
            rule_version: 0,
            rule_name: String::new(),
            chain: Vec::new(),
            state: ReviewState::Withdrawn,
            history: Vec::new(),
        },
        followup: Followup::None,
        failed_commands: Vec::new(),
    };
    a.review = domain::approval::Review::start(&rules_in_force(txn)?, &facts(&a, &figures))
        .map_err(AppError::Refused)?;
    a.review
        .history
        .push(decision(header, Action::Submitted, reason));
    notify_step(txn, header, &a)?;
    save_application(txn, &a)?;
    let step = a
        .review
        .current_step()
        .map(|s| s.label())
        .unwrap_or_default();
    Ok(Outcome::created(
        id.clone(),
        format!(
            "{} application {id} on {} submitted under rule '{}'; first step: {step}",
            document.name(),
            c.no,
            a.review.rule_name
        ),
    ))
}

/// The application and the acting user, if the user may decide its current step.
fn decidable(txn: &Txn<'_>, header: &EntryHeader, id: &str) -> Result<(Application, User)> {
    let a = application(txn, id)?;
    let user = super::resolve_user(txn, &header.actor)?;
    if let Some(why) = a.review.decision_blocker(&user, &a.applicant, &a.branch) {
        return Err(AppError::Forbidden {
            user: user.name.clone(),
            permission: "approval.decide",
            holders: format!("the current approver of {id}: {why}"),
        });
    }
    Ok((a, user))
}

fn own_application(txn: &Txn<'_>, header: &EntryHeader, id: &str) -> Result<Application> {
    let a = application(txn, id)?;
    if a.applicant != header.actor {
        return Err(AppError::Forbidden {
            user: header.actor.clone(),
            permission: "approval.applicant",
            holders: format!("{}, who applied", a.applicant),
        });
    }
    Ok(a)
}

/// Saves an application and keeps the index of applications in flight in step: one per
/// contract and document type while it is in review, approved or scheduled.
pub(super) fn save_application(txn: &mut Txn<'_>, a: &Application) -> Result<()> {
    use domain::workflow::Stage;
    let in_flight = matches!(
        a.stage(),
        Stage::InReview | Stage::Approved | Stage::Scheduled
    );
    let current = txn.open_application(&a.contract_no, a.document.name())?;
    if in_flight {
        txn.set_open_application(&a.contract_no, a.document.name(), Some(&a.id));
    } else if current.as_deref() == Some(a.id.as_str()) {
        txn.set_open_application(&a.contract_no, a.document.name(), None);
    }
    let before: Option<Application> = txn.record(RecordKind::Application, &a.id)?;
    let old_keys = before.map(|b| b.index_keys()).unwrap_or_default();
    let new_keys = a.index_keys();
    for key in old_keys.iter().filter(|k| !new_keys.contains(k)) {
        txn.set_application_index(key, false);
    }
    for key in &new_keys {
        txn.set_application_index(key, true);
    }
    txn.put_record(RecordKind::Application, &a.id, a);
    Ok(())
}

/// An approved waiver reduces the penalty outstanding, if it still fits under it.
fn grant_waiver(txn: &mut Txn<'_>, header: &EntryHeader, a: &mut Application) -> Result<()> {
    let mut c = open_contract(txn, &a.contract_no)?;
    let settings = txn.settings()?;
    let figures = evaluate(&c, &settings, header.business_date);
    let amount = a.amount.unwrap_or(Money::ZERO);
    if amount > figures.penalty_outstanding {
        return Err(AppError::Refused(format!(
            "waiver {}: {amount} is more than the penalty outstanding today ({}); reject it and apply again",
            a.id, figures.penalty_outstanding
        )));
    }
    c.waivers.push(WaiverGrant {
        id: a.id.clone(),
        approved_on: header.business_date,
        amount,
    });
    super::apply::save_contract(txn, &c)?;
    a.followup = Followup::Granted;
    Ok(())
}

/// Tells the users who may decide the current step.
fn notify_step(txn: &mut Txn<'_>, header: &EntryHeader, a: &Application) -> Result<()> {
    let Some(step) = a.review.current_step().cloned() else {
        return Ok(());
    };
    let users: Vec<String> = txn
        .store()
        .users()
        .filter_map(|u| u.ok())
        .filter(|u| step.admits(u, &a.branch) && u.name != a.applicant)
        .map(|u| u.name)
        .collect();
    let users = match step {
        Approver::User(name) if users.is_empty() => vec![name],
        _ => users,
    };
    notify(txn, header, a, &users, NotificationKind::AwaitingDecision)
}

/// Puts a notification in each user's inbox (each user once; never the actor).
fn notify(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    a: &Application,
    users: &[String],
    kind: NotificationKind,
) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for user in users {
        if user.is_empty() || *user == header.actor || !seen.insert(user.clone()) {
            continue;
        }
        let number = txn.next_counter("notification")?;
        let id = format!("{user}/{number:08}");
        let n = Notification {
            id: id.clone(),
            user: user.clone(),
            application: a.id.clone(),
            document: a.document,
            contract_no: a.contract_no.clone(),
            on: header.business_date,
            at: header.at,
            kind: kind.clone(),
            read: false,
            delivery: Delivery::Pending,
        };
        txn.put_record(RecordKind::Notification, &id, &n);
    }
    Ok(())
}
