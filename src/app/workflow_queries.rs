//! Queries of the workflows: approvals, applications, the tow board, inboxes, users, rules
//! and the audit trail. Each checks the viewer's scope.

use super::applications::{application, rules_in_force};
use super::permissions::check_contract_scope;
use super::{App, Ctx, Mutation, Result};
use crate::domain::approval::{DocumentType, ReviewState};
use crate::domain::refusal::{Holders, Refusal, Thing};
use crate::domain::workflow::{Application, Delivery, Followup, Notification, Stage};
use crate::domain::{Money, Role, User};
use crate::i18n::Lang;
use crate::store::{Reader, RecordKind};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct ApplicationRow {
    pub id: String,
    pub document: &'static str,
    pub contract_no: String,
    pub customer: String,
    pub branch: String,
    pub applicant: String,
    pub submitted_on: NaiveDate,
    pub reason: String,
    pub location: String,
    pub amount: Option<Money>,
    /// in_review, rejected, withdrawn, approved, scheduled, done, failed.
    pub stage: &'static str,
    pub rule_version: u32,
    pub rule_name: String,
    /// The chain step waiting for a decision.
    pub current_step: Option<String>,
    pub days_overdue: i64,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
    pub total_outstanding: Money,
    /// What would refuse each follow-up now (`None`: it may be offered), from the same rules
    /// the change itself is checked by: the screens ask these instead of reading the stage.
    #[serde(skip)]
    pub next: FollowUps,
}

/// Why each follow-up of an application would be refused now; `None` where it may go ahead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowUps {
    /// Registering a tow (拖机登记).
    pub register: Option<crate::domain::Refusal>,
    /// Recording a tow's outcome (towed back or failed).
    pub outcome: Option<crate::domain::Refusal>,
    /// Recording a lock or unlock as executed.
    pub execute: Option<crate::domain::Refusal>,
    /// Resubmitting it (its applicant only, whatever this says).
    pub resubmit: Option<crate::domain::Refusal>,
    /// Withdrawing it (its applicant only, whatever this says).
    pub withdraw: Option<crate::domain::Refusal>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DecisionView {
    pub by: String,
    pub on: NaiveDate,
    pub action: &'static str,
    pub step: Option<String>,
    pub comment: String,
}

impl From<&crate::domain::approval::Decision> for DecisionView {
    fn from(d: &crate::domain::approval::Decision) -> DecisionView {
        use crate::domain::approval::Action;
        DecisionView {
            by: d.by.clone(),
            on: d.on,
            action: match d.action {
                Action::Submitted => "submitted",
                Action::Approved => "approved",
                Action::Rejected => "rejected",
                Action::Resubmitted => "resubmitted",
                Action::Withdrawn => "withdrawn",
            },
            step: d.step.clone(),
            comment: d.comment.clone(),
        }
    }
}

/// An application the viewer decided a step of, with their latest decision on it.
#[derive(Clone, Debug, Serialize)]
pub struct DecidedRow {
    #[serde(flatten)]
    pub row: ApplicationRow,
    pub decision: DecisionView,
}

#[derive(Clone, Debug, Serialize)]
pub struct TowView {
    pub crew: Vec<String>,
    pub planned_on: NaiveDate,
    pub location: String,
    pub note: String,
    pub registered_by: String,
    pub towed_on: Option<NaiveDate>,
    pub yard: Option<String>,
    pub condition: Option<String>,
    pub cost: Option<Money>,
    pub failure: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub row: ApplicationRow,
    pub chain: Vec<String>,
    pub history: Vec<DecisionView>,
    pub tow: Option<TowView>,
    pub executed_on: Option<NaiveDate>,
    pub command_status: Option<i32>,
    /// Exit statuses of lock_command runs that failed, oldest first.
    pub failed_commands: Vec<i32>,
    /// An outbound application's order as it is now: serial, model, accessory lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<super::OrderView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NotificationView {
    pub id: String,
    pub application: String,
    pub contract_no: String,
    pub on: NaiveDate,
    /// The notification worded in its recipient's preferred language (English unless set).
    pub text: String,
    /// The notification itself, for a screen to word in its session's language.
    #[serde(skip)]
    pub note: Notification,
    pub read: bool,
    /// pending, delivered or failed (through the configured notify_command).
    pub delivery: &'static str,
    pub delivery_attempts: u32,
    pub delivery_error: Option<String>,
}

impl From<&Notification> for NotificationView {
    fn from(n: &Notification) -> NotificationView {
        let (delivery, delivery_attempts, delivery_error) = match &n.delivery {
            Delivery::Pending => ("pending", 0, None),
            Delivery::Delivered { .. } => ("delivered", 1, None),
            Delivery::Failed {
                attempts, error, ..
            } => ("failed", *attempts, Some(error.clone())),
        };
        NotificationView {
            id: n.id.clone(),
            application: n.application.clone(),
            contract_no: n.contract_no.clone(),
            on: n.on,
            text: Lang::En.notification(n),
            note: n.clone(),
            read: n.read,
            delivery,
            delivery_attempts,
            delivery_error,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    pub name: String,
    pub display: String,
    pub roles: Vec<&'static str>,
    pub branch: Option<String>,
    pub disabled: bool,
    /// The preferred language (`en`, `zh`), if the user has set one (left out of JSON when
    /// not: a user list reads as before until someone sets one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<&'static str>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> UserView {
        UserView {
            name: u.name.clone(),
            display: u.display.clone(),
            roles: u.roles.iter().map(|r| r.name()).collect(),
            branch: u.branch.clone(),
            disabled: u.disabled,
            lang: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleView {
    pub name: String,
    pub document: &'static str,
    pub branch: Option<String>,
    pub min_days_overdue: Option<i64>,
    pub min_overdue_amount: Option<Money>,
    pub min_amount: Option<Money>,
    pub chain: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RulesView {
    /// 0: the built-in defaults, no rules set yet.
    pub version: u32,
    pub rules: Vec<RuleView>,
}

/// One journal entry touching a contract: who, when, what.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry {
    pub site: u32,
    pub seq: u64,
    pub actor: String,
    /// Wall-clock time of the change, UTC, RFC 3339.
    pub at: String,
    pub business_date: NaiveDate,
    pub action: &'static str,
    pub detail: String,
}

/// Which applications to list.
#[derive(Clone, Debug, Default)]
pub struct ApplicationFilter {
    /// Only those whose current step the viewer may decide.
    pub awaiting_me: bool,
    pub document: Option<DocumentType>,
    /// Only these stages (all when empty).
    pub stages: Vec<Stage>,
}

impl App {
    fn row(&self, a: &Application) -> Result<ApplicationRow> {
        let customer = a.customer.clone();
        Ok(ApplicationRow {
            id: a.id.clone(),
            document: a.document.name(),
            contract_no: a.contract_no.clone(),
            customer,
            branch: a.branch.clone(),
            applicant: a.applicant.clone(),
            submitted_on: a.submitted_on,
            reason: a.reason.clone(),
            location: a.location.clone(),
            amount: a.amount,
            stage: a.stage().name(),
            rule_version: a.review.rule_version,
            rule_name: a.review.rule_name.clone(),
            current_step: a.review.current_step().map(|s| s.label()),
            days_overdue: a.snapshot.days_overdue,
            overdue_amount: a.snapshot.overdue_amount,
            penalty_outstanding: a.snapshot.penalty_outstanding,
            total_outstanding: a.snapshot.total_outstanding,
            next: FollowUps {
                register: a.registration_blocker(),
                outcome: a.outcome_blocker(),
                execute: a.execution_blocker(),
                resubmit: a.resubmit_blocker(),
                withdraw: a.withdraw_blocker(),
            },
        })
    }

    /// Whether the viewer may see an application: its contract is in scope, or they applied,
    /// or they may decide its current step.
    fn sees(&self, user: &User, a: &Application) -> bool {
        let branch_role =
            user.has(Role::Clerk) || user.has(Role::Approver) || user.has(Role::Sales);
        user.sees_everything()
            || (branch_role && user.branch.as_deref() == Some(a.branch.as_str()))
            || a.applicant == user.name
            || a.review
                .current_step()
                .is_some_and(|s| s.admits(user, &a.branch))
            // A budget's application has no contract behind it to be in scope of.
            || (a.budget().is_none()
                && check_contract_scope(self.store(), user, &a.contract_no).is_ok())
    }

    pub(crate) fn applications_of(
        &self,
        user: &User,
        contract_no: &str,
    ) -> Result<Vec<ApplicationRow>> {
        let store = self.store();
        let mut rows = Vec::new();
        for id in store.application_ids(&format!("contract/{contract_no}/"))? {
            let a = application(store, &id)?;
            if self.sees(user, &a) {
                rows.push(self.row(&a)?);
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(id_number(&r.id)));
        Ok(rows)
    }

    /// Applications in the viewer's scope, newest first.
    pub fn applications(
        &self,
        ctx: &Ctx,
        filter: &ApplicationFilter,
    ) -> Result<Vec<ApplicationRow>> {
        let user = self.viewer(ctx)?;
        let store = self.store();
        let mut rows = Vec::new();
        for id in self.candidates(&user, filter)? {
            let a = application(store, &id)?;
            // Cheap tests first; the scope test may read the contract and customer.
            if filter.document.is_some_and(|d| d != a.document)
                || (!filter.stages.is_empty() && !filter.stages.contains(&a.stage()))
            {
                continue;
            }
            let mine = a
                .review
                .decision_blocker(&user, &a.applicant, &a.branch)
                .is_none();
            let visible = mine || (!filter.awaiting_me && self.sees(&user, &a));
            if !visible {
                continue;
            }
            rows.push(self.row(&a)?);
        }
        rows.sort_by_key(|r| std::cmp::Reverse(id_number(&r.id)));
        Ok(rows)
    }

    /// Ids worth reading for a filter, from the application index: the steps the user may
    /// decide, or the document's stages; every application when neither narrows it.
    fn candidates(&self, user: &User, filter: &ApplicationFilter) -> Result<Vec<String>> {
        let store = self.store();
        let branch = user.branch.clone().unwrap_or_default();
        let mut prefixes = Vec::new();
        if filter.awaiting_me {
            for role in &user.roles {
                // Finance and admin steps are decided from any branch.
                let anywhere = matches!(role, Role::Finance | Role::Admin);
                let b = if anywhere {
                    String::new()
                } else {
                    format!("{branch}/")
                };
                prefixes.push(format!("step/role:{}/{b}", role.name()));
            }
            prefixes.push(format!("step/user:{}/", user.name));
        } else if let Some(document) = filter.document {
            // A branch's clerk, approver or sales see their branch (and what they applied
            // for or may decide, which the index of steps and the full scan cover).
            let only_branch =
                !user.sees_everything() && !user.has(Role::Collector) && user.branch.is_some();
            if filter.stages.is_empty() {
                prefixes.push(format!("stage/{}/", document.name()));
            } else {
                for stage in &filter.stages {
                    let b = if only_branch {
                        format!("{branch}/")
                    } else {
                        String::new()
                    };
                    prefixes.push(format!("stage/{}/{}/{b}", document.name(), stage.name()));
                }
            }
        } else {
            prefixes.push("stage/".to_string());
        }
        let mut ids = Vec::new();
        for prefix in &prefixes {
            ids.extend(store.application_ids(prefix)?);
        }
        ids.sort_unstable_by_key(|id| std::cmp::Reverse(id_number(id)));
        ids.dedup();
        Ok(ids)
    }

    /// One application with its chain, history and follow-up.
    pub fn application(&self, ctx: &Ctx, id: &str) -> Result<ApplicationView> {
        let user = self.viewer(ctx)?;
        let a = application(self.store(), id)?;
        if !self.sees(&user, &a) {
            if a.budget().is_some() {
                return Err(Refusal::not_found(Thing::Application, id).into());
            }
            check_contract_scope(self.store(), &user, &a.contract_no)?;
        }
        let tow = a.tow_plan().map(|plan| {
            let (towed_on, yard, condition, cost, failure) = match &a.followup {
                Followup::TowCompleted {
                    towed_on,
                    yard,
                    condition,
                    cost,
                    ..
                } => (
                    Some(*towed_on),
                    Some(yard.clone()),
                    Some(condition.clone()),
                    Some(*cost),
                    None,
                ),
                Followup::TowFailed { reason, .. } => {
                    (None, None, None, None, Some(reason.clone()))
                }
                _ => (None, None, None, None, None),
            };
            TowView {
                crew: plan.crew.clone(),
                planned_on: plan.planned_on,
                location: plan.location.clone(),
                note: plan.note.clone(),
                registered_by: plan.registered_by.clone(),
                towed_on,
                yard,
                condition,
                cost,
                failure,
            }
        });
        let (executed_on, command_status) = match &a.followup {
            Followup::Executed {
                on, command_status, ..
            } => (Some(*on), *command_status),
            _ => (None, None),
        };
        Ok(ApplicationView {
            row: self.row(&a)?,
            chain: a.review.chain.iter().map(|s| s.label()).collect(),
            history: a.review.history.iter().map(DecisionView::from).collect(),
            tow,
            executed_on,
            command_status,
            failed_commands: a.failed_commands.iter().map(|f| f.status).collect(),
            order: match &a.order {
                Some(id) => Some(self.order_view(&super::stock::order(self.store(), id)?)?),
                None => None,
            },
        })
    }

    /// Applications the viewer approved or rejected a step of, newest decision first, at
    /// most `limit` of them: what an approver looks back on.
    pub fn decided_by_me(&self, ctx: &Ctx, limit: usize) -> Result<Vec<DecidedRow>> {
        use crate::domain::approval::Action;
        let user = self.viewer(ctx)?;
        let store = self.store();
        let mut out = Vec::new();
        for id in store.application_ids("stage/")? {
            let a = application(store, &id)?;
            let Some(d) = a.review.history.iter().rev().find(|d| {
                d.by == user.name && matches!(d.action, Action::Approved | Action::Rejected)
            }) else {
                continue;
            };
            out.push((d.on, d.at, self.row(&a)?, DecisionView::from(d)));
        }
        out.sort_by_key(|(on, at, row, _)| std::cmp::Reverse((*on, *at, id_number(&row.id))));
        let mut out: Vec<DecidedRow> = out
            .into_iter()
            .map(|(_, _, row, decision)| DecidedRow { row, decision })
            .collect();
        out.truncate(limit);
        Ok(out)
    }

    /// The tow board (拖机登记): approved tows awaiting registration, registered ones, and
    /// done or failed ones, in the viewer's scope.
    pub fn tow_board(&self, ctx: &Ctx) -> Result<Vec<ApplicationRow>> {
        let filter = ApplicationFilter {
            awaiting_me: false,
            document: Some(DocumentType::Tow),
            stages: vec![
                Stage::Approved,
                Stage::Scheduled,
                Stage::Done,
                Stage::Failed,
            ],
        };
        self.applications(ctx, &filter)
    }

    /// The lock board (锁机执行): approved lock and unlock orders awaiting execution and the
    /// executed ones, in the viewer's scope, newest first.
    pub fn lock_board(&self, ctx: &Ctx) -> Result<Vec<ApplicationRow>> {
        let mut rows = Vec::new();
        for document in [DocumentType::Lock, DocumentType::Unlock] {
            let filter = ApplicationFilter {
                awaiting_me: false,
                document: Some(document),
                stages: vec![Stage::Approved, Stage::Done],
            };
            rows.extend(self.applications(ctx, &filter)?);
        }
        rows.sort_by_key(|r| std::cmp::Reverse(id_number(&r.id)));
        Ok(rows)
    }

    /// The viewer's inbox, newest first.
    pub fn inbox(&self, ctx: &Ctx) -> Result<Vec<NotificationView>> {
        let user = self.viewer(ctx)?;
        let lang = self.preferred_language(&user.name)?.unwrap_or_default();
        let prefix = format!("{}/", user.name);
        let mut out: Vec<NotificationView> = self
            .store()
            .records_with_prefix::<Notification>(RecordKind::Notification, &prefix)
            .map(|n| {
                n.map(|n| NotificationView {
                    text: lang.notification(&n),
                    ..NotificationView::from(&n)
                })
            })
            .collect::<std::result::Result<_, _>>()?;
        out.reverse();
        Ok(out)
    }

    pub fn unread_count(&self, ctx: &Ctx) -> Result<usize> {
        Ok(self.inbox(ctx)?.iter().filter(|n| !n.read).count())
    }

    /// Notifications not yet handed to the notify command (pending, or failed fewer than
    /// `max_attempts` times), across all inboxes. For the delivery worker.
    pub fn undelivered(&self, max_attempts: u32) -> Result<Vec<(Notification, u32)>> {
        let mut out = Vec::new();
        for n in self
            .store()
            .records::<Notification>(RecordKind::Notification)
        {
            let n = n?;
            match &n.delivery {
                Delivery::Pending => out.push((n, 0)),
                Delivery::Failed { attempts, .. } if *attempts < max_attempts => {
                    let attempts = *attempts;
                    out.push((n, attempts));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    pub fn users(&self, ctx: &Ctx) -> Result<Vec<UserView>> {
        let user = self.viewer(ctx)?;
        if !(user.has(Role::Admin) || user.has(Role::Finance)) {
            return Err(Refusal::Forbidden {
                user: user.name,
                permission: "user.list".into(),
                holders: Holders::Roles(vec![Role::Admin, Role::Finance]),
            }
            .into());
        }
        self.store()
            .users()
            .map(|u| {
                let u = u?;
                Ok(UserView {
                    lang: self.preferred_language(&u.name)?.map(Lang::code),
                    ..UserView::from(&u)
                })
            })
            .collect()
    }

    /// The language `name` prefers (`SetLanguage`), if they have set one. Front ends ask
    /// it for the user they act for: an SSH login whose client names no language, the
    /// delivery of that user's notifications.
    pub fn preferred_language(&self, name: &str) -> Result<Option<Lang>> {
        Ok(self.store().record(RecordKind::UserLang, name)?)
    }

    pub fn rules(&self, ctx: &Ctx) -> Result<RulesView> {
        self.viewer(ctx)?;
        let set = rules_in_force(self.store())?;
        Ok(RulesView {
            version: set.version,
            rules: set
                .rules
                .iter()
                .map(|r| RuleView {
                    name: r.name.clone(),
                    document: r.document.name(),
                    branch: r.branch.clone(),
                    min_days_overdue: r.min_days_overdue,
                    min_overdue_amount: r.min_overdue_amount,
                    min_amount: r.min_amount,
                    chain: r.chain.iter().map(|s| s.label()).collect(),
                })
                .collect(),
        })
    }

    /// Every journal entry about a contract, oldest first: the audit trail.
    pub fn audit(&self, ctx: &Ctx, contract_no: &str) -> Result<Vec<AuditEntry>> {
        let user = self.viewer(ctx)?;
        let store = self.store();
        super::permissions::visible_contract(store, &user, contract_no)?;
        let mut out = Vec::new();
        for entry in store.journal::<Mutation>() {
            let (header, mutation) = entry?;
            if about(store, &mutation)?.as_deref() != Some(contract_no) {
                continue;
            }
            out.push(AuditEntry {
                site: header.site,
                seq: header.seq,
                actor: header.actor.clone(),
                at: chrono::DateTime::from_timestamp(header.at, 0)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                business_date: header.business_date,
                action: mutation.permission(),
                detail: detail(&mutation),
            });
        }
        Ok(out)
    }

    /// Whether an application's state means the viewer still has something to do.
    pub fn awaits(&self, ctx: &Ctx, id: &str) -> Result<bool> {
        let user = self.viewer(ctx)?;
        let a = application(self.store(), id)?;
        Ok(matches!(a.review.state, ReviewState::InReview { .. })
            && a.review
                .decision_blocker(&user, &a.applicant, &a.branch)
                .is_none()
            || (a.stage() == Stage::Approved && (user.has(Role::Clerk) || user.has(Role::Admin))))
    }
}

/// The contract a journal entry is about, if any.
fn about<R: Reader + ?Sized>(reader: &R, m: &Mutation) -> Result<Option<String>> {
    Ok(match super::permissions::touches(reader, m)? {
        super::permissions::Touches::Contract(no) => Some(no),
        _ => None,
    })
}

/// A short description of a mutation for the audit trail.
fn detail(m: &Mutation) -> String {
    match m {
        Mutation::RecordPayment {
            amount,
            received_on,
            ..
        } => format!("{amount} received {received_on}"),
        Mutation::ConfirmPayment { id } => format!("payment {id}"),
        Mutation::VoidPayment { id, reason } => format!("payment {id}: {reason}"),
        Mutation::AddContact {
            channel, result, ..
        } => format!("{}: {result}", channel.name()),
        Mutation::ApplyWaiver { amount, reason, .. } => format!("{amount}: {reason}"),
        Mutation::Apply {
            document, reason, ..
        } => format!("{}: {reason}", document.name()),
        Mutation::Approve { id, comment } | Mutation::Reject { id, comment } => {
            format!("{id}: {comment}")
        }
        Mutation::RegisterTow {
            id,
            planned_on,
            location,
            ..
        } => format!("{id}: {planned_on} at {location}"),
        Mutation::CompleteTow { id, yard, .. } => format!("{id}: to {yard}"),
        Mutation::FailTow { id, reason } => format!("{id}: {reason}"),
        Mutation::SetRate { daily, from, .. } => format!("{daily} from {from}"),
        Mutation::SetGrace { days, .. } => format!("{days} days"),
        Mutation::Resubmit { id, .. }
        | Mutation::Withdraw { id }
        | Mutation::Execute { id, .. } => id.clone(),
        _ => String::new(),
    }
}

fn id_number(id: &str) -> u64 {
    id.trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or(0)
}
