-- socialcrm schema v11 (SQLite): creators as a dimension.
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
-- postgres/migrations/0011_creators.sql.

CREATE TABLE fan_accounts (
    id                   INTEGER PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_user_id     TEXT    NOT NULL,
    account              TEXT    NOT NULL,
    status               TEXT,
    subscribed_at        TEXT,
    first_seen_at        TEXT,
    last_seen_at         TEXT,
    exported_spend_cents INTEGER,
    paid_cents           INTEGER,
    lifetime_spend_cents INTEGER GENERATED ALWAYS AS (
        CASE WHEN paid_cents IS NULL OR exported_spend_cents >= paid_cents
             THEN exported_spend_cents ELSE paid_cents END
    ) VIRTUAL,
    currency             TEXT,
    source               TEXT    NOT NULL,
    revision             INTEGER NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    -- Key order (platform, platform_user_id, account): the same index finds a fan's
    -- relationships from the identity.
    UNIQUE (platform, platform_user_id, account)
);

INSERT INTO fan_accounts (id, platform, platform_user_id, account, status, first_seen_at,
    last_seen_at, exported_spend_cents, paid_cents, currency, source, revision, created_at,
    updated_at)
SELECT f.id, f.platform, f.platform_user_id,
    COALESCE((SELECT c.account FROM platform_connections c WHERE c.platform = f.platform
              ORDER BY c.id LIMIT 1), 'default'),
    f.status, f.first_seen_at, f.last_seen_at, f.exported_spend_cents, f.paid_cents, f.currency,
    f.source, f.revision, f.created_at, f.updated_at
FROM fans f;

CREATE TABLE fans_v11 (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_user_id TEXT    NOT NULL,
    username         TEXT,
    display_name     TEXT,
    revision         INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (platform, platform_user_id)
);
INSERT INTO fans_v11 (id, platform, platform_user_id, username, display_name, revision,
    created_at, updated_at)
SELECT id, platform, platform_user_id, username, display_name, revision, created_at, updated_at
FROM fans;
DROP TABLE fans;
ALTER TABLE fans_v11 RENAME TO fans;

CREATE TABLE messages_v11 (
    id                   INTEGER PRIMARY KEY,
    platform             TEXT    NOT NULL,
    platform_message_id  TEXT    NOT NULL,
    fan_platform_user_id TEXT,
    direction            TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    kind                 TEXT    NOT NULL,
    body                 TEXT,
    sent_at              TEXT    NOT NULL,
    thread_ref           TEXT,
    post_ref             TEXT,
    revision             INTEGER NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    -- Last, as PostgreSQL's ALTER TABLE ... ADD COLUMN puts it: both backends keep one column
    -- order, so exports are the same whichever holds the CRM.
    account              TEXT    NOT NULL,
    UNIQUE (platform, account, platform_message_id)
);
INSERT INTO messages_v11 (id, platform, account, platform_message_id, fan_platform_user_id,
    direction, kind, body, sent_at, thread_ref, post_ref, revision, created_at, updated_at)
SELECT m.id, m.platform,
    COALESCE((SELECT c.account FROM platform_connections c WHERE c.platform = m.platform
              ORDER BY c.id LIMIT 1), 'default'),
    m.platform_message_id, m.fan_platform_user_id, m.direction, m.kind, m.body, m.sent_at,
    m.thread_ref, m.post_ref, m.revision, m.created_at, m.updated_at
FROM messages m;
DROP TABLE messages;
ALTER TABLE messages_v11 RENAME TO messages;

UPDATE analytics_events SET account = 'default' WHERE account = '';

-- Every listing's first page is read from an index (tests/store.rs checks the plans). A
-- nullable sort key is indexed as the keyset's expression (store/keyset.rs): NULL as the
-- lowest value. SQLite ends every index with the rowid, so `(x)` serves `ORDER BY x, id`.
CREATE INDEX fans_by_lower_username ON fans (platform, LOWER(username));
CREATE INDEX fans_by_username ON fans (COALESCE(username, ''));
CREATE INDEX fan_accounts_by_account ON fan_accounts (account);
CREATE INDEX fan_accounts_by_platform ON fan_accounts (platform);
CREATE INDEX fan_accounts_by_status ON fan_accounts (status);
CREATE INDEX fan_accounts_by_spend ON fan_accounts (COALESCE(lifetime_spend_cents, -9223372036854775807));
CREATE INDEX fan_accounts_by_account_spend ON fan_accounts (account, COALESCE(lifetime_spend_cents, -9223372036854775807));
CREATE INDEX fan_accounts_by_last_seen ON fan_accounts (COALESCE(last_seen_at, ''));
CREATE INDEX fan_accounts_by_account_last_seen ON fan_accounts (account, COALESCE(last_seen_at, ''));
CREATE INDEX fan_accounts_by_first_seen ON fan_accounts (COALESCE(first_seen_at, ''));
CREATE INDEX fan_accounts_by_account_first_seen ON fan_accounts (account, COALESCE(first_seen_at, ''));

-- A fan's messages newest first (fans show, messages list --fan), and (covering) their count
-- per account.
CREATE INDEX messages_by_fan ON messages (platform, fan_platform_user_id, sent_at, id, account);
CREATE INDEX messages_by_time ON messages (sent_at, id);
CREATE INDEX messages_by_account ON messages (account, sent_at, id);
CREATE INDEX messages_by_platform ON messages (platform, sent_at, id);
