-- socialcrm schema v2 (PostgreSQL): an analytics event may be attributed to a fan (an OnlyFans
-- earnings row is a payment by one fan), so a fan's lifetime spend can be summed from them.
-- Keep in step with sqlite/migrations/0002_event_fans.sql.

ALTER TABLE analytics_events ADD COLUMN fan_platform_user_id TEXT;
CREATE INDEX analytics_by_fan ON analytics_events (platform, fan_platform_user_id);

-- No query can use an index on (platform, username): fans are found by platform user id, or by
-- LOWER(username), and searched with LIKE '%...%'. It only slowed every fan write.
DROP INDEX fans_by_username;

-- Bulk loads take ids by the hundred: one sequence access per 100 rows instead of per row.
-- Ids stay unique; a session that ends leaves a gap, which no one reads meaning into.
ALTER TABLE fans ALTER COLUMN id SET CACHE 100;
ALTER TABLE messages ALTER COLUMN id SET CACHE 100;
ALTER TABLE analytics_events ALTER COLUMN id SET CACHE 100;
