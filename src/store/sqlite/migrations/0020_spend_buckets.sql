-- socialcrm schema v20 (SQLite): each account's paying fans counted per spend bucket, so that
-- the built-in segments' thresholds (whales: the top 1% of an account's paying fans; cold: its
-- median) are found without counting the account's fans (issue 17). Keep in step with
-- postgres/migrations/0020_spend_buckets.sql.
--
-- A bucket is a lifetime spend (cents, > 0) rounded down to two significant digits: 1..99 are
-- exact, then 100..109, 110..119, ..., 1000..1099, ... (at most 90 buckets a decade, each at
-- most 10% wide), so the k-th spend of an account is found by summing at most a few hundred
-- counts and then stepping inside one bucket (`store::generic::fan_lists`). The counts are
-- derived data, like an index: kept by the triggers below in the same transaction as every
-- write to fan_accounts, whatever makes it (imports, sync, restore, erasure, earnings' spend
-- refresh, this migration's backfill), so they are never stale. A bucket whose fans left
-- stays at 0. The update trigger fires only when the spend or account changes.

CREATE TABLE fan_spend_buckets (
    account TEXT    NOT NULL,
    bucket  INTEGER NOT NULL,
    fans    INTEGER NOT NULL,
    PRIMARY KEY (account, bucket)
) WITHOUT ROWID;

INSERT INTO fan_spend_buckets (account, bucket, fans)
SELECT account, CASE WHEN lifetime_spend_cents < 100 THEN lifetime_spend_cents
    ELSE CAST(substr(CAST(lifetime_spend_cents AS TEXT), 1, 2)
        || substr('00000000000000000', 1, length(CAST(lifetime_spend_cents AS TEXT)) - 2) AS INTEGER)
    END, COUNT(*)
FROM fan_accounts WHERE lifetime_spend_cents > 0 GROUP BY 1, 2;

CREATE TRIGGER fan_spend_buckets_insert AFTER INSERT ON fan_accounts
WHEN new.lifetime_spend_cents > 0 BEGIN
    INSERT INTO fan_spend_buckets (account, bucket, fans)
    VALUES (new.account, CASE WHEN new.lifetime_spend_cents < 100 THEN new.lifetime_spend_cents
        ELSE CAST(substr(CAST(new.lifetime_spend_cents AS TEXT), 1, 2)
            || substr('00000000000000000', 1, length(CAST(new.lifetime_spend_cents AS TEXT)) - 2) AS INTEGER)
        END, 1)
    ON CONFLICT (account, bucket) DO UPDATE SET fans = fans + 1;
END;

CREATE TRIGGER fan_spend_buckets_delete AFTER DELETE ON fan_accounts
WHEN old.lifetime_spend_cents > 0 BEGIN
    UPDATE fan_spend_buckets SET fans = fans - 1
    WHERE account = old.account AND bucket = CASE WHEN old.lifetime_spend_cents < 100
        THEN old.lifetime_spend_cents
        ELSE CAST(substr(CAST(old.lifetime_spend_cents AS TEXT), 1, 2)
            || substr('00000000000000000', 1, length(CAST(old.lifetime_spend_cents AS TEXT)) - 2) AS INTEGER)
        END;
END;

-- lifetime_spend_cents is generated from exported_spend_cents and paid_cents.
CREATE TRIGGER fan_spend_buckets_update AFTER UPDATE OF account, exported_spend_cents, paid_cents
ON fan_accounts
WHEN (old.account IS NOT new.account OR old.lifetime_spend_cents IS NOT new.lifetime_spend_cents)
    AND (old.lifetime_spend_cents > 0 OR new.lifetime_spend_cents > 0) BEGIN
    UPDATE fan_spend_buckets SET fans = fans - 1
    WHERE old.lifetime_spend_cents > 0 AND account = old.account
        AND bucket = CASE WHEN old.lifetime_spend_cents < 100 THEN old.lifetime_spend_cents
        ELSE CAST(substr(CAST(old.lifetime_spend_cents AS TEXT), 1, 2)
            || substr('00000000000000000', 1, length(CAST(old.lifetime_spend_cents AS TEXT)) - 2) AS INTEGER)
        END;
    INSERT INTO fan_spend_buckets (account, bucket, fans)
    SELECT new.account, CASE WHEN new.lifetime_spend_cents < 100 THEN new.lifetime_spend_cents
        ELSE CAST(substr(CAST(new.lifetime_spend_cents AS TEXT), 1, 2)
            || substr('00000000000000000', 1, length(CAST(new.lifetime_spend_cents AS TEXT)) - 2) AS INTEGER)
        END, 1
    WHERE new.lifetime_spend_cents > 0
    ON CONFLICT (account, bucket) DO UPDATE SET fans = fans + 1;
END;
