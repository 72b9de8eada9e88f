#!/usr/bin/env bash
# Runs the TypeScript client's tests: the unit tests (every vector in
# docs/vectors, the worked examples of docs/encoding.md) and the integration
# test against a devnet started from $YUI_BIN_DIR (default
# ${CARGO_TARGET_DIR:-target}/debug). Installs Node.js and npm with apt if
# missing, runs `npm ci` when node_modules is missing or the lock changed, builds
# with tsc, and prints a one-line summary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
export YUI_BIN_DIR="${YUI_BIN_DIR:-$target/debug}"
start=$(date +%s)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing Debian packages: nodejs npm"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi

cd "$here"
# Reinstall only when node_modules is missing or the lock changed since the last install.
stamp="node_modules/.yui-lock-sha256"
sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  npm ci --silent --no-audit --no-fund >/dev/null
  echo "$sum" > "$stamp"
fi
npm run --silent build

tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
set +e
# Dots (and the failures in full) on the terminal, TAP into a file for the totals.
node --test --test-reporter=dot --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" dist/test/
rc=$?
set -e
count() { grep -E "^# $1 [0-9]+" "$tap" | tail -1 | awk '{print $3}'; }
result="$(count pass) passed, $(count fail) failed"
echo "typescript client: tests $result ($(( $(date +%s) - start )) s, exit $rc)"
exit "$rc"
