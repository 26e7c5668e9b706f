//! Keyset pagination, written once for every sorted listing (`fans list`, `posts list`, ...).
//!
//! A listing sorted by some key pages with `--after ID`: the id (the unique tiebreaker) of the
//! last row of the previous page. The store looks that row's sort values up
//! ([`Keyset::lookup_columns`] then [`Keyset::cursor`]) and asks for the rows strictly after
//! them in the listing's order ([`Keyset::after`]): a row-value comparison `(k, id) > (v, t)`
//! that both SQLite and PostgreSQL answer with a range scan of an index on `(k, id)`, so a page
//! costs its rows whatever its depth. There is no OFFSET anywhere; rows inserted meanwhile
//! neither shift pages nor are repeated, and nothing is skipped.
//!
//! NULLs: a nullable key is compared and ordered as `COALESCE(column, lowest)` where `lowest`
//! sorts below every real value ([`lowest`]), so NULLs come first in ascending order and last
//! with `--desc`, the same on both backends, and row-value comparisons never meet a NULL (which
//! would make them unknown and lose rows). An index that serves such a sort must be declared on
//! the very same expression (`key.expr(dialect)`), e.g.
//! `CREATE INDEX ... ON fan_accounts (COALESCE(lifetime_spend_cents, -9223372036854775807), id)`.
//!
//! The last key of a [`Keyset`] must be unique (an id): it makes the order total.

use super::StoreError;
use super::sql::Dialect;
use super::value::{Row, Value};

/// Which way every key of a listing sorts (`--desc`); one direction for all, so that one
/// row-value comparison continues a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Lowest first, NULLs first.
    #[default]
    Asc,
    /// Highest first, NULLs last.
    Desc,
}

impl Direction {
    fn sql(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }

    fn operator(self) -> &'static str {
        match self {
            Direction::Asc => ">",
            Direction::Desc => "<",
        }
    }
}

/// What a key holds, which decides the value NULL is replaced by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Integers (ids, cents).
    Int,
    /// Times.
    Time,
    /// Text (usernames).
    Text,
}

/// The value standing in for NULL in a nullable key of `kind`: below every value the CRM
/// stores. Money is clamped to +-9e18 cents; SQLite times are fixed-width text (`''` sorts
/// first); PostgreSQL has `-infinity`.
pub fn lowest(kind: KeyKind, d: Dialect) -> &'static str {
    match (kind, d) {
        (KeyKind::Int, _) => "-9223372036854775807",
        (KeyKind::Time, Dialect::Sqlite) => "''",
        (KeyKind::Time, Dialect::Postgres) => "'-infinity'::timestamptz",
        (KeyKind::Text, _) => "''",
    }
}

/// One column of a listing's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The column as the listing's query names it (`fa.lifetime_spend_cents`).
    pub column: &'static str,
    /// What it holds: picks the value NULL sorts as ([`lowest`]).
    pub kind: KeyKind,
    /// Whether it may be NULL: such a key is compared as `COALESCE(column, lowest)`, and its
    /// index must be on that expression.
    pub nullable: bool,
}

impl Key {
    /// A key that is never NULL (an id, a NOT NULL column).
    pub const fn new(column: &'static str, kind: KeyKind) -> Key {
        Key {
            column,
            kind,
            nullable: false,
        }
    }

    /// A key that may be NULL: ordered as the lowest value.
    pub const fn nullable(column: &'static str, kind: KeyKind) -> Key {
        Key {
            column,
            kind,
            nullable: true,
        }
    }

    /// The expression ordered and compared; an index serving the order must use it verbatim
    /// (with the table's own column name in place of `alias.column`). Text compares byte by
    /// byte on both backends: SQLite's BINARY collation, PostgreSQL's `COLLATE "C"` (a
    /// database's own collation, en_US say, would order differently from SQLite).
    pub fn expr(&self, d: Dialect) -> String {
        let value = if self.nullable {
            format!("COALESCE({}, {})", self.column, lowest(self.kind, d))
        } else {
            self.column.to_string()
        };
        match (self.kind, d) {
            (KeyKind::Text, Dialect::Postgres) => format!("{value} COLLATE \"C\""),
            _ => value,
        }
    }

    /// The placeholder standing for a cursor value of this key.
    fn bound(&self, d: Dialect) -> String {
        if self.nullable {
            format!("COALESCE(?, {})", lowest(self.kind, d))
        } else {
            "?".to_string()
        }
    }
}

/// The sort values of the row a page continues after, in [`Keyset`] key order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor(pub Vec<Value>);

/// A listing's order: keys, the last of them unique, all in one direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyset {
    /// The keys in sort order; the last is unique.
    pub keys: Vec<Key>,
    /// The direction of every key.
    pub direction: Direction,
}

impl Keyset {
    /// `keys` must end with a unique key (the tiebreaker).
    pub fn new(keys: &[Key], direction: Direction) -> Keyset {
        assert!(!keys.is_empty(), "a keyset needs a unique tiebreaker");
        assert!(
            !keys[keys.len() - 1].nullable,
            "the tiebreaker cannot be NULL"
        );
        Keyset {
            keys: keys.to_vec(),
            direction,
        }
    }

    /// The unique tiebreaker (the column `--after` names a row by).
    pub fn tiebreaker(&self) -> &'static str {
        self.keys[self.keys.len() - 1].column
    }

    /// `ORDER BY` without the words: `COALESCE(k, lowest) DESC, id DESC`.
    pub fn order_by(&self, d: Dialect) -> String {
        let dir = self.direction.sql();
        self.keys
            .iter()
            .map(|k| format!("{} {dir}", k.expr(d)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The select list of the query that reads a row's cursor: the raw columns (NULLs stay
    /// NULL, so they bind back as they were), named `keyset_0`, `keyset_1`, ...
    pub fn lookup_columns(&self) -> String {
        self.keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{} AS keyset_{i}", k.column))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The cursor held by a row read with [`Keyset::lookup_columns`].
    pub fn cursor(&self, row: &Row) -> Result<Cursor, StoreError> {
        (0..self.keys.len())
            .map(|i| {
                let name = format!("keyset_{i}");
                row.columns
                    .iter()
                    .position(|c| *c == name)
                    .map(|p| row.values[p].clone())
                    .ok_or_else(|| StoreError::Decode(format!("no column {name}")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Cursor)
    }

    /// The condition (with `?` placeholders, for [`Query::filter`](super::sql::Query::filter))
    /// and its values: rows strictly after `cursor` in this order.
    pub fn after(&self, d: Dialect, cursor: &Cursor) -> (String, Vec<Value>) {
        assert_eq!(cursor.0.len(), self.keys.len(), "one cursor value per key");
        let op = self.direction.operator();
        let values = cursor.0.clone();
        if self.keys.len() == 1 {
            let k = &self.keys[0];
            return (format!("{} {op} {}", k.expr(d), k.bound(d)), values);
        }
        let left: Vec<String> = self.keys.iter().map(|k| k.expr(d)).collect();
        let right: Vec<String> = self.keys.iter().map(|k| k.bound(d)).collect();
        (
            format!("({}) {op} ({})", left.join(", "), right.join(", ")),
            values,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::Query;
    use std::sync::Arc;

    const SPEND: Key = Key::nullable("fa.lifetime_spend_cents", KeyKind::Int);
    const SEEN: Key = Key::nullable("fa.last_seen_at", KeyKind::Time);
    const ID: Key = Key::new("fa.id", KeyKind::Int);

    #[test]
    fn nullable_keys_order_as_the_lowest_value_on_both_dialects() {
        let k = Keyset::new(&[SPEND, ID], Direction::Desc);
        assert_eq!(
            k.order_by(Dialect::Sqlite),
            "COALESCE(fa.lifetime_spend_cents, -9223372036854775807) DESC, fa.id DESC"
        );
        let name = Keyset::new(
            &[Key::nullable("f.username", KeyKind::Text), ID],
            Direction::Asc,
        );
        let seen = Keyset::new(&[SEEN, ID], Direction::Asc);
        let cases = [
            (
                &name,
                Dialect::Postgres,
                "COALESCE(f.username, '') COLLATE \"C\" ASC, fa.id ASC",
            ),
            (
                &name,
                Dialect::Sqlite,
                "COALESCE(f.username, '') ASC, fa.id ASC",
            ),
            (
                &seen,
                Dialect::Postgres,
                "COALESCE(fa.last_seen_at, '-infinity'::timestamptz) ASC, fa.id ASC",
            ),
            (
                &seen,
                Dialect::Sqlite,
                "COALESCE(fa.last_seen_at, '') ASC, fa.id ASC",
            ),
        ];
        for (keyset, dialect, order) in cases {
            assert_eq!(keyset.order_by(dialect), order, "{dialect:?}");
        }
    }

    #[test]
    fn the_page_predicate_is_one_row_value_comparison_in_the_sort_direction() {
        let k = Keyset::new(&[SPEND, ID], Direction::Desc);
        let cursor = Cursor(vec![Value::Null, Value::Int(7)]);
        let (cond, values) = k.after(Dialect::Postgres, &cursor);
        assert_eq!(
            cond,
            "(COALESCE(fa.lifetime_spend_cents, -9223372036854775807), fa.id) < \
             (COALESCE(?, -9223372036854775807), ?)"
        );
        assert_eq!(values, cursor.0);
        let mut q = Query::new(Dialect::Postgres, "SELECT * FROM fan_accounts fa");
        q.filter(&cond, values);
        let (sql, params) = q.finish("LIMIT ?", [Value::Int(10)]);
        assert!(
            sql.contains("(COALESCE($1, -9223372036854775807), $2)"),
            "{sql}"
        );
        assert_eq!(params.len(), 3);

        let by_id = Keyset::new(&[ID], Direction::Asc);
        let (cond, _) = by_id.after(Dialect::Sqlite, &Cursor(vec![Value::Int(3)]));
        assert_eq!(cond, "fa.id > ?");
    }

    #[test]
    fn the_cursor_is_read_back_from_the_lookup_columns() {
        let k = Keyset::new(&[SPEND, ID], Direction::Asc);
        assert_eq!(
            k.lookup_columns(),
            "fa.lifetime_spend_cents AS keyset_0, fa.id AS keyset_1"
        );
        let row = Row {
            columns: Arc::from(vec!["keyset_0".to_string(), "keyset_1".to_string()]),
            values: vec![Value::Null, Value::Int(9)],
        };
        assert_eq!(
            k.cursor(&row).unwrap(),
            Cursor(vec![Value::Null, Value::Int(9)])
        );
        assert_eq!(k.tiebreaker(), "fa.id");
    }

    /// The predicate and order, run on a real SQLite over rows with ties and NULLs, page
    /// through every row exactly once in both directions.
    #[test]
    fn pages_cover_every_row_once_with_ties_and_nulls() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE fan_accounts (id INTEGER PRIMARY KEY, lifetime_spend_cents INTEGER);",
        )
        .unwrap();
        let spends = [
            None,
            Some(5),
            Some(5),
            None,
            Some(-3),
            Some(5),
            Some(0),
            None,
        ];
        for (i, s) in spends.iter().enumerate() {
            db.execute(
                "INSERT INTO fan_accounts VALUES (?1, ?2)",
                rusqlite::params![i as i64 + 1, s],
            )
            .unwrap();
        }
        for dir in [Direction::Asc, Direction::Desc] {
            let k = Keyset::new(&[SPEND, ID], dir);
            let all = page(&db, &k, None, 100);
            assert_eq!(all.len(), spends.len());
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let rows = page(&db, &k, cursor.clone(), 3);
                let Some(last) = rows.last() else { break };
                cursor = Some(Cursor(vec![
                    spends[(*last - 1) as usize].map_or(Value::Null, Value::Int),
                    Value::Int(*last),
                ]));
                seen.extend(rows);
            }
            assert_eq!(seen, all, "{dir:?}");
            let nulls_first = spends[(all[0] - 1) as usize].is_none();
            assert_eq!(nulls_first, dir == Direction::Asc);
        }
    }

    fn page(db: &rusqlite::Connection, k: &Keyset, cursor: Option<Cursor>, limit: i64) -> Vec<i64> {
        let mut q = Query::new(Dialect::Sqlite, "SELECT fa.id FROM fan_accounts fa");
        if let Some(c) = &cursor {
            let (cond, values) = k.after(Dialect::Sqlite, c);
            q.filter(&cond, values);
        }
        let (sql, params) = q.finish(
            &format!("ORDER BY {} LIMIT ?", k.order_by(Dialect::Sqlite)),
            [Value::Int(limit)],
        );
        let mut stmt = db.prepare(&sql).unwrap();
        let params: Vec<rusqlite::types::Value> = params
            .into_iter()
            .map(|v| match v {
                Value::Null => rusqlite::types::Value::Null,
                Value::Int(i) => rusqlite::types::Value::Integer(i),
                other => panic!("{other:?}"),
            })
            .collect();
        stmt.query_map(rusqlite::params_from_iter(params), |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}
