// Test helpers: run the real CLIs as child processes (through a pseudo-terminal when a person would
// type at the prompt) against a throwaway PostgreSQL, and read the database back with node-postgres.
import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(PACKAGE_DIR, '../../..');
export const BASE_MIGRATIONS = path.join(PACKAGE_DIR, 'src', 'migrations');
// The compiled CLIs, run with plain node as `pnpm db:rollback` runs them (the package's test script builds dist/ first).
const CLI = {
  rollback: path.join(PACKAGE_DIR, 'dist', 'cli', 'rollback.js'),
  migrate: path.join(PACKAGE_DIR, 'dist', 'cli', 'migrate-apply.js'),
  demo: path.join(PACKAGE_DIR, 'dist', 'cli', 'demo.js'),
};
export type CliName = keyof typeof CLI;

interface PostgresSupport {
  startPostgres(): Promise<{ url: string; stop(): Promise<void> }>;
  freshDatabase(url: string, prefix: string): Promise<string>;
}

/** The repository's throwaway PostgreSQL 15 (test-support/postgres.mjs). */
async function postgresSupport(): Promise<PostgresSupport> {
  return (await import(pathToFileURL(path.join(REPO_ROOT, 'test-support', 'postgres.mjs')).href)) as PostgresSupport;
}

/**
 * One throwaway PostgreSQL for the calling test file (or DATABASE_URL), started before its tests and stopped after;
 * `freshDatabase(prefix)` gives the URL of a new empty database on it.
 */
export function usePostgres(): { freshDatabase(prefix: string): Promise<string> } {
  let support: PostgresSupport | undefined;
  let server: { url: string; stop(): Promise<void> } | undefined;
  before(async () => {
    support = await postgresSupport();
    server = await support.startPostgres();
  });
  after(async () => {
    await server?.stop();
  });
  return { freshDatabase: (prefix) => support!.freshDatabase(server!.url, prefix) };
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI run: DATABASE_URL only when given, so no test reaches a developer's database. */
function cliEnv(databaseUrl: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.DATABASE_URL;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  return env;
}

function cliArgs(cli: CliName, args: string[]): string[] {
  return [CLI[cli], ...args];
}

/** Runs a CLI with stdin a pipe (not a terminal); `input` is written to it. */
export function run(
  cli: CliName,
  args: string[],
  options: { databaseUrl?: string; input?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(cli, args), {
      cwd: PACKAGE_DIR,
      env: cliEnv(options.databaseUrl, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command through `pnpm` in this package, as a user types it. */
export function runPnpm(args: string[], databaseUrl: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', args, { cwd: PACKAGE_DIR, env: cliEnv(databaseUrl), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface TtyResult {
  code: number | null;
  /**
   * The text the terminal showed (stdout, stderr and the echo of what was typed), with \n line ends and
   * without readline's cursor-movement sequences, which only redraw the same line.
   */
  screen: string;
  prompted: boolean;
}

const PROMPT = 'Are you sure you want to execute this rollback? (yes/no): ';

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the rollback CLI on a pseudo-terminal (util-linux `script`), so stdin is a real TTY, and types
 * `answer` followed by Enter (unless `enter` is false) once the confirmation prompt is on the screen
 * (and `whilePrompting`, if given, has finished: what happens while the user reads the prompt).
 */
export function runOnTerminal(
  args: string[],
  answer: string,
  options: { databaseUrl: string; enter?: boolean; whilePrompting?: () => Promise<void>; prompt?: string },
): Promise<TtyResult> {
  const prompt = options.prompt ?? PROMPT;
  const command = [process.execPath, ...cliArgs('rollback', args)].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    // -q: no banner, -e: exit with the child's code, -f: flush output as it comes.
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: PACKAGE_DIR,
      env: cliEnv(options.databaseUrl),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let prompted = false;
    const onData = (d: string) => {
      screen += d;
      if (!prompted && screen.includes(prompt)) {
        prompted = true;
        Promise.resolve(options.whilePrompting?.()).then(
          () => child.stdin.write(options.enter === false ? answer : `${answer}\r`),
          (error: unknown) => {
            child.kill();
            reject(error);
          },
        );
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      const text = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r+\n/g, '\n');
      resolve({ code, screen: text, prompted });
    });
  });
}

export interface ExtraMigration {
  tag: string;
  version: string;
  sql: string;
}

/**
 * A migrations folder: a copy of the package's drizzle-kit migrations plus `extra` ones appended to the
 * journal as `drizzle-kit generate --custom` would (one journal entry each, later `when`).
 */
export function migrationsFolder(extra: ExtraMigration[] = []): string {
  const dir = tempDir('db-schema-migrations-');
  fs.cpSync(BASE_MIGRATIONS, dir, { recursive: true });
  addMigrations(dir, extra);
  return dir;
}

/** A migrations folder of only `entries` (a Drizzle journal and one file each), without the package's own. */
export function journalFolder(prefix: string, entries: { tag: string; sql: string }[]): string {
  const dir = tempDir(prefix);
  fs.mkdirSync(path.join(dir, 'meta'));
  fs.writeFileSync(
    path.join(dir, 'meta', '_journal.json'),
    JSON.stringify({
      version: '7',
      dialect: 'postgresql',
      entries: entries.map((e, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag: e.tag, breakpoints: true })),
    }),
  );
  for (const e of entries) fs.writeFileSync(path.join(dir, `${e.tag}.sql`), e.sql);
  return dir;
}

export function addMigrations(dir: string, extra: ExtraMigration[]): void {
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  for (const m of extra) {
    const last = journal.entries[journal.entries.length - 1]!;
    journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1000, tag: m.tag, breakpoints: true });
    fs.writeFileSync(path.join(dir, `${m.tag}.sql`), `-- version: ${m.version}\n${m.sql}`);
  }
  fs.writeFileSync(journalPath, JSON.stringify(journal, null, 2));
}

export function journal(dir: string): { tag: string; when: number }[] {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] })
    .entries;
}

/** What drizzle-orm's migrator stores as the hash of a migration file. */
export function fileHash(dir: string, tag: string): string {
  return createHash('sha256').update(fs.readFileSync(path.join(dir, `${tag}.sql`)).toString()).digest('hex');
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function columnExists(url: string, table: string, column: string): Promise<boolean> {
  const rows = await query(
    url,
    `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return rows.length === 1;
}

export async function indexExists(url: string, name: string): Promise<boolean> {
  return (await query(url, `SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND indexname = $1`, [name])).length === 1;
}

export async function enumValues(url: string, type: string): Promise<string[]> {
  const rows = await query<{ v: string }>(url, `SELECT unnest(enum_range(NULL::${type}))::text AS v`);
  return rows.map((r) => r.v);
}

export interface SchemaVersionRow {
  version: string;
  migration_file: string;
  description: string | null;
  applied_by: string | null;
  rollback_safe: boolean | null;
  rollback_script: string | null;
  rollback_applied_at: Date | null;
}

export async function schemaVersions(url: string): Promise<SchemaVersionRow[]> {
  return query<SchemaVersionRow>(
    url,
    `SELECT version, migration_file, description, applied_by, rollback_safe, rollback_script, rollback_applied_at
       FROM schema_versions ORDER BY id`,
  );
}

/**
 * The current (newest) schema_versions row of `version`. A migration applied again after its rollback gets
 * a new row; the old one keeps its rollback_applied_at as history.
 */
export async function schemaVersion(url: string, version: string): Promise<SchemaVersionRow> {
  const rows = (await schemaVersions(url)).filter((r) => r.version === version);
  if (rows.length === 0) throw new Error(`no schema_versions row for ${version}`);
  return rows[rows.length - 1]!;
}

/** Drizzle's bookkeeping, oldest first. */
export async function drizzleMigrations(url: string): Promise<{ hash: string; created_at: number }[]> {
  const rows = await query<{ hash: string; created_at: string }>(
    url,
    'SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at',
  );
  return rows.map((r) => ({ hash: r.hash, created_at: Number(r.created_at) }));
}

/** What drizzle.__drizzle_migrations must hold when exactly the migrations `tags` are applied. */
export function expectedDrizzleRows(dir: string, tags: string[]): { hash: string; created_at: number }[] {
  const entries = journal(dir);
  return tags.map((tag) => ({ hash: fileHash(dir, tag), created_at: entries.find((e) => e.tag === tag)!.when }));
}

/** Everything a rollback could change, to prove that a refused one changed nothing. */
export async function databaseState(url: string): Promise<unknown> {
  return {
    columns: await query(
      url,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    ),
    indexes: await query(url, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
    types: await query(
      url,
      `SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`,
    ),
    schemaVersions: await query(url, 'SELECT * FROM schema_versions ORDER BY id'),
    drizzle: await query(url, 'SELECT * FROM drizzle.__drizzle_migrations ORDER BY id'),
  };
}
