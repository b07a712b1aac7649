/** A running embedded PostgreSQL (PGlite served by pglite-socket). */
export interface EmbeddedPostgres {
  /**
   * `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable&pg_rollback_embedded=true`, for the
   * addon's functions. `pg_rollback_embedded=true` tells the addon that this server takes one client at
   * a time (it retries connections the server drops while busy); the addon removes it before connecting.
   */
  url: string
  /**
   * Stop listening, close the database (data stays in `dir`) and remove the data directory's lock
   * file. Safe to call more than once.
   */
  stop(): Promise<void>
}

/**
 * Start an embedded PostgreSQL on the data directory `dir` (created if missing), listening on a
 * free port of 127.0.0.1. For when no database URL is configured.
 *
 * One server per data directory: `dir/pg-rollback.lock` holds the pid of the process running it,
 * from start until `stop()`. A second start on the same directory, from this or another process,
 * is refused while that process is alive; a lock left by a process that is gone is taken over.
 *
 * Limits: one client connection at a time (the addon opens one per call and retries briefly while
 * the server is busy), one session shared by every connection (the addon runs `DEALLOCATE ALL`
 * after connecting), no TLS, no `COPY FROM STDIN`.
 *
 * Throws an `Error` with `code` `INVALID_ARGUMENT` when `dir` is not a non-empty string, and
 * `DATA_DIRECTORY_IN_USE` when another live server (process) holds `dir`'s lock.
 */
export declare function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres>
