// `pnpm db:rollback archive list|prune`: what the archive keeps, and dropping it. The commands are in
// src/rollback/archive.ts, their text and JSON in ./archive-view.ts.
import { ask } from '../lib/prompt.js';
import { CliError, EXIT } from '../lib/errors.js';
import type { Output } from '../lib/cli.js';
import type { Database } from '../lib/database.js';
import { parseDuration } from '../lib/size.js';
import { listArchives, previewPrune, pruneArchive, type PruneSelection } from '../rollback/archive.js';
import * as view from './archive-view.js';

export const ARCHIVE_HELP = `  pnpm db:rollback archive list                 what the archive keeps per version: objects, rows, size now, age
  pnpm db:rollback archive prune --version=X.Y.Z | --older-than=30d [--yes]
                                                drop archives (after confirmation); those versions lose their restore`;

export type ArchiveCommand = { action: 'list' } | { action: 'prune'; selection: PruneSelection; yes: boolean };

const usage = (message: string) => new CliError(`${message}. See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');

/** `archive list` / `archive prune ...` from the parsed arguments; the flags no archive command takes are refused. */
export function archiveCommand(
  positionals: string[],
  values: { version?: string; 'older-than'?: string; yes?: boolean } & Record<string, unknown>,
): ArchiveCommand {
  const [, sub, ...rest] = positionals;
  if (rest.length > 0) throw usage(`Unexpected arguments: ${rest.join(' ')}`);
  if (sub !== 'list' && sub !== 'prune') throw usage(`Unknown archive command "${sub ?? ''}" (expected archive list or archive prune)`);
  const allowed = sub === 'list' ? ['json', 'database-url', 'pglite-dir', 'migrations'] : ['json', 'database-url', 'pglite-dir', 'migrations', 'version', 'older-than', 'yes'];
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && flag !== 'help' && !allowed.includes(flag)) throw usage(`--${flag} cannot be used with "archive ${sub}"`);
  }
  if (sub === 'list') return { action: 'list' };
  const selection: PruneSelection = {};
  if (values.version !== undefined) {
    if (values.version.trim() === '') throw usage('--version must not be empty');
    selection.version = values.version;
  }
  if (values['older-than'] !== undefined) selection.olderThanMs = parseDuration('older-than', values['older-than']);
  if (selection.version === undefined && selection.olderThanMs === undefined) {
    throw usage('archive prune needs --version=X.Y.Z or --older-than=DURATION (e.g. 30d)');
  }
  return { action: 'prune', selection, yes: values.yes === true };
}

export async function archive(out: Output, db: Database, command: ArchiveCommand): Promise<number> {
  if (command.action === 'list') return view.showArchiveList(out, await listArchives(db));
  const preview = await previewPrune(db, command.selection);
  if (preview.length === 0) return view.showNothingToPrune(out, command.selection);
  view.showPrunePreview(out, preview);
  const declined = await confirmPrune(command.yes, out.promptStream);
  if (declined !== undefined) {
    out.result({ ok: false, error: { code: declined.code, message: declined.message }, preview });
    out.note(`✗ ${declined.message}`);
    return declined.exitCode;
  }
  return view.showPruned(out, await pruneArchive(db, command.selection));
}

/** Like the rollback's confirmation: --yes, or "yes" typed at a terminal; never asks without one. */
async function confirmPrune(yes: boolean, output: NodeJS.WritableStream): Promise<CliError | undefined> {
  if (yes) return undefined;
  if (!process.stdin.isTTY) {
    return new CliError(
      'Refusing to prune: confirmation is required but stdin is not a terminal. Re-run with --yes to confirm. Nothing was changed.',
      EXIT.CONFIRMATION_REQUIRED,
      'CONFIRMATION_REQUIRED',
    );
  }
  const answer = await ask('Are you sure you want to drop these archives? (yes/no): ', output);
  if (answer?.trim().toLowerCase() === 'yes') return undefined;
  return new CliError('Prune cancelled. Nothing was changed.', EXIT.CANCELLED, 'CANCELLED');
}
