SELECT json_build_object(
    'name', tg.tgname, 'definition', pg_get_triggerdef(tg.oid), 'enabled', tg.tgenabled,
    'comment', obj_description(tg.oid, 'pg_trigger'), 'has_parent', tg.tgparentid <> 0,
    'clones_differ', EXISTS (WITH RECURSIVE cl(oid, enabled) AS (
        SELECT t.oid, t.tgenabled FROM pg_trigger t WHERE t.tgparentid = tg.oid
        UNION ALL SELECT t.oid, t.tgenabled FROM pg_trigger t JOIN cl ON t.tgparentid = cl.oid)
      SELECT 1 FROM cl WHERE cl.enabled <> tg.tgenabled))::text
  FROM pg_trigger tg WHERE tg.tgrelid = $1::oid AND tg.tgname = $2 AND NOT tg.tgisinternal
