//! Hand-computed cases a finance officer can redo on paper, and the property that actuals
//! are the sum of what they come from whatever the order of confirmations, voids and closes.

use super::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn yuan(text: &str) -> Money {
    match text.strip_prefix('-') {
        Some(rest) => -Money::parse(rest).unwrap(),
        None => Money::parse(text).unwrap(),
    }
}

fn march() -> Month {
    Month::parse("2026-03").unwrap()
}

fn collection(collector: Option<&str>, amount: &str) -> Line {
    Line {
        kind: LineKind::Collection,
        collector: collector.map(str::to_string),
        amount: yuan(amount),
    }
}

fn spending(category: Category, amount: &str) -> Line {
    Line {
        kind: LineKind::Spending(category),
        collector: None,
        amount: yuan(amount),
    }
}

fn collected(collector: &str, amount: &str) -> Booking {
    Booking {
        source: "P".into(),
        month: march(),
        branch: "合肥".into(),
        target: Target::Collection {
            collector: collector.into(),
        },
        amount: yuan(amount),
        late_from: None,
    }
}

fn spent(category: Category, amount: &str) -> Booking {
    Booking {
        target: Target::Spending(category),
        ..collected("", amount)
    }
}

/// The March plan of 合肥: wang 50,000.00, the rest of the branch 20,000.00, tow 3,000.00,
/// travel 1,000.00. Through March: wang 40,000.00, li 15,000.00, zhao 6,000.00, tow
/// 4,500.00, legal 800.00 (no line).
fn hefei_march() -> (Vec<Line>, Actuals) {
    let lines = vec![
        collection(Some("wang"), "50000"),
        spending(Category::Travel, "1000"),
        collection(None, "20000"),
        spending(Category::Tow, "3000"),
    ];
    let mut actuals = Actuals::default();
    for b in [
        collected("wang", "40000"),
        collected("li", "15000"),
        collected("zhao", "6000"),
        spent(Category::Tow, "4500"),
        spent(Category::Legal, "800"),
    ] {
        actuals.book(&b);
    }
    (lines, actuals)
}

#[test]
fn months_parse_print_and_count_their_days() {
    assert_eq!(march().to_string(), "2026-03");
    assert_eq!(march().days(), 31);
    assert_eq!(Month::parse("2028-02").unwrap().days(), 29);
    assert_eq!(
        Month::parse("2026-12").unwrap().next().to_string(),
        "2027-01"
    );
    for bad in ["2026-13", "2026-3", "26-03", "2026/03", ""] {
        assert_eq!(Month::parse(bad), None, "{bad}");
    }
}

#[test]
fn the_pace_scales_the_month_to_date_to_the_whole_month() {
    // 10,000.00 by 10 March: 10,000 × 31 / 10 = 31,000.00.
    assert_eq!(
        pace(yuan("10000"), march(), day("2026-03-10")),
        Some(yuan("31000"))
    );
    // 1,000.00 by 3 March: 1,000 × 31 / 3 = 10,333.333… → 10,333.33.
    assert_eq!(
        pace(yuan("1000"), march(), day("2026-03-03")),
        Some(yuan("10333.33"))
    );
    // Before the month nothing is predicted; after it, the actual is the answer.
    assert_eq!(pace(yuan("5"), march(), day("2026-02-28")), None);
    assert_eq!(pace(yuan("5"), march(), day("2026-04-02")), Some(yuan("5")));
}

#[test]
fn behind_pace_means_below_plan_less_the_tolerance() {
    // Plan 20,000.00, tolerance 10 %: the floor is 18,000.00.
    assert!(!behind(yuan("18000"), yuan("20000"), 10));
    assert!(behind(yuan("17999.99"), yuan("20000"), 10));
    assert!(behind(yuan("19999.99"), yuan("20000"), 0));
}

#[test]
fn a_payment_for_a_closed_month_lands_in_the_month_it_is_confirmed() {
    let closed = |m: Month| m == Month::parse("2026-02").unwrap();
    // Received 27 Feb, February closed, confirmed 3 March: counted in March, late from Feb.
    assert_eq!(
        landing_month(day("2026-02-27"), day("2026-03-03"), closed),
        (march(), Some(Month::parse("2026-02").unwrap()))
    );
    // Received 2 March, confirmed 5 March: March, on time.
    assert_eq!(
        landing_month(day("2026-03-02"), day("2026-03-05"), closed),
        (march(), None)
    );
}

#[test]
fn the_report_gives_plan_actual_variance_and_unplanned_lines() {
    let (lines, actuals) = hefei_march();
    let rows = report(&lines, &actuals, march(), day("2026-03-31"), 10);
    let seen: Vec<(String, Option<Money>, Money, Money, bool)> = rows
        .iter()
        .map(|r| (r.label(), r.plan, r.actual, r.variance, r.warning))
        .collect();
    let m = yuan;
    assert_eq!(
        seen,
        vec![
            // li 15,000 + zhao 6,000 = 21,000 against the rest's 20,000.
            (
                "collection".into(),
                Some(m("20000")),
                m("21000"),
                m("1000"),
                false
            ),
            // 40,000 of 50,000: −10,000, and below 45,000 (50,000 less 10 %): behind.
            (
                "collection wang".into(),
                Some(m("50000")),
                m("40000"),
                m("-10000"),
                true
            ),
            (
                "spending tow".into(),
                Some(m("3000")),
                m("4500"),
                m("1500"),
                true
            ),
            (
                "spending travel".into(),
                Some(m("1000")),
                m("0"),
                m("-1000"),
                false
            ),
            ("spending legal".into(), None, m("800"), m("800"), true),
        ]
    );
}

#[test]
fn collectors_without_any_line_show_as_unplanned_collections() {
    let lines = vec![collection(Some("wang"), "100")];
    let mut actuals = Actuals::default();
    actuals.book(&collected("li", "30"));
    let rows = report(&lines, &actuals, march(), day("2026-03-15"), 10);
    assert_eq!(rows[1].label(), "collection li");
    assert_eq!(rows[1].plan, None);
    assert_eq!(rows[1].actual, yuan("30"));
}

#[test]
fn scores_follow_the_rules_and_a_finance_officer_can_redo_them() {
    let (lines, actuals) = hefei_march();
    let rules = ScoringRules::default();
    let scores = scores("合肥", &lines, &actuals, &rules);
    // The branch: 61,000 of 70,000 = 87.142857…% → 87.14 points, less 10 for the tow line
    // over plan and 5 for legal spent without a line: 72.14.
    assert_eq!(scores[0].percent, Some(Decimal::new(8714, 2)));
    assert_eq!(scores[0].overspent_lines, 1);
    assert_eq!(scores[0].unplanned_categories, 1);
    assert_eq!(scores[0].points, Decimal::new(7214, 2));
    // wang: 40,000 of 50,000 = 80 % → 80.00 points.
    assert_eq!(scores[1].collector.as_deref(), Some("wang"));
    assert_eq!(scores[1].points, Decimal::new(8000, 2));
    // Above the cap (120 %) no more points: 130 % gives 120 × 1.5 = 180 with 1.5 a percent.
    let generous = ScoringRules {
        points_per_percent: Decimal::new(15, 1),
        ..ScoringRules::default()
    };
    assert_eq!(
        generous.collection_points(yuan("100"), yuan("130")),
        Some(Decimal::from(180))
    );
    assert_eq!(generous.collection_points(Money::ZERO, yuan("130")), None);
}

#[test]
fn the_league_table_puts_the_most_points_first() {
    let (lines, actuals) = hefei_march();
    let mut table = scores("合肥", &lines, &actuals, &ScoringRules::default());
    rank(&mut table);
    assert_eq!(table[0].collector.as_deref(), Some("wang"));
    assert_eq!(table[1].collector, None);
}

#[test]
fn a_plan_changes_only_through_a_new_version() {
    let mut plan = Plan::new(march(), "合肥");
    assert_eq!(
        plan.redraft(vec![collection(None, "1")], "qian", day("2026-02-20")),
        1
    );
    assert_eq!(
        plan.redraft(vec![collection(None, "2")], "qian", day("2026-02-21")),
        1
    );
    plan.versions[0].state = VersionState::Approved {
        application: "A1".into(),
        on: day("2026-02-22"),
    };
    assert_eq!(
        plan.redraft(vec![collection(None, "3")], "qian", day("2026-03-02")),
        2
    );
    assert_eq!(plan.in_force().unwrap().total(), yuan("2"));
    assert_eq!(plan.draft().unwrap().total(), yuan("3"));
    assert_eq!(plan.versions[0].lines, vec![collection(None, "2")]);
}

#[test]
fn lines_are_refused_when_two_say_the_same_thing() {
    let dup = vec![collection(Some("wang"), "1"), collection(Some("wang"), "2")];
    assert_eq!(
        lines_problem(&dup),
        Some(LinesProblem::Duplicate("collection wang".into()))
    );
    let mut on_spending = spending(Category::Tow, "1");
    on_spending.collector = Some("li".into());
    assert_eq!(
        lines_problem(&[on_spending]),
        Some(LinesProblem::CollectorOnSpending("li".into()))
    );
    assert_eq!(
        lines_problem(&[collection(None, "1"), spending(Category::Tow, "1")]),
        None
    );
}

/// A book kept with the module's rules, as the app keeps it: each confirmation books the
/// payment where `landing_month` says; a void books the opposite where the original was,
/// or in today's month when that month is closed.
#[derive(Default)]
struct Books {
    months: BTreeMap<Month, Actuals>,
    booked: BTreeMap<String, Booking>,
    closed: BTreeSet<Month>,
}

impl Books {
    fn add(&mut self, b: &Booking) {
        assert!(!self.closed.contains(&b.month), "a closed month changed");
        self.months.entry(b.month).or_default().book(b);
    }

    fn confirm(
        &mut self,
        id: &str,
        collector: &str,
        on: NaiveDate,
        amount: Money,
        today: NaiveDate,
    ) {
        let (month, late_from) = landing_month(on, today, |m| self.closed.contains(&m));
        let b = Booking {
            source: id.into(),
            month,
            branch: "合肥".into(),
            target: Target::Collection {
                collector: collector.into(),
            },
            amount,
            late_from,
        };
        self.add(&b);
        self.booked.insert(id.into(), b);
    }

    fn void(&mut self, id: &str, today: NaiveDate) {
        let Some(b) = self.booked.remove(id) else {
            return;
        };
        let (month, late_from) = if self.closed.contains(&b.month) {
            (Month::of(today), Some(b.month))
        } else {
            (b.month, None)
        };
        self.add(&Booking {
            month,
            late_from,
            amount: -b.amount,
            ..b
        });
    }
}

#[derive(Clone, Debug)]
enum Event {
    Confirm(usize),
    Void(usize),
    Close,
}

proptest! {
    /// Whatever the order of confirmations, voids and month closes: the actuals of all months
    /// add up, per collector, to the payments confirmed and not voided; a closed month never
    /// changes; and while no month is closed each month holds exactly the live payments
    /// received in it.
    #[test]
    fn actuals_are_the_sum_of_the_live_payments(
        payments in proptest::collection::vec((0usize..3, 0i64..89, 1i64..1_000_000), 1..12),
        events in proptest::collection::vec((0usize..3, 0usize..12), 0..40),
    ) {
        let collectors = ["wang", "li", "zhao"];
        let start = day("2026-01-01");
        let received: Vec<(String, NaiveDate, Money)> = payments
            .iter()
            .map(|(c, d, cents)| {
                (collectors[*c].to_string(), start + chrono::Days::new(*d as u64), Money::from_cents(*cents))
            })
            .collect();
        let events: Vec<Event> = events
            .iter()
            .map(|(kind, p)| match kind {
                0 => Event::Confirm(p % received.len()),
                1 => Event::Void(p % received.len()),
                _ => Event::Close,
            })
            .collect();
        let mut books = Books::default();
        let mut live: BTreeMap<usize, ()> = BTreeMap::new();
        let mut ever: BTreeSet<usize> = BTreeSet::new();
        let mut today = day("2026-03-31");
        let mut snapshots: BTreeMap<Month, Actuals> = BTreeMap::new();
        for event in events {
            match event {
                Event::Confirm(p) if !ever.contains(&p) => {
                    let (collector, on, amount) = &received[p];
                    books.confirm(&format!("P{p}"), collector, *on, *amount, today);
                    live.insert(p, ());
                    ever.insert(p);
                }
                Event::Void(p) if live.contains_key(&p) => {
                    books.void(&format!("P{p}"), today);
                    live.remove(&p);
                }
                Event::Close => {
                    // Finance closes the oldest month still open before today's.
                    let next = (0..)
                        .map(|i| Month::parse("2026-01").unwrap().first_day() + chrono::Months::new(i))
                        .map(Month::of)
                        .find(|m| !books.closed.contains(m))
                        .unwrap();
                    if next < Month::of(today) {
                        books.closed.insert(next);
                        snapshots.insert(next, books.months.get(&next).cloned().unwrap_or_default());
                    } else {
                        today = today + chrono::Months::new(1);
                    }
                }
                _ => {}
            }
        }
        for collector in collectors {
            let booked: Money = books
                .months
                .values()
                .filter_map(|a| a.collections.get(collector))
                .copied()
                .sum();
            let expected: Money = live
                .keys()
                .filter(|p| received[**p].0 == collector)
                .map(|p| received[*p].2)
                .sum();
            prop_assert_eq!(booked, expected, "collector {}", collector);
        }
        for (month, snapshot) in &snapshots {
            let now = books.months.get(month).cloned().unwrap_or_default();
            prop_assert_eq!(&now.collections, &snapshot.collections, "closed {} changed", month);
        }
        if books.closed.is_empty() {
            for (month, actuals) in &books.months {
                let expected: Money = live
                    .keys()
                    .filter(|p| Month::of(received[**p].1) == *month)
                    .map(|p| received[*p].2)
                    .sum();
                prop_assert_eq!(actuals.collected(), expected, "month {}", month);
            }
        }
    }
}
