-- socialcrm schema v18 (PostgreSQL): the stem index holds every column `people suggest` scores
-- a block by (issue 18).
--
-- `people suggest` reads the members of each handle-stem block: their id, platform, normalised
-- handle and display name. With only (handle_stem, platform) in the index, each member cost a
-- heap fetch. INCLUDE carries the rest, so that the read is an index-only scan (on tables
-- autovacuum keeps visible). The name stays, so that plans and tests naming
-- fans_by_handle_stem still hold. Keep in step with sqlite/migrations/0018_block_index.sql.

DROP INDEX fans_by_handle_stem;
CREATE INDEX fans_by_handle_stem ON fans (handle_stem, platform) INCLUDE (handle_key, display_name, id);
