// `pnpm db:rollback`: preview, execute, list and backfill generated rollback scripts (WISH-20200).
// The commands are in src/rollback/commands.ts, their text and JSON in ./rollback-view.ts.
import '../lib/fresh.js'; // first: a stale dist/ stops before anything runs
import { openDatabase, type Database } from '../lib/database.js';
import { CliError, EXIT, EXIT_CODES_HELP, toCliError } from '../lib/errors.js';
import { resolveMigrationsDir } from '../lib/migrations.js';
import { type Output, parseCliArgs, runCli, timeoutMilliseconds } from '../lib/cli.js';
import { DEFAULT_PGLITE_DIR } from '../lib/paths.js';
import { confirmRollback } from '../lib/prompt.js';
import {
  backfill,
  blockingRefusal,
  executeRollback,
  listRollbacks,
  previewRollback,
  type RunOptions,
  type Selection,
} from '../rollback/commands.js';
import * as view from './rollback-view.js';
import { ARCHIVE_HELP, archive, archiveCommand } from './archive.js';
import { verify } from './verify.js';

const HELP = `Commands:
  pnpm db:rollback --version=X.Y.Z              preview the rollback script of a migration
  pnpm db:rollback --version=X.Y.Z --execute    execute it, after confirmation
  pnpm db:rollback --to=X.Y.Z [--execute]       every migration applied after X.Y.Z, newest first, in ONE transaction
  pnpm db:rollback --steps=N [--execute]        the newest N applied migrations, likewise
  pnpm db:rollback --version=X.Y.Z --restore-data [--execute]
                                                put back what the migration destroyed (kept in the archive at apply),
                                                also with --to/--steps; without --execute, a dry run
  pnpm db:rollback list                         every schema_versions row in the journal's order: applied, rolled back, applied again
  pnpm db:rollback backfill                     generate missing rollback scripts from the migration files
  pnpm db:rollback verify [--scratch-url=URL]   prove every rollback of the migrations folder on a scratch database
                        [--seed-rows=N]         ... with N generated rows in every table (rows compared, restores proved)
${ARCHIVE_HELP}

Options:
  --version=X.Y.Z           the migration's version (schema_versions.version)
  --to=X.Y.Z                roll back every migration applied after X.Y.Z (X.Y.Z itself stays applied)
  --steps=N                 roll back the newest N applied migrations
  --execute                 execute the rollback; asks "Are you sure you want to execute this rollback? (yes/no):"
  -y, --yes                 confirm without asking (required when stdin is not a terminal)
  --restore-data            restore instead of roll back: versions whose rollback is UNSAFE run their restore script
                            (the archived values put back), SAFE ones their rollback; the preview says what comes
                            back, counted now, and what would refuse it (exit 18-20)
  --force                   allow executing a rollback marked UNSAFE (runs its reversible statements only),
                            and rolling back a migration while later ones are applied (out of order); with
                            --restore-data also: rows changed since a data migration (the preview's conflicts)
                            keep their newer values, and a foreign key rows written since break comes back NOT VALID
  --force=overwrite         with --restore-data: as --force, but rows changed since a data migration take the
                            archived values (what they had before the migration) instead
  --json                    print a machine-readable result on stdout (notes and the prompt go to stderr)
  --database-url=URL        database to use (default: $DATABASE_URL; without it, the embedded PostgreSQL)
  --pglite-dir=DIR          data directory of the embedded PostgreSQL (default: this package's .pglite/)
  --migrations=DIR          migrations folder (default: "out" of drizzle.config.ts)
  --scratch-url=URL         verify: the server to create its scratch database on (--database-url works too;
                            DATABASE_URL is never used for this; without either, the embedded PostgreSQL)
  --older-than=DURATION     archive prune: the archives of versions applied longer ago (30d, 12h, 90m)
  --seed-rows=N             verify: before each migration, N generated rows in every table (1 to 100000)
  --lock-timeout=MS         lock_timeout for the rollback (0 = no limit)
  --statement-timeout=MS    statement_timeout for each statement of the rollback (0 = no limit)
  -h, --help                show this help

How a rollback runs (--version, --to, --steps):
The versions are previewed (script, SAFE/UNSAFE, cost), checked, confirmed once, then executed newest first
in ONE transaction together with setting schema_versions.rollback_applied_at and deleting each migration's
row from drizzle.__drizzle_migrations (found by the sha256 of its file): if a statement fails, nothing
changes and the error names the version and the statement. A script that cannot run in a transaction
(CONCURRENTLY) runs statement by statement, on its own between the others; the run stops at the first
failure, says what was rolled back, and keeps the statements that ran before it (they are listed).
What runs is what was shown; if anything was replaced, applied or rolled back meanwhile, nothing runs
(exit 16). The versions are ordered as the Drizzle journal orders them (schema_versions for versions not
in the migrations folder).

Refused, with nothing changed:
an UNSAFE version without --force (exit 5); a version without a rollback
script, even with --force (exit 6; for --to/--steps the message says how to roll back to just above it); an
unknown version or target (exit 7); a version already rolled back, or a --to target that is not applied
(exit 8); --version while later migrations are applied and not rolled back, unless --force (exit 15).
After --to, nothing after the target is applied, so \`pnpm db:migrate:apply\` applies all of them again.

Data migrations (--restore-data):
The rows a migration's UPDATE, DELETE, INSERT, MERGE and TRUNCATE change are kept at apply, and the restore puts
them back (old values back, inserted rows removed, deleted rows inserted again). A row changed since the
migration (its value is no longer the one the migration wrote, an inserted row changed, a deleted row's key
taken again) is a conflict: the preview lists them per table with the count and the first keys, and --execute
refuses (exit 18, nothing changed) unless --force (conflicting rows keep their newer values) or
--force=overwrite (they take the archived values); the forced restore prints what it did for each table.

Drizzle and out of order:
Drizzle applies only migrations newer than the newest one it has recorded, so \`pnpm db:migrate:apply\`
applies a rolled-back migration again only when no later migration is applied. After rolling back a
migration out of order (--force), Drizzle does not re-apply it.

Cost:
Every preview also shows what the rollback costs now: the data at risk (rows holding a value in each
column or table it drops; rows that would violate a NOT NULL or CHECK it adds back, which would make it
fail; exact counts on small tables, estimates from pg_class/pg_stats, labelled, on large ones or when a
count takes longer than a second) and, per statement, the lock it takes on which table, and whether it
rewrites the table or builds an index. SAFE still means the schema comes back exactly; data deleted by
the rollback does not come back. With a strong lock, pass --lock-timeout so that waiting for it does not
stall the application.

verify:
Creates a scratch database (a new database on the server of --scratch-url or --database-url, never just
because DATABASE_URL is set, since it may point at production; without either, a fresh embedded
PostgreSQL in a temporary directory; removed at the end, also on failure or Ctrl-C), then for each
migration of the journal in order: applies it as db:migrate:apply does; if its rollback is SAFE, executes
it as --execute does and compares the schema with the one before the migration (every catalog object:
tables, columns, constraints, indexes, views, sequences, types, functions, triggers, policies, rules,
extensions, comments, privileges, owners), then applies the migration again and compares with the schema
after it. UNSAFE rollbacks are listed as not verifiable, with one short reason per line.
With --seed-rows=N, before each migration every table gets N generated rows (valid for its types, foreign
keys, unique keys and CHECKs; rows a constraint rejects are skipped), and the rows of the tables that existed
before must come back too (count and checksums): after a SAFE rollback, and, for a migration that is not SAFE
but whose data was archived, after its restore (--restore-data), which is then listed as restorable; the
schema may then differ only in the positions of columns that came back last. A migration that does not
apply on the seeded rows is applied again on emptied tables, and its line says so.
Exit 0 when no SAFE rollback failed, 17 otherwise.

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  version: { type: 'string' },
  to: { type: 'string' },
  steps: { type: 'string' },
  execute: { type: 'boolean' },
  'restore-data': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  'database-url': { type: 'string' },
  'pglite-dir': { type: 'string' },
  'scratch-url': { type: 'string' },
  'seed-rows': { type: 'string' },
  migrations: { type: 'string' },
  'lock-timeout': { type: 'string' },
  'statement-timeout': { type: 'string' },
  'older-than': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCliArgs<typeof OPTIONS>>['values'];

await runCli(process.argv.slice(2), async (out) => {
  const { args, overwrite } = forceValue(process.argv.slice(2));
  const { values, positionals } = parseCliArgs(args, OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals[0] === 'archive') {
    const command = archiveCommand(positionals, values);
    const db = await openDatabase({ databaseUrl: values['database-url'], pgliteDir: values['pglite-dir'] ?? DEFAULT_PGLITE_DIR, log: (line) => out.note(line) });
    try {
      return await archive(out, db, command);
    } finally {
      await db.close();
    }
  }
  const command = checkUsage(values, positionals);
  if (overwrite && values['restore-data'] !== true) {
    throw new CliError('--force=overwrite only applies with --restore-data. See --help.', EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  const selection = command === 'preview' || command === 'execute' ? selectionOf(values) : undefined;
  const lockTimeoutMs = timeoutMilliseconds('lock-timeout', values['lock-timeout']);
  const statementTimeoutMs = timeoutMilliseconds('statement-timeout', values['statement-timeout']);
  // list only orders by the journal when there is one; every other command needs the folder.
  const dir = command === 'list' ? await resolveMigrationsDir(values.migrations).catch(() => '') : await resolveMigrationsDir(values.migrations);
  if (command === 'verify') {
    // Only a server named on the command line: DATABASE_URL may be production's.
    const flag = values['scratch-url'] !== undefined ? 'scratch-url' : 'database-url';
    const serverUrl = values[flag];
    if (serverUrl !== undefined && serverUrl.trim() === '') {
      throw new CliError(`--${flag} must not be empty`, EXIT.USAGE, 'INVALID_ARGUMENT');
    }
    return verify(out, {
      server: serverUrl === undefined ? undefined : { url: serverUrl, flag: `--${flag}` },
      databaseUrlIgnored: serverUrl === undefined && Boolean(process.env.DATABASE_URL),
      dir,
      ...(values['seed-rows'] === undefined ? {} : { seedRows: seedRowsOf(values['seed-rows']) }),
    });
  }

  const db = await openDatabase({
    databaseUrl: values['database-url'],
    pgliteDir: values['pglite-dir'] ?? DEFAULT_PGLITE_DIR,
    log: (line) => out.note(line),
  });
  try {
    switch (command) {
      case 'list':
        return view.showList(out, await listRollbacks(db, dir));
      case 'backfill':
        return view.showBackfill(out, await backfill(db, dir), dir);
      case 'preview':
      case 'execute':
        return await rollback(out, db, selection!, {
          execute: command === 'execute',
          yes: values.yes === true,
          force: values.force === true,
          overwrite,
          restoreData: values['restore-data'] === true,
          lockTimeoutMs,
          statementTimeoutMs,
          dir,
        });
    }
  } finally {
    await db.close();
  }
});

/**
 * The one rollback path, for --version, --to and --steps alike: preview, refusals (from the addon, as data),
 * confirmation, execution of exactly what was shown.
 */
async function rollback(
  out: Output,
  db: Database,
  selection: Selection,
  options: RunOptions & { execute: boolean; yes: boolean; dir: string; restoreData: boolean; overwrite: boolean },
): Promise<number> {
  const mode = {
    execute: options.execute,
    force: options.force,
    overwrite: options.overwrite,
    lockTimeoutGiven: options.lockTimeoutMs !== undefined,
    restoreData: options.restoreData,
  };
  const preview = await previewRollback(db, selection, options.dir, options.restoreData);
  if (preview.range.steps.length === 0) return view.showNothing(out, preview, mode);
  const refusal = blockingRefusal(preview, options.execute, options.force);
  view.showPreview(out, preview, refusal, mode);
  if (refusal !== undefined) return view.showRefusal(out, preview, refusal, mode);
  if (!options.execute) return view.showPreviewResult(out, preview);

  view.showBeforeConfirm(out, preview, mode);
  const declined = await confirmRollback(options.yes, out.promptStream);
  if (declined !== undefined) return view.fail(out, preview, declined);
  out.line(options.restoreData ? 'Executing restore...' : 'Executing rollback...');
  let done;
  try {
    done = await executeRollback(db, preview, options);
  } catch (error) {
    const failure = toCliError(error);
    if (!options.restoreData || options.force || failure.code !== 'RESTORE_CONFLICT') throw error;
    return view.showExecuteRefusal(out, preview, failure);
  }
  return view.showExecuted(out, preview, done, mode);
}

/**
 * `--force=overwrite` as `--force` plus `overwrite` (parseArgs has no option that takes a value or none);
 * any other `--force=<value>` is a usage error. Arguments after `--` are left alone.
 */
export function forceValue(argv: string[]): { args: string[]; overwrite: boolean } {
  let overwrite = false;
  const end = argv.indexOf('--');
  const args = argv.map((arg, i) => {
    if ((end !== -1 && i >= end) || !arg.startsWith('--force=')) return arg;
    const value = arg.slice('--force='.length);
    if (value !== 'overwrite') {
      throw new CliError(
        `--force takes no value, or "overwrite" (--force=overwrite, with --restore-data), got "${value}". See --help.`,
        EXIT.USAGE,
        'INVALID_ARGUMENT',
      );
    }
    overwrite = true;
    return '--force';
  });
  return { args, overwrite };
}

function selectionOf(values: Values): Selection {
  if (values.to !== undefined) return { to: values.to };
  if (values.steps !== undefined) return { steps: stepsOption(values.steps) };
  return { version: values.version! };
}

/** `--steps` as a whole number of at least 1. */
function stepsOption(value: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(value)) {
    throw new CliError(`--steps must be a whole number from 1, got "${value}". See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  return Number(value);
}

function seedRowsOf(value: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(value) || Number(value) > 100000) {
    throw new CliError(`--seed-rows must be a whole number from 1 to 100000, got "${value}". See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  return Number(value);
}

function checkUsage(values: Values, positionals: string[]): 'list' | 'backfill' | 'verify' | 'preview' | 'execute' {
  const usage = (message: string) => new CliError(`${message}. See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  if (positionals.length > 1) throw usage(`Unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (values['older-than'] !== undefined) throw usage('--older-than only applies to "archive prune"');
  const [sub] = positionals;
  if (sub !== undefined) {
    if (sub !== 'list' && sub !== 'backfill' && sub !== 'verify') {
      throw usage(`Unknown command "${sub}" (expected list, backfill or verify)`);
    }
    for (const flag of ['version', 'to', 'steps', 'execute', 'yes', 'force', 'lock-timeout', 'statement-timeout', 'restore-data'] as const) {
      if (values[flag] !== undefined) throw usage(`--${flag} cannot be used with "${sub}"`);
    }
    // verify never touches the database of --pglite-dir: it makes its own.
    if (sub === 'verify' && values['pglite-dir'] !== undefined) throw usage('--pglite-dir cannot be used with "verify"');
    if (sub === 'verify' && values['scratch-url'] !== undefined && values['database-url'] !== undefined) {
      throw usage('--scratch-url and --database-url cannot be used together');
    }
    if (sub !== 'verify' && values['scratch-url'] !== undefined) throw usage(`--scratch-url only applies to "verify"`);
    if (sub !== 'verify' && values['seed-rows'] !== undefined) throw usage(`--seed-rows only applies to "verify"`);
    return sub;
  }
  if (values['scratch-url'] !== undefined) throw usage('--scratch-url only applies to "verify"');
  if (values['seed-rows'] !== undefined) throw usage('--seed-rows only applies to "verify"');
  const chosen = (['version', 'to', 'steps'] as const).filter((flag) => values[flag] !== undefined);
  if (chosen.length > 1) throw usage(`--${chosen[0]} and --${chosen[1]} cannot be used together`);
  if (chosen.length === 0) throw usage('Missing --version=X.Y.Z (or --to=X.Y.Z, --steps=N)');
  if (values[chosen[0]!]!.trim() === '') throw usage(`--${chosen[0]} must not be empty`);
  if (!values.execute) {
    for (const flag of ['yes', 'force', 'lock-timeout', 'statement-timeout'] as const) {
      if (values[flag] !== undefined) throw usage(`--${flag} only applies with --execute`);
    }
    return 'preview';
  }
  return 'execute';
}
