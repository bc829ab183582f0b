//! `budget …`: the fund budget (资金预算) from the command line. Translates arguments and
//! files into app calls; the rules (scope, closed months, approval) are the app's.
//!
//! `budget import FILE` reads CSV with the columns `month,branch,kind,category,collector,
//! amount` in the encodings of `import` (UTF-8 with or without BOM, or GB18030), checks every
//! row and drafts every (month, branch) of the file as one atomic change — or nothing, with
//! each bad row reported as `FILE:LINE: column: reason`.

use super::args::{BudgetCmd, Encoding};
use super::table::Table;
use super::{Done, Failure, import, print_created, print_json, say};
use crate::app::budget_queries::BudgetMonth;
use crate::app::{App, AppError, Ctx, Mutation};
use crate::domain::Money;
use crate::domain::budget::{Category, Line, LineKind, Month, ScoringRules};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

pub const BUDGET_COLUMNS: &[&str] = &["month", "branch", "kind", "category", "collector", "amount"];

pub(super) fn budget(app: &App, ctx: &Ctx, cmd: BudgetCmd) -> Done {
    match cmd {
        BudgetCmd::Import { file, encoding } => {
            let (plans, rows) = import_file(app, ctx, &file, encoding)?;
            outln!(
                "{rows} budget lines imported from {} into {plans} drafts",
                file.display()
            );
            Ok(())
        }
        BudgetCmd::Submit {
            month,
            branch,
            json,
        } => {
            let month = parse_month(&month)?;
            let outcome = app.execute(
                ctx,
                Mutation::SubmitBudget {
                    application: String::new(),
                    month,
                    branch,
                },
            )?;
            if json {
                print_created(outcome.id, &outcome.message, true)
            } else {
                outln!("{}", outcome.message);
                Ok(())
            }
        }
        BudgetCmd::Show {
            month,
            branch,
            json,
        } => {
            let month = parse_month(&month)?;
            let view = app.budget_month(ctx, month, branch.as_deref())?;
            if json {
                return print_json(&view);
            }
            print_month(&view);
            Ok(())
        }
        BudgetCmd::Actual {
            month,
            branch,
            category,
            amount,
            reason,
            json,
        } => {
            let month = parse_month(&month)?;
            let category = Category::parse(&category).ok_or_else(|| {
                Failure::usage(format!(
                    "--category: '{category}' is not a category; use tow, travel, legal or other"
                ))
            })?;
            let amount = super::parse_money(&amount, "--amount")?;
            let outcome = app.execute(
                ctx,
                Mutation::BookSpending {
                    id: String::new(),
                    month,
                    branch,
                    category,
                    amount,
                    reason,
                },
            )?;
            print_created(outcome.id, &outcome.message, json)
        }
        BudgetCmd::Score { month, json } => {
            let month = parse_month(&month)?;
            let league = app.budget_league(ctx, month)?;
            if json {
                return print_json(&league);
            }
            let state = if league.closed {
                "closed: the table as it stood at closing"
            } else {
                "open: the table as it stands today"
            };
            outln!(
                "league {} ({state}; scoring rules version {})",
                league.month,
                league.rules_version
            );
            let mut t = Table::new(&[
                "#",
                "branch",
                "collector",
                "plan",
                "actual",
                "percent",
                "over",
                "unplanned",
                "points",
            ]);
            for (i, r) in league.rows.iter().enumerate() {
                t.row(vec![
                    (i + 1).to_string(),
                    r.branch.clone(),
                    r.collector.clone().unwrap_or_else(|| "(branch)".into()),
                    r.plan.plain(),
                    r.actual.plain(),
                    r.percent.map(|p| format!("{p}%")).unwrap_or_default(),
                    r.overspent_lines.to_string(),
                    r.unplanned_categories.to_string(),
                    format!("{:.2}", r.points),
                ]);
            }
            out!("{}", t.render());
            Ok(())
        }
        BudgetCmd::Close { month } => {
            let month = parse_month(&month)?;
            say(app, ctx, Mutation::CloseBudgetMonth { month })
        }
        BudgetCmd::Scoring {
            points_per_percent,
            cap,
            overspend_penalty,
            unplanned_penalty,
            pace_tolerance,
            json,
        } => {
            let current = app.scoring_rules()?;
            let changes = points_per_percent.is_some()
                || cap.is_some()
                || overspend_penalty.is_some()
                || unplanned_penalty.is_some()
                || pace_tolerance.is_some();
            if !changes {
                return print_rules(&current, json);
            }
            let decimal = |v: Option<String>, flag: &str, old: Decimal| match v {
                Some(text) => text.trim().parse::<Decimal>().map_err(|_| {
                    Failure::usage(format!("{flag}: '{text}' is not a number such as 1.5"))
                }),
                None => Ok(old),
            };
            let rules = ScoringRules {
                version: current.version,
                points_per_percent: decimal(
                    points_per_percent,
                    "--points-per-percent",
                    current.points_per_percent,
                )?,
                cap_percent: cap.unwrap_or(current.cap_percent),
                overspend_penalty: decimal(
                    overspend_penalty,
                    "--overspend-penalty",
                    current.overspend_penalty,
                )?,
                unplanned_penalty: decimal(
                    unplanned_penalty,
                    "--unplanned-penalty",
                    current.unplanned_penalty,
                )?,
                pace_tolerance_percent: pace_tolerance.unwrap_or(current.pace_tolerance_percent),
            };
            say(app, ctx, Mutation::SetScoringRules { rules })
        }
    }
}

fn print_rules(rules: &ScoringRules, json: bool) -> Done {
    if json {
        return print_json(rules);
    }
    outln!("scoring rules version {}", rules.version);
    outln!(
        "  points per percent collected: {}",
        rules.points_per_percent
    );
    outln!("  cap: {}% of target", rules.cap_percent);
    outln!(
        "  per spending line over plan: -{}",
        rules.overspend_penalty
    );
    outln!(
        "  per category spent without a line: -{}",
        rules.unplanned_penalty
    );
    outln!(
        "  pace warning below plan by more than {}%",
        rules.pace_tolerance_percent
    );
    Ok(())
}

fn parse_month(text: &str) -> Result<Month, Failure> {
    Month::parse(text).ok_or_else(|| {
        Failure::usage(format!(
            "month: '{text}' is not a month; write YYYY-MM such as 2026-03"
        ))
    })
}

fn money_or_blank(m: Option<Money>) -> String {
    m.map(Money::plain).unwrap_or_else(|| "-".into())
}

fn print_month(view: &BudgetMonth) {
    let closed = if view.closed { " (closed)" } else { "" };
    if view.branches.is_empty() {
        outln!(
            "budget {}{closed}: no plans or actuals you may see",
            view.month
        );
        return;
    }
    for b in &view.branches {
        let in_force = b
            .in_force
            .map(|n| format!("version {n} in force"))
            .unwrap_or_else(|| "no approved version".into());
        let draft = match (b.draft, b.draft_state) {
            (Some(n), Some(state)) => format!("; version {n} {state}"),
            _ => String::new(),
        };
        outln!(
            "budget {}{closed} · {} · {in_force}{draft} · as of {}",
            view.month,
            b.branch,
            view.today
        );
        let mut t = Table::new(&["line", "plan", "actual", "variance", "pace", ""]);
        for l in &b.lines {
            let what = match (l.category, &l.collector) {
                (Some(c), _) => format!("spending {c}"),
                (None, Some(c)) => format!("collection {c}"),
                (None, None) => "collection (rest)".into(),
            };
            t.row(vec![
                what,
                money_or_blank(l.plan),
                l.actual.plain(),
                l.variance.plain(),
                money_or_blank(l.pace),
                if l.warning { "!".into() } else { String::new() },
            ]);
        }
        out!("{}", t.render());
        outln!(
            "collections: plan {} actual {} · spending: plan {} actual {}",
            b.collection_plan.plain(),
            b.collection_actual.plain(),
            b.spending_plan.plain(),
            b.spending_actual.plain()
        );
        for l in &b.late {
            outln!(
                "late: {} {} belongs to closed month {} and counts here",
                l.source,
                l.amount.plain(),
                l.from
            );
        }
        for m in &b.manual {
            outln!(
                "manual: {} {} {} by {} on {}: {}",
                m.id,
                m.category.name(),
                m.amount.plain(),
                m.by,
                m.on,
                m.reason
            );
        }
        for v in &b.versions {
            outln!(
                "version {}: {}{} · drafted by {} on {} · {} lines, total {}",
                v.number,
                v.state,
                v.application
                    .as_ref()
                    .map(|a| format!(" ({a})"))
                    .unwrap_or_default(),
                v.drafted_by,
                v.drafted_on,
                v.lines,
                v.total.plain()
            );
        }
        outln!("");
    }
}

/// Reads, checks and imports a budget file; returns (drafts, lines).
fn import_file(
    app: &App,
    ctx: &Ctx,
    path: &Path,
    encoding: Encoding,
) -> Result<(usize, usize), Failure> {
    let file = path.display().to_string();
    let one = |msg: String| Failure::of(vec![msg]);
    app.require(
        ctx,
        &Mutation::DraftBudget {
            month: Month::of(ctx.today),
            branch: String::new(),
            lines: Vec::new(),
        },
    )?;
    let bytes = std::fs::read(path).map_err(|e| one(format!("{file}: cannot be read: {e}")))?;
    let text = import::decode(&bytes, encoding).map_err(|e| one(format!("{file}: {e}")))?;
    let (plans, problems) = parse_budget_csv(&text, &file);
    if !problems.is_empty() {
        return Err(Failure::of(problems));
    }
    if plans.is_empty() {
        return Err(one(format!("{file}: has no data rows; nothing imported")));
    }
    let rows = plans.values().map(|(lines, _)| lines.len()).sum();
    let mut first_lines = Vec::new();
    let mutations: Vec<Mutation> = plans
        .into_iter()
        .map(|((month, branch), (lines, first))| {
            first_lines.push(first);
            Mutation::DraftBudget {
                month,
                branch,
                lines,
            }
        })
        .collect();
    let count = mutations.len();
    app.execute_batch(ctx, &mutations).map_err(|e| match e {
        AppError::InBatch { index, error } => {
            one(format!("{file}:{}: {error}", first_lines[index]))
        }
        other => one(format!("{file}: {other}")),
    })?;
    Ok((count, rows))
}

type Plans = BTreeMap<(Month, String), (Vec<Line>, u64)>;

/// The plans of a budget CSV by (month, branch), each with the line its first row is on, and
/// every problem as `FILE:LINE: column: reason`.
pub fn parse_budget_csv(text: &str, file: &str) -> (Plans, Vec<String>) {
    let problems = std::cell::RefCell::new(Vec::new());
    let mut plans = Plans::new();
    let add = |line: u64, column: &str, reason: String| {
        problems
            .borrow_mut()
            .push(format!("{file}:{line}: {column}: {reason}"));
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => {
            add(1, "header", format!("cannot be read: {e}"));
            return (plans, problems.into_inner());
        }
    };
    for column in BUDGET_COLUMNS {
        if !headers.iter().any(|h| h == column) {
            add(
                1,
                "header",
                format!(
                    "has no column '{column}'; the columns are {}",
                    BUDGET_COLUMNS.join(",")
                ),
            );
        }
    }
    if !problems.borrow().is_empty() {
        return (plans, problems.into_inner());
    }
    let at = |name: &str| headers.iter().position(|h| h == name).expect("checked");
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                add(line, "row", format!("cannot be read: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |name: &str| record.get(at(name)).unwrap_or("").trim().to_string();
        let mut bad = false;
        for column in BUDGET_COLUMNS {
            if let Some(why) = crate::domain::text::problem(&get(column), false) {
                add(line, column, why.to_string());
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let month = Month::parse(&get("month"));
        if month.is_none() {
            add(
                line,
                "month",
                format!(
                    "'{}' is not a month; write YYYY-MM such as 2026-03",
                    get("month")
                ),
            );
        }
        let branch = get("branch");
        if branch.is_empty() {
            add(line, "branch", "is empty; it is required".into());
        }
        let category = get("category");
        let kind = match get("kind").as_str() {
            "collection" if category.is_empty() => Some(LineKind::Collection),
            "collection" => {
                add(
                    line,
                    "category",
                    "is for spending lines; leave it empty on a collection line".into(),
                );
                None
            }
            "spending" => match Category::parse(&category) {
                Some(c) => Some(LineKind::Spending(c)),
                None => {
                    add(
                        line,
                        "category",
                        format!("'{category}' is not a category; use tow, travel, legal or other"),
                    );
                    None
                }
            },
            other => {
                add(
                    line,
                    "kind",
                    format!("'{other}' is not a kind; use collection or spending"),
                );
                None
            }
        };
        let collector = Some(get("collector")).filter(|c| !c.is_empty());
        if matches!(kind, Some(LineKind::Spending(_))) && collector.is_some() {
            add(
                line,
                "collector",
                "is for collection lines; leave it empty on a spending line".into(),
            );
            continue;
        }
        let amount = match Money::parse(&get("amount")) {
            Ok(a) => Some(a),
            Err(e) => {
                add(line, "amount", e.to_string());
                None
            }
        };
        let (Some(month), Some(kind), Some(amount)) = (month, kind, amount) else {
            continue;
        };
        if branch.is_empty() {
            continue;
        }
        let (lines, _) = plans.entry((month, branch)).or_insert((Vec::new(), line));
        if lines
            .iter()
            .any(|l: &Line| l.kind == kind && l.collector == collector)
        {
            let label = Line {
                kind,
                collector,
                amount,
            }
            .label();
            add(
                line,
                "collector",
                format!("a second line for {label} in this month and branch; keep one"),
            );
            continue;
        }
        lines.push(Line {
            kind,
            collector,
            amount,
        });
    }
    (plans, problems.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_file_is_read_into_drafts_by_month_and_branch() {
        let text = "month,branch,kind,category,collector,amount\n\
                    2026-03,合肥,collection,,wang,50000\n\
                    2026-03,合肥,spending,tow,,3000\n\
                    2026-03,巢湖,collection,,,20000\n";
        let (plans, problems) = parse_budget_csv(text, "b.csv");
        assert!(problems.is_empty(), "{problems:?}");
        let march = Month::parse("2026-03").unwrap();
        let (hefei, first) = &plans[&(march, "合肥".to_string())];
        assert_eq!(*first, 2);
        assert_eq!(hefei.len(), 2);
        assert_eq!(plans[&(march, "巢湖".to_string())].0[0].collector, None);
    }

    #[test]
    fn every_bad_row_is_named_with_its_line_and_column() {
        let text = "month,branch,kind,category,collector,amount\n\
                    2026-13,合肥,collection,,wang,50000\n\
                    2026-03,合肥,spending,food,,3000\n\
                    2026-03,合肥,spending,tow,li,3000\n\
                    2026-03,合肥,income,,,1\n\
                    2026-03,合肥,collection,,,-5\n\
                    2026-03,合肥,collection,,wang,1\n\
                    2026-03,合肥,collection,,wang,2\n";
        let (_, problems) = parse_budget_csv(text, "b.csv");
        assert_eq!(
            problems,
            vec![
                "b.csv:2: month: '2026-13' is not a month; write YYYY-MM such as 2026-03",
                "b.csv:3: category: 'food' is not a category; use tow, travel, legal or other",
                "b.csv:4: collector: is for collection lines; leave it empty on a spending line",
                "b.csv:5: kind: 'income' is not a kind; use collection or spending",
                "b.csv:6: amount: amount '-5' is negative; amounts are positive",
                "b.csv:8: collector: a second line for collection wang in this month and branch; keep one",
            ]
        );
    }

    #[test]
    fn a_file_without_the_columns_says_which_are_missing() {
        let (_, problems) = parse_budget_csv("month,branch,amount\n", "b.csv");
        assert_eq!(
            problems[0],
            "b.csv:1: header: has no column 'kind'; the columns are month,branch,kind,category,collector,amount"
        );
    }
}
