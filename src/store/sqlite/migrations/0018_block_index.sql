-- socialcrm schema v18 (SQLite): the stem index holds every column `people suggest` scores a
-- block by (issue 18).
--
-- `people suggest` reads the members of each handle-stem block: their id, platform, normalised
-- handle and display name. With only (handle_stem, platform) in the index, each member cost a
-- seek into the table in stem order (random over a million fans) and the generated handle_key
-- computed again from the username: most of the run. Here the index carries them all, so a
-- block is read from the index alone. The name stays, so that plans and tests naming
-- fans_by_handle_stem still hold. Keep in step with postgres/migrations/0018_block_index.sql.

DROP INDEX fans_by_handle_stem;
CREATE INDEX fans_by_handle_stem ON fans (handle_stem, platform, handle_key, display_name);
