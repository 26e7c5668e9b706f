-- socialcrm schema v3 (PostgreSQL): the `db` secrets backend keeps OAuth tokens here, sealed
-- (XChaCha20-Poly1305 under a key derived from SOCIALCRM_MASTER_KEY), so several cron hosts
-- share one connection's rotating refresh tokens. Never plain text: every column is either a
-- name (key), how the key was derived (kdf: Argon2id parameters and salt), or base64 of random
-- or encrypted bytes. Keep in step with sqlite/migrations/0003_secrets.sql.

CREATE TABLE secrets (
    key        TEXT PRIMARY KEY NOT NULL,
    kdf        TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
