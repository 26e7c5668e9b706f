-- socialcrm schema v7 (PostgreSQL): sync_runs names the outcomes of a stream that stopped
-- short without failing: `budget` (its read budget for the run was spent), `deferred` (a rate
-- limit resets too late to wait for) and `skipped` (the app may not use the endpoint). They
-- were recorded as partial and failed, which told cron operators a skipped stream had failed.
-- Keep in step with sqlite/migrations/0007_sync_run_outcomes.sql.

ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'budget', 'deferred', 'skipped'));
