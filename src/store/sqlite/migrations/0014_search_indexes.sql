-- socialcrm schema v14 (SQLite): `--search` served by trigram indexes.
--
-- A search of fans (username, display name, platform user id) and messages (body) read every
-- row. Each table now has an FTS5 index with the trigram tokenizer, external content (the
-- index holds the trigrams only; its rowid is the row's id) kept in step by triggers: the
-- search asks the index for candidates and checks each with its case rule
-- (`store::sql::Query::search`). The update triggers fire only when a searched column changes,
-- so a re-import that changes nothing costs the index nothing.
-- Keep in step with postgres/migrations/0014_search_indexes.sql.

CREATE VIRTUAL TABLE fans_search USING fts5(
    username, display_name, platform_user_id,
    content = 'fans', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO fans_search (fans_search) VALUES ('rebuild');

CREATE TRIGGER fans_search_insert AFTER INSERT ON fans BEGIN
    INSERT INTO fans_search (rowid, username, display_name, platform_user_id)
    VALUES (new.id, new.username, new.display_name, new.platform_user_id);
END;
CREATE TRIGGER fans_search_delete AFTER DELETE ON fans BEGIN
    INSERT INTO fans_search (fans_search, rowid, username, display_name, platform_user_id)
    VALUES ('delete', old.id, old.username, old.display_name, old.platform_user_id);
END;
CREATE TRIGGER fans_search_update AFTER UPDATE OF username, display_name, platform_user_id ON fans
WHEN old.username IS NOT new.username OR old.display_name IS NOT new.display_name
    OR old.platform_user_id IS NOT new.platform_user_id BEGIN
    INSERT INTO fans_search (fans_search, rowid, username, display_name, platform_user_id)
    VALUES ('delete', old.id, old.username, old.display_name, old.platform_user_id);
    INSERT INTO fans_search (rowid, username, display_name, platform_user_id)
    VALUES (new.id, new.username, new.display_name, new.platform_user_id);
END;

CREATE VIRTUAL TABLE messages_search USING fts5(
    body, content = 'messages', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO messages_search (messages_search) VALUES ('rebuild');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages
WHEN old.body IS NOT new.body BEGIN
    INSERT INTO messages_search (messages_search, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_search (rowid, body) VALUES (new.id, new.body);
END;
