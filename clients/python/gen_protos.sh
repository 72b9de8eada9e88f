#!/usr/bin/env bash
# Regenerates the gRPC stubs of proto/yui/v1/*.proto into yui_client/_pb
# (or into the directory given as the first argument, which the drift test
# uses). Needs grpcio-tools at the version pinned below, so that the output
# is the same byte for byte on every machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$here/yui_client/_pb}"
python="${PYTHON:-python3}"
want="1.85.1"
have="$("$python" -c 'import importlib.metadata as m; print(m.version("grpcio-tools"))')"
if [ "$have" != "$want" ]; then
  echo "gen_protos.sh: grpcio-tools $want is needed, found $have (pip install grpcio-tools==$want)" >&2
  exit 1
fi
rm -rf "$out/yui"
mkdir -p "$out"
"$python" -m grpc_tools.protoc -I "$repo/proto" \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  "$repo"/proto/yui/v1/*.proto
# The stubs import each other as top-level `yui.v1`; make them package-relative.
for f in "$out"/yui/v1/*.py "$out"/yui/v1/*.pyi; do
  sed -i -e 's/^from yui\.v1 import /from yui_client._pb.yui.v1 import /' "$f"
done
touch "$out/__init__.py" "$out/yui/__init__.py" "$out/yui/v1/__init__.py"
