-- socialcrm schema v17 (SQLite): OnlyFans tracking-link statistics (issue 18, "revenue traced
-- to posts"), from `import-csv onlyfans links`.
--
-- One row per link and period: `link_key` is the link's URL normalised (no scheme, host
-- lowercased without `www.`, no trailing slash or fragment; `platforms::onlyfans::links`), the
-- form a post's caption is searched for; `url` is the URL as the export wrote it. `period` is
-- `all` for an export of lifetime totals, else the period's start and end as the file gave
-- them (`<start>/<end>`, RFC 3339, end empty when the export has a start only), so that a
-- re-import of the same file updates the same rows and a monthly export adds one row per month.
-- Money is exact cents. Links carry no personal data: erasing a fan leaves them alone. Keep in
-- step with postgres/migrations/0017_tracking_links.sql.

CREATE TABLE tracking_links (
    id              INTEGER PRIMARY KEY,
    account         TEXT    NOT NULL,
    link_key        TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    name            TEXT,
    url             TEXT    NOT NULL,
    period_start    TEXT,
    period_end      TEXT,
    clicks          INTEGER,
    subscribers     INTEGER,
    revenue_cents   INTEGER,
    currency        TEXT,
    link_created_at TEXT,
    revision        INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (account, link_key, period)
);
CREATE INDEX tracking_links_by_period ON tracking_links (period_start);
