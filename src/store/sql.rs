//! SQL written once for both backends.
//!
//! The two dialects differ in small, known ways: placeholders (`?1` / `$1`), how a search is
//! served (an FTS5 table or a `pg_trgm` index, see [`Query::search`]), how a writing transaction starts, and how the schema is inspected. [`Dialect`] holds
//! those differences; everything else — the upsert of every table, the listings with their
//! keyset pagination — is generated from the declarative [`UpsertSpec`]s and the [`Query`]
//! builder below, so the two backends cannot drift apart.

use chrono::{DateTime, Utc};

use super::value::Value;

/// Which SQL the backend speaks: the few places the shared SQL differs (parameters, times)
/// ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (rusqlite, bundled): times are fixed-width text.
    Sqlite,
    /// PostgreSQL: `TIMESTAMPTZ`, `$n` parameters.
    Postgres,
}

impl Dialect {
    /// The `n`th (1-based) positional parameter: `?n` on SQLite, `$n` on PostgreSQL.
    pub fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The UTC day of the time column `col`, as `YYYY-MM-DD` text.
    pub fn day_of(self, col: &str) -> String {
        match self {
            // The stored text of a time starts with its UTC date (see `value::format_time`).
            Dialect::Sqlite => format!("substr({col}, 1, 10)"),
            Dialect::Postgres => format!("to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
        }
    }

    /// The Monday (UTC) of the week of the time column `col`, as `YYYY-MM-DD` text.
    pub fn week_of(self, col: &str) -> String {
        match self {
            // On to the coming Sunday (the day itself when a Sunday), then back six days.
            Dialect::Sqlite => format!("date(substr({col}, 1, 10), 'weekday 0', '-6 days')"),
            Dialect::Postgres => {
                format!("to_char(date_trunc('week', {col} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')")
            }
        }
    }

    /// Starts a transaction that will write. SQLite takes the write lock at once (IMMEDIATE),
    /// so two writers queue on the busy timeout instead of failing at their first write.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Starts a transaction that only reads, from one snapshot until it ends. SQLite's deferred
    /// BEGIN fixes its WAL snapshot at the first read and never blocks writers; PostgreSQL
    /// needs REPEATABLE READ for one snapshot across statements.
    pub fn begin_snapshot(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    /// Serialises migrations between processes sharing one server. SQLite's IMMEDIATE
    /// transaction already does.
    pub fn migration_lock(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => None,
            // Advisory locks are per database: the key names socialcrm's migration lock of
            // this schema, so CRMs in other schemas of the database migrate without waiting.
            Dialect::Postgres => Some(
                "SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), '') || ':migrate', 7311953487120943))",
            ),
        }
    }

    /// A query returning one row when the table named by parameter 1 exists in the current
    /// schema (PostgreSQL: the first schema of `search_path`, which is how tests isolate).
    pub fn table_exists(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?1"
            }
            Dialect::Postgres => {
                "SELECT 1 AS found FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = $1"
            }
        }
    }
}

/// How a non-key column takes a new value when the row already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// The new value, even NULL.
    Replace,
    /// The new value when it is not NULL; otherwise the stored one.
    Prefer,
    /// The stored value when it is not NULL (e.g. where a fan was first seen).
    Keep,
    /// The earlier of the two, ignoring NULL.
    Min,
    /// The later of the two, ignoring NULL.
    Max,
}

/// A table's identity and merge rules: enough to generate its idempotent upsert.
#[derive(Debug)]
pub struct UpsertSpec {
    /// The table written.
    pub table: &'static str,
    /// The columns of the unique key; together they name the row.
    pub key: &'static [&'static str],
    /// Every other column the caller supplies, in parameter order after the key.
    pub columns: &'static [(&'static str, Merge)],
}

impl UpsertSpec {
    /// `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE <something changed> RETURNING revision`.
    ///
    /// Parameters: the key columns, then `columns`, then the write time. The returned revision
    /// tells what happened: 1 inserted, more than 1 updated, no row unchanged. Rows whose merged
    /// values equal the stored ones are not touched at all, so re-running an import or a sync
    /// costs no writes and leaves `updated_at` alone.
    pub fn sql(&self, d: Dialect) -> String {
        format!("{} RETURNING revision", self.upsert(d))
    }

    /// [`UpsertSpec::sql`] without `RETURNING`, for drivers that tell inserted from updated
    /// rows another way (SQLite: the last insert rowid and the change count).
    pub fn upsert(&self, d: Dialect) -> String {
        let placeholders: Vec<String> = (1..=self.width()).map(|n| d.param(n)).collect();
        let now = d.param(self.width() + 1);
        format!(
            "INSERT INTO {t} ({cols}, revision, created_at, updated_at) VALUES ({vals}, 1, {now}, {now}) {conflict}",
            t = self.table,
            cols = self.all_columns().join(", "),
            vals = placeholders.join(", "),
            conflict = self.on_conflict(),
        )
    }

    /// Merges every row of `stage` (the key and `columns`, keys distinct) into the table in one
    /// statement, the upsert's own: each row probes the unique index once, a new key is
    /// inserted, an existing one updated only when something changed. Parameter 1 is the write
    /// time; the one row returned counts the rows `inserted` and `updated` (the others were
    /// unchanged).
    pub fn merge_from(&self, d: Dialect, stage: &str) -> String {
        let now = d.param(1);
        let cols = self.all_columns().join(", ");
        format!(
            "WITH w AS (INSERT INTO {t} ({cols}, revision, created_at, updated_at) \
             SELECT {cols}, 1, {now}, {now} FROM {stage} {conflict} RETURNING revision) \
             SELECT COUNT(*) FILTER (WHERE revision = 1) AS inserted, \
             COUNT(*) FILTER (WHERE revision > 1) AS updated FROM w",
            t = self.table,
            conflict = self.on_conflict(),
        )
    }

    /// `ON CONFLICT (key) DO ...`: the merge of a new row into the stored one, writing only
    /// when a merged value differs.
    fn on_conflict(&self) -> String {
        let t = self.table;
        let mut sql = format!("ON CONFLICT ({}) DO ", self.key.join(", "));
        if self.columns.is_empty() {
            // A table that is all key: an existing row can never differ.
            sql.push_str("NOTHING");
        } else {
            sql.push_str(&format!(
                "UPDATE SET {sets}, revision = {t}.revision + 1, updated_at = excluded.updated_at WHERE {changed}",
                sets = self.sets("excluded"),
                changed = self.changed("excluded"),
            ));
        }
        sql
    }

    /// Key columns then `columns`: the order of [`Upsert::params`](super::tables::Upsert).
    pub fn all_columns(&self) -> Vec<&'static str> {
        self.key
            .iter()
            .copied()
            .chain(self.columns.iter().map(|c| c.0))
            .collect()
    }

    fn width(&self) -> usize {
        self.key.len() + self.columns.len()
    }

    /// `c = <merged>` for every column, the new values read from `new.c`.
    fn sets(&self, new: &str) -> String {
        self.per_column(new, ", ", |c, merged| format!("{c} = {merged}"))
    }

    /// True when merging the values of `new` would change something.
    fn changed(&self, new: &str) -> String {
        let t = self.table;
        self.per_column(new, " OR ", |c, merged| {
            format!("({merged}) IS DISTINCT FROM {t}.{c}")
        })
    }

    /// `each(column, merged value)` for every column (the new values read from `new.c`),
    /// joined by `sep`.
    fn per_column(&self, new: &str, sep: &str, each: impl Fn(&str, String) -> String) -> String {
        self.columns
            .iter()
            .map(|&(c, m)| each(c, merge_expr(new, self.table, c, m)))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

fn merge_expr(new: &str, t: &str, c: &str, m: Merge) -> String {
    let (new, old) = (format!("{new}.{c}"), format!("{t}.{c}"));
    match m {
        Merge::Replace => new,
        Merge::Prefer => format!("COALESCE({new}, {old})"),
        Merge::Keep => format!("COALESCE({old}, {new})"),
        Merge::Min => format!(
            "CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL OR {new} < {old} THEN {new} ELSE {old} END"
        ),
        Merge::Max => format!(
            "CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL OR {new} > {old} THEN {new} ELSE {old} END"
        ),
    }
}

/// The shortest search a trigram index can serve.
pub const TRIGRAM: usize = 3;

/// What a listing's `--search` looks at: see [`Query::search`].
#[derive(Debug)]
pub struct SearchOn {
    /// The listed row's id (`f.id`): the rowid of the FTS5 table.
    pub id: &'static str,
    /// SQLite: the FTS5 trigram table over `columns` (external content, kept in step by
    /// triggers), or `None` where no index serves the search (it reads every row).
    pub fts: Option<&'static str>,
    /// The searched columns, qualified by the listing's alias, in the FTS5 table's order.
    pub columns: &'static [&'static str],
}

/// Fans by username, display name or platform user id (schema v14).
pub const FAN_SEARCH: SearchOn = SearchOn {
    id: "f.id",
    fts: Some("fans_search"),
    columns: &["f.username", "f.display_name", "f.platform_user_id"],
};

/// Messages by body (schema v14).
pub const MESSAGE_SEARCH: SearchOn = SearchOn {
    id: "m.id",
    fts: Some("messages_search"),
    columns: &["m.body"],
};

/// Posts by caption: no trigram index (an account has thousands of posts, not millions).
pub const POST_SEARCH: SearchOn = SearchOn {
    id: "p.id",
    fts: None,
    columns: &["p.caption"],
};

/// Audit entries by action, actor, account or detail: no index (the log is small and read
/// by time).
pub const AUDIT_SEARCH: SearchOn = SearchOn {
    id: "a.id",
    fts: None,
    columns: &["a.action", "a.actor", "a.account", "a.detail"],
};

/// SQLite: the FTS5 table of `on` and the MATCH argument that finds `text` in its columns (a
/// phrase, every character literal), when a trigram index can serve `text`.
pub fn fts_match(on: &SearchOn, text: &str) -> Option<(&'static str, Value)> {
    let fts = on.fts.filter(|_| text.chars().count() >= TRIGRAM)?;
    let names: Vec<&str> = on.columns.iter().map(|c| unqualified(c)).collect();
    let phrase = format!(
        "{{{}}} : \"{}\"",
        names.join(" "),
        text.replace('"', "\"\"")
    );
    Some((fts, Value::Text(phrase)))
}

fn unqualified(column: &str) -> &str {
    column.rsplit('.').next().unwrap_or(column)
}

/// Lowercases `text` as SQLite's `socialcrm_fold` does: the search's case rule.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A SELECT assembled from optional filters, with `?` in fragments turned into the dialect's
/// numbered placeholders in order.
#[derive(Debug, Clone)]
pub struct Query {
    dialect: Dialect,
    select: String,
    conditions: Vec<String>,
    params: Vec<Value>,
}

impl Query {
    /// A query of `select` (up to, not including, WHERE) with no condition yet.
    pub fn new(dialect: Dialect, select: impl Into<String>) -> Self {
        Query {
            dialect,
            select: select.into(),
            conditions: Vec::new(),
            params: Vec::new(),
        }
    }

    /// A SELECT whose own text holds `?` placeholders (a subquery's filter), numbered first.
    pub fn with_params(
        dialect: Dialect,
        select: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        let mut q = Query::new(dialect, "");
        q.select = q.number(select, values);
        q
    }

    /// Adds `condition` (with one `?` per value) to the WHERE clause.
    pub fn filter(
        &mut self,
        condition: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> &mut Self {
        let numbered = self.number(condition, values);
        self.conditions.push(numbered);
        self
    }

    /// Adds `column = value` when a value is given: a listing's optional filter, where none
    /// keeps every row.
    pub fn equals<V: Into<Value>>(&mut self, column: &str, value: Option<V>) -> &mut Self {
        if let Some(v) = value {
            self.filter(&format!("{column} = ?"), [v.into()]);
        }
        self
    }

    /// Adds `column IN (values)` when there are values: none keeps every row (a filter not
    /// given), never none of them.
    pub fn any_of(&mut self, column: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            self.filter(
                &format!("{column} IN ({marks})"),
                values.iter().map(Value::from),
            );
        }
        self
    }

    /// Keeps the rows with `column` in the half-open period `[since, until)`, each bound only
    /// when given: the `--since`/`--until` (`--from`/`--to`) of every listing.
    pub fn period(
        &mut self,
        column: &str,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> &mut Self {
        if let Some(t) = since {
            self.filter(&format!("{column} >= ?"), [t.into()]);
        }
        if let Some(t) = until {
            self.filter(&format!("{column} < ?"), [t.into()]);
        }
        self
    }

    /// Keeps the rows where one of `on`'s columns contains `text`: the one search of every
    /// listing (`--search`), with the same rules on both backends.
    ///
    /// The rules: a substring of one column (a match spanning two columns does not count),
    /// case-insensitive by Unicode lowercasing (`LOVÉ` finds `Lové`, `ΣΑΣ` finds `σας`),
    /// diacritics kept (`love` does not find `Lové`), every character literal (`%`, `_`, `\`,
    /// `"`). SQLite lowercases with `socialcrm_fold` (Rust's `str::to_lowercase`, registered on
    /// each connection), PostgreSQL with `lower()` under the ICU root collation `socialcrm_fold`
    /// (schema v14): the same Unicode mapping.
    ///
    /// Served by a trigram index where `on` has one (SQLite: the FTS5 table `on.fts`, its
    /// candidates checked again by the rule above; PostgreSQL: a `pg_trgm` GIN index on each
    /// lowercased column). A trigram needs three characters: a one- or two-character search
    /// reads every row of the listing's filter, with the same rules.
    pub fn search(&mut self, on: &SearchOn, text: &str) -> &mut Self {
        self.search_by(on, text, true)
    }

    /// [`Query::search`], with SQLite's trigram table left out when `fts` is false: the rows
    /// are then read in the listing's order and each checked by the rule, which is faster for
    /// a term most rows hold (the first page is the first rows) than fetching and sorting
    /// every match (`SqlStore::search_is_common` decides).
    pub fn search_by(&mut self, on: &SearchOn, text: &str, fts: bool) -> &mut Self {
        match self.dialect {
            Dialect::Sqlite => {
                if let Some((fts, phrase)) = fts_match(on, text).filter(|_| fts) {
                    self.filter(
                        &format!("{} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)", on.id),
                        [phrase],
                    );
                }
                let ors: Vec<String> = on
                    .columns
                    .iter()
                    .map(|c| format!("instr(socialcrm_fold({c}), socialcrm_fold(?)) > 0"))
                    .collect();
                let values = on.columns.iter().map(|_| Value::Text(text.to_string()));
                self.filter(&format!("({})", ors.join(" OR ")), values)
            }
            Dialect::Postgres => {
                // The pattern is lowercased by the same function as the column, after its
                // wildcards are escaped (lowercasing leaves `%`, `_` and `\` alone).
                let pattern = format!("%{}%", escape_like(text));
                let ors: Vec<String> = on
                    .columns
                    .iter()
                    .map(|c| {
                        format!(
                            "lower({c} COLLATE socialcrm_fold) LIKE lower(CAST(? AS TEXT) COLLATE socialcrm_fold)"
                        )
                    })
                    .collect();
                let values = on.columns.iter().map(|_| Value::Text(pattern.clone()));
                self.filter(&format!("({})", ors.join(" OR ")), values)
            }
        }
    }

    /// The WHERE conditions so far, numbered, joined by AND (`TRUE` when there are none), for a
    /// correlated subquery that must select the same rows: numbered placeholders may be
    /// referenced again on both backends, so the subquery adds no parameters.
    pub fn conditions(&self) -> String {
        if self.conditions.is_empty() {
            "TRUE".to_string()
        } else {
            self.conditions.join(" AND ")
        }
    }

    /// The final SQL and parameters, with `tail` (ORDER BY, LIMIT) appended.
    pub fn finish(
        mut self,
        tail: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> (String, Vec<Value>) {
        let tail = self.number(tail, values);
        let mut sql = self.select.clone();
        if !self.conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.conditions.join(" AND "));
        }
        sql.push(' ');
        sql.push_str(&tail);
        (sql, self.params)
    }

    fn number(&mut self, fragment: &str, values: impl IntoIterator<Item = Value>) -> String {
        let mut out = String::with_capacity(fragment.len() + 8);
        let mut values = values.into_iter();
        for ch in fragment.chars() {
            if ch == '?' {
                let v = values.next().expect("one value per placeholder");
                self.params.push(v);
                out.push_str(&self.dialect.param(self.params.len()));
            } else {
                out.push(ch);
            }
        }
        assert!(values.next().is_none(), "more values than placeholders");
        out
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: UpsertSpec = UpsertSpec {
        table: "t",
        key: &["k"],
        columns: &[("a", Merge::Replace), ("b", Merge::Min)],
    };

    #[test]
    fn upsert_numbers_parameters_per_dialect() {
        let pg = SPEC.sql(Dialect::Postgres);
        assert!(pg.starts_with("INSERT INTO t (k, a, b, revision, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)"), "{pg}");
        assert!(
            pg.contains("ON CONFLICT (k) DO UPDATE SET a = excluded.a"),
            "{pg}"
        );
        assert!(pg.ends_with("RETURNING revision"));
        let lite = SPEC.sql(Dialect::Sqlite);
        assert!(lite.contains("VALUES (?1, ?2, ?3, 1, ?4, ?4)"), "{lite}");
    }

    #[test]
    fn query_numbers_placeholders_across_filters_and_tail() {
        let mut q = Query::new(Dialect::Postgres, "SELECT * FROM fans f");
        q.filter("f.platform = ?", [Value::from("x")]);
        q.search(&AUDIT_SEARCH, "50%_off");
        let (sql, params) = q.finish("ORDER BY a.id LIMIT ?", [Value::Int(5)]);
        assert!(
            sql.starts_with("SELECT * FROM fans f WHERE f.platform = $1 AND (lower(a.action COLLATE socialcrm_fold) LIKE lower(CAST($2 AS TEXT) COLLATE socialcrm_fold) OR "),
            "{sql}"
        );
        assert!(sql.ends_with("ORDER BY a.id LIMIT $6"), "{sql}");
        assert_eq!(params[1], Value::from("%50\\%\\_off%"));
    }

    #[test]
    fn optional_filters_add_nothing_when_not_given() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut q = Query::new(Dialect::Postgres, "SELECT * FROM posts p");
        q.equals("p.platform", None::<&str>)
            .any_of("p.account", &[])
            .period("p.published_at", None, None);
        assert_eq!(
            q.finish("", []),
            ("SELECT * FROM posts p ".to_string(), vec![])
        );
        let mut q = Query::new(Dialect::Postgres, "SELECT * FROM posts p");
        q.equals("p.platform", Some("x"))
            .any_of("p.account", &["a".to_string(), "b".to_string()])
            .period("p.published_at", Some(t), Some(t));
        let (sql, params) = q.finish("", []);
        assert_eq!(
            sql,
            "SELECT * FROM posts p WHERE p.platform = $1 AND p.account IN ($2, $3) \
             AND p.published_at >= $4 AND p.published_at < $5 "
        );
        assert_eq!(params.len(), 5);
    }

    #[test]
    fn sqlite_search_asks_the_trigram_index_then_checks_each_column() {
        let mut q = Query::new(Dialect::Sqlite, "SELECT * FROM fans f");
        q.search(&FAN_SEARCH, "say \"hi\"");
        let (sql, params) = q.finish("", []);
        assert!(
            sql.contains("f.id IN (SELECT rowid FROM fans_search WHERE fans_search MATCH ?1) AND (instr(socialcrm_fold(f.username), socialcrm_fold(?2)) > 0 OR "),
            "{sql}"
        );
        assert_eq!(
            params[0],
            Value::from("{username display_name platform_user_id} : \"say \"\"hi\"\"\"")
        );
        let mut short = Query::new(Dialect::Sqlite, "SELECT * FROM fans f");
        short.search(&FAN_SEARCH, "hé");
        let (sql, _) = short.finish("", []);
        assert!(
            !sql.contains("MATCH"),
            "two characters are below a trigram: {sql}"
        );
    }
}
