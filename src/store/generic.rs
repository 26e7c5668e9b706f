//! The one implementation of [`Store`], generic over a driver connection.
//!
//! A backend supplies a [`Conn`] (execute, query, batch) and its list of [`Migration`]s; the
//! rest — versioned migrations under a lock, the upsert of every table, keyset listings — is
//! here, once. Transactions are plain `BEGIN`/`COMMIT` statements so the trait stays small and
//! the same code drives both drivers.

use super::export::{self, Cell, Column, RowSink};
use super::keyset::{Cursor, Direction, Key, KeyKind, Keyset, lowest};
use super::model::*;
use super::sql::{AUDIT_SEARCH, Dialect, FAN_SEARCH, MESSAGE_SEARCH, Query, SearchOn, UpsertSpec};
use super::tables::{self, TABLES, Upsert};
use super::value::{Row, Value};
use super::{Batch, SeenFrom, Store, StoreError, StoreInfo};
use crate::vocab::PlatformId;

mod fan_lists;
mod links;
mod people;

/// One step of the schema: applied once, in order, recorded in `schema_migrations`.
#[derive(Debug)]
pub struct Migration {
    /// The schema version the step brings the database to; steps run in this order.
    pub version: i64,
    /// Recorded with the version in `schema_migrations`, for a person reading the table.
    pub name: &'static str,
    /// The backend's own SQL for the step (one migrations folder per backend).
    pub sql: &'static str,
}

/// What a backend's driver must offer.
pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    /// Runs statements that take no parameters (DDL, BEGIN/COMMIT).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Runs one statement that returns rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// The columns of `table`, in the table's order.
    fn columns(&mut self, table: &str) -> Result<Vec<Column>, StoreError>;

    /// Runs one statement and hands each row to `each`, one at a time, never holding more
    /// than a few rows (the export's path); returns the row count.
    fn stream(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[Cell<'_>]) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;

    /// After a failed transaction: when its failure was the session's own (the server ended
    /// it), opens a new session and returns true, so that the caller runs the transaction once
    /// more. False when there is nothing to recover (the default: an embedded database).
    fn recover(&mut self) -> Result<bool, StoreError> {
        Ok(false)
    }

    /// Takes, without waiting, the live claim on syncing platform connection `id`: true when
    /// this connection now holds it. The claim dies with its holder (SQLite: an OS file lock
    /// the kernel drops with the process; PostgreSQL: a session advisory lock the server drops
    /// with the session), so a killed sync never locks an account out.
    fn try_lock_sync(&mut self, id: i64) -> Result<bool, StoreError>;

    /// Gives the claim of [`Conn::try_lock_sync`] back (nothing when not held).
    fn unlock_sync(&mut self, id: i64) -> Result<(), StoreError>;

    /// Whether this connection still holds the claim on `id` (a PostgreSQL session that was
    /// lost and reopened holds only the claims it could take again).
    fn holds_sync(&self, id: i64) -> bool;

    /// Readies the connection for a long transaction of many upserts
    /// ([`Store::upsert_open`]); called before it begins. Nothing by default.
    fn begin_bulk(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Undoes [`Conn::begin_bulk`] once that transaction is over, so what the command does
    /// next runs as usual. Nothing by default.
    fn end_bulk(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Writes `rows` with the table's upsert at write time `now`, inside the caller's
    /// transaction. Drivers override this with their fastest way to load many rows; the
    /// default is [`upsert_each`].
    fn upsert(
        &mut self,
        spec: &UpsertSpec,
        rows: &dyn RowSource,
        now: &Value,
    ) -> Result<UpsertCounts, StoreError> {
        upsert_each(self, spec, rows, now)
    }
}

/// Rows to upsert, each as its values in [`UpsertSpec::all_columns`] order. Read by position,
/// so a bulk path can read a row twice (e.g. retry it another way) without keeping copies.
pub trait RowSource {
    fn len(&self) -> usize;
    fn params(&self, i: usize) -> Vec<Value>;
}

/// Which of a relationship's derived values a recomputation writes
/// (`SqlStore::recompute_relationships`).
#[derive(Clone, Copy)]
struct Recompute {
    /// First and last seen, widened to the records' earliest and latest.
    seen: bool,
    /// The paid total, set to the sum of the fan's payments.
    paid: bool,
}

impl Recompute {
    const SEEN: Self = Self {
        seen: true,
        paid: false,
    };
    const PAID: Self = Self {
        seen: false,
        paid: true,
    };
    const SEEN_AND_PAID: Self = Self {
        seen: true,
        paid: true,
    };
}

/// A slice of records as a [`RowSource`].
struct Records<'a, R>(&'a [R]);

impl<R: Upsert> RowSource for Records<'_, R> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn params(&self, i: usize) -> Vec<Value> {
        self.0[i].params()
    }
}

/// The identities of a slice of fan records ([`tables::FANS`] rows).
struct Identities<'a>(&'a [Fan]);

impl RowSource for Identities<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn params(&self, i: usize) -> Vec<Value> {
        self.0[i].identity_params()
    }
}

/// The contacts of a slice of fan records ([`tables::FAN_CONTACTS`] rows), flattened.
struct ContactRows(Vec<Vec<Value>>);

impl RowSource for ContactRows {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn params(&self, i: usize) -> Vec<Value> {
        self.0[i].clone()
    }
}

/// The counts of a fans batch, one per record: inserted when the relationship is new, updated
/// when it or the identity changed (a record whose relationship and identity both changed is
/// counted once where the driver's counts allow telling), else unchanged.
fn fan_counts(identities: UpsertCounts, relationships: UpsertCounts, n: usize) -> UpsertCounts {
    let n = n as u64;
    let inserted = relationships.inserted;
    let updated = (relationships.updated + identities.updated).min(n - inserted);
    UpsertCounts {
        inserted,
        updated,
        unchanged: n - inserted - updated,
    }
}

/// Runs the upsert statement once per row: the reference behaviour every bulk path must match.
pub fn upsert_each<C: Conn + ?Sized>(
    conn: &mut C,
    spec: &UpsertSpec,
    rows: &dyn RowSource,
    now: &Value,
) -> Result<UpsertCounts, StoreError> {
    let sql = spec.sql(conn.dialect());
    let mut counts = UpsertCounts::default();
    for i in 0..rows.len() {
        let mut params = rows.params(i);
        params.push(now.clone());
        match conn.query(&sql, &params)?.first() {
            None => counts.unchanged += 1,
            Some(r) => counts.count_revision(r.i64("revision")?),
        }
    }
    Ok(counts)
}

pub struct SqlStore<C> {
    conn: C,
    info: StoreInfo,
    migrations: &'static [Migration],
    /// A transaction [`Store::upsert_open`] left open.
    open: bool,
}

pub const PAGE_MAX: u32 = 10_000;

impl<C: Conn> SqlStore<C> {
    pub fn new(conn: C, info: StoreInfo, migrations: &'static [Migration]) -> Self {
        SqlStore {
            conn,
            info,
            migrations,
            open: false,
        }
    }

    /// This store knowing only the migrations up to `version`: for tests that build a
    /// database as an older socialcrm left it (see [`super::open_up_to`]).
    pub fn up_to(mut self, version: i64) -> Self {
        let n = self.migrations.partition_point(|m| m.version <= version);
        self.migrations = &self.migrations[..n];
        self
    }

    fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    /// Runs `work` inside a writing transaction, rolling back on error. When the database
    /// session was lost on the way (a PostgreSQL restart), the work is run once more on a new
    /// session: a restart costs the transaction in flight, not the run.
    fn write_tx<T>(
        &mut self,
        mut work: impl FnMut(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self.write_tx_once(&mut work) {
            Err(e) if self.conn.recover()? => {
                tracing::info!(error = %e, "transaction retried on a new database session");
                self.write_tx_once(&mut work)
            }
            other => other,
        }
    }

    fn write_tx_once<T>(
        &mut self,
        work: &mut impl FnMut(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let begin = self.dialect().begin_write();
        self.conn.batch(begin)?;
        match work(self) {
            Ok(value) => {
                self.conn.batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                // The original error matters more than a failed rollback (e.g. connection gone).
                let _ = self.conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The versions `schema_migrations` records (none before the first migration).
    fn applied_versions(&mut self) -> Result<std::collections::HashSet<i64>, StoreError> {
        if !self.table_exists("schema_migrations")? {
            return Ok(Default::default());
        }
        let rows = self
            .conn
            .query("SELECT version FROM schema_migrations", &[])?;
        rows.iter().map(|r| r.i64("version")).collect()
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, StoreError> {
        let sql = self.dialect().table_exists();
        Ok(!self.conn.query(sql, &[table.into()])?.is_empty())
    }

    fn newer(&self, found: i64) -> StoreError {
        StoreError::NewerSchema {
            location: self.info.location.clone(),
            found,
            supported: self.latest_version(),
        }
    }

    fn upsert_rows<R: Upsert>(&mut self, rows: &[R]) -> Result<UpsertCounts, StoreError> {
        let now = Value::Time(crate::clock::now());
        self.conn.upsert(R::spec(), &Records(rows), &now)
    }

    fn upsert_batch(&mut self, batch: Batch<'_>) -> Result<UpsertCounts, StoreError> {
        match batch {
            Batch::Connections(rows) => self.upsert_rows(rows),
            Batch::Fans(rows) => {
                // The identity first, then the relationship: two bulk upserts (COPY on
                // PostgreSQL, prepared statements on SQLite) in the caller's transaction.
                let now = Value::Time(crate::clock::now());
                let identities = self.conn.upsert(&tables::FANS, &Identities(rows), &now)?;
                let mut relationships = self.conn.upsert(Fan::spec(), &Records(rows), &now)?;
                // A new contact changes what the fan record says (counted as an update).
                relationships.updated += self.upsert_contacts(rows, &now)?.inserted;
                Ok(fan_counts(identities, relationships, rows.len()))
            }
            Batch::FanIdentities(rows) => {
                let now = Value::Time(crate::clock::now());
                self.conn.upsert(&tables::FANS, &Identities(rows), &now)
            }
            Batch::FanContacts(rows) => {
                let now = Value::Time(crate::clock::now());
                self.upsert_contacts(rows, &now)
            }
            Batch::Messages(rows) => self.upsert_rows(rows),
            Batch::Posts(rows) => self.upsert_rows(rows),
            Batch::Analytics(rows) => self.upsert_rows(rows),
            Batch::SyncStates(rows) => self.upsert_rows(rows),
            Batch::SyncRuns(rows) => self.upsert_rows(rows),
            Batch::Audit(rows) => self.upsert_rows(rows),
            Batch::TrackingLinks(rows) => self.upsert_rows(rows),
        }
    }

    /// Writes the contacts of `rows`' identities (schema v21); nothing at all when they have
    /// none, which is every import without an email column.
    fn upsert_contacts(&mut self, rows: &[Fan], now: &Value) -> Result<UpsertCounts, StoreError> {
        let contacts: Vec<Vec<Value>> = rows.iter().flat_map(Fan::contact_params).collect();
        if contacts.is_empty() {
            return Ok(UpsertCounts::default());
        }
        self.conn
            .upsert(&tables::FAN_CONTACTS, &ContactRows(contacts), now)
    }

    /// Runs `sql`, an `UPDATE fan_accounts ... RETURNING` of one account's relationships on
    /// one platform recomputed from their stored records (parameters: the write time, the
    /// platform, the account), in its own transaction; returns how many it changed.
    fn update_relationships(
        &mut self,
        sql: &str,
        platform: PlatformId,
        account: &str,
    ) -> Result<u64, StoreError> {
        let now = Value::Time(crate::clock::now());
        self.write_tx(|s| {
            let rows = s
                .conn
                .query(sql, &[now.clone(), platform.into(), account.into()])?;
            Ok(rows.len() as u64)
        })
    }

    /// Recomputes `what` of `account`'s relationships on `platform` from their stored records
    /// `from`, in one pass over those records (one GROUP BY per fan), writing only the
    /// relationships it changes. An earnings import needs both the paid total and the seen
    /// times of the same payments: one pass reads them once.
    fn recompute_relationships(
        &mut self,
        platform: PlatformId,
        account: &str,
        from: SeenFrom,
        what: Recompute,
    ) -> Result<u64, StoreError> {
        let d = self.dialect();
        let (time, table, only) = match from {
            SeenFrom::Messages => ("sent_at", "messages", ""),
            SeenFrom::Payments => (
                "period_start",
                "analytics_events",
                "AND metric LIKE 'gross\\_%' ESCAPE '\\' ",
            ),
        };
        let (mut set, mut grouped, mut columns, mut changed) = (vec![], vec![], vec![], vec![]);
        if what.seen {
            // Merge::Min and Merge::Max of the upsert (store::sql), against each fan's
            // earliest and latest record; only relationships that widen are written.
            set.push(
                "first_seen_at = CASE WHEN fan_accounts.first_seen_at IS NULL \
                 OR s.first < fan_accounts.first_seen_at THEN s.first ELSE fan_accounts.first_seen_at END, \
                 last_seen_at = CASE WHEN fan_accounts.last_seen_at IS NULL \
                 OR s.last > fan_accounts.last_seen_at THEN s.last ELSE fan_accounts.last_seen_at END"
                    .to_string(),
            );
            grouped.push(format!("MIN({time}) AS first, MAX({time}) AS last"));
            columns.push("first, last");
            changed.push(
                "fan_accounts.first_seen_at IS NULL OR s.first < fan_accounts.first_seen_at \
                 OR fan_accounts.last_seen_at IS NULL OR s.last > fan_accounts.last_seen_at",
            );
        }
        if what.paid {
            // The sum of each fan's payments to this account (gross_* events) into
            // paid_cents; lifetime_spend_cents is derived from it and the export's total
            // (schema v9, v11). Sums are clamped to +-9e18 cents before the cast, so stored
            // values can never overflow a BIGINT (PostgreSQL would fail, SQLite saturate).
            set.push("paid_cents = s.cents".to_string());
            grouped.push("ROUND(SUM(value) * 100) AS total".to_string());
            columns.push(
                "CAST(CASE WHEN total > 9.0e18 THEN 9.0e18 WHEN total < -9.0e18 THEN -9.0e18 \
                 ELSE total END AS BIGINT) AS cents",
            );
            changed.push("fan_accounts.paid_cents IS DISTINCT FROM s.cents");
        }
        let sql = format!(
            "UPDATE fan_accounts SET {set}, revision = fan_accounts.revision + 1, \
             updated_at = {now} \
             FROM (SELECT fan, {columns} FROM \
                   (SELECT fan_platform_user_id AS fan, {grouped} \
                    FROM {table} WHERE platform = {platform} AND account = {account} {only}\
                    AND fan_platform_user_id IS NOT NULL GROUP BY fan_platform_user_id) g) s \
             WHERE fan_accounts.platform = {platform} AND fan_accounts.account = {account} \
             AND fan_accounts.platform_user_id = s.fan AND ({changed}) \
             RETURNING fan_accounts.id",
            set = set.join(", "),
            columns = columns.join(", "),
            grouped = grouped.join(", "),
            changed = changed.join(" OR "),
            now = d.param(1),
            platform = d.param(2),
            account = d.param(3),
        );
        self.update_relationships(&sql, platform, account)
    }

    /// Calls a PostgreSQL advisory-lock function on the lock named `name` (SQLite: nothing).
    fn advisory(&mut self, function: &str, name: &str) -> Result<(), StoreError> {
        if self.dialect() == Dialect::Postgres {
            // The second argument seeds the hash so socialcrm's locks are its own. Advisory
            // locks are per database: the schema is part of the key, so two CRMs in one
            // database (each in its schema) never wait for each other.
            let sql = format!(
                "SELECT 1 AS done FROM (SELECT {function}(hashtextextended(coalesce(current_schema(), '') || ':' || $1, 7311953487120943))) l"
            );
            self.conn.query(&sql, &[name.into()])?;
        }
        Ok(())
    }

    /// Every filter of a fans query (all but its order and page) on `fa` and `f`: shared by
    /// the listing and the live count of a segment.
    fn fan_filters(&mut self, query: &mut Query, q: &FanQuery) -> Result<(), StoreError> {
        self.fan_filters_by(query, q, true)
    }

    /// [`SqlStore::fan_filters`]; `fts` false leaves SQLite's trigram table out of the search
    /// (see [`Query::search_by`]).
    fn fan_filters_by(
        &mut self,
        query: &mut Query,
        q: &FanQuery,
        fts: bool,
    ) -> Result<(), StoreError> {
        let d = self.dialect();
        query.equals("fa.platform", q.platform.as_ref());
        query.equals("fa.account", q.account.as_ref());
        query.equals("fa.status", q.status.as_ref());
        if let Some(text) = &q.search {
            query.search_by(&FAN_SEARCH, text, fts);
        }
        // Ranges are written on the keyset's expressions (NULL as the lowest value), so the
        // sort's index serves them; a range never includes the unknown (NULL).
        if q.min_spend_cents.is_some() || q.max_spend_cents.is_some() {
            let spend = FA_SPEND.expr(d);
            let floor = q.min_spend_cents.unwrap_or(i64::MIN + 2).max(i64::MIN + 2);
            query.filter(&format!("{spend} >= ?"), [floor.into()]);
            if let Some(max) = q.max_spend_cents {
                query.filter(&format!("{spend} <= ?"), [max.into()]);
            }
        }
        let seen = FA_LAST_SEEN.expr(d);
        if let Some(t) = q.since {
            query.filter(&format!("{seen} >= ?"), [t.into()]);
        }
        if let Some(t) = q.until {
            query.filter(&format!("{seen} < ?"), [t.into()]);
            if q.since.is_none() {
                query.filter(&format!("{seen} > {}", lowest(KeyKind::Time, d)), []);
            }
        }
        self.fan_list_filters(query, q)
    }

    /// The SQL of a fans listing page (the cursor's sort values looked up first).
    fn fans_sql(&mut self, q: &FanQuery) -> Result<(String, Vec<Value>), StoreError> {
        let d = self.dialect();
        let keyset = fan_keyset(q);
        let tagged = by_tag(q);
        let mut query = if q.order() == FanSort::Username {
            // The fans' username index leads: SQLite keeps the join order of a CROSS JOIN,
            // and without statistics would otherwise read fan_accounts first and sort.
            let mut query = Query::new(d, FAN_SELECT_BY_IDENTITY);
            query.filter(FAN_JOIN, []);
            query
        } else if let Some(tag) = tagged {
            let mut query = Query::new(d, FAN_SELECT_BY_TAG);
            query.filter(
                &format!("t.tag = ? AND f.id = t.fan_id AND {FAN_JOIN}"),
                [tag.into()],
            );
            // The tag for every account ('') or for the relationship's account, whichever
            // sorts first: a fan tagged both ways is still one row per relationship. (A
            // correlated lookup of at most two index entries; an EXISTS in an OR would be
            // hashed over every tag on PostgreSQL.)
            query.filter(
                "t.account = (SELECT MIN(e.account) FROM fan_tags e WHERE e.fan_id = t.fan_id \
                 AND e.tag = t.tag AND e.account IN ('', fa.account))",
                [],
            );
            query
        } else {
            Query::new(d, FAN_SELECT)
        };
        let fts = match &q.search {
            Some(text) => !self.search_is_common(&FAN_SEARCH, text)?,
            None => true,
        };
        // The tag that drives the page is matched above; any others are checked per row.
        let rest;
        let filters = match tagged {
            Some(_) => {
                rest = FanQuery {
                    tags: q.tags[1..].to_vec(),
                    ..q.clone()
                };
                &rest
            }
            None => q,
        };
        self.fan_filters_by(&mut query, filters, fts)?;
        if let Some(after) = q.page.after {
            // The cursor row's fan id is its identity's (`t.fan_id` equals `f.id`).
            let columns = keyset.lookup_columns().replace("t.fan_id", "f.id");
            let lookup = Query::new(d, format!("SELECT {columns}{FAN_CURSOR_FROM}"));
            let cursor = self.cursor_at(&keyset, lookup, "fa.id", "fan relationship", after)?;
            let (cond, values) = keyset.after(d, &cursor);
            if tagged.is_some() {
                // The row-value comparison spans two tables: this bound on the tag index's
                // own column is what seeks to the page instead of walking to it.
                let op = if q.desc { "<=" } else { ">=" };
                query.filter(&format!("t.fan_id {op} ?"), [cursor.0[0].clone()]);
            }
            query.filter(&cond, values);
        }
        Ok(query.finish(
            &format!("ORDER BY {} LIMIT ?", keyset.order_by(d)),
            [limit(q.page.limit)],
        ))
    }

    /// The SQL of a messages listing page.
    fn messages_sql(&mut self, q: &MessageQuery) -> Result<(String, Vec<Value>), StoreError> {
        let d = self.dialect();
        // Keyset on (sent_at, id): stable under concurrent inserts, no OFFSET scans.
        let keyset = Keyset::new(&[M_SENT, M_ID], direction(q.newest_first));
        let mut query = Query::new(
            d,
            "SELECT m.*, f.username AS fan_username FROM messages m LEFT JOIN fans f \
             ON f.platform = m.platform AND f.platform_user_id = m.fan_platform_user_id",
        );
        query.equals("m.platform", q.platform.as_ref());
        query.equals("m.account", q.account.as_ref());
        if let Some(text) = &q.search {
            let fts = !self.search_is_common(&MESSAGE_SEARCH, text)?;
            query.search_by(&MESSAGE_SEARCH, text, fts);
        }
        query.equals("m.fan_platform_user_id", q.fan_platform_user_id.as_ref());
        query.equals("m.direction", q.direction.as_ref());
        query.period("m.sent_at", q.since, q.until);
        let lookup = || {
            Query::new(
                d,
                format!("SELECT {} FROM messages m", keyset.lookup_columns()),
            )
        };
        self.keyset_page(query, &keyset, &q.page, ("m.id", "message"), lookup)
    }

    /// `query`'s page in `keyset`'s order: the rows after the one `page.after` names (`row`:
    /// its id column and what it is, for the error when it is gone), whose sort values are read
    /// through `lookup` ([`SqlStore::cursor_at`]), at most `page.limit` of them.
    fn keyset_page(
        &mut self,
        mut query: Query,
        keyset: &Keyset,
        page: &Page,
        row: (&str, &'static str),
        lookup: impl FnOnce() -> Query,
    ) -> Result<(String, Vec<Value>), StoreError> {
        let d = self.dialect();
        if let Some(after) = page.after {
            let cursor = self.cursor_at(keyset, lookup(), row.0, row.1, after)?;
            let (cond, values) = keyset.after(d, &cursor);
            query.filter(&cond, values);
        }
        Ok(query.finish(
            &format!("ORDER BY {} LIMIT ?", keyset.order_by(d)),
            [limit(page.limit)],
        ))
    }

    /// SQLite: whether at least [`COMMON_MATCHES`] rows hold `text` (a probe of the trigram
    /// table that stops there). A listing's first page of such a term is its first rows in
    /// the listing's order: walking the order's index and checking each row finds it at once,
    /// where the trigram table's match list would be fetched whole and sorted (8 s for a term
    /// every one of a million fans holds). A rarer term keeps the match list: it is short.
    /// PostgreSQL: false; its planner makes the choice from its trigram statistics.
    fn search_is_common(&mut self, on: &SearchOn, text: &str) -> Result<bool, StoreError> {
        if self.dialect() != Dialect::Sqlite {
            return Ok(false);
        }
        let Some((fts, phrase)) = super::sql::fts_match(on, text) else {
            return Ok(false);
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH ?1 LIMIT {COMMON_MATCHES}) c"
        );
        let rows = self.conn.query(&sql, &[phrase])?;
        Ok(rows.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0) >= COMMON_MATCHES)
    }

    /// The sort values of the row `after` names, read through `lookup` (the listing's FROM with
    /// the keyset's columns): the cursor every keyset listing continues from. A row that is
    /// gone (deleted since the previous page, or a typo) is `UnknownCursor`.
    fn cursor_at(
        &mut self,
        keyset: &Keyset,
        mut lookup: Query,
        id_column: &str,
        what: &'static str,
        after: i64,
    ) -> Result<Cursor, StoreError> {
        lookup.filter(&format!("{id_column} = ?"), [after.into()]);
        let (sql, params) = lookup.finish("", []);
        let rows = self.conn.query(&sql, &params)?;
        let row = rows
            .first()
            .ok_or(StoreError::UnknownCursor { what, id: after })?;
        keyset.cursor(row)
    }

    fn select<T>(
        &mut self,
        query: Query,
        tail: &str,
        tail_values: Vec<Value>,
        decode: fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let (sql, params) = query.finish(tail, tail_values);
        self.conn.query(&sql, &params)?.iter().map(decode).collect()
    }

    /// The row `query` selects by a key (at most one), decoded.
    fn select_one<T>(
        &mut self,
        query: Query,
        decode: fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.select(query, "", vec![], decode)?.pop())
    }

    /// The rows of `sql`, decoded and sorted by `key` in Rust's order, which for text is byte
    /// order as on SQLite: PostgreSQL's collation may sort `_` elsewhere, and an aggregate must
    /// list the same from either store, so it is ordered here rather than by `ORDER BY`. Keys
    /// are owned copies made once per row: these lists hold a row per metric (and day) or per
    /// stream, so the copies are few.
    fn in_byte_order<T, K: Ord>(
        &mut self,
        sql: &str,
        params: &[Value],
        decode: fn(&Row) -> Result<T, StoreError>,
        key: fn(&T) -> K,
    ) -> Result<Vec<T>, StoreError> {
        let rows = self.conn.query(sql, params)?;
        let mut out = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        out.sort_by_cached_key(key);
        Ok(out)
    }
}

/// The events of a period summed per (platform, subject type, metric, instant): the inner
/// query of [`Store::metric_summaries`] and [`Store::metric_series`], before its filters.
const POINTS_SELECT: &str = "SELECT e.platform AS platform, e.subject_type AS subject_type, \
     e.metric AS metric, e.period_start AS at, SUM(e.value) AS v, \
     MAX(CASE WHEN e.period = 'instant' THEN 1 ELSE 0 END) AS flow, MAX(e.unit) AS unit \
     FROM analytics_events e";
const POINTS_GROUP: &str = "GROUP BY e.platform, e.subject_type, e.metric, e.period_start";

/// The sum of the events `query` selects at one instant (`at`, a column of the outer `agg` row)
/// of `agg`'s platform, subject and metric: a correlated subquery served by the time index.
fn instant_sum(query: &Query, at: &str) -> String {
    format!(
        "(SELECT SUM(e.value) FROM analytics_events e WHERE {} AND e.period_start = {at} \
         AND e.platform = agg.platform AND e.subject_type = agg.subject_type \
         AND e.metric = agg.metric)",
        query.conditions()
    )
}

/// `query` narrowed to the events `q` selects.
fn event_filters(mut query: Query, q: &EventQuery) -> Query {
    query.equals("e.platform", q.platform.as_ref());
    query.any_of("e.account", &q.accounts);
    query.any_of("e.metric", &q.metrics);
    query.period("e.period_start", q.since, q.until);
    query
}

/// How many trigram matches make a search term common enough that a listing walks its order
/// instead of sorting the matches (`SqlStore::search_is_common`): above it, a page of 50
/// rows is found within about 50 x (rows / matches) rows of the order's index; below it, the
/// matches are few enough to sort.
pub const COMMON_MATCHES: i64 = 2000;

/// A listing's LIMIT, within 1 and [`PAGE_MAX`].
fn limit(rows: u32) -> Value {
    Value::Int(i64::from(rows.clamp(1, PAGE_MAX)))
}

/// A fan relationship with its identity's id and names, and the messages of the
/// relationship (its account's) counted live.
const FAN_SELECT: &str = "SELECT fa.*, f.id AS fan_id, f.username, f.display_name, \
     (SELECT COUNT(*) FROM messages m WHERE m.platform = fa.platform \
      AND m.fan_platform_user_id = fa.platform_user_id AND m.account = fa.account) AS message_count \
     FROM fan_accounts fa JOIN fans f \
     ON f.platform = fa.platform AND f.platform_user_id = fa.platform_user_id";

/// [`FAN_SELECT`] with the identities as the outer loop (the join condition is [`FAN_JOIN`]).
const FAN_SELECT_BY_IDENTITY: &str = "SELECT fa.*, f.id AS fan_id, f.username, f.display_name, \
     (SELECT COUNT(*) FROM messages m WHERE m.platform = fa.platform \
      AND m.fan_platform_user_id = fa.platform_user_id AND m.account = fa.account) AS message_count \
     FROM fans f CROSS JOIN fan_accounts fa";
const FAN_JOIN: &str = "f.platform = fa.platform AND f.platform_user_id = fa.platform_user_id";

/// [`FAN_SELECT`] driven by a tag's rows (`fan_tags_by_tag (tag, fan_id)`), then each tagged
/// fan's identity and relationships: a tag one fan in ten carries no longer reads ten
/// relationships per row listed. Joined in [`SqlStore::fans_sql`].
const FAN_SELECT_BY_TAG: &str = "SELECT fa.*, f.id AS fan_id, f.username, f.display_name, \
     (SELECT COUNT(*) FROM messages m WHERE m.platform = fa.platform \
      AND m.fan_platform_user_id = fa.platform_user_id AND m.account = fa.account) AS message_count \
     FROM fan_tags t CROSS JOIN fans f CROSS JOIN fan_accounts fa";

/// The same join, reading a row's keyset cursor (`SELECT <columns>` is prepended).
const FAN_CURSOR_FROM: &str = " FROM fan_accounts fa JOIN fans f \
     ON f.platform = fa.platform AND f.platform_user_id = fa.platform_user_id";

const FA_ID: Key = Key::new("fa.id", KeyKind::Int);
const FA_SPEND: Key = Key::nullable("fa.lifetime_spend_cents", KeyKind::Int);
const FA_LAST_SEEN: Key = Key::nullable("fa.last_seen_at", KeyKind::Time);
const FA_FIRST_SEEN: Key = Key::nullable("fa.first_seen_at", KeyKind::Time);
const F_USERNAME: Key = Key::nullable("f.username", KeyKind::Text);
const F_ID: Key = Key::new("f.id", KeyKind::Int);
const T_FAN_ID: Key = Key::new("t.fan_id", KeyKind::Int);
const M_SENT: Key = Key::new("m.sent_at", KeyKind::Time);
const M_ID: Key = Key::new("m.id", KeyKind::Int);

fn direction(desc: bool) -> Direction {
    if desc {
        Direction::Desc
    } else {
        Direction::Asc
    }
}

/// The tag a fans listing's page is read from: its first, when the listing is in the
/// default order (by fan then relationship, the order of the tag's index); with a sort, the
/// sort's index leads and tags are checked per row.
fn by_tag(q: &FanQuery) -> Option<&str> {
    (q.order() == FanSort::Id)
        .then(|| q.tags.first().map(String::as_str))
        .flatten()
}

/// The order of a fans listing, each served by an index of schema v11 (the username order by
/// `fans_by_username`, the identity's id and then the relationship's).
/// A listing with a tag in the default order goes by fan, then relationship.
fn fan_keyset(q: &FanQuery) -> Keyset {
    let keys: &[Key] = match q.order() {
        FanSort::Id if by_tag(q).is_some() => &[T_FAN_ID, FA_ID],
        FanSort::Id => &[FA_ID],
        FanSort::Spend => &[FA_SPEND, FA_ID],
        FanSort::LastSeen => &[FA_LAST_SEEN, FA_ID],
        FanSort::FirstSeen => &[FA_FIRST_SEEN, FA_ID],
        FanSort::Username => &[F_USERNAME, F_ID, FA_ID],
    };
    Keyset::new(keys, direction(q.desc))
}

impl<C: Conn> Store for SqlStore<C> {
    fn info(&self) -> StoreInfo {
        self.info.clone()
    }

    fn latest_version(&self) -> i64 {
        self.migrations.last().map(|m| m.version).unwrap_or(0)
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        if !self.table_exists("schema_migrations")? {
            return Ok(0);
        }
        let rows = self.conn.query(
            "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations",
            &[],
        )?;
        rows.first().map(|r| r.i64("version")).unwrap_or(Ok(0))
    }

    fn migrate(&mut self) -> Result<Vec<i64>, StoreError> {
        let d = self.dialect();
        let ts = if d == Dialect::Sqlite {
            "TEXT"
        } else {
            "TIMESTAMPTZ"
        };
        self.write_tx(|s| {
            if let Some(lock) = d.migration_lock() {
                s.conn.batch(lock)?;
            }
            s.conn.batch(&format!(
                "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at {ts} NOT NULL)"
            ))?;
            let current = s.schema_version()?;
            if current > s.latest_version() {
                return Err(s.newer(current));
            }
            // Every known version not recorded yet, not only those above the highest: a
            // database migrated by a build that had v21 but not v20 still gets v20.
            let done = s.applied_versions()?;
            let mut applied = Vec::new();
            for m in s.migrations.iter().filter(|m| !done.contains(&m.version)) {
                s.conn.batch(m.sql)?;
                let record = format!(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, {}, {})",
                    d.param(1),
                    d.param(2),
                    d.param(3)
                );
                s.conn.query(
                    &format!("{record} RETURNING version"),
                    &[
                        m.version.into(),
                        m.name.into(),
                        Value::Time(crate::clock::now()),
                    ],
                )?;
                applied.push(m.version);
            }
            Ok(applied)
        })
    }

    fn ensure_current(&mut self) -> Result<(), StoreError> {
        let version = self.schema_version()?;
        if version > self.latest_version() {
            return Err(self.newer(version));
        }
        if version < self.latest_version() || self.applied_versions()?.len() < self.migrations.len()
        {
            self.migrate()?;
        }
        Ok(())
    }

    fn table_counts(&mut self) -> Result<Vec<TableCount>, StoreError> {
        let mut out = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let rows = if self.table_exists(table)? {
                let r = self
                    .conn
                    .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])?;
                Some(r.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0))
            } else {
                None
            };
            out.push(TableCount {
                table: table.to_string(),
                rows,
            });
        }
        Ok(out)
    }

    fn table_rows(&mut self, exact: bool) -> Result<Vec<TableRows>, StoreError> {
        let estimate = (!exact && self.dialect() == Dialect::Postgres).then_some(
            "SELECT CAST(CASE WHEN c.reltuples >= 0 AND c.relpages > 0 \
             THEN round(c.reltuples / c.relpages * \
                  (pg_relation_size(c.oid) / current_setting('block_size')::float8)) \
             ELSE COALESCE(s.n_live_tup, 0) END AS BIGINT) AS n \
             FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
             WHERE c.oid = to_regclass($1)",
        );
        let mut out = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            if !self.table_exists(table)? {
                out.push(TableRows {
                    table: table.to_string(),
                    rows: None,
                    estimated: false,
                });
                continue;
            }
            if let Some(sql) = estimate {
                let found = self.conn.query(sql, &[(*table).into()])?;
                let n = found.first().map(|r| r.i64("n")).transpose()?;
                if let Some(n) = n.filter(|&n| n >= super::ESTIMATE_FROM) {
                    out.push(TableRows {
                        table: table.to_string(),
                        rows: Some(n),
                        estimated: true,
                    });
                    continue;
                }
            }
            let r = self
                .conn
                .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])?;
            out.push(TableRows {
                table: table.to_string(),
                rows: Some(r.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0)),
                estimated: false,
            });
        }
        Ok(out)
    }

    fn upsert(&mut self, batch: Batch<'_>) -> Result<UpsertCounts, StoreError> {
        Ok(self.upsert_all(&[batch])?[0])
    }

    fn upsert_all(&mut self, batches: &[Batch<'_>]) -> Result<Vec<UpsertCounts>, StoreError> {
        self.write_tx(|s| batches.iter().map(|b| s.upsert_batch(*b)).collect())
    }

    fn upsert_open(
        &mut self,
        batches: &[Batch<'_>],
        commit: bool,
    ) -> Result<Vec<UpsertCounts>, StoreError> {
        if !self.open && commit {
            // Nothing pending: an ordinary transaction, retried on a new session if need be.
            return self.upsert_all(batches);
        }
        if !self.open {
            self.conn.begin_bulk()?;
            let begin = self.dialect().begin_write();
            self.conn.batch(begin)?;
            self.open = true;
        }
        let written: Result<Vec<_>, _> = batches.iter().map(|b| self.upsert_batch(*b)).collect();
        match written {
            Ok(counts) => {
                if commit {
                    self.commit_open()?;
                }
                Ok(counts)
            }
            Err(e) => {
                self.open = false;
                let _ = self.conn.batch("ROLLBACK");
                let _ = self.conn.end_bulk();
                Err(e)
            }
        }
    }

    fn commit_open(&mut self) -> Result<(), StoreError> {
        if !self.open {
            return Ok(());
        }
        self.open = false;
        let committed = match self.conn.batch("COMMIT") {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = self.conn.batch("ROLLBACK");
                Err(e)
            }
        };
        let ended = self.conn.end_bulk();
        committed.and(ended)
    }

    fn purge_account(
        &mut self,
        platform: PlatformId,
        account: &str,
        connection_id: i64,
    ) -> Result<Vec<TableCount>, StoreError> {
        let d = self.dialect();
        let (p1, p2) = (d.param(1), d.param(2));
        let of_account = |table: &str| {
            (
                format!(
                    "DELETE FROM {table} WHERE platform = {p1} AND account = {p2} RETURNING id"
                ),
                vec![Value::from(platform), Value::from(account)],
            )
        };
        let mut steps: Vec<(&str, String, Vec<Value>)> = Vec::new();
        for table in ["posts", "analytics_events", "messages", "fan_accounts"] {
            let (sql, params) = of_account(table);
            steps.push((table, sql, params));
        }
        steps.extend([
            (
                // Identities no account knows any more.
                "fans",
                format!(
                    "DELETE FROM fans WHERE platform = {p1} AND NOT EXISTS (SELECT 1 FROM fan_accounts fa \
                     WHERE fa.platform = fans.platform AND fa.platform_user_id = fans.platform_user_id) \
                     RETURNING id"
                ),
                vec![platform.into()],
            ),
            (
                // The erased identities leave their people; a person with no identity left
                // goes too (schema v15).
                "person_links",
                "DELETE FROM person_links WHERE NOT EXISTS (SELECT 1 FROM fans f \
                 WHERE f.id = person_links.fan_id) RETURNING fan_id"
                    .to_string(),
                vec![],
            ),
            (
                "people",
                "DELETE FROM people WHERE NOT EXISTS (SELECT 1 FROM person_links pl \
                 WHERE pl.person_id = people.id) RETURNING id"
                    .to_string(),
                vec![],
            ),
            (
                "sync_state",
                format!(
                    "DELETE FROM sync_state WHERE connection_id = {p1} RETURNING connection_id"
                ),
                vec![connection_id.into()],
            ),
            (
                "sync_runs",
                format!("DELETE FROM sync_runs WHERE connection_id = {p1} RETURNING id"),
                vec![connection_id.into()],
            ),
        ]);
        self.write_tx(|s| {
            let mut out = Vec::new();
            for (table, sql, params) in &steps {
                let n = s.conn.query(sql, params)?.len() as i64;
                out.push(TableCount {
                    table: table.to_string(),
                    rows: Some(n),
                });
            }
            Ok(out)
        })
    }

    fn claim_connection(
        &mut self,
        id: i64,
        owner: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Claim, StoreError> {
        let d = self.dialect();
        let record = format!(
            "SELECT lease_owner, lease_since, lease_released_at FROM platform_connections WHERE id = {}",
            d.param(1)
        );
        let holder = |row: &Row| -> Result<Option<LeaseHolder>, StoreError> {
            Ok(row.opt_text("lease_owner")?.map(|owner| LeaseHolder {
                owner,
                since: row.opt_time("lease_since").ok().flatten(),
            }))
        };
        if !self.conn.try_lock_sync(id)? {
            let rows = self.conn.query(&record, &[id.into()])?;
            let held = match rows.first() {
                Some(row) => holder(row)?,
                None => None,
            };
            return Ok(Claim::Held(held));
        }
        // Wall-clock time, not the pinnable crate clock: leases order real processes.
        let now = Value::Time(chrono::Utc::now());
        let take = format!(
            "UPDATE platform_connections SET lease_owner = {}, lease_since = {}, lease_until = NULL \
             WHERE id = {} RETURNING id",
            d.param(1),
            d.param(2),
            d.param(3)
        );
        let abandon = format!(
            "UPDATE sync_runs SET status = 'abandoned', finished_at = {}, error = {} \
             WHERE connection_id = {} AND status = 'running' RETURNING id",
            d.param(1),
            d.param(2),
            d.param(3)
        );
        let claimed = self.write_tx(|s| {
            let Some(row) = s.conn.query(&record, &[id.into()])?.pop() else {
                return Ok(Claim::SyncedMeanwhile);
            };
            let released = row.opt_time("lease_released_at")?;
            let previous = holder(&row)?;
            if previous.is_none() && released.is_some_and(|r| r >= since) {
                return Ok(Claim::SyncedMeanwhile);
            }
            s.conn
                .query(&take, &[owner.into(), now.clone(), id.into()])?;
            let mut abandoned = 0;
            if let Some(dead) = &previous {
                let why = format!(
                    "its sync ({}) ended without finishing; taken over",
                    dead.describe()
                );
                abandoned = s
                    .conn
                    .query(&abandon, &[now.clone(), why.into(), id.into()])?
                    .len() as u64;
            }
            Ok(Claim::Claimed {
                took_over: previous,
                abandoned,
            })
        });
        match claimed {
            Ok(Claim::Claimed {
                took_over,
                abandoned,
            }) => Ok(Claim::Claimed {
                took_over,
                abandoned,
            }),
            other => {
                // Not claimed after all (or failed): the lock goes back at once.
                let _ = self.conn.unlock_sync(id);
                other
            }
        }
    }

    fn release_connection(&mut self, id: i64, owner: &str) -> Result<(), StoreError> {
        let d = self.dialect();
        let sql = format!(
            "UPDATE platform_connections SET lease_owner = NULL, lease_since = NULL, lease_until = NULL, \
             lease_released_at = {} WHERE id = {} AND lease_owner = {} RETURNING id",
            d.param(1),
            d.param(2),
            d.param(3)
        );
        let params = [Value::Time(chrono::Utc::now()), id.into(), owner.into()];
        let released = self.write_tx(|s| s.conn.query(&sql, &params).map(|_| ()));
        // The lock goes back whatever became of the record: the record names a holder, the
        // lock is what excludes.
        let unlocked = self.conn.unlock_sync(id);
        released.and(unlocked)
    }

    fn holds_claim(&self, id: i64) -> bool {
        self.conn.holds_sync(id)
    }

    fn server_time(&mut self) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
        if self.dialect() == Dialect::Sqlite {
            return Ok(None);
        }
        let rows = self.conn.query("SELECT now() AS now", &[])?;
        rows.first().map(|r| r.time("now")).transpose()
    }

    fn lock(&mut self, name: &str) -> Result<(), StoreError> {
        self.advisory("pg_advisory_lock", name)
    }

    fn unlock(&mut self, name: &str) -> Result<(), StoreError> {
        self.advisory("pg_advisory_unlock", name)
    }

    fn refresh_fan_spend(
        &mut self,
        platform: PlatformId,
        account: &str,
    ) -> Result<u64, StoreError> {
        self.recompute_relationships(platform, account, SeenFrom::Payments, Recompute::PAID)
    }

    fn refresh_fans_from(
        &mut self,
        platform: PlatformId,
        account: &str,
        from: SeenFrom,
    ) -> Result<u64, StoreError> {
        let what = match from {
            SeenFrom::Messages => Recompute::SEEN,
            SeenFrom::Payments => Recompute::SEEN_AND_PAID,
        };
        self.recompute_relationships(platform, account, from, what)
    }

    fn export(
        &mut self,
        tables: &[&str],
        segment: Option<&FanQuery>,
        sink: &mut dyn RowSink,
    ) -> Result<Vec<TableCount>, StoreError> {
        let d = self.dialect();
        self.conn.batch(d.begin_snapshot())?;
        let mut work = || -> Result<Vec<TableCount>, StoreError> {
            // The members' conditions are built inside the snapshot, so a built-in segment's
            // thresholds are those of the rows exported.
            let members = match segment {
                Some(q) => {
                    let mut members = Query::new(
                        d,
                        format!("SELECT 1 FROM fan_accounts fa JOIN fans f ON {FAN_JOIN}"),
                    );
                    self.fan_filters(&mut members, q)?;
                    Some(members)
                }
                None => None,
            };
            let mut counts = Vec::with_capacity(tables.len());
            for &table in tables {
                let columns: Vec<Column> = self
                    .conn
                    .columns(table)?
                    .into_iter()
                    .filter(|c| export::exported_column(table, &c.name))
                    .collect();
                let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
                let select: Vec<String> = columns
                    .iter()
                    .map(|c| match c.native {
                        true => c.name.clone(),
                        false => format!("CAST({0} AS TEXT) AS {0}", c.name),
                    })
                    .collect();
                // Id order: stable from one export to the next, so two exports diff cleanly.
                let order = if names.iter().any(|n| n == "id") {
                    " ORDER BY id"
                } else {
                    ""
                };
                let select = select.join(", ");
                let (sql, params) = match &members {
                    None => (format!("SELECT {select} FROM {table}{order}"), Vec::new()),
                    Some(members) => {
                        // Each row of the table is kept when a member relationship is about
                        // it: a walk of the table in id order, probing the members by index,
                        // so nothing is collected before the first row is written.
                        let link = export::segment_link(table).ok_or_else(|| {
                            StoreError::Decode(format!("table '{table}' has no segment rows"))
                        })?;
                        let mut exists = members.clone();
                        exists.filter(link, []);
                        let (sub, params) = exists.finish("", []);
                        (
                            format!("SELECT {select} FROM {table} x WHERE EXISTS ({sub}){order}"),
                            params,
                        )
                    }
                };
                sink.start(table, &names).map_err(export::sink_error)?;
                let rows = self.conn.stream(&sql, &params, &mut |cells| {
                    sink.row(cells).map_err(export::sink_error)
                })?;
                sink.finish(table, rows).map_err(export::sink_error)?;
                counts.push(TableCount {
                    table: table.to_string(),
                    rows: Some(rows as i64),
                });
            }
            Ok(counts)
        };
        let result = work();
        // Nothing was written: ending the snapshot either way changes nothing.
        let end = self
            .conn
            .batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let counts = result?;
        end?;
        Ok(counts)
    }

    fn list_fans(&mut self, q: &FanQuery) -> Result<Vec<FanRow>, StoreError> {
        let (sql, params) = self.fans_sql(q)?;
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(tables::fan_row)
            .collect()
    }

    fn explain(&mut self, listing: &Listing) -> Result<Vec<String>, StoreError> {
        let (sql, params) = match listing {
            Listing::Fans(q) => self.fans_sql(q)?,
            Listing::Messages(q) => self.messages_sql(q)?,
            Listing::FanByName { platform, user } => {
                let mut q = Query::new(self.dialect(), "SELECT f.* FROM fans f");
                q.filter(
                    "f.platform = ? AND LOWER(f.username) = ?",
                    [platform.into(), user.to_lowercase().into()],
                );
                q.finish("ORDER BY f.id LIMIT 1", [])
            }
            Listing::HandleBlocks(after) => self.blocks_sql(after, 500),
            Listing::BlockMembers(stems) => self.block_members_sql(stems),
            Listing::People(q) => self.people_sql(q)?,
            Listing::FanRelationships(id) => {
                let mut q = Query::new(self.dialect(), FAN_SELECT);
                q.filter("f.id = ?", [(*id).into()]);
                q.finish("ORDER BY fa.account", [])
            }
            Listing::SpendBuckets => self.spend_buckets_sql(None),
            Listing::SpendInBucket { account, bucket } => {
                let (sql, values) = self.spend_in_bucket_sql(account, *bucket, 10, 3);
                Query::new(self.dialect(), "").finish(&sql, values)
            }
        };
        match self.dialect() {
            Dialect::Sqlite => self
                .conn
                .query(&format!("EXPLAIN QUERY PLAN {sql}"), &params)?
                .iter()
                .map(|r| r.text("detail"))
                .collect(),
            Dialect::Postgres => self.write_tx(|s| {
                // On a test's small tables a sequential scan is cheapest; off, the planner
                // shows which index it would use at scale (or a Sort, if none serves).
                s.conn.batch("SET LOCAL enable_seqscan = off")?;
                let plan = s.conn.query(&format!("EXPLAIN {sql}"), &params)?;
                plan.iter().map(|r| r.text("QUERY PLAN")).collect()
            }),
        }
    }

    fn find_fan(&mut self, selector: &FanSelector) -> Result<Option<FanIdentity>, StoreError> {
        const IDENTITY: &str = "SELECT f.* FROM fans f";
        let mut attempts: Vec<Query> = Vec::new();
        match selector {
            FanSelector::Id(id) => {
                let mut q = Query::new(self.dialect(), IDENTITY);
                q.filter("f.id = ?", [(*id).into()]);
                attempts.push(q);
            }
            FanSelector::OnPlatform { platform, user } => {
                // The platform's own id wins over a username that happens to look like one.
                let mut by_id = Query::new(self.dialect(), IDENTITY);
                by_id.filter(
                    "f.platform = ? AND f.platform_user_id = ?",
                    [platform.into(), user.into()],
                );
                attempts.push(by_id);
                // Served by the expression index fans_by_lower_username (schema v11).
                let name = user.trim_start_matches('@').to_lowercase();
                let mut by_name = Query::new(self.dialect(), IDENTITY);
                by_name.filter(
                    "f.platform = ? AND LOWER(f.username) = ?",
                    [platform.into(), name.into()],
                );
                attempts.push(by_name);
            }
        }
        for q in attempts {
            if let Some(fan) = self
                .select(q, "ORDER BY f.id LIMIT 1", vec![], tables::fan_identity_row)?
                .pop()
            {
                return Ok(Some(fan));
            }
        }
        Ok(None)
    }

    fn fan_relationships(&mut self, fan_id: i64) -> Result<Vec<FanRow>, StoreError> {
        let mut q = Query::new(self.dialect(), FAN_SELECT);
        q.filter("f.id = ?", [fan_id.into()]);
        self.select(q, "ORDER BY fa.account", vec![], tables::fan_row)
    }

    fn fan_accounts(&mut self, platform: PlatformId) -> Result<Vec<String>, StoreError> {
        // A loose index scan: one probe of fan_accounts_by_account per account, however many
        // fans each holds.
        let d = self.dialect();
        let mut out: Vec<String> = Vec::new();
        loop {
            let mut q = Query::new(d, "SELECT fa.account FROM fan_accounts fa");
            q.filter("fa.platform = ?", [platform.into()]);
            if let Some(last) = out.last() {
                q.filter("fa.account > ?", [last.as_str().into()]);
            }
            let (sql, params) = q.finish("ORDER BY fa.account LIMIT 1", []);
            match self.conn.query(&sql, &params)?.first() {
                Some(row) => out.push(row.text("account")?),
                None => return Ok(out),
            }
        }
    }

    fn list_messages(&mut self, q: &MessageQuery) -> Result<Vec<MessageRow>, StoreError> {
        let (sql, params) = self.messages_sql(q)?;
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(tables::message_row)
            .collect()
    }

    fn list_audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditRow>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT a.* FROM audit_log a");
        query.equals("a.platform", q.platform.as_ref());
        query.equals("a.action", q.action.as_ref());
        if let Some(text) = &q.search {
            query.search(&AUDIT_SEARCH, text);
        }
        query.period("a.at", q.since, q.until);
        if let Some(after) = q.page.after {
            query.filter(
                "(a.at, a.id) > (SELECT b.at, b.id FROM audit_log b WHERE b.id = ?)",
                [after.into()],
            );
        }
        self.select(
            query,
            "ORDER BY a.at, a.id LIMIT ?",
            vec![limit(q.page.limit)],
            tables::audit_row,
        )
    }

    fn list_connections(&mut self) -> Result<Vec<ConnectionRow>, StoreError> {
        let query = Query::new(self.dialect(), "SELECT * FROM platform_connections");
        self.select(
            query,
            "ORDER BY platform, account",
            vec![],
            tables::connection_row,
        )
    }

    fn list_sync_runs(&mut self, rows: u32) -> Result<Vec<SyncRunRow>, StoreError> {
        let query = Query::new(
            self.dialect(),
            "SELECT r.*, c.platform AS platform, c.account AS account FROM sync_runs r \
             LEFT JOIN platform_connections c ON c.id = r.connection_id",
        );
        self.select(
            query,
            "ORDER BY r.started_at DESC, r.id DESC LIMIT ?",
            vec![limit(rows)],
            tables::sync_run_row,
        )
    }

    fn list_events(&mut self, q: &EventQuery) -> Result<Vec<AnalyticsEvent>, StoreError> {
        let query = event_filters(
            Query::new(self.dialect(), "SELECT e.* FROM analytics_events e"),
            q,
        );
        self.select(
            query,
            "ORDER BY e.period_start, e.id",
            vec![],
            tables::event_row,
        )
    }

    fn metric_summaries(&mut self, q: &EventQuery) -> Result<Vec<MetricSummary>, StoreError> {
        // Sums per instant, then each metric's first, last and total over those sums. The
        // instants are numbered from both ends in the database, so nothing but one row per
        // metric comes back.
        // Sums per instant, then each metric's count, bounds and total over those sums; its first
        // and last values are the sums at its first and last instants, looked up in the time
        // index. No window over the instants: every window is a sort of all of them, which on
        // SQLite holds up to a page cache's worth of memory each.
        let query = event_filters(Query::new(self.dialect(), POINTS_SELECT), q);
        let at_instant = |bound: &str| instant_sum(&query, bound);
        let (first, last) = (at_instant("agg.first_at"), at_instant("agg.last_at"));
        let (points, params) = query.finish(POINTS_GROUP, []);
        let sql = format!(
            "WITH pts AS ({points}), agg AS (SELECT platform, subject_type, metric, \
             MAX(flow) AS flow, COUNT(*) AS points, MAX(unit) AS unit, MIN(at) AS first_at, \
             MAX(at) AS last_at, SUM(v) AS total FROM pts GROUP BY platform, subject_type, metric) \
             SELECT agg.platform, agg.subject_type, agg.metric, CAST(agg.flow AS BIGINT) AS flow, \
             agg.points, agg.unit, agg.first_at, agg.last_at, agg.total, \
             {first} AS first_value, {last} AS last_value FROM agg"
        );
        self.in_byte_order(&sql, &params, metric_summary_row, |s| {
            (s.platform.name(), s.subject_type.clone(), s.metric.clone())
        })
    }

    fn metric_series(
        &mut self,
        q: &EventQuery,
        bucket: Bucket,
    ) -> Result<Vec<MetricPoint>, StoreError> {
        let d = self.dialect();
        let of = match bucket {
            Bucket::Day => d.day_of("e.period_start"),
            Bucket::Week => d.week_of("e.period_start"),
        };
        let select = POINTS_SELECT.replace(" FROM ", &format!(", {of} AS bucket FROM "));
        let query = event_filters(Query::new(d, select), q);
        // A flow is the bucket's sum; a level the sum at the bucket's latest instant (looked up,
        // as in `metric_summaries`, rather than ranked by a window).
        let closing = instant_sum(&query, "agg.last_at");
        let (points, params) = query.finish(POINTS_GROUP, []);
        let sql = format!(
            "WITH pts AS ({points}), agg AS (SELECT platform, subject_type, metric, bucket, \
             MAX(flow) AS flow, SUM(v) AS total, MAX(at) AS last_at FROM pts \
             GROUP BY platform, subject_type, metric, bucket) \
             SELECT agg.platform, agg.subject_type, agg.metric, agg.bucket, \
             CAST(agg.flow AS BIGINT) AS flow, agg.total, {closing} AS closing FROM agg"
        );
        self.in_byte_order(&sql, &params, metric_point_row, |p| {
            let metric = (p.platform.name(), p.subject_type.clone(), p.metric.clone());
            (metric, p.bucket)
        })
    }

    fn count_new_fans(
        &mut self,
        accounts: &[String],
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, StoreError> {
        // Written as the index fan_accounts_by_account_first_seen is: one range per account.
        let d = self.dialect();
        let first_seen = FA_FIRST_SEEN.expr(d);
        let mut query = Query::new(d, "SELECT COUNT(*) AS n FROM fan_accounts fa");
        query.any_of("fa.account", accounts);
        query.filter(
            &format!("{first_seen} >= ? AND {first_seen} < ?"),
            [since.into(), until.into()],
        );
        let (sql, params) = query.finish("", []);
        self.conn
            .query(&sql, &params)?
            .first()
            .map_or(Ok(0), |r| r.i64("n"))
    }

    fn stream_health(&mut self) -> Result<Vec<StreamHealth>, StoreError> {
        let sql = "WITH ranked AS (SELECT r.connection_id, r.stream, r.status, r.started_at, r.error, \
             ROW_NUMBER() OVER (PARTITION BY r.connection_id, r.stream ORDER BY r.started_at DESC, r.id DESC) AS rn, \
             MAX(CASE WHEN r.status = 'succeeded' THEN COALESCE(r.finished_at, r.started_at) END) \
               OVER (PARTITION BY r.connection_id, r.stream) AS last_success_at \
             FROM sync_runs r WHERE r.stream IS NOT NULL AND r.connection_id IS NOT NULL) \
             SELECT c.platform, c.account, k.stream, k.status, k.started_at, k.error, k.last_success_at \
             FROM ranked k JOIN platform_connections c ON c.id = k.connection_id WHERE k.rn = 1";
        self.in_byte_order(sql, &[], stream_health_row, |h| {
            (h.platform.name(), h.account.clone(), h.stream.clone())
        })
    }

    fn list_posts(&mut self, q: &PostListQuery) -> Result<Vec<PostRow>, StoreError> {
        let d = self.dialect();
        let cursor = match q.page.after {
            None => None,
            Some(id) => {
                let keys = super::posts::keyset(q.sort, q.descending);
                let lookup =
                    Query::new(d, format!("SELECT {} FROM posts p", keys.lookup_columns()));
                Some(self.cursor_at(&keys, lookup, "p.id", "post", id)?)
            }
        };
        let (sql, params) = super::posts::page_query(d, q, cursor.as_ref());
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(tables::post_record_row)
            .collect()
    }

    fn find_post(&mut self, selector: &PostSelector) -> Result<Option<PostRow>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT p.* FROM posts p");
        match selector {
            PostSelector::Id(id) => {
                query.filter("p.id = ?", [(*id).into()]);
            }
            PostSelector::OnPlatform { platform, post_id } => {
                query.filter(
                    "p.platform = ? AND p.platform_post_id = ?",
                    [platform.into(), post_id.into()],
                );
            }
        }
        self.select_one(query, tables::post_record_row)
    }

    fn post_history(&mut self, post: &Post) -> Result<Vec<AnalyticsEvent>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT e.* FROM analytics_events e");
        // With the account, a prefix of the events' unique key finds them at once.
        match &post.account {
            Some(account) => query.filter(
                "e.platform = ? AND e.account = ? AND e.subject_type = 'post' AND e.subject_id = ?",
                [
                    post.platform.into(),
                    account.into(),
                    post.platform_post_id.as_str().into(),
                ],
            ),
            None => query.filter(
                "e.platform = ? AND e.subject_type = 'post' AND e.subject_id = ?",
                [post.platform.into(), post.platform_post_id.as_str().into()],
            ),
        };
        self.select(
            query,
            "ORDER BY e.period_start, e.metric, e.id",
            vec![],
            tables::event_row,
        )
    }

    fn top_posts(&mut self, q: &PostQuery) -> Result<Vec<Post>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT p.* FROM posts p");
        query.equals("p.platform", q.platform.as_ref());
        query.any_of("p.account", &q.accounts);
        query.period("p.published_at", q.since, q.until);
        let order = match q.rank {
            PostRank::Views => "ORDER BY COALESCE(p.view_count, 0) DESC, p.id LIMIT ?",
            PostRank::EngagementRate => {
                query.filter("p.view_count >= ?", [Value::Int(ENGAGEMENT_MIN_VIEWS)]);
                "ORDER BY CAST(COALESCE(p.like_count, 0) + COALESCE(p.comment_count, 0) \
                 + COALESCE(p.share_count, 0) AS DOUBLE PRECISION) / p.view_count DESC, p.id LIMIT ?"
            }
        };
        self.select(query, order, vec![limit(q.limit)], tables::post_row)
    }

    fn sync_state(
        &mut self,
        connection_id: i64,
        stream: &str,
    ) -> Result<Option<SyncState>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT * FROM sync_state");
        query.filter(
            "connection_id = ? AND stream = ?",
            [connection_id.into(), stream.into()],
        );
        self.select_one(query, tables::sync_state_row)
    }

    fn secret(&mut self, key: &str) -> Result<Option<SecretRow>, StoreError> {
        let sql = format!(
            "SELECT key, kdf, nonce, ciphertext FROM secrets WHERE key = {}",
            self.dialect().param(1)
        );
        self.conn
            .query(&sql, &[key.into()])?
            .first()
            .map(secret_row)
            .transpose()
    }

    fn other_secret(&mut self, key: &str) -> Result<Option<SecretRow>, StoreError> {
        let sql = format!(
            "SELECT key, kdf, nonce, ciphertext FROM secrets WHERE key <> {} \
             ORDER BY updated_at DESC, key LIMIT 1",
            self.dialect().param(1)
        );
        self.conn
            .query(&sql, &[key.into()])?
            .first()
            .map(secret_row)
            .transpose()
    }

    fn list_secrets(&mut self) -> Result<Vec<SecretRow>, StoreError> {
        self.conn
            .query(
                "SELECT key, kdf, nonce, ciphertext FROM secrets ORDER BY key",
                &[],
            )?
            .iter()
            .map(secret_row)
            .collect()
    }

    fn put_secret(&mut self, row: &SecretRow) -> Result<(), StoreError> {
        let d = self.dialect();
        // One statement: the replace is atomic on both backends, without a transaction.
        let sql = format!(
            "INSERT INTO secrets (key, kdf, nonce, ciphertext, updated_at) \
             VALUES ({}, {}, {}, {}, {}) ON CONFLICT (key) DO UPDATE SET \
             kdf = excluded.kdf, nonce = excluded.nonce, ciphertext = excluded.ciphertext, \
             updated_at = excluded.updated_at RETURNING key",
            d.param(1),
            d.param(2),
            d.param(3),
            d.param(4),
            d.param(5)
        );
        self.conn.query(
            &sql,
            &[
                row.key.as_str().into(),
                row.kdf.as_str().into(),
                row.nonce.as_str().into(),
                row.ciphertext.as_str().into(),
                Value::Time(crate::clock::now()),
            ],
        )?;
        Ok(())
    }

    fn delete_secret(&mut self, key: &str) -> Result<bool, StoreError> {
        let sql = format!(
            "DELETE FROM secrets WHERE key = {} RETURNING key",
            self.dialect().param(1)
        );
        Ok(!self.conn.query(&sql, &[key.into()])?.is_empty())
    }

    fn record_webhook(
        &mut self,
        replay: &WebhookReplay,
        batches: &[Batch<'_>],
    ) -> Result<Option<Vec<UpsertCounts>>, StoreError> {
        let d = self.dialect();
        let forget = format!(
            "DELETE FROM webhook_replays WHERE expires_at <= {} RETURNING key",
            d.param(1)
        );
        let claim = format!(
            "INSERT INTO webhook_replays (platform, key, expires_at) VALUES ({}, {}, {}) \
             ON CONFLICT (platform, key) DO NOTHING RETURNING key",
            d.param(1),
            d.param(2),
            d.param(3)
        );
        let now = Value::Time(crate::clock::now());
        let row = [
            replay.platform.into(),
            replay.key.as_str().into(),
            Value::Time(replay.expires_at),
        ];
        self.write_tx(|s| {
            s.conn.query(&forget, std::slice::from_ref(&now))?;
            if s.conn.query(&claim, &row)?.is_empty() {
                return Ok(None);
            }
            batches
                .iter()
                .map(|b| s.upsert_batch(*b))
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        })
    }

    fn upload(
        &mut self,
        platform: PlatformId,
        account: &str,
        file_hash: &str,
    ) -> Result<Option<UploadRow>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT * FROM uploads");
        query.filter(
            "platform = ? AND account = ? AND file_hash = ?",
            [platform.into(), account.into(), file_hash.into()],
        );
        self.select_one(query, upload_row)
    }

    fn upload_candidates(
        &mut self,
        platform: PlatformId,
        account: &str,
        fingerprint: &str,
    ) -> Result<Vec<UploadRow>, StoreError> {
        let mut query = Query::new(self.dialect(), "SELECT * FROM uploads");
        query.filter(
            "platform = ? AND account = ? AND file_fingerprint = ?",
            [platform.into(), account.into(), fingerprint.into()],
        );
        self.select(query, "ORDER BY id", vec![], upload_row)
    }

    fn save_upload(&mut self, u: &Upload) -> Result<i64, StoreError> {
        let d = self.dialect();
        let n = UPLOAD_COLUMNS.len();
        let p: Vec<String> = (1..=n + 2).map(|i| d.param(i)).collect();
        let mut params: Vec<Value> = vec![
            u.platform.into(),
            u.account.as_str().into(),
            (&u.file_hash).into(),
            u.file_fingerprint.as_str().into(),
            u.file_size.into(),
            (&u.publish_id).into(),
            (&u.upload_url).into(),
            u.chunk_size.into(),
            u.chunk_count.into(),
            u.chunks_done.into(),
            u.status.as_str().into(),
            (&u.post_id).into(),
            Value::Time(crate::clock::now()),
        ];
        // One statement either way: atomic on both backends; created_at stays the first run's.
        let sql = match u.id {
            Some(id) => {
                params.push(id.into());
                let sets: Vec<String> = UPLOAD_COLUMNS
                    .iter()
                    .zip(&p)
                    .map(|(c, v)| format!("{c} = {v}"))
                    .collect();
                format!(
                    "UPDATE uploads SET {}, updated_at = {} WHERE id = {} RETURNING id",
                    sets.join(", "),
                    p[n],
                    p[n + 1]
                )
            }
            None => {
                let updates: Vec<String> = UPLOAD_COLUMNS[3..]
                    .iter()
                    .chain(["updated_at"].iter())
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                format!(
                    "INSERT INTO uploads ({cols}, created_at, updated_at) VALUES ({vals}, {now}, {now}) \
                     ON CONFLICT (platform, account, file_hash) DO UPDATE SET {updates} RETURNING id",
                    cols = UPLOAD_COLUMNS.join(", "),
                    vals = p[..n].join(", "),
                    now = p[n],
                    updates = updates.join(", "),
                )
            }
        };
        let rows = self.conn.query(&sql, &params)?;
        match rows.first() {
            Some(r) => r.i64("id"),
            None => Err(StoreError::Decode(format!(
                "upload ledger row {} is gone",
                u.id.unwrap_or(0)
            ))),
        }
    }
}

const UPLOAD_COLUMNS: [&str; 12] = [
    "platform",
    "account",
    "file_hash",
    "file_fingerprint",
    "file_size",
    "publish_id",
    "upload_url",
    "chunk_size",
    "chunk_count",
    "chunks_done",
    "status",
    "post_id",
];

fn upload_row(row: &Row) -> Result<UploadRow, StoreError> {
    Ok(UploadRow {
        id: row.i64("id")?,
        upload: Upload {
            id: Some(row.i64("id")?),
            platform: row.platform("platform")?,
            account: row.text("account")?,
            file_hash: row.opt_text("file_hash")?,
            file_fingerprint: row.text("file_fingerprint")?,
            file_size: row.i64("file_size")?,
            publish_id: row.opt_text("publish_id")?,
            upload_url: row.opt_text("upload_url")?,
            chunk_size: row.i64("chunk_size")?,
            chunk_count: row.i64("chunk_count")?,
            chunks_done: row.i64("chunks_done")?,
            status: super::tables::decoded(row, "status", UploadStatus::parse, "upload ledger")?,
            post_id: row.opt_text("post_id")?,
        },
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

fn secret_row(row: &Row) -> Result<SecretRow, StoreError> {
    Ok(SecretRow {
        key: row.text("key")?,
        kdf: row.text("kdf")?,
        nonce: row.text("nonce")?,
        ciphertext: row.text("ciphertext")?,
    })
}

fn metric_summary_row(r: &Row) -> Result<MetricSummary, StoreError> {
    Ok(MetricSummary {
        platform: r.platform("platform")?,
        subject_type: r.text("subject_type")?,
        metric: r.text("metric")?,
        flow: r.i64("flow")? != 0,
        points: r.i64("points")?,
        first_at: r.time("first_at")?,
        last_at: r.time("last_at")?,
        first: r.f64("first_value")?,
        last: r.f64("last_value")?,
        sum: r.f64("total")?,
        unit: r.opt_text("unit")?,
    })
}

/// A flow's value is its bucket's total, a level's the sum at the bucket's last instant.
fn metric_point_row(r: &Row) -> Result<MetricPoint, StoreError> {
    let flow = r.i64("flow")? != 0;
    let day = r.text("bucket")?;
    Ok(MetricPoint {
        platform: r.platform("platform")?,
        subject_type: r.text("subject_type")?,
        metric: r.text("metric")?,
        flow,
        bucket: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|_| StoreError::Decode(format!("'{day}' is not a day")))?,
        value: if flow {
            r.f64("total")?
        } else {
            r.f64("closing")?
        },
    })
}

fn stream_health_row(r: &Row) -> Result<StreamHealth, StoreError> {
    Ok(StreamHealth {
        platform: r.platform("platform")?,
        account: r.text("account")?,
        stream: r.text("stream")?,
        status: r.text("status")?,
        started_at: r.time("started_at")?,
        error: r.opt_text("error")?,
        last_success_at: r.opt_time("last_success_at")?,
    })
}
