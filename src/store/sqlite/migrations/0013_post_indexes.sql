-- socialcrm schema v13 (SQLite): indexes for `posts list`, one per sort, alone and after each
-- filter (platform, account). Each is declared on the very expressions the listing orders by
-- (store/posts.rs, through store/keyset.rs: the sort column with NULL as the lowest value, then
-- id), so the first page of every sort is read from an index in order and stops at its limit,
-- with no full scan and no sort; `--after` continues with a range scan of the same index.
-- IF NOT EXISTS: a test that rolls a database back to an older version leaves these indexes.
-- src/store/posts.rs checks this file against the listing's expressions. Keep in step with
-- postgres/migrations/0013_post_indexes.sql.

CREATE INDEX IF NOT EXISTS posts_by_published ON posts (COALESCE(published_at, ''), id);
CREATE INDEX IF NOT EXISTS posts_by_platform_published ON posts (platform, COALESCE(published_at, ''), id);
CREATE INDEX IF NOT EXISTS posts_by_account_published ON posts (account, COALESCE(published_at, ''), id);
CREATE INDEX IF NOT EXISTS posts_by_views ON posts (COALESCE(view_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_platform_views ON posts (platform, COALESCE(view_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_account_views ON posts (account, COALESCE(view_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_likes ON posts (COALESCE(like_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_platform_likes ON posts (platform, COALESCE(like_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_account_likes ON posts (account, COALESCE(like_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_comments ON posts (COALESCE(comment_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_platform_comments ON posts (platform, COALESCE(comment_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_account_comments ON posts (account, COALESCE(comment_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_shares ON posts (COALESCE(share_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_platform_shares ON posts (platform, COALESCE(share_count, -9223372036854775807), id);
CREATE INDEX IF NOT EXISTS posts_by_account_shares ON posts (account, COALESCE(share_count, -9223372036854775807), id);
