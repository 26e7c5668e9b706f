-- socialcrm schema v5 (SQLite): a connection's sync lease. A worker claims a connection by
-- setting these in one conditional UPDATE; a lease past its time (a crashed worker's) can be
-- claimed again. Keep in step with postgres/migrations/0005_sync_leases.sql.

ALTER TABLE platform_connections ADD COLUMN lease_owner TEXT;
ALTER TABLE platform_connections ADD COLUMN lease_until TEXT;
ALTER TABLE platform_connections ADD COLUMN lease_released_at TEXT;
