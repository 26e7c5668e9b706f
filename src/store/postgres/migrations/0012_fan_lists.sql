-- socialcrm schema v12 (PostgreSQL): tags, notes and saved segments (issue 17).
--
-- A tag is on a fan identity (fans.id), scoped to one account (the creator an agency tags the
-- fan for) or, with account '', to every account. Tags are normalised by the application
-- (trimmed, lower case, [a-z0-9_-:.], 1 to 40 characters). Notes are append-only: written,
-- never updated. `fan_id` is `fans.id`, and `fans delete` removes tags and notes with the fan;
-- there is no foreign key, since a later migration rebuilding `fans` the SQLite way (create,
-- copy, drop, rename) would cascade the drop into them. A segment is a saved `fans list`
-- filter (JSON), evaluated live. IF NOT EXISTS: a test that rolls a database back to an older
-- version leaves these tables. Keep in step with sqlite/migrations/0012_fan_lists.sql.

CREATE TABLE IF NOT EXISTS fan_tags (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fan_id     BIGINT  NOT NULL,
    account    TEXT    NOT NULL DEFAULT '',
    tag        TEXT    NOT NULL,
    operator   TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (fan_id, account, tag)
);
-- `fans list --tag T`: the fans carrying T, in id order.
CREATE INDEX IF NOT EXISTS fan_tags_by_tag ON fan_tags (tag, fan_id);

CREATE TABLE IF NOT EXISTS fan_notes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fan_id     BIGINT  NOT NULL,
    account    TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL,
    operator   TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS fan_notes_by_fan ON fan_notes (fan_id, created_at);

CREATE TABLE IF NOT EXISTS segments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    definition TEXT    NOT NULL,
    operator   TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
