"""Loading plugins from the ``leadloop`` entry-point group.

``LEADLOOP_PLUGINS`` (comma-separated entry-point names) loads only those; ``LEADLOOP_DISABLE_PLUGINS``
blocks the names it lists; ``LEADLOOP_PLUGIN_MODULES`` (comma-separated module paths) loads modules
as plugins without installing them, for trying a plugin out and for test fixtures. The core's defaults (entry point ``core``) always load: they are the
answers of last resort, not an opinion a tenant can switch off.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .connectors import ConnectorRegistry, ConnectorType
from .errors import PluginError

GROUP = "leadloop"
CORE = "core"
BUILTIN = frozenset({CORE, "salesforce", "dynamics", "hubspot", "csv_sftp"})
"""Entry points shipped with leadloop. They register before installed plugins so that, pluggy
calling the latest registered first, an installed plugin's answer wins over a built-in one."""


@dataclass(frozen=True)
class LoadedPlugin:
    name: str
    module: str
    distribution: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]


class Plugins:
    """The loaded plugins: the pluggy hook caller plus the connector types they registered."""

    def __init__(self, pm: pluggy.PluginManager, loaded: list[LoadedPlugin]) -> None:
        self.pm = pm
        self.hook: Any = pm.hook
        self.loaded = loaded
        self.connectors = ConnectorRegistry()
        for impl in pm.hook.leadloop_register_connectors.get_hookimpls():
            plugin_name = pm.get_name(impl.plugin) or "?"
            impl.function(register=lambda ct, _p=plugin_name: self._register(ct, _p))

    def _register(self, connector_type: ConnectorType, plugin: str) -> None:
        if not isinstance(connector_type, ConnectorType):
            raise PluginError(
                f"plugin {plugin!r} registered {connector_type!r}, which is not a leadloop.ConnectorType"
            )
        self.connectors.register(connector_type, plugin)

    def describe(self) -> list[dict[str, Any]]:
        """JSON-ready description of every loaded plugin and the connector types it offers."""
        out = []
        for p in self.loaded:
            out.append(
                {
                    "name": p.name,
                    "module": p.module,
                    "distribution": p.distribution,
                    "version": p.version,
                    "builtin": p.builtin,
                    "hooks": list(p.hooks),
                    "connectors": [c.describe() for c in self.connectors if c.plugin == p.name],
                }
            )
        return out


def _names(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def load(extra: list[tuple[str, ModuleType | object]] | None = None) -> Plugins:
    """Load every allowed plugin, check its hooks against the specs, and return them.

    ``extra`` registers plugin objects directly (tests and embedding use it); they rank like
    installed plugins. Raises :class:`PluginError` naming the plugin when one fails to import or
    implements a hook leadloop does not define.
    """
    allowed = _names("LEADLOOP_PLUGINS")
    blocked = _names("LEADLOOP_DISABLE_PLUGINS") or set()
    if CORE in blocked:
        raise PluginError("LEADLOOP_DISABLE_PLUGINS names 'core': the core's defaults cannot be disabled")

    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    eps = sorted(entry_points(group=GROUP), key=lambda ep: (ep.name not in BUILTIN, ep.name))
    seen: set[str] = set()
    loaded: list[LoadedPlugin] = []
    for ep in eps:
        if ep.name in seen:
            raise PluginError(
                f"two installed distributions both provide the leadloop plugin {ep.name!r}; "
                "uninstall one of them"
            )
        seen.add(ep.name)
        if ep.name != CORE and (ep.name in blocked or (allowed is not None and ep.name not in allowed)):
            continue
        module = _load_entry_point(ep)
        _register(pm, ep.name, module)
        dist = ep.dist
        loaded.append(
            LoadedPlugin(
                name=ep.name,
                module=ep.value,
                distribution=dist.metadata["Name"] if dist else "?",
                version=dist.version if dist else "?",
                builtin=ep.name in BUILTIN,
                hooks=_hooks_of(pm, module),
            )
        )
    if CORE not in seen:
        raise PluginError(
            "the 'core' entry point of the leadloop distribution is missing: reinstall leadloop"
        )
    modules = _names("LEADLOOP_PLUGIN_MODULES") or set()
    extra = [(m, _import_module(m)) for m in sorted(modules)] + list(extra or [])
    for name, obj in extra:
        _register(pm, name, obj)
        loaded.append(LoadedPlugin(name, repr(obj), "", "", False, _hooks_of(pm, obj)))
    _check(pm)
    return Plugins(pm, loaded)


def _load_entry_point(ep: EntryPoint) -> Any:
    try:
        return ep.load()
    except Exception as exc:
        raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}") from exc


def _import_module(path: str) -> ModuleType:
    try:
        return importlib.import_module(path)
    except ImportError as exc:
        raise PluginError(f"LEADLOOP_PLUGIN_MODULES names {path!r}, which cannot be imported: {exc}") from exc


def _register(pm: pluggy.PluginManager, name: str, obj: object) -> None:
    try:
        pm.register(obj, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc


def _hooks_of(pm: pluggy.PluginManager, obj: object) -> tuple[str, ...]:
    callers = pm.get_hookcallers(obj) or []
    return tuple(sorted(c.name for c in callers))


def _check(pm: pluggy.PluginManager) -> None:
    """Fail on hook implementations that match no spec (a typo would otherwise be ignored)."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginError(
            f"plugin {name!r} implements a hook leadloop does not define: {exc}. "
            f"Known hooks: {', '.join(sorted(n for n in dir(hookspecs) if n.startswith('leadloop_')))}"
        ) from exc
