#!/usr/bin/env bash
# Runs the Python client's tests: the unit tests (every vector in docs/vectors,
# the stubs against proto/) and the integration test against a devnet started
# from $YUI_BIN_DIR (default ${CARGO_TARGET_DIR:-target}/debug). Creates or
# reuses a venv at ${YUI_PY_VENV:-/var/tmp/yui-py-venv}.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${YUI_PY_VENV:-/var/tmp/yui-py-venv}"
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
export YUI_BIN_DIR="${YUI_BIN_DIR:-$target/debug}"
export PYTHONDONTWRITEBYTECODE=1
start=$(date +%s)

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
fi
# Reinstall the package only when its sources changed.
stamp="$venv/.yui-client-stamp"
sum="$(cd "$here" && find pyproject.toml yui_client -type f -not -path '*/__pycache__/*' -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check "$here[test]"
  rm -rf "$here/build" "$here"/*.egg-info
  echo "$sum" > "$stamp"
fi

cd "$here"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# The `pytest` script (not `python -m pytest`) so that the installed package is tested.
"$venv/bin/pytest" -q -p no:cacheprovider tests 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
result="$(grep -E '^(=+ )?[0-9]+ (passed|failed)|^(=+ )?.*(passed|failed|error).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' | sed 's/^ *//;s/ *$//')"
echo "python client: ${result:-no result} ($(( $(date +%s) - start )) s, exit $rc)"
exit "$rc"
