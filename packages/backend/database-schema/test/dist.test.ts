// The compiled CLI: what `pnpm db:rollback` / `pnpm db:migrate:apply` run, and the check that refuses a dist/
// older than its sources (on a copy of the package, so the real dist/ is never touched).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PACKAGE_DIR, tempDir } from './helpers.js';

const COPIED = ['dist', 'src', 'scripts', 'package.json', 'drizzle.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.config.json'];

function copyPackage(): string {
  const dir = tempDir('pg-rollback-dist-');
  for (const entry of COPIED) fs.cpSync(path.join(PACKAGE_DIR, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

function help(dir: string, cli = 'rollback', extra: string[] = []) {
  return spawnSync(process.execPath, [path.join(dir, 'dist', 'cli', `${cli}.js`), '--help', ...extra], { encoding: 'utf8' });
}

describe('compiled CLI', () => {
  test('the pnpm scripts run dist/ with plain node (no TypeScript transpiler at run time)', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    assert.equal(scripts['db:rollback'], 'node dist/cli/rollback.js');
    assert.equal(scripts['db:migrate:apply'], 'node dist/cli/migrate-apply.js');
    assert.equal(scripts.demo, 'node dist/cli/demo.js');
  });

  // The copy has no node_modules: nothing but node itself is needed to start a command.
  test('a fresh dist/ runs', () => {
    const dir = copyPackage();
    const rollback = help(dir);
    assert.equal(rollback.status, 0, rollback.stderr);
    assert.match(rollback.stdout, /pnpm db:rollback --version=X\.Y\.Z/);
    assert.equal(help(dir, 'migrate-apply').status, 0);
  });

  test('an edited source stops every compiled CLI with a message naming it', () => {
    const dir = copyPackage();
    fs.appendFileSync(path.join(dir, 'src', 'lib', 'prompt.ts'), '\n// edited\n');
    for (const cli of ['rollback', 'migrate-apply', 'demo']) {
      const result = help(dir, cli);
      assert.equal(result.status, 1, cli);
      assert.equal(result.stdout, '', cli);
      assert.match(result.stderr, /dist is out of date \(changed since it was built: src\/lib\/prompt\.ts\)/, cli);
      assert.match(result.stderr, /Rebuild it: `pnpm build`/, cli);
    }
    const json = help(dir, 'rollback', ['--json']);
    assert.equal(json.status, 1);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'DIST_STALE');
  });

  test('a new source, a deleted one, drizzle.config.ts and a missing build record count too', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['new', (dir) => fs.writeFileSync(path.join(dir, 'src', 'lib', 'extra.ts'), 'export {};\n'), /src\/lib\/extra\.ts/],
      ['deleted', (dir) => fs.rmSync(path.join(dir, 'src', 'schema.ts')), /src\/schema\.ts/],
      ['config', (dir) => fs.appendFileSync(path.join(dir, 'drizzle.config.ts'), '\n'), /drizzle\.config\.ts/],
      ['no record', (dir) => fs.rmSync(path.join(dir, 'dist', 'build-info.json')), /build-info\.json is missing/],
    ];
    for (const [name, change, message] of cases) {
      const dir = copyPackage();
      change(dir);
      const result = help(dir);
      assert.equal(result.status, 1, name);
      assert.match(result.stderr, message, name);
    }
  });

  test('pnpm build makes a stale copy run again', () => {
    const dir = copyPackage();
    fs.symlinkSync(path.join(PACKAGE_DIR, 'node_modules'), path.join(dir, 'node_modules'));
    fs.appendFileSync(path.join(dir, 'src', 'lib', 'prompt.ts'), '\n// edited\n');
    assert.equal(help(dir).status, 1);
    const build = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    assert.equal(help(dir).status, 0);
  });
});
