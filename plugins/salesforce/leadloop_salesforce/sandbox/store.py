"""The org's records, and the write semantics of the REST API over them.

Rows are dicts that are never changed in place: a write stores a new dict. A query therefore takes a
cheap snapshot (a list of references) under the lock and filters, sorts and pages it without
holding the lock, and an open query locator keeps seeing the rows as they were when it ran.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from . import ids
from .clock import Clock, format_datetime
from .errors import ApiError, RecordError
from .schema import OBJECTS, OBJECTS_BY_LOWER, SObject, derive
from .validation import check, decode

Row = dict[str, Any]
_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)


def sobject(name: str) -> SObject:
    """The object named ``name`` (any case), or a 404 ``NOT_FOUND`` as the API answers."""
    obj = OBJECTS_BY_LOWER.get(name.lower())
    if obj is None:
        raise ApiError(404, "NOT_FOUND", f"The requested resource does not exist: sObject type '{name}'")
    return obj


def _blank(obj: SObject) -> Row:
    """A new row: picklist defaults, booleans false, everything else null."""
    return {f.name: f.default if f.default is not None else (False if f.type == "boolean" else None)
            for f in obj.fields}


class Store:
    """Tables per object, an id factory, and validated writes; every method is thread-safe."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.ids = ids.IdFactory()
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Row]] = {name: {} for name in OBJECTS}
        self.locked: dict[str, int] = {}
        """Row id -> how many more writes find it locked by another transaction."""

    # -- reads
    def snapshot(self, name: str) -> list[Row]:
        with self.lock:
            return list(self.tables[name].values())

    def get(self, name: str, record_id: str) -> Row | None:
        full = ids.normalize(record_id)
        with self.lock:
            return self.tables[name].get(full) if full else None

    def counts(self) -> dict[str, dict[str, int]]:
        with self.lock:
            out = {}
            for name, table in self.tables.items():
                deleted = sum(1 for r in table.values() if r["IsDeleted"])
                out[name] = {"live": len(table) - deleted, "deleted": deleted}
            return out

    def _exists(self, name: str, record_id: str) -> bool | None:
        row = self.tables[name].get(record_id)
        return None if row is None else not row["IsDeleted"]

    # -- writes
    def load(self, name: str, rows: list[Row]) -> list[str]:
        """Bulk insert of already valid rows carrying their own system stamps (the data generator)."""
        obj = OBJECTS[name]
        blank = _blank(obj)
        new_ids = []
        with self.lock:
            table = self.tables[name]
            for values in rows:
                row = {**blank, **values, "Id": self.ids.new(obj.key_prefix), "IsDeleted": False}
                derive(name, row)
                table[row["Id"]] = row
                new_ids.append(row["Id"])
        return new_ids

    def create(self, records: list[Mapping[str, Any]], all_or_none: bool,
               stamp: float | None = None) -> list[dict[str, Any]]:
        """sObject Collections create: results in input order."""
        return self._write(records, all_or_none, stamp, updating=False)

    def update(self, records: list[Mapping[str, Any]], all_or_none: bool,
               stamp: float | None = None) -> list[dict[str, Any]]:
        """sObject Collections update: each record carries its ``id``."""
        return self._write(records, all_or_none, stamp, updating=True)

    def delete(self, name: str, record_id: str, stamp: float | None = None) -> None:
        """Move a record to the recycle bin: ``IsDeleted`` true, stamps bumped."""
        with self.lock:
            current = self._current(OBJECTS[name], record_id)
            when = format_datetime(self.clock.now() if stamp is None else stamp)
            self.tables[name][current["Id"]] = {
                **current, "IsDeleted": True, "LastModifiedDate": when, "SystemModstamp": when,
            }

    def _write(self, records: list[Mapping[str, Any]], all_or_none: bool, stamp: float | None,
               updating: bool) -> list[dict[str, Any]]:
        decoded = [self._decode(r) for r in records]  # request-level errors first: nothing written
        with self.lock:
            when = format_datetime(self.clock.now() if stamp is None else stamp)
            checked = []
            for obj, values, given_id in decoded:
                try:
                    current = self._target(obj, given_id, updating)
                    errors = self._lock_errors(current) or check(obj, values, current, self._exists)
                except RecordError as exc:
                    current, errors = None, [exc]
                checked.append((obj, current, values, errors))
            rollback = all_or_none and any(errors for *_, errors in checked)
            results = []
            for obj, current, values, errors in checked:
                if errors or rollback:
                    failure: dict[str, Any] = {"id": current["Id"]} if current is not None else {}
                    failure.update(success=False, errors=[e.as_result() for e in errors or [_ROLLED_BACK]])
                    results.append(failure)
                else:
                    new_id = self._apply(obj, current, values, when)
                    results.append({"id": new_id, "success": True, "errors": []})
            return results

    def lock_row(self, record_id: str, times: int = 1) -> None:
        """Let the next ``times`` writes to a row fail with ``UNABLE_TO_LOCK_ROW``, as when another
        transaction (a trigger, an import) holds it: the error a client should retry, alone."""
        full = ids.normalize(record_id)
        if full is None:
            raise ValueError(f"not a Salesforce id: {record_id!r}")
        with self.lock:
            self.locked[full] = int(times)

    def _lock_errors(self, current: Row | None) -> list[RecordError]:
        """The lock error when ``current`` is a locked row (spending one of its locked writes)."""
        if current is None or self.locked.get(current["Id"], 0) <= 0:
            return []
        self.locked[current["Id"]] -= 1
        return [RecordError("UNABLE_TO_LOCK_ROW",
                            f"unable to obtain exclusive access to this record or 1 records: {current['Id']}", [])]

    @staticmethod
    def _decode(body: Mapping[str, Any]) -> tuple[SObject, dict[str, Any], str | None]:
        attributes = body.get("attributes")
        if not isinstance(attributes, Mapping) or not isinstance(attributes.get("type"), str):
            raise ApiError(400, "INVALID_TYPE", "Each record must have an attributes map with a type")
        obj = sobject(attributes["type"])
        given = next((v for k, v in body.items() if k.lower() == "id"), None)
        return obj, decode(obj, body), None if given is None else str(given)

    def _target(self, obj: SObject, given_id: str | None, updating: bool) -> Row | None:
        if not updating:
            if given_id is not None:
                raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            return None
        if given_id is None:
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", [])
        return self._current(obj, given_id)

    def _current(self, obj: SObject, record_id: str) -> Row:
        full = ids.normalize(record_id)
        if full is None or not full.startswith(obj.key_prefix):
            raise RecordError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {record_id}",
                              ["Id"])
        row = self.tables[obj.name].get(full)
        if row is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        if row["IsDeleted"]:
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted", [])
        return row

    def _apply(self, obj: SObject, current: Row | None, values: dict[str, Any], when: str) -> str:
        clean = {k: (ids.normalize(v) if v and obj.field(k).type == "reference" else v)  # type: ignore[union-attr]
                 for k, v in values.items()}
        if current is None:
            row = _blank(obj)
            row.update(clean, Id=self.ids.new(obj.key_prefix), IsDeleted=False, CreatedDate=when)
        else:
            row = {**current, **clean}
        row["LastModifiedDate"] = row["SystemModstamp"] = when
        derive(obj.name, row)
        self.tables[obj.name][row["Id"]] = row
        return str(row["Id"])
