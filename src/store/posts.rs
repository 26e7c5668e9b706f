//! The SQL of `posts list`, written once for both backends and public so that the tests can
//! `EXPLAIN` exactly what the store runs.
//!
//! Every sort is a [`Keyset`] (`store::keyset`): the sort column (NULL as the lowest value),
//! then the id. Migration v13 (`post_indexes`) declares, for each sort, an index on the very
//! expressions ordered by, alone and after `platform` and after `account`, so the first page
//! of any sort, unfiltered or filtered by platform or account, is read from an index in order
//! and stops at the limit: no full scan, no sort.

use super::keyset::{Cursor, Direction, Key, KeyKind, Keyset};
use super::model::{PostListQuery, PostSort};
use super::sql::{Dialect, POST_SEARCH, Query};
use super::value::Value;

const ID: Key = Key::new("p.id", KeyKind::Int);
const PUBLISHED: Key = Key::nullable("p.published_at", KeyKind::Time);

/// The order of a listing sorted by `sort`.
pub fn keyset(sort: PostSort, descending: bool) -> Keyset {
    let key = match sort {
        PostSort::Published => PUBLISHED,
        PostSort::Views => Key::nullable("p.view_count", KeyKind::Int),
        PostSort::Likes => Key::nullable("p.like_count", KeyKind::Int),
        PostSort::Comments => Key::nullable("p.comment_count", KeyKind::Int),
        PostSort::Shares => Key::nullable("p.share_count", KeyKind::Int),
    };
    let direction = if descending {
        Direction::Desc
    } else {
        Direction::Asc
    };
    Keyset::new(&[key, ID], direction)
}

/// The page's SQL and parameters: the rows after `cursor` (from the start when `None`).
pub fn page_query(d: Dialect, q: &PostListQuery, cursor: Option<&Cursor>) -> (String, Vec<Value>) {
    let keys = keyset(q.sort, q.descending);
    let mut query = Query::new(d, "SELECT p.* FROM posts p");
    query.equals("p.platform", q.platform.as_ref());
    query.equals("p.account", q.account.as_ref());
    // On the indexed expression, so that sorted by publication a date range is an index range.
    let published = PUBLISHED.expr(d);
    if let Some(t) = q.since {
        query.filter(&format!("{published} >= ?"), [t.into()]);
    }
    if let Some(t) = q.until {
        query.filter(
            &format!("{published} < ? AND p.published_at IS NOT NULL"),
            [t.into()],
        );
    }
    if let Some(text) = &q.search {
        query.search(&POST_SEARCH, text);
    }
    if let Some(cursor) = cursor {
        let (condition, values) = keys.after(d, cursor);
        query.filter(&condition, values);
    }
    let limit = Value::Int(i64::from(q.page.limit.clamp(1, super::generic::PAGE_MAX)));
    query.finish(&format!("ORDER BY {} LIMIT ?", keys.order_by(d)), [limit])
}

/// The indexes of migration v13 for `d`, as its files declare them: checked against the files
/// by a test, so the expressions the listing orders by and the indexes cannot drift apart.
pub fn index_statements(d: Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for sort in PostSort::ALL {
        let key = keyset(sort, false).keys[0];
        let expr = key.expr(d).replace("p.", "");
        let name = match sort {
            PostSort::Published => "published",
            PostSort::Views => "views",
            PostSort::Likes => "likes",
            PostSort::Comments => "comments",
            PostSort::Shares => "shares",
        };
        for (prefix, columns) in [
            ("", ""),
            ("platform_", "platform, "),
            ("account_", "account, "),
        ] {
            out.push(format!(
                "CREATE INDEX IF NOT EXISTS posts_by_{prefix}{name} ON posts ({columns}{expr}, id);"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::PlatformId;

    #[test]
    fn the_migration_declares_the_indexes_the_listing_orders_by() {
        for (d, file) in [
            (
                Dialect::Sqlite,
                include_str!("sqlite/migrations/0013_post_indexes.sql"),
            ),
            (
                Dialect::Postgres,
                include_str!("postgres/migrations/0013_post_indexes.sql"),
            ),
        ] {
            let declared: Vec<&str> = file.lines().filter(|l| l.starts_with("CREATE")).collect();
            assert_eq!(declared, index_statements(d), "{d:?}");
        }
    }

    #[test]
    fn a_page_filters_then_continues_after_the_cursor_in_order() {
        let q = PostListQuery {
            platform: Some(PlatformId::Tiktok),
            sort: PostSort::Views,
            descending: true,
            page: super::super::model::Page {
                limit: 20,
                after: Some(7),
            },
            ..PostListQuery::default()
        };
        let cursor = Cursor(vec![Value::Int(10), Value::Int(7)]);
        let (sql, params) = page_query(Dialect::Postgres, &q, Some(&cursor));
        assert_eq!(
            sql,
            "SELECT p.* FROM posts p WHERE p.platform = $1 AND \
             (COALESCE(p.view_count, -9223372036854775807), p.id) < \
             (COALESCE($2, -9223372036854775807), $3) \
             ORDER BY COALESCE(p.view_count, -9223372036854775807) DESC, p.id DESC LIMIT $4"
        );
        assert_eq!(params.len(), 4);
    }
}
