-- socialcrm schema v19 (PostgreSQL): two indexes of fan relationships, so that two more fan
-- listings read their first page from an index (issue 17). Keep in step with
-- sqlite/migrations/0019_segment_indexes.sql.
--
-- `fans list --status S --sort spend [--desc]`: the status's relationships in the keyset's
-- spend order (NULL as the lowest, then id), instead of every relationship of the status read
-- and sorted.
CREATE INDEX fan_accounts_by_status_spend ON fan_accounts
    (status, COALESCE(lifetime_spend_cents, -9223372036854775807), id);
-- The built-in segments' thresholds and counts per account (whales: spend at least the
-- account's k-th highest; cold: at least its median, last seen before a time): one range of
-- this index per account, read from the index alone. The INCLUDEd columns are what lets
-- PostgreSQL scan an expression index index-only: it wants the expressions' own columns too.
CREATE INDEX fan_accounts_by_account_spend_seen ON fan_accounts
    (account, COALESCE(lifetime_spend_cents, -9223372036854775807),
     COALESCE(last_seen_at, '-infinity'::timestamptz))
    INCLUDE (lifetime_spend_cents, last_seen_at);
