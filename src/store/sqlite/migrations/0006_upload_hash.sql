-- socialcrm schema v6 (SQLite): the upload ledger's content hash names its algorithm.
-- New rows hold `xxh3:<hex>` (XXH3-128: an upload hashes every byte it sends, and SHA-256 cost
-- more CPU than sending them); rows written before hold SHA-256 and are tagged `sha256:` so
-- that they keep matching the files they describe. Keep in step with
-- postgres/migrations/0006_upload_hash.sql.

ALTER TABLE uploads RENAME COLUMN file_sha256 TO file_hash;
UPDATE uploads SET file_hash = 'sha256:' || file_hash WHERE file_hash IS NOT NULL;
