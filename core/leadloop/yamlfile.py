"""Reading YAML with the line of every value, so that errors point at the line to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, Problem

Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    """``("connectors", "sf", "settings", "client_id")`` -> ``connectors.sf.settings.client_id``;
    list indices as ``fields[3]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse ``path``; return the data and a map from each value's path to its 1-based line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", [Problem(str(path), "", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"cannot be read: {exc}"
        raise ConfigError(f"{path}: {reason}", [Problem(str(path), "", reason)]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path} is not valid YAML", [Problem(str(path), "", f"YAML syntax: {reason}", line)]
        ) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _walk(value, (*path, key.value), lines)
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of ``path`` or of its nearest ancestor present in the file."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
