import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
/** Root of this package (where package.json, drizzle.config.ts and .pglite/ live); the same from src/ and dist/. */
export const PACKAGE_DIR = path.resolve(path.dirname(here), '../..');
export const DEFAULT_PGLITE_DIR = path.join(PACKAGE_DIR, '.pglite');
export const DRIZZLE_CONFIG = path.join(PACKAGE_DIR, 'drizzle.config.ts');
/** What the CLI imports for it: plain node cannot import .ts, so the compiled CLI uses the copy built beside it. */
export const DRIZZLE_CONFIG_MODULE = here.endsWith('.js') ? path.join(PACKAGE_DIR, 'dist', 'drizzle.config.js') : DRIZZLE_CONFIG;
