//! Tags, notes, segments and erasure (schema v12): the SQL behind `fans tag/untag/note`,
//! `segments` and `fans delete`, written once for both backends like the rest of
//! [`SqlStore`].
//!
//! Segment counts are never cached: [`SqlStore::count_fans`] runs one `COUNT(*)` with the same
//! conditions as the listing. The built-in segments are window queries over each account's
//! relationships ([`RELATIONSHIPS`]), judged at the pinnable clock's now.

use chrono::Duration;

use super::super::model::*;
use super::super::sql::Query;
use super::super::tables::Upsert;
use super::super::value::{Row, Value};
use super::{Conn, Records, SqlStore};
use crate::store::StoreError;

/// Where a fan's relationship with an account lives, for the built-in segments: the account
/// column, and the spend, first-seen and last-seen expressions (NULL as the lowest value, the
/// expressions the indexes are built on).
const REL_FROM: &str = "fans r";
const REL_ACCOUNT: &str = "r.platform";
const ACCOUNT: &str = "f.platform";
const LOWEST_INT: i64 = -9_223_372_036_854_775_807;

fn spend(alias: &str) -> String {
    format!("COALESCE({alias}.lifetime_spend_cents, {LOWEST_INT})")
}

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
    /// Adds the tag and segment conditions of `q` to a fans query (`f` the fan). A built-in
    /// segment's spend thresholds are read first, from the spend index (two small queries),
    /// so that the condition itself is one index range per account.
    pub(super) fn fan_list_filters(
        &mut self,
        query: &mut Query,
        q: &FanQuery,
    ) -> Result<(), StoreError> {
        for tag in &q.tags {
            query.filter(
                "f.id IN (SELECT t.fan_id FROM fan_tags t WHERE t.tag = ?)",
                [tag.into()],
            );
        }
        let Some(b) = q.builtin else {
            return Ok(());
        };
        let now = crate::clock::now();
        let threshold = match b {
            BuiltinSegment::New => {
                let since = now - Duration::days(BuiltinSegment::NEW_DAYS);
                query.filter("f.first_seen_at >= ?", [since.into()]);
                return Ok(());
            }
            BuiltinSegment::Whales => Threshold::TopPercent,
            BuiltinSegment::Cold => Threshold::LowerMedian,
        };
        let thresholds = self.spend_thresholds(threshold, q.platform.as_deref())?;
        if thresholds.is_empty() {
            query.filter("1 = 0", []);
            return Ok(());
        }
        let ranges = vec![format!("({ACCOUNT} = ? AND {} >= ?)", spend("f")); thresholds.len()];
        query.filter(
            &format!("({})", ranges.join(" OR ")),
            thresholds
                .into_iter()
                .flat_map(|(account, cents)| [account.into(), cents.into()]),
        );
        if let BuiltinSegment::Cold = b {
            let before = now - Duration::days(BuiltinSegment::COLD_DAYS);
            // A fan never seen (NULL) is not cold: there is no activity to have stopped.
            query.filter("f.last_seen_at < ?", [before.into()]);
        }
        Ok(())
    }

    /// Each account's threshold spend (cents), for the accounts with paying fans (spend > 0):
    /// the spend of the ceil(n / 100)-th highest paying fan, or the ((n + 1) / 2)-th lowest.
    fn spend_thresholds(
        &mut self,
        which: Threshold,
        scope: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let mut counts = Query::new(
            self.dialect(),
            format!("SELECT {REL_ACCOUNT} AS account, COUNT(*) AS paying FROM {REL_FROM}"),
        );
        counts.filter(&format!("{} > 0", spend("r")), []);
        if let Some(account) = scope {
            counts.filter(&format!("{REL_ACCOUNT} = ?"), [account.into()]);
        }
        let (sql, params) = counts.finish(&format!("GROUP BY {REL_ACCOUNT}"), []);
        let paying: Vec<(String, i64)> = self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(|r| Ok((r.text("account")?, r.i64("paying")?)))
            .collect::<Result<_, StoreError>>()?;
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
                "SELECT ? AS account, (SELECT {s} FROM {REL_FROM} WHERE {REL_ACCOUNT} = ? AND {s} > 0 \
                 ORDER BY {s} {order} LIMIT 1 OFFSET ?) AS cents",
                s = spend("r")
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
        let mut query = Query::new(self.dialect(), "SELECT COUNT(*) AS n FROM fans f");
        super::fan_conditions(&mut query, q);
        self.fan_list_filters(&mut query, q)?;
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
    ) -> Result<Vec<TableCount>, StoreError> {
        let d = self.dialect();
        let p = |n| d.param(n);
        let identity = format!(
            "SELECT platform, platform_user_id FROM fans WHERE id = {}",
            p(1)
        );
        // Earlier entries about the fan keep who did what when, not what (tags name them).
        let fan_prefix = format!("fan {fan_id}:%");
        let actions = FAN_ACTIONS
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let scrub = format!(
            "UPDATE audit_log SET detail = 'about a fan since erased' \
             WHERE action IN ({actions}) AND detail LIKE {} RETURNING id",
            p(1)
        );
        let _ = account;
        self.write_tx(|s| {
            let Some(row) = s.conn.query(&identity, &[fan_id.into()])?.pop() else {
                return Ok(Vec::new());
            };
            let platform = row.text("platform")?;
            let user = row.text("platform_user_id")?;
            let by_fan = vec![Value::from(fan_id)];
            let by_user = vec![Value::from(platform.as_str()), Value::from(user.as_str())];
            let steps: Vec<(&str, String, &Vec<Value>)> = vec![
                (
                    "fan_tags",
                    format!("DELETE FROM fan_tags WHERE fan_id = {} RETURNING id", p(1)),
                    &by_fan,
                ),
                (
                    "fan_notes",
                    format!("DELETE FROM fan_notes WHERE fan_id = {} RETURNING id", p(1)),
                    &by_fan,
                ),
                (
                    "messages",
                    format!(
                        "DELETE FROM messages WHERE platform = {} AND fan_platform_user_id = {} RETURNING id",
                        p(1),
                        p(2)
                    ),
                    &by_user,
                ),
                (
                    "analytics_events",
                    format!(
                        "DELETE FROM analytics_events WHERE platform = {p1} AND \
                         (fan_platform_user_id = {p2} OR (subject_type = 'fan' AND subject_id = {p2})) \
                         RETURNING id",
                        p1 = p(1),
                        p2 = p(2)
                    ),
                    &by_user,
                ),
                (
                    "fans",
                    format!("DELETE FROM fans WHERE id = {} RETURNING id", p(1)),
                    &by_fan,
                ),
            ];
            let mut out = Vec::new();
            for (table, sql, params) in &steps {
                let n = s.conn.query(sql, params)?.len() as i64;
                out.push(TableCount {
                    table: table.to_string(),
                    rows: Some(n),
                });
            }
            let scrubbed = s.conn.query(&scrub, &[fan_prefix.as_str().into()])?.len() as i64;
            out.push(TableCount {
                table: "audit_log".into(),
                rows: Some(scrubbed),
            });
            let mut entry = audit.clone();
            entry.detail = Some(describe(&out));
            s.write_audit(&entry)?;
            Ok(out)
        })
    }
}
