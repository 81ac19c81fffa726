"""The core's own answers to the first-result hooks, called after every other plugin's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .connectors import ConnectorContext, UniquenessRule
from .hookspecs import Direction, hookimpl
from .model import DistributionStatus, SalesStatus

if TYPE_CHECKING:
    from .mapping import CompiledMapping


@hookimpl(trylast=True)
def leadloop_map_record(
    connector: ConnectorContext,
    object_type: str,
    record: Mapping[str, Any],
    mapping: CompiledMapping,
    direction: Direction,
) -> dict[str, Any]:
    return mapping.apply_in(record) if direction == "in" else mapping.apply_out(record)


@hookimpl(trylast=True)
def leadloop_uniqueness_key(
    connector: ConnectorContext, record: Mapping[str, Any], rule: UniquenessRule
) -> str:
    return uniqueness_key(record, rule)


def uniqueness_key(record: Mapping[str, Any], rule: UniquenessRule) -> str:
    """The key a rule gives a mapped lead; a lead without an email is always new.

    Also used directly by the import hot path when no plugin overrides the hook.
    """
    email = record.get("email")
    if rule != "none" and email:
        key = "email:" + str(email).strip().lower()
        if rule == "email+campaign":
            key += "|campaign:" + str(record.get("campaign") or "").strip().lower()
        return key
    return f"source:{record.get('source_system') or ''}:{record.get('external_id') or ''}"


def uniqueness_keys(columns: Mapping[str, Sequence[Any]], size: int, rule: UniquenessRule) -> list[str]:
    """:func:`uniqueness_key` for each of ``size`` leads held as columns (field -> values): the same
    keys, for the column-wise path of imports and pulls."""
    none: Sequence[Any] = (None,) * size
    sources = [f"source:{system or ''}:{external_id or ''}"
               for system, external_id in zip(columns.get("source_system", none), columns.get("external_id", none),
                                              strict=True)]
    if rule == "none" or "email" not in columns:
        return sources
    emails = [("email:" + str(email).strip().lower()) if email else None for email in columns["email"]]
    if rule == "email+campaign":
        campaigns = [str(c or "").strip().lower() for c in columns.get("campaign", none)]
        emails = [e if e is None else f"{e}|campaign:{c}" for e, c in zip(emails, campaigns, strict=True)]
    return [e or s for e, s in zip(emails, sources, strict=True)]


_CANONICAL_ORDER = {
    "sales": [s.value for s in SalesStatus],
    "distribution": [s.value for s in DistributionStatus],
}


@hookimpl(trylast=True)
def leadloop_translate_status(
    connector: ConnectorContext, kind: Literal["sales", "distribution"], status: str, direction: Direction
) -> str | None:
    table = connector.status_map.get(kind, {})
    if direction == "out":
        return table.get(status)
    # A source value several statuses share reads as the first of them in the canonical order, not in
    # the table's: PostgreSQL (JSONB) does not keep the key order a tenant file wrote.
    return next((c for c in _CANONICAL_ORDER[kind] if table.get(c) == status), None)
