// `pnpm build`: compiles the CLIs to dist/ (run with plain node, no transpiler at run time) and records
// a hash of every source they were built from in dist/build-info.json; src/lib/fresh.ts compares them at
// start-up so that a dist/ older than its sources never runs silently.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_INFO, sourceHashes } from './sources.mjs';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
const dist = path.join(dir, 'dist');

// Hashed before compiling: an edit made while tsc runs then shows up as stale.
const sources = sourceHashes(dir);
// A clean dist/: no compiled file of a deleted source stays behind.
fs.rmSync(dist, { recursive: true, force: true });
for (const config of ['tsconfig.build.json', 'tsconfig.config.json']) {
  execFileSync(process.execPath, [tsc, '-p', path.join(dir, config)], { cwd: dir, stdio: 'inherit' });
}
fs.writeFileSync(path.join(dist, BUILD_INFO), `${JSON.stringify({ builtAt: new Date().toISOString(), sources }, null, 2)}\n`);
console.error(`database-schema: built dist/ from ${Object.keys(sources).length} sources`);
