// The pg-rollback addon does all SQL parsing, rollback generation and database work;
// this package only calls it. The interfaces mirror the addon's documented API.
import { createRequire } from 'node:module';

export interface RollbackWarning {
  code: string;
  message: string;
  statementIndex: number;
  line: number;
  column: number;
}

export interface StatementPlan {
  index: number;
  kind: string;
  sql: string;
  line: number;
  column: number;
  reversible: boolean;
  inverse: string | null;
  code: string | null;
}

export interface RollbackPlan {
  rollbackScript: string | null;
  rollbackSafe: boolean;
  transactional: boolean;
  statements: StatementPlan[];
  warnings: RollbackWarning[];
}

export interface StoredRollback {
  version: string;
  migrationFile: string;
  description: string | null;
  rollbackScript: string | null;
  rollbackSafe: boolean;
  warnings: RollbackWarning[];
  appliedAt: string;
  rollbackAppliedAt: string | null;
}

export interface MigrationInput {
  version: string;
  migrationFile: string;
  sql: string;
  description?: string;
  appliedBy?: string;
}

export interface ApplyMigrationInput extends MigrationInput {
  drizzleHash: string;
  drizzleCreatedAt: number;
}

export interface ExecuteOptions {
  force?: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  drizzleHash?: string;
  /** The script shown for confirmation; a different stored one is not run (ROLLBACK_SCRIPT_CHANGED). */
  expectedScript?: string;
}

export interface ExecutedRollback extends StoredRollback {
  /** False when no row of drizzle.__drizzle_migrations had `drizzleHash` (or none was given). */
  drizzleRowDeleted: boolean;
}

export interface Addon {
  generateRollback(sql: string): RollbackPlan;
  storeRollback(databaseUrl: string, migration: MigrationInput): Promise<StoredRollback>;
  getRollback(databaseUrl: string, version: string): Promise<StoredRollback>;
  executeRollback(databaseUrl: string, version: string, options?: ExecuteOptions): Promise<ExecutedRollback>;
  listRollbacks(databaseUrl: string): Promise<StoredRollback[]>;
  applyMigration(
    databaseUrl: string,
    migration: ApplyMigrationInput,
  ): Promise<{ applied: boolean; rollback: StoredRollback | null }>;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
let cached: Addon | undefined;

// Loaded lazily so `--help` and argument errors work even when the native addon is not built.
export function addon(): Addon {
  cached ??= load<Addon>('pg-rollback');
  return cached;
}

export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  const embedded = load<{ startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> }>('pg-rollback/embedded');
  return embedded.startEmbeddedPostgres(dir);
}

function load<T>(id: string): T {
  try {
    return require(id) as T;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw Object.assign(
      new Error(`Cannot load ${id}: ${message}\nBuild the addon first: run \`pnpm install && pnpm build\` at the repository root.`),
      { code: 'ADDON_NOT_BUILT' },
    );
  }
}

/** The stable `code` the addon puts on its errors, if any. */
export function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
