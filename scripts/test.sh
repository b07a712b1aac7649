#!/usr/bin/env bash
# The whole test suite: setup, then the Rust workspace (unit, case tables, round trips and the DB
# layer on throwaway PostgreSQL 15 clusters, or on DATABASE_URL when set), the capture and snapshot
# round trips on PostgreSQL 14, 16, 17 and 18, the addon's Node tests and every workspace package's tests. Runs all of them, then exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The root package's "test" script is this file; never let a recursive pnpm run re-enter it.
if [ -n "${PG_ROLLBACK_TEST_SH:-}" ]; then
  echo "test.sh: already running (recursive invocation), skipping" >&2
  exit 0
fi
export PG_ROLLBACK_TEST_SH=1

if ! bash scripts/setup.sh; then
  echo "test.sh: setup failed" >&2
  exit 1
fi

failed=()
step() {
  local name=$1
  shift
  printf '\n==> %s: %s\n' "$name" "$*" >&2
  if "$@"; then
    printf '==> %s: ok\n' "$name" >&2
  else
    printf '==> %s: FAILED\n' "$name" >&2
    failed+=("$name")
  fi
}

# Without the addon crate (tested from Node below): it turns on the crates' "napi" feature, and their tests
# and examples must link without Node.
step rust cargo test --workspace --exclude pg-rollback

# The capture and catalog-snapshot round trips (and rollbacks.rs: executing ranges, data at risk) again on
# every other supported major (15 ran above), one throwaway cluster each, from the server binaries
# scripts/pg-versions.sh installed (setup runs it). PG_ROLLBACK_TEST_VERSIONS picks the majors ("" for none).
# Each version's suites use two threads: as many versions run at once as the machine has pairs of cores
# (PG_ROLLBACK_TEST_JOBS overrides), each into a log printed when it ends.
version_tests=(-p pg-rollback-db --test captured --test snapshot --test rollbacks --test versions)
majors=(${PG_ROLLBACK_TEST_VERSIONS-14 16 17 18})
if ((${#majors[@]})); then
  parallel=${PG_ROLLBACK_TEST_JOBS:-$(($(nproc 2>/dev/null || echo 2) / 2))}
  ((parallel >= 1)) || parallel=1
  step "rust-pg-build" cargo test --no-run "${version_tests[@]}"
  logs=$(mktemp -d)
  for major in "${majors[@]}"; do
    while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
    printf '\n==> rust-pg%s: started\n' "$major" >&2
    (
      env -u DATABASE_URL PG_ROLLBACK_TEST_PG="$major" cargo test "${version_tests[@]}" >"$logs/$major" 2>&1
      echo $? >"$logs/$major.rc"
    ) &
  done
  wait
  for major in "${majors[@]}"; do
    printf '\n==> rust-pg%s: cargo test %s\n' "$major" "${version_tests[*]}" >&2
    cat "$logs/$major" >&2
    if [ "$(cat "$logs/$major.rc" 2>/dev/null)" = 0 ]; then
      printf '==> rust-pg%s: ok\n' "$major" >&2
    else
      printf '==> rust-pg%s: FAILED\n' "$major" >&2
      failed+=("rust-pg$major")
    fi
  done
  rm -rf "$logs"
fi

shopt -s nullglob
node_tests=(__test__/*.spec.mjs __test__/*.test.mjs __test__/*.spec.js __test__/*.test.js __test__/*.spec.cjs __test__/*.test.cjs)
shopt -u nullglob
if ((${#node_tests[@]})); then
  step node node --test "${node_tests[@]}"
fi

if [ -f pnpm-workspace.yaml ]; then
  step packages pnpm -r --if-present run test
fi

echo >&2
if ((${#failed[@]})); then
  echo "test.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test.sh: all passed" >&2
