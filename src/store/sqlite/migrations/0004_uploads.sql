-- socialcrm schema v4 (SQLite): the publish ledger of `socialcrm upload`. One row per file
-- (by SHA-256) per account: a finished upload is not posted twice, and an interrupted one
-- resumes its remaining chunks on the saved upload URL. `upload_url` is TikTok's short-lived
-- transfer URL for this one publish (it is never printed). Keep in step with
-- postgres/migrations/0004_uploads.sql.

CREATE TABLE uploads (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    account     TEXT    NOT NULL,
    file_sha256 TEXT    NOT NULL,
    file_size   INTEGER NOT NULL,
    publish_id  TEXT,
    upload_url  TEXT,
    chunk_size  INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL,
    chunks_done INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    post_id     TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (platform, account, file_sha256)
);
