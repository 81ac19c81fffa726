"""The plugin contract: every hook a leadloop plugin may implement.

A plugin is a module (or object) whose functions carry the :data:`hookimpl` marker and are named
after these specs. Plugins are found through the ``leadloop`` entry-point group; the built-in
connectors load the same way. Hooks marked *first result* stop at the first implementation that
returns something other than ``None``: return ``None`` to let the next plugin answer, which is how a
plugin overrides one concern for one connector type and leaves the rest alone. Installed plugins
are called before the built-in ones, and the core's defaults come last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import pluggy

if TYPE_CHECKING:
    from .connectors import ConnectorContext, ConnectorType, UniquenessRule
    from .mapping import CompiledMapping

hookspec = pluggy.HookspecMarker("leadloop")
hookimpl = pluggy.HookimplMarker("leadloop")

Direction = Literal["in", "out"]
"""``in``: from the source system to the hub; ``out``: from the hub back to the source."""


@hookspec
def leadloop_register_connectors(register: Callable[[ConnectorType], None]) -> None:
    """Offer connector types.

    Called once when the plugin manager loads. Call ``register(ConnectorType(...))`` for each type
    the plugin provides; its ``config_schema`` validates the ``settings`` block of tenant files.

    Example::

        @hookimpl
        def leadloop_register_connectors(register):
            register(ConnectorType(name="pipedrive", title="Pipedrive", config_schema=SCHEMA))
    """


@hookspec(firstresult=True)
def leadloop_map_record(
    connector: ConnectorContext,
    object_type: str,
    record: Mapping[str, Any],
    mapping: CompiledMapping,
    direction: Direction,
) -> dict[str, Any] | None:
    """Translate one record between a source's shape and the hub's.

    Called for every record a pull reads (``direction="in"``: source fields to core fields) and
    every change a push writes (``"out"``). The core's default applies the tenant's declarative
    ``mapping``; implement it to reshape records the mapping language cannot express, returning
    ``None`` for connectors or object types you leave alone. While no plugin implements it, a pull
    skips the hook call and maps a page of leads as columns (no dict per record), which is faster.

    Example (keep Salesforce's ``Rating`` as a lead score)::

        @hookimpl
        def leadloop_map_record(connector, object_type, record, mapping, direction):
            if connector.type != "salesforce" or direction != "in":
                return None
            out = mapping.apply_in(record)
            out["lead_score"] = {"Hot": 90, "Warm": 50}.get(record.get("Rating"), 10)
            return out
    """


@hookspec(firstresult=True)
def leadloop_refresh_credentials(
    connector: ConnectorContext, credentials: Mapping[str, str]
) -> dict[str, str] | None:
    """Exchange stored credentials for fresh ones.

    Called before a job's first API call when the access token is missing or near expiry, and
    again on a 401 mid-run. Return the new credentials (``access_token``, ``expires_at`` and, when
    the source rotates it, the new ``refresh_token``); the core persists them at once, under a lock,
    before any further call. Raise :class:`leadloop.errors.AuthError` when the source refuses the
    grant for good: the connector is paused as "needs re-authorisation".
    """


@hookspec(firstresult=True)
def leadloop_uniqueness_key(
    connector: ConnectorContext, record: Mapping[str, Any], rule: UniquenessRule
) -> str | None:
    """The key that makes two incoming records the same lead.

    Called for every lead a pull maps, with the connector's configured ``rule`` (``"none"``,
    ``"email"`` or ``"email+campaign"``). Records with equal keys update one lead; the core's
    default derives the key from the rule, and for ``"none"`` from the record's own source identity
    so that every record is a new lead.

    Example (email-only uniqueness for Salesforce, whatever the tenant file says)::

        @hookimpl
        def leadloop_uniqueness_key(connector, record, rule):
            if connector.type == "salesforce" and record.get("email"):
                return "email:" + record["email"].strip().lower()
            return None
    """


@hookspec(firstresult=True)
def leadloop_translate_status(
    connector: ConnectorContext, kind: Literal["sales", "distribution"], status: str, direction: Direction
) -> str | None:
    """Translate a status between the hub's canonical values and the source's picklist.

    Called for every distinct status value a run reads (before the mapping checks it) or writes
    back, once per value and direction: the answer is reused for the rest of the run, so it must
    depend on the connector's settings only, not on the record. ``kind`` says which status: a :class:`leadloop.model.SalesStatus` or
    :class:`leadloop.model.DistributionStatus` value. With ``direction="out"`` ``status`` is the
    canonical value and the answer the source's (e.g. ``"Contacted"`` -> ``"Working - Contacted"``);
    with ``"in"`` the reverse. The core's default reads the tenant's ``status_map`` and then the
    connector type's defaults; return ``None`` to leave a value to them.
    """
