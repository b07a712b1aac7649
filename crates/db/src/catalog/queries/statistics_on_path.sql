SELECT s.oid::text FROM unnest(current_schemas(true)) WITH ORDINALITY AS p(nsp, ord)
    JOIN pg_namespace n ON n.nspname = p.nsp JOIN pg_statistic_ext s ON s.stxnamespace = n.oid AND s.stxname = $2
    WHERE $1::text IS NULL ORDER BY p.ord LIMIT 1
