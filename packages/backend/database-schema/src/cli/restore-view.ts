// How `pnpm db:rollback ... --restore-data` shows its preview: per version the script that runs (the restore
// script; the ordinary rollback of a SAFE version) and what comes back, counted now, with what would refuse it.
import type { ObjectRestore, RollbackRefusal, StoredRollback, VersionRestore } from '../addon.js';
import { EXIT } from '../lib/errors.js';
import type { Output } from '../lib/cli.js';
import { DATA_KINDS, type Preview } from '../rollback/commands.js';
import type { ForceVariant } from './rollback-view.js';
import { formatWarning } from '../rollback/generator.js';

/** An unsafe version whose data the archive kept: what the ordinary preview says about it. */
export function restorable(rollback: StoredRollback): boolean {
  return !rollback.rollbackSafe && rollback.restoreScript !== null && rollback.rollbackAppliedAt === null;
}

function printObject(out: Output, o: ObjectRestore, indent: string): void {
  out.line(`${indent}${o.summary}`);
  for (const note of o.notes) out.line(`${indent}  note: ${note}`);
  if (DATA_KINDS.includes(o.kind)) {
    // Rows changed since a data migration: refused unless --force says which values win.
    for (const conflict of o.conflicts) out.line(`${indent}  ⚠ conflict: ${conflict}`);
    if (o.conflicts.length > 0) {
      out.line(
        `${indent}    without --force: refused (RESTORE_CONFLICT); --force: these rows keep their newer values; ` +
          '--force=overwrite: they take the archived values',
      );
    }
  } else {
    for (const conflict of o.conflicts) out.line(`${indent}  ✗ would refuse: RESTORE_CONFLICT ${conflict}`);
  }
  if (o.archiveMissing) out.line(`${indent}  ✗ would refuse: ARCHIVE_MISSING`);
}

function printVersion(out: Output, v: VersionRestore, refusals: RollbackRefusal[], indent: string): void {
  const r = v.rollback;
  for (const warning of r.warnings) out.line(`${indent}⚠ Warning: ${formatWarning(warning)}`);
  if (v.runs === 'rollback') {
    out.line(`${indent}Its rollback is SAFE: no data to restore, its ordinary rollback runs:`);
  } else if (v.runs === 'restore') {
    out.line(`${indent}What it destroyed was kept at apply; the restore puts it back.`);
    out.line(`${indent}Restore script for version ${r.version}:`);
  }
  if (v.script !== null) out.line(v.script.replace(/\n$/, ''));
  if (v.objects.length > 0) {
    out.line(`${indent}What comes back (counted now):`);
    for (const o of v.objects) printObject(out, o, `${indent}  `);
  }
  for (const refusal of refusals.filter((f) => f.version === r.version)) {
    if (refusal.forceable) out.line(`${indent}⚠ needs --force: ${refusal.code} ${refusal.message}`);
    else out.line(`${indent}✗ would refuse: ${refusal.code} ${refusal.message}`);
  }
}

/** The restore preview, before any refusal; `execute`: the confirmation follows. */
export function showRestore(out: Output, p: Preview, execute: boolean): void {
  const restore = p.restore!;
  const versions = restore.versions;
  const one = 'version' in p.selection;
  if (!one) {
    const what = `${versions.length} migration${versions.length === 1 ? '' : 's'}`;
    out.line(
      'to' in p.selection
        ? `Restore to version ${p.selection.to}: ${what} applied after it, newest first.`
        : `Restore of the newest ${what}, newest first.`,
    );
    out.line();
  }
  versions.forEach((v, i) => {
    const r = v.rollback;
    const n = one ? '' : `[${i + 1}/${versions.length}] `;
    out.line(`${n}Version ${r.version} (${r.migrationFile}), marked as ${r.rollbackSafe ? 'SAFE' : 'UNSAFE'}`);
    printVersion(out, v, restore.refusals, one ? '' : '  ');
    out.line();
  });
  out.line(
    `${one ? 'It runs' : `All ${versions.length} run`} in ONE transaction with schema_versions.rollback_applied_at and the deletion of ` +
      "Drizzle's records; the archive tables it uses are dropped when it commits. If any statement fails, nothing changes.",
  );
  if (!execute) out.line('Dry run: nothing was changed.');
}

/** `variants`: with rows changed since a data migration, the `--force` variants that would run it. */
export function showRestorePreviewResult(out: Output, p: Preview, command: string, variants: ForceVariant[] = []): number {
  if (variants.length === 0) {
    out.line(`To execute, run: ${command}`);
  } else {
    out.line('To execute, run one of:');
    const width = Math.max(...variants.map((v) => v.command.length));
    for (const v of variants) out.line(`  ${v.command.padEnd(width)}  # ${v.effect}`);
  }
  out.result({ ok: true, action: 'preview', restoreData: true, restore: p.restore, executeCommand: command, forceVariants: variants });
  return EXIT.OK;
}
