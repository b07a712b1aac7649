// What `pnpm db:rollback archive list|prune` does, as typed results (src/cli/archive-view.ts renders them).
// The selection of what prune drops is the addon's (the preview is the same call as a dry run).
import { addon, type PrunedArchive, type VersionArchive } from '../addon.js';
import type { Database } from '../lib/database.js';

/** Which archives prune drops: a version's, those older than some time, or that version if it is that old. */
export interface PruneSelection {
  version?: string;
  olderThanMs?: number;
}

/** Every version's archive as it is now, oldest first. */
export async function listArchives(db: Database): Promise<VersionArchive[]> {
  return addon().listArchives(db.url);
}

/** What prune would drop; changes nothing. */
export async function previewPrune(db: Database, selection: PruneSelection): Promise<PrunedArchive[]> {
  return addon().pruneArchive(db.url, { ...selection, dryRun: true });
}

/** Drops the archives of `selection` in one transaction; what was dropped. */
export async function pruneArchive(db: Database, selection: PruneSelection): Promise<PrunedArchive[]> {
  return addon().pruneArchive(db.url, selection);
}
