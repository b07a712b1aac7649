// A real PostgreSQL for Node tests (the JS twin of crates/testpg).
//
//   const server = await startPostgres()            // { url, stop() }
//   const url = await freshDatabase(server.url, 'x') // an empty database of its own
//   await server.stop()
//
// DATABASE_URL, when set, is used as is. Otherwise a throwaway PostgreSQL 15 cluster is created. It
// is owned by a small `sh` wrapper that waits on its stdin pipe: when this process exits, however it
// exits, the pipe closes and the wrapper fast-shuts-down postgres and deletes the cluster directory.
import { execFile, execFileSync, spawn } from 'node:child_process'
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Waiting longer than this for a fresh cluster means something is broken, not slow. */
const STARTUP_LIMIT_MS = 180_000

const asRoot = process.getuid?.() === 0

/** PostgreSQL 15 if installed, else the newest /usr/lib/postgresql/<N>/bin, else `pg_config --bindir`. */
function findBinDir(needs) {
  const preferred = '/usr/lib/postgresql/15/bin'
  if (existsSync(path.join(preferred, needs))) return preferred
  let versions = []
  try {
    versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v) && existsSync(path.join('/usr/lib/postgresql', v, 'bin', needs)))
      .sort((a, b) => Number(b) - Number(a))
  } catch {}
  if (versions.length) return path.join('/usr/lib/postgresql', versions[0], 'bin')
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    if (existsSync(path.join(dir, needs))) return dir
  } catch {}
  return null
}

/** A client tool (psql, pg_dump): from the server's bindir when there is one, else from PATH. */
export function clientBin(name) {
  const dir = findBinDir(name)
  return dir ? path.join(dir, name) : name
}

function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      if (error) {
        error.message = `${file} ${args.join(' ')} failed: ${String(stderr || error.message).trim()}`
        reject(error)
      } else resolve(stdout)
    })
    if (options.input !== undefined) child.stdin.end(options.input)
  })
}

/** Run SQL through psql (autocommit, stop at the first error); resolves to psql's stdout. */
export function psql(url, sql, extraArgs = []) {
  return run(clientBin('psql'), ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1', ...extraArgs, '-d', url], {
    input: sql,
    env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning', PGCONNECT_TIMEOUT: '30' },
  })
}

/** Server binaries refuse to run as root, so root runs them as `postgres`. */
function serverCommand(program, args) {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args]
}

function postgresIds() {
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    throw new Error('running as root but there is no `postgres` user to run the server as')
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Alive and not a zombie waiting for the wrapper to reap it. */
function processAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 1).trim()[0]
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

// $1 postgres, $2 data dir, $3 socket dir, $4 port, $5 log, $6 cluster dir; the rest are extra server args.
const WRAPPER = `
pg="$1"; data="$2"; sock="$3"; port="$4"; log="$5"; base="$6"; shift 6
"$pg" -D "$data" -k "$sock" -p "$port" -c listen_addresses=127.0.0.1 \\
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off "$@" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid"
cat >/dev/null
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$base"
`

class PortTaken extends Error {}

async function startCluster(settings) {
  const bindir = findBinDir('postgres')
  if (!bindir) {
    throw new Error(
      'no PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin and `pg_config --bindir`); ' +
        'install PostgreSQL 15 (scripts/setup.sh does) or set DATABASE_URL',
    )
  }
  // Root's TMPDIR may not be reachable by `postgres`; /tmp always is.
  const base = mkdtempSync(path.join(asRoot ? '/tmp' : os.tmpdir(), 'testpg-'))
  let owned = false // once true the wrapper deletes `base`
  try {
    const ids = asRoot ? postgresIds() : null
    const data = path.join(base, 'data')
    const sock = path.join(base, 'sock')
    mkdirSync(sock)
    if (ids) {
      chownSync(base, ids.uid, ids.gid)
      chownSync(sock, ids.uid, ids.gid)
    }
    const [initCmd, initArgs] = serverCommand(path.join(bindir, 'initdb'), [
      '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '-D', data,
    ])
    await run(initCmd, initArgs, { cwd: base })

    const port = await freePort()
    const log = path.join(base, 'postgres.log')
    const extra = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])
    const [cmd, args] = serverCommand('/bin/sh', [
      '-c', WRAPPER, 'testpg-wrapper', path.join(bindir, 'postgres'), data, sock, String(port), log, base, ...extra,
    ])
    const wrapperLog = openSync(path.join(base, 'wrapper.log'), 'a')
    // detached: its own process group, so Ctrl-C on the test run cannot kill it before it cleans up.
    const child = spawn(cmd, args, { cwd: base, detached: true, stdio: ['pipe', 'pipe', wrapperLog] })
    closeSync(wrapperLog)
    owned = true
    // Writing/closing a pipe whose reader died must not crash the test process.
    child.stdin.on('error', () => {})
    const exited = new Promise((resolve) => child.once('exit', resolve))
    const logs = () =>
      ['wrapper.log', 'postgres.log'].map((f) => {
        try {
          return readFileSync(path.join(base, f), 'utf8')
        } catch {
          return ''
        }
      }).join('')
    const fail = async (error) => {
      const text = logs() // read before the wrapper deletes them
      child.stdin.end()
      await exited
      if (/could not bind|Address already in use/.test(text)) throw new PortTaken(text)
      throw new Error(`${error} (port ${port}):\n${text}`)
    }

    const pid = await new Promise((resolve) => {
      let buf = ''
      child.stdout.on('data', (chunk) => {
        buf += chunk
        if (buf.includes('\n')) resolve(Number(buf.trim()))
      })
      child.stdout.once('end', () => resolve(NaN))
      child.once('error', () => resolve(NaN))
    })
    if (!Number.isInteger(pid)) await fail('the postgres wrapper did not start')

    const started = Date.now()
    for (;;) {
      const ready = await run(path.join(bindir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'])
        .then(() => true, () => false)
      if (ready) break
      if (!processAlive(pid)) await fail('postgres exited during startup')
      if (Date.now() - started > STARTUP_LIMIT_MS) await fail('postgres did not accept connections in time')
      await sleep(100)
    }

    // Let this process exit while the cluster runs; the open stdin pipe is the lifeline.
    child.stdout.destroy()
    child.unref()
    child.stdin.unref?.()
    let stopping
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      /** Stop postgres and delete the cluster; resolves once both are done. */
      stop() {
        stopping ??= (async () => {
          child.ref()
          child.stdin.ref?.()
          child.stdin.end()
          await exited
        })()
        return stopping
      },
    }
  } finally {
    if (!owned) rmSync(base, { recursive: true, force: true })
  }
}

/** Databases made by freshDatabase on a shared server (DATABASE_URL), dropped by its stop(). */
const createdOn = new Map()

/**
 * `DATABASE_URL` as is, or a new throwaway cluster (a new one per call).
 * `settings`: extra server settings for the throwaway cluster, e.g. `{ ssl: 'on', ssl_cert_file: ... }`.
 */
export async function startPostgres({ settings = {} } = {}) {
  const external = process.env.DATABASE_URL?.trim()
  if (external) {
    await psql(external, 'SELECT 1;').catch((e) => {
      throw new Error(`cannot connect to DATABASE_URL: ${e.message}`)
    })
    return {
      url: external,
      async stop() {
        const names = createdOn.get(external) ?? []
        createdOn.delete(external)
        for (const name of names) await psql(external, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE);`).catch(() => {})
      },
    }
  }
  let lastError
  // A port found free can be taken before postgres binds it; only that is worth retrying.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startCluster(settings)
    } catch (e) {
      if (!(e instanceof PortTaken)) throw e
      lastError = e
    }
  }
  throw new Error(`postgres could not bind a port three times:\n${lastError.message}`)
}

let counter = 0

/** `[a-z0-9_]` name: the prefix, this process, the time and a counter, so parallel runs never collide. */
function uniqueName(prefix) {
  let clean = String(prefix).toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30)
  if (!clean || /^[0-9]/.test(clean)) clean = `db_${clean}`
  return `${clean}_${process.pid}_${Date.now().toString(36)}_${counter++}`
}

/** Create an empty database (from template0, UTF8, C collation) on the server at `url`; resolves to its URL. */
export async function freshDatabase(url, prefix = 'test') {
  const name = uniqueName(prefix)
  await psql(url, `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';`)
  if (url === process.env.DATABASE_URL?.trim()) {
    if (!createdOn.has(url)) createdOn.set(url, [])
    createdOn.get(url).push(name)
  }
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
