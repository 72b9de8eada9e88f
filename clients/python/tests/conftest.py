import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "docs" / "vectors"


def load_vectors(name):
    return json.loads((VECTORS / name).read_text())


@pytest.fixture(scope="session")
def repo_root():
    return REPO
