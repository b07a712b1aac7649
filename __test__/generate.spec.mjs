// generateRollback through the built addon (run `pnpm build` or `pnpm build:debug` first).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const indexJs = fileURLToPath(new URL('../index.js', import.meta.url))
const { generateRollback } = require('../index.js')

const ERROR_CODES = ['PARSE_ERROR', 'INVALID_INPUT', 'INVALID_ARGUMENT', 'INTERNAL_ERROR']

function plan(sql) {
  return generateRollback(sql)
}

// Returns the thrown error so callers can check it further.
function throwsCoded(sql, code) {
  let caught
  assert.throws(
    () => generateRollback(sql),
    (err) => {
      caught = err
      return true
    },
  )
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`)
  assert.equal(caught.code, code, `code; message was: ${caught.message}`)
  assert.equal(typeof caught.message, 'string')
  assert.ok(caught.message.length > 0)
  return caught
}

function assertPlanShape(p) {
  assert.deepEqual(Object.keys(p).sort(), [
    'rollbackSafe',
    'rollbackScript',
    'stateCaptured',
    'statements',
    'transactional',
    'warnings',
  ])
  assert.equal(p.stateCaptured, false, 'generateRollback works from the SQL alone')
  assert.ok(p.rollbackScript === null || typeof p.rollbackScript === 'string')
  assert.equal(typeof p.rollbackSafe, 'boolean')
  assert.equal(typeof p.transactional, 'boolean')
  assert.ok(Array.isArray(p.statements))
  assert.ok(Array.isArray(p.warnings))
  p.statements.forEach((s, i) => {
    assert.deepEqual(Object.keys(s).sort(), [
      'code',
      'column',
      'index',
      'inverse',
      'kind',
      'line',
      'reversible',
      'sql',
    ])
    assert.equal(s.index, i)
    assert.equal(typeof s.kind, 'string')
    assert.equal(typeof s.sql, 'string')
    assert.ok(Number.isInteger(s.line) && s.line >= 1)
    assert.ok(Number.isInteger(s.column) && s.column >= 1)
    assert.equal(typeof s.reversible, 'boolean')
    assert.ok(s.inverse === null || typeof s.inverse === 'string')
    assert.ok(s.code === null || typeof s.code === 'string')
  })
  for (const w of p.warnings) {
    assert.deepEqual(Object.keys(w).sort(), ['code', 'column', 'line', 'message', 'statementIndex'])
    assert.equal(typeof w.code, 'string')
    assert.equal(typeof w.message, 'string')
    assert.ok(Number.isInteger(w.statementIndex) && w.statementIndex < p.statements.length)
    assert.ok(Number.isInteger(w.line) && w.line >= 1)
    assert.ok(Number.isInteger(w.column) && w.column >= 1)
  }
}

describe('module surface', () => {
  test('exports generateRollback as a function', () => {
    assert.equal(typeof generateRollback, 'function')
  })

  test('index.d.ts declares the typed plan (string | null for optional fields)', () => {
    const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
    assert.match(dts, /export declare function generateRollback\(sql: string\): RollbackPlan/)
    assert.match(dts, /rollbackScript: string \| null/)
    assert.match(dts, /rollbackSafe: boolean/)
    assert.match(dts, /statements: Array<StatementPlan>/)
    assert.match(dts, /warnings: Array<RollbackWarning>/)
    assert.match(dts, /index: number/)
    assert.match(dts, /inverse: string \| null/)
    assert.match(dts, /code: Code \| null/)
    assert.match(dts, /export type Code = 'DROP_COLUMN' \| /)
    assert.match(dts, /export type ErrorCode = 'INVALID_ARGUMENT' \| /)
    assert.match(dts, /statementIndex: number/)
  })
})

describe('spec examples', () => {
  test('ADD COLUMN -> DROP COLUMN, safe, every field', () => {
    const p = plan('ALTER TABLE wishlist_items ADD COLUMN notes TEXT;')
    assertPlanShape(p)
    assert.equal(p.rollbackScript, 'ALTER TABLE wishlist_items DROP COLUMN notes;\n')
    assert.equal(p.rollbackSafe, true)
    assert.equal(p.transactional, true)
    assert.deepEqual(p.warnings, [])
    assert.equal(p.statements.length, 1)
    const [s] = p.statements
    assert.equal(s.index, 0)
    assert.equal(s.kind, 'ALTER TABLE')
    assert.equal(s.sql, 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT')
    assert.equal(s.line, 1)
    assert.equal(s.column, 1)
    assert.equal(s.reversible, true)
    assert.equal(s.inverse.trim(), 'ALTER TABLE wishlist_items DROP COLUMN notes;')
    assert.equal(s.code, null)
  })

  test('DROP COLUMN -> no script, unsafe, DROP_COLUMN warning', () => {
    const p = plan('ALTER TABLE wishlist_items DROP COLUMN legacy_field;')
    assertPlanShape(p)
    assert.equal(p.rollbackScript, null)
    assert.equal(p.rollbackSafe, false)
    assert.deepEqual(p.warnings, [
      {
        code: 'DROP_COLUMN',
        message: 'Cannot auto-generate rollback for DROP COLUMN (data loss)',
        statementIndex: 0,
        line: 1,
        column: 1,
      },
    ])
    const [s] = p.statements
    assert.equal(s.reversible, false)
    assert.equal(s.inverse, null)
    assert.equal(s.code, 'DROP_COLUMN')
  })

  test('ALTER TYPE ... ADD VALUE -> ENUM_ADD_VALUE warning', () => {
    const p = plan("ALTER TYPE wishlist_store ADD VALUE 'Amazon';")
    assertPlanShape(p)
    assert.equal(p.rollbackScript, null)
    assert.equal(p.rollbackSafe, false)
    assert.equal(p.warnings.length, 1)
    assert.equal(p.warnings[0].code, 'ENUM_ADD_VALUE')
    assert.equal(p.warnings[0].message, 'Cannot rollback enum value addition (PostgreSQL limitation)')
    assert.equal(p.statements[0].reversible, false)
    assert.equal(p.statements[0].code, 'ENUM_ADD_VALUE')
  })

  for (const sql of [
    "UPDATE wishlist_items SET notes = 'n/a' WHERE notes IS NULL;",
    "INSERT INTO wishlist_items (id, notes) VALUES (1, 'x');",
    'DELETE FROM wishlist_items WHERE id = 1;',
  ]) {
    test(`data migration -> DATA_MIGRATION: ${sql.split(' ')[0]}`, () => {
      const p = plan(sql)
      assertPlanShape(p)
      assert.equal(p.rollbackScript, null)
      assert.equal(p.rollbackSafe, false)
      assert.equal(p.warnings.length, 1)
      assert.equal(p.warnings[0].code, 'DATA_MIGRATION')
      assert.equal(p.warnings[0].message, 'Cannot auto-generate rollback for data migrations')
    })
  }

  test('CREATE INDEX -> DROP INDEX', () => {
    const p = plan('CREATE INDEX idx_test ON wishlist_items(user_id);')
    assertPlanShape(p)
    assert.equal(p.rollbackScript, 'DROP INDEX idx_test;\n')
    assert.equal(p.rollbackSafe, true)
    assert.equal(p.transactional, true)
    assert.equal(p.statements[0].kind, 'CREATE INDEX')
  })

  test('CREATE INDEX CONCURRENTLY -> DROP INDEX CONCURRENTLY, not transactional', () => {
    const p = plan('CREATE INDEX CONCURRENTLY i ON t(x)')
    assertPlanShape(p)
    assert.equal(p.rollbackScript, 'DROP INDEX CONCURRENTLY i;\n')
    assert.equal(p.transactional, false)
  })
})

describe('multi-statement (spec Edge 1)', () => {
  const stmts = [
    'ALTER TABLE wishlist_items ADD COLUMN field1 TEXT',
    'CREATE INDEX idx1 ON wishlist_items(field1)',
    'ALTER TABLE wishlist_items DROP COLUMN legacy_field',
  ]

  test('one line: reversible parts inverted last-first, unsafe, one warning on statement 2', () => {
    const sql = stmts.map((s) => s + ';').join(' ')
    const p = plan(sql)
    assertPlanShape(p)
    assert.equal(p.rollbackScript, 'DROP INDEX idx1;\nALTER TABLE wishlist_items DROP COLUMN field1;\n')
    assert.equal(p.rollbackSafe, false)
    assert.equal(p.statements.length, 3)
    assert.deepEqual(
      p.statements.map((s) => [s.sql, s.reversible]),
      [
        [stmts[0], true],
        [stmts[1], true],
        [stmts[2], false],
      ],
    )
    // Columns are 1-based character offsets of each statement's first token.
    assert.deepEqual(
      p.statements.map((s) => [s.line, s.column]),
      stmts.map((s) => [1, sql.indexOf(s) + 1]),
    )
    assert.equal(p.warnings.length, 1)
    const [w] = p.warnings
    assert.equal(w.statementIndex, 2)
    assert.equal(w.code, 'DROP_COLUMN')
    assert.deepEqual([w.line, w.column], [1, sql.indexOf(stmts[2]) + 1])
  })

  test('several lines: line and column of each statement', () => {
    const sql = `${stmts[0]};\n${stmts[1]};\n\n  ${stmts[2]};\n`
    const p = plan(sql)
    assert.deepEqual(
      p.statements.map((s) => [s.line, s.column]),
      [
        [1, 1],
        [2, 1],
        [4, 3],
      ],
    )
    assert.deepEqual([p.warnings[0].line, p.warnings[0].column], [4, 3])
  })
})

describe('errors', () => {
  test('invalid SQL -> PARSE_ERROR naming line and column', () => {
    const err = throwsCoded('SELECT 1;\nSELEC 2;', 'PARSE_ERROR')
    assert.match(err.message, /\bline 2, column 1\b/)
  })

  test('invalid SQL on line 1 -> PARSE_ERROR', () => {
    const err = throwsCoded('ALTER TABLE wishlist_items ADD COLUMN;', 'PARSE_ERROR')
    assert.match(err.message, /\bline 1, column \d+\b/)
  })

  test('NUL byte -> INVALID_INPUT', () => {
    throwsCoded('SELECT 1;\0', 'INVALID_INPUT')
  })

  for (const [bad, type] of [
    [42, 'number'],
    [undefined, 'undefined'],
    [null, 'null'],
    [{ sql: 'SELECT 1' }, 'object'],
    [Buffer.from('SELECT 1'), 'object'],
    [10n, 'bigint'],
  ]) {
    test(`wrong argument type (${type}) -> INVALID_ARGUMENT Error, not a crash`, () => {
      const err = throwsCoded(bad, 'INVALID_ARGUMENT')
      assert.equal(err.message, `sql must be a string, got ${type}`)
    })
  }

  test('input over the size limit -> INVALID_INPUT', () => {
    const err = throwsCoded('-- ' + 'x'.repeat(64 * 1024 * 1024), 'INVALID_INPUT')
    assert.match(err.message, /bytes/)
  })

  test('no argument -> INVALID_ARGUMENT Error', () => {
    assert.throws(() => generateRollback(), { code: 'INVALID_ARGUMENT' })
  })

  test('errors carry a code from the stable set', () => {
    for (const sql of ['SELEC', 'x\0y']) {
      try {
        generateRollback(sql)
        assert.fail(`expected ${JSON.stringify(sql)} to throw`)
      } catch (err) {
        assert.ok(ERROR_CODES.includes(err.code), `unexpected code ${err.code}: ${err.message}`)
      }
    }
  })
})

describe('odd input', () => {
  for (const [name, sql] of [
    ['empty string', ''],
    ['whitespace', ' \n\t \n'],
    ['line comment only', '-- nothing to do\n'],
    ['block comment only', '/* nothing\n to do */'],
    ['lone semicolons', ';;\n;'],
  ]) {
    test(`${name} -> plan with no statements, not safe`, () => {
      const p = plan(sql)
      assertPlanShape(p)
      assert.deepEqual(p.statements, [])
      assert.equal(p.rollbackScript, null)
      assert.equal(p.rollbackSafe, false)
    })
  }

  test('non-ASCII quoted identifiers round-trip; columns count characters', () => {
    const sql = 'ALTER TABLE "Wünsche Liste" ADD COLUMN "Größe" TEXT; CREATE INDEX i ON t(x);'
    const p = plan(sql)
    assert.equal(p.rollbackScript, 'DROP INDEX i;\nALTER TABLE "Wünsche Liste" DROP COLUMN "Größe";\n')
    // All characters here are in the BMP, so a JS string index is a character index.
    assert.deepEqual([p.statements[1].line, p.statements[1].column], [1, sql.indexOf('CREATE') + 1])
  })

  test('5 MB migration does not crash and covers every statement', () => {
    const parts = []
    let size = 0
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      const s = `ALTER TABLE wishlist_items ADD COLUMN field_${i} TEXT;\n`
      parts.push(s)
      size += s.length
    }
    const p = plan(parts.join(''))
    assert.equal(p.statements.length, parts.length)
    assert.equal(p.rollbackSafe, true)
    const last = parts.length - 1
    assert.ok(
      p.rollbackScript.startsWith(`ALTER TABLE wishlist_items DROP COLUMN field_${last};\n`),
      p.rollbackScript.slice(0, 80),
    )
    assert.ok(p.rollbackScript.endsWith('ALTER TABLE wishlist_items DROP COLUMN field_0;\n'))
  })

  // A crash here would take the test process with it, so it runs in a child.
  test('deeply nested expression gives a plan or a coded error, never a crash', () => {
    const script = `
      const { generateRollback } = require(${JSON.stringify(indexJs)})
      const results = []
      for (const depth of [1000, 100000]) {
        const sql = 'SELECT ' + '('.repeat(depth) + '1' + ')'.repeat(depth) + ';'
        try {
          const p = generateRollback(sql)
          results.push({ ok: true, statements: p.statements.length })
        } catch (e) {
          results.push({ ok: false, isError: e instanceof Error, code: e.code })
        }
      }
      console.log(JSON.stringify(results))
    `
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    assert.equal(r.signal, null, `child killed by ${r.signal}; stderr: ${r.stderr.slice(-500)}`)
    assert.equal(r.status, 0, `stderr: ${r.stderr.slice(-500)}`)
    const results = JSON.parse(r.stdout.trim().split('\n').pop())
    assert.equal(results.length, 2)
    for (const out of results) {
      if (out.ok) {
        assert.equal(out.statements, 1)
      } else {
        assert.equal(out.isError, true)
        assert.ok(ERROR_CODES.includes(out.code), `code ${out.code}`)
      }
    }
  })
})
