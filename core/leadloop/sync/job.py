"""What one running job knows: its connector, lease, run counters, mappings and stop signal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..connectors import ConnectorContext, ConnectorType
from ..default_plugin import leadloop_map_record as default_map_record
from ..default_plugin import leadloop_uniqueness_key as default_uniqueness_key
from ..default_plugin import uniqueness_key
from ..errors import ConfigError
from ..mapping import CompiledMapping, RowMapper, TupleRowMapper, compile_mapping
from ..plugins import Plugins
from ..source import Runtime
from ..store import Store
from ..store.tenant import ConnectorRecord
from .leases import Lease
from .retry import RetryPolicy
from .runs import RunStats

STATUS_KINDS = {"sales_status": "sales", "distribution_status": "distribution"}


@dataclass
class Job:
    store: Store
    plugins: Plugins
    connector: ConnectorRecord
    ctype: ConnectorType
    context: ConnectorContext
    runtime: Runtime
    lease: Lease
    run_id: int
    kind: str
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    stop: threading.Event = field(default_factory=threading.Event)
    stats: RunStats = field(default_factory=RunStats)
    progress: Callable[[RunStats], None] | None = None
    _mappings: dict[str, CompiledMapping] = field(default_factory=dict, init=False, repr=False)
    _row_mappers: dict[tuple[str, tuple[str, ...]], RowMapper] = field(default_factory=dict, init=False, repr=False)
    _tuple_mappers: dict[tuple[str, tuple[str, ...]], TupleRowMapper] = field(
        default_factory=dict, init=False, repr=False
    )
    _status_sources: dict[str, list[tuple[str, str]]] = field(default_factory=dict, init=False, repr=False)
    _statuses: dict[tuple[str, str, str], Any] = field(default_factory=dict, init=False, repr=False)
    _direct_map: bool = field(init=False, repr=False)
    _direct_key: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # When only the core's default answers a hook, call it directly: on a million-row import a
        # hook call per record costs more than the mapping itself.
        self._direct_map = _only_default(self.plugins, "leadloop_map_record", default_map_record)
        self._direct_key = _only_default(self.plugins, "leadloop_uniqueness_key", default_uniqueness_key)

    @property
    def tenant(self) -> str:
        return self.context.tenant

    @property
    def name(self) -> str:
        return self.context.name

    def mapping(self, object_type: str) -> CompiledMapping:
        """The tenant's mapping for ``object_type``, else the connector type's default; compiled once."""
        if object_type not in self._mappings:
            self._mappings[object_type] = self._compile(object_type)
        return self._mappings[object_type]

    def _compile(self, object_type: str) -> CompiledMapping:
        document = self.connector.mapping.get(object_type) or self.ctype.default_mappings.get(object_type)
        if document is None:
            raise ConfigError(
                f"connector {self.name!r} of tenant {self.tenant!r} has no mapping for {object_type!r} and "
                f"connector type {self.ctype.name!r} brings no default: add mappings.{object_type} to the tenant file"
            )
        return compile_mapping(document, file=f"{self.tenant}/{self.name}/mappings.{object_type}")

    def sync(self, object_type: str) -> dict[str, Any]:
        """The connector's sync settings for ``object_type`` (see :mod:`leadloop.sync.conflicts`)."""
        return sync_settings(self.connector, self.ctype, object_type)

    def row_mapper(self, object_type: str, columns: tuple[str, ...]) -> RowMapper | None:
        """A mapper for positional rows under ``columns`` (a file's header), bound once per header;
        ``None`` when a plugin overrides mapping, which then sees each row as a dict."""
        if not self._direct_map:
            return None
        key = (object_type, columns)
        if key not in self._row_mappers:
            self._row_mappers[key] = self.mapping(object_type).for_columns(list(columns))
        return self._row_mappers[key]

    def tuple_mapper(self, object_type: str, columns: tuple[str, ...]) -> TupleRowMapper | None:
        """A mapper giving each row's values as a tuple, when the core's defaults map and key the
        records (a plugin overriding either sees each record as a dict); bound once per header."""
        if not (self._direct_map and self._direct_key):
            return None
        key = (object_type, columns)
        if key not in self._tuple_mappers:
            self._tuple_mappers[key] = self.mapping(object_type).for_columns(list(columns), as_tuples=True)
        return self._tuple_mappers[key]

    def record_tuple_mapper(
        self, object_type: str
    ) -> tuple[Callable[[Mapping[str, Any]], tuple[Any, ...]], tuple[str, ...]] | None:
        """:meth:`tuple_mapper` for records as dicts (API sources), their statuses :meth:`translated`
        first as :meth:`map_in` does: the function and the fields of its tuples."""
        if not (self._direct_map and self._direct_key):
            return None
        mapper = self.mapping(object_type).as_tuples()
        if not self._status_fields(object_type):
            return mapper, mapper.fields
        return (lambda record: mapper(self.translated(object_type, record))), mapper.fields

    def translated(self, object_type: str, record: Mapping[str, Any]) -> Mapping[str, Any]:
        """``record`` with its status fields translated (``leadloop_translate_status``, direction
        ``in``), so the source's picklist values arrive as canonical statuses; a value nothing
        translates is left for the mapping to refuse, naming the field. A copy when anything changed."""
        copied = False
        for source, kind in self._status_fields(object_type):
            value = record.get(source)
            if value:
                answer = self._translate(kind, str(value), "in")
                if answer is not None and answer != value:
                    if not copied:
                        record, copied = dict(record), True
                    record[source] = answer  # type: ignore[index]  # our own copy
        return record

    def _status_fields(self, object_type: str) -> list[tuple[str, str]]:
        """(source field, status kind) of each status the mapping reads."""
        if object_type not in self._status_sources:
            self._status_sources[object_type] = [
                (source, STATUS_KINDS[f.core]) for f in self.mapping(object_type).fields
                if f.core in STATUS_KINDS and f.direction != "out" for source in f.sources
            ]
        return self._status_sources[object_type]

    def map_in(self, object_type: str, record: Any, label: str) -> dict[str, Any]:
        """Source record -> core fields, through the hook unless only the core's default answers;
        status fields :meth:`translated` first."""
        mapping = self.mapping(object_type)
        record = self.translated(object_type, record)
        if self._direct_map:
            return mapping.apply_in(record, label=label)
        return self.plugins.hook.leadloop_map_record(  # type: ignore[no-any-return]
            connector=self.context, object_type=object_type, record=record, mapping=mapping, direction="in"
        )

    def map_out(self, object_type: str, core: dict[str, Any]) -> dict[str, Any]:
        return self.plugins.hook.leadloop_map_record(  # type: ignore[no-any-return]
            connector=self.context, object_type=object_type, record=core, mapping=self.mapping(object_type),
            direction="out",
        )

    def key(self, record: dict[str, Any]) -> str:
        if self._direct_key:
            return uniqueness_key(record, self.context.uniqueness)
        return self.plugins.hook.leadloop_uniqueness_key(  # type: ignore[no-any-return]
            connector=self.context, record=record, rule=self.context.uniqueness
        )

    def translate_out(self, kind: str, status: str) -> str:
        answer = self._translate(kind, status, "out")
        return status if answer is None else str(answer)

    def _translate(self, kind: str, status: str, direction: str) -> Any:
        """``leadloop_translate_status``, asked once per value and direction for the whole run: a
        picklist has a handful of values, and a pull has one record per lead."""
        key = (kind, status, direction)
        if key not in self._statuses:
            self._statuses[key] = self.plugins.hook.leadloop_translate_status(
                connector=self.context, kind=kind, status=status, direction=direction
            )
        return self._statuses[key]


def _only_default(plugins: Plugins, hook: str, default: Any) -> bool:
    impls = getattr(plugins.hook, hook).get_hookimpls()
    return len(impls) == 1 and impls[0].function is default


def sync_settings(connector: ConnectorRecord, ctype: ConnectorType, object_type: str) -> dict[str, Any]:
    """Configured, else two-way by modified stamps for objects the type writes, else source wins."""
    configured = connector.sync.get(object_type)
    if configured:
        return dict(configured)
    return {"mode": "last_modified_wins" if object_type in ctype.writes else "source_wins"}
