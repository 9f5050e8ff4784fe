"""The sample generator at benchmark scale (issue #2: 1,000,000 invoices in under 2 minutes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tieout.bench.harness import Benchmark


def setup(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    return {"out": scratch / "data", **params}


def run(state: dict[str, Any]) -> dict[str, float]:
    from tieout.sample_data.generate import generate

    shutil.rmtree(state["out"], ignore_errors=True)
    generate(seed=1, invoices=state["invoices_per_month"], out=str(state["out"]))
    counts = json.loads((state["out"] / "manifest.json").read_text())["files"]
    invoices = counts["stripe/invoice.jsonl.gz"]
    return {"invoices": invoices, "size_mb": sum(f.stat().st_size for f in state["out"].rglob("*")) / 2**20}


BENCHMARKS = [
    Benchmark("generate_1m_invoices", "< 120 s for 1,000,000 invoices", setup, run,
              params={"invoices_per_month": 500_000}, repeat=3),
]
