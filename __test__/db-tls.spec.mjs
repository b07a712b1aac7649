// TLS through the addon (rustls): this file's own PostgreSQL runs with ssl = on and a server
// certificate for DNS name `localhost` only, signed by a throwaway CA; both made by openssl.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, execSync } from 'node:child_process'
import { mkdtempSync, chmodSync, chownSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, prepare, insertRow, columnExists, rejectsWith } from './db-support.mjs'

const external = Boolean(process.env.DATABASE_URL?.trim())
let server
let certs
before(async () => {
  if (external) return
  certs = makeCerts()
  const file = (f) => path.join(certs, f)
  server = await startPostgres({ settings: { ssl: 'on', ssl_cert_file: file('server.crt'), ssl_key_file: file('server.key') } })
})
after(async () => {
  await server?.stop()
  if (certs) rmSync(certs, { recursive: true, force: true })
})

function makeCerts() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-rollback-tls-'))
  chmodSync(dir, 0o755) // the server (user postgres when we are root) must reach the files
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  const ca = (name) =>
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=pg-rollback test ${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
  ca('ca')
  ca('other')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  writeFileSync(path.join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n')
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext')
  chmodSync(path.join(dir, 'server.key'), 0o600)
  if (process.getuid?.() === 0) {
    const [uid, gid] = execSync('id -u postgres && id -g postgres', { encoding: 'utf8' }).trim().split('\n').map(Number)
    for (const f of ['server.key', 'server.crt']) chownSync(path.join(dir, f), uid, gid)
  }
  return dir
}

const withHost = (url, host, params) => `${url.replace('@127.0.0.1:', `@${host}:`)}?${params}`

test('sslmode require / verify-ca / verify-full against a server with a test CA', { skip: external && 'needs its own server (DATABASE_URL is set)' }, async () => {
  const url = await freshDatabase(server.url, 'node_tls')
  await prepare(url)
  await psql(url, 'ALTER TABLE wishlist_items ADD COLUMN tls_col TEXT;')
  await insertRow(url, '1.0.0', 'ALTER TABLE wishlist_items DROP COLUMN tls_col;\n', true)
  assert.ok(url.includes('@127.0.0.1:'), `expected a 127.0.0.1 URL: ${url}`)

  const file = (f) => path.join(certs, f)
  const ca = `sslrootcert=${encodeURIComponent(file('ca.pem'))}`
  const other = `sslrootcert=${encodeURIComponent(file('other.pem'))}`
  for (const good of [
    withHost(url, '127.0.0.1', 'sslmode=require'),
    withHost(url, 'localhost', `sslmode=verify-full&${ca}`),
    withHost(url, '127.0.0.1', `sslmode=verify-ca&${ca}`),
  ]) {
    assert.equal((await addon.getRollback(good, '1.0.0')).version, '1.0.0', good)
  }
  for (const [bad, why] of [
    [withHost(url, '127.0.0.1', `sslmode=verify-full&${ca}`), /not valid for name/],
    [withHost(url, 'localhost', `sslmode=verify-full&${other}`), /UnknownIssuer/],
  ]) {
    const err = await rejectsWith(addon.getRollback(bad, '1.0.0'), 'CONNECTION_FAILED')
    assert.match(err.message, why)
  }
  await rejectsWith(addon.getRollback(withHost(url, 'localhost', 'sslmode=verify-full&sslrootcert=/nonexistent.pem'), '1.0.0'), 'INVALID_ARGUMENT')

  await addon.executeRollback(withHost(url, 'localhost', `sslmode=verify-full&${ca}`), '1.0.0')
  assert.equal(await columnExists(url, 'wishlist_items', 'tls_col'), false)
})
