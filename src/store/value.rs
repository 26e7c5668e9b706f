//! The values that cross the store's boundary, independent of the driver.
//!
//! Both backends bind [`Value`]s as parameters and hand back [`Row`]s of them, so the SQL of
//! the shared store (`sql.rs`, `generic.rs`) is written once. The one difference that leaks
//! through is time: PostgreSQL has `TIMESTAMPTZ`, SQLite stores the fixed-width RFC 3339 text
//! of [`format_time`], which sorts and compares like the instant it names.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::StoreError;
use crate::vocab::PlatformId;

/// A parameter or a column's value, in the types both backends share.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL (an absent `Option`).
    Null,
    /// An integer: counts, ids, cents (never a float, so sums are exact).
    Int(i64),
    /// A float: metric values.
    Real(f64),
    /// Text.
    Text(String),
    /// A time: `TIMESTAMPTZ` on PostgreSQL, [`format_time`] text on SQLite (the driver
    /// converts both ways).
    Time(DateTime<Utc>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
/// A platform is stored as its name (see [`PlatformId::name`]).
impl From<PlatformId> for Value {
    fn from(v: PlatformId) -> Self {
        Value::Text(v.name().to_string())
    }
}
impl From<&PlatformId> for Value {
    fn from(v: &PlatformId) -> Self {
        (*v).into()
    }
}
impl From<&Option<PlatformId>> for Value {
    fn from(v: &Option<PlatformId>) -> Self {
        (*v).into()
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Time(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        v.clone().into()
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl Value {
    /// The integer, if the value is one.
    pub fn into_i64(self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The time, if the driver read one (PostgreSQL; SQLite's times are text, see
    /// [`Row::opt_time`]).
    pub fn into_time(self) -> Option<DateTime<Utc>> {
        match self {
            Value::Time(t) => Some(t),
            _ => None,
        }
    }

    /// The value as text; `None` for NULL.
    pub fn into_text(self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Int(v) => Some(v.to_string()),
            Value::Real(v) => Some(v.to_string()),
            Value::Text(v) => Some(v),
            Value::Time(t) => Some(t.to_rfc3339()),
        }
    }
}

/// SQLite's form of a time: always 27 characters, so text order is time order.
///
/// Written by hand: chrono's `format` interprets its pattern on every call, and bulk loads
/// format two or three times per row.
pub fn format_time(t: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    }
    let mut out = String::with_capacity(27);
    push_digits(&mut out, year as u32, 4);
    // A leap second is shown as second 60 by chrono's nanosecond overflow; keep micros < 1e6.
    let micros = t.nanosecond() % 1_000_000_000 / 1000;
    for (sep, n, width) in [
        ('-', t.month(), 2),
        ('-', t.day(), 2),
        ('T', t.hour(), 2),
        (':', t.minute(), 2),
        (':', t.second(), 2),
        ('.', micros, 6),
    ] {
        out.push(sep);
        push_digits(&mut out, n, width);
    }
    out.push('Z');
    out
}

fn push_digits(out: &mut String, n: u32, width: usize) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place as u32) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Reads the time text of an SQLite row: [`format_time`]'s, including its signed form for
/// years outside 0000-9999 (which older versions stored), or the `YYYY-MM-DD HH:MM:SS` of
/// SQLite's own functions.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.fZ"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(|n| n.and_utc())
        })
}

/// `t` to the microsecond (rounded down), the precision both stores keep: keys compared in
/// memory must be the keys the database compares.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// One result row: values by column name.
#[derive(Debug, Clone)]
pub struct Row {
    /// The result's column names, shared by every row of one result.
    pub columns: std::sync::Arc<[String]>,
    /// The values, in the order of `columns`.
    pub values: Vec<Value>,
}

impl Row {
    fn value(&self, name: &str) -> Result<&Value, StoreError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::Decode(format!("no column '{name}' in result")))
    }

    fn mismatch(name: &str, want: &str, got: &Value) -> StoreError {
        StoreError::Decode(format!("column '{name}': expected {want}, found {got:?}"))
    }

    /// The value of a column that must not be NULL.
    fn required<T>(name: &str, value: Option<T>) -> Result<T, StoreError> {
        value.ok_or_else(|| StoreError::Decode(format!("column '{name}' is NULL")))
    }

    /// A column read by `read`, which takes the types it accepts: NULL is `None` whatever the
    /// type, and a value `read` refuses is a decode error saying it wanted `want`, so every
    /// typed read treats NULL and a wrong type alike.
    fn typed<T>(
        &self,
        name: &str,
        want: &str,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        match self.value(name)? {
            Value::Null => Ok(None),
            other => read(other)
                .map(Some)
                .ok_or_else(|| Self::mismatch(name, want, other)),
        }
    }

    /// An integer column; NULL reads as `None`, any other type is a decode error.
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, StoreError> {
        self.typed(name, "an integer", |v| match v {
            Value::Int(v) => Some(*v),
            _ => None,
        })
    }

    /// An integer column that is never NULL: NULL is a decode error.
    pub fn i64(&self, name: &str) -> Result<i64, StoreError> {
        Self::required(name, self.opt_i64(name)?)
    }

    /// A number column; an integer reads as a float (a sum may come back as either).
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>, StoreError> {
        self.typed(name, "a number", |v| match v {
            Value::Real(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        })
    }

    /// A number column that is never NULL.
    pub fn f64(&self, name: &str) -> Result<f64, StoreError> {
        Self::required(name, self.opt_f64(name)?)
    }

    /// A text column; NULL reads as `None`.
    pub fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.typed(name, "text", |v| match v {
            Value::Text(v) => Some(v.clone()),
            _ => None,
        })
    }

    /// A text column that is never NULL.
    pub fn text(&self, name: &str) -> Result<String, StoreError> {
        Self::required(name, self.opt_text(name)?)
    }

    /// A platform column: the name a [`PlatformId`] is stored as. A name this version does not
    /// know (a row written by a newer socialcrm, or by hand) is a decode error naming it.
    pub fn opt_platform(&self, name: &str) -> Result<Option<PlatformId>, StoreError> {
        self.opt_text(name)?
            .map(|text| {
                PlatformId::from_name(&text).ok_or_else(|| {
                    let unknown = crate::vocab::UnknownPlatform(text);
                    StoreError::Decode(format!("column '{name}': {unknown}"))
                })
            })
            .transpose()
    }

    /// A platform column that is never NULL (see [`Row::opt_platform`]).
    pub fn platform(&self, name: &str) -> Result<PlatformId, StoreError> {
        Self::required(name, self.opt_platform(name)?)
    }

    /// A time column. Text no version ever wrote (a row edited by another tool) reads as no
    /// time, with a warning: one bad row must not make every listing fail.
    pub fn opt_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self.value(name)? {
            Value::Null => Ok(None),
            Value::Time(t) => Ok(Some(*t)),
            Value::Text(s) => Ok(parse_time(s).or_else(|| {
                tracing::warn!(
                    column = name,
                    "a stored time is unreadable; it is shown as none"
                );
                None
            })),
            other => Err(Self::mismatch(name, "a time", other)),
        }
    }

    /// A time column that is never NULL; an unreadable one reads as the Unix epoch, with a
    /// warning (see [`Row::opt_time`]).
    pub fn time(&self, name: &str) -> Result<DateTime<Utc>, StoreError> {
        if let Value::Null = self.value(name)? {
            return Self::required(name, None);
        }
        Ok(self.opt_time(name)?.unwrap_or(DateTime::UNIX_EPOCH))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn platform_row(text: Option<&str>) -> Row {
        Row {
            columns: vec!["platform".to_string()].into(),
            values: vec![text.map_or(Value::Null, Value::from)],
        }
    }

    #[test]
    fn a_platform_column_reads_its_exact_name_and_anything_else_is_a_decode_error() {
        assert_eq!(
            platform_row(Some("tiktok")).platform("platform").unwrap(),
            PlatformId::Tiktok
        );
        assert_eq!(Value::from(PlatformId::X), Value::Text("x".into()));
        assert_eq!(platform_row(None).opt_platform("platform").unwrap(), None);
        // An alias or another case is what a person types, never what a row holds.
        for stored in ["myspace", "twitter", "TikTok", ""] {
            match platform_row(Some(stored)).platform("platform") {
                Err(StoreError::Decode(why)) => {
                    assert!(why.contains(&format!("'{stored}'")), "{why}")
                }
                other => panic!("{stored:?} read as {other:?}"),
            }
        }
        assert!(matches!(
            platform_row(None).platform("platform"),
            Err(StoreError::Decode(_))
        ));
    }

    #[test]
    fn sqlite_time_text_is_fixed_width_and_round_trips() {
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let s = format_time(&t);
        assert_eq!(s, "2026-01-02T03:04:05.000000Z");
        assert_eq!(parse_time(&s), Some(t));
    }

    #[test]
    fn times_beyond_year_9999_round_trip_and_bad_text_reads_as_none() {
        let far = Utc.with_ymd_and_hms(10000, 1, 1, 13, 59, 59).unwrap();
        assert_eq!(parse_time(&format_time(&far)), Some(far));
        let before = Utc.with_ymd_and_hms(-1, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(parse_time(&format_time(&before)), Some(before));
        let row = Row {
            columns: vec!["a".to_string(), "b".to_string()].into(),
            values: vec![Value::Text("garbage".into()), Value::Text("garbage".into())],
        };
        assert_eq!(row.opt_time("a").unwrap(), None);
        assert_eq!(row.time("b").unwrap(), DateTime::UNIX_EPOCH);
    }

    #[test]
    fn micros_rounds_down_on_both_sides_of_1970() {
        let t = DateTime::from_timestamp(1, 999).unwrap();
        assert_eq!(micros(t), DateTime::from_timestamp(1, 0).unwrap());
        let t = DateTime::from_timestamp(-1, 1_500).unwrap();
        assert_eq!(micros(t), DateTime::from_timestamp(-1, 1_000).unwrap());
    }

    #[test]
    fn hand_written_time_text_matches_chrono() {
        for micros in [
            0i64,
            1,
            999_999,
            1_234_567_890_123_456,
            253_402_300_799_999_999,
        ] {
            let t = DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
            assert_eq!(
                format_time(&t),
                t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
            );
        }
    }
}
