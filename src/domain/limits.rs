//! The limits of what people may type: the largest amount and the range of dates duedesk
//! takes, and how dates are written. Every input (the command line, imports, the screens,
//! SSH commands, sync) parses through here, and the app checks every mutation against the
//! same limits, so no front end lets a larger figure or a stranger date in.
//!
//! Why these limits: an amount is at most `MAX_AMOUNT` (¥1,000,000,000.00, a thousand times
//! the dearest machine a dealer sells) and a date lies in `MIN_DATE..=MAX_DATE`. Penalty on
//! one installment of the largest amount at the largest daily rate (just under 100%) over
//! the whole date range stays below 5 × 10^15 cents, inside the 9.2 × 10^18 cents the store
//! keeps by a factor of a thousand; past that, storing an amount is refused, never a panic
//! (`Money::try_cents`).

use super::Refusal;
use super::money::{Money, MoneyError};
use chrono::NaiveDate;

/// The largest amount any input takes: ¥1,000,000,000.00.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000_000;

/// The earliest and latest business dates any input takes.
pub const MIN_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};
pub const MAX_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2099, 12, 31) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// The largest amount as a `Money`.
pub fn max_amount() -> Money {
    Money::from_cents(MAX_AMOUNT_CENTS)
}

/// Refuses an amount above `MAX_AMOUNT_CENTS` (or below zero), naming `field`.
pub fn check_amount(field: &str, amount: Money) -> Result<(), Refusal> {
    let field = field.to_string();
    if amount.is_negative() {
        return Err(Refusal::AmountNegative { field, amount });
    }
    if amount > max_amount() {
        return Err(Refusal::AmountTooLarge {
            field,
            amount,
            max: max_amount(),
        });
    }
    Ok(())
}

/// Parses an amount as a person types it (`Money::parse`), naming `field` when it is not one.
pub fn parse_amount(field: &str, text: &str) -> Result<Money, String> {
    Money::parse(text).map_err(|e: MoneyError| format!("{field}: {e}"))
}

/// Refuses a date outside `MIN_DATE..=MAX_DATE`, naming `field`.
pub fn check_date(field: &str, date: NaiveDate) -> Result<(), Refusal> {
    if date < MIN_DATE || date > MAX_DATE {
        return Err(Refusal::DateOutOfRange {
            field: field.to_string(),
            date,
            min: MIN_DATE,
            max: MAX_DATE,
        });
    }
    Ok(())
}

/// Parses a date as people and spreadsheets write it — `2026-03-01`, `2026/3/1`,
/// `20260301` — within `MIN_DATE..=MAX_DATE`. The message does not name the field; callers
/// put it in front.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    // chrono takes a sign and more than four digits of year: only plain years are dates here.
    let plain = t.len() <= 10
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/');
    let date = plain
        .then(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
                .or_else(|_| NaiveDate::parse_from_str(t, "%Y%m%d"))
                .ok()
        })
        .flatten()
        .filter(|_| !t.starts_with('-'))
        .ok_or_else(|| {
            format!(
                "'{}' is not a date; write it as YYYY-MM-DD",
                crate::domain::text::neutralise(t)
            )
        })?;
    if date < MIN_DATE || date > MAX_DATE {
        return Err(format!(
            "{date} is outside the dates duedesk takes, {MIN_DATE} to {MAX_DATE}"
        ));
    }
    Ok(date)
}

/// Refuses a date after `today`, naming `field`: penalty is accrued up to today at most.
pub fn check_not_after_today(
    field: &str,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if date > today {
        return Err(Refusal::DateAfterToday {
            field: field.to_string(),
            date,
            today,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_are_read_in_three_forms_within_the_range() {
        assert_eq!(parse_date("2026-03-01"), Ok(d("2026-03-01")));
        assert_eq!(parse_date(" 2026/3/1 "), Ok(d("2026-03-01")));
        assert_eq!(parse_date("20260301"), Ok(d("2026-03-01")));
        assert_eq!(parse_date("1990-01-01"), Ok(MIN_DATE));
        assert_eq!(parse_date("2099-12-31"), Ok(MAX_DATE));
        for outside in [
            "0000-01-01",
            "1000-01-01",
            "1989-12-31",
            "2100-01-01",
            "9999-12-31",
        ] {
            let e = parse_date(outside).unwrap_err();
            assert!(
                e.contains("outside the dates duedesk takes, 1990-01-01 to 2099-12-31"),
                "{outside}: {e}"
            );
        }
        for not_a_date in [
            "-0001-01-01",
            "+2026-03-01",
            "02026-03-01",
            "2026-02-30",
            "x",
            "",
            "2026-3",
        ] {
            let e = parse_date(not_a_date).unwrap_err();
            assert!(e.contains("is not a date"), "{not_a_date}: {e}");
        }
        // A NUL or escape from a file is not echoed as itself.
        assert!(
            !parse_date("20\u{0}26\u{1b}[2J")
                .unwrap_err()
                .contains(['\u{0}', '\u{1b}'])
        );
    }

    #[test]
    fn amounts_above_the_maximum_are_refused_naming_the_field() {
        assert_eq!(
            check_amount("--amount", Money::parse("1000000000").unwrap()),
            Ok(())
        );
        let e = check_amount(
            "principal",
            Money::parse("999999999999.99").unwrap_or(Money::from_cents(i64::MAX / 2)),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("principal: "), "{e}");
        assert!(e.contains("¥1,000,000,000.00"), "{e}");
        assert!(check_amount("x", Money::from_cents(-1)).is_err());
        let e = parse_amount("--amount", "1,000,000,000.01").unwrap_err();
        assert!(e.starts_with("--amount: ") && e.contains("largest"), "{e}");
    }

    #[test]
    fn accruing_past_today_is_refused() {
        assert_eq!(
            check_not_after_today("--through", d("2026-06-15"), d("2026-06-15")),
            Ok(())
        );
        let e = check_not_after_today("--through", d("9999-12-31"), d("2026-06-15"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--through: 9999-12-31 is after today (2026-06-15)"),
            "{e}"
        );
    }

    proptest! {
        #[test]
        fn every_date_in_range_round_trips_and_none_outside(days in -1_000_000i32..1_000_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(730_000 + days);
            prop_assume!(date.is_some());
            let date = date.unwrap();
            let parsed = parse_date(&date.format("%Y-%m-%d").to_string());
            if (MIN_DATE..=MAX_DATE).contains(&date) {
                prop_assert_eq!(parsed, Ok(date));
            } else {
                prop_assert!(parsed.is_err());
            }
        }

        #[test]
        fn parsing_any_text_never_panics(text in any::<String>()) {
            let _ = parse_date(&text);
            let _ = parse_amount("f", &text);
        }

        #[test]
        fn the_worst_penalty_stays_inside_the_store(rate_millionths in 0u32..1_000_000) {
            // One installment of the largest amount, overdue the whole date range.
            let rate = super::super::Rate::parse(&format!("0.{rate_millionths:06}")).unwrap();
            let days = (MAX_DATE - MIN_DATE).num_days();
            let penalty = rate.daily_on(max_amount()).times(days);
            prop_assert!(penalty.decimal() < rust_decimal::Decimal::from(50_000_000_000_000i64));
            prop_assert!(penalty.try_cents().is_some());
        }
    }
}
