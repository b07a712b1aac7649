// What the archive (issue 18) costs, measured as addon calls in child processes on one throwaway PostgreSQL 15:
// - DROP COLUMN on a table of BENCH_ARCHIVE_ROWS rows (default 1,000,000) applied with the archive against the
//   same apply without it (schema_versions without the archive's columns: nothing is copied), fresh databases,
//   runs alternated; the ratio, the archive's bytes, and the restore of that DROP COLUMN;
// - DROP TABLE of such a table likewise (the archive moves the table; a line says why when it was not kept);
// - peak RSS of every call: the copies are made by the server, no row goes through the client.
// Prints medians and ratios measured in this run. Numbers only: no assertions on time.
import { startPostgres } from '../test-support/postgres.mjs'
import { measure, thousands } from './archive-lib.mjs'

const ROWS = Number(process.env.BENCH_ARCHIVE_ROWS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_ARCHIVE_RUNS ?? 3)

/** `orders`: `ROWS` rows of a key, an int and a 32-character note. */
const ORDERS = `CREATE TABLE orders (id bigint PRIMARY KEY, qty int NOT NULL, note text);
  INSERT INTO orders SELECT g, g % 100, md5(g::text) FROM generate_series(1, ${ROWS}) g;
  VACUUM ANALYZE orders;`

const what = `on a table of ${thousands(ROWS)} rows`
const server = await startPostgres()
try {
  await measure(server, { name: 'ALTER TABLE orders DROP COLUMN note', tableSql: ORDERS, sql: 'ALTER TABLE orders DROP COLUMN note;', runs: RUNS, what })
  await measure(server, { name: 'DROP TABLE orders', tableSql: ORDERS, sql: 'DROP TABLE orders;', runs: RUNS, what })
} finally {
  await server.stop()
}
