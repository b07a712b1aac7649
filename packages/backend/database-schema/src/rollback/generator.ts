// The rollback generator of WISH-20200: parsing (PostgreSQL's own parser, pg_query) and inverse-SQL
// generation live in the pg-rollback addon; this module is the package's entry point to it.
import { addon, type RollbackPlan, type RollbackWarning } from '../addon.js';

export type { RollbackPlan, RollbackWarning };

export function generateRollback(sql: string): RollbackPlan {
  return addon().generateRollback(sql);
}

/** One warning as the CLIs print it, e.g. `Cannot auto-generate rollback for DROP COLUMN (data loss) (line 3, column 1)`. */
export function formatWarning(warning: RollbackWarning): string {
  return `${warning.message} (line ${warning.line}, column ${warning.column})`;
}

/**
 * A migration's warnings, one line per distinct reason: the same message for several statements is printed once
 * with their lines, and a migration of pg-rollback's or Drizzle's own bookkeeping (every warning
 * ROLLBACK_METADATA) gets one line in all.
 */
export function formatWarnings(warnings: readonly RollbackWarning[]): string[] {
  const lines = (ws: readonly RollbackWarning[]) => ws.map((w) => w.line).join(', ');
  if (warnings.length > 1 && warnings.every((w) => w.code === 'ROLLBACK_METADATA')) {
    return [
      `Cannot auto-generate rollback: it creates or changes schema_versions or Drizzle's drizzle schema, where ` +
        `pg-rollback and Drizzle keep their migration records, so undoing it must be done by hand (lines ${lines(warnings)})`,
    ];
  }
  const groups = new Map<string, RollbackWarning[]>();
  for (const w of warnings) groups.set(w.message, [...(groups.get(w.message) ?? []), w]);
  return [...groups.values()].map((ws) => (ws.length === 1 ? formatWarning(ws[0]!) : `${ws[0]!.message} (lines ${lines(ws)})`));
}
