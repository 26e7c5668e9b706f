//! Tags, notes, segments and erasure (schema v12): the SQL behind `fans tag/untag/note`,
//! `segments` and `fans delete`, written once for both backends like the rest of
//! [`SqlStore`].
//!
//! Segment counts are never cached: [`SqlStore::count_fans`] runs one `COUNT(*)` with the same
//! conditions as the listing. The built-in segments are window queries over each account's
//! relationships ([`RELATIONSHIPS`]), judged at the pinnable clock's now.

use chrono::Duration;

use super::super::model::*;
use super::super::sql::{Dialect, Query};
use super::super::tables::Upsert;
use super::super::value::{Row, Value};
use super::{Conn, FA_FIRST_SEEN, FA_LAST_SEEN, FA_SPEND, FAN_JOIN, Records, SqlStore};
use crate::store::StoreError;
use crate::store::keyset::{KeyKind, lowest};

/// The actions whose audit entries name a fan by id (`fan 42: ...`): their detail is
/// scrubbed when the fan is erased.
pub const FAN_ACTIONS: [&str; 3] = ["fans.tag", "fans.untag", "fans.note"];

/// Which spend a built-in segment compares with, per account: the k-th highest (whales) or
/// the lower median (cold) of the account's paying fans.
#[derive(Debug, Clone, Copy)]
enum Threshold {
    TopPercent,
    LowerMedian,
}

impl<C: Conn> SqlStore<C> {
    /// Adds the tag and segment conditions of `q` to a fans query (`fa` the relationship, `f`
    /// the identity). A built-in
    /// segment's spend thresholds are read first, from the spend index (two small queries),
    /// so that the condition itself is one index range per account.
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
            BuiltinSegment::Whales => Threshold::TopPercent,
            BuiltinSegment::Cold => Threshold::LowerMedian,
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
        // `fa.account || ''` keeps the planner from answering the OR with one index range per
        // account and then sorting: the spend index above serves both range and order.
        let ranges = vec![format!("((fa.account || '') = ? AND {spend} >= ?)"); thresholds.len()];
        query.filter(
            &format!("({})", ranges.join(" OR ")),
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
    fn count_ranked(&mut self, q: &FanQuery, which: Threshold) -> Result<i64, StoreError> {
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
    fn spend_thresholds(
        &mut self,
        which: Threshold,
        scope: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let d = self.dialect();
        let spend = FA_SPEND.expr(d);
        // The accounts from their index, then each one's paying fans as a range of the
        // (account, spend) index: a GROUP BY would read every relationship.
        // Every account by one index step each (a loose index scan: `SELECT DISTINCT` would
        // read every relationship on PostgreSQL, which has no skip scan).
        let accounts = match scope {
            Some(_) => "a(account) AS (SELECT ?)".to_string(),
            None => "RECURSIVE a(account) AS (SELECT MIN(account) FROM fan_accounts \
                     UNION ALL SELECT (SELECT MIN(n.account) FROM fan_accounts n \
                     WHERE n.account > a.account) FROM a WHERE a.account IS NOT NULL)"
                .to_string(),
        };
        let (sql, params) = Query::new(d, "").finish(
            &format!(
                "WITH {accounts} SELECT a.account AS account, (SELECT COUNT(*) FROM fan_accounts fa \
                 WHERE fa.account = a.account AND {spend} > 0) AS paying FROM a \
                 WHERE a.account IS NOT NULL"
            ),
            scope.map(Value::from),
        );
        let paying: Vec<(String, i64)> = self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(|r| Ok((r.text("account")?, r.i64("paying")?)))
            .collect::<Result<Vec<_>, StoreError>>()?
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect();
        if paying.is_empty() {
            return Ok(Vec::new());
        }
        let order = match which {
            Threshold::TopPercent => "DESC",
            Threshold::LowerMedian => "ASC",
        };
        let mut union = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for (account, n) in &paying {
            let offset = match which {
                Threshold::TopPercent => (n + 99) / 100 - 1,
                Threshold::LowerMedian => (n + 1) / 2 - 1,
            };
            union.push(format!(
                "SELECT ? AS account, (SELECT {spend} FROM fan_accounts fa WHERE fa.account = ? \
                 AND {spend} > 0 ORDER BY {spend} {order} LIMIT 1 OFFSET ?) AS cents"
            ));
            values.extend([account.into(), account.into(), offset.into()]);
        }
        let (sql, params) =
            Query::new(self.dialect(), "").finish(&union.join(" UNION ALL "), values);
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(|r| Ok((r.text("account")?, r.i64("cents")?)))
            .collect()
    }
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

    pub(super) fn count_fans_impl(&mut self, q: &FanQuery) -> Result<i64, StoreError> {
        match q.builtin {
            Some(BuiltinSegment::Whales) => return self.count_ranked(q, Threshold::TopPercent),
            Some(BuiltinSegment::Cold) => return self.count_ranked(q, Threshold::LowerMedian),
            Some(BuiltinSegment::New) | None => {}
        }
        let from = count_from(q);
        let mut query = Query::new(self.dialect(), format!("SELECT COUNT(*) AS n FROM {from}"));
        self.fan_filters(&mut query, q)?;
        let (sql, params) = query.finish("", []);
        let rows = self.conn.query(&sql, &params)?;
        rows.first().map(|r| r.i64("n")).unwrap_or(Ok(0))
    }

    pub(super) fn set_fan_tags_impl(
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

    pub(super) fn add_fan_note_impl(
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

    pub(super) fn fan_tags_impl(&mut self, fan_id: i64) -> Result<Vec<FanTag>, StoreError> {
        let mut query = Query::new(
            self.dialect(),
            "SELECT tag, account, operator, created_at FROM fan_tags",
        );
        query.filter("fan_id = ?", [fan_id.into()]);
        self.select(query, "ORDER BY tag, account", vec![], tag_row)
    }

    pub(super) fn fan_notes_impl(&mut self, fan_id: i64) -> Result<Vec<FanNote>, StoreError> {
        let mut query = Query::new(
            self.dialect(),
            "SELECT id, account, body, operator, created_at FROM fan_notes",
        );
        query.filter("fan_id = ?", [fan_id.into()]);
        self.select(query, "ORDER BY created_at DESC, id DESC", vec![], note_row)
    }

    pub(super) fn save_segment_impl(
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

    pub(super) fn segments_impl(
        &mut self,
        name: Option<&str>,
    ) -> Result<Vec<SegmentRow>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT * FROM segments");
        if let Some(name) = name {
            query.filter("name = ?", [name.into()]);
        }
        self.select(query, "ORDER BY name", vec![], segment_row)
    }

    pub(super) fn delete_segment_impl(
        &mut self,
        name: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
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

    pub(super) fn erase_fan_impl(
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
        for segment in self.segments_impl(None)? {
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
