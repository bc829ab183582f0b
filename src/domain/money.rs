//! Money and rates: exact decimals, one rounding rule, one display format.
//!
//! Owns: `Money` (CNY, always whole cents once stored), `Rate` (a daily penalty rate),
//! `round_cents` (the only rounding function in duedesk: half-up to cents), parsing of
//! amounts typed by people and display as `¥1,234.50`. Must not touch: storage formats
//! (see `store::codec`) or floating point of any kind.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

/// Rounds half-up (away from zero on a tie) to two decimals: 0.125 → 0.13.
/// This is the one rounding function of duedesk (DOMAIN §2).
pub fn round_cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount of CNY. Arithmetic is exact; amounts that reach the store are whole cents.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn from_cents(cents: i64) -> Money {
        Money(Decimal::new(cents, 2))
    }

    /// Whole cents, for screens and sums. Panics only if an amount with more than two
    /// decimals reached here, which `round_cents` and `parse` prevent. An amount past `i64`
    /// cents (which the input limits of `domain::limits` keep out of any one contract)
    /// saturates at `i64::MIN`/`i64::MAX` instead of panicking; the store uses `try_cents`
    /// and refuses it.
    pub fn cents(self) -> i64 {
        let scaled = self.0.saturating_mul(Decimal::ONE_HUNDRED);
        assert!(
            scaled.fract().is_zero(),
            "money {self:?} is not whole cents"
        );
        self.try_cents().unwrap_or(if self.is_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    /// Whole cents, or `None` when the amount is past what `i64` cents hold (or not whole
    /// cents).
    pub fn try_cents(self) -> Option<i64> {
        use rust_decimal::prelude::ToPrimitive;
        // Amounts are kept at scale 2 (`from_cents`, `round_cents`): their mantissa is the
        // cents, read without arithmetic (the store encodes every amount through here).
        if self.0.scale() == 2 {
            return i64::try_from(self.0.mantissa()).ok();
        }
        let scaled = self.0.checked_mul(Decimal::ONE_HUNDRED)?;
        if !scaled.fract().is_zero() {
            return None;
        }
        scaled.to_i64()
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn from_decimal_rounded(value: Decimal) -> Money {
        Money(round_cents(value).normalize_to_cents())
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    pub fn is_negative(self) -> bool {
        self.0 < Decimal::ZERO
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    /// `self × n` for a whole number of days.
    pub fn times(self, n: i64) -> Money {
        Money(self.0 * Decimal::from(n))
    }

    /// Parses an amount as a person types it: `1234.5`, `1,234.50`, `¥1234`.
    /// More than two decimals, a negative sign, a comma anywhere but between groups of
    /// three digits (`12,34` is refused: a decimal comma must not book a hundred times the
    /// money), an amount above `limits::MAX_AMOUNT_CENTS` or anything else is refused.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let shown = || crate::domain::text::neutralise(text.trim()).into_owned();
        let typed = text.trim().trim_start_matches(['¥', '￥']);
        if typed.contains(',') && !thousands_in_place(typed) {
            return Err(MoneyError::Comma(shown()));
        }
        let trimmed = typed.replace(',', "");
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        if trimmed.starts_with('-') {
            return Err(MoneyError::Negative(shown()));
        }
        if !trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') || trimmed.starts_with('.') {
            return Err(MoneyError::NotANumber(shown()));
        }
        // Longer than any amount we take: refused before the decimal parser sees it.
        let digits = trimmed
            .split('.')
            .next()
            .unwrap_or("")
            .trim_start_matches('0');
        if digits.len() > 15 {
            return Err(MoneyError::TooLarge(shown()));
        }
        let value = Decimal::from_str(&trimmed).map_err(|_| MoneyError::NotANumber(shown()))?;
        if value.scale() > 2 && value.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise(shown()));
        }
        if value > Decimal::new(crate::domain::limits::MAX_AMOUNT_CENTS, 2) {
            return Err(MoneyError::TooLarge(shown()));
        }
        Ok(Money(value.normalize_to_cents()))
    }

    /// `1234.50` — two decimals, no symbol, no grouping: the JSON and CSV form.
    pub fn plain(self) -> String {
        format!("{:.2}", self.0)
    }

    /// `¥1,234.50` — the display form.
    pub fn display(self) -> String {
        let plain = format!("{:.2}", self.0.abs());
        let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
        let mut grouped = String::with_capacity(int.len() + int.len() / 3);
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if self.is_negative() { "-" } else { "" };
        format!("{sign}¥{grouped}.{frac}")
    }
}

/// Whether the commas of `text` (an amount without its ¥) sit only between groups of three
/// digits of its whole part: `1,234.50` and `12,345,678` yes; `12,34`, `1,2,3`, `,123`,
/// `1234,567` and `1.234,50` no.
fn thousands_in_place(text: &str) -> bool {
    let whole = text.split('.').next().unwrap_or("");
    if text
        .split_once('.')
        .is_some_and(|(_, frac)| frac.contains(','))
    {
        return false;
    }
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

trait ToCents {
    fn normalize_to_cents(self) -> Decimal;
}

impl ToCents for Decimal {
    /// Same value, scale exactly 2, so equal amounts are equal bytes.
    fn normalize_to_cents(self) -> Decimal {
        let mut value = self;
        value.rescale(2);
        value
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.plain())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// Money in JSON: a string with two decimals, `"95.00"`. In the store (bincode, not
/// human-readable): integer cents.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.plain())
        } else {
            // Past what i64 cents hold: refused as an error, never a panic.
            match self.try_cents() {
                Some(cents) => s.serialize_i64(cents),
                None => Err(serde::ser::Error::custom(format!(
                    "amount {} is out of the range the store keeps",
                    self.plain()
                ))),
            }
        }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            Money::parse(&text).map_err(serde::de::Error::custom)
        } else {
            Ok(Money::from_cents(i64::deserialize(d)?))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty; type a number such as 1234.50")]
    Empty,
    #[error("amount '{0}' is not a number; type digits with at most two decimals, such as 1234.50")]
    NotANumber(String),
    #[error("amount '{0}' is negative; amounts are positive")]
    Negative(String),
    #[error("amount '{0}' has more than two decimals; money is kept in cents")]
    TooPrecise(String),
    #[error("amount '{0}' is more than the largest amount duedesk takes, ¥1,000,000,000.00")]
    TooLarge(String),
    #[error(
        "amount '{0}' has a comma out of place; a comma only separates thousands (1,234.50), the decimal point is '.'"
    )]
    Comma(String),
}

/// A daily penalty rate, e.g. 0.0005 (万分之五 per day).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Rate(Decimal);

impl Rate {
    pub const ZERO: Rate = Rate(Decimal::ZERO);

    pub fn new(value: Decimal) -> Rate {
        Rate(value.normalize())
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// Parses `0.0005`. Refuses negatives and anything of 1 (100% a day) or more.
    pub fn parse(text: &str) -> Result<Rate, String> {
        let value = Decimal::from_str(text.trim()).map_err(|_| {
            format!(
                "rate '{}' is not a number; type a daily rate such as 0.0005",
                text.trim()
            )
        })?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(format!(
                "rate '{}' is negative; a daily rate is 0 or more",
                text.trim()
            ));
        }
        if value >= Decimal::ONE {
            return Err(format!(
                "rate '{}' is 100% a day or more; type a daily rate such as 0.0005",
                text.trim()
            ));
        }
        if value.scale() > 10 {
            return Err(format!("rate '{}' has more than 10 decimals", text.trim()));
        }
        Ok(Rate::new(value))
    }

    /// The daily amount on a base, rounded half-up to cents.
    pub fn daily_on(self, base: Money) -> Money {
        Money::from_decimal_rounded(base.decimal() * self.0)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A rate in JSON: a decimal string. In the store: rust_decimal's 16-byte form.
impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.0.to_string())
        } else {
            self.0.serialize().serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            Rate::parse(&text).map_err(serde::de::Error::custom)
        } else {
            Ok(Rate(Decimal::deserialize(<[u8; 16]>::deserialize(d)?)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn half_up_rounding_of_a_daily_penalty() {
        // 250.00 × 0.0005 = 0.125 → 0.13 a day, not 0.12 (banker's rounding would give 0.12).
        assert_eq!(
            Rate::parse("0.0005").unwrap().daily_on(m("250.00")),
            m("0.13")
        );
        assert_eq!(
            Rate::parse("0.0005").unwrap().daily_on(m("249.00")),
            m("0.12")
        );
        assert_eq!(
            round_cents(Decimal::from_str("2.345").unwrap()).to_string(),
            "2.35"
        );
        assert_eq!(
            round_cents(Decimal::from_str("2.344").unwrap()).to_string(),
            "2.34"
        );
    }

    #[test]
    fn display_and_plain_forms() {
        assert_eq!(m("1234.5").display(), "¥1,234.50");
        assert_eq!(m("1234567.89").display(), "¥1,234,567.89");
        assert_eq!(m("0").display(), "¥0.00");
        assert_eq!(m("999").display(), "¥999.00");
        assert_eq!(m("95").plain(), "95.00");
        assert_eq!((Money::ZERO - m("12.3")).display(), "-¥12.30");
    }

    #[test]
    fn parsing_refuses_what_is_not_money() {
        assert_eq!(m("¥1,234.50"), m("1234.5"));
        assert!(matches!(
            Money::parse("12.345"),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(Money::parse("-3"), Err(MoneyError::Negative(_))));
        assert!(matches!(
            Money::parse("abc"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse("1e5"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(Money::parse(""), Err(MoneyError::Empty)));
        assert_eq!(m("12.300"), m("12.3"));
    }

    #[test]
    fn commas_only_between_thousands() {
        assert_eq!(m("1,234.50"), m("1234.5"));
        assert_eq!(m("12,345,678"), m("12345678"));
        assert_eq!(m("¥999,999.99").cents(), 99_999_999);
        for bad in [
            "12,34",
            "1,2,3",
            ",123",
            "1234,567",
            "1,23",
            "1.234,50",
            "1,234.5,0",
            "1,,234",
            "1,234,",
        ] {
            assert!(
                matches!(Money::parse(bad), Err(MoneyError::Comma(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn amounts_above_the_maximum_are_refused() {
        assert_eq!(m("1000000000").cents(), 100_000_000_000);
        for big in [
            "1000000000.01",
            "999,999,999,999.99",
            "99999999999999999999999999999999",
            "1e40",
        ] {
            assert!(Money::parse(big).is_err(), "{big}");
        }
        assert!(matches!(
            Money::parse("999999999999.99"),
            Err(MoneyError::TooLarge(_))
        ));
        // Past i64 cents: no panic, an error from the store's encoding.
        let huge = Money(Decimal::from(i64::MAX));
        assert_eq!(huge.try_cents(), None);
        assert_eq!(huge.cents(), i64::MAX);
        assert_eq!((-huge).cents(), i64::MIN);
        assert!(bincode::serde::encode_to_vec(huge, bincode::config::standard()).is_err());
    }

    #[test]
    fn cents_round_trip() {
        for cents in [0i64, 1, 99, 100, 123_456_789, -5] {
            assert_eq!(Money::from_cents(cents).cents(), cents);
        }
        assert_eq!(m("0.13").cents(), 13);
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_what_it_takes_is_in_range(text in "[0-9,.¥ -]{0,24}") {
            if let Ok(amount) = Money::parse(&text) {
                proptest::prop_assert!(!amount.is_negative());
                proptest::prop_assert!(amount.cents() <= crate::domain::limits::MAX_AMOUNT_CENTS);
                // A comma-free reading of the same digits gives the same amount.
                let plain = text.trim().trim_start_matches('¥').replace(',', "");
                proptest::prop_assert_eq!(Money::parse(&plain), Ok(amount));
            }
        }

        #[test]
        fn grouped_display_parses_back(cents in 0i64..=crate::domain::limits::MAX_AMOUNT_CENTS) {
            let amount = Money::from_cents(cents);
            proptest::prop_assert_eq!(Money::parse(&amount.display()), Ok(amount));
            proptest::prop_assert_eq!(Money::parse(&amount.plain()), Ok(amount));
        }

        /// The cents read off an amount's mantissa equal the cents its value scales to, at
        /// any scale and sign, and past `i64` there are none.
        #[test]
        fn cents_read_off_the_mantissa_equal_the_scaled_value(
            mantissa in proptest::num::i64::ANY,
            scale in 0u32..6,
            wide in proptest::bool::ANY,
        ) {
            use rust_decimal::prelude::ToPrimitive;
            let mantissa = if wide { i128::from(mantissa) * 1_000_000_007 } else { i128::from(mantissa) };
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            let expected = value
                .checked_mul(Decimal::ONE_HUNDRED)
                .filter(|scaled| scaled.fract().is_zero())
                .and_then(|scaled| scaled.to_i64());
            proptest::prop_assert_eq!(Money(value).try_cents(), expected);
        }
    }

    #[test]
    fn json_money_is_a_two_decimal_string() {
        assert_eq!(serde_json::to_string(&m("95")).unwrap(), "\"95.00\"");
    }

    #[test]
    fn rates_are_checked() {
        assert!(Rate::parse("-0.1").is_err());
        assert!(Rate::parse("1").is_err());
        assert!(Rate::parse("x").is_err());
        assert_eq!(
            Rate::parse("0.00050").unwrap(),
            Rate::parse("0.0005").unwrap()
        );
    }
}
