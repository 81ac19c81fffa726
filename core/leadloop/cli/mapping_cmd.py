"""``leadloop mapping check TENANT CONNECTOR``: a connector's mappings against the source's own field
metadata, so that a wrong field name or status value shows up before go-live, not as a refused
record in every run.

The metadata comes from the connector's optional ``describe(object_type)``, which answers
``{"name": <source object>, "fields": {<field>: {"type", "length", "updateable", "createable",
"picklist"}}}`` (``length`` is ``None`` where it does not apply; ``picklist`` lists a picklist's
active values and is ``None`` for other types). For every object the connector syncs it reports:

* error: a mapped source field the object does not have;
* error: a field written back (direction out or both, on an object the connector type writes) that
  the source does not let the connector update;
* error: a status_map or value_map value written to a picklist that is not one of its active values;
* warning: a hub value with no translation that such a picklist would refuse, and a picklist value
  with no canonical status (records carrying it are rejected on pull);
* warning: a written text field shorter than what the hub may send: the longest value of a fixed
  set (statuses, stages), else the longest value the hub holds for the field.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError
from .app import App
from .output import json_option

if TYPE_CHECKING:
    from ..mapping import MappedField
    from ..store.tenant import ConnectorRecord

_TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "encryptedstring"})
Values = list[tuple[str, str, str | None]]
"""A fixed set of hub values: (hub value, value written to the source, what translates it or None)."""


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    object: str
    field: str
    reason: str


@click.group("mapping")
def mapping_group() -> None:
    """Field mappings: check them against the source."""


@mapping_group.command("check")
@click.argument("tenant_id", metavar="TENANT")
@click.argument("name", metavar="CONNECTOR")
@json_option
@click.pass_obj
def mapping_check(app: App, tenant_id: str, name: str, as_json: bool) -> None:
    """Check CONNECTOR's mappings against the source's field metadata (one describe call per object).

    Exits 1 when it finds an error; warnings alone exit 0.
    """
    findings = check_mappings(app, tenant_id, name)
    where = f"tenant {tenant_id!r}, connector {name!r}"
    if as_json:
        rows = [{"tenant": tenant_id, "connector": name, **asdict(f)} for f in findings]
        click.echo(json.dumps(rows, indent=2))
    else:
        for f in findings:
            click.echo(f"{f.level}: {where}, {f.object} field {f.field}: {f.reason}")
        errors = sum(f.level == "error" for f in findings)
        warnings = len(findings) - errors
        click.echo(f"{where}: {errors} error(s), {warnings} warning(s)" if findings
                   else f"{where}: the mappings match")
    if any(f.level == "error" for f in findings):
        sys.exit(1)


def check_mappings(app: App, tenant: str, name: str) -> list[Finding]:
    """Every finding for the objects connector ``name`` of ``tenant`` syncs, in mapping order."""
    from ..connectors import ConnectorContext
    from ..mapping import compile_mapping
    from ..source import Runtime
    from ..sync.credentials import StoredCredentials

    record = app.store.tenant(tenant).get_connector(name)
    if record is None:
        raise ConfigError(f"tenant {tenant!r} has no connector {name!r} "
                          f"(leadloop connectors list --tenant {tenant})")
    ctype = app.plugins.connectors.get(record.type)
    credentials = StoredCredentials(app.store, app.box, tenant, name)
    context = ConnectorContext(tenant=tenant, name=name, type=record.type, settings=record.settings,
                               uniqueness=record.uniqueness, status_map=record.status_map,
                               secrets=credentials.get())
    runtime = Runtime(context=context, credentials=credentials, hook=app.plugins.hook, store=app.store)
    connector = ctype.factory(runtime) if ctype.factory else None
    findings: list[Finding] = []
    try:
        describe = getattr(connector, "describe", None)
        if describe is None:
            raise ConfigError(f"connector type {ctype.name!r} offers no describe(), so connector {name!r} of "
                              f"tenant {tenant!r} cannot be checked against its source")
        for object_type in record.settings.get("objects") or ["lead"]:
            document = record.mapping.get(object_type) or ctype.default_mappings.get(object_type)
            if document is None:
                reason = f"no mapping: add mappings.{object_type} to the tenant file"
                findings.append(Finding("error", object_type, "-", reason))
                continue
            mapping = compile_mapping(document, file=f"{tenant}/{name}/mappings.{object_type}")
            check = _ObjectCheck(app, tenant, record, object_type, object_type in ctype.writes,
                                 describe(object_type))
            for entry, mapped in zip(document["fields"], mapping.fields, strict=True):
                findings.extend(check.field(entry, mapped))
    finally:
        close = getattr(connector, "close", None)
        if close is not None:
            close()
    return findings


class _ObjectCheck:
    """One object's mapping fields against its describe."""

    def __init__(self, app: App, tenant: str, record: ConnectorRecord, object_type: str, writes: bool,
                 described: Mapping[str, Any]) -> None:
        self.app = app
        self.tenant = tenant
        self.record = record
        self.object_type = object_type
        self.writes = writes
        self.source = described["name"]
        self.fields = {n.casefold(): (n, info) for n, info in described["fields"].items()}

    def field(self, entry: Mapping[str, Any], mapped: MappedField) -> Iterator[Finding]:
        if not mapped.sources:
            return
        written = self.writes and mapped.direction != "in"
        # Writes go to the first source name; reads take the first one present.
        candidates = mapped.sources[:1] if written else mapped.sources
        found = next((self.fields[s.casefold()] for s in candidates if s.casefold() in self.fields), None)
        if found is None:
            missing, core = mapped.sources[0], mapped.core
            yield self._finding("error", missing, f"{self.source} has no field {missing} (mapped to {core}): "
                                f"add it to the org or map {core} to a field it has")
            return
        name, info = found
        if written and not info["updateable"]:
            yield self._finding("error", name, f"{self.source}.{name} is not updateable, but {mapped.core} "
                                "is written back to it: make the mapping direction 'in'")
            return
        values = self._values(entry, mapped.core)
        if info["picklist"] is not None and values is not None:
            if written:
                yield from self._written_values(name, info["picklist"], values)
            if mapped.direction != "out" and mapped.core in _status_kinds():
                yield from self._read_values(name, mapped.core, info["picklist"])
        if written and info["length"] and info["type"] in _TEXT_TYPES:
            needed, what = self._needed_length(mapped.core, values)
            if needed and needed > info["length"]:
                yield self._finding("warning", name, f"{self.source}.{name} holds {info['length']} "
                                    f"characters, but {what} up to {needed}: longer values will be refused")

    def _finding(self, level: str, field: str, reason: str) -> Finding:
        return Finding(level, self.object_type, field, reason)

    def _values(self, entry: Mapping[str, Any], core: str) -> Values | None:
        """The hub values a field of a fixed set takes, as written; ``None`` for free values."""
        from ..mapping.coretypes import core_type

        kind = _status_kinds().get(core)
        if kind is not None:
            table = self.record.status_map.get(kind, {})
            return [(c, table.get(c, c), f"status_map.{kind}" if c in table else None)
                    for c in _canonical(kind)]
        try:
            enum_table = core_type(self.object_type, core).enum_table
        except KeyError:
            return None
        if enum_table is None:
            return None
        steps = entry.get("transforms") or ()
        maps = [entry.get("value_map") or {}]
        maps += [t["value_map"] for t in steps if isinstance(t, dict) and "value_map" in t]
        reverse: dict[str, str] = {}
        for table in maps:
            for source_value, core_value in table.items():
                reverse.setdefault(str(core_value), str(source_value))
        return [(c, reverse.get(c, c), "value_map" if c in reverse else None)
                for c in dict.fromkeys(enum_table.values())]

    def _written_values(self, name: str, picklist: list[str], values: Values) -> Iterator[Finding]:
        shown = f"{self.source}.{name} (active: {', '.join(picklist)})"
        for hub_value, written, via in values:
            if written in picklist:
                continue
            if via is not None:
                yield self._finding("error", name, f"{via}: {hub_value!r} -> {written!r} is not an active "
                                    f"value of {shown}")
            else:
                yield self._finding("warning", name, f"{hub_value!r} has no translation and is not an active "
                                    f"value of {shown}: a record with it would be refused")

    def _read_values(self, name: str, core: str, picklist: list[str]) -> Iterator[Finding]:
        kind = _status_kinds()[core]
        translated = set(self.record.status_map.get(kind, {}).values()) | set(_canonical(kind))
        for value in picklist:
            if value not in translated:
                yield self._finding("warning", name, f"{self.source}.{name} value {value!r} is no {kind} "
                                    "status: records with it are rejected on pull; add it to "
                                    f"status_map.{kind}")

    def _needed_length(self, core: str, values: Values | None) -> tuple[int | None, str]:
        if values is not None:
            return max(len(written) for _, written, _ in values), f"{core} can be"
        return self._longest_stored(core), f"the hub holds {core} values"

    def _longest_stored(self, core: str) -> int | None:
        """The longest value the hub holds for ``core`` on this connector's records (``None``: none)."""
        from sqlalchemy import String, Text, func, select

        from ..store.leads import LEAD_COLUMNS
        from ..sync.records import TABLES

        table = TABLES.get(self.object_type)
        if table is None:
            return None
        is_lead = self.object_type == "lead"
        if core.startswith("custom."):
            expr = (table.c.custom if is_lead else table.c.data)[core.removeprefix("custom.")].as_string()
        else:
            expr = table.c.get(LEAD_COLUMNS.get(core, "") if is_lead else core.replace(".", "_"))
            if expr is None or not isinstance(expr.type, (String, Text)):
                return None
        query = select(func.max(func.length(expr))).where(table.c.tenant_id == self.tenant,
                                                          table.c.source_connector == self.record.name)
        with self.app.store.read() as conn:
            longest: int | None = conn.execute(query).scalar()
            return longest


def _status_kinds() -> dict[str, str]:
    from ..sync.job import STATUS_KINDS

    return STATUS_KINDS


def _canonical(kind: str) -> list[str]:
    from ..model import DistributionStatus, SalesStatus

    return [s.value for s in (SalesStatus if kind == "sales" else DistributionStatus)]
