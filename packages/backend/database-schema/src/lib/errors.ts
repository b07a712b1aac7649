import { errorCode, errorMessage, type AddonErrorCode, type ErrorCode } from '../addon.js';

/** Exit codes of the CLIs; documented in README.md and in `--help`. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  CANCELLED: 3,
  CONFIRMATION_REQUIRED: 4,
  ROLLBACK_UNSAFE: 5,
  ROLLBACK_SCRIPT_NOT_FOUND: 6,
  VERSION_NOT_FOUND: 7,
  ALREADY_ROLLED_BACK: 8,
  CONNECTION_FAILED: 9,
  SCHEMA_VERSIONS_MISSING: 10,
  MIGRATION_FILES: 11,
  MIGRATION_FAILED: 12,
  ROLLBACK_FAILED: 13,
  LOCK_TIMEOUT: 14,
  ROLLBACK_OUT_OF_ORDER: 15,
  ROLLBACK_SCRIPT_CHANGED: 16,
  VERIFY_FAILED: 17,
  RESTORE_CONFLICT: 18,
  ARCHIVE_MISSING: 19,
  RESTORE_NOT_AVAILABLE: 20,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0   done (preview shown, rollback executed, migrations applied, list/backfill done)
  1   unexpected error
  2   invalid arguments (see --help), or --steps=N with fewer than N migrations applied
  3   cancelled: the answer to the confirmation prompt was not "yes"
  4   confirmation required: stdin is not a terminal and --yes was not given
  5   rollback is UNSAFE and --force was not given (--to/--steps: any version in range)
  6   no rollback script found for the version (--to/--steps: for a version in range, even
      with --force; the message says how far back a rollback can go)
  7   version (or --to target) not found in schema_versions or the migrations folder
  8   migration has already been rolled back (--to: the target version is not applied)
  9   cannot connect to the database
  10  schema_versions table (or its rollback columns) missing
  11  migrations folder, journal or a migration file missing or unreadable
  12  a migration failed (nothing of it was applied)
  13  the rollback failed: a transactional script changed nothing; a script run statement by
      statement (CONCURRENTLY) keeps the statements before the failing one (the message lists them)
  14  another rollback or migration holds the lock (nothing was changed; retry later)
  15  later migrations are applied and not rolled back: roll them back first, or --force
      (nothing was changed)
  16  the stored rollback script changed after it was shown (nothing was changed; review and retry)
  17  verify: a rollback marked SAFE did not restore the schema (the differences are listed)
  18  --restore-data: data written since the migration conflicts with the restore (RESTORE_CONFLICT,
      with the counts; nothing was changed)
  19  --restore-data: the archive of a version is gone, dropped or pruned (ARCHIVE_MISSING)
  20  --restore-data: a version has no restore, nothing of it was archived (RESTORE_NOT_AVAILABLE)`;

/** An error the CLI reports with a message and a specific exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const BY_ADDON_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: EXIT.USAGE,
  ROLLBACK_UNSAFE: EXIT.ROLLBACK_UNSAFE,
  ROLLBACK_SCRIPT_NOT_FOUND: EXIT.ROLLBACK_SCRIPT_NOT_FOUND,
  VERSION_NOT_FOUND: EXIT.VERSION_NOT_FOUND,
  ALREADY_ROLLED_BACK: EXIT.ALREADY_ROLLED_BACK,
  TARGET_NOT_APPLIED: EXIT.ALREADY_ROLLED_BACK,
  CONNECTION_FAILED: EXIT.CONNECTION_FAILED,
  SCHEMA_VERSIONS_MISSING: EXIT.SCHEMA_VERSIONS_MISSING,
  PARSE_ERROR: EXIT.MIGRATION_FILES,
  MIGRATION_FAILED: EXIT.MIGRATION_FAILED,
  NOT_TRANSACTIONAL: EXIT.MIGRATION_FAILED,
  ROLLBACK_FAILED: EXIT.ROLLBACK_FAILED,
  LOCK_TIMEOUT: EXIT.LOCK_TIMEOUT,
  ROLLBACK_SCRIPT_CHANGED: EXIT.ROLLBACK_SCRIPT_CHANGED,
  ROLLBACK_OUT_OF_ORDER: EXIT.ROLLBACK_OUT_OF_ORDER,
  RESTORE_CONFLICT: EXIT.RESTORE_CONFLICT,
  ARCHIVE_MISSING: EXIT.ARCHIVE_MISSING,
  RESTORE_NOT_AVAILABLE: EXIT.RESTORE_NOT_AVAILABLE,
};

/** The exit code of an addon error or refusal code. */
export function exitCodeFor(code: AddonErrorCode): number {
  return code === 'ADDON_NOT_BUILT' || code === 'DATA_DIRECTORY_IN_USE' ? EXIT.FAILED : (BY_ADDON_CODE[code] ?? EXIT.FAILED);
}

/** Turns anything thrown (addon errors carry a stable `code`) into a CliError. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const code = errorCode(error) ?? 'INTERNAL_ERROR';
  return new CliError(errorMessage(error), exitCodeFor(code), code);
}
