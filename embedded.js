'use strict'
// Embedded PostgreSQL for when no database URL is configured: PGlite (PostgreSQL compiled to
// WebAssembly) on a data directory, served over the wire protocol by pglite-socket on 127.0.0.1.
//
// Limits the addon respects (see embedded.d.ts): one connection at a time, one session shared by
// all connections, no TLS, no COPY FROM STDIN. One server per data directory (a lock file).
const fs = require('node:fs')
const path = require('node:path')

/** Inside the data directory; PGlite ignores files it does not know. */
const LOCK_FILE = 'pg-rollback.lock'

function codedError(ErrorType, code, message) {
  const error = new ErrorType(message)
  error.code = code
  return error
}

/** The pid written in a lock file, or undefined when it is missing or not a pid. */
function readPid(file) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8').trim()
  } catch {
    return undefined
  }
  return /^[1-9][0-9]*$/.test(text) ? Number(text) : undefined
}

function isRunning(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return error.code === 'EPERM'
  }
}

function inUse(dir, pid) {
  return codedError(
    Error,
    'DATA_DIRECTORY_IN_USE',
    `The embedded PostgreSQL data directory ${dir} is in use by process ${pid}` +
      `${pid === process.pid ? ' (this process)' : ''}; stop that server first (one server per data directory)`,
  )
}

/**
 * Take `dir`'s lock file for this process. A lock whose process is gone is taken over. The file is
 * written completely before it appears (link), so a reader never sees it without its pid.
 */
function acquireLock(dir) {
  const lock = path.join(dir, LOCK_FILE)
  const unique = `${lock}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}`
  fs.writeFileSync(`${unique}.new`, `${process.pid}\n`)
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        fs.linkSync(`${unique}.new`, lock)
        return lock
      } catch (error) {
        if (error.code !== 'EEXIST') throw error
      }
      const holder = readPid(lock)
      if (holder !== undefined && isRunning(holder)) throw inUse(dir, holder)
      // Stale: move it aside (atomic), so that of several processes taking it over only one removes it.
      const aside = `${unique}.stale`
      try {
        fs.renameSync(lock, aside)
      } catch (error) {
        if (error.code === 'ENOENT') continue
        throw error
      }
      const moved = readPid(aside)
      if (moved !== undefined && moved !== holder && isRunning(moved)) {
        // Another process took it over between our read and the rename: give it back.
        try {
          fs.linkSync(aside, lock)
        } catch {}
        fs.rmSync(aside, { force: true })
        throw inUse(dir, moved)
      }
      fs.rmSync(aside, { force: true })
    }
    throw inUse(dir, readPid(lock) ?? 'unknown')
  } finally {
    fs.rmSync(`${unique}.new`, { force: true })
  }
}

/** Remove the lock file if it is still this process's. */
function releaseLock(lock) {
  if (readPid(lock) === process.pid) fs.rmSync(lock, { force: true })
}

/**
 * Start PGlite on `dir` (created if missing) and listen on a free port of 127.0.0.1.
 * @param {string} dir
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
async function startEmbeddedPostgres(dir) {
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw codedError(TypeError, 'INVALID_ARGUMENT', 'startEmbeddedPostgres(dir): dir must be a non-empty path')
  }
  dir = path.resolve(dir)
  fs.mkdirSync(dir, { recursive: true })
  const lock = acquireLock(dir)
  let db
  let server
  try {
    // Both packages are ESM-first; import() works from this CommonJS file too.
    const { PGlite } = await import('@electric-sql/pglite')
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
    db = await PGlite.create(dir)
    // maxConnections 1: PGlite has a single backend, so connections would share one session.
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 })
    await server.start()
  } catch (error) {
    await db?.close().catch(() => {})
    releaseLock(lock)
    throw error
  }
  const port = Number(server.getServerConn().split(':').pop())

  let stopping = null
  return {
    // pg_rollback_embedded=true: the addon retries connections this server drops while busy.
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable&pg_rollback_embedded=true`,
    stop() {
      stopping ??= (async () => {
        try {
          await server.stop()
          await db.close()
        } finally {
          releaseLock(lock)
        }
      })()
      return stopping
    },
  }
}

module.exports = { startEmbeddedPostgres }
