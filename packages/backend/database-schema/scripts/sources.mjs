// The files dist/ is built from, and their hashes (shared by the build and the start-up check).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const BUILD_INFO = 'build-info.json';
const EXTRA = ['drizzle.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.config.json'];

/** { 'src/cli/rollback.ts': sha256, ... } for every .ts under src/ and the build's configuration. */
export function sourceHashes(dir) {
  const files = fs
    .readdirSync(path.join(dir, 'src'), { recursive: true })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join('src', f.split(path.sep).join('/')))
    .concat(EXTRA)
    .sort();
  const hashes = {};
  for (const file of files) {
    hashes[file] = createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex');
  }
  return hashes;
}
