SELECT COALESCE(json_agg(json_build_object('name', e.evtname, 'event', e.evtevent,
    'enabled', e.evtenabled, 'tags', COALESCE(e.evttags, '{}')) ORDER BY e.evtname), '[]'::json)::text
  FROM pg_event_trigger e WHERE e.evtenabled <> 'D'
