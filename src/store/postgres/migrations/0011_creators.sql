-- socialcrm schema v11 (PostgreSQL): creators as a dimension.
--
-- A fan stays one platform identity in `fans` (who they are: platform, platform user id,
-- username, display name). What they are to one creator — the local account name an agency
-- works for — is a row of `fan_accounts`: status, subscribed since, first/last seen, spend,
-- currency, source. Two creators' exports sharing a fan no longer overwrite each other.
--
-- Messages carry their account, and their key becomes (platform, account, platform_message_id):
-- OnlyFans export message ids are numbered per creator's export, so two creators' files can
-- give the same id to different messages; and a DM between two connected accounts is in both
-- inboxes. Payments (analytics events with a fan) count toward the relationship of their own
-- account only.
--
-- Existing rows move over, none lost: a row of a platform with a connection goes to that
-- platform's first connected account (before v11 the CRM could not tell which account a fan
-- came from, and `accounts remove` treated them platform-wide); imports (OnlyFans, which has
-- no connections) go to `default`, as do CSV events, whose account was empty. The relationship
-- keeps the fan's id, so a relationship id equals its fan id for migrated rows.
-- `subscribed_at` is new: NULL until an export gives it. Keep in step with
-- sqlite/migrations/0011_creators.sql.

CREATE TABLE fan_accounts (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_user_id     TEXT    NOT NULL,
    account              TEXT    NOT NULL,
    status               TEXT,
    subscribed_at        TIMESTAMPTZ,
    first_seen_at        TIMESTAMPTZ,
    last_seen_at         TIMESTAMPTZ,
    exported_spend_cents BIGINT,
    paid_cents           BIGINT,
    lifetime_spend_cents BIGINT GENERATED ALWAYS AS (
        CASE WHEN paid_cents IS NULL OR exported_spend_cents >= paid_cents
             THEN exported_spend_cents ELSE paid_cents END
    ) STORED,
    currency             TEXT,
    source               TEXT    NOT NULL,
    revision             BIGINT  NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    -- Key order (platform, platform_user_id, account): the same index finds a fan's
    -- relationships from the identity.
    UNIQUE (platform, platform_user_id, account)
);

INSERT INTO fan_accounts (id, platform, platform_user_id, account, status, first_seen_at,
    last_seen_at, exported_spend_cents, paid_cents, currency, source, revision, created_at,
    updated_at)
OVERRIDING SYSTEM VALUE
SELECT f.id, f.platform, f.platform_user_id,
    COALESCE((SELECT c.account FROM platform_connections c WHERE c.platform = f.platform
              ORDER BY c.id LIMIT 1), 'default'),
    f.status, f.first_seen_at, f.last_seen_at, f.exported_spend_cents, f.paid_cents, f.currency,
    f.source, f.revision, f.created_at, f.updated_at
FROM fans f;
SELECT setval(pg_get_serial_sequence('fan_accounts', 'id'), COALESCE(MAX(id), 0) + 1, false)
FROM fan_accounts;

ALTER TABLE fans DROP COLUMN lifetime_spend_cents;
ALTER TABLE fans DROP COLUMN status, DROP COLUMN first_seen_at, DROP COLUMN last_seen_at,
    DROP COLUMN exported_spend_cents, DROP COLUMN paid_cents, DROP COLUMN currency,
    DROP COLUMN source;

ALTER TABLE messages ADD COLUMN account TEXT;
UPDATE messages m SET account = COALESCE((SELECT c.account FROM platform_connections c
    WHERE c.platform = m.platform ORDER BY c.id LIMIT 1), 'default');
ALTER TABLE messages ALTER COLUMN account SET NOT NULL;
ALTER TABLE messages DROP CONSTRAINT messages_platform_platform_message_id_key;
ALTER TABLE messages ADD CONSTRAINT messages_platform_account_platform_message_id_key
    UNIQUE (platform, account, platform_message_id);
DROP INDEX messages_by_fan;

UPDATE analytics_events SET account = 'default' WHERE account = '';

-- Every listing's first page is read from an index (tests/store.rs checks the plans). A
-- nullable sort key is indexed as the keyset's expression (store/keyset.rs): NULL as the
-- lowest value, so one index serves both directions.
CREATE INDEX fans_by_lower_username ON fans (platform, LOWER(username), id);
-- Usernames sort byte by byte, as on SQLite, whatever the database's collation.
CREATE INDEX fans_by_username ON fans ((COALESCE(username, '') COLLATE "C"), id);
CREATE INDEX fan_accounts_by_account ON fan_accounts (account, id);
CREATE INDEX fan_accounts_by_platform ON fan_accounts (platform, id);
CREATE INDEX fan_accounts_by_status ON fan_accounts (status, id);
CREATE INDEX fan_accounts_by_spend ON fan_accounts (COALESCE(lifetime_spend_cents, -9223372036854775807), id);
CREATE INDEX fan_accounts_by_account_spend ON fan_accounts (account, COALESCE(lifetime_spend_cents, -9223372036854775807), id);
CREATE INDEX fan_accounts_by_last_seen ON fan_accounts (COALESCE(last_seen_at, '-infinity'::timestamptz), id);
CREATE INDEX fan_accounts_by_account_last_seen ON fan_accounts (account, COALESCE(last_seen_at, '-infinity'::timestamptz), id);
CREATE INDEX fan_accounts_by_first_seen ON fan_accounts (COALESCE(first_seen_at, '-infinity'::timestamptz), id);
CREATE INDEX fan_accounts_by_account_first_seen ON fan_accounts (account, COALESCE(first_seen_at, '-infinity'::timestamptz), id);

-- A fan's messages newest first (fans show, messages list --fan), and (covering) their count
-- per account.
CREATE INDEX messages_by_fan ON messages (platform, fan_platform_user_id, sent_at, id, account);
CREATE INDEX messages_by_account ON messages (account, sent_at, id);
CREATE INDEX messages_by_platform ON messages (platform, sent_at, id);
