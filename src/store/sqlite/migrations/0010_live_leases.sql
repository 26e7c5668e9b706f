-- socialcrm schema v11 (SQLite): sync claims that die with their holder.
-- A sync now holds each account it syncs by an OS file lock (`<database>.locks/<id>.lock`),
-- which the kernel drops when the process dies; the lease columns stay as the readable record
-- of who holds it: `lease_owner` (host:pid:run) and, new here, `lease_since`. `lease_until` is no
-- longer written (a claim no longer expires by time). A run that takes over an account from a
-- holder that died marks the dead run's `sync_runs` rows `abandoned`, a new status.
-- SQLite cannot change a CHECK constraint, so sync_runs is rebuilt with its rows.
-- Keep in step with postgres/migrations/0011_live_leases.sql.

ALTER TABLE platform_connections ADD COLUMN lease_since TEXT;

CREATE TABLE sync_runs_v11 (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT    NOT NULL UNIQUE,
    connection_id INTEGER REFERENCES platform_connections (id) ON DELETE SET NULL,
    stream        TEXT,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'budget', 'deferred', 'skipped', 'abandoned')),
    rows_read     INTEGER NOT NULL,
    rows_written  INTEGER NOT NULL,
    error         TEXT,
    host          TEXT,
    revision      INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
INSERT INTO sync_runs_v11 (id, run_id, connection_id, stream, started_at, finished_at, status,
    rows_read, rows_written, error, host, revision, created_at, updated_at)
SELECT id, run_id, connection_id, stream, started_at, finished_at, status,
    rows_read, rows_written, error, host, revision, created_at, updated_at FROM sync_runs;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_v11 RENAME TO sync_runs;
