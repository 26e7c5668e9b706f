-- socialcrm schema v4 (PostgreSQL): the publish ledger of `socialcrm upload`. One row per file
-- (by SHA-256) per account: a finished upload is not posted twice, and an interrupted one
-- resumes its remaining chunks on the saved upload URL. `file_fingerprint` (SHA-256 of the
-- size and the first and last MiB) finds candidates at once; `file_sha256` is NULL while the
-- whole file is still being hashed, alongside the first chunks of a file the ledger has never
-- seen. `upload_url` is TikTok's short-lived
-- transfer URL for this one publish (it is never printed). Keep in step with
-- sqlite/migrations/0004_uploads.sql.

CREATE TABLE uploads (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    TEXT    NOT NULL,
    account     TEXT    NOT NULL,
    file_sha256 TEXT,
    file_fingerprint TEXT NOT NULL,
    file_size   BIGINT  NOT NULL,
    publish_id  TEXT,
    upload_url  TEXT,
    chunk_size  BIGINT  NOT NULL,
    chunk_count BIGINT  NOT NULL,
    chunks_done BIGINT  NOT NULL,
    status      TEXT    NOT NULL,
    post_id     TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, account, file_sha256)
);

CREATE INDEX uploads_fingerprint ON uploads (platform, account, file_fingerprint);
