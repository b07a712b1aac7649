'use strict'
// Embedded PostgreSQL for when no database URL is configured: PGlite (PostgreSQL compiled to
// WebAssembly) on a data directory, served over the wire protocol by pglite-socket on 127.0.0.1.
//
// Limits the addon respects (see embedded.d.ts): one connection at a time, one session shared by
// all connections, no TLS, no COPY FROM STDIN.

function invalidArgument(message) {
  const error = new TypeError(message)
  error.code = 'INVALID_ARGUMENT'
  return error
}

/**
 * Start PGlite on `dir` (created if missing) and listen on a free port of 127.0.0.1.
 * @param {string} dir
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
async function startEmbeddedPostgres(dir) {
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw invalidArgument('startEmbeddedPostgres(dir): dir must be a non-empty path')
  }
  // Both packages are ESM-first; import() works from this CommonJS file too.
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')

  const db = await PGlite.create(dir)
  // maxConnections 1: PGlite has a single backend, so connections would share one session.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 })
  try {
    await server.start()
  } catch (error) {
    await db.close()
    throw error
  }
  const port = Number(server.getServerConn().split(':').pop())

  let stopping = null
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop() {
      stopping ??= (async () => {
        await server.stop()
        await db.close()
      })()
      return stopping
    },
  }
}

module.exports = { startEmbeddedPostgres }
