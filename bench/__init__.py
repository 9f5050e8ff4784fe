"""Benchmarks: figures to report, not pass/fail tests. Run `python -m tieout.bench --help`."""
