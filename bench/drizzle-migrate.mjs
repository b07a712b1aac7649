// `node bench/drizzle-migrate.mjs DIR URL`: drizzle-orm's own migrate() of DIR on URL, as a user's script runs it.
import path from 'node:path'
import { createRequire } from 'node:module'

const [dir, url] = process.argv.slice(2)
const pkg = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../packages/backend/database-schema')
const requirePkg = createRequire(path.join(pkg, 'package.json'))
const pg = requirePkg('pg')
const { drizzle } = requirePkg('drizzle-orm/node-postgres')
const { migrate } = requirePkg('drizzle-orm/node-postgres/migrator')

const client = new pg.Client({ connectionString: url })
await client.connect()
try {
  await migrate(drizzle(client), { migrationsFolder: dir })
} finally {
  await client.end()
}
