#!/usr/bin/env bash
# Quick start: install what a fresh machine lacks and build (scripts/setup.sh), then run the demo:
# apply the Drizzle migrations with their generated rollbacks, preview and execute one, list schema_versions.
# Uses DATABASE_URL when set, else an embedded PostgreSQL (PGlite) in packages/backend/database-schema/.pglite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec pnpm demo "$@"
