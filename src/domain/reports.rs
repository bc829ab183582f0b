//! The rules of the management reports (经营分析): month ends, roll rates, shares and the
//! forecast's weights. Pure: the app reads the book and hands the figures here.
//!
//! - **Month points** of a period `from..=to`: the end of the month before `from` (the
//!   opening), then the end of every month of the period, the last one cut to `to`.
//! - **Roll**: a contract's bucket at one month end against the next: *worse* (a later
//!   bucket), *stayed*, *better* (an earlier bucket, still overdue) or *cured* (current).
//!   Its money is its balance (principal and interest still owed) at the first month end.
//! - **Share** = part ÷ whole, four decimals, half-up; 0 when the whole is 0.
//! - **Forecast weight** of a bucket: over the contract-months of the history (a contract in
//!   that bucket at a month end), Σ min(collected next month, owed next month) ÷ Σ owed next
//!   month, where *owed* is the overdue amount at the month end plus what falls due in the
//!   next month, and *collected* the confirmed money received in it. No history: 1 for
//!   current, 0 for the others (nothing is expected that the book has never seen come).
//! - **Expected** money = round_half_up(amount × weight, 2).

use super::ledger::Bucket;
use super::money::Money;
use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

/// The last day of `day`'s month.
pub fn month_end(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).expect("day 1 exists");
    first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .expect("date in range")
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("day 1 exists")
}

/// `2026-03` for any day of March 2026.
pub fn month_label(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The opening (end of the month before `from`) and each month end of `from..=to`, the last
/// cut to `to`. Empty when `to` is before `from`.
pub fn month_points(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    if to < from {
        return Vec::new();
    }
    let opening = month_start(from)
        .checked_sub_days(Days::new(1))
        .expect("date in range");
    let mut points = vec![opening];
    let mut end = month_end(from);
    while end < to {
        points.push(end);
        end = month_end(end.checked_add_days(Days::new(1)).expect("date in range"));
    }
    points.push(to);
    points
}

/// The first days of `n` months from the month of the day after `day`: the months a
/// forecast made as of `day` covers.
pub fn months_after(day: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let first = month_start(day.checked_add_days(Days::new(1)).expect("date in range"));
    (0..n as u32)
        .map(|k| {
            first
                .checked_add_months(Months::new(k))
                .expect("date in range")
        })
        .collect()
}

/// part ÷ whole to four decimals (half-up); 0 when the whole is 0.
pub fn share(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    (part / whole).round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// `share` of two amounts of money.
pub fn money_share(part: Money, whole: Money) -> Decimal {
    share(part.decimal(), whole.decimal())
}

/// Where a contract went from one month end to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Roll {
    Cured,
    Better,
    Stayed,
    Worse,
}

/// The roll of a contract from bucket `from` to bucket `to`.
pub fn roll(from: Bucket, to: Bucket) -> Roll {
    if to == Bucket::Current && from != Bucket::Current {
        Roll::Cured
    } else if to < from {
        Roll::Better
    } else if to == from {
        Roll::Stayed
    } else {
        Roll::Worse
    }
}

/// One bucket's money at a month end and where it went by the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RollTally {
    pub contracts: usize,
    pub balance: Money,
    pub cured: Money,
    pub better: Money,
    pub stayed: Money,
    pub worse: Money,
}

impl RollTally {
    /// Adds a contract with `balance` at the first month end that rolled as `roll`.
    pub fn add(&mut self, roll: Roll, balance: Money) {
        self.contracts += 1;
        self.balance += balance;
        *match roll {
            Roll::Cured => &mut self.cured,
            Roll::Better => &mut self.better,
            Roll::Stayed => &mut self.stayed,
            Roll::Worse => &mut self.worse,
        } += balance;
    }
}

/// What a bucket's contracts owed in the month after a month end and what they paid of it,
/// summed over the history: the forecast weight's two halves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WeightTally {
    pub owed: Money,
    pub collected: Money,
}

impl WeightTally {
    /// Adds one contract-month: `owed` the month's overdue and falling-due money, `received`
    /// the confirmed money that came in (counted up to what was owed).
    pub fn add(&mut self, owed: Money, received: Money) {
        self.owed += owed;
        self.collected += received.min(owed).max(Money::ZERO);
    }

    /// The weight: collected ÷ owed, at most 1; with no history 1 for `current`, else 0.
    pub fn weight(&self, bucket: Bucket) -> Decimal {
        if self.owed.is_zero() {
            return if bucket == Bucket::Current {
                Decimal::ONE
            } else {
                Decimal::ZERO
            };
        }
        money_share(self.collected, self.owed).min(Decimal::ONE)
    }
}

/// The money expected of `amount` at `weight`: round_half_up(amount × weight, 2).
pub fn expected(amount: Money, weight: Decimal) -> Money {
    Money::from_decimal_rounded(amount.decimal() * weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn month_points_open_with_the_month_before_and_cut_the_last_at_the_date() {
        assert_eq!(
            month_points(d("2026-01-15"), d("2026-03-10")),
            vec![
                d("2025-12-31"),
                d("2026-01-31"),
                d("2026-02-28"),
                d("2026-03-10")
            ]
        );
        assert_eq!(
            month_points(d("2026-02-01"), d("2026-02-28")),
            vec![d("2026-01-31"), d("2026-02-28")]
        );
        assert!(month_points(d("2026-03-01"), d("2026-02-01")).is_empty());
        assert_eq!(month_end(d("2024-02-10")), d("2024-02-29"));
    }

    #[test]
    fn a_forecast_as_of_a_month_end_starts_with_the_next_month() {
        assert_eq!(
            months_after(d("2026-01-31"), 3),
            vec![d("2026-02-01"), d("2026-03-01"), d("2026-04-01")]
        );
        assert_eq!(
            months_after(d("2026-12-15"), 2),
            vec![d("2026-12-01"), d("2027-01-01")]
        );
        assert_eq!(month_label(d("2026-03-09")), "2026-03");
    }

    #[test]
    fn rolls_compare_buckets() {
        use Bucket::*;
        assert_eq!(roll(D1To30, Current), Roll::Cured);
        assert_eq!(roll(D31To60, D1To30), Roll::Better);
        assert_eq!(roll(D91To180, D91To180), Roll::Stayed);
        assert_eq!(roll(D1To30, D31To60), Roll::Worse);
        assert_eq!(roll(Current, Current), Roll::Stayed);
        assert_eq!(roll(Current, D1To30), Roll::Worse);
    }

    #[test]
    fn a_tally_splits_the_balance_by_where_it_went() {
        let mut t = RollTally::default();
        t.add(Roll::Worse, m("1000.00"));
        t.add(Roll::Cured, m("500.00"));
        t.add(Roll::Worse, m("500.00"));
        assert_eq!((t.contracts, t.balance), (3, m("2000.00")));
        assert_eq!(money_share(t.worse, t.balance), Decimal::new(75, 2));
        assert_eq!(money_share(t.cured, t.balance), Decimal::new(25, 2));
        assert_eq!(money_share(t.stayed, t.balance), Decimal::ZERO);
        assert_eq!(share(Decimal::ONE, Decimal::from(3)), Decimal::new(3333, 4));
        assert_eq!(share(Decimal::TWO, Decimal::from(3)), Decimal::new(6667, 4));
    }

    #[test]
    fn weights_count_money_up_to_what_was_owed_and_default_without_history() {
        let mut t = WeightTally::default();
        t.add(m("1000.00"), m("1500.00")); // a prepayment counts as 1000
        t.add(m("1000.00"), m("0.00"));
        t.add(m("2000.00"), m("500.00"));
        // (1000 + 0 + 500) / 4000
        assert_eq!(t.weight(Bucket::D1To30), Decimal::new(375, 3));
        assert_eq!(WeightTally::default().weight(Bucket::Current), Decimal::ONE);
        assert_eq!(
            WeightTally::default().weight(Bucket::D61To90),
            Decimal::ZERO
        );
        assert_eq!(expected(m("333.33"), Decimal::new(5, 1)), m("166.67"));
        assert_eq!(expected(m("1000.00"), Decimal::new(375, 3)), m("375.00"));
    }
}
