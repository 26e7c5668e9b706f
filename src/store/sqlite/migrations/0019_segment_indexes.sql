-- socialcrm schema v19 (SQLite): two indexes of fan relationships, so that two more fan
-- listings read their first page from an index (issue 17). Keep in step with
-- postgres/migrations/0019_segment_indexes.sql.
--
-- `fans list --status S --sort spend [--desc]`: the status's relationships in spend order (the
-- expression is the keyset's, NULL as the lowest; the rowid ends every SQLite index, so ties
-- come in id order), instead of every relationship of the status read and sorted.
CREATE INDEX fan_accounts_by_status_spend ON fan_accounts
    (status, COALESCE(lifetime_spend_cents, -9223372036854775807));
-- The built-in `cold` segment's count per account (spend at least the account's median, last
-- seen before a time): one range of this index per account, read from the index alone.
CREATE INDEX fan_accounts_by_account_spend_seen ON fan_accounts
    (account, COALESCE(lifetime_spend_cents, -9223372036854775807), COALESCE(last_seen_at, ''));
