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
