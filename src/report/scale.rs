//! Axes: value ticks at "nice" numbers (1, 2 or 5 times a power of ten), date ticks by day,
//! week or month, and the linear map from data to drawing coordinates.
//!
//! Everything here is pure arithmetic on plain numbers and dates, so the unit tests below pin it
//! without drawing anything.

use chrono::{Datelike, Duration, NaiveDate};

/// The most ticks any axis gets, whatever it is asked for: bounds the page size.
const MAX_TICKS: usize = 40;

/// Value-axis ticks from `min` to `max` every `step` (all finite, `min < max`, `step > 0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ticks {
    /// The first tick.
    pub min: f64,
    /// The last tick.
    pub max: f64,
    /// The distance between ticks: 1, 2, 5 or 10 times a power of ten, as people read axes.
    pub step: f64,
}

impl Ticks {
    /// The tick values, computed from the index so no rounding error accumulates.
    pub fn values(&self) -> Vec<f64> {
        let n = ((self.max - self.min) / self.step).round() as usize;
        // Rounded to the step's decimals, so 3 * 0.2 is 0.6 (not 0.6000000000000001), never -0.
        let decimals = (-self.step.log10().floor()).clamp(0.0, 12.0) as i32;
        let unit = 10f64.powi(decimals);
        (0..=n.min(MAX_TICKS))
            .map(|i| {
                let v = self.min + i as f64 * self.step;
                let snapped = (v * unit).round() / unit;
                if !snapped.is_finite() {
                    v
                } else if snapped == 0.0 {
                    0.0
                } else {
                    snapped
                }
            })
            .collect()
    }
}

/// 1, 2, 5 or 10 times a power of ten, closest to `x` (Heckbert's "nice numbers").
fn nice_step(x: f64) -> f64 {
    let exp = x.log10().floor();
    let base = 10f64.powf(exp);
    let f = x / base;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// About `target` ticks covering `lo..=hi`, widened to nice numbers. A zero-width range (one
/// value, or all values equal) is widened around the value; non-finite input gives `0..1`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let fallback = Ticks {
        min: 0.0,
        max: 1.0,
        step: 0.2,
    };
    if !lo.is_finite() || !hi.is_finite() {
        return fallback;
    }
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1.0) {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let pad = lo.abs() * 0.1;
            lo -= pad;
            hi += pad;
        }
    }
    let intervals = target.clamp(2, MAX_TICKS) - 1;
    let step = nice_step((hi - lo) / intervals as f64);
    if !step.is_finite() || step <= 0.0 {
        return fallback;
    }
    let min = (lo / step).floor() * step;
    let max = (hi / step).ceil() * step;
    if !min.is_finite() || !max.is_finite() || min >= max {
        return fallback;
    }
    Ticks { min, max, step }
}

/// A linear map from a data range (the domain) to a drawing range.
#[derive(Debug, Clone, Copy)]
pub struct Linear {
    /// The start of the data range.
    pub d0: f64,
    /// Its end.
    pub d1: f64,
    /// Where the start is drawn.
    pub r0: f64,
    /// Where the end is drawn (below `r0` for a value axis, which grows upwards).
    pub r1: f64,
}

impl Linear {
    /// Where `v` is drawn; the middle of the range when the data range is a single value.
    pub fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Spacing of date ticks, from fine to coarse; the first that fits the tick budget wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStep {
    /// Every this many days.
    Days(u32),
    /// Every this many weeks.
    Weeks(u32),
    /// Every this many months.
    Months(u32),
}

const DATE_STEPS: [DateStep; 11] = [
    DateStep::Days(1),
    DateStep::Days(2),
    DateStep::Weeks(1),
    DateStep::Weeks(2),
    DateStep::Months(1),
    DateStep::Months(2),
    DateStep::Months(3),
    DateStep::Months(6),
    DateStep::Months(12),
    DateStep::Months(24),
    DateStep::Months(60),
];

impl DateStep {
    /// The tick label of `d`: `4 Mar` for days and weeks, `Mar 2026` for months, `2026` for years.
    pub fn label(self, d: NaiveDate) -> String {
        match self {
            DateStep::Days(_) | DateStep::Weeks(_) => d.format("%-d %b").to_string(),
            DateStep::Months(m) if m >= 12 => d.format("%Y").to_string(),
            DateStep::Months(_) => d.format("%b %Y").to_string(),
        }
    }

    fn ticks(self, first: NaiveDate, last: NaiveDate, limit: usize) -> Option<Vec<NaiveDate>> {
        let mut out = Vec::new();
        let mut next = match self {
            DateStep::Days(_) => Some(first),
            DateStep::Weeks(_) => {
                let monday = week_start(first);
                if monday < first {
                    monday.checked_add_signed(Duration::days(7))
                } else {
                    Some(monday)
                }
            }
            DateStep::Months(m) => {
                let mut d = NaiveDate::from_ymd_opt(first.year(), first.month(), 1)?;
                if d < first {
                    d = d.checked_add_months(chrono::Months::new(1))?;
                }
                while d.month0() % m.min(12) != 0 || (m > 12 && d.year() % (m / 12) as i32 != 0) {
                    d = d.checked_add_months(chrono::Months::new(1))?;
                }
                Some(d)
            }
        };
        while let Some(d) = next.filter(|d| *d <= last) {
            out.push(d);
            if out.len() > limit {
                return None;
            }
            next = match self {
                DateStep::Days(n) => d.checked_add_signed(Duration::days(i64::from(n))),
                DateStep::Weeks(n) => d.checked_add_signed(Duration::days(7 * i64::from(n))),
                DateStep::Months(n) => d.checked_add_months(chrono::Months::new(n)),
            };
        }
        Some(out)
    }
}

/// At most `max_ticks` tick dates within `first..=last`, on day, Monday, month or year
/// boundaries, with the step used (for labels). One date gives that date alone.
pub fn date_ticks(
    first: NaiveDate,
    last: NaiveDate,
    max_ticks: usize,
) -> (DateStep, Vec<NaiveDate>) {
    let limit = max_ticks.clamp(2, MAX_TICKS);
    for step in DATE_STEPS {
        if let Some(ticks) = step.ticks(first, last, limit)
            && !ticks.is_empty()
        {
            return (step, ticks);
        }
    }
    (DateStep::Days(1), vec![first])
}

/// Monday of the week `d` falls in (ISO weeks, as the weekly charts bucket them).
pub fn week_start(d: NaiveDate) -> NaiveDate {
    let back = Duration::days(i64::from(d.weekday().num_days_from_monday()));
    d.checked_sub_signed(back).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn nice_ticks_round_the_range_to_1_2_5_steps() {
        let t = nice_ticks(0.0, 97.0, 6);
        assert_eq!(
            t,
            Ticks {
                min: 0.0,
                max: 100.0,
                step: 20.0
            }
        );
        assert_eq!(t.values(), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let t = nice_ticks(10_200.0, 10_870.0, 5);
        assert_eq!((t.min, t.max, t.step), (10_200.0, 11_000.0, 200.0));
        assert_eq!(
            nice_ticks(0.0, 0.7, 5).values(),
            vec![0.0, 0.2, 0.4, 0.6, 0.8]
        );
        assert_eq!(
            nice_ticks(-35.0, 12.0, 5).values(),
            vec![-40.0, -30.0, -20.0, -10.0, 0.0, 10.0, 20.0]
        );
    }

    #[test]
    fn nice_ticks_widen_a_single_value_and_survive_garbage() {
        let t = nice_ticks(500.0, 500.0, 5);
        assert!(t.min < 500.0 && t.max > 500.0, "{t:?}");
        assert_eq!(
            nice_ticks(0.0, 0.0, 5).values(),
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(
            nice_ticks(f64::NAN, 3.0, 5),
            Ticks {
                min: 0.0,
                max: 1.0,
                step: 0.2
            }
        );
        let huge = nice_ticks(-f64::MAX, f64::MAX, 5);
        assert!(huge.values().len() <= MAX_TICKS + 1);
    }

    #[test]
    fn linear_maps_the_domain_onto_the_range() {
        let y = Linear {
            d0: 0.0,
            d1: 100.0,
            r0: 300.0,
            r1: 20.0,
        };
        assert_eq!(y.map(0.0), 300.0);
        assert_eq!(y.map(100.0), 20.0);
        assert_eq!(y.map(50.0), 160.0);
    }

    #[test]
    fn date_ticks_pick_days_weeks_or_months_by_span() {
        let (step, ticks) = date_ticks(day(2026, 3, 1), day(2026, 3, 7), 8);
        assert_eq!(step, DateStep::Days(1));
        assert_eq!(ticks.len(), 7);

        // 90 days: Mondays every two weeks.
        let (step, ticks) = date_ticks(day(2026, 1, 1), day(2026, 3, 31), 8);
        assert_eq!(step, DateStep::Weeks(2));
        assert_eq!(ticks[0], day(2026, 1, 5));
        assert!(ticks.iter().all(|d| d.weekday() == Weekday::Mon));

        // A year: the first of every other month, from January.
        let (step, ticks) = date_ticks(day(2025, 12, 2), day(2026, 12, 1), 8);
        assert_eq!(step, DateStep::Months(2));
        assert_eq!(ticks[0], day(2026, 1, 1));
        assert_eq!(ticks[1], day(2026, 3, 1));
        assert_eq!(step.label(ticks[0]), "Jan 2026");

        // Ten years: 1 January of every even year, labelled by year.
        let (step, ticks) = date_ticks(day(2016, 1, 1), day(2026, 1, 1), 8);
        assert_eq!(step, DateStep::Months(24));
        assert_eq!(ticks.len(), 6);
        assert_eq!(step.label(ticks[1]), "2018");
    }

    #[test]
    fn date_ticks_of_one_day_is_that_day() {
        let (_, ticks) = date_ticks(day(2026, 3, 4), day(2026, 3, 4), 8);
        assert_eq!(ticks, vec![day(2026, 3, 4)]);
    }

    #[test]
    fn week_start_is_monday() {
        assert_eq!(week_start(day(2026, 12, 1)), day(2026, 11, 30));
        assert_eq!(week_start(day(2026, 11, 30)), day(2026, 11, 30));
    }
}
