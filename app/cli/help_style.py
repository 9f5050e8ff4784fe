"""`--help` in click's conventions, for every command, however it was declared.

typer (0.29) prints a Python type beside every parameter: ``--headless
<bool>``, ``names... <list[str]>``, even ``--help <bool>``.  click's
convention is a metavar for an option that takes a value (``--out FILE``,
``--format [table|json]``) and nothing for a flag.  And help text is read as
Rich markup, so ``[workspace]`` in a help string vanished.

:func:`conventional` walks the built command tree once, at startup, so new
commands follow the convention without each remembering to.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from typer.core import TyperArgument, TyperOption

_BARE_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT"}


class _Option(TyperOption):
    def display_type_rich(self, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        if self.is_flag or self.count:
            return None
        label = self.display_type(ctx)[1:-1]
        if self.type_descriptor.is_choice:
            return "[" + label.removeprefix("list[").removesuffix("]") + "]"
        if self.multiple or self.type_descriptor.is_list:
            return (self.name or "value").upper()
        return _BARE_TYPES.get(label, label.upper())


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        """Choices only: the name column already shows the argument's metavar."""
        if self.type_descriptor.is_choice:
            return "[" + self.display_type(ctx)[1:-1] + "]"
        return None


def conventional(command: Any) -> None:
    """Give ``command`` and its subcommands click-style metavars, and help text shown as written."""
    help_option = command.get_help_option(command.context_class(command, **command.context_settings))
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
        if getattr(param, "help", None):
            param.help = escape(param.help)
    for attr in ("help", "short_help", "epilog"):
        if getattr(command, attr, None):
            setattr(command, attr, escape(getattr(command, attr)))
    for sub in getattr(command, "commands", {}).values():
        conventional(sub)
