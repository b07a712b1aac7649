// `pnpm demo`: the whole flow, by running the real commands one after the other: on DATABASE_URL when it is
// set, else on the embedded PostgreSQL.
import '../lib/fresh.js'; // first: a stale dist/ stops before anything runs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCliArgs, runCli } from '../lib/cli.js';
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

Options:
  --pglite-dir=DIR   data directory of the embedded PostgreSQL (default: this package's .pglite/)
  -h, --help         show this help
`;

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
  const target = [...(databaseUrl ? [] : [`--pglite-dir=${pgliteDir}`]), `--migrations=${folder}`];
  try {
    await runSteps(target);
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

async function runSteps(target: string[]): Promise<void> {
  const steps: [script: string, args: string[], title: string][] = [
    ['migrate-apply', [], 'Apply the migrations; each stores its generated rollback in schema_versions'],
    ['rollback', ['list'], 'The schema_versions rows'],
    ['rollback', ['--version=1.3.0'], 'Preview the rollback generated for version 1.3.0'],
    ['rollback', ['--version=1.3.0', '--execute', '--yes'], 'Execute it (--yes answers the confirmation prompt)'],
    ['rollback', ['list'], 'The schema_versions rows: 1.3.0 now has rollback_applied_at'],
    ['migrate-apply', [], 'The rollback also removed Drizzle\'s record, so 1.3.0 is applied again'],
    ['rollback', ['list'], 'The schema_versions rows at the end'],
  ];
  for (const [script, args, title] of steps) {
    const command = script === 'migrate-apply' ? 'db:migrate:apply' : 'db:rollback';
    process.stdout.write(`\n### ${title}\n$ pnpm ${command}${args.length ? ` ${args.join(' ')}` : ''}\n`);
    const result = spawnSync(
      process.execPath,
      [...runner, path.join(here, `${script}${ext}`), ...args, ...target],
      { cwd: PACKAGE_DIR, stdio: 'inherit' },
    );
    if (result.status !== 0) {
      throw new CliError(
        `Demo step "pnpm ${command} ${args.join(' ')}" failed (exit code ${result.status ?? result.signal})`,
        result.status ?? EXIT.FAILED,
        'DEMO_FAILED',
      );
    }
  }
}
