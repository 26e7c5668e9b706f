-- socialcrm schema v7 (SQLite): sync_runs names the outcomes of a stream that stopped short
-- without failing: `budget` (its read budget for the run was spent), `deferred` (a rate limit
-- resets too late to wait for) and `skipped` (the app may not use the endpoint). They were
-- recorded as partial and failed, which told cron operators a skipped stream had failed.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt with its rows.
-- Keep in step with postgres/migrations/0007_sync_run_outcomes.sql.

CREATE TABLE sync_runs_v7 (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT    NOT NULL UNIQUE,
    connection_id INTEGER REFERENCES platform_connections (id) ON DELETE SET NULL,
    stream        TEXT,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'budget', 'deferred', 'skipped')),
    rows_read     INTEGER NOT NULL,
    rows_written  INTEGER NOT NULL,
    error         TEXT,
    host          TEXT,
    revision      INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
INSERT INTO sync_runs_v7 SELECT * FROM sync_runs;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_v7 RENAME TO sync_runs;
