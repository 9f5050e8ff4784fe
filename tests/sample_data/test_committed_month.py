"""The committed month is exactly what the generator writes: a refactor that moves one draw fails here."""
import filecmp
import json
from pathlib import Path

from tieout.sample_data.generate import generate

MONTH = Path(__file__).resolve().parents[2] / "sample_data" / "month"


def test_generator_reproduces_the_committed_month(tmp_path):
    committed = json.loads((MONTH / "manifest.json").read_text())
    out = tmp_path / "month"
    generate(committed["seed"], committed["invoices_per_month"], str(out), gz=committed["gzip"])
    names = sorted(["manifest.json", "answer_key.json", *committed["files"]])
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == names
    match, mismatch, errors = filecmp.cmpfiles(MONTH, out, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert match == names
