"""Finding and loading JSON Schemas: the core's under ``schemas/``, each plugin's in its package."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any


def _schema_dir() -> Path:
    packaged = Path(__file__).parent / "_schemas"  # in a built wheel
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"  # an editable checkout


@cache
def core_schema(name: str) -> dict[str, Any]:
    """The core schema ``schemas/<name>.schema.json`` (tenant, mapping, ...)."""
    path = _schema_dir() / f"{name}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def package_schema(package: str, filename: str = "connector.schema.json") -> dict[str, Any]:
    """A schema shipped inside a plugin package, e.g. ``package_schema("leadloop_salesforce")``."""
    return json.loads(files(package).joinpath(filename).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
