//! `posts list` and `posts show`.

use std::collections::{BTreeMap, BTreeSet};

use super::selector::{self, Selector};
use super::{Context, Report, time_cell};
use crate::cli::{PostSortArg, PostsCommand};
use crate::error::{CliError, CliResult};
use crate::output::{Columns, Detail, Render, Section};
use crate::store::model::{AnalyticsEvent, PostListQuery, PostRow, PostSelector, PostSort};

pub fn run(ctx: &mut Context, cmd: PostsCommand) -> CliResult<Report> {
    match cmd {
        PostsCommand::List {
            account,
            platform,
            since,
            until,
            search,
            sort,
            desc,
            page,
        } => {
            let query = PostListQuery {
                page: (&page).into(),
                platform,
                account,
                since,
                until,
                search,
                sort: match sort {
                    PostSortArg::Published => PostSort::Published,
                    PostSortArg::Views => PostSort::Views,
                    PostSortArg::Likes => PostSort::Likes,
                    PostSortArg::Comments => PostSort::Comments,
                    PostSortArg::Shares => PostSort::Shares,
                },
                descending: desc,
            };
            let posts = ctx.store()?.list_posts(&query)?;
            Ok(Report::page(posts, page.limit, |p| p.id, "posts"))
        }
        PostsCommand::Show { post } => {
            let selector = parse_selector(&post)?;
            let store = ctx.store()?;
            let row = store.find_post(&selector)?.ok_or_else(|| {
                CliError::failure(format!("no post matches '{}'", post.trim()))
                    .with_hint("find the post with `socialcrm posts list --search TEXT`")
            })?;
            let history = store.post_history(&row.post)?;
            let note = history
                .is_empty()
                .then(|| "no metrics history recorded for this post yet".to_string());
            let mut report = Report::data(PostDetail {
                row: Detail(row),
                history,
            });
            report.notes.extend(note);
            Ok(report)
        }
    }
}

/// `42` is a local id; `tiktok:7301...` a platform and the platform's post id.
pub fn parse_selector(raw: &str) -> CliResult<PostSelector> {
    let what = "post id or PLATFORM:POST_ID";
    Ok(
        match selector::parse(raw, what, "`42` or `tiktok:7301234567890123456`")? {
            Selector::Id(id) => PostSelector::Id(id),
            Selector::OnPlatform(platform, post_id) => {
                PostSelector::OnPlatform { platform, post_id }
            }
        },
    )
}

impl Columns for PostRow {
    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "platform",
            "account",
            "published_at",
            "view_count",
            "like_count",
            "comment_count",
            "share_count",
            "caption",
        ])
    }

    fn dropped_first() -> &'static [&'static str] {
        &["account", "share_count", "comment_count", "platform"]
    }

    fn to_the_second() -> &'static [&'static str] {
        &["published_at", "metrics_at", "created_at", "updated_at"]
    }
}

/// `posts show`: the post, then its metrics over time.
struct PostDetail {
    row: Detail<PostRow>,
    history: Vec<AnalyticsEvent>,
}

/// A metric's value as people read it: whole numbers without a fraction.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

impl Render for PostDetail {
    fn json(&self) -> serde_json::Value {
        let mut post = self.row.json();
        let history: Vec<serde_json::Value> = self
            .history
            .iter()
            .map(|e| {
                serde_json::json!({
                    "metric": e.metric,
                    "period": e.period,
                    "period_start": e.period_start,
                    "value": e.value,
                    "unit": e.unit,
                })
            })
            .collect();
        post["history"] = serde_json::Value::Array(history);
        post
    }

    /// The post's fields, then one row per recorded time with a column per metric.
    fn sections(&self) -> Vec<Section> {
        let mut sections = self.row.sections();
        if !self.history.is_empty() {
            let metrics: BTreeSet<&str> = self.history.iter().map(|e| e.metric.as_str()).collect();
            let mut at: BTreeMap<_, BTreeMap<&str, f64>> = BTreeMap::new();
            for e in &self.history {
                at.entry(e.period_start)
                    .or_default()
                    .insert(e.metric.as_str(), e.value);
            }
            let rows = at
                .into_iter()
                .map(|(t, values)| {
                    std::iter::once(time_cell(&Some(t)))
                        .chain(
                            metrics
                                .iter()
                                .map(|m| values.get(m).map(|v| number(*v)).unwrap_or_default()),
                        )
                        .collect()
                })
                .collect();
            sections.push(Section {
                title: Some("metrics over time".into()),
                columns: std::iter::once("at".to_string())
                    .chain(metrics.iter().map(|m| m.to_string()))
                    .collect(),
                rows,
                ..Section::default()
            });
        }
        sections
    }

    /// The post as one CSV row (its history is in `--output json`).
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        self.row.csv()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::format::tests::assert_writes;

    #[test]
    fn whole_metric_values_print_without_a_fraction() {
        assert_writes(number, &[(1200.0, "1200"), (0.25, "0.25")]);
    }
}
