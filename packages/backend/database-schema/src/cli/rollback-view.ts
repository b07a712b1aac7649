// How `pnpm db:rollback` shows its results: text on stdout (notes and errors on stderr), or one JSON
// document with --json. One version (--version) keeps the spec's layout; a range (--to/--steps) is numbered.
import type { ExecutedRollback, RollbackRefusal, RollbackStep, StoredRollback } from '../addon.js';
import { printCost, printDataAtRisk, printLockTimeoutAdvice, printLocks } from '../lib/cost.js';
import { CliError, EXIT, exitCodeFor } from '../lib/errors.js';
import { type Output, reportError } from '../lib/cli.js';
import { shellArg } from '../lib/shell.js';
import { formatBytes } from '../lib/size.js';
import {
  DATA_KINDS,
  dataConflicts,
  drizzleHashOf,
  forcedRefusal,
  refusalsOf,
  stepsWithoutFile,
  type BackfillResult,
  type BackfillStatus,
  type ListedRollback,
  type Preview,
  type Selection,
} from '../rollback/commands.js';
import { formatWarning } from '../rollback/generator.js';
import { restorable, showRestore, showRestorePreviewResult } from './restore-view.js';

export interface Mode {
  execute: boolean;
  force: boolean;
  /** --force=overwrite: rows changed since a data migration take the archived values. */
  overwrite?: boolean;
  lockTimeoutGiven: boolean;
  /** --restore-data: the restore of each version instead of its rollback. */
  restoreData?: boolean;
}

function isOne(selection: Selection): selection is { version: string } {
  return 'version' in selection;
}

/** The command that executes `selection`, ready to paste into a shell. */
export function rollbackCommand(selection: Selection, force: boolean | 'overwrite', restoreData = false): string {
  const arg =
    'version' in selection
      ? `--version=${shellArg(selection.version)}`
      : 'to' in selection
        ? `--to=${shellArg(selection.to)}`
        : `--steps=${selection.steps}`;
  const forced = force === 'overwrite' ? ' --force=overwrite' : force ? ' --force' : '';
  return `pnpm db:rollback ${arg}${restoreData ? ' --restore-data' : ''} --execute${forced}`;
}

/** What each `--force` variant does to rows changed since a data migration, with its command. */
export interface ForceVariant {
  flag: '--force' | '--force=overwrite';
  conflictingRows: 'keep' | 'overwrite';
  effect: string;
  command: string;
}

/**
 * The `--force` variants that would run a restore whose data conflicts are its only refusals (else none);
 * `counted: false`: of any restore with data objects (the restore found conflicts the preview did not count).
 */
export function forceVariants(p: Preview, counted = true): ForceVariant[] {
  const data = counted ? dataConflicts(p).length > 0 : (p.restore?.versions ?? []).some((v) => v.objects.some((o) => DATA_KINDS.includes(o.kind)));
  if (!data || refusalsOf(p).some((r) => !r.forceable)) return [];
  return [
    { flag: '--force', conflictingRows: 'keep', effect: 'conflicting rows keep their newer values', command: rollbackCommand(p.selection, true, true) },
    {
      flag: '--force=overwrite',
      conflictingRows: 'overwrite',
      effect: 'conflicting rows take the archived values',
      command: rollbackCommand(p.selection, 'overwrite', true),
    },
  ];
}

/** What JSON output carries along with an error or a result. */
function context(p: Preview): Record<string, unknown> {
  const restore = p.restore !== undefined ? { restoreData: true, restore: p.restore } : {};
  if (isOne(p.selection)) return { rollback: p.range.steps[0]!.rollback, ...restore };
  return { target: p.range.target, steps: p.range.steps, refusals: refusalsOf(p), ...restore };
}

/** Without --restore-data: an UNSAFE version whose data the archive kept says how to get it back. */
function restoreHint(out: Output, selection: Selection, rollback: StoredRollback, indent = '', toStderr = false): void {
  if (!restorable(rollback)) return;
  const line = `${indent}Its data can be restored: --restore-data (preview: ${restoreCommand(selection)})`;
  if (toStderr) out.note(line);
  else out.line(line);
}

function restoreCommand(selection: Selection): string {
  return rollbackCommand(selection, false, true).replace(/ --execute$/, '');
}

/** Reports `error` (with the selection in JSON) and returns its exit code. */
export function fail(out: Output, p: Preview, error: CliError, extra: Record<string, unknown> = {}): number {
  reportError(out, error, { ...context(p), ...extra });
  return error.exitCode;
}

// --- the pieces both layouts share ---

function printScript(out: Output, rollback: StoredRollback): void {
  out.line(`Rollback script for version ${rollback.version}:`);
  out.line(rollback.rollbackScript!.replace(/\n$/, ''));
}

function printSafety(out: Output, rollback: StoredRollback): void {
  out.line(`This rollback is marked as ${rollback.rollbackSafe ? 'SAFE' : 'UNSAFE'}.`);
  for (const warning of rollback.warnings) out.line(`  ⚠ Warning: ${formatWarning(warning)}`);
  if (!rollback.rollbackSafe && rollback.rollbackScript !== null) {
    out.line('The script above undoes only the reversible statements; the rest needs manual work.');
  }
}

function printNotTransactional(out: Output, indent: string, after: string): void {
  out.line(
    `${indent}⚠ This script cannot run in a transaction (CONCURRENTLY): it runs on its own, ${after}; if it fails, ` +
      'the run stops there and the statements before the failing one stay applied.',
  );
}

function drizzleRowKept(out: Output, migrationFile: string, version: string): void {
  out.note(
    `⚠ Warning: drizzle.__drizzle_migrations has no row with the hash of ${migrationFile} (the file may have been ` +
      'edited since it was applied, or Drizzle never recorded it), so no Drizzle record was removed: ' +
      `db:migrate:apply will not apply version ${version} again automatically.`,
  );
}

/** The later applied versions of an out-of-order refusal, with their files (from the journal). */
function laterVersions(p: Preview, refusal: RollbackRefusal | undefined): { version: string; migrationFile: string }[] {
  return (refusal?.versions ?? []).map((version) => ({
    version,
    migrationFile: p.journal.find((m) => m.version === version)?.file ?? version,
  }));
}

/** "later version(s) 1.4.0 (0004_x.sql), ... are applied and not rolled back" */
function outOfOrder(later: { version: string; migrationFile: string }[]): string {
  const list = later.map((r) => `${r.version} (${r.migrationFile})`).join(', ');
  return `later version${later.length === 1 ? '' : 's'} ${list} ${later.length === 1 ? 'is' : 'are'} applied and not rolled back`;
}

function noScript(out: Output, p: Preview, rollback: StoredRollback): number {
  const code = fail(
    out,
    p,
    new CliError(`No rollback script found for version ${rollback.version}`, EXIT.ROLLBACK_SCRIPT_NOT_FOUND, 'ROLLBACK_SCRIPT_NOT_FOUND'),
  );
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
  restoreHint(out, p.selection, rollback, '', true);
  out.note('Nothing was changed.');
  return code;
}

// --- the preview, before any refusal ---

export function showPreview(out: Output, p: Preview, refusal: RollbackRefusal | undefined, mode: Mode): void {
  if (p.restore !== undefined) showRestore(out, p, mode.execute);
  else if (isOne(p.selection)) showOne(out, p, refusal, mode);
  else showRange(out, p, mode);
}

function showOne(out: Output, p: Preview, refusal: RollbackRefusal | undefined, mode: Mode): void {
  const step = p.range.steps[0]!;
  const r = step.rollback;
  if (refusal?.code === 'ROLLBACK_SCRIPT_NOT_FOUND') return;
  if (mode.execute) {
    if (refusal?.code === 'ALREADY_ROLLED_BACK') return;
    // Before the spec's lines (script, then the prompt right after it): what it costs now.
    printCost(out, step, mode.lockTimeoutGiven);
    out.line();
    printScript(out, r);
    out.line();
    if (!step.transactional) printNotTransactional(out, '', 'statement by statement');
    if (!r.rollbackSafe) {
      printSafety(out, r);
      if (refusal === undefined) out.line();
    }
    return;
  }
  printScript(out, r);
  out.line();
  printSafety(out, r);
  restoreHint(out, p.selection, r);
  if (!step.transactional) printNotTransactional(out, '', 'statement by statement');
  const later = laterVersions(p, forcedRefusal(p, 'ROLLBACK_OUT_OF_ORDER'));
  if (later.length > 0) {
    out.line(
      `⚠ Warning: ${outOfOrder(later)}. Roll them back first; --execute refuses this rollback without --force, ` +
        `and after it db:migrate:apply would not apply version ${r.version} again (Drizzle applies only migrations ` +
        'newer than the newest it has recorded).',
    );
  }
  if (r.rollbackAppliedAt !== null) {
    out.line(`Migration ${r.version} has already been rolled back (at ${r.rollbackAppliedAt}).`);
    return;
  }
  out.line(`To execute, run: ${rollbackCommand(p.selection, !r.rollbackSafe)}`);
  // After the spec's lines: what running it would cost now.
  out.line();
  printCost(out, step, false);
}

function showRange(out: Output, p: Preview, mode: Mode): void {
  const steps = p.range.steps;
  const what = `${steps.length} migration${steps.length === 1 ? '' : 's'}`;
  out.line(
    'to' in p.selection
      ? `Rollback to version ${p.selection.to}: ${what} applied after it, newest first.`
      : `Rollback of the newest ${what}, newest first.`,
  );
  out.line();
  steps.forEach((step, i) => showStep(out, p, step, i + 1, steps.length));
  if (steps.every((s) => s.transactional)) {
    out.line(
      `All ${steps.length} rollback${steps.length === 1 ? '' : 's'} run in ONE transaction, together with every ` +
        "schema_versions.rollback_applied_at and the deletion of Drizzle's records: if any statement fails, nothing changes.",
    );
  } else {
    out.line(
      'Scripts that cannot run in a transaction (CONCURRENTLY) run on their own; the versions between them run in one ' +
        'transaction each. The run stops at the first failure and reports what was rolled back.',
    );
  }
  printLockTimeoutAdvice(out, steps.flatMap((s) => s.locks), mode.lockTimeoutGiven);
}

function showStep(out: Output, p: Preview, step: RollbackStep, n: number, total: number): void {
  const r = step.rollback;
  out.line(`[${n}/${total}] Version ${r.version} (${r.migrationFile}), marked as ${r.rollbackSafe ? 'SAFE' : 'UNSAFE'}`);
  for (const warning of r.warnings) out.line(`  ⚠ Warning: ${formatWarning(warning)}`);
  restoreHint(out, p.selection, r, '  ');
  if (r.rollbackScript === null) {
    out.line(`  No rollback script found for version ${r.version}`);
    out.line();
    return;
  }
  printScript(out, r);
  if (!step.transactional) printNotTransactional(out, '  ', 'after the versions above are committed');
  printDataAtRisk(out, step.dataAtRisk, '  ');
  printLocks(out, step.locks, '  ');
  out.line();
}

export function showNothing(out: Output, p: Preview, mode: Mode): number {
  const after = 'to' in p.selection ? p.selection.to : '';
  out.line(`Nothing to roll back: no migration is applied after version ${after}.`);
  out.result({ ok: true, action: mode.execute ? 'execute' : 'preview', ...context(p), rollbacks: [] });
  return EXIT.OK;
}

// --- a refusal: nothing runs ---

export function showRefusal(out: Output, p: Preview, refusal: RollbackRefusal, mode: Mode): number {
  const one = isOne(p.selection);
  if (one && refusal.code === 'ROLLBACK_SCRIPT_NOT_FOUND') return noScript(out, p, p.range.steps[0]!.rollback);
  if (one && refusal.code === 'ALREADY_ROLLED_BACK') {
    const code = fail(out, p, new CliError(refusal.message, EXIT.ALREADY_ROLLED_BACK, refusal.code));
    out.note(`It was rolled back at ${p.range.steps[0]!.rollback.rollbackAppliedAt}. Nothing was changed.`);
    return code;
  }
  if (one && refusal.code === 'ROLLBACK_UNSAFE') {
    const message = `Refusing to execute the UNSAFE rollback of version ${refusal.version} without --force. Nothing was changed.`;
    const code = fail(out, p, new CliError(message, EXIT.ROLLBACK_UNSAFE, refusal.code));
    out.note(`To execute it anyway, run: ${rollbackCommand(p.selection, true)}`);
    return code;
  }
  if (one && refusal.code === 'ROLLBACK_OUT_OF_ORDER') {
    const later = laterVersions(p, refusal);
    const version = refusal.version;
    const message =
      `Refusing to roll back version ${version} out of order: ${outOfOrder(later)}. ` +
      'Roll them back first, or pass --force to roll back out of order. Nothing was changed.';
    const code = fail(out, p, new CliError(message, EXIT.ROLLBACK_OUT_OF_ORDER, refusal.code), { laterVersions: later });
    const order = p.journal.map((m) => m.version);
    const previous = order[order.indexOf(version) - 1];
    if (previous !== undefined) {
      out.note(`To roll back version ${version} and every later one in one transaction: ${rollbackCommand({ to: previous }, false)}`);
    }
    out.note(
      `Drizzle applies only migrations newer than the newest it has recorded: after this rollback, ` +
        `db:migrate:apply would not apply version ${version} again.`,
    );
    return code;
  }
  // A restore's refusal names its code (RESTORE_CONFLICT, ARCHIVE_MISSING, RESTORE_NOT_AVAILABLE) in the text too.
  const text = p.restore !== undefined ? `${refusal.code}: ${refusal.message}` : refusal.message;
  const variants = refusal.code === 'RESTORE_CONFLICT' && refusal.forceable ? forceVariants(p) : [];
  const code = fail(out, p, new CliError(text, exitCodeFor(refusal.code), refusal.code), variants.length > 0 ? { forceVariants: variants } : {});
  if (refusal.code === 'ROLLBACK_SCRIPT_NOT_FOUND') {
    // How to get as far as possible when a version in range has no script.
    out.note(
      p.range.steps[0]?.rollback.version === refusal.version
        ? `Version ${refusal.version} is the newest applied and has no rollback script: it needs a manual rollback first.`
        : `To roll back to just above it, run: ${rollbackCommand({ to: refusal.version }, false)}`,
    );
  }
  if (refusal.code === 'ROLLBACK_UNSAFE' && mode.execute) out.note(`To execute it anyway, run: ${rollbackCommand(p.selection, true)}`);
  for (const v of variants) out.note(`To restore anyway (${v.effect}), run: ${v.command}`);
  return code;
}

// --- a preview without --execute ---

export function showPreviewResult(out: Output, p: Preview): number {
  if (p.restore !== undefined) {
    const force = p.restore.refusals.some((r) => r.forceable);
    return showRestorePreviewResult(out, p, rollbackCommand(p.selection, force, true), forceVariants(p));
  }
  if (isOne(p.selection)) {
    const step = p.range.steps[0]!;
    const rolledBack = step.rollback.rollbackAppliedAt !== null;
    const command = rolledBack ? null : rollbackCommand(p.selection, !step.rollback.rollbackSafe);
    const { rollback, ...cost } = step;
    out.result({
      ok: true,
      action: 'preview',
      rollback,
      cost: rolledBack ? null : cost,
      laterVersions: laterVersions(p, forcedRefusal(p, 'ROLLBACK_OUT_OF_ORDER')),
      executeCommand: command,
      refusals: p.range.refusals,
    });
    return EXIT.OK;
  }
  const unsafe = p.range.steps.some((s) => !s.rollback.rollbackSafe && s.rollback.rollbackScript !== null);
  if (unsafe) out.line('⚠ Some of these rollbacks are UNSAFE: they undo only the reversible statements (--force).');
  out.line(`To execute, run: ${rollbackCommand(p.selection, unsafe)}`);
  out.result({ ok: true, action: 'preview', ...context(p), executeCommand: rollbackCommand(p.selection, unsafe) });
  return EXIT.OK;
}

// --- executing ---

/** Warnings shown before the confirmation: what a forced restore does to rows changed since, what the rollback will not undo for Drizzle. */
export function showBeforeConfirm(out: Output, p: Preview, mode?: Mode): void {
  if (mode?.force) {
    const effect = mode.overwrite ? 'take the archived values (--force=overwrite)' : 'keep their newer values (--force)';
    for (const { version, object } of dataConflicts(p)) {
      for (const conflict of object.conflicts) out.note(`⚠ Warning: version ${version}: ${conflict}: these rows ${effect}`);
    }
  }
  const forced = forcedRefusal(p, 'ROLLBACK_OUT_OF_ORDER');
  if (forced !== undefined) {
    out.note(
      `⚠ Warning: rolling back out of order (--force): ${outOfOrder(laterVersions(p, forced))}. db:migrate:apply will ` +
        `not apply version ${forced.version} again by itself (Drizzle applies only migrations newer than the newest it has recorded).`,
    );
  }
  for (const r of stepsWithoutFile(p)) {
    out.note(
      `⚠ Warning: migration file ${r.migrationFile} is not in ${p.dir}; Drizzle's record of it ` +
        '(drizzle.__drizzle_migrations) is kept, so db:migrate:apply will not re-apply it.',
    );
  }
}

/** The restore itself refused rows changed since that its preview did not count: how to run it anyway. */
export function showExecuteRefusal(out: Output, p: Preview, error: CliError): number {
  const variants = error.code === 'RESTORE_CONFLICT' ? forceVariants(p, false) : [];
  const code = fail(out, p, error, variants.length > 0 ? { forceVariants: variants } : {});
  for (const v of variants) out.note(`To restore anyway (${v.effect}), run: ${v.command}`);
  return code;
}

export function showExecuted(out: Output, p: Preview, done: ExecutedRollback[], mode?: Mode): number {
  const flag = mode?.overwrite ? '--force=overwrite' : '--force';
  const one = isOne(p.selection);
  for (const row of done) {
    if (!one) out.line(`  ✓ ${row.version} (${row.migrationFile}) rolled back at ${row.rollbackAppliedAt}`);
    if (!row.drizzleRowDeleted && drizzleHashOf(p, row.version) !== undefined) drizzleRowKept(out, row.migrationFile, row.version);
    for (const note of row.restoreNotes ?? []) out.note(`⚠ Restored with ${flag}: ${row.version}: ${note}`);
  }
  out.line(p.restore !== undefined ? '✓ Restore completed successfully: the data the archive kept is back' : '✓ Rollback completed successfully');
  if (one && done.length === 1) {
    const { drizzleRowDeleted, ...rollback } = done[0]!;
    out.line(`schema_versions.rollback_applied_at for version ${rollback.version}: ${rollback.rollbackAppliedAt}`);
    const drizzleHash = drizzleHashOf(p, rollback.version) ?? null;
    const restore = p.restore !== undefined ? { restoreData: true, restore: p.restore } : {};
    out.result({ ok: true, action: 'execute', rollback, drizzleHash, drizzleRowDeleted, ...restore });
  } else {
    out.result({ ok: true, action: 'execute', ...context(p), rollbacks: done });
  }
  return EXIT.OK;
}

// --- list and backfill ---

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

export function showList(out: Output, rollbacks: ListedRollback[]): number {
  out.result({ ok: true, action: 'list', rollbacks });
  if (rollbacks.length === 0) {
    out.line('No migrations are recorded in schema_versions.');
    return EXIT.OK;
  }
  const rows = [['VERSION', 'MIGRATION FILE', 'APPLIED AT', 'ROLLED BACK AT', 'SAFETY', 'SCRIPT', 'ARCHIVE', 'STATUS']];
  for (const r of rollbacks) {
    rows.push([
      r.version,
      r.migrationFile,
      r.appliedAt,
      r.rollbackAppliedAt ?? '-',
      r.rollbackSafe ? 'SAFE' : 'UNSAFE',
      r.rollbackScript === null ? 'none' : 'yes',
      // What the archive kept at apply ("archive list" measures it now).
      r.archive && r.archive.objects.length > 0 ? formatBytes(r.archive.bytes) : '-',
      r.status,
    ]);
  }
  for (const line of pad(rows)) out.line(line);
  return EXIT.OK;
}

export function showBackfill(out: Output, results: BackfillResult[], dir: string): number {
  for (const { version, migrationFile, status, rollback } of results) {
    const name = `${version} (${migrationFile})`;
    if (status === 'rolled_back') out.line(`- ${name}: already rolled back, skipped`);
    if (status === 'file_missing') out.line(`- ${name}: migration file not found in ${dir}, skipped`);
    if (status === 'generated') {
      out.line(`✓ ${name}: rollback script generated, marked as ${rollback.rollbackSafe ? 'SAFE' : 'UNSAFE'}`);
    }
    if (status === 'no_reversible_statements') out.line(`- ${name}: no reversible statement, no rollback script`);
    if (status === 'generated' || status === 'no_reversible_statements') {
      for (const warning of rollback.warnings) out.line(`    ⚠ Warning: ${formatWarning(warning)}`);
    }
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
