-- socialcrm schema v1 (PostgreSQL). Times are TIMESTAMPTZ, money is integer minor units.
-- Every table carries revision/created_at/updated_at for the shared upsert (store/sql.rs). Keep in step with sqlite/migrations/0001_initial.sql.

CREATE TABLE platform_connections (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         TEXT    NOT NULL,
    account          TEXT    NOT NULL,
    platform_user_id TEXT,
    username         TEXT,
    scopes           TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('active', 'needs_reauth', 'revoked')),
    token_expires_at TIMESTAMPTZ,
    secret_ref       TEXT,
    connected_at     TIMESTAMPTZ,
    last_sync_at     TIMESTAMPTZ,
    revision         BIGINT  NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, account)
);

CREATE TABLE fans (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_user_id     TEXT    NOT NULL,
    username             TEXT,
    display_name         TEXT,
    status               TEXT,
    first_seen_at        TIMESTAMPTZ,
    last_seen_at         TIMESTAMPTZ,
    lifetime_spend_cents BIGINT,
    currency             TEXT,
    source               TEXT    NOT NULL,
    revision             BIGINT  NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, platform_user_id)
);
CREATE INDEX fans_by_username ON fans (platform, username);

CREATE TABLE messages (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_message_id  TEXT    NOT NULL,
    fan_platform_user_id TEXT,
    direction            TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    kind                 TEXT    NOT NULL,
    body                 TEXT,
    sent_at              TIMESTAMPTZ NOT NULL,
    thread_ref           TEXT,
    post_ref             TEXT,
    revision             BIGINT  NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, platform_message_id)
);
CREATE INDEX messages_by_fan ON messages (platform, fan_platform_user_id);
CREATE INDEX messages_by_time ON messages (sent_at, id);

CREATE TABLE posts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_post_id TEXT    NOT NULL,
    account          TEXT,
    caption          TEXT,
    url              TEXT,
    media_type       TEXT,
    published_at     TIMESTAMPTZ,
    view_count       BIGINT,
    like_count       BIGINT,
    comment_count    BIGINT,
    share_count      BIGINT,
    metrics_at       TIMESTAMPTZ,
    revision         BIGINT  NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, platform_post_id)
);

CREATE TABLE analytics_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform     TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    subject_type TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    metric       TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    period_start TIMESTAMPTZ NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    unit         TEXT,
    revision     BIGINT  NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, account, subject_type, subject_id, metric, period, period_start)
);
CREATE INDEX analytics_by_metric_time ON analytics_events (metric, period_start);

CREATE TABLE sync_state (
    connection_id   BIGINT  NOT NULL REFERENCES platform_connections (id) ON DELETE CASCADE,
    stream          TEXT    NOT NULL,
    cursor          TEXT,
    high_water_mark TIMESTAMPTZ,
    revision        BIGINT  NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (connection_id, stream)
);

CREATE TABLE sync_runs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id        TEXT    NOT NULL UNIQUE,
    connection_id BIGINT REFERENCES platform_connections (id) ON DELETE SET NULL,
    stream        TEXT,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    rows_read     BIGINT  NOT NULL,
    rows_written  BIGINT  NOT NULL,
    error         TEXT,
    host          TEXT,
    revision      BIGINT  NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   TEXT    NOT NULL UNIQUE,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    platform   TEXT,
    account    TEXT,
    outcome    TEXT    NOT NULL,
    detail     TEXT,
    revision   BIGINT  NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (at, id);
