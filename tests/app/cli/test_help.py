"""Every command's --help: click's conventions (metavars, no Python types) and help text shown as written."""

from __future__ import annotations

import re
from functools import cache

import typer
from typer.testing import CliRunner

from tieout.app.cli import cli


def _commands(command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(cli)))


@cache
def _help(path: tuple[str, ...]) -> str:
    out = CliRunner().invoke(cli, [*path, "--help"], env={"COLUMNS": "250", "TERMINAL_WIDTH": "250"})
    assert out.exit_code == 0, out.output
    return out.stdout


def _written(command) -> list[str]:  # type: ignore[no-untyped-def]
    """Help text as the code spells it (before any rendering), command and parameters."""
    texts = [command.help or ""] + [p.help or "" for p in command.params if getattr(p, "help", None)]
    return [" ".join(t.split()) for t in texts]


def test_every_help_uses_metavars_and_shows_its_text_as_written() -> None:
    """No Python types (`<bool>`, `<list[str]>`), and no `[word]` of the help text eaten as Rich markup."""
    for path, command in COMMANDS:
        text = _help(path)
        assert not re.search(r"<(bool|str|int|path|dir|file|list\[[^>]*)>", text), text
        shown = " ".join(text.replace("│", " ").split())
        for written in _written(command):
            for bracketed in re.findall(r"\[[^\]\s]+\]", written):
                assert bracketed in shown, (path, bracketed, written)


def test_rules_help_keeps_the_workspace_section_name() -> None:
    assert "default, or [workspace] ruleset in tieout.toml" in _help(("rules",))


def test_boolean_switches_read_as_on_and_off() -> None:
    demo = _help(("demo",))
    assert re.search(r"--headless\s+--no-headless", demo), demo
    assert re.search(r"--help\s+Show this message", demo)
    assert re.search(r"--format\s+-f\s+\[table\|json\|csv\|parquet\]", _help(("breaks",)))
    assert re.search(r"--out\s+-o\s+FILE", _help(("breaks",)))
