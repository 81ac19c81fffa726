"""Where leadloop keeps its files: ``LEADLOOP_HOME`` (default ``~/.leadloop``)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    path = Path(os.environ.get("LEADLOOP_HOME") or Path.home() / ".leadloop").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path
