-- socialcrm schema v8 (PostgreSQL): webhook deliveries already recorded, so that a replay is
-- refused after a restart too, and by every host sharing this database. X signs no timestamp,
-- so a delivery is known by its content (the SHA-256 of its body), and forgotten once
-- `expires_at` has passed (rows then go at the next delivery).
-- IF NOT EXISTS: a test that rolls a database back to an older version leaves this table.
-- Keep in step with sqlite/migrations/0008_webhook_replays.sql.

CREATE TABLE IF NOT EXISTS webhook_replays (
    platform   TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, key)
);
CREATE INDEX IF NOT EXISTS webhook_replays_expires_at ON webhook_replays (expires_at);
