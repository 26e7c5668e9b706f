-- socialcrm schema v1 (SQLite). Times are fixed-width RFC 3339 UTC text (see store/value.rs),
-- money is integer minor units. Every table carries revision/created_at/updated_at for the
-- shared upsert (store/sql.rs). Keep in step with postgres/migrations/0001_initial.sql.

CREATE TABLE platform_connections (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    account          TEXT    NOT NULL,
    platform_user_id TEXT,
    username         TEXT,
    scopes           TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('active', 'needs_reauth', 'revoked')),
    token_expires_at TEXT,
    secret_ref       TEXT,
    connected_at     TEXT,
    last_sync_at     TEXT,
    revision         INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (platform, account)
);

CREATE TABLE fans (
    id                   INTEGER PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_user_id     TEXT    NOT NULL,
    username             TEXT,
    display_name         TEXT,
    status               TEXT,
    first_seen_at        TEXT,
    last_seen_at         TEXT,
    lifetime_spend_cents INTEGER,
    currency             TEXT,
    source               TEXT    NOT NULL,
    revision             INTEGER NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    UNIQUE (platform, platform_user_id)
);
CREATE INDEX fans_by_username ON fans (platform, username);

CREATE TABLE messages (
    id                   INTEGER PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_message_id  TEXT    NOT NULL,
    fan_platform_user_id TEXT,
    direction            TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    kind                 TEXT    NOT NULL,
    body                 TEXT,
    sent_at              TEXT    NOT NULL,
    thread_ref           TEXT,
    post_ref             TEXT,
    revision             INTEGER NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    UNIQUE (platform, platform_message_id)
);
CREATE INDEX messages_by_fan ON messages (platform, fan_platform_user_id);
CREATE INDEX messages_by_time ON messages (sent_at, id);

CREATE TABLE posts (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_post_id TEXT    NOT NULL,
    account          TEXT,
    caption          TEXT,
    url              TEXT,
    media_type       TEXT,
    published_at     TEXT,
    view_count       INTEGER,
    like_count       INTEGER,
    comment_count    INTEGER,
    share_count      INTEGER,
    metrics_at       TEXT,
    revision         INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (platform, platform_post_id)
);

CREATE TABLE analytics_events (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    subject_type TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    metric       TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    period_start TEXT    NOT NULL,
    value        REAL    NOT NULL,
    unit         TEXT,
    revision     INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (platform, account, subject_type, subject_id, metric, period, period_start)
);
CREATE INDEX analytics_by_metric_time ON analytics_events (metric, period_start);

CREATE TABLE sync_state (
    connection_id   INTEGER NOT NULL REFERENCES platform_connections (id) ON DELETE CASCADE,
    stream          TEXT    NOT NULL,
    cursor          TEXT,
    high_water_mark TEXT,
    revision        INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (connection_id, stream)
);

CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT    NOT NULL UNIQUE,
    connection_id INTEGER REFERENCES platform_connections (id) ON DELETE SET NULL,
    stream        TEXT,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    rows_read     INTEGER NOT NULL,
    rows_written  INTEGER NOT NULL,
    error         TEXT,
    host          TEXT,
    revision      INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    event_id   TEXT    NOT NULL UNIQUE,
    at         TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    platform   TEXT,
    account    TEXT,
    outcome    TEXT    NOT NULL,
    detail     TEXT,
    revision   INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (at, id);
