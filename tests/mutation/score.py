"""Mutation score of the core modules, with cosmic-ray (a development tool, not part of the test suite).

    pip install -e '.[test,mutation]'
    python tests/mutation/score.py                       # every module in MODULES
    python tests/mutation/score.py reconcile/engine.py   # one or more of them
    python tests/mutation/score.py --sample 40 ...       # a seeded random 40 mutants per module

Each mutant is a small deliberate bug (``<`` for ``<=``, ``-`` for ``+``, a
condition negated, a constant moved by one, ...) planted in one module; the
module's tests below run against it and should fail ("kill" it).  A mutant
no test kills is printed with its diff: kill it with a test, or, when it
cannot change behaviour (an equivalent mutant), mark the line with
``# pragma: no mutate`` and say why in a comment.

cosmic-ray edits the module in place, one mutant at a time, restoring it
after each; the script refuses a module with uncommitted changes and checks
it out again at the end, so an interrupted run leaves nothing behind.  The
operator set mirrors mutmut's (one replacement per operator) rather than
cosmic-ray's full cross product, which would be ten times the run time on a
small machine with few extra kills.  Results go to ``.mutation/`` (git-ignored).

A mutant costs one test run (seconds to a minute on a busy 2-core machine),
so ``--sample N`` tests a seeded random N of each module's mutants and
reports the kill rate of that sample; the same N gives the same sample.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / ".mutation"
TIMEOUT_SECONDS = 120

# module -> the tests that exercise it (a restricted selection: each runs once per mutant)
MODULES: dict[str, list[str]] = {
    "storage/money.py": ["tests/storage/test_money.py"],
    "storage/audit.py": ["tests/storage/test_audit.py"],
    "storage/ingest.py": ["tests/storage/test_ingest.py", "tests/storage/test_ingest_rows.py",
                          "tests/storage/test_payload_hash.py"],
    "reconcile/engine.py": ["tests/reconcile/test_boundaries.py", "tests/reconcile/test_properties.py",
                            "tests/reconcile/test_engine.py"],
    "reconcile/breaks.py": ["tests/reconcile/test_boundaries.py", "tests/reconcile/test_properties.py",
                            "tests/reconcile/test_engine.py"],
    "reconcile/rules/__init__.py": ["tests/reconcile/test_rules.py", "tests/reconcile/test_boundaries.py"],
}

_KEPT_BINARY = "Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv|Pow_Mul|BitOr_BitAnd|BitAnd_BitOr|" \
               "BitXor_BitAnd|LShift_RShift|RShift_LShift"
_KEPT_COMPARISON = "Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is"
EXCLUDED_OPERATORS = [
    rf"core/ReplaceBinaryOperator_(?!({_KEPT_BINARY})$).*",
    rf"core/ReplaceComparisonOperator_(?!({_KEPT_COMPARISON})$).*",
    r"core/ReplaceUnaryOperator_(?!Delete_).*",  # keep only "drop the unary operator"
    r"core/Variable(Replacer|Inserter)",  # random rewiring of names: mostly crashes, slow to triage
]


def _config(module: str, tests: list[str]) -> str:
    # the snapshot plugins load Textual (a second of import per mutant) and these tests take no snapshots
    command = (f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:textual-snapshot -p no:syrupy "
               f"--no-header {' '.join(tests)}")
    excluded = ", ".join(f"'{r}'" for r in EXCLUDED_OPERATORS)
    return (f'[cosmic-ray]\nmodule-path = "{module}"\ntimeout = {TIMEOUT_SECONDS}\nexcluded-modules = []\n'
            f'test-command = "{command}"\n\n[cosmic-ray.distributor]\nname = "local"\n\n'
            f"[cosmic-ray.filters.operators-filter]\nexclude-operators = [{excluded}]\n")


def _run(*args: str) -> None:
    subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def _sample(session: Path, size: int, seed: str) -> int:
    """Mark all but a seeded random ``size`` of the pending mutants as skipped; returns how many were pending."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(str(session), WorkDB.Mode.open) as db:
        pending = sorted(item.job_id for item in db.pending_work_items)
        keep = set(random.Random(seed).sample(pending, min(size, len(pending))))
        for job_id in pending:
            if job_id not in keep:
                db.set_result(job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
    return len(pending)


def score(module: str, sample: int | None = None) -> tuple[int, int, int, int, list[str]]:
    """(killed, survived, incompetent, mutants in all, survivor diffs) of one module."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    if subprocess.run(["git", "diff", "--quiet", "--", module], cwd=REPO).returncode:
        raise SystemExit(f"{module}: has uncommitted changes; commit or stash them first (mutants edit it in place)")
    OUT.mkdir(exist_ok=True)
    stem = module.replace("/", "_").removesuffix(".py")
    config, session = OUT / f"{stem}.toml", OUT / f"{stem}.sqlite"
    config.write_text(_config(module, MODULES[module]), encoding="utf-8")
    session.unlink(missing_ok=True)
    bin_dir = Path(sys.executable).parent
    try:
        _run(str(bin_dir / "cosmic-ray"), "init", str(config), str(session))
        _run(str(bin_dir / "cr-filter-operators"), str(session), str(config))
        _run(str(bin_dir / "cr-filter-pragma"), str(session))
        with use_db(str(session), WorkDB.Mode.open) as db:
            total = sum(1 for _ in db.pending_work_items)
        if sample is not None:
            _sample(session, sample, seed=module)
        _run(str(bin_dir / "cosmic-ray"), "exec", str(config), str(session))
    finally:
        subprocess.run(["git", "checkout", "--", module], cwd=REPO, check=True)
    killed = survived = incompetent = 0
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for _, result in db.completed_work_items:
            if result.test_outcome == TestOutcome.KILLED:
                killed += 1
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                incompetent += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                survived += 1
                survivors.append(result.diff)
    return killed, survived, incompetent, total, survivors


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to mutate (default: all of {', '.join(MODULES)})")
    parser.add_argument("--sample", type=int, help="test a seeded random N mutants per module")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        raise SystemExit(f"not configured: {', '.join(unknown)} (known: {', '.join(MODULES)})")
    lines = []
    for module in modules:
        killed, survived, incompetent, total, survivors = score(module, args.sample)
        tested = killed + survived
        rate = 100.0 * killed / tested if tested else 100.0
        line = (f"{module}: {rate:.1f}% killed ({killed} of {tested}; {incompetent} incompetent; "
                f"{total} mutants{', sampled' if args.sample is not None and args.sample < total else ''})")
        print(line, flush=True)
        lines.append(line)
        for diff in survivors:
            print("  survived:\n    " + "\n    ".join(diff.splitlines()[2:]), flush=True)
    print("\n".join(["", *lines]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
