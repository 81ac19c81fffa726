"""``leadloop sandbox ...``: local stand-ins for the servers connectors talk to, in the foreground.

Each subcommand hands its arguments to the plugin's own ``main`` (which owns the options and the
``--help``), so the sandbox behaves the same from ``leadloop`` and from ``python -m``.
"""

from __future__ import annotations

import sys

import click

from .files_cmd import CSV_SFTP, plugin_module

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@click.group("sandbox")
def sandbox_group() -> None:
    """Local sandboxes (on 127.0.0.1) to try connectors against."""


@sandbox_group.command("sftp", context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox_sftp(args: tuple[str, ...]) -> None:
    """An SFTP server for the csv_sftp connector: --port N --root DIR (--help for more)."""
    sandbox = plugin_module("leadloop_csv_sftp.sandbox", CSV_SFTP)
    sys.exit(sandbox.main(list(args), prog="leadloop sandbox sftp"))


@sandbox_group.command("salesforce", context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox_salesforce(args: tuple[str, ...]) -> None:
    """A Salesforce org for the salesforce connector: --port N --leads N --seed N (--help for more)."""
    sandbox = plugin_module("leadloop_salesforce.sandbox", "leadloop-salesforce")
    sys.exit(sandbox.main(list(args), prog="leadloop sandbox salesforce"))
