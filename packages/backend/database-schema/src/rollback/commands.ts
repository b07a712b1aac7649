// What `pnpm db:rollback` does, as typed results (src/cli/rollback-view.ts renders them as text or JSON).
// One version (--version), a range (--to) or the newest N (--steps) are all one selection, previewed and
// executed by the addon's previewRollbacks/executeRollbacks, which also say what refuses it.
import fs from 'node:fs';
import {
  addon,
  type ExecutedRollback,
  type ObjectRestore,
  type RestorePreview,
  type RollbackRange,
  type RollbackRefusal,
  type RollbackStep,
  type StoredRollback,
} from '../addon.js';
import type { Database } from '../lib/database.js';
import { findMigrationFile, journalOrEmpty, runnableSql, type Migration } from '../lib/migrations.js';
import { generateRollback } from './generator.js';

export type Selection = { version: string } | { to: string } | { steps: number };

export interface Preview {
  selection: Selection;
  /** The versions, newest first, with their scripts, costs and refusals. */
  range: RollbackRange;
  /** Drizzle's journal (its order, and its record of each migration); empty without a readable one. */
  journal: Migration[];
  dir: string;
  /** With --restore-data: what the restore runs per version and what comes back, counted now, and its refusals. */
  restore?: RestorePreview;
}

export interface RunOptions {
  force: boolean;
  /** With `force` and a restore: rows changed since a data migration take the archived values (`--force=overwrite`). */
  overwrite?: boolean;
  lockTimeoutMs: number | undefined;
  statementTimeoutMs: number | undefined;
}

/** The versions of `selection` as the database has them now; changes nothing. */
export async function previewRollback(db: Database, selection: Selection, dir: string, restoreData = false): Promise<Preview> {
  const journal = journalOrEmpty(dir);
  const range = await addon().previewRollbacks(db.url, { ...selection, migrations: migrationsOf(journal) });
  const steps = range.steps.map((step): RollbackStep => ({ ...step, rollback: withWarnings(step.rollback, dir) }));
  const preview: Preview = { selection, range: { ...range, steps }, journal, dir };
  if (restoreData) preview.restore = await addon().restorePreview(db.url, { ...selection, migrations: migrationsOf(journal) });
  return preview;
}

/** What refuses the selection: the restore's refusals with --restore-data (they replace UNSAFE and no script), else the rollback's. */
export function refusalsOf(preview: Preview): RollbackRefusal[] {
  return preview.restore?.refusals ?? preview.range.refusals;
}

/**
 * What stops the selection: the first refusal that force does not override when executing; when previewing,
 * the first that force cannot override (a rolled-back version is shown, not refused).
 */
export function blockingRefusal(preview: Preview, execute: boolean, force: boolean): RollbackRefusal | undefined {
  return refusalsOf(preview).find((r) => {
    if (execute) return !(force && r.forceable);
    // A rolled-back version's rollback is still shown; its restore has nothing left to show.
    return !r.forceable && (preview.restore !== undefined || r.code !== 'ALREADY_ROLLED_BACK');
  });
}

/** A refusal force overrides that applies here (e.g. rolling back out of order). */
export function forcedRefusal(preview: Preview, code: string): RollbackRefusal | undefined {
  return refusalsOf(preview).find((r) => r.code === code && r.forceable);
}

/** The kinds of archived objects a data migration's statements keep (their conflicts are rows changed since). */
export const DATA_KINDS: readonly string[] = ['UPDATE', 'DELETE', 'INSERT', 'MERGE', 'TRUNCATE'];

/** The data objects of a restore preview whose rows changed since the migration (what `--force` decides). */
export function dataConflicts(preview: Preview): { version: string; object: ObjectRestore }[] {
  return (preview.restore?.versions ?? []).flatMap((v) =>
    v.objects.filter((o) => DATA_KINDS.includes(o.kind) && o.conflicts.length > 0).map((object) => ({ version: v.rollback.version, object })),
  );
}

/** Executes exactly what `preview` showed; if anything changed meanwhile, nothing runs. */
export async function executeRollback(db: Database, preview: Preview, options: RunOptions): Promise<ExecutedRollback[]> {
  return addon().executeRollbacks(db.url, {
    ...preview.selection,
    migrations: migrationsOf(preview.journal),
    force: options.force,
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    // What was shown is what runs: with --restore-data each version's script as restorePreview showed it.
    expectedScripts:
      preview.restore !== undefined
        ? preview.restore.versions.map((v) => ({ version: v.rollback.version, rollbackScript: v.script }))
        : preview.range.steps.map((s) => ({ version: s.rollback.version, rollbackScript: s.rollback.rollbackScript })),
    ...(preview.restore !== undefined ? { restoreData: true } : {}),
    ...(preview.restore !== undefined && options.force && options.overwrite === true ? { overwrite: true } : {}),
  });
}

/** Drizzle's record of `version` (deleted with its rollback), if the journal has it. */
export function drizzleHashOf(preview: Preview, version: string): string | undefined {
  return preview.journal.find((m) => m.version === version)?.hash;
}

/** The steps outside the journal whose file is not in the folder either: Drizzle's record of them is kept. */
export function stepsWithoutFile(preview: Preview): StoredRollback[] {
  return preview.range.steps
    .map((s) => s.rollback)
    .filter((r) => drizzleHashOf(preview, r.version) === undefined && findMigrationFile(preview.dir, r.migrationFile) === undefined);
}

function migrationsOf(journal: Migration[]) {
  return journal.map((m) => ({ version: m.version, drizzleHash: m.hash }));
}

/**
 * Rows stored before schema_versions had its rollback_plan column (or written by other tools) have no
 * warnings: they are generated again from the migration file when it is still there and still yields the
 * stored script.
 */
function withWarnings(rollback: StoredRollback, dir: string): StoredRollback {
  if (rollback.warnings.length > 0 || rollback.stateCaptured || dir === '') return rollback;
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

export type ListStatus = 'applied' | 'rolled back' | 'applied again';
export type ListedRollback = StoredRollback & { status: ListStatus };

/**
 * Every schema_versions row in the order Drizzle's journal applies their versions, then versions not in the
 * folder in schema_versions order; the rows of one version together, oldest first.
 */
export async function listRollbacks(db: Database, dir: string): Promise<ListedRollback[]> {
  const rows = await addon().listRollbacks(db.url);
  const journal = journalOrEmpty(dir).map((m) => m.version);
  const inJournal = new Map(journal.map((v, i) => [v, i]));
  const firstRow = new Map<string, number>();
  rows.forEach((r, i) => firstRow.has(r.version) || firstRow.set(r.version, i));
  const rank = (version: string) => inJournal.get(version) ?? journal.length + firstRow.get(version)!;
  const ordered = rows.map((row, i) => ({ row, i })).sort((a, b) => rank(a.row.version) - rank(b.row.version) || a.i - b.i);
  const seen = new Set<string>();
  return ordered.map(({ row }) => {
    const status: ListStatus = row.rollbackAppliedAt !== null ? 'rolled back' : seen.has(row.version) ? 'applied again' : 'applied';
    seen.add(row.version);
    return { ...row, status };
  });
}

export type BackfillStatus = 'generated' | 'no_reversible_statements' | 'has_script' | 'rolled_back' | 'file_missing';

export interface BackfillResult {
  version: string;
  migrationFile: string;
  status: BackfillStatus;
  rollback: StoredRollback;
}

/** Spec deliverable 3: generate scripts for recorded migrations that lack one, from the files still present. */
export async function backfill(db: Database, dir: string): Promise<BackfillResult[]> {
  const results: BackfillResult[] = [];
  for (const row of await addon().listRollbacks(db.url)) {
    const report = (status: BackfillStatus, rollback = row) =>
      results.push({ version: row.version, migrationFile: row.migrationFile, status, rollback });
    if (row.rollbackScript !== null) {
      report('has_script');
      continue;
    }
    if (row.rollbackAppliedAt !== null) {
      report('rolled_back');
      continue;
    }
    const file = findMigrationFile(dir, row.migrationFile);
    if (file === undefined) {
      report('file_missing');
      continue;
    }
    const stored = await addon().storeRollback(db.url, {
      version: row.version,
      migrationFile: row.migrationFile,
      sql: runnableSql(fs.readFileSync(file).toString()),
      ...(row.description !== null ? { description: row.description } : {}),
    });
    report(stored.rollbackScript !== null ? 'generated' : 'no_reversible_statements', stored);
  }
  return results;
}
