import gzip
import json
from pathlib import Path

import pytest

from tieout.sample_data.generate import generate

SEED = 7
N = 300


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "month"
    generate(SEED, N, str(out))
    return out


def load(out: Path, name: str) -> list[dict]:
    with gzip.open(out / f"{name}.jsonl.gz", "rb") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def data(dataset):
    m = json.loads((dataset / "manifest.json").read_text())
    d = {name[: -len(".jsonl.gz")]: load(dataset, name[: -len(".jsonl.gz")]) for name in m["files"]}
    d["_key"] = json.loads((dataset / "answer_key.json").read_text())
    d["_manifest"] = m
    return d
