// The pg-rollback addon does all SQL parsing, rollback generation and database work; this package only
// calls it. Its types are the ones napi-rs generates from the Rust binding (pg-rollback's index.d.ts and
// embedded.d.ts): they are not restated here.
import { createRequire } from 'node:module';
import type { ErrorCode } from 'pg-rollback';

export type {
  ApplyMigrationInput,
  ArchiveRecord,
  ArchiveTable,
  PrunedArchive,
  VersionArchive,
  CatalogDifference,
  CatalogSnapshot,
  Code,
  ErrorCode,
  ApplyMigrationResult,
  DataAtRisk,
  ExecuteRollbacksOptions,
  LockInfo,
  ObjectRestore,
  RestorePreview,
  RollbackMigration,
  RollbackRange,
  RollbackRefusal,
  RollbackStep,
  ScriptCost,
  StatementLocks,
  ExecutedRollback,
  ExecuteRollbackOptions,
  LaterVersion,
  MigrationInput,
  PlannedMigration,
  PlanMigrationInput,
  PlanOptions,
  RollbackPlan,
  RollbackWarning,
  RowDifference,
  RowSnapshot,
  SeededRows,
  StatementPlan,
  StoredRollback,
  VerifiedRollback,
  VersionRestore,
} from 'pg-rollback';
export type { EmbeddedPostgres } from 'pg-rollback/embedded';

export type Addon = typeof import('pg-rollback');
type Embedded = typeof import('pg-rollback/embedded');

const require = createRequire(import.meta.url);
let cached: Addon | undefined;

// Loaded lazily so `--help` and argument errors work even when the native addon is not built.
export function addon(): Addon {
  cached ??= load<Addon>('pg-rollback');
  return cached;
}

export async function startEmbeddedPostgres(dir: string): ReturnType<Embedded['startEmbeddedPostgres']> {
  return load<Embedded>('pg-rollback/embedded').startEmbeddedPostgres(dir);
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

/** The codes of errors thrown here: the addon's `ErrorCode`s, the embedded server's, and a missing addon. */
export type AddonErrorCode = ErrorCode | 'DATA_DIRECTORY_IN_USE' | 'ADDON_NOT_BUILT';

/** The stable `code` the addon puts on its errors, if any. */
export function errorCode(error: unknown): AddonErrorCode | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code as AddonErrorCode;
  }
  return undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
