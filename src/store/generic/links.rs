//! The reads of revenue attribution (schema v17): tracking links' figures over a period, and
//! the posts that may carry each link.
//!
//! Matching a post to a link is two steps: here, a substring match of the link's normalised
//! URL in the post's caption or URL (lowercased on both sides, so it can only find too many,
//! never too few: `_` and `%` of a URL are LIKE wildcards that widen it, and a key never holds
//! the `\` PostgreSQL would read as an escape); then the caller
//! (`app/attribution.rs`) confirms each candidate on the post's text with the exact rule of
//! `platforms::onlyfans::links`. Links are few (dozens per creator) and posts thousands, so
//! the join reads each post once per link of the account.

use super::SqlStore;
use crate::store::generic::Conn;
use crate::store::model::{AttributionQuery, LinkFigures, PostRow};
use crate::store::sql::Query;
use crate::store::tables::post_record_row;
use crate::store::value::{Row, Value};
use crate::store::{LinkStore, StoreError};

fn figures_row(r: &Row) -> Result<LinkFigures, StoreError> {
    Ok(LinkFigures {
        account: r.text("account")?,
        link_key: r.text("link_key")?,
        name: r.opt_text("name")?,
        url: r.text("url")?,
        clicks: r.i64("clicks")?,
        subscribers: r.i64("subscribers")?,
        revenue_cents: r.i64("revenue_cents")?,
        currency: r.opt_text("currency")?,
    })
}

impl<C: Conn> LinkStore for SqlStore<C> {
    /// Each link's figures summed over the rows `q` reads (see [`AttributionQuery`]), and how
    /// many links of the account have none there (lifetime-only links in a ranged view, or
    /// periods outside it). Sums are cast back to integers: PostgreSQL sums BIGINT as NUMERIC.
    fn link_figures(
        &mut self,
        q: &AttributionQuery,
    ) -> Result<(Vec<LinkFigures>, i64), StoreError> {
        let d = self.dialect();
        let mut query = Query::new(
            d,
            "SELECT l.account, l.link_key, MAX(l.name) AS name, MAX(l.url) AS url, \
             CAST(COALESCE(SUM(l.clicks), 0) AS BIGINT) AS clicks, \
             CAST(COALESCE(SUM(l.subscribers), 0) AS BIGINT) AS subscribers, \
             CAST(COALESCE(SUM(l.revenue_cents), 0) AS BIGINT) AS revenue_cents, \
             MAX(l.currency) AS currency FROM tracking_links l",
        );
        query.equals("l.account", q.account.as_ref());
        if q.ranged() {
            query.filter("l.period <> 'all'", []);
            query.period("l.period_start", q.since, q.until);
        } else {
            // A link's lifetime row when an export gave one, else the sum of its periods:
            // never both, which would count its revenue twice.
            query.filter(
                "(l.period = 'all' OR NOT EXISTS (SELECT 1 FROM tracking_links a \
                 WHERE a.account = l.account AND a.link_key = l.link_key AND a.period = 'all'))",
                [],
            );
        }
        let figures = self.select(
            query,
            "GROUP BY l.account, l.link_key ORDER BY l.account, l.link_key",
            vec![],
            figures_row,
        )?;
        let mut all = Query::new(
            d,
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT account, link_key FROM tracking_links",
        );
        all.equals("account", q.account.as_ref());
        let (sql, params) = all.finish(") t", []);
        let links = match self.conn.query(&sql, &params)?.first() {
            Some(r) => r.i64("n")?,
            None => 0,
        };
        let without = links - figures.len() as i64;
        Ok((figures, without))
    }

    /// A page of the posts (by id, after `after`) whose caption or URL contains one of
    /// `hosts`, compared lowercased.
    fn link_posts(
        &mut self,
        hosts: &[String],
        after: i64,
        rows: u32,
    ) -> Result<Vec<PostRow>, StoreError> {
        if hosts.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = Query::new(self.dialect(), "SELECT p.* FROM posts p");
        let mut any = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for host in hosts {
            any.push("lower(p.caption) LIKE ? OR lower(p.url) LIKE ?");
            let pattern = format!("%{}%", host.to_lowercase());
            values.push(pattern.clone().into());
            values.push(pattern.into());
        }
        query.filter(&format!("({})", any.join(" OR ")), values);
        query.filter("p.id > ?", [after.into()]);
        self.select(
            query,
            "ORDER BY p.id LIMIT ?",
            vec![i64::from(rows).into()],
            post_record_row,
        )
    }
}
