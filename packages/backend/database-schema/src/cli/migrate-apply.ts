// `pnpm db:migrate:apply`: the Drizzle migration wrapper of WISH-20200 (spec "Option 1: wrapper").
// Applies pending migrations of the Drizzle journal the way drizzle-orm's migrator does, and stores
// each one's rollback in schema_versions in the same transaction, built from the state the database had.
import '../lib/fresh.js'; // first: a stale dist/ stops before anything runs
import os from 'node:os';
import { addon, errorCode, type ArchiveRecord, type RollbackPlan, type StoredRollback } from '../addon.js';
import { Output, parseCliArgs, reportError, runCli, timeoutMilliseconds } from '../lib/cli.js';
import { openDatabase } from '../lib/database.js';
import { CliError, EXIT, EXIT_CODES_HELP, toCliError } from '../lib/errors.js';
import { readMigrations, resolveMigrationsDir, type Migration } from '../lib/migrations.js';
import { DEFAULT_PGLITE_DIR } from '../lib/paths.js';
import { formatBytes, parseBytes } from '../lib/size.js';
import { formatWarnings, generateRollback } from '../rollback/generator.js';

const HELP = `Usage:
  pnpm db:migrate:apply [--generate-rollback] [options]
  pnpm db:migrate:apply --dry-run [options]

Applies the pending migrations of the Drizzle journal (meta/_journal.json), each in its own transaction
together with Drizzle's bookkeeping row (drizzle.__drizzle_migrations: sha256 of the file and the
journal's "when", as drizzle-orm's migrator writes it) and the schema_versions row holding its rollback
script. The rollback is built while the migration runs: before each statement pg-rollback reads from
the database what the statement is about to change (a default, the definition of what it drops, whether
an object already existed, comments, privileges, ...), so that the rollback restores exactly that.
Statements that cannot be rolled back are reported as warnings. A migration's version is taken from a
"-- version: X.Y.Z" line in its SQL, else its journal tag; its description from "-- description: ...".

A migration with statements that cannot run in a transaction (CREATE/DROP INDEX CONCURRENTLY, REINDEX
CONCURRENTLY, VACUUM, ...) runs statement by statement: each such statement on its own, each run of
ordinary statements between them in one transaction, the state each statement changes still read right
before it; its bookkeeping is written in one transaction after its last statement succeeded. If one
of its statements fails, what ran before stays applied: the error lists it, names any INVALID index a
failed concurrent build left (with the DROP INDEX CONCURRENTLY that removes it), and the migration is
not recorded, so db:migrate:apply runs all of it again once the cause is fixed (write such migrations
with IF NOT EXISTS / IF EXISTS). After each migration the session's role and settings are reset.

--dry-run applies every pending migration in order inside ONE transaction that is always rolled back,
and prints the rollback each would store (script, SAFE/UNSAFE, warnings). Nothing changes; meanwhile
the transaction holds the locks the migrations take (ACCESS EXCLUSIVE on the tables most DDL alters).
Statements that cannot run in a transaction are listed; the dry run runs them without CONCURRENTLY
(same schema) and leaves out VACUUM, REINDEX and the like.

Keeping data (the archive):
Before a statement that destroys data runs (ALTER TABLE ... DROP COLUMN, ALTER COLUMN ... TYPE), its data
is copied, in the migration's transaction, into the schema pgrollback_archive, and a restore script is
stored beside the rollback (\`pnpm db:rollback archive list\` shows what is kept; \`archive prune\` drops it).
Each migration's output says what was archived (tables, rows, bytes); "⚠ Not archived:" lines say which
destructive statements were not, and why (they are not the spec's rollback warnings).

Options:
  --generate-rollback    generate and store rollback scripts (always on; accepted for the spec's command line)
  --no-archive           do not keep the data destructive statements destroy (no restore for them)
  --archive-max-bytes=N  ceiling of kept data per migration, estimated before copying (default 256MiB;
                         bytes, or with a unit: 64MiB, 1GB); above it a statement is not archived
  --dry-run              show what would be applied and stored, change nothing
  --lock-timeout=MS      lock_timeout while migrations run (0 = no limit)
  --migrations=DIR       migrations folder (default: "out" of drizzle.config.ts)
  --database-url=URL     database to use (default: $DATABASE_URL; without it, the embedded PostgreSQL)
  --pglite-dir=DIR       data directory of the embedded PostgreSQL (default: this package's .pglite/)
  --json                 print a machine-readable summary on stdout
  -h, --help             show this help

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  'generate-rollback': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'no-archive': { type: 'boolean' },
  'archive-max-bytes': { type: 'string' },
  'lock-timeout': { type: 'string' },
  migrations: { type: 'string' },
  'database-url': { type: 'string' },
  'pglite-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The archive's reason for a migration none of whose statements it had to keep (pg_rollback_core::archive). */
const NOTHING_ARCHIVED = 'nothing of it was archived';

interface Applied {
  version: string;
  migrationFile: string;
  rollbackSafe: boolean;
  rollbackScript: string | null;
  stateCaptured: boolean;
  warnings: RollbackPlan['warnings'];
  /** What the archive kept (objects, rows, bytes) and which destructive statements it did not keep, and why. */
  archive: ArchiveRecord | null;
}

await runCli(process.argv.slice(2), async (out) => {
  const { values, positionals } = parseCliArgs(process.argv.slice(2), OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) {
    throw new CliError(`Unexpected arguments: ${positionals.join(' ')}. See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  const lockTimeoutMs = timeoutMilliseconds('lock-timeout', values['lock-timeout']);
  const archiveMaxBytes =
    values['archive-max-bytes'] === undefined ? undefined : parseBytes('archive-max-bytes', values['archive-max-bytes']);
  if (values['dry-run'] && (values['no-archive'] || archiveMaxBytes !== undefined)) {
    throw new CliError('--no-archive and --archive-max-bytes apply when migrations are applied, not with --dry-run. See --help.', EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  const dir = await resolveMigrationsDir(values.migrations);
  // Every file is read and parsed before the database is touched.
  const migrations = readMigrations(dir);
  for (const m of migrations) checkParses(m);
  out.line(`Migrations folder: ${dir} (${migrations.length} in the journal)`);

  const db = await openDatabase({
    databaseUrl: values['database-url'],
    pgliteDir: values['pglite-dir'] ?? DEFAULT_PGLITE_DIR,
    log: (line) => out.note(line),
  });
  try {
    if (values['dry-run']) return await dryRun(out, db.url, dir, migrations, lockTimeoutMs);
    const appliedBy = currentUser();
    const applied: Applied[] = [];
    let skipped = 0;
    // One connection for the whole run; each migration in its own transaction with its bookkeeping.
    const batch = await addon().applyMigrations(
      db.url,
      migrations.map((m) => ({
        version: m.version,
        migrationFile: m.file,
        sql: m.sql,
        description: m.description,
        ...(appliedBy ? { appliedBy } : {}),
        drizzleHash: m.hash,
        drizzleCreatedAt: m.when,
      })),
      { archive: values['no-archive'] !== true, ...(archiveMaxBytes !== undefined ? { archiveMaxBytes } : {}) },
    );
    for (const [i, result] of batch.results.entries()) {
      const m = migrations[i]!;
      if (!result.applied) {
        skipped++;
        continue;
      }
      // Before schema_versions exists (the migrations creating it), the plan is the SQL alone's.
      const stored: Pick<StoredRollback, 'rollbackSafe' | 'rollbackScript' | 'stateCaptured' | 'warnings'> =
        result.rollback ?? generateRollback(m.sql);
      applied.push({
        version: m.version,
        migrationFile: m.file,
        rollbackSafe: stored.rollbackSafe,
        rollbackScript: stored.rollbackScript,
        stateCaptured: stored.stateCaptured,
        warnings: stored.warnings,
        archive: result.rollback?.archive ?? null,
      });
      reportApplied(out, m, stored, result.rollback !== null);
      reportArchive(out, m, result.rollback?.archive ?? null);
    }
    if (batch.failure !== null) {
      const m = migrations[batch.results.length]!;
      const f = batch.failure;
      const failure = toCliError(Object.assign(new Error(f.message), { code: f.code }));
      const ofIt = f.appliedStatements.length
        ? `It is not recorded; ${f.appliedStatements.length} of its statements stay applied (listed above)`
        : 'Nothing of it was applied';
      const error = new CliError(
        `Migration ${m.file} (version ${m.version}) failed: ${failure.message}\n` +
          `${ofIt}${applied.length ? `; the ${applied.length} migration(s) before it stay applied` : ''}.`,
        failure.exitCode,
        failure.code,
      );
      // The failure's data as fields: what ran, what failed, INVALID indexes left; never recorded.
      const { code: _code, message: _message, ...detail } = f;
      reportError(out, error, { applied, failed: { version: m.version, migrationFile: m.file, ...detail } });
      return error.exitCode;
    }

    const recorded = await recordEarlierMigrations(out, db.url, migrations, appliedBy);
    out.line(
      `✓ ${applied.length} migration(s) applied, ${skipped} already applied` +
        (recorded.length ? `, ${recorded.length} recorded in schema_versions after the fact` : '') +
        '.',
    );
    out.result({ ok: true, action: 'migrate', migrationsFolder: dir, applied, alreadyApplied: skipped, recorded });
    return EXIT.OK;
  } finally {
    await db.close();
  }
});

function checkParses(m: Migration): void {
  try {
    generateRollback(m.sql);
  } catch (error) {
    const failure = toCliError(error);
    throw new CliError(`Cannot parse ${m.path}: ${failure.message}`, EXIT.MIGRATION_FILES, failure.code);
  }
}

/** AC 16: each statement that cannot be rolled back is a warning on the console. */
function reportApplied(
  out: Output,
  m: Migration,
  p: Pick<StoredRollback, 'rollbackSafe' | 'rollbackScript' | 'warnings'>,
  stored: boolean,
): void {
  out.line(`Applied ${m.file} (version ${m.version})`);
  for (const warning of formatWarnings(p.warnings)) {
    out.note(`⚠ Warning: ${m.file} (version ${m.version}): ${warning}`);
  }
  if (!stored) {
    out.line('  rollback script not stored yet: schema_versions with its rollback columns does not exist yet');
  } else if (p.rollbackSafe) {
    out.line('  rollback script stored, marked as SAFE');
  } else if (p.rollbackScript !== null) {
    out.line('  partial rollback script stored, marked as UNSAFE');
  } else {
    out.line('  no rollback script (marked as UNSAFE): it needs a manual rollback');
  }
}

/** What the archive kept of `m`, and the destructive statements it did not keep (apart from the spec's warnings). */
function reportArchive(out: Output, m: Migration, archive: ArchiveRecord | null): void {
  if (archive === null) return;
  if (archive.objects.length > 0) {
    const tables = archive.objects.length === 1 ? '1 table' : `${archive.objects.length} tables`;
    out.line(`  archived: ${tables}, ${archive.rows.toLocaleString('en-US')} rows, ${formatBytes(archive.bytes)} (restore script stored)`);
    for (const o of archive.objects) {
      out.line(`    ${o.table}: ${o.kind} ${o.source}, ${o.rows.toLocaleString('en-US')} rows, ${formatBytes(o.bytes)}`);
    }
  }
  for (const n of archive.notArchived) {
    out.note(`⚠ Not archived: ${m.file} (version ${m.version}) statement ${n.statementIndex + 1}: ${n.reason}`);
  }
  // What was kept is dropped again at the bookkeeping when the migration as a whole cannot be restored (another
  // statement is neither reversible nor kept): say why. "nothing of it was archived" is every other UNSAFE migration.
  const why = archive.restoreUnavailable;
  if (archive.objects.length === 0 && why !== null && why !== NOTHING_ARCHIVED) {
    out.note(`⚠ Not archived: ${m.file} (version ${m.version}): nothing is kept, since no restore is possible: ${why}`);
  }
}

/** --dry-run: the pending migrations in one transaction that is rolled back; what each would store. */
async function dryRun(
  out: Output,
  url: string,
  dir: string,
  migrations: Migration[],
  lockTimeoutMs: number | undefined,
): Promise<number> {
  let planned;
  try {
    planned = await addon().planMigrations(
      url,
      migrations.map((m) => ({ version: m.version, sql: m.sql, drizzleCreatedAt: m.when })),
      lockTimeoutMs === undefined ? {} : { lockTimeoutMs },
    );
  } catch (error) {
    const failure = toCliError(error);
    throw new CliError(`Dry run: ${failure.message}`, failure.exitCode, failure.code);
  }
  const pending = planned.filter((p) => p.pending);
  out.line(`Dry run: ${pending.length} pending migration(s); nothing is changed.`);
  const results = [];
  for (const [i, p] of planned.entries()) {
    const m = migrations[i]!;
    if (!p.pending || p.plan === null) continue;
    const plan = p.plan;
    out.line();
    out.line(`${m.file} (version ${m.version}): rollback marked as ${plan.rollbackSafe ? 'SAFE' : 'UNSAFE'}`);
    out.line(plan.rollbackScript === null ? '  (no rollback script)' : plan.rollbackScript.replace(/\n$/, '').replace(/^/gm, '  '));
    for (const warning of formatWarnings(plan.warnings)) out.line(`  ⚠ Warning: ${warning}`);
    if (p.outsideTransaction.length) {
      out.line('  runs statement by statement; these statements run outside a transaction:');
      for (const i of p.outsideTransaction) {
        const s = plan.statements[i]!;
        out.line(`    statement ${i + 1} (line ${s.line}): ${s.sql}`);
      }
    }
    results.push({ version: m.version, migrationFile: m.file, outsideTransaction: p.outsideTransaction, ...plan });
  }
  out.line();
  out.line('✓ Dry run finished; the transaction was rolled back and nothing was changed.');
  out.result({ ok: true, action: 'dry-run', migrationsFolder: dir, pending: results });
  return EXIT.OK;
}

/**
 * Migrations that ran before schema_versions could hold their rollback (the ones creating it, or ones
 * applied by plain drizzle-kit) get their row now, generated from the same file (from the SQL alone: the
 * state they overwrote is gone).
 */
async function recordEarlierMigrations(
  out: Output,
  url: string,
  migrations: Migration[],
  appliedBy: string | undefined,
): Promise<string[]> {
  let rows;
  try {
    rows = await addon().listRollbacks(url);
  } catch (error) {
    if (errorCode(error) !== 'SCHEMA_VERSIONS_MISSING') throw error;
    out.note(`⚠ Warning: rollback scripts are not stored: ${(error as Error).message}`);
    return [];
  }
  const known = new Set(rows.map((r) => r.version));
  const recorded: string[] = [];
  for (const m of migrations) {
    if (known.has(m.version)) continue;
    const stored = await addon().storeRollback(url, {
      version: m.version,
      migrationFile: m.file,
      sql: m.sql,
      description: m.description,
      ...(appliedBy ? { appliedBy } : {}),
    });
    recorded.push(m.version);
    out.line(
      `Recorded ${m.file} (version ${m.version}) in schema_versions: rollback ` +
        (stored.rollbackScript === null ? 'not possible (UNSAFE)' : `script stored, marked as ${stored.rollbackSafe ? 'SAFE' : 'UNSAFE'}`),
    );
  }
  return recorded;
}

function currentUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER;
  }
}
