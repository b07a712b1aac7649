import type { Config } from 'drizzle-kit';

// A plain object (type-only import) so the CLI can load this file without loading drizzle-kit.
export default {
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './src/migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? '',
  },
} satisfies Config;
