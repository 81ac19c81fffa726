"""Connector types: what a plugin registers, and the context a connector runs in."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from .errors import PluginError

if TYPE_CHECKING:
    from .source import Runtime

UniquenessRule = Literal["none", "email", "email+campaign"]
"""How two records are told to be the same lead: never (every record new), by email, or by
email within one campaign."""

JobKind = Literal["pull", "push", "sweep"]


@dataclass(frozen=True)
class ConnectorType:
    """A kind of connector a plugin offers, registered through ``leadloop_register_connectors``.

    ``config_schema`` is the JSON Schema of the connector's ``settings`` block in a tenant file;
    ``page_size`` is the most records one pull page reads and ``batch_size`` the most records one
    write-back call carries; the sync engine uses both as given. ``default_status_map`` maps
canonical statuses to the source's values by kind (``{"sales": {"Contacted": "Working -
Contacted"}}``); a tenant's ``status_map`` overrides it entry by entry. ``default_mappings`` holds a
mapping document per core object type, used where the tenant file gives none. ``factory`` builds the runtime
    connector from a :class:`leadloop.source.Runtime` for one run (``None``: the type is registered but
    runs no jobs).
    """

    name: str
    title: str
    config_schema: Mapping[str, Any]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    jobs: tuple[JobKind, ...] = ("pull",)
    page_size: int = 1000
    batch_size: int = 1
    default_uniqueness: UniquenessRule = "none"
    default_status_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    default_mappings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    factory: Callable[[Runtime], Any] | None = None
    plugin: str = ""

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary, as ``leadloop plugins list --json`` shows it."""
        return {
            "name": self.name,
            "title": self.title,
            "plugin": self.plugin,
            "reads": list(self.reads),
            "writes": list(self.writes),
            "jobs": list(self.jobs),
            "page_size": self.page_size,
            "batch_size": self.batch_size,
            "default_uniqueness": self.default_uniqueness,
            "secrets": list(self.secrets),
        }


@dataclass(frozen=True)
class ConnectorContext:
    """One configured connector of one tenant, as hooks and connector factories receive it.

    ``secrets`` holds decrypted values; it is excluded from ``repr`` so that it never reaches a log
    line or a traceback.
    """

    tenant: str
    name: str
    type: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    uniqueness: UniquenessRule = "none"
    status_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


class ConnectorRegistry:
    """The connector types every loaded plugin registered, by name."""

    def __init__(self) -> None:
        self._types: dict[str, ConnectorType] = {}

    def register(self, connector_type: ConnectorType, plugin: str) -> None:
        existing = self._types.get(connector_type.name)
        if existing is not None:
            raise PluginError(
                f"plugin {plugin!r} registers connector type {connector_type.name!r}, "
                f"which plugin {existing.plugin!r} already registered; block one of them with "
                "LEADLOOP_DISABLE_PLUGINS"
            )
        self._types[connector_type.name] = replace(connector_type, plugin=plugin)

    def get(self, name: str) -> ConnectorType:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types)) or "none"
            raise PluginError(
                f"no plugin provides connector type {name!r} (installed types: {known})"
            ) from None

    def __iter__(self) -> Iterator[ConnectorType]:
        return iter(sorted(self._types.values(), key=lambda t: t.name))

