import fs from 'node:fs';
import path from 'node:path';
import { addon, errorCode, startEmbeddedPostgres } from '../addon.js';
import { CliError, EXIT } from './errors.js';

export interface Database {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * `--database-url`, else DATABASE_URL, else the embedded PostgreSQL (PGlite) kept in `pgliteDir`.
 * Notes go to `log` (stderr) so that --json output on stdout stays parseable.
 */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  pgliteDir: string;
  log: (line: string) => void;
}): Promise<Database> {
  const url = options.databaseUrl ?? (process.env.DATABASE_URL || undefined);
  if (url !== undefined) {
    if (url.trim() === '') {
      throw new CliError('--database-url must not be empty', EXIT.USAGE, 'INVALID_ARGUMENT');
    }
    return shared({ url, embedded: false, close: async () => {} });
  }
  const dir = path.resolve(options.pgliteDir);
  options.log(`DATABASE_URL is not set: using the embedded PostgreSQL (PGlite) in ${dir}`);
  fs.mkdirSync(dir, { recursive: true });
  let server;
  try {
    server = await startEmbeddedPostgres(dir);
  } catch (error) {
    throw new CliError(
      `Cannot start the embedded PostgreSQL in ${dir}: ${(error as Error).message}`,
      EXIT.CONNECTION_FAILED,
      errorCode(error) === 'DATA_DIRECTORY_IN_USE' ? 'DATA_DIRECTORY_IN_USE' : 'CONNECTION_FAILED',
    );
  }
  return shared({ url: server.url, embedded: true, close: () => server.stop() });
}

/** The whole run on one connection: every addon call with `db.url` shares it until `close()`. */
function shared(db: Database): Database {
  try {
    addon().openSession(db.url);
  } catch (error) {
    void db.close();
    throw error;
  }
  return {
    ...db,
    close: async () => {
      try {
        await addon().closeSession(db.url);
      } finally {
        await db.close();
      }
    },
  };
}
