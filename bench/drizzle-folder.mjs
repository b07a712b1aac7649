// A realistic Drizzle migrations folder for the apply benchmark: what drizzle-kit writes over a project's life
// (enums, tables with serial and uuid keys, foreign keys both plain and in old drizzle-kit's duplicate_object
// guards, indexes, defaults, NOT NULL changes, renames, dropped columns, enum values), `--> statement-breakpoint`
// between statements, a journal. Deterministic: the same seed gives the same folder.
import { mkdirSync, writeFileSync, readFileSync, cpSync } from 'node:fs'
import path from 'node:path'

const BREAK = '--> statement-breakpoint\n'

function prng(seed) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/**
 * Writes `count` migrations after the package's own (pg-rollback's schema_versions migrations, so that
 * both runners store the same bookkeeping) into `dir`; returns the number of migrations in the journal.
 */
export function writeDrizzleFolder(dir, { count = 200, seed = 42, packageMigrations }) {
  const rand = prng(seed)
  const pick = (xs) => xs[Math.floor(rand() * xs.length)]
  mkdirSync(path.join(dir, 'meta'), { recursive: true })
  const journal = JSON.parse(readFileSync(path.join(packageMigrations, 'meta', '_journal.json'), 'utf8'))
  // Only pg-rollback's own migrations (not the package's demo table).
  journal.entries = journal.entries.filter((e) => !e.tag.includes('wishlist'))
  for (const e of journal.entries) cpSync(path.join(packageMigrations, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`))

  const tables = [] // { name, columns: [{ name, nullable, hasDefault }], indexes: [], fks: [] }
  const enums = [] // { name, values }
  let when = journal.entries.at(-1).when
  let n = journal.entries.length
  const q = (s) => `"${s}"`
  const tableNames = ['users', 'accounts', 'sessions', 'projects', 'tasks', 'comments', 'labels', 'invoices', 'payments',
    'teams', 'memberships', 'documents', 'attachments', 'webhooks', 'events', 'api_keys', 'audit_logs', 'settings',
    'notifications', 'subscriptions', 'plans', 'orders', 'order_items', 'products', 'categories', 'tags', 'reviews']
  const columnWords = ['title', 'status', 'priority', 'amount', 'currency', 'email', 'slug', 'description', 'url',
    'position', 'color', 'due_at', 'archived', 'source', 'external_id', 'notes', 'score', 'locale', 'timezone', 'kind']
  const columnTypes = ['text', 'varchar(255)', 'integer', 'boolean', 'timestamp', 'numeric(12, 2)', 'jsonb']
  const defaults = { text: "''", 'varchar(255)': "'draft'", integer: '0', boolean: 'false', timestamp: 'now()', 'numeric(12, 2)': '0', jsonb: "'{}'::jsonb" }
  const freshName = (base, taken) => {
    let name = base
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`
    return name
  }

  function createEnum() {
    const name = freshName(`${pick(['status', 'role', 'kind', 'visibility', 'state'])}_${enums.length}`, new Set(enums.map((e) => e.name)))
    const values = ['a', 'b', 'c'].map((v) => `${v}${enums.length}`)
    enums.push({ name, values })
    // Old drizzle-kit wraps enums in a duplicate_object guard; newer versions write them plain.
    return rand() < 0.5
      ? `DO $$ BEGIN\n CREATE TYPE "public".${q(name)} AS ENUM(${values.map((v) => `'${v}'`).join(', ')});\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n`
      : `CREATE TYPE "public".${q(name)} AS ENUM(${values.map((v) => `'${v}'`).join(', ')});\n`
  }

  function createTable() {
    const name = freshName(pick(tableNames), new Set(tables.map((t) => t.name)))
    const table = { name, columns: [], indexes: [], fks: [] }
    const uuid = rand() < 0.4
    const lines = [uuid ? `\t"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL` : `\t"id" serial PRIMARY KEY NOT NULL`]
    table.idType = uuid ? 'uuid' : 'integer'
    for (let i = 0; i < 2 + Math.floor(rand() * 4); i++) {
      const col = freshName(pick(columnWords), new Set(table.columns.map((c) => c.name)))
      const type = pick(columnTypes)
      const notNull = rand() < 0.4
      lines.push(`\t${q(col)} ${type}${notNull ? ` DEFAULT ${defaults[type]} NOT NULL` : ''}`)
      table.columns.push({ name: col, type, nullable: !notNull, hasDefault: notNull })
    }
    if (enums.length && rand() < 0.5) {
      const e = pick(enums)
      lines.push(`\t"${e.name}_value" ${q(e.name)} DEFAULT '${e.values[0]}' NOT NULL`)
      table.columns.push({ name: `${e.name}_value`, type: e.name, nullable: false, hasDefault: true })
    }
    lines.push(`\t"created_at" timestamp DEFAULT now() NOT NULL`)
    table.columns.push({ name: 'created_at', type: 'timestamp', nullable: false, hasDefault: true })
    const statements = [`CREATE TABLE ${rand() < 0.3 ? 'IF NOT EXISTS ' : ''}${q(name)} (\n${lines.join(',\n')}\n);\n`]
    tables.push(table)
    if (tables.length > 1 && rand() < 0.8) statements.push(...addForeignKey(table))
    return statements
  }

  function addForeignKey(table) {
    const target = pick(tables.filter((t) => t !== table))
    const col = freshName(`${target.name.replace(/s$/, '')}_id`, new Set(table.columns.map((c) => c.name)))
    // Foreign key columns keep their name and stay: the constraint names them.
    table.columns.push({ name: col, type: target.idType, nullable: true, hasDefault: false, fk: true })
    const fk = `${table.name}_${col}_${target.name}_id_fk`
    table.fks.push(fk)
    const add = `ALTER TABLE ${q(table.name)} ADD CONSTRAINT ${q(fk)} FOREIGN KEY (${q(col)}) REFERENCES "public".${q(target.name)}("id") ON DELETE ${pick(['cascade', 'no action', 'set null'])} ON UPDATE no action;`
    const index = `${table.name}_${col}_idx`
    table.indexes.push(index)
    return [
      `ALTER TABLE ${q(table.name)} ADD COLUMN ${q(col)} ${target.idType};\n`,
      rand() < 0.5 ? `DO $$ BEGIN\n ${add}\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n` : `${add}\n`,
      `CREATE INDEX ${rand() < 0.5 ? 'IF NOT EXISTS ' : ''}${q(index)} ON ${q(table.name)} USING btree (${q(col)});\n`,
    ]
  }

  function alterSomething() {
    const table = pick(tables)
    const candidates = table.columns.filter((c) => c.name !== 'created_at' && !c.fk)
    const col = candidates.length ? pick(candidates) : undefined
    const r = rand()
    if (!col || r < 0.2) {
      const name = freshName(pick(columnWords), new Set(table.columns.map((c) => c.name)))
      const type = pick(columnTypes)
      table.columns.push({ name, type, nullable: true, hasDefault: false })
      return [`ALTER TABLE ${q(table.name)} ADD COLUMN ${q(name)} ${type};\n`]
    }
    if (r < 0.35) {
      col.hasDefault = !col.hasDefault || rand() < 0.5
      return [
        col.hasDefault && defaults[col.type]
          ? `ALTER TABLE ${q(table.name)} ALTER COLUMN ${q(col.name)} SET DEFAULT ${defaults[col.type]};\n`
          : `ALTER TABLE ${q(table.name)} ALTER COLUMN ${q(col.name)} DROP DEFAULT;\n`,
      ]
    }
    if (r < 0.45 && col.nullable === false) {
      col.nullable = true
      return [`ALTER TABLE ${q(table.name)} ALTER COLUMN ${q(col.name)} DROP NOT NULL;\n`]
    }
    if (r < 0.6) {
      const index = freshName(`${table.name}_${col.name}_idx`, new Set(table.indexes))
      table.indexes.push(index)
      return [`CREATE ${rand() < 0.2 ? 'UNIQUE ' : ''}INDEX ${rand() < 0.5 ? 'IF NOT EXISTS ' : ''}${q(index)} ON ${q(table.name)} USING btree (${q(col.name)});\n`]
    }
    if (r < 0.7 && table.indexes.length) {
      const index = table.indexes.splice(Math.floor(rand() * table.indexes.length), 1)[0]
      return [`DROP INDEX IF EXISTS ${q(index)};\n`]
    }
    if (r < 0.78 && table.fks.length) {
      const fk = table.fks.pop()
      return [`ALTER TABLE ${q(table.name)} DROP CONSTRAINT ${q(fk)};\n`]
    }
    if (r < 0.86) {
      const name = freshName(`${col.name}_renamed`, new Set(table.columns.map((c) => c.name)))
      const statement = `ALTER TABLE ${q(table.name)} RENAME COLUMN ${q(col.name)} TO ${q(name)};\n`
      col.name = name
      return [statement]
    }
    if (r < 0.92 && enums.length) {
      const e = pick(enums)
      const value = `v${e.values.length}_${n}`
      e.values.push(value)
      return [`ALTER TYPE "public".${q(e.name)} ADD VALUE '${value}';\n`]
    }
    // Dropping a column also drops its indexes.
    table.columns.splice(table.columns.indexOf(col), 1)
    table.indexes = table.indexes.filter((i) => !i.includes(col.name))
    table.fks = table.fks.filter((f) => !f.includes(`_${col.name}_`))
    return [`ALTER TABLE ${q(table.name)} DROP COLUMN ${q(col.name)};\n`]
  }

  for (let i = 0; i < count; i++) {
    const statements = []
    if (i < 3 || rand() < 0.12) statements.push(createEnum())
    if (i < 8 || rand() < 0.3) statements.push(...createTable())
    const alters = Math.floor(rand() * 4)
    for (let j = 0; j < alters && tables.length; j++) statements.push(...alterSomething())
    if (!statements.length) statements.push(...createTable())
    const tag = `${String(n).padStart(4, '0')}_bench_${i}`
    writeFileSync(path.join(dir, `${tag}.sql`), statements.join(BREAK))
    when += 1000
    journal.entries.push({ idx: n, version: '7', when, tag, breakpoints: true })
    n++
  }
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify(journal, null, 2))
  return journal.entries.length
}
