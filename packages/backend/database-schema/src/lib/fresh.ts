// Imported first by every CLI entry point: a compiled CLI (dist/) whose sources changed since `pnpm build`
// stops here with a clear message instead of running old code. Run from src/ (tsx, tests) there is nothing to check.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_INFO, sourceHashes } from '../../scripts/sources.mjs';

/** Why `packageDir/dist` does not match the sources, or undefined when it does. */
export function staleReason(packageDir: string): string | undefined {
  if (!fs.existsSync(path.join(packageDir, 'src'))) return undefined;
  let recorded: Record<string, string>;
  try {
    recorded = (JSON.parse(fs.readFileSync(path.join(packageDir, 'dist', BUILD_INFO), 'utf8')) as { sources: Record<string, string> })
      .sources;
  } catch {
    return `dist/${BUILD_INFO} is missing or unreadable`;
  }
  const current = sourceHashes(packageDir);
  const changed = [...new Set([...Object.keys(recorded), ...Object.keys(current)])]
    .filter((file) => recorded[file] !== current[file])
    .sort();
  if (changed.length === 0) return undefined;
  const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, ... (${changed.length} files)` : '');
  return `changed since it was built: ${shown}`;
}

const file = fileURLToPath(import.meta.url);
if (file.endsWith('.js')) {
  const packageDir = path.resolve(path.dirname(file), '../..');
  const reason = staleReason(packageDir);
  if (reason !== undefined) {
    const message =
      `The compiled CLI in ${path.join(packageDir, 'dist')} is out of date (${reason}). ` +
      'Rebuild it: `pnpm build` at the repository root (or `pnpm --filter @wishlist/database-schema build`).';
    if (process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'DIST_STALE', message } }, null, 2)}\n`);
    }
    process.stderr.write(`✗ ${message}\n`);
    process.exit(1);
  }
}
