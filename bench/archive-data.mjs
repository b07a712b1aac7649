// What keeping a data migration's rows (issue 19) costs, measured as addon calls in child processes on one
// throwaway PostgreSQL 15 (see bench/archive-lib.mjs):
// - an UPDATE of every row of a table of N rows (default 1,000,000: id, int, text, timestamptz) applied with the
//   archive (the previous and the written values of the columns it sets, kept before it runs) against the same
//   apply without it (nothing kept), fresh databases, runs alternated: medians, the ratio, the archive's rows and
//   bytes, and the restore (executeRollback with restoreData) of the kept runs;
// - a DELETE of a tenth of the rows (100,000 of 1,000,000) likewise (the whole rows kept).
// Knobs: --rows N (or BENCH_DATA_ROWS), --runs N (or BENCH_DATA_RUNS, default 3). Numbers only: no assertions.
import { parseArgs } from 'node:util'
import { startPostgres } from '../test-support/postgres.mjs'
import { measure, thousands } from './archive-lib.mjs'

const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } })
const count = (value, name) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number from 1, got "${value}"`)
  return n
}
const ROWS = count(values.rows ?? process.env.BENCH_DATA_ROWS ?? 1_000_000, '--rows')
const RUNS = count(values.runs ?? process.env.BENCH_DATA_RUNS ?? 3, '--runs')
const DELETED = Math.max(1, Math.floor(ROWS / 10))

/** `events`: `ROWS` rows of a key, an int, a 32-character text and a timestamptz. */
const EVENTS = `CREATE TABLE events (id bigint PRIMARY KEY, qty int NOT NULL, note text, at timestamptz NOT NULL);
  INSERT INTO events SELECT g, g % 100, md5(g::text), '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second'
    FROM generate_series(1, ${ROWS}) g;
  VACUUM ANALYZE events;`

const what = `on a table of ${thousands(ROWS)} rows (id bigint, qty int, note text, at timestamptz)`
const server = await startPostgres()
try {
  await measure(server, {
    name: `UPDATE of all ${thousands(ROWS)} rows (qty and at)`,
    tableSql: EVENTS,
    sql: "UPDATE events SET qty = qty + 1, at = at + interval '1 day';",
    runs: RUNS,
    what,
  })
  await measure(server, {
    name: `DELETE of ${thousands(DELETED)} rows`,
    tableSql: EVENTS,
    sql: `DELETE FROM events WHERE id <= ${DELETED};`,
    runs: RUNS,
    what,
  })
} finally {
  await server.stop()
}
