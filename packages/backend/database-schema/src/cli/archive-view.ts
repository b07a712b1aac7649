// How `pnpm db:rollback archive list|prune` shows its results: a table or lines on stdout, or one JSON
// document with --json (notes and the prompt on stderr).
import type { PrunedArchive, VersionArchive } from '../addon.js';
import type { Output } from '../lib/cli.js';
import { EXIT } from '../lib/errors.js';
import { formatAge, formatBytes } from '../lib/size.js';
import type { PruneSelection } from '../rollback/archive.js';

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

const count = (n: number) => n.toLocaleString('en-US');

function restorable(a: VersionArchive): string {
  const missing = a.objects.filter((o) => !o.exists).length;
  if (missing > 0) return `no: ${missing} of ${a.objects.length} table(s) missing`;
  if (a.rolledBack) return 'no: rolled back';
  return a.restorable ? 'yes' : 'no';
}

export function showArchiveList(out: Output, archives: VersionArchive[]): number {
  out.result({ ok: true, action: 'archive list', archives });
  if (archives.length === 0) {
    out.line('The archive is empty: no version keeps data (pgrollback_archive holds nothing).');
    return EXIT.OK;
  }
  const rows = [['VERSION', 'MIGRATION FILE', 'OBJECTS', 'ROWS', 'SIZE', 'AGE', 'RESTORABLE']];
  for (const a of archives) {
    rows.push([a.version, a.migrationFile, String(a.objects.length), count(a.rows), formatBytes(a.bytes), formatAge(a.ageMs), restorable(a)]);
  }
  for (const line of pad(rows)) out.line(line);
  for (const a of archives) {
    for (const o of a.objects) {
      out.line(`  ${a.version}: ${o.table} keeps ${o.kind} ${o.source} (${count(o.rows)} rows${o.exists ? `, ${formatBytes(o.bytes)}` : ', table missing'})`);
    }
  }
  const total = archives.reduce((sum, a) => sum + a.bytes, 0);
  out.line(`Total: ${archives.length} version(s), ${formatBytes(total)}. Drop with: pnpm db:rollback archive prune --version=X | --older-than=30d`);
  return EXIT.OK;
}

function describe(selection: PruneSelection): string {
  const parts = [];
  if (selection.version !== undefined) parts.push(`version ${selection.version}`);
  if (selection.olderThanMs !== undefined) parts.push(`applied more than ${formatAge(selection.olderThanMs)} ago`);
  return parts.join(', ');
}

export function showNothingToPrune(out: Output, selection: PruneSelection): number {
  out.result({ ok: true, action: 'archive prune', pruned: [] });
  out.line(`Nothing to prune: no archive of ${describe(selection)}.`);
  return EXIT.OK;
}

function printPruned(out: Output, pruned: PrunedArchive[]): void {
  for (const p of pruned) {
    out.line(`  ${p.version} (${p.migrationFile}), applied ${formatAge(p.ageMs)} ago: ${count(p.rows)} rows, ${formatBytes(p.bytes)}`);
    for (const table of p.dropped) out.line(`    ${table}`);
    for (const table of p.missing) out.line(`    ${table} (already gone)`);
    for (const table of p.leftAlone) out.line(`    ${table} (not an archive table: left alone)`);
  }
}

export function showPrunePreview(out: Output, pruned: PrunedArchive[]): void {
  const bytes = pruned.reduce((sum, p) => sum + p.bytes, 0);
  out.line(`Archives to drop (${pruned.length} version(s), ${formatBytes(bytes)}):`);
  printPruned(out, pruned);
  out.line('');
  out.line(
    'After pruning, these versions can no longer be restored with their data (--restore-data); their rollback ' +
      'scripts are unchanged.',
  );
}

export function showPruned(out: Output, pruned: PrunedArchive[]): number {
  out.result({ ok: true, action: 'archive prune', pruned });
  const bytes = pruned.reduce((sum, p) => sum + p.bytes, 0);
  out.line(`✓ Pruned the archive of ${pruned.length} version(s), ${formatBytes(bytes)} freed.`);
  return EXIT.OK;
}
