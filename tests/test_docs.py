"""The README stays true: every hook and every CLI command is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import click

from leadloop import hookspecs
from leadloop.cli import cli

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_hook_is_in_the_readme_hook_table() -> None:
    hooks = {name for name in dir(hookspecs) if name.startswith("leadloop_")}
    documented = set(re.findall(r"^\| `(leadloop_\w+)\(", README, flags=re.M))
    assert documented == hooks


def test_every_hook_has_a_docstring_saying_when_it_is_called() -> None:
    for name in dir(hookspecs):
        if name.startswith("leadloop_"):
            doc = getattr(hookspecs, name).__doc__ or ""
            assert "alled" in doc, f"{name}: the docstring must say when it is called"


def _commands(group: click.Group, prefix: str = "leadloop") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    tour = "\n".join(line for line in README.splitlines() if line.startswith("leadloop "))
    missing = []
    for command in _commands(cli):
        group, _, leaf = command.rpartition(" ")
        if command not in tour and not re.search(rf"{re.escape(group)} [\w|]*\b{re.escape(leaf)}\b", tour):
            missing.append(command)
    assert missing == []
