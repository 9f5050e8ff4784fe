"""The README's two commands are the ones CI and newcomers run."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("python3 -m venv .venv")]


def test_readme_has_demo_and_test_commands() -> None:
    demo, tests = _commands()[:2]
    assert demo.endswith("tieout demo")
    assert "'.[test]'" in tests and tests.endswith("python -m pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci
