// `pnpm db:rollback verify`: prove every stored rollback of the migrations folder on a scratch database.
// Each migration is applied as db:migrate:apply applies it; a SAFE rollback is executed as db:rollback
// executes it, and the schema must then equal the one before the migration, catalog object by catalog
// object; the migration is applied again and must give the same schema as the first time.
// With --seed-rows=N every table first gets N generated rows, and the rows must come back too; a migration
// that is not SAFE but has a restore (the archive kept at apply) is proved by running the restore.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  addon,
  errorCode,
  startEmbeddedPostgres,
  type CatalogDifference,
  type CatalogSnapshot,
  type RowSnapshot,
  type StoredRollback,
} from '../addon.js';
import { Output } from '../lib/cli.js';
import { CliError, EXIT, toCliError } from '../lib/errors.js';
import { readMigrations, type Migration } from '../lib/migrations.js';
import { formatWarnings, generateRollback } from '../rollback/generator.js';

export type VerifyStatus = 'verified' | 'restorable' | 'unsafe' | 'not_stored' | 'failed';

export interface VerifyResult {
  version: string;
  migrationFile: string;
  status: VerifyStatus;
  /** Why it is not verifiable (UNSAFE), or why it failed. */
  reasons: string[];
  differences: CatalogDifference[];
  /** With --seed-rows: what differs in the rows of the tables that existed before (`public.t.c: 3 rows differ`). */
  rowDifferences?: string[];
}

/** A migration's result after which verification cannot go on. */
class StopAfter extends Error {
  constructor(
    readonly result: VerifyResult,
    readonly failure: CliError,
  ) {
    super(failure.message);
  }
}

interface Scratch {
  url: string;
  describe: string;
  remove(): Promise<void>;
}

/** The server named on the command line for the scratch database, and the flag that named it. */
export interface ScratchServer {
  url: string;
  flag: string;
}

/**
 * A scratch database: a new database on `server`, or a fresh embedded PostgreSQL in a temporary directory.
 * `remove` drops it; it is also removed on Ctrl-C.
 */
async function openScratch(out: Output, server: ScratchServer | undefined, databaseUrlIgnored: boolean): Promise<Scratch> {
  if (server !== undefined) {
    const databaseUrl = server.url;
    let created;
    try {
      created = await addon().createScratchDatabase(databaseUrl);
    } catch (error) {
      const failure = toCliError(error);
      throw new CliError(`Cannot create the scratch database: ${failure.message}`, failure.exitCode, failure.code);
    }
    return {
      url: created.url,
      describe: `scratch database ${created.name} on the server of ${server.flag}`,
      remove: () => addon().dropScratchDatabase(databaseUrl, created.name),
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-rollback-verify-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    embedded = await startEmbeddedPostgres(dir);
  } catch (error) {
    removeDir();
    throw new CliError(
      `Cannot start the embedded PostgreSQL in ${dir}: ${(error as Error).message}`,
      EXIT.CONNECTION_FAILED,
      'CONNECTION_FAILED',
    );
  }
  out.note(
    databaseUrlIgnored
      ? `DATABASE_URL is not used by verify (it may be production's); pass --scratch-url=URL to verify on a server. ` +
          `Verifying on a fresh embedded PostgreSQL (PGlite) in ${dir}`
      : `No --scratch-url: verifying on a fresh embedded PostgreSQL (PGlite) in ${dir}`,
  );
  return {
    url: embedded.url,
    describe: `fresh embedded PostgreSQL in ${dir}`,
    remove: async () => {
      try {
        await embedded.stop();
      } finally {
        removeDir();
      }
    },
  };
}

/** Runs `body` with a scratch database that is removed afterwards, also on failure, Ctrl-C or SIGTERM. */
async function withScratch<T>(
  out: Output,
  options: { server: ScratchServer | undefined; databaseUrlIgnored: boolean },
  body: (s: Scratch) => Promise<T>,
): Promise<T> {
  const scratch = await openScratch(out, options.server, options.databaseUrlIgnored);
  // The whole run on one connection to the scratch database, closed before it is dropped.
  addon().openSession(scratch.url);
  let removed: Promise<void> | undefined;
  // `closeFirst`: end the session after the call running on it; on a signal the database goes at once
  // (DROP ... WITH (FORCE), or the embedded server stopped) and that call fails.
  const remove = (closeFirst: boolean) => {
    const closed = closeFirst ? addon().closeSession(scratch.url).catch(() => {}) : Promise.resolve();
    removed ??= closed
      .then(() => scratch.remove())
      .catch((error) => {
        out.note(`⚠ Warning: could not remove the ${scratch.describe}: ${(error as Error).message}`);
      });
    return removed;
  };
  const interrupted = (signal: NodeJS.Signals) => {
    out.note(`\n${signal}: removing the ${scratch.describe}...`);
    void remove(false).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await body(scratch);
  } finally {
    await remove(true);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

function applyInput(m: Migration) {
  return {
    version: m.version,
    migrationFile: m.file,
    sql: m.sql,
    description: m.description,
    drizzleHash: m.hash,
    drizzleCreatedAt: m.when,
  };
}

/** Apply one migration as db:migrate:apply does; a failure stops the verification (exit 12). */
async function apply(url: string, m: Migration): Promise<StoredRollback | null> {
  let batch;
  try {
    batch = await addon().applyMigrations(url, [applyInput(m)]);
  } catch (error) {
    const failure = toCliError(error);
    throw new CliError(`${m.file} (version ${m.version}): ${failure.message}`, failure.exitCode, failure.code);
  }
  if (batch.failure !== null) {
    const failure = toCliError(Object.assign(new Error(batch.failure.message), { code: batch.failure.code }));
    throw new CliError(
      `${m.path} (version ${m.version}) could not be applied: ${failure.message}`,
      failure.exitCode,
      failure.code,
    );
  }
  const result = batch.results[0];
  if (!result?.applied) {
    throw new CliError(
      `${m.file} (version ${m.version}) was not applied: Drizzle already records it or a later migration`,
      EXIT.FAILED,
      'NOT_APPLIED',
    );
  }
  return result.rollback;
}

const NOT_STORED_NOTE = 'proved with verifyRollback in a transaction that was rolled back';
/** Said once, before the first result that gives NOT_STORED_NOTE as its reason. */
const NOT_STORED_EXPLANATION =
  'Before schema_versions exists nothing is stored to execute: those rollbacks are proved with verifyRollback ' +
  'in a transaction that is rolled back.';

/** verifyRollback of the generated rollback on the scratch database; a failure stops the verification. */
async function proveInTransaction(url: string, m: Migration, seedRows: number | undefined) {
  try {
    try {
      return await addon().verifyRollback(url, seedRows === undefined ? { sql: m.sql } : { sql: m.sql, seedRows });
    } catch (error) {
      // It does not apply on the seeded rows: proved on the tables as they are (nothing was seeded for good).
      if (seedRows === undefined || errorCode(error) !== 'MIGRATION_FAILED') throw error;
      return await addon().verifyRollback(url, { sql: m.sql });
    }
  } catch (error) {
    const failure = toCliError(error);
    throw new CliError(`${m.path} (version ${m.version}) could not be applied: ${failure.message}`, failure.exitCode, failure.code);
  }
}

async function snapshot(url: string): Promise<CatalogSnapshot> {
  return addon().catalogSnapshot(url);
}

/** Whether schema_versions (with its rollback columns) exists: only then is a rollback stored to execute. */
async function storesRollbacks(url: string): Promise<boolean> {
  try {
    await addon().listRollbacks(url);
    return true;
  } catch (error) {
    if (errorCode(error) === 'SCHEMA_VERSIONS_MISSING') return false;
    throw error;
  }
}

/** With --seed-rows: seed every table before migration `round`, and read its rows. */
async function seeded(url: string, seedRows: number | undefined, round: number): Promise<RowSnapshot | undefined> {
  if (seedRows === undefined) return undefined;
  await addon().seedRows(url, seedRows, round);
  return addon().rowSnapshot(url);
}

/** The rows of the tables of `before` that differ now (empty without --seed-rows). */
async function rowsLost(url: string, before: RowSnapshot | undefined): Promise<string[]> {
  if (before === undefined) return [];
  return addon()
    .compareRows(before, await addon().rowSnapshot(url))
    .map((d) => d.text);
}

type ResultOf = (status: VerifyStatus, reasons?: string[], differences?: CatalogDifference[], rows?: string[]) => VerifyResult;

/**
 * Not SAFE, with a restore script: run the restore as `--restore-data --execute` does; the schema must equal the
 * one before (but the positions of columns that came back last) and every table's rows too. Applied again after.
 */
async function proveRestore(
  url: string,
  m: Migration,
  stored: StoredRollback,
  before: CatalogSnapshot,
  rowsBefore: RowSnapshot,
  result: ResultOf,
): Promise<VerifyResult> {
  let failed: string | undefined;
  try {
    await addon().executeRollbacks(url, {
      version: m.version,
      migrations: [{ version: m.version, drizzleHash: m.hash }],
      restoreData: true,
    });
  } catch (error) {
    // The restore changed nothing: the migration is still applied.
    failed = `executing the restore failed: ${toCliError(error).message}`;
  }
  if (failed !== undefined) return result('failed', [failed]);
  const moved = (stored.archive?.objects ?? []).filter((o) => o.kind === 'DROP COLUMN').map((o) => `${tableOf(o.source)}.`);
  const differences = addon()
    .compareCatalogs(before, await snapshot(url))
    .filter((d) => !(d.attribute === 'position' && moved.some((t) => d.object.startsWith(t))));
  const rows = await rowsLost(url, rowsBefore);
  try {
    await apply(url, m);
  } catch (error) {
    const failure = toCliError(error);
    throw new StopAfter(
      result('failed', [`applying the migration again after its restore failed: ${failure.message}`], differences, rows),
      failure,
    );
  }
  if (differences.length > 0) return result('failed', ['the restore does not restore the schema'], differences, rows);
  if (rows.length > 0) return result('failed', ['the restore does not bring the rows back'], [], rows);
  return result('restorable');
}

/** The table of an archived column (`schema.table.column`, quoted where needed). */
function tableOf(source: string): string {
  let quoted = false;
  let last = -1;
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '"') quoted = !quoted;
    else if (source[i] === '.' && !quoted) last = i;
  }
  return last < 0 ? source : source.slice(0, last);
}

/** Verify one migration on the scratch database; it is applied when this returns. */
async function verifyOne(
  url: string,
  m: Migration,
  known: { storesRollbacks: boolean },
  seedRows: number | undefined,
  round: number,
): Promise<VerifyResult> {
  let unseeded: string[] = [];
  const result: ResultOf = (status, reasons = [], differences = [], rows = []) => ({
    version: m.version,
    migrationFile: m.file,
    status,
    reasons: [...reasons, ...unseeded],
    differences,
    ...(seedRows === undefined ? {} : { rowDifferences: rows }),
  });
  known.storesRollbacks ||= await storesRollbacks(url);
  if (!known.storesRollbacks) {
    // Nothing will be stored to execute: the generated rollback is proved in a transaction that is rolled back.
    const proved = await proveInTransaction(url, m, seedRows);
    await apply(url, m);
    const rows = proved.rowDifferences.map((d) => d.text);
    if (proved.restorable) return result('restorable', [NOT_STORED_NOTE, ...proved.transactionalForms]);
    if (!proved.rollbackSafe && proved.restoreScript !== null) {
      const why = proved.rollbackFailure ?? (proved.differences.length > 0 ? 'the restore does not restore the schema' : 'the restore does not bring the rows back');
      return result('failed', [why], proved.differences, rows);
    }
    if (!proved.rollbackSafe) {
      const why = proved.restoreUnavailable === null ? [] : [`no restore: ${proved.restoreUnavailable}`];
      return result('unsafe', [...formatWarnings(proved.warnings), ...why]);
    }
    // Statements that cannot run in a transaction were proved in their transactional form (same schema).
    if (proved.restored) return result('verified', [NOT_STORED_NOTE, ...proved.transactionalForms]);
    const why =
      proved.rollbackFailure ??
      (proved.differences.length > 0 ? 'the rollback does not restore the schema' : 'the rollback does not bring the rows back');
    return result('failed', [why], proved.differences, rows);
  }
  let rowsBefore = await seeded(url, seedRows, round);
  const before = await snapshot(url);
  let stored: StoredRollback | null;
  try {
    stored = await apply(url, m);
  } catch (error) {
    if (rowsBefore === undefined) throw error;
    // Written for the tables it finds (often empty): applied again on emptied tables, and said so.
    await addon().emptyTables(url);
    rowsBefore = await addon().rowSnapshot(url);
    stored = await apply(url, m);
    unseeded = [`does not apply on the seeded rows, applied on emptied tables: ${toCliError(error).message.split('\n')[0]}`];
  }
  const migrated = await snapshot(url);
  if (stored === null) {
    // schema_versions lost its rollback columns (or was dropped) by this migration: nothing to execute.
    const plan = generateRollback(m.sql);
    const reasons = formatWarnings(plan.warnings);
    if (!plan.rollbackSafe) return result('unsafe', reasons);
    return result('not_stored', ['its rollback is not stored: schema_versions with its rollback columns is missing']);
  }
  if (!stored.rollbackSafe) {
    if (rowsBefore !== undefined && stored.restoreScript !== null) return proveRestore(url, m, stored, before, rowsBefore, result);
    const unavailable = rowsBefore === undefined ? null : (stored.archive?.restoreUnavailable ?? null);
    return result('unsafe', [...formatWarnings(stored.warnings), ...(unavailable === null ? [] : [`no restore: ${unavailable}`])]);
  }
  if (stored.rollbackScript === null) {
    // SAFE with nothing to undo: the migration must not have changed the schema.
    const differences = addon().compareCatalogs(before, migrated);
    return differences.length === 0
      ? result('verified')
      : result('failed', ['the rollback is empty, but the migration changed the schema'], differences);
  }
  try {
    // As --execute runs it: a selection of this one version, exactly the stored script.
    await addon().executeRollbacks(url, {
      version: m.version,
      migrations: [{ version: m.version, drizzleHash: m.hash }],
      expectedScripts: [{ version: m.version, rollbackScript: stored.rollbackScript }],
    });
  } catch (error) {
    return result('failed', [`executing the rollback failed: ${toCliError(error).message}`]);
  }
  const rolledBack = await snapshot(url);
  const differences = addon().compareCatalogs(before, rolledBack);
  // SAFE rollbacks destroy no data: the tables that existed before must have their rows back.
  const rows = await rowsLost(url, rowsBefore);
  // Applied again either way, so the next migrations run on the schema they were written for.
  try {
    await apply(url, m);
  } catch (error) {
    // The database is now neither before nor after the migration: report this one, then stop.
    const failure = toCliError(error);
    const reasons = [
      ...(differences.length > 0 ? ['the rollback does not restore the schema'] : []),
      `applying the migration again after its rollback failed: ${failure.message}`,
    ];
    throw new StopAfter(result('failed', reasons, differences), failure);
  }
  if (differences.length > 0) return result('failed', ['the rollback does not restore the schema'], differences, rows);
  if (rows.length > 0) return result('failed', ['the rollback does not bring the rows back'], [], rows);
  const reapplied = addon().compareCatalogs(migrated, await snapshot(url));
  if (reapplied.length > 0) {
    return result('failed', ['applying the migration again after its rollback gives a different schema'], reapplied);
  }
  return result('verified');
}

/** One line per result and one short reason per line (the first on the result's line). */
function printResult(out: Output, r: VerifyResult, explained: Set<string>): void {
  const name = `${r.version} ${r.migrationFile}`;
  if (r.reasons.includes(NOT_STORED_NOTE) && !explained.has(NOT_STORED_NOTE)) {
    explained.add(NOT_STORED_NOTE);
    out.line(NOT_STORED_EXPLANATION);
  }
  switch (r.status) {
    case 'verified':
      out.line(`✓ ${name}: rollback restores the schema${r.reasons.length ? ` (${r.reasons[0]})` : ''}`);
      for (const reason of r.reasons.slice(1)) out.line(`    ${reason}`);
      return;
    case 'restorable':
      out.line(`✓ ${name}: not SAFE, but its restore brings back the schema and the rows (proved with seeded rows)`);
      for (const reason of r.reasons) out.line(`    ${reason}`);
      return;
    case 'unsafe':
      out.line(`– ${name}: UNSAFE, not verified${r.reasons.length ? `: ${r.reasons[0]}` : ''}`);
      for (const reason of r.reasons.slice(1)) out.line(`    ${reason}`);
      return;
    case 'not_stored':
      out.line(`– ${name}: not verified: ${r.reasons[0] ?? ''}`);
      for (const reason of r.reasons.slice(1)) out.line(`    ${reason}`);
      return;
    case 'failed':
      // One reason per line; the differences under them.
      out.line(`✗ ${name}: ${r.reasons[0] ?? 'failed'}`);
      for (const reason of r.reasons.slice(1)) out.line(`  ${reason}`);
      for (const d of r.differences) out.line(`    ${d.text}`);
      for (const d of r.rowDifferences ?? []) out.line(`    ${d}`);
  }
}

/** `pnpm db:rollback verify`; returns the exit code. */
export async function verify(
  out: Output,
  options: { server: ScratchServer | undefined; databaseUrlIgnored: boolean; dir: string; seedRows?: number },
): Promise<number> {
  // Every file is read and parsed before a database is made.
  const migrations = readMigrations(options.dir);
  for (const m of migrations) {
    try {
      generateRollback(m.sql);
    } catch (error) {
      const failure = toCliError(error);
      throw new CliError(`Cannot parse ${m.path}: ${failure.message}`, EXIT.MIGRATION_FILES, failure.code);
    }
  }
  out.line(`Migrations folder: ${options.dir} (${migrations.length} in the journal)`);
  return withScratch(out, options, async (scratch) => {
    out.line(`Verifying on a ${scratch.describe}; it is removed at the end.`);
    if (options.seedRows !== undefined) {
      out.line(`Before each migration every table gets ${options.seedRows} generated rows; the rows must come back too.`);
    }
    const results: VerifyResult[] = [];
    const known = { storesRollbacks: false };
    const explained = new Set<string>();
    let stopped: CliError | undefined;
    for (const [i, m] of migrations.entries()) {
      out.note(`[${i + 1}/${migrations.length}] ${m.file}...`);
      try {
        const r = await verifyOne(scratch.url, m, known, options.seedRows, i);
        results.push(r);
        printResult(out, r, explained);
      } catch (error) {
        if (error instanceof StopAfter) {
          results.push(error.result);
          printResult(out, error.result, explained);
        }
        stopped = toCliError(error instanceof StopAfter ? error.failure : error);
        break;
      }
    }
    const count = (status: VerifyStatus) => results.filter((r) => r.status === status).length;
    const failed = count('failed');
    const restorable = options.seedRows === undefined ? '' : `${count('restorable')} restorable (restore proved), `;
    const summary =
      `${count('verified')} verified, ${restorable}${failed} failed, ${count('unsafe')} UNSAFE (not verifiable), ` +
      `${count('not_stored')} without a stored rollback` +
      (stopped ? `; stopped at migration ${results.length + 1} of ${migrations.length}` : '');
    if (stopped) {
      out.note(`✗ ${stopped.message}`);
      out.line(`Verification stopped: ${summary}.`);
      out.result({ ok: false, action: 'verify', error: { code: stopped.code, message: stopped.message }, results });
      // A SAFE rollback that failed is the finding that matters most.
      return failed > 0 ? EXIT.VERIFY_FAILED : stopped.exitCode;
    }
    out.line(`${failed === 0 ? '✓' : '✗'} ${summary}.`);
    out.result({ ok: failed === 0, action: 'verify', migrationsFolder: options.dir, results });
    return failed === 0 ? EXIT.OK : EXIT.VERIFY_FAILED;
  });
}
