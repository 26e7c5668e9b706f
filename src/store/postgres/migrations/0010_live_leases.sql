-- socialcrm schema v11 (PostgreSQL): sync claims that die with their holder.
-- A sync now holds each account it syncs by a session advisory lock (keyed by schema and
-- connection id), which the server drops when the session ends; the lease columns stay as the
-- readable record of who holds it: `lease_owner` (host:pid:run) and, new here, `lease_since`.
-- `lease_until` is no longer written (a claim no longer expires by time). A run that takes over
-- an account from a holder that died marks the dead run's `sync_runs` rows `abandoned`, a new
-- status. Keep in step with sqlite/migrations/0011_live_leases.sql.

ALTER TABLE platform_connections ADD COLUMN lease_since TIMESTAMPTZ;

ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'budget', 'deferred', 'skipped', 'abandoned'));
