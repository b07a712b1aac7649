import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError, EXIT } from './errors.js';
import { DRIZZLE_CONFIG, DRIZZLE_CONFIG_MODULE, PACKAGE_DIR } from './paths.js';

export interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

export interface Migration {
  tag: string;
  /** File name inside the migrations folder, stored as schema_versions.migration_file. */
  file: string;
  path: string;
  /** The file as drizzle-orm reads it (its hash is Drizzle's record of the migration). */
  text: string;
  /** The SQL pg-rollback applies: the file, with a `;` before each statement breakpoint (see `runnableSql`). */
  sql: string;
  /** drizzle.__drizzle_migrations.hash for this file. */
  hash: string;
  /** drizzle.__drizzle_migrations.created_at for this file (the journal's `when`). */
  when: number;
  version: string;
  description: string;
}

export const STATEMENT_BREAKPOINT = '--> statement-breakpoint';

/**
 * drizzle-orm's migrator runs the pieces between `--> statement-breakpoint` markers as separate queries,
 * so a piece may end without `;`. A `;` put right before each marker makes the file one script with the
 * same statements (an extra `;` is an empty statement), without moving any line.
 */
export function runnableSql(text: string): string {
  return text.split(STATEMENT_BREAKPOINT).join(`;${STATEMENT_BREAKPOINT}`);
}

/** The hash drizzle-orm's migrator stores: sha256 hex of the file read as a string. */
export function drizzleHash(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

const VERSION_LINE = /^[ \t]*--[ \t]*version:[ \t]*(\S+)[ \t]*$/im;
const DESCRIPTION_LINE = /^[ \t]*--[ \t]*description:[ \t]*(.*?)[ \t]*$/im;

/** Version from a `-- version: X.Y.Z` line, else the journal tag. */
export function migrationVersion(sql: string, tag: string): string {
  return VERSION_LINE.exec(sql)?.[1] ?? tag;
}

/** Description from a `-- description: ...` line, else the journal tag. */
export function migrationDescription(sql: string, tag: string): string {
  const found = DESCRIPTION_LINE.exec(sql)?.[1];
  return found ? found : tag;
}

/** The migrations folder: `--migrations DIR` if given, else `out` of drizzle.config.ts. */
export async function resolveMigrationsDir(option: string | undefined): Promise<string> {
  if (option !== undefined) return path.resolve(option);
  const configPath = DRIZZLE_CONFIG;
  let out: unknown;
  try {
    const config = (await import(pathToFileURL(DRIZZLE_CONFIG_MODULE).href)) as { default?: { out?: unknown } };
    out = config.default?.out;
  } catch (error) {
    throw new CliError(
      `Cannot load ${configPath}: ${(error as Error).message}`,
      EXIT.MIGRATION_FILES,
      'CONFIG_INVALID',
    );
  }
  if (typeof out !== 'string' || out === '') {
    throw new CliError(`${configPath} has no "out" folder`, EXIT.MIGRATION_FILES, 'CONFIG_INVALID');
  }
  // drizzle-kit resolves `out` against the directory it runs in, which is this package.
  return path.resolve(PACKAGE_DIR, out);
}

export function readJournal(dir: string): JournalEntry[] {
  const journalPath = path.join(dir, 'meta', '_journal.json');
  let journal: unknown;
  try {
    journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
  } catch (error) {
    throw new CliError(
      `Cannot read the migrations journal ${journalPath}: ${(error as Error).message}`,
      EXIT.MIGRATION_FILES,
      'JOURNAL_INVALID',
    );
  }
  const entries = (journal as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) {
    throw new CliError(`${journalPath} has no "entries" array`, EXIT.MIGRATION_FILES, 'JOURNAL_INVALID');
  }
  entries.forEach((entry: Partial<JournalEntry>, i) => {
    if (typeof entry?.tag !== 'string' || entry.tag === '' || typeof entry.when !== 'number') {
      throw new CliError(
        `${journalPath}: entry ${i} needs a string "tag" and a numeric "when"`,
        EXIT.MIGRATION_FILES,
        'JOURNAL_INVALID',
      );
    }
  });
  return entries as JournalEntry[];
}

/** Every migration of the journal, in journal order, read exactly as drizzle-orm's migrator reads them. */
export function readMigrations(dir: string): Migration[] {
  const migrations = readJournal(dir).map((entry): Migration => {
    const file = `${entry.tag}.sql`;
    const filePath = path.join(dir, file);
    let text: string;
    try {
      text = fs.readFileSync(filePath).toString();
    } catch {
      throw new CliError(
        `Migration file ${filePath} (journal tag "${entry.tag}") not found`,
        EXIT.MIGRATION_FILES,
        'MIGRATION_FILE_MISSING',
      );
    }
    return {
      tag: entry.tag,
      file,
      path: filePath,
      text,
      sql: runnableSql(text),
      hash: drizzleHash(text),
      when: entry.when,
      version: migrationVersion(text, entry.tag),
      description: migrationDescription(text, entry.tag),
    };
  });
  const seen = new Map<string, string>();
  for (const m of migrations) {
    const other = seen.get(m.version);
    if (other !== undefined) {
      throw new CliError(
        `Migrations ${other} and ${m.file} both have version ${m.version}; versions must be unique`,
        EXIT.MIGRATION_FILES,
        'DUPLICATE_VERSION',
      );
    }
    seen.set(m.version, m.file);
  }
  return migrations;
}

/** The file a schema_versions row names, looked up in the migrations folder; undefined if absent. */
export function findMigrationFile(dir: string, migrationFile: string): string | undefined {
  const candidate = path.isAbsolute(migrationFile) ? migrationFile : path.join(dir, path.basename(migrationFile));
  return fs.existsSync(candidate) ? candidate : undefined;
}

/**
 * The journal's migrations for a rollback (Drizzle's order and its record of each), or none when the folder
 * has no readable journal: rollbacks then keep schema_versions order and delete no Drizzle record.
 */
export function journalOrEmpty(dir: string): Migration[] {
  if (dir === '') return [];
  try {
    return readMigrations(dir);
  } catch {
    return [];
  }
}
