-- socialcrm schema v20 (PostgreSQL): each account's paying fans counted per spend bucket, so
-- that the built-in segments' thresholds (whales: the top 1% of an account's paying fans; cold:
-- its median) are found without counting the account's fans (issue 17). Keep in step with
-- sqlite/migrations/0020_spend_buckets.sql.
--
-- A bucket is a lifetime spend (cents, > 0) rounded down to two significant digits: 1..99 are
-- exact, then 100..109, 110..119, ..., 1000..1099, ... (at most 90 buckets a decade, each at
-- most 10% wide), so the k-th spend of an account is found by summing at most a few hundred
-- counts and then stepping inside one bucket (`store::generic::fan_lists`). The counts are
-- derived data, like an index: kept by the triggers below in the same transaction as every
-- write to fan_accounts, whatever makes it (imports, sync, restore, erasure, earnings' spend
-- refresh, this migration's backfill), so they are never stale. A bucket whose fans left
-- stays at 0.
--
-- The triggers are per statement, over the statement's transition tables: a COPY or an
-- INSERT ... SELECT of a million relationships adds one aggregate, not a million updates, and
-- an update that changes neither spend nor account nets to nothing and writes nothing. The
-- buckets are written in (account, bucket) order, so that two writers lock them in one order.

CREATE TABLE fan_spend_buckets (
    account TEXT   NOT NULL,
    bucket  BIGINT NOT NULL,
    fans    BIGINT NOT NULL,
    PRIMARY KEY (account, bucket)
);

CREATE FUNCTION fan_spend_bucket(cents BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN cents < 100 THEN cents
    ELSE (left(cents::text, 2) || repeat('0', length(cents::text) - 2))::bigint END;

INSERT INTO fan_spend_buckets (account, bucket, fans)
SELECT account, fan_spend_bucket(lifetime_spend_cents), COUNT(*)
FROM fan_accounts WHERE lifetime_spend_cents > 0 GROUP BY 1, 2;

-- Adds the net change of one statement's old (removed) and new (added) rows.
CREATE FUNCTION fan_spend_buckets_apply() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO fan_spend_buckets AS b (account, bucket, fans)
        SELECT account, fan_spend_bucket(lifetime_spend_cents), COUNT(*) FROM added
        WHERE lifetime_spend_cents > 0 GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (account, bucket) DO UPDATE SET fans = b.fans + excluded.fans;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE fan_spend_buckets b SET fans = b.fans - d.n
        FROM (SELECT account, fan_spend_bucket(lifetime_spend_cents) AS bucket, COUNT(*) AS n
              FROM removed WHERE lifetime_spend_cents > 0 GROUP BY 1, 2 ORDER BY 1, 2) d
        WHERE b.account = d.account AND b.bucket = d.bucket;
    ELSE
        INSERT INTO fan_spend_buckets AS b (account, bucket, fans)
        SELECT account, bucket, SUM(n) FROM (
            SELECT account, fan_spend_bucket(lifetime_spend_cents) AS bucket, 1 AS n
            FROM added WHERE lifetime_spend_cents > 0
            UNION ALL
            SELECT account, fan_spend_bucket(lifetime_spend_cents), -1
            FROM removed WHERE lifetime_spend_cents > 0) c
        GROUP BY 1, 2 HAVING SUM(n) <> 0 ORDER BY 1, 2
        ON CONFLICT (account, bucket) DO UPDATE SET fans = b.fans + excluded.fans;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER fan_spend_buckets_insert AFTER INSERT ON fan_accounts
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION fan_spend_buckets_apply();
CREATE TRIGGER fan_spend_buckets_update AFTER UPDATE ON fan_accounts
REFERENCING OLD TABLE AS removed NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION fan_spend_buckets_apply();
CREATE TRIGGER fan_spend_buckets_delete AFTER DELETE ON fan_accounts
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION fan_spend_buckets_apply();
