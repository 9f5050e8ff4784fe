"""Run benchmarks and print a table of figures: `python -m tieout.bench [NAME ...] [--repeat N]`.

Each benchmark runs in a fresh subprocess so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tieout import bench
from tieout.bench.harness import Benchmark, measure


def discover() -> dict[str, Benchmark]:
    """Every Benchmark in every ``bench/bench_*.py`` module, by name."""
    found: dict[str, Benchmark] = {}
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"tieout.bench.{info.name}")
            for b in getattr(module, "BENCHMARKS", []):
                found[b.name] = b
    return found


def _child(name: str, repeat: int | None) -> None:
    with tempfile.TemporaryDirectory(prefix="tieout-bench-") as scratch:
        result = measure(discover()[name], Path(scratch), repeat)
    print("RESULT " + json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tieout.bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all); see --list")
    parser.add_argument("--repeat", type=int, help="runs per benchmark (default: each benchmark's own)")
    parser.add_argument("--list", action="store_true", help="list benchmarks and targets")
    parser.add_argument("--json", action="store_true", help="print results as JSON lines")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.repeat)
        return 0
    available = discover()
    if args.list:
        for b in available.values():
            print(f"{b.name:32} {b.target}")
        return 0
    unknown = [n for n in args.names if n not in available]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (see --list)")
    results = []
    for name in args.names or list(available):
        cmd = [sys.executable, "-m", "tieout.bench", "--child", name]
        if args.repeat:
            cmd += ["--repeat", str(args.repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(f"{name}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        results.append(json.loads(lines[-1][len("RESULT "):]))
        if args.json:
            print(lines[-1][len("RESULT "):], flush=True)
    if not args.json:
        _print_table(results)
    return 0


def _print_table(results: list[dict]) -> None:
    table = Table(title="tieout benchmarks (median of runs; peak RSS while running)")
    for col in ("benchmark", "target", "runs", "median", "peak MB", "other figures"):
        table.add_column(col)
    fixed = {"name", "target", "runs", "median_s", "min_s", "peak_mb"}
    for r in results:
        other = ", ".join(f"{k}={v:.4g}" for k, v in r.items() if k not in fixed)
        table.add_row(r["name"], r["target"], str(r["runs"]), f"{r['median_s']:.3f} s", f"{r['peak_mb']:.0f}", other)
    Console().print(table)


if __name__ == "__main__":
    raise SystemExit(main())
