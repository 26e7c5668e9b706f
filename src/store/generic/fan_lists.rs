//! Tags, notes, segments and erasure (schema v12): the SQL behind `fans tag/untag/note`,
//! `segments` and `fans delete`, written once for both backends like the rest of
//! [`SqlStore`].
//!
//! Segment counts are never cached: [`SqlStore::count_fans`] runs one `COUNT(*)` with the same
//! conditions as the listing. The built-in segments are judged at the pinnable clock's now;
//! whales' and cold's spend thresholds come from the spend buckets of schema v20, counts kept
//! by triggers in the transaction of every write, so derived but never stale.

use chrono::Duration;

use super::super::model::*;
use super::super::sql::{Dialect, Query};
use super::super::tables::Upsert;
use super::super::value::{Row, Value};
use super::{Conn, FA_FIRST_SEEN, FA_LAST_SEEN, FA_SPEND, FAN_JOIN, Records, SqlStore};
use crate::store::keyset::{KeyKind, lowest};
use crate::store::{FanListStore, StoreError};

/// The actions whose audit entries name a fan by id (`fan 42: ...`): their detail is
/// scrubbed when the fan is erased.
pub const FAN_ACTIONS: [&str; 3] = ["fans.tag", "fans.untag", "fans.note"];

impl<C: Conn> SqlStore<C> {
    /// Adds the tag and segment conditions of `q` to a fans query (`fa` the relationship, `f`
    /// the identity). A built-in segment's spend thresholds are read first (two small
    /// queries, [`SqlStore::spend_thresholds`]), so that the condition itself is one index
    /// range per account.
    pub(super) fn fan_list_filters(
        &mut self,
        query: &mut Query,
        q: &FanQuery,
    ) -> Result<(), StoreError> {
        // A tag for the relationship's account, or for every account ('').
        for tag in &q.tags {
            query.filter(
                "EXISTS (SELECT 1 FROM fan_tags t WHERE t.tag = ? AND t.fan_id = f.id \
                 AND t.account IN ('', fa.account))",
                [tag.into()],
            );
        }
        let Some(b) = q.builtin else {
            return Ok(());
        };
        let d = self.dialect();
        let now = crate::clock::now();
        let threshold = match b {
            BuiltinSegment::New => {
                let since = now - Duration::days(BuiltinSegment::NEW_DAYS);
                query.filter(&format!("{} >= ?", FA_FIRST_SEEN.expr(d)), [since.into()]);
                return Ok(());
            }
            BuiltinSegment::Whales => SpendRank::TopPercent,
            BuiltinSegment::Cold => SpendRank::LowerMedian,
        };
        let thresholds = self.spend_thresholds(threshold, q.account.as_deref())?;
        if thresholds.is_empty() {
            query.filter("1 = 0", []);
            return Ok(());
        }
        let spend = FA_SPEND.expr(d);
        // The lowest threshold bounds the whole set: the spend order's index serves it.
        let floor = thresholds.iter().map(|t| t.1).min().unwrap_or(0);
        query.filter(&format!("{spend} >= ?"), [floor.into()]);
        // Each account's own threshold as one CASE, not an OR of per-account ranges: the OR
        // had PostgreSQL estimate a handful of members (each arm's selectivity multiplied), so
        // it fetched all of them by bitmap and sorted (0.6-0.8 s at a million fans) rather
        // than walk the spend index above, which serves both range and order, for 50 rows.
        let arms = vec!["WHEN ? THEN CAST(? AS BIGINT)"; thresholds.len()].join(" ");
        query.filter(
            &format!("{spend} >= CASE fa.account {arms} END"),
            thresholds
                .into_iter()
                .flat_map(|(account, cents)| [account.into(), cents.into()]),
        );
        self.cold_filter(query, b);
        Ok(())
    }

    /// The cold segment's condition on last seen (nothing for the others).
    fn cold_filter(&self, query: &mut Query, b: BuiltinSegment) {
        if let BuiltinSegment::Cold = b {
            let d = self.dialect();
            let before = crate::clock::now() - Duration::days(BuiltinSegment::COLD_DAYS);
            // A fan never seen (NULL) is not cold: there is no activity to have stopped.
            let seen = FA_LAST_SEEN.expr(d);
            query.filter(
                &format!("{seen} < ? AND {seen} > {}", lowest(KeyKind::Time, d)),
                [before.into()],
            );
        }
    }

    /// The live count of a whales or cold segment (with `q`'s other filters): one count per
    /// account with paying fans, each a range of the `(account, spend[, last seen])` indexes
    /// read from the index alone, summed. One count with an OR of the accounts' ranges would
    /// be read, on PostgreSQL, through a bitmap of every member's table row.
    fn count_ranked(&mut self, q: &FanQuery, which: SpendRank) -> Result<i64, StoreError> {
        let Some(b) = q.builtin else {
            return Ok(0);
        };
        let d = self.dialect();
        let spend = FA_SPEND.expr(d);
        let mut total = 0;
        for (account, cents) in self.spend_thresholds(which, q.account.as_deref())? {
            let scoped = FanQuery {
                account: Some(account),
                builtin: None,
                ..q.clone()
            };
            // SQLite, with statistics, would read cold fans from (account, last seen) and
            // fetch each row's spend: the spend range of the covering index is named.
            let from = match d {
                Dialect::Sqlite => count_from(q).replacen(
                    "fan_accounts fa",
                    "fan_accounts fa INDEXED BY fan_accounts_by_account_spend_seen",
                    1,
                ),
                Dialect::Postgres => count_from(q),
            };
            let mut query = Query::new(d, format!("SELECT COUNT(*) AS n FROM {from}"));
            self.fan_filters(&mut query, &scoped)?;
            query.filter(&format!("{spend} >= ?"), [cents.into()]);
            self.cold_filter(&mut query, b);
            let (sql, params) = query.finish("", []);
            let rows = self.conn.query(&sql, &params)?;
            total += rows.first().map(|r| r.i64("n")).unwrap_or(Ok(0))?;
        }
        Ok(total)
    }

    /// Each account's threshold spend (cents), for the accounts with paying fans (spend > 0):
    /// the spend of the ceil(n / 100)-th highest paying fan, or the ((n + 1) / 2)-th lowest.
    ///
    /// Counting an account's paying fans, and stepping n / 2 entries into its spend index for
    /// the median, each read O(n) entries. The counts per spend bucket (schema v20, kept by
    /// triggers in every write's transaction, so never stale) give n and the bucket holding
    /// the wanted rank from a few hundred small rows; the rank is then looked up inside that
    /// one bucket's range of the `(account, spend)` index ([`SqlStore::spend_at_rank`]).
    fn spend_thresholds(
        &mut self,
        which: SpendRank,
        scope: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let (sql, params) = self.spend_buckets_sql(scope);
        let buckets = self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(|r| Ok((r.text("account")?, r.i64("bucket")?, r.i64("fans")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let ranks = rank_in_buckets(&buckets, which);
        self.spend_at_rank(ranks)
    }

    /// The SQL reading every account's (or `scope`'s) spend buckets with fans, in the primary
    /// key's order: a few hundred small rows an account, summed in [`rank_in_buckets`].
    pub(in crate::store) fn spend_buckets_sql(&self, scope: Option<&str>) -> (String, Vec<Value>) {
        let mut query = Query::new(
            self.dialect(),
            "SELECT account, bucket, fans FROM fan_spend_buckets",
        );
        query.filter("fans > 0", []);
        if let Some(account) = scope {
            query.filter("account = ?", [account.into()]);
        }
        query.finish("ORDER BY account, bucket", [])
    }

    /// The spend at each account's rank inside its bucket: the bucket itself when it holds
    /// one spend value (below 100 cents, or when its lowest and highest entries agree: the
    /// subscription price most fans paid, say), else the entry `rank` steps into the bucket's
    /// range from its nearer end, so at most half a bucket is read.
    fn spend_at_rank(&mut self, ranks: Vec<Ranked>) -> Result<Vec<(String, i64)>, StoreError> {
        let mut out = Vec::with_capacity(ranks.len());
        let mut union = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for r in ranks {
            let (low, high) = bucket_range(r.bucket);
            if low == high {
                out.push((r.account, low));
                continue;
            }
            let (sql, params) = self.spend_in_bucket_sql(&r.account, r.bucket, r.fans, r.rank);
            union.push(sql);
            values.extend(params);
        }
        if union.is_empty() {
            return Ok(out);
        }
        let (sql, params) =
            Query::new(self.dialect(), "").finish(&union.join(" UNION ALL "), values);
        for row in self.conn.query(&sql, &params)? {
            out.push((row.text("account")?, row.i64("cents")?));
        }
        Ok(out)
    }

    /// The SQL (with `?` placeholders) of one account's spend at `rank` (from the lowest)
    /// among the `fans` of its spend bucket `bucket`: the bucket's lowest entry when it equals
    /// its highest, else the entry at the rank, stepped to from the bucket's nearer end of the
    /// `(account, spend)` index.
    pub(in crate::store) fn spend_in_bucket_sql(
        &self,
        account: &str,
        bucket: i64,
        fans: i64,
        rank: i64,
    ) -> (String, Vec<Value>) {
        let spend = FA_SPEND.expr(self.dialect());
        let (low, high) = bucket_range(bucket);
        let range = |order: &str, offset: i64| {
            format!(
                "(SELECT {spend} FROM fan_accounts fa WHERE fa.account = ? AND {spend} >= ? \
                 AND {spend} <= ? ORDER BY {spend} {order} LIMIT 1 OFFSET {offset})"
            )
        };
        let (order, offset) = if rank <= fans - 1 - rank {
            ("ASC", rank)
        } else {
            ("DESC", fans - 1 - rank)
        };
        let sql = format!(
            "SELECT ? AS account, CASE WHEN {lowest} = {highest} THEN {lowest} \
             ELSE {at} END AS cents",
            lowest = range("ASC", 0),
            highest = range("DESC", 0),
            at = range(order, offset.max(0)),
        );
        let bounds: [Value; 3] = [account.into(), low.into(), high.into()];
        let mut values: Vec<Value> = vec![account.into()];
        // lowest (twice: the THEN too), highest, then the entry at the rank.
        for _ in 0..4 {
            values.extend(bounds.iter().cloned());
        }
        (sql, values)
    }
}

/// Where an account's wanted rank fell: its spend bucket (schema v20), the bucket's fans and
/// the rank among them, from the lowest (0-based).
struct Ranked {
    account: String,
    bucket: i64,
    fans: i64,
    rank: i64,
}

/// Per account of `buckets` ((account, bucket, fans) in key order), the bucket holding the
/// rank `which` wants among the account's paying fans, and the rank inside it.
fn rank_in_buckets(buckets: &[(String, i64, i64)], which: SpendRank) -> Vec<Ranked> {
    let mut out = Vec::new();
    for account in buckets.chunk_by(|a, b| a.0 == b.0) {
        let paying: i64 = account.iter().map(|b| b.2).sum();
        // The rank wanted, from the lowest (0-based).
        let target = match which {
            SpendRank::TopPercent => paying - (paying + 99) / 100,
            SpendRank::LowerMedian => (paying + 1) / 2 - 1,
        };
        let mut below = 0;
        for (name, bucket, fans) in account {
            if target < below + fans {
                out.push(Ranked {
                    account: name.clone(),
                    bucket: *bucket,
                    fans: *fans,
                    rank: target - below,
                });
                break;
            }
            below += fans;
        }
    }
    out
}

/// The spends (cents, inclusive) a bucket of schema v20 holds: a spend rounded down to two
/// significant digits, as the migration's `CASE` (SQLite) and `fan_spend_bucket` (PostgreSQL)
/// compute it; 1..99 are their own bucket.
fn bucket_range(bucket: i64) -> (i64, i64) {
    if bucket < 100 {
        return (bucket, bucket);
    }
    let width = 10_i64.pow(bucket.ilog10() - 1);
    (bucket, bucket.saturating_add(width - 1))
}

/// What a count of fans reads: the relationships, and the identity only for the filters that
/// read it.
fn count_from(q: &FanQuery) -> String {
    if q.search.is_some() || !q.tags.is_empty() {
        format!("fan_accounts fa JOIN fans f ON {FAN_JOIN}")
    } else {
        "fan_accounts fa".to_string()
    }
}

fn tag_row(r: &Row) -> Result<FanTag, StoreError> {
    let account = r.text("account")?;
    Ok(FanTag {
        tag: r.text("tag")?,
        account: (!account.is_empty()).then_some(account),
        operator: r.text("operator")?,
        created_at: r.time("created_at")?,
    })
}

fn note_row(r: &Row) -> Result<FanNote, StoreError> {
    let account = r.text("account")?;
    Ok(FanNote {
        id: r.i64("id")?,
        account: (!account.is_empty()).then_some(account),
        body: r.text("body")?,
        operator: r.text("operator")?,
        created_at: r.time("created_at")?,
    })
}

fn segment_row(r: &Row) -> Result<SegmentRow, StoreError> {
    Ok(SegmentRow {
        id: r.i64("id")?,
        name: r.text("name")?,
        definition: r.text("definition")?,
        operator: r.text("operator")?,
        created_at: r.time("created_at")?,
    })
}

impl<C: Conn> FanListStore for SqlStore<C> {
    fn count_fans(&mut self, q: &FanQuery) -> Result<i64, StoreError> {
        match q.builtin {
            Some(BuiltinSegment::Whales) => return self.count_ranked(q, SpendRank::TopPercent),
            Some(BuiltinSegment::Cold) => return self.count_ranked(q, SpendRank::LowerMedian),
            Some(BuiltinSegment::New) | None => {}
        }
        let from = count_from(q);
        let mut query = Query::new(self.dialect(), format!("SELECT COUNT(*) AS n FROM {from}"));
        self.fan_filters(&mut query, q)?;
        let (sql, params) = query.finish("", []);
        let rows = self.conn.query(&sql, &params)?;
        rows.first().map(|r| r.i64("n")).unwrap_or(Ok(0))
    }

    fn set_fan_tags(
        &mut self,
        fan_id: i64,
        account: &str,
        tags: &[String],
        remove: bool,
        operator: &str,
        audit: &AuditEntry,
    ) -> Result<u64, StoreError> {
        let d = self.dialect();
        let p = |n| d.param(n);
        let sql = if remove {
            format!(
                "DELETE FROM fan_tags WHERE fan_id = {} AND account = {} AND tag = {} RETURNING id",
                p(1),
                p(2),
                p(3)
            )
        } else {
            format!(
                "INSERT INTO fan_tags (fan_id, account, tag, operator, created_at) \
                 VALUES ({}, {}, {}, {}, {}) ON CONFLICT (fan_id, account, tag) DO NOTHING RETURNING id",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5)
            )
        };
        let now = Value::Time(crate::clock::now());
        self.write_tx(|s| {
            let mut changed = 0;
            for tag in tags {
                let mut params: Vec<Value> = vec![fan_id.into(), account.into(), tag.into()];
                if !remove {
                    params.extend([operator.into(), now.clone()]);
                }
                changed += s.conn.query(&sql, &params)?.len() as u64;
            }
            s.write_audit(audit)?;
            Ok(changed)
        })
    }

    fn add_fan_note(
        &mut self,
        fan_id: i64,
        account: &str,
        body: &str,
        operator: &str,
        audit: &AuditEntry,
    ) -> Result<FanNote, StoreError> {
        let d = self.dialect();
        let sql = format!(
            "INSERT INTO fan_notes (fan_id, account, body, operator, created_at) \
             VALUES ({}, {}, {}, {}, {}) RETURNING id, account, body, operator, created_at",
            d.param(1),
            d.param(2),
            d.param(3),
            d.param(4),
            d.param(5)
        );
        let params: Vec<Value> = vec![
            fan_id.into(),
            account.into(),
            body.into(),
            operator.into(),
            Value::Time(crate::clock::now()),
        ];
        self.write_tx(|s| {
            let rows = s.conn.query(&sql, &params)?;
            let note = rows
                .first()
                .map(note_row)
                .transpose()?
                .ok_or_else(|| StoreError::Decode("the new note was not returned".into()))?;
            s.write_audit(audit)?;
            Ok(note)
        })
    }

    fn fan_tags(&mut self, fan_id: i64) -> Result<Vec<FanTag>, StoreError> {
        let mut query = Query::new(
            self.dialect(),
            "SELECT tag, account, operator, created_at FROM fan_tags",
        );
        query.filter("fan_id = ?", [fan_id.into()]);
        self.select(query, "ORDER BY tag, account", vec![], tag_row)
    }

    fn fan_notes(&mut self, fan_id: i64) -> Result<Vec<FanNote>, StoreError> {
        let mut query = Query::new(
            self.dialect(),
            "SELECT id, account, body, operator, created_at FROM fan_notes",
        );
        query.filter("fan_id = ?", [fan_id.into()]);
        self.select(query, "ORDER BY created_at DESC, id DESC", vec![], note_row)
    }

    fn save_segment(
        &mut self,
        name: &str,
        definition: &str,
        operator: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let d = self.dialect();
        let sql = format!(
            "INSERT INTO segments (name, definition, operator, created_at) \
             VALUES ({}, {}, {}, {}) ON CONFLICT (name) DO NOTHING RETURNING id",
            d.param(1),
            d.param(2),
            d.param(3),
            d.param(4)
        );
        let params: Vec<Value> = vec![
            name.into(),
            definition.into(),
            operator.into(),
            Value::Time(crate::clock::now()),
        ];
        self.write_tx(|s| {
            if s.conn.query(&sql, &params)?.is_empty() {
                return Ok(false);
            }
            s.write_audit(audit)?;
            Ok(true)
        })
    }

    fn segments(&mut self) -> Result<Vec<SegmentRow>, StoreError> {
        self.select_segments(None)
    }

    fn segment(&mut self, name: &str) -> Result<Option<SegmentRow>, StoreError> {
        Ok(self.select_segments(Some(name))?.pop())
    }

    fn delete_segment(&mut self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        let sql = format!(
            "DELETE FROM segments WHERE name = {} RETURNING id",
            self.dialect().param(1)
        );
        self.write_tx(|s| {
            if s.conn.query(&sql, &[name.into()])?.is_empty() {
                return Ok(false);
            }
            s.write_audit(audit)?;
            Ok(true)
        })
    }

    fn erase_fan(
        &mut self,
        fan_id: i64,
        account: Option<&str>,
        audit: &AuditEntry,
        describe: &dyn Fn(&[TableCount]) -> String,
        scrub: &dyn Fn(&str) -> SegmentScrub,
    ) -> Result<Vec<TableCount>, StoreError> {
        let d = self.dialect();
        let identity = format!(
            "SELECT platform, platform_user_id FROM fans WHERE id = {}",
            d.param(1)
        );
        self.write_tx(|s| {
            let Some(row) = s.conn.query(&identity, &[fan_id.into()])?.pop() else {
                return Ok(Vec::new());
            };
            let fan = ErasedFan {
                id: fan_id,
                platform: row.text("platform")?,
                user: row.text("platform_user_id")?,
            };
            let mut counts = Counts::default();
            if let Some(account) = account {
                s.erase_rows(&fan, Some(account), &mut counts)?;
                if counts.get("fan_accounts") == 0 {
                    // No relationship with that account: nothing to erase (nothing was).
                    return Ok(Vec::new());
                }
                let left = format!(
                    "SELECT COUNT(*) AS n FROM fan_accounts WHERE platform = {} AND platform_user_id = {}",
                    d.param(1),
                    d.param(2)
                );
                let rows = s.conn.query(&left, &fan.by_user())?;
                if rows.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0) == 0 {
                    s.erase_rows(&fan, None, &mut counts)?;
                    s.scrub_segments(scrub, &mut counts)?;
                }
            } else {
                s.erase_rows(&fan, None, &mut counts)?;
                s.scrub_segments(scrub, &mut counts)?;
            }
            let out = counts.0;
            let mut entry = audit.clone();
            entry.detail = Some(describe(&out));
            s.write_audit(&entry)?;
            Ok(out)
        })
    }
}

impl<C: Conn> SqlStore<C> {
    fn write_audit(&mut self, audit: &AuditEntry) -> Result<(), StoreError> {
        let now = Value::Time(crate::clock::now());
        self.conn.upsert(
            AuditEntry::spec(),
            &Records(std::slice::from_ref(audit)),
            &now,
        )?;
        Ok(())
    }

    /// The saved segments by name: every one, or the one named `name`.
    fn select_segments(&mut self, name: Option<&str>) -> Result<Vec<SegmentRow>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT * FROM segments");
        if let Some(name) = name {
            query.filter("name = ?", [name.into()]);
        }
        self.select(query, "ORDER BY name", vec![], segment_row)
    }

    /// Rewrites or deletes each saved segment as `scrub` says (segments are few: all are
    /// read), counting the segments changed under `segments`.
    fn scrub_segments(
        &mut self,
        scrub: &dyn Fn(&str) -> SegmentScrub,
        counts: &mut Counts,
    ) -> Result<(), StoreError> {
        let d = self.dialect();
        let update = format!(
            "UPDATE segments SET definition = {} WHERE id = {} RETURNING id",
            d.param(1),
            d.param(2)
        );
        let delete = format!(
            "DELETE FROM segments WHERE id = {} RETURNING id",
            d.param(1)
        );
        let mut changed = 0;
        for segment in self.select_segments(None)? {
            let rows = match scrub(&segment.definition) {
                SegmentScrub::Keep => continue,
                SegmentScrub::Rewrite(definition) => self
                    .conn
                    .query(&update, &[definition.into(), segment.id.into()])?,
                SegmentScrub::Delete => self.conn.query(&delete, &[segment.id.into()])?,
            };
            changed += rows.len() as i64;
        }
        counts.add("segments", changed);
        Ok(())
    }

    /// Deletes the fan's rows of one account (`Some`), or every row about the fan and the
    /// identity (`None`), adding the rows deleted to `counts`; scrubs the audit entries about
    /// the fan's tags and notes (of that account, or all).
    fn erase_rows(
        &mut self,
        fan: &ErasedFan,
        account: Option<&str>,
        counts: &mut Counts,
    ) -> Result<(), StoreError> {
        let d = self.dialect();
        let p = |n| d.param(n);
        // `AND account = $n` where the erasure is one account's, else nothing.
        let scoped = |n: usize| match account {
            Some(_) => format!(" AND account = {}", p(n)),
            None => String::new(),
        };
        let with = |mut values: Vec<Value>| {
            values.extend(account.map(Value::from));
            values
        };
        let by_fan = with(vec![fan.id.into()]);
        let by_user = with(fan.by_user());
        let mut steps: Vec<(&str, String, &Vec<Value>)> = vec![
            (
                "fan_accounts",
                format!(
                    "DELETE FROM fan_accounts WHERE platform = {} AND platform_user_id = {}{} RETURNING id",
                    p(1),
                    p(2),
                    scoped(3)
                ),
                &by_user,
            ),
            (
                "fan_tags",
                format!(
                    "DELETE FROM fan_tags WHERE fan_id = {}{} RETURNING id",
                    p(1),
                    scoped(2)
                ),
                &by_fan,
            ),
            (
                "fan_notes",
                format!(
                    "DELETE FROM fan_notes WHERE fan_id = {}{} RETURNING id",
                    p(1),
                    scoped(2)
                ),
                &by_fan,
            ),
            (
                "messages",
                format!(
                    "DELETE FROM messages WHERE platform = {} AND fan_platform_user_id = {}{} RETURNING id",
                    p(1),
                    p(2),
                    scoped(3)
                ),
                &by_user,
            ),
            (
                "analytics_events",
                format!(
                    "DELETE FROM analytics_events WHERE platform = {p1} AND \
                     (fan_platform_user_id = {p2} OR (subject_type = 'fan' AND subject_id = {p2})){} \
                     RETURNING id",
                    scoped(3),
                    p1 = p(1),
                    p2 = p(2)
                ),
                &by_user,
            ),
        ];
        let identity = format!("DELETE FROM fans WHERE id = {} RETURNING id", p(1));
        let by_id = vec![Value::from(fan.id)];
        let none: Vec<Value> = Vec::new();
        let contacts = format!(
            "DELETE FROM fan_contacts WHERE platform = {} AND platform_user_id = {} RETURNING id",
            p(1),
            p(2)
        );
        let by_identity = fan.by_user();
        if account.is_none() {
            // What the profile shared goes with the identity (v21).
            steps.push(("fan_contacts", contacts, &by_identity));
            // The identity leaves its person, and a person left with no identity goes (v16).
            steps.push((
                "person_links",
                format!(
                    "DELETE FROM person_links WHERE fan_id = {} RETURNING fan_id",
                    p(1)
                ),
                &by_id,
            ));
            steps.push((
                "people",
                "DELETE FROM people WHERE NOT EXISTS (SELECT 1 FROM person_links pl \
                 WHERE pl.person_id = people.id) RETURNING id"
                    .to_string(),
                &none,
            ));
            steps.push(("fans", identity, &by_id));
        }
        for (table, sql, params) in &steps {
            let n = self.conn.query(sql, params)?.len() as i64;
            counts.add(table, n);
        }
        // Earlier entries about the fan keep who did what when, not what (tags name them).
        let actions = FAN_ACTIONS
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let scrub = format!(
            "UPDATE audit_log SET detail = 'about a fan since erased' \
             WHERE action IN ({actions}) AND detail LIKE {}{} RETURNING id",
            p(1),
            scoped(2)
        );
        let prefix = with(vec![format!("fan {}:%", fan.id).into()]);
        let n = self.conn.query(&scrub, &prefix)?.len() as i64;
        counts.add("audit_log", n);
        Ok(())
    }
}

/// The fan an erasure is about.
struct ErasedFan {
    id: i64,
    platform: String,
    user: String,
}

impl ErasedFan {
    fn by_user(&self) -> Vec<Value> {
        vec![self.platform.as_str().into(), self.user.as_str().into()]
    }
}

/// Rows deleted per table, in the order the tables were first touched.
#[derive(Default)]
struct Counts(Vec<TableCount>);

impl Counts {
    fn add(&mut self, table: &str, n: i64) {
        match self.0.iter_mut().find(|c| c.table == table) {
            Some(c) => c.rows = Some(c.rows.unwrap_or(0) + n),
            None => self.0.push(TableCount {
                table: table.into(),
                rows: Some(n),
            }),
        }
    }

    fn get(&self, table: &str) -> i64 {
        self.0
            .iter()
            .find(|c| c.table == table)
            .and_then(|c| c.rows)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_holds_the_spends_sharing_its_two_leading_digits() {
        assert_eq!(bucket_range(7), (7, 7));
        assert_eq!(bucket_range(99), (99, 99));
        assert_eq!(bucket_range(100), (100, 109));
        assert_eq!(bucket_range(990), (990, 999));
        assert_eq!(bucket_range(12_000), (12_000, 12_999));
        assert_eq!(
            bucket_range(9_200_000_000_000_000_000),
            (9_200_000_000_000_000_000, i64::MAX),
            "the last bucket ends at the largest spend"
        );
    }

    #[test]
    fn the_rank_is_found_in_its_bucket_per_account() {
        let b = |a: &str, bucket, fans| (a.to_string(), bucket, fans);
        // a: 200 paying fans (k = 2: rank 198); median rank 99.
        let buckets = [
            b("a", 5, 100),
            b("a", 120, 98),
            b("a", 5000, 2),
            b("z", 40, 1),
        ];
        let got = |which| {
            rank_in_buckets(&buckets, which)
                .into_iter()
                .map(|r| (r.account, r.bucket, r.fans, r.rank))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            got(SpendRank::TopPercent),
            [("a".into(), 5000, 2, 0), ("z".into(), 40, 1, 0)]
        );
        assert_eq!(
            got(SpendRank::LowerMedian),
            [("a".into(), 5, 100, 99), ("z".into(), 40, 1, 0)]
        );
    }
}
