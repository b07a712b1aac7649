// `pnpm demo`: the whole flow, by running the real commands one after the other: on DATABASE_URL when it is
// set, else on the embedded PostgreSQL.
import '../lib/fresh.js'; // first: a stale dist/ stops before anything runs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCliArgs, runCli } from '../lib/cli.js';
import { addon } from '../addon.js';
import { openDatabase } from '../lib/database.js';
import { CliError, EXIT } from '../lib/errors.js';
import { resolveMigrationsDir } from '../lib/migrations.js';
import { DEFAULT_PGLITE_DIR, PACKAGE_DIR } from '../lib/paths.js';

const HELP = `Usage: pnpm demo [--pglite-dir=DIR]

Runs, on $DATABASE_URL when it is set, else on the embedded PostgreSQL, with the package's migrations plus
a demo migration 1.3.0 (ALTER TABLE wishlist_items ADD COLUMN notes text, in a temporary copy of the folder):
  pnpm db:migrate:apply                                apply the migrations, storing rollback scripts
  pnpm db:rollback list                                the schema_versions rows
  pnpm db:rollback --version=1.3.0                     preview a generated rollback
  pnpm db:rollback --version=1.3.0 --execute --yes     execute it
  pnpm db:rollback list                                rollback_applied_at is now set
  pnpm db:migrate:apply                                the rolled-back migration is applied again
  pnpm db:rollback list

Then the archive (the data a destructive migration drops, kept at apply), on a copy of the migrations folder
with two more demo migrations (1.4.0 creates demo_notes with three rows, 1.5.0 drops its column note):
  pnpm db:migrate:apply --migrations=<copy>            apply 1.4.0, then 1.5.0 (its DROP COLUMN keeps the values)
  pnpm db:rollback --version=1.5.0                     no rollback script (the spec's answer), but a restore
  pnpm db:rollback --version=1.5.0 --restore-data      what comes back, counted now (a dry run)
  pnpm db:rollback --version=1.5.0 --restore-data --execute --yes
                                                       the column and its values are back (checked on the server)
  pnpm db:rollback --to=1.3.0 --execute --yes          remove demo_notes again (back to where the demo started)

Options:
  --pglite-dir=DIR   data directory of the embedded PostgreSQL (default: this package's .pglite/)
  -h, --help         show this help
`;

type Step = (script: string, args: string[], title: string, expected?: number[]) => void;

const DEMO_NOTES = "1=buy LEGO, 2=call Target, 3=NULL";
const DEMO_MIGRATIONS = [
  {
    tag: '9001_demo_notes',
    sql:
      '-- version: 1.4.0\n-- description: demo_notes with three rows\n' +
      "CREATE TABLE demo_notes AS SELECT * FROM (VALUES (1, 'buy LEGO'), (2, 'call Target'), (3, NULL)) AS v(id, note);\n" +
      '--> statement-breakpoint\nALTER TABLE demo_notes ADD PRIMARY KEY (id);\n',
  },
  { tag: '9002_drop_demo_note', sql: '-- version: 1.5.0\n-- description: drop demo_notes.note\nALTER TABLE demo_notes DROP COLUMN note;\n' },
];

/** A copy of the demo's migrations folder with the first `count` of the archive's demo migrations added to it. */
function demoFolder(from: string, dir: string, count: number): void {
  fs.cpSync(from, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  const add = (tag: string) => {
    const last = journal.entries[journal.entries.length - 1]!;
    journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1000, tag, breakpoints: true });
  };
  for (const m of DEMO_MIGRATIONS.slice(0, count)) {
    fs.writeFileSync(path.join(dir, `${m.tag}.sql`), m.sql);
    add(m.tag);
  }
  fs.writeFileSync(journalPath, JSON.stringify(journal, null, 2));
}

/** Checked on the server (a dry run that changes nothing): demo_notes.note holds exactly the demo's values. */
async function checkNotes(options: { databaseUrl: string | undefined; pgliteDir: string }, when: string): Promise<void> {
  const db = await openDatabase({ databaseUrl: options.databaseUrl, pgliteDir: options.pgliteDir, log: () => {} });
  const check =
    "DO $$ BEGIN IF (SELECT string_agg(id || '=' || coalesce(note, 'NULL'), ', ' ORDER BY id) FROM demo_notes) " +
    `IS DISTINCT FROM '${DEMO_NOTES}' THEN RAISE EXCEPTION 'demo_notes.note is not what it was'; END IF; END $$`;
  try {
    await addon().planMigration(db.url, check);
  } catch (error) {
    throw new CliError(`Demo check ${when} failed: ${(error as Error).message}`, EXIT.FAILED, 'DEMO_FAILED');
  } finally {
    await db.close();
  }
  process.stdout.write(`✓ demo_notes.note ${when}: ${DEMO_NOTES} (checked on the server)\n`);
}

/** A DROP COLUMN applied, previewed and restored, then the demo's migrations rolled back so that the demo can run again. */
async function archiveDemo(
  step: Step,
  from: string,
  options: { databaseUrl: string | undefined; pgliteDir: string },
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-rollback-demo-'));
  try {
    const folder = path.join(dir, 'migrations');
    const flag = `--migrations=${folder}`;
    demoFolder(from, folder, 1);
    step('migrate-apply', [flag], 'The archive: demo migration 1.4.0 creates demo_notes with three notes');
    await checkNotes(options, 'before the DROP COLUMN');
    fs.rmSync(folder, { recursive: true });
    demoFolder(from, folder, 2);
    step('migrate-apply', [flag], 'Migration 1.5.0 drops demo_notes.note; the archive keeps its values in the same transaction');
    step('rollback', ['--version=1.5.0', flag], 'Its rollback: none (DROP COLUMN loses data, the spec\'s answer); but its data can be restored', [EXIT.ROLLBACK_SCRIPT_NOT_FOUND]);
    step('rollback', ['--version=1.5.0', '--restore-data', flag], 'Preview the restore: the script, and what comes back, counted now (changes nothing)');
    step('rollback', ['--version=1.5.0', '--restore-data', '--execute', '--yes', flag], 'Restore it (--yes answers the confirmation prompt)');
    await checkNotes(options, 'after the restore');
    step('rollback', ['--to=1.3.0', '--execute', '--yes', flag], 'Remove the demo migration 1.4.0 again (its rollback is SAFE), so the demo can run again');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
// The compiled demo (dist/) runs the compiled commands; from src/ (tsx) the sources.
const ext = path.extname(fileURLToPath(import.meta.url));
const runner = ext === '.ts' ? ['--import', 'tsx'] : [];

await runCli(process.argv.slice(2), async () => {
  const { values, positionals } = parseCliArgs(process.argv.slice(2), {
    'pglite-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) {
    throw new CliError(`Unexpected arguments: ${positionals.join(' ')}. See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  }
  const pgliteDir = path.resolve(values['pglite-dir'] ?? DEFAULT_PGLITE_DIR);
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const folder = demoMigrations(await resolveMigrationsDir(undefined));
  // The embedded data directory only matters (and is only passed) when no DATABASE_URL is set.
  const embedded = databaseUrl ? [] : [`--pglite-dir=${pgliteDir}`];
  try {
    runSteps(demoStep([...embedded, `--migrations=${folder}`]));
    // The archive's part names its own copy (the demo's folder plus two migrations) in each command.
    await archiveDemo(demoStep(embedded), folder, { databaseUrl, pgliteDir });
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }

  if (databaseUrl) {
    process.stdout.write('\n✓ Demo finished on $DATABASE_URL.\n');
    return EXIT.OK;
  }
  // pnpm runs scripts in the package; INIT_CWD is where the user typed `pnpm demo`.
  const fromUser = path.relative(process.env.INIT_CWD ?? process.cwd(), PACKAGE_DIR);
  const pglite = values['pglite-dir'] === undefined ? '' : ` --pglite-dir=${pgliteDir}`;
  process.stdout.write(
    `\n✓ Demo finished. The embedded database stays in ${pgliteDir}; to look at it:\n` +
      `  ${fromUser ? `cd ${fromUser} && ` : ''}pnpm db:rollback list${pglite}\n`,
  );
  return EXIT.OK;
});

/**
 * A copy of the migrations folder with the demo's own migration last: the package's newest migration is
 * pg-rollback's bookkeeping (0004_archive, rolled back by hand), so the demo rolls back one of its own.
 */
function demoMigrations(dir: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-rollback-demo-'));
  fs.cpSync(dir, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  const last = journal.entries[journal.entries.length - 1]!;
  const tag = '9000_demo_notes';
  if (!journal.entries.some((e) => e.tag === tag)) {
    journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1000, tag, breakpoints: true });
  }
  fs.writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  fs.writeFileSync(
    path.join(folder, `${tag}.sql`),
    '-- version: 1.3.0\n-- description: Demo: add wishlist_items.notes\nALTER TABLE "wishlist_items" ADD COLUMN "notes" text;\n',
  );
  return folder;
}

function runSteps(step: Step): void {
  const steps: [script: string, args: string[], title: string][] = [
    ['migrate-apply', [], 'Apply the migrations; each stores its generated rollback in schema_versions'],
    ['rollback', ['list'], 'The schema_versions rows'],
    ['rollback', ['--version=1.3.0'], 'Preview the rollback generated for version 1.3.0'],
    ['rollback', ['--version=1.3.0', '--execute', '--yes'], 'Execute it (--yes answers the confirmation prompt)'],
    ['rollback', ['list'], 'The schema_versions rows: 1.3.0 now has rollback_applied_at'],
    ['migrate-apply', [], 'The rollback also removed Drizzle\'s record, so 1.3.0 is applied again'],
    ['rollback', ['list'], 'The schema_versions rows at the end'],
  ];
  for (const [script, args, title] of steps) step(script, args, title);
}

/** Runs one command of the package with `target` (database and folder options) after its own arguments. */
function demoStep(target: string[]): Step {
  return (script: string, args: string[], title: string, expected = [EXIT.OK as number]) => {
    const command = script === 'migrate-apply' ? 'db:migrate:apply' : 'db:rollback';
    process.stdout.write(`\n### ${title}\n$ pnpm ${command}${args.length ? ` ${args.join(' ')}` : ''}\n`);
    const result = spawnSync(
      process.execPath,
      [...runner, path.join(here, `${script}${ext}`), ...args, ...target],
      { cwd: PACKAGE_DIR, stdio: 'inherit' },
    );
    if (result.status === null || !expected.includes(result.status)) {
      throw new CliError(
        `Demo step "pnpm ${command} ${args.join(' ')}" failed (exit code ${result.status ?? result.signal})`,
        result.status ?? EXIT.FAILED,
        'DEMO_FAILED',
      );
    }
  };
}
