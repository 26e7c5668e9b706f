-- socialcrm schema v16 (PostgreSQL): one person across platforms (issue 18).
--
-- A person groups fan identities (`fans` rows, one per platform identity). `person_links`
-- holds the graph, one row per linked identity (a fan belongs to at most one person);
-- `people` one row per person. Every operator decision (link, unlink, accept, reject) is a
-- row of `person_decisions` with who decided, when, the fan ids and the evidence (JSON):
-- the log only grows, while unlinking deletes exactly the rows its link added. A rejected
-- pair (lower fan id first) is a row of `person_rejections`, which `people suggest` never
-- proposes again: fan ids survive re-imports and syncs (upserts keep them).
--
-- Suggestions are found by blocking on the normalised handle: `handle_key` is the username
-- lowercased with `@ _ . -` removed, `handle_stem` the same without trailing digits. Both are
-- generated columns (STORED here, VIRTUAL on SQLite) written as one expression on both
-- backends; the index on the stem serves the GROUP BY that lists candidate blocks. Text
-- columns compare in "C" order so both backends group and page alike. Keep in step with
-- sqlite/migrations/0016_people.sql.

CREATE TABLE people (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE person_links (
    fan_id      BIGINT PRIMARY KEY,
    person_id   BIGINT      NOT NULL,
    decision_id BIGINT      NOT NULL,
    linked_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX person_links_by_person ON person_links (person_id, fan_id);

CREATE TABLE person_decisions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action     TEXT   NOT NULL CHECK (action IN ('link', 'unlink', 'accept', 'reject')),
    person_id  BIGINT,
    fan_ids    TEXT   NOT NULL,
    operator   TEXT   NOT NULL,
    evidence   TEXT,
    note       TEXT,
    decided_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE person_rejections (
    fan_low     BIGINT NOT NULL,
    fan_high    BIGINT NOT NULL,
    decision_id BIGINT NOT NULL,
    PRIMARY KEY (fan_low, fan_high)
);

ALTER TABLE fans ADD COLUMN handle_key TEXT COLLATE "C" GENERATED ALWAYS AS (
    REPLACE(REPLACE(REPLACE(REPLACE(LOWER(TRIM(username)), '@', ''), '_', ''), '.', ''), '-', '')
) STORED;
ALTER TABLE fans ADD COLUMN handle_stem TEXT COLLATE "C" GENERATED ALWAYS AS (
    RTRIM(REPLACE(REPLACE(REPLACE(REPLACE(LOWER(TRIM(username)), '@', ''), '_', ''), '.', ''), '-', ''),
          '0123456789')
) STORED;
CREATE INDEX fans_by_handle_stem ON fans (handle_stem, platform);
CREATE INDEX fans_by_handle_key ON fans (handle_key, platform);
