from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from leadloop.cli import cli


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LEADLOOP_HOME with the embedded SQLite store and its own secret key file."""
    path = tmp_path / "home"
    monkeypatch.setenv("LEADLOOP_HOME", str(path))
    for var in ("LEADLOOP_DATABASE_URL", "LEADLOOP_SECRET_KEY", "LEADLOOP_SECRET_KEY_FILE",
                "LEADLOOP_PLUGINS", "LEADLOOP_DISABLE_PLUGINS", "LEADLOOP_PLUGIN_MODULES"):
        monkeypatch.delenv(var, raising=False)
    return path


@pytest.fixture
def run(home: Path) -> Callable[..., Result]:
    """Invoke the CLI in-process, as `leadloop ARGS...`."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke
