SELECT s.oid::text FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
    WHERE s.stxname = $2 AND n.nspname = COALESCE($1, current_schema())
