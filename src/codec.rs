//! Compact serde forms for the store, readable forms for JSON — chosen by the serializer.
//!
//! bincode is not human-readable: dates travel as an `i32` day number and money as integer
//! cents (see ARCHITECTURE *Money and time*: 3.5× faster scans than the default string forms).
//! serde_json is human-readable: dates are ISO `YYYY-MM-DD`, money a two-decimal string.
//! Pure helpers, no I/O; used through `#[serde(with = "crate::codec::date")]`.

pub mod date {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(&day.format("%Y-%m-%d"))
        } else {
            s.serialize_i32(day.num_days_from_ce())
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(D::Error::custom)
        } else {
            let days = i32::deserialize(d)?;
            NaiveDate::from_num_days_from_ce_opt(days)
                .ok_or_else(|| D::Error::custom("day out of range"))
        }
    }
}

pub mod opt_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "super::date")] NaiveDate);

    pub fn serialize<S: Serializer>(day: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        day.map(Wrap).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}
