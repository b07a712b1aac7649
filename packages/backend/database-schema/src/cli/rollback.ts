// `pnpm db:rollback`: preview, execute, list and backfill generated rollback scripts (WISH-20200).
import '../lib/fresh.js'; // first: a stale dist/ stops before anything runs
import fs from 'node:fs';
import { addon, type LaterVersion, type StoredRollback } from '../addon.js';
import { openDatabase, type Database } from '../lib/database.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../lib/errors.js';
import { drizzleHash, findMigrationFile, readMigrations, resolveMigrationsDir, runnableSql } from '../lib/migrations.js';
import { Output, parseCliArgs, reportError, runCli, timeoutMilliseconds } from '../lib/cli.js';
import { DEFAULT_PGLITE_DIR } from '../lib/paths.js';
import { ask } from '../lib/prompt.js';
import { formatWarning, generateRollback } from '../rollback/generator.js';
import { printCost } from '../lib/cost.js';
import { multi, stepsOption, type Selection } from './rollback-multi.js';
import { verify } from './verify.js';

const HELP = `Usage:
  pnpm db:rollback --version=X.Y.Z              preview the rollback script of a migration
  pnpm db:rollback --version=X.Y.Z --execute    execute it, after confirmation
  pnpm db:rollback --to=X.Y.Z [--execute]       every migration applied after X.Y.Z, newest first, in ONE transaction
  pnpm db:rollback --steps=N [--execute]        the newest N applied migrations, likewise
  pnpm db:rollback list                         every schema_versions row in the journal's order: applied, rolled back, applied again
  pnpm db:rollback backfill                     generate missing rollback scripts from the migration files
  pnpm db:rollback verify [--scratch-url=URL]   prove every rollback of the migrations folder on a scratch database

Options:
  --version=X.Y.Z           the migration's version (schema_versions.version)
  --to=X.Y.Z                roll back every migration applied after X.Y.Z (X.Y.Z itself stays applied)
  --steps=N                 roll back the newest N applied migrations
  --execute                 execute the rollback; asks "Are you sure you want to execute this rollback? (yes/no):"
  -y, --yes                 confirm without asking (required when stdin is not a terminal)
  --force                   allow executing a rollback marked UNSAFE (runs its reversible statements only),
                            and rolling back a migration while later ones are applied (out of order)
  --json                    print a machine-readable result on stdout (notes and the prompt go to stderr)
  --database-url=URL        database to use (default: $DATABASE_URL; without it, the embedded PostgreSQL)
  --pglite-dir=DIR          data directory of the embedded PostgreSQL (default: this package's .pglite/)
  --migrations=DIR          migrations folder (default: "out" of drizzle.config.ts)
  --scratch-url=URL         verify: the server to create its scratch database on (--database-url works too;
                            DATABASE_URL is never used for this; without either, the embedded PostgreSQL)
  --lock-timeout=MS         lock_timeout for the rollback (0 = no limit)
  --statement-timeout=MS    statement_timeout for each statement of the rollback (0 = no limit)
  -h, --help                show this help

verify creates a scratch database (a new database on the server of --scratch-url or --database-url,
never just because DATABASE_URL is set, since it may point at production; without either, a fresh
embedded PostgreSQL in a temporary directory; removed at the end, also on failure or Ctrl-C), then for each migration of the journal in order: applies it as db:migrate:apply does; if
its rollback is SAFE, executes it as --execute does and compares the schema with the one before the
migration (every catalog object: tables, columns, constraints, indexes, views, sequences, types,
functions, triggers, policies, rules, extensions, comments, privileges, owners), then applies the
migration again and compares with the schema after it. UNSAFE rollbacks are listed as not verifiable.
Exit 0 when no SAFE rollback failed, 17 otherwise.

A rollback runs in one transaction together with setting schema_versions.rollback_applied_at and
deleting the migration's row from drizzle.__drizzle_migrations (found by the sha256 of its file):
if a statement fails, nothing changes. Scripts with CONCURRENTLY cannot run in a transaction: they
run statement by statement, and a failure keeps the statements that ran before it (they are listed).
The script executed is the one shown; if it was replaced meanwhile, nothing runs (exit 16).

Every preview also shows what the rollback costs now: the data at risk (rows holding a value in each
column or table it drops; rows that would violate a NOT NULL or CHECK it adds back, which would make it
fail; exact counts on small tables, estimates from pg_class/pg_stats, labelled, on large ones or when a
count takes longer than a second) and, per statement, the lock it takes on which table, and whether it
rewrites the table or builds an index. SAFE still means the schema comes back exactly; data deleted by
the rollback does not come back. With a strong lock, pass --lock-timeout so that waiting for it does not
stall the application.

--to and --steps (multi-step rollback): the versions are ordered as the Drizzle journal orders them
(schema_versions for versions not in the migrations folder), previewed together, confirmed once (same
prompt, same --yes rules), then executed newest first in ONE transaction with every rollback_applied_at
and every deletion from drizzle.__drizzle_migrations: if any statement fails, nothing changes and the
error names the version and the statement. A script that cannot run in a transaction (CONCURRENTLY) runs
on its own between the others; the run stops at the first failure and says what was rolled back.
Refused, with nothing changed: any UNSAFE version without --force (exit 5); a version without a rollback
script, even with --force (exit 6; the message says how to roll back to just above it); an unknown
target (exit 7); a target that is not applied (exit 8). Afterwards nothing after the target is applied,
so \`pnpm db:migrate:apply\` applies all of them again.

Drizzle applies only migrations newer than the newest one it has recorded, so \`pnpm db:migrate:apply\`
applies a rolled-back migration again only when no later migration is applied. Rolling back a
migration while later ones are applied and not rolled back is refused (exit 15) unless --force; after
such a rollback, Drizzle does not re-apply it.

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  version: { type: 'string' },
  to: { type: 'string' },
  steps: { type: 'string' },
  execute: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  'database-url': { type: 'string' },
  'pglite-dir': { type: 'string' },
  'scratch-url': { type: 'string' },
  migrations: { type: 'string' },
  'lock-timeout': { type: 'string' },
  'statement-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCliArgs<typeof OPTIONS>>['values'];

await runCli(process.argv.slice(2), async (out) => {
  const { values, positionals } = parseCliArgs(process.argv.slice(2), OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  const command = checkUsage(values, positionals);
  const selection: Selection | undefined =
    values.to !== undefined ? { to: values.to } : values.steps !== undefined ? { steps: stepsOption(values.steps) } : undefined;
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
    });
  }

  const db = await openDatabase({
    databaseUrl: values['database-url'],
    pgliteDir: values['pglite-dir'] ?? DEFAULT_PGLITE_DIR,
    log: (line) => out.note(line),
  });
  try {
    if (selection !== undefined) {
      return await multi(out, db, selection, {
        execute: command === 'execute',
        yes: values.yes === true,
        force: values.force === true,
        lockTimeoutMs,
        statementTimeoutMs,
        dir,
      });
    }
    switch (command) {
      case 'list':
        return await list(out, db, dir);
      case 'backfill':
        return await backfill(out, db, dir);
      case 'preview':
        return await preview(out, db, values.version!, dir);
      case 'execute':
        return await execute(out, db, values.version!, {
          yes: values.yes === true,
          force: values.force === true,
          lockTimeoutMs,
          statementTimeoutMs,
          dir,
        });
    }
  } finally {
    await db.close();
  }
});

function checkUsage(values: Values, positionals: string[]): 'list' | 'backfill' | 'verify' | 'preview' | 'execute' {
  const usage = (message: string) => new CliError(`${message}. See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  if (positionals.length > 1) throw usage(`Unexpected arguments: ${positionals.slice(1).join(' ')}`);
  const [sub] = positionals;
  if (sub !== undefined) {
    if (sub !== 'list' && sub !== 'backfill' && sub !== 'verify') {
      throw usage(`Unknown command "${sub}" (expected list, backfill or verify)`);
    }
    for (const flag of ['version', 'to', 'steps', 'execute', 'yes', 'force', 'lock-timeout', 'statement-timeout'] as const) {
      if (values[flag] !== undefined) throw usage(`--${flag} cannot be used with "${sub}"`);
    }
    // verify never touches the database of --pglite-dir: it makes its own.
    if (sub === 'verify' && values['pglite-dir'] !== undefined) throw usage('--pglite-dir cannot be used with "verify"');
    if (sub === 'verify' && values['scratch-url'] !== undefined && values['database-url'] !== undefined) {
      throw usage('--scratch-url and --database-url cannot be used together');
    }
    if (sub !== 'verify' && values['scratch-url'] !== undefined) throw usage(`--scratch-url only applies to "verify"`);
    return sub;
  }
  if (values['scratch-url'] !== undefined) throw usage('--scratch-url only applies to "verify"');
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

function executeCommand(version: string, force: boolean): string {
  // Quoted for the shell when the version has more than plain version characters.
  const arg = /^[\w.+-]+$/.test(version) ? version : `'${version.replace(/'/g, `'\\''`)}'`;
  return `pnpm db:rollback --version=${arg} --execute${force ? ' --force' : ''}`;
}

function multiCommand(to: string): string {
  const arg = /^[\w.+-]+$/.test(to) ? to : `'${to.replace(/'/g, `'\\''`)}'`;
  return `pnpm db:rollback --to=${arg} --execute`;
}

function printScript(out: Output, rollback: StoredRollback): void {
  out.line(`Rollback script for version ${rollback.version}:`);
  out.line(rollback.rollbackScript!.replace(/\n$/, ''));
  out.line();
}

/**
 * Rows stored before schema_versions had its rollback_plan column (or written by other tools) have no
 * warnings: they are generated again from the migration file when it is still there and still yields the
 * stored script.
 */
function withWarnings(rollback: StoredRollback, dir: string): StoredRollback {
  if (rollback.warnings.length > 0 || rollback.stateCaptured) return rollback;
  const file = findMigrationFile(dir, rollback.migrationFile);
  if (file === undefined) return rollback;
  let plan;
  try {
    plan = generateRollback(runnableSql(fs.readFileSync(file).toString()));
  } catch {
    return rollback;
  }
  if (plan.rollbackScript !== rollback.rollbackScript || plan.rollbackSafe !== rollback.rollbackSafe) return rollback;
  return { ...rollback, warnings: plan.warnings };
}

/** The SAFE/UNSAFE verdict and the warnings explaining an UNSAFE one. */
function printSafety(out: Output, rollback: StoredRollback): void {
  out.line(`This rollback is marked as ${rollback.rollbackSafe ? 'SAFE' : 'UNSAFE'}.`);
  for (const warning of rollback.warnings) out.line(`  ⚠ Warning: ${formatWarning(warning)}`);
  if (!rollback.rollbackSafe && rollback.rollbackScript !== null) {
    out.line('The script above undoes only the reversible statements; the rest needs manual work.');
  }
}

function noScriptError(out: Output, rollback: StoredRollback): number {
  const error = new CliError(
    `No rollback script found for version ${rollback.version}`,
    EXIT.ROLLBACK_SCRIPT_NOT_FOUND,
    'ROLLBACK_SCRIPT_NOT_FOUND',
  );
  reportError(out, error, { rollback });
  // Say why there is none, and that nothing was changed.
  if (rollback.warnings.length > 0) {
    out.note(`This rollback is marked as ${rollback.rollbackSafe ? 'SAFE' : 'UNSAFE'}.`);
    for (const warning of rollback.warnings) out.note(`  ⚠ Warning: ${formatWarning(warning)}`);
  } else {
    out.note(
      `If ${rollback.migrationFile} is still in the migrations folder, \`pnpm db:rollback backfill\` ` +
        'generates the missing script (when the migration can be rolled back).',
    );
  }
  out.note('Nothing was changed.');
  return error.exitCode;
}

async function preview(out: Output, db: Database, version: string, dir: string): Promise<number> {
  const rollback = withWarnings(await addon().getRollback(db.url, version), dir);
  if (rollback.rollbackScript === null) return noScriptError(out, rollback);
  printScript(out, rollback);
  printSafety(out, rollback);
  const later = rollback.rollbackAppliedAt === null ? await laterVersions(db, rollback, migrationOrder(dir)) : [];
  if (later.length > 0) {
    out.line(
      `⚠ Warning: ${outOfOrder(later)}. Roll them back first; --execute refuses this rollback without --force, ` +
        `and after it db:migrate:apply would not apply version ${version} again (Drizzle applies only migrations ` +
        'newer than the newest it has recorded).',
    );
  }
  if (rollback.rollbackAppliedAt !== null) {
    out.line(`Migration ${version} has already been rolled back (at ${rollback.rollbackAppliedAt}).`);
  } else {
    out.line(`To execute, run: ${executeCommand(version, !rollback.rollbackSafe)}`);
  }
  // After the spec's lines: what running it would cost now.
  const cost = rollback.rollbackAppliedAt === null ? await addon().rollbackCost(db.url, rollback.rollbackScript) : null;
  if (cost !== null) {
    out.line();
    printCost(out, cost, false);
  }
  out.result({
    ok: true,
    action: 'preview',
    rollback,
    cost,
    laterVersions: versionsOf(later),
    executeCommand: rollback.rollbackAppliedAt === null ? executeCommand(version, !rollback.rollbackSafe) : null,
  });
  return EXIT.OK;
}

async function execute(
  out: Output,
  db: Database,
  version: string,
  options: {
    yes: boolean;
    force: boolean;
    lockTimeoutMs: number | undefined;
    statementTimeoutMs: number | undefined;
    dir: string;
  },
): Promise<number> {
  const rollback = withWarnings(await addon().getRollback(db.url, version), options.dir);
  // The same checks run again in the addon under its lock; these avoid asking for nothing.
  if (rollback.rollbackAppliedAt !== null) {
    const error = new CliError(
      `Migration ${version} has already been rolled back`,
      EXIT.ALREADY_ROLLED_BACK,
      'ALREADY_ROLLED_BACK',
    );
    reportError(out, error, { rollback });
    out.note(`It was rolled back at ${rollback.rollbackAppliedAt}. Nothing was changed.`);
    return error.exitCode;
  }
  if (rollback.rollbackScript === null) return noScriptError(out, rollback);

  // Before the spec's lines (script, then the prompt right after it): what it costs now.
  printCost(out, await addon().rollbackCost(db.url, rollback.rollbackScript), options.lockTimeoutMs !== undefined);
  out.line();
  printScript(out, rollback);
  if (!rollback.rollbackSafe) {
    printSafety(out, rollback);
    if (!options.force) {
      const error = new CliError(
        `Refusing to execute the UNSAFE rollback of version ${version} without --force. Nothing was changed.`,
        EXIT.ROLLBACK_UNSAFE,
        'ROLLBACK_UNSAFE',
      );
      reportError(out, error, { rollback });
      out.note(`To execute it anyway, run: ${executeCommand(version, true)}`);
      return error.exitCode;
    }
    out.line();
  }

  // Checked here so that a refusal does not ask first, and again by the addon under its lock.
  const order = migrationOrder(options.dir);
  const later = await laterVersions(db, rollback, order);
  if (later.length > 0) {
    if (!options.force) {
      const error = new CliError(
        `Refusing to roll back version ${version} out of order: ${outOfOrder(later)}. ` +
          'Roll them back first, or pass --force to roll back out of order. Nothing was changed.',
        EXIT.ROLLBACK_OUT_OF_ORDER,
        'ROLLBACK_OUT_OF_ORDER',
      );
      reportError(out, error, { rollback, laterVersions: versionsOf(later) });
      const previous = order[order.indexOf(version) - 1];
      if (previous !== undefined) {
        out.note(`To roll back version ${version} and every later one in one transaction: ${multiCommand(previous)}`);
      }
      out.note(
        `Drizzle applies only migrations newer than the newest it has recorded: after this rollback, ` +
          `db:migrate:apply would not apply version ${version} again.`,
      );
      return error.exitCode;
    }
    out.note(
      `⚠ Warning: rolling back out of order (--force): ${outOfOrder(later)}. db:migrate:apply will not apply ` +
        `version ${version} again by itself (Drizzle applies only migrations newer than the newest it has recorded).`,
    );
  }

  const drizzle = drizzleRowHash(out, rollback, options.dir);

  if (!options.yes) {
    if (!process.stdin.isTTY) {
      const error = new CliError(
        'Refusing to execute: confirmation is required but stdin is not a terminal. Re-run with --yes to confirm. Nothing was changed.',
        EXIT.CONFIRMATION_REQUIRED,
        'CONFIRMATION_REQUIRED',
      );
      reportError(out, error, { rollback });
      return error.exitCode;
    }
    const answer = await ask('Are you sure you want to execute this rollback? (yes/no): ', out.promptStream);
    if (answer?.trim().toLowerCase() !== 'yes') {
      const error = new CliError('Rollback cancelled. Nothing was changed.', EXIT.CANCELLED, 'CANCELLED');
      reportError(out, error, { rollback });
      return error.exitCode;
    }
  }

  out.line('Executing rollback...');
  const done = await addon().executeRollback(db.url, version, {
    force: options.force,
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    drizzleHash: drizzle,
    // What was shown above: if a store or backfill replaced it meanwhile, nothing runs.
    expectedScript: rollback.rollbackScript,
    ...(order.length > 0 ? { migrationOrder: order, allowOutOfOrder: options.force } : {}),
  });
  const { drizzleRowDeleted, ...row } = done;
  out.line('✓ Rollback completed successfully');
  out.line(`schema_versions.rollback_applied_at for version ${version}: ${done.rollbackAppliedAt}`);
  if (drizzle !== undefined && !drizzleRowDeleted) {
    out.note(
      `⚠ Warning: drizzle.__drizzle_migrations has no row with the hash of ${rollback.migrationFile} (the file may ` +
        'have been edited since it was applied, or Drizzle never recorded it), so no Drizzle record was removed: ' +
        `db:migrate:apply will not apply version ${version} again automatically.`,
    );
  }
  out.result({ ok: true, action: 'execute', rollback: row, drizzleHash: drizzle ?? null, drizzleRowDeleted });
  return EXIT.OK;
}

function versionsOf(rows: LaterVersion[]): { version: string; migrationFile: string }[] {
  return rows.map(({ version, migrationFile }) => ({ version, migrationFile }));
}

/** "later version(s) 1.4.0 (0004_x.sql), ... are applied and not rolled back" */
function outOfOrder(later: LaterVersion[]): string {
  const list = later.map((r) => `${r.version} (${r.migrationFile})`).join(', ');
  return `later version${later.length === 1 ? '' : 's'} ${list} ${later.length === 1 ? 'is' : 'are'} applied and not rolled back`;
}

/**
 * The versions in the order Drizzle applies them (its journal): schema_versions.applied_at is not that
 * order, as migrations applied before schema_versions existed are recorded later. Empty without a journal.
 */
function migrationOrder(dir: string): string[] {
  try {
    return readMigrations(dir).map((m) => m.version);
  } catch {
    return [];
  }
}

/**
 * Versions after `rollback`'s in the journal that are applied and not rolled back. Drizzle re-applies only
 * migrations newer than the newest it has recorded, so a migration rolled back while these are applied is
 * not applied again. Empty when the migration is not in the journal (Drizzle does not apply it in any case).
 */
async function laterVersions(db: Database, rollback: StoredRollback, order: string[]): Promise<LaterVersion[]> {
  if (order.length === 0) return [];
  return addon().laterVersions(db.url, rollback.version, order);
}

/**
 * The drizzle.__drizzle_migrations hash of the rolled-back migration, so that the rollback also removes
 * Drizzle's record of it. Without the file, Drizzle's row stays and the migration is not re-applied.
 */
function drizzleRowHash(out: Output, rollback: StoredRollback, dir: string): string | undefined {
  const file = findMigrationFile(dir, rollback.migrationFile);
  if (file === undefined) {
    out.note(
      `⚠ Warning: migration file ${rollback.migrationFile} is not in ${dir}; Drizzle's record of it ` +
        '(drizzle.__drizzle_migrations) is kept, so db:migrate:apply will not re-apply it.',
    );
    return undefined;
  }
  return drizzleHash(fs.readFileSync(file).toString());
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

type ListStatus = 'applied' | 'rolled back' | 'applied again';

/**
 * Rows in the order Drizzle's journal applies their versions, then versions not in the folder in schema_versions
 * order; the rows of one version together, oldest first (applied, rolled back, applied again, ...).
 */
function listOrder(rows: readonly StoredRollback[], journal: readonly string[]): { row: StoredRollback; status: ListStatus }[] {
  const inJournal = new Map(journal.map((v, i) => [v, i]));
  const firstRow = new Map<string, number>();
  rows.forEach((r, i) => firstRow.has(r.version) || firstRow.set(r.version, i));
  const rank = (version: string) => inJournal.get(version) ?? journal.length + firstRow.get(version)!;
  const ordered = rows.map((row, i) => ({ row, i })).sort((a, b) => rank(a.row.version) - rank(b.row.version) || a.i - b.i);
  const seen = new Set<string>();
  return ordered.map(({ row }) => {
    const status: ListStatus = row.rollbackAppliedAt !== null ? 'rolled back' : seen.has(row.version) ? 'applied again' : 'applied';
    seen.add(row.version);
    return { row, status };
  });
}

async function list(out: Output, db: Database, dir: string): Promise<number> {
  const rollbacks = listOrder(await addon().listRollbacks(db.url), dir === '' ? [] : migrationOrder(dir));
  out.result({ ok: true, action: 'list', rollbacks: rollbacks.map(({ row, status }) => ({ ...row, status })) });
  if (rollbacks.length === 0) {
    out.line('No migrations are recorded in schema_versions.');
    return EXIT.OK;
  }
  const rows = [['VERSION', 'MIGRATION FILE', 'APPLIED AT', 'ROLLED BACK AT', 'SAFETY', 'SCRIPT', 'STATUS']];
  for (const { row: r, status } of rollbacks) {
    rows.push([
      r.version,
      r.migrationFile,
      r.appliedAt,
      r.rollbackAppliedAt ?? '-',
      r.rollbackSafe ? 'SAFE' : 'UNSAFE',
      r.rollbackScript === null ? 'none' : 'yes',
      status,
    ]);
  }
  for (const line of pad(rows)) out.line(line);
  return EXIT.OK;
}

type BackfillStatus = 'generated' | 'no_reversible_statements' | 'has_script' | 'rolled_back' | 'file_missing';

/** Spec deliverable 3: generate scripts for recorded migrations that lack one, from the files still present. */
async function backfill(out: Output, db: Database, dir: string): Promise<number> {
  const rows = await addon().listRollbacks(db.url);
  const results: { version: string; migrationFile: string; status: BackfillStatus; rollback: StoredRollback }[] = [];
  for (const row of rows) {
    const report = (status: BackfillStatus, rollback = row) =>
      results.push({ version: row.version, migrationFile: row.migrationFile, status, rollback });
    if (row.rollbackScript !== null) {
      report('has_script');
      continue;
    }
    if (row.rollbackAppliedAt !== null) {
      report('rolled_back');
      out.line(`- ${row.version} (${row.migrationFile}): already rolled back, skipped`);
      continue;
    }
    const file = findMigrationFile(dir, row.migrationFile);
    if (file === undefined) {
      report('file_missing');
      out.line(`- ${row.version} (${row.migrationFile}): migration file not found in ${dir}, skipped`);
      continue;
    }
    const stored = await addon().storeRollback(db.url, {
      version: row.version,
      migrationFile: row.migrationFile,
      sql: runnableSql(fs.readFileSync(file).toString()),
      ...(row.description !== null ? { description: row.description } : {}),
    });
    if (stored.rollbackScript !== null) {
      report('generated', stored);
      out.line(
        `✓ ${row.version} (${row.migrationFile}): rollback script generated, marked as ${stored.rollbackSafe ? 'SAFE' : 'UNSAFE'}`,
      );
    } else {
      report('no_reversible_statements', stored);
      out.line(`- ${row.version} (${row.migrationFile}): no reversible statement, no rollback script`);
    }
    for (const warning of stored.warnings) out.line(`    ⚠ Warning: ${formatWarning(warning)}`);
  }
  const count = (status: BackfillStatus) => results.filter((r) => r.status === status).length;
  out.line(
    `Backfill: ${count('generated')} generated, ${count('has_script')} already had a script, ` +
      `${count('no_reversible_statements')} without a reversible statement, ${count('file_missing')} without a migration file, ` +
      `${count('rolled_back')} already rolled back.`,
  );
  out.result({ ok: true, action: 'backfill', results });
  return EXIT.OK;
}
