//! Bounding the points a chart draws: a long daily series is aggregated into weeks, months or
//! years so a page with a year of data over many series stays small (the 2 MB bound)
//! and its charts stay readable. The data table under a chart shows exactly the drawn points.
//!
//! All series of one chart share one [`Resolution`] (the coarsest any of them needs), so their
//! points line up on the same dates.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::scale::week_start;

/// How points that fall in one bucket are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// Levels such as followers: the bucket's average.
    Mean,
    /// Flows such as revenue or new fans: the bucket's total.
    Sum,
}

/// The bucket size of a drawn series, from fine to coarse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resolution {
    /// One point per day: short ranges.
    Daily,
    /// One per week.
    Weekly,
    /// One per month.
    Monthly,
    /// One per year: ranges of many years.
    Yearly,
}

impl Resolution {
    const ALL: [Resolution; 4] = [Self::Daily, Self::Weekly, Self::Monthly, Self::Yearly];

    /// The date a bucket is drawn and listed at: the day, Monday, 1st of the month, 1 January.
    pub fn bucket(self, d: NaiveDate) -> NaiveDate {
        match self {
            Resolution::Daily => d,
            Resolution::Weekly => week_start(d),
            Resolution::Monthly => d.with_day(1).unwrap_or(d),
            Resolution::Yearly => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        }
    }

    /// How a table column and a chart description name the buckets.
    pub fn noun(self) -> &'static str {
        match self {
            Resolution::Daily => "day",
            Resolution::Weekly => "week starting",
            Resolution::Monthly => "month",
            Resolution::Yearly => "year",
        }
    }

    /// One bucket in a sentence: "week", "month".
    pub fn unit(self) -> &'static str {
        match self {
            Resolution::Daily => "day",
            Resolution::Weekly => "week",
            Resolution::Monthly => "month",
            Resolution::Yearly => "year",
        }
    }

    /// What "per bucket" means in a sentence: "daily", "weekly", ...
    pub fn adjective(self) -> &'static str {
        match self {
            Resolution::Daily => "daily",
            Resolution::Weekly => "weekly",
            Resolution::Monthly => "monthly",
            Resolution::Yearly => "yearly",
        }
    }
}

/// The finest resolution, no finer than `at_least`, at which no series has more than
/// `max_points` buckets. Yearly is the coarsest there is, so it is the answer of last resort.
pub fn resolution_for(
    series: &[&[(NaiveDate, f64)]],
    max_points: usize,
    at_least: Resolution,
) -> Resolution {
    Resolution::ALL
        .into_iter()
        .filter(|r| *r >= at_least)
        .find(|r| series.iter().all(|s| bucket_count(s, *r) <= max_points))
        .unwrap_or(Resolution::Yearly)
}

fn bucket_count(points: &[(NaiveDate, f64)], r: Resolution) -> usize {
    let mut buckets: Vec<NaiveDate> = points.iter().map(|(d, _)| r.bucket(*d)).collect();
    buckets.sort_unstable();
    buckets.dedup();
    buckets.len()
}

/// `points` combined per bucket of `r`, in date order. Non-finite values are skipped (a chart
/// says how many were, see [`non_finite`]). A mean is kept as a running mean, so it never
/// overflows; a total can, and comes out infinite: the chart leaves that bucket out and says so.
pub fn aggregate(
    points: &[(NaiveDate, f64)],
    r: Resolution,
    how: Aggregation,
) -> Vec<(NaiveDate, f64)> {
    // Per bucket: (sum, running mean, count).
    let mut buckets: BTreeMap<NaiveDate, (f64, f64, usize)> = BTreeMap::new();
    for (d, v) in points.iter().filter(|(_, v)| v.is_finite()) {
        let slot = buckets.entry(r.bucket(*d)).or_insert((0.0, 0.0, 0));
        slot.2 += 1;
        slot.0 += v;
        let n = slot.2 as f64;
        slot.1 += v / n - slot.1 / n;
    }
    buckets
        .into_iter()
        .map(|(d, (sum, mean, _))| match how {
            Aggregation::Sum => (d, sum),
            Aggregation::Mean => (d, mean),
        })
        .collect()
}

/// Whether data from `first` to `last` covers its first and its last bucket only in part (a
/// period starting on a Wednesday has a short first week), so a chart can say why that bar is low.
pub fn partial_ends(first: NaiveDate, last: NaiveDate, r: Resolution) -> (bool, bool) {
    let head = r.bucket(first) != first;
    let tail = last
        .succ_opt()
        .is_some_and(|next| r.bucket(next) == r.bucket(last));
    (head, tail)
}

/// How many points of `points` cannot be drawn (NaN or infinite).
pub fn non_finite(points: &[(NaiveDate, f64)]) -> usize {
    points.iter().filter(|(_, v)| !v.is_finite()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily(days: i64, from: NaiveDate) -> Vec<(NaiveDate, f64)> {
        (0..days)
            .map(|i| (from + chrono::Duration::days(i), i as f64))
            .collect()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn short_series_stay_daily_and_long_ones_become_weekly_or_monthly() {
        let start = day(2026, 1, 1);
        let quarter = daily(90, start);
        let year = daily(365, start);
        let decade = daily(3650, start);
        assert_eq!(
            resolution_for(&[&quarter], 120, Resolution::Daily),
            Resolution::Daily
        );
        assert_eq!(
            resolution_for(&[&quarter, &year], 120, Resolution::Daily),
            Resolution::Weekly
        );
        assert_eq!(
            resolution_for(&[&decade], 120, Resolution::Daily),
            Resolution::Monthly
        );
        assert_eq!(
            resolution_for(&[&quarter], 120, Resolution::Weekly),
            Resolution::Weekly
        );
        assert_eq!(
            resolution_for(&[&decade], 5, Resolution::Daily),
            Resolution::Yearly
        );
    }

    #[test]
    fn aggregate_averages_levels_and_sums_flows_per_bucket() {
        // Monday 2026-11-30 .. Sunday 2026-12-06, then Monday 2026-12-07.
        let points: Vec<_> = (0..8)
            .map(|i| {
                (
                    day(2026, 11, 30) + chrono::Duration::days(i),
                    1.0 + i as f64,
                )
            })
            .collect();
        assert_eq!(
            aggregate(&points, Resolution::Weekly, Aggregation::Sum),
            vec![(day(2026, 11, 30), 28.0), (day(2026, 12, 7), 8.0)]
        );
        assert_eq!(
            aggregate(&points, Resolution::Weekly, Aggregation::Mean),
            vec![(day(2026, 11, 30), 4.0), (day(2026, 12, 7), 8.0)]
        );
        assert_eq!(
            aggregate(&points, Resolution::Monthly, Aggregation::Sum),
            vec![(day(2026, 11, 1), 1.0), (day(2026, 12, 1), 35.0)]
        );
    }

    #[test]
    fn partial_ends_are_buckets_the_data_covers_in_part() {
        let cases = [
            // Wednesday .. Monday.
            ("2026-12-02", "2026-12-14", Resolution::Weekly, (true, true)),
            // Monday .. Sunday.
            (
                "2026-11-30",
                "2026-12-13",
                Resolution::Weekly,
                (false, false),
            ),
            (
                "2026-01-01",
                "2026-12-31",
                Resolution::Monthly,
                (false, false),
            ),
            (
                "2026-01-02",
                "2026-01-03",
                Resolution::Daily,
                (false, false),
            ),
        ];
        for (first, last, resolution, ends) in cases {
            let (from, to) = (first.parse().unwrap(), last.parse().unwrap());
            assert_eq!(
                partial_ends(from, to, resolution),
                ends,
                "{first} .. {last}"
            );
        }
    }

    #[test]
    fn a_sum_may_overflow_but_a_mean_never_does() {
        let points = vec![
            (day(2026, 3, 2), f64::MAX),
            (day(2026, 3, 3), f64::MAX),
            (day(2026, 3, 9), 1.0),
        ];
        assert_eq!(
            aggregate(&points, Resolution::Weekly, Aggregation::Sum),
            vec![(day(2026, 3, 2), f64::INFINITY), (day(2026, 3, 9), 1.0)]
        );
        let means = aggregate(&points, Resolution::Weekly, Aggregation::Mean);
        assert_eq!(
            means,
            vec![(day(2026, 3, 2), f64::MAX), (day(2026, 3, 9), 1.0)]
        );
    }

    #[test]
    fn aggregate_sorts_merges_duplicates_and_skips_non_finite() {
        let points = vec![
            (day(2026, 3, 2), 5.0),
            (day(2026, 3, 1), f64::NAN),
            (day(2026, 3, 1), 1.0),
            (day(2026, 3, 2), 7.0),
        ];
        assert_eq!(
            aggregate(&points, Resolution::Daily, Aggregation::Mean),
            vec![(day(2026, 3, 1), 1.0), (day(2026, 3, 2), 6.0)]
        );
        assert_eq!(non_finite(&points), 1);
    }
}
