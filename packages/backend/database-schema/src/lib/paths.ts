import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this package (where package.json, drizzle.config.ts and .pglite/ live). */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_PGLITE_DIR = path.join(PACKAGE_DIR, '.pglite');
