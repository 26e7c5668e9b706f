-- socialcrm schema v15 (PostgreSQL): `insights` and `report` aggregate analytics events in the
-- database (GROUP BY over a period, per account or over all), so a period is read from an index
-- instead of the whole table. Both indexes cover every column the aggregates read: a period is
-- summed from the index alone. Keep in step with sqlite/migrations/0015_report_indexes.sql.

CREATE INDEX analytics_by_time ON analytics_events
    (period_start, platform, subject_type, metric, period, value, unit, account);
CREATE INDEX analytics_by_account_time ON analytics_events
    (account, period_start, platform, subject_type, metric, period, value, unit);
