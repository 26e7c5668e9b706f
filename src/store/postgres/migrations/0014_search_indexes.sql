-- socialcrm schema v14 (PostgreSQL): `--search` served by trigram indexes.
--
-- A search of fans (username, display name, platform user id) and messages (body) read every
-- row. It now goes through pg_trgm GIN indexes on the lowercased columns. Lowercasing uses the
-- collation socialcrm_fold, created here in the CRM's schema: the ICU root locale, so that a
-- search folds case as on SQLite (full Unicode lowercasing, diacritics kept) whatever the
-- database's own locale; a server built without ICU gets the libc C.UTF-8 locale (the same
-- letters on glibc). See store::sql::Query::search for the rules.
--
-- pg_trgm is one extension per database: it is created (in `public` when that schema exists,
-- so that dropping one CRM's schema never takes it from another) unless it already exists
-- anywhere, and its operator class is named with its schema. It is a trusted extension: any
-- role with CREATE on the database may create it; otherwise the migration stops with a hint.
-- Keep in step with sqlite/migrations/0014_search_indexes.sql.

DO $$
DECLARE
    here text := current_schema();
    trgm text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
                   WHERE c.collname = 'socialcrm_fold' AND n.nspname = here) THEN
        BEGIN
            EXECUTE format('CREATE COLLATION %I.socialcrm_fold (provider = icu, locale = %L)', here, 'und');
        EXCEPTION WHEN feature_not_supported THEN
            EXECUTE format('CREATE COLLATION %I.socialcrm_fold (locale = %L)', here, 'C.UTF-8');
        END;
    END IF;

    SELECT n.nspname INTO trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm IS NULL THEN
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
                CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
            ELSE
                EXECUTE format('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA %I', here);
            END IF;
        EXCEPTION
            -- Another CRM of this database created it meanwhile.
            WHEN unique_violation OR duplicate_object THEN NULL;
            WHEN insufficient_privilege OR undefined_file THEN
                RAISE EXCEPTION 'socialcrm needs the PostgreSQL extension pg_trgm for --search: %', SQLERRM
                    USING HINT = 'ask the database owner to run CREATE EXTENSION pg_trgm (it ships with PostgreSQL''s contrib package), then run socialcrm db migrate again';
        END;
        SELECT n.nspname INTO trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    END IF;

    EXECUTE format(
        'CREATE INDEX fans_search ON fans USING gin ('
        'lower(username COLLATE %1$I.socialcrm_fold) %2$I.gin_trgm_ops, '
        'lower(display_name COLLATE %1$I.socialcrm_fold) %2$I.gin_trgm_ops, '
        'lower(platform_user_id COLLATE %1$I.socialcrm_fold) %2$I.gin_trgm_ops)', here, trgm);
    EXECUTE format(
        'CREATE INDEX messages_search ON messages USING gin ('
        'lower(body COLLATE %1$I.socialcrm_fold) %2$I.gin_trgm_ops)', here, trgm);
END
$$;
