"""The committed gRPC stubs are what gen_protos.sh makes of proto/yui/v1 today."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def test_committed_stubs_match_the_proto_files(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable)
    subprocess.run([str(HERE / "gen_protos.sh"), str(tmp_path)], check=True, env=env)
    committed = HERE / "yui_client" / "_pb"
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    kept = sorted(p.relative_to(committed) for p in committed.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)
    assert fresh == kept, "stub files differ: run clients/python/gen_protos.sh"
    stale = [str(p) for p in fresh if (tmp_path / p).read_bytes() != (committed / p).read_bytes()]
    assert not stale, f"stale stubs {stale}: run clients/python/gen_protos.sh"
