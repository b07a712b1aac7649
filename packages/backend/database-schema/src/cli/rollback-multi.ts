// `pnpm db:rollback --to=X.Y.Z` / `--steps=N`: several versions previewed together and executed in one
// transaction (the addon's previewRollbacks/executeRollbacks do the work and re-check under their lock).
import { addon, type RollbackMigration, type RollbackRange, type RollbackStep } from '../addon.js';
import type { Database } from '../lib/database.js';
import { printDataAtRisk, printLockTimeoutAdvice, printLocks } from '../lib/cost.js';
import { CliError, EXIT } from '../lib/errors.js';
import { readMigrations } from '../lib/migrations.js';
import { type Output, reportError } from '../lib/cli.js';
import { ask } from '../lib/prompt.js';
import { formatWarning } from '../rollback/generator.js';

export type Selection = { to: string } | { steps: number };

export interface MultiOptions {
  execute: boolean;
  yes: boolean;
  force: boolean;
  lockTimeoutMs: number | undefined;
  statementTimeoutMs: number | undefined;
  dir: string;
}

/** `--steps` as a whole number of at least 1. */
export function stepsOption(value: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(value)) {
    throw new CliError(`--steps must be a whole number from 1, got "${value}". See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  return Number(value);
}

function shellArg(value: string): string {
  return /^[\w.+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function selectionArg(selection: Selection): string {
  return 'to' in selection ? `--to=${shellArg(selection.to)}` : `--steps=${selection.steps}`;
}

function command(selection: Selection, force: boolean): string {
  return `pnpm db:rollback ${selectionArg(selection)} --execute${force ? ' --force' : ''}`;
}

/**
 * The migrations in Drizzle's order with their hashes (its record of each, deleted with the rollback). Versions
 * outside the journal are not Drizzle's: they keep their schema_versions order and have no record to delete.
 */
function journalMigrations(dir: string): RollbackMigration[] {
  try {
    return readMigrations(dir).map((m) => ({ version: m.version, drizzleHash: m.hash }));
  } catch {
    return [];
  }
}

function printStep(out: Output, step: RollbackStep, n: number, total: number): void {
  const r = step.rollback;
  out.line(`[${n}/${total}] Version ${r.version} (${r.migrationFile}), marked as ${r.rollbackSafe ? 'SAFE' : 'UNSAFE'}`);
  for (const warning of r.warnings) out.line(`  ⚠ Warning: ${formatWarning(warning)}`);
  if (r.rollbackScript === null) {
    out.line(`  No rollback script found for version ${r.version}`);
    out.line();
    return;
  }
  out.line(`Rollback script for version ${r.version}:`);
  out.line(r.rollbackScript.replace(/\n$/, ''));
  if (!step.transactional) {
    out.line(
      '  ⚠ This script cannot run in a transaction (CONCURRENTLY): it runs on its own, after the versions above ' +
        'are committed; if it fails, the run stops there.',
    );
  }
  printDataAtRisk(out, step.dataAtRisk, '  ');
  printLocks(out, step.locks, '  ');
  out.line();
}

function heading(selection: Selection, range: RollbackRange): string {
  const n = range.steps.length;
  const what = `${n} migration${n === 1 ? '' : 's'}`;
  return 'to' in selection
    ? `Rollback to version ${selection.to}: ${what} applied after it, newest first.`
    : `Rollback of the newest ${what}, newest first.`;
}

function summary(range: RollbackRange): string {
  const n = range.steps.length;
  if (range.steps.every((s) => s.transactional)) {
    return (
      `All ${n} rollback${n === 1 ? '' : 's'} run in ONE transaction, together with every ` +
      "schema_versions.rollback_applied_at and the deletion of Drizzle's records: if any statement fails, nothing changes."
    );
  }
  return (
    'Scripts that cannot run in a transaction (CONCURRENTLY) run on their own; the versions between them run in one ' +
    'transaction each. The run stops at the first failure and reports what was rolled back.'
  );
}

function refusalError(range: RollbackRange, force: boolean): CliError | undefined {
  const refusal = range.refusals.find((r) => !(force && r.forceable));
  if (refusal === undefined) return undefined;
  const exit =
    refusal.code === 'ROLLBACK_SCRIPT_NOT_FOUND'
      ? EXIT.ROLLBACK_SCRIPT_NOT_FOUND
      : refusal.code === 'ROLLBACK_UNSAFE'
        ? EXIT.ROLLBACK_UNSAFE
        : EXIT.ROLLBACK_FAILED;
  return new CliError(refusal.message, exit, refusal.code);
}

/** How to get as far as possible when a version in range has no script. */
function reachHint(range: RollbackRange): string | undefined {
  const missing = range.refusals.find((r) => r.code === 'ROLLBACK_SCRIPT_NOT_FOUND');
  if (missing === undefined) return undefined;
  if (range.steps[0]?.rollback.version === missing.version) {
    return `Version ${missing.version} is the newest applied and has no rollback script: it needs a manual rollback first.`;
  }
  return `To roll back to just above it, run: pnpm db:rollback --to=${shellArg(missing.version)} --execute`;
}

export async function multi(out: Output, db: Database, selection: Selection, options: MultiOptions): Promise<number> {
  const journal = journalMigrations(options.dir);
  const request = { ...selection, migrations: journal };
  const range = await addon().previewRollbacks(db.url, request);
  const json = { target: range.target, steps: range.steps, refusals: range.refusals };

  if (range.steps.length === 0) {
    out.line(`Nothing to roll back: no migration is applied after version ${'to' in selection ? selection.to : ''}.`);
    out.result({ ok: true, action: options.execute ? 'execute' : 'preview', ...json, rollbacks: [] });
    return EXIT.OK;
  }

  out.line(heading(selection, range));
  out.line();
  range.steps.forEach((step, i) => printStep(out, step, i + 1, range.steps.length));
  out.line(summary(range));
  printLockTimeoutAdvice(out, range.steps.flatMap((s) => s.locks), options.lockTimeoutMs !== undefined);

  const unsafe = range.steps.some((s) => !s.rollback.rollbackSafe && s.rollback.rollbackScript !== null);
  const refused = refusalError(range, options.execute && options.force);
  if (!options.execute) {
    // Like one version: no script is an error; UNSAFE is shown with the --force command.
    if (refused !== undefined && refused.code !== 'ROLLBACK_UNSAFE') {
      reportError(out, refused, json);
      const hint = reachHint(range);
      if (hint !== undefined) out.note(hint);
      return refused.exitCode;
    }
    if (unsafe) out.line('⚠ Some of these rollbacks are UNSAFE: they undo only the reversible statements (--force).');
    out.line(`To execute, run: ${command(selection, unsafe)}`);
    out.result({ ok: true, action: 'preview', ...json, executeCommand: command(selection, unsafe) });
    return EXIT.OK;
  }

  if (refused !== undefined) {
    reportError(out, refused, json);
    const hint = reachHint(range);
    if (hint !== undefined) out.note(hint);
    if (refused.code === 'ROLLBACK_UNSAFE') out.note(`To execute it anyway, run: ${command(selection, true)}`);
    return refused.exitCode;
  }

  if (!options.yes) {
    if (!process.stdin.isTTY) {
      const error = new CliError(
        'Refusing to execute: confirmation is required but stdin is not a terminal. Re-run with --yes to confirm. Nothing was changed.',
        EXIT.CONFIRMATION_REQUIRED,
        'CONFIRMATION_REQUIRED',
      );
      reportError(out, error, json);
      return error.exitCode;
    }
    const answer = await ask('Are you sure you want to execute this rollback? (yes/no): ', out.promptStream);
    if (answer?.trim().toLowerCase() !== 'yes') {
      const error = new CliError('Rollback cancelled. Nothing was changed.', EXIT.CANCELLED, 'CANCELLED');
      reportError(out, error, json);
      return error.exitCode;
    }
  }

  out.line('Executing rollback...');
  const done = await addon().executeRollbacks(db.url, {
    ...selection,
    migrations: journal,
    force: options.force,
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    // What was shown above: if anything changed meanwhile, nothing runs.
    expectedScripts: range.steps.map((s) => ({ version: s.rollback.version, rollbackScript: s.rollback.rollbackScript })),
  });
  for (const row of done) {
    out.line(`  ✓ ${row.version} (${row.migrationFile}) rolled back at ${row.rollbackAppliedAt}`);
    if (!row.drizzleRowDeleted && journal.some((m) => m.version === row.version)) {
      out.note(
        `⚠ Warning: drizzle.__drizzle_migrations has no row with the hash of ${row.migrationFile} (edited since it was ` +
          `applied, or never recorded by Drizzle): db:migrate:apply will not apply version ${row.version} again automatically.`,
      );
    }
  }
  out.line('✓ Rollback completed successfully');
  out.result({ ok: true, action: 'execute', ...json, rollbacks: done });
  return EXIT.OK;
}
