/** A running embedded PostgreSQL (PGlite served by pglite-socket). */
export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable`, for the addon's functions. */
  url: string
  /** Stop listening and close the database (data stays in `dir`). Safe to call more than once. */
  stop(): Promise<void>
}

/**
 * Start an embedded PostgreSQL on the data directory `dir` (created if missing), listening on a
 * free port of 127.0.0.1. For when no database URL is configured.
 *
 * Limits: one client connection at a time (the addon opens one per call and retries briefly while
 * the server is busy), one session shared by every connection (the addon runs `DEALLOCATE ALL`
 * after connecting), no TLS, no `COPY FROM STDIN`; one process per data directory.
 *
 * Throws an `Error` with `code` `INVALID_ARGUMENT` when `dir` is not a non-empty string.
 */
export declare function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres>
