"""Constants for generated code, passed by name."""

from __future__ import annotations

from typing import Any


class Names:
    """Constants handed to generated code through its namespace, never spelt into its source.

    Whatever a mapping holds (value maps, defaults, separators) reaches the generated function as a
    name bound to the Python object, so no admin-written text can become code.
    """

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any, hint: str = "k") -> str:
        name = f"_{hint}{len(self.values)}"
        self.values[name] = value
        return name
