//! Queries of the fund budget (DOMAIN §8): a month's plan, actual, variance and pace per
//! branch, its versions, and the league table. Reads the per-(month, branch) aggregates the
//! bookings keep: never the payments. Scope: finance and admin plan (see
//! `budget_book::plans_for`); a branch's approvers see their branch's budget.

use super::budget_book::{
    actuals, branches_of_month, closed_league, closing, league, plan, plans_for, scoring_rules,
};
use super::{App, Ctx, Result};
use crate::domain::budget::{
    self, Category, LateBooking, LineKind, ManualLine, Month, Score, ScoringRules,
};
use crate::domain::refusal::{Holders, Refusal};
use crate::domain::{Money, Role, User};
use chrono::NaiveDate;
use serde::Serialize;

/// One line of a branch's month as screens and `--json` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetLineView {
    /// `collection` or `spending`.
    pub kind: &'static str,
    /// Spending: `tow`, `travel`, `legal` or `other`.
    pub category: Option<&'static str>,
    pub collector: Option<String>,
    /// `None`: unplanned.
    pub plan: Option<Money>,
    pub actual: Money,
    pub variance: Money,
    /// What the month-to-date pace predicts for the month's end.
    pub pace: Option<Money>,
    /// Spending over plan, or collections behind pace.
    pub warning: bool,
}

/// A version of a branch's plan, for the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetVersionView {
    pub number: u32,
    pub state: &'static str,
    pub application: Option<String>,
    pub drafted_by: String,
    pub drafted_on: NaiveDate,
    pub total: Money,
    pub lines: usize,
}

/// A branch's month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BranchBudget {
    pub branch: String,
    /// The version in force (the last approved), if any.
    pub in_force: Option<u32>,
    /// The version finance may still change, if any, and where it stands.
    pub draft: Option<u32>,
    pub draft_state: Option<&'static str>,
    /// Plan and actual against the version in force (or, before any approval, the draft).
    pub lines: Vec<BudgetLineView>,
    pub collection_plan: Money,
    pub collection_actual: Money,
    pub spending_plan: Money,
    pub spending_actual: Money,
    pub manual: Vec<ManualLine>,
    /// Bookings counted in this month that belong to a closed month.
    pub late: Vec<LateView>,
    pub versions: Vec<BudgetVersionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LateView {
    pub source: String,
    pub from: String,
    pub amount: Money,
}

/// A month of budgets as a user may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetMonth {
    pub month: String,
    pub today: NaiveDate,
    pub closed: bool,
    pub branches: Vec<BranchBudget>,
}

/// The league table of a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct League {
    pub month: String,
    /// Closed months show the table frozen when finance closed them.
    pub closed: bool,
    pub rules_version: u32,
    pub rows: Vec<Score>,
}

/// Whether `user` sees `branch`'s budget: who plans it, and the branch's approvers (its
/// managers).
pub fn sees_budget(user: &User, branch: &str) -> bool {
    plans_for(user, branch) || (user.has(Role::Approver) && user.branch.as_deref() == Some(branch))
}

/// Whether `user` holds a role that sees some budget.
fn sees_any_budget(user: &User) -> bool {
    user.has(Role::Admin)
        || user.has(Role::Finance)
        || (user.has(Role::Approver) && user.branch.is_some())
}

fn view_line(r: &budget::ReportLine) -> BudgetLineView {
    BudgetLineView {
        kind: r.kind.kind_name(),
        category: r.kind.category().map(Category::name),
        collector: r.collector.clone(),
        plan: r.plan,
        actual: r.actual,
        variance: r.variance,
        pace: r.pace,
        warning: r.warning,
    }
}

fn late_view(l: &LateBooking) -> LateView {
    LateView {
        source: l.source.clone(),
        from: l.from.to_string(),
        amount: l.amount,
    }
}

impl App {
    fn budget_viewer(&self, ctx: &Ctx, branch: Option<&str>) -> Result<User> {
        let user = self.user(&ctx.actor)?;
        if let Some(branch) = branch
            && !sees_budget(&user, branch)
        {
            return Err(Refusal::BudgetBranchOutOfScope {
                user: user.name.clone(),
                branch: branch.to_string(),
            }
            .into());
        }
        if !sees_any_budget(&user) {
            return Err(Refusal::Forbidden {
                user: user.name.clone(),
                permission: "budget.view".into(),
                holders: Holders::Roles(vec![Role::Finance, Role::Approver, Role::Admin]),
            }
            .into());
        }
        Ok(user)
    }

    /// The scoring rules in force (the built-in ones until the admin sets some).
    pub fn scoring_rules(&self) -> Result<ScoringRules> {
        scoring_rules(self.store())
    }

    /// A month's budgets: every branch the user sees with a plan or actuals (or just
    /// `branch`), each line's plan, actual, variance and pace as of `ctx.today`.
    pub fn budget_month(
        &self,
        ctx: &Ctx,
        month: Month,
        branch: Option<&str>,
    ) -> Result<BudgetMonth> {
        let user = self.budget_viewer(ctx, branch)?;
        let store = self.store();
        let rules = scoring_rules(store)?;
        let branches = match branch {
            Some(b) => vec![b.to_string()],
            None => branches_of_month(store, month)?
                .into_iter()
                .filter(|b| sees_budget(&user, b))
                .collect(),
        };
        let mut out = Vec::with_capacity(branches.len());
        for branch in branches {
            let plan = plan(store, month, &branch)?;
            let actuals = actuals(store, month, &branch)?;
            let shown = plan.in_force().or(plan.versions.last());
            let lines = shown.map(|v| v.lines.as_slice()).unwrap_or(&[]);
            let report = budget::report(
                lines,
                &actuals,
                month,
                ctx.today,
                rules.pace_tolerance_percent,
            );
            let sum = |collection: bool, planned: bool| -> Money {
                report
                    .iter()
                    .filter(|r| (r.kind == LineKind::Collection) == collection)
                    .map(|r| {
                        if planned {
                            r.plan.unwrap_or_default()
                        } else {
                            r.actual
                        }
                    })
                    .sum()
            };
            let draft = plan.draft().or(plan.in_review());
            out.push(BranchBudget {
                in_force: plan.in_force().map(|v| v.number),
                draft: draft.map(|v| v.number),
                draft_state: draft.map(|v| v.state.name()),
                collection_plan: sum(true, true),
                collection_actual: sum(true, false),
                spending_plan: sum(false, true),
                spending_actual: sum(false, false),
                lines: report.iter().map(view_line).collect(),
                manual: actuals.manual.clone(),
                late: actuals.late.iter().map(late_view).collect(),
                versions: plan
                    .versions
                    .iter()
                    .map(|v| BudgetVersionView {
                        number: v.number,
                        state: v.state.name(),
                        application: match &v.state {
                            budget::VersionState::Draft => None,
                            budget::VersionState::InReview { application }
                            | budget::VersionState::Approved { application, .. }
                            | budget::VersionState::Rejected { application }
                            | budget::VersionState::Withdrawn { application } => {
                                Some(application.clone())
                            }
                        },
                        drafted_by: v.drafted_by.clone(),
                        drafted_on: v.drafted_on,
                        total: v.total(),
                        lines: v.lines.len(),
                    })
                    .collect(),
                branch,
            });
        }
        Ok(BudgetMonth {
            month: month.to_string(),
            today: ctx.today,
            closed: closing(store, month)?.is_some(),
            branches: out,
        })
    }

    /// The lines of a branch's version (the draft when `number` is `None`), to edit.
    pub fn budget_lines(
        &self,
        ctx: &Ctx,
        month: Month,
        branch: &str,
        number: Option<u32>,
    ) -> Result<Vec<budget::Line>> {
        self.budget_viewer(ctx, Some(branch))?;
        let plan = plan(self.store(), month, branch)?;
        let version = match number {
            Some(n) => plan.versions.iter().find(|v| v.number == n),
            None => plan.versions.last(),
        };
        Ok(version.map(|v| v.lines.clone()).unwrap_or_default())
    }

    /// The league table of a month: frozen when it was closed, else as it stands.
    pub fn budget_league(&self, ctx: &Ctx, month: Month) -> Result<League> {
        let user = self.budget_viewer(ctx, None)?;
        let store = self.store();
        let closed = closing(store, month)?;
        let (rows, rules_version) = match (&closed, closed_league(store, month)?) {
            (Some(c), Some(rows)) => (rows, c.rules_version),
            _ => {
                let rules = scoring_rules(store)?;
                (league(store, store, month, &rules)?, rules.version)
            }
        };
        Ok(League {
            month: month.to_string(),
            closed: closed.is_some(),
            rules_version,
            rows: rows
                .into_iter()
                .filter(|r| sees_budget(&user, &r.branch))
                .collect(),
        })
    }
}
