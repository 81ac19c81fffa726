"""A file's header bound to the connector's own row rules, which a mapping cannot express.

The mapping engine checks each field on its own; three rules of file imports span settings and
columns, so the connector applies them to the raw cells before the engine maps a page:

* **email required** unless the connector's ``allow_pii_free`` is on, whatever the tenant's mapping
  says (a tenant override cannot switch the setting off by accident);
* **direct assignment**: ``AccessType`` must be ``Group`` or ``User`` (any case; blank means ``User``
  when ``RecordAssignTo`` names someone) and needs a ``RecordAssignTo``;
* **identity**: every row gets an external id that is stable for that row of that file
  (``<sha256[:16]>:<row>``), so a page replayed after a crash updates instead of duplicating; with
  ``auto_update`` a row's ``External ID`` cell is its identity instead, so a later file carrying the
  same id overwrites the lead.

A row these rules refuse is also run through the mapping, so its report lists every bad field, not
only the first rule it broke.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from leadloop.errors import BadRecord, ConfigError, FieldProblem
from leadloop.mapping import CompiledMapping, RowMapper

from .mapping import ACCESS_TYPE, ASSIGN_TO
from .tables import Row, UnreadableFile, shorten

ACCESS_TYPES = {"group": "Group", "user": "User"}
EMAIL_REQUIRED = (
    "required: this connector does not import leads without an email address "
    "(set allow_pii_free: true in its settings to allow them)"
)


@dataclass(frozen=True)
class FileSettings:
    """The connector settings a file import reads (``connector.schema.json``), defaults applied."""

    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | None = None
    allow_pii_free: bool = False
    auto_update: bool = False

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | Any, uniqueness: str, connector: str) -> FileSettings:
        """Raises :class:`ConfigError` for ``auto_update`` under ``uniqueness: none``: matching an
        existing lead by email needs the uniqueness key to be the email."""
        chosen = cls(
            encoding=settings.get("encoding", "auto"),
            delimiter=settings.get("delimiter", "auto"),
            sheet=settings.get("sheet"),
            allow_pii_free=bool(settings.get("allow_pii_free", False)),
            auto_update=bool(settings.get("auto_update", False)),
        )
        if chosen.auto_update and uniqueness == "none":
            raise ConfigError(
                f"connector {connector!r}: auto_update overwrites leads matched by email, so its uniqueness "
                "must be 'email' or 'email+campaign', not 'none'; set uniqueness in the tenant file"
            )
        return chosen


@dataclass
class CheckedPage:
    """A page's rows split into what the engine maps and what the connector refused."""

    records: list[list[str]]
    row_numbers: list[int]
    external_ids: list[str]
    rejects: list[dict[str, Any]]
    """One line per bad field of a refused row, shaped like :attr:`leadloop.source.Page.rejects`."""


class RowChecks:
    """The rules for one file, bound to its header once; :meth:`split` runs them over a page."""

    def __init__(self, mapping: CompiledMapping, headers: Sequence[str], settings: FileSettings, name: str) -> None:
        """Raises :class:`UnreadableFile` when the file cannot be imported at all: a required
        column is missing, or there is no email column and PII-free leads are not allowed."""
        try:
            self.mapper: RowMapper = mapping.for_columns(list(headers), file=name)
        except ConfigError as exc:
            raise UnreadableFile(name, "; ".join(p.reason for p in exc.problems) or str(exc)) from None
        self.columns = tuple(headers)
        email = self._index("email")
        self.assign_to = self._index(ASSIGN_TO)
        self.access_type = self._index(ACCESS_TYPE)
        self.external_id = self._index("external_id") if settings.auto_update else None
        self.required_email = None if settings.allow_pii_free else email
        """The email column when every row needs an email."""
        if not settings.allow_pii_free and email is None:
            aliases = next((f.sources for f in mapping.fields if f.core == "email"), ())
            looked = f" (looked for {', '.join(map(repr, aliases))})" if aliases else " (the mapping maps no email)"
            raise UnreadableFile(
                name, f"no email column{looked}; leads need an email address unless the connector's "
                "allow_pii_free setting is on"
            )

    def _index(self, core: str) -> int | None:
        header = self.mapper.columns.get(core)
        if header is None:
            return None
        return next(i for i, h in enumerate(self.columns) if h.replace("\ufeff", "").strip() == header)

    def split(self, rows: list[Row], id_prefix: str) -> CheckedPage:
        """Apply the rules to a page; cells of ``AccessType`` are normalised in place.

        Written as whole-page passes (zip, map, comprehensions): this runs for every row of every file.
        """
        if not rows:
            return CheckedPage([], [], [], [])
        numbers: list[int]
        records: list[list[str]]
        numbers, records = map(list, zip(*rows, strict=True))
        problems: dict[int, list[FieldProblem]] = {}
        if self.required_email is not None:
            header = self.columns[self.required_email]
            for k, value in enumerate(map(itemgetter(self.required_email), records)):
                if not value or value.isspace():
                    problems[k] = [FieldProblem(header, EMAIL_REQUIRED, value)]
        if self.access_type is not None:
            self._check_access(records, self.access_type, problems)
        ids = list(map(f"{id_prefix}{{}}".format, numbers))
        if self.external_id is not None:
            ids = [cell.strip() or row_id for cell, row_id in zip(map(itemgetter(self.external_id), records), ids, strict=True)]
        if not problems:
            return CheckedPage(records, numbers, ids, [])
        rejects = [line for k, found in problems.items() for line in self._reject(rows[k], found)]
        keep = [k for k in range(len(rows)) if k not in problems]
        return CheckedPage([records[k] for k in keep], [numbers[k] for k in keep], [ids[k] for k in keep], rejects)

    def _check_access(self, records: list[list[str]], a: int, problems: dict[int, list[FieldProblem]]) -> None:
        t = self.assign_to
        header = self.columns[a]
        for k, cells in enumerate(records):
            given = cells[a].strip()
            assignee = cells[t].strip() if t is not None else ""
            if not given and not assignee:
                continue
            canonical = ACCESS_TYPES.get(given.casefold(), "User" if not given else None)
            if canonical is None:
                reason = f"AccessType must be Group or User, not {given!r}"
            elif not assignee:
                reason = (f"AccessType {canonical} without RecordAssignTo: name the user or group the lead "
                          "is assigned to, or leave both empty")
            else:
                cells[a] = canonical
                continue
            problems.setdefault(k, []).append(FieldProblem(header, reason, cells[a]))

    def _reject(self, row: Row, found: list[FieldProblem]) -> list[dict[str, Any]]:
        """The row's problems as reject lines, with whatever else the mapping finds wrong in it."""
        number, cells = row
        try:
            self.mapper(cells, f"row {number}")
        except BadRecord as exc:
            named = {p.field for p in found}
            found = found + [p for p in exc.problems if p.field not in named]
        return [{"row": number, "field": p.field, "reason": p.reason, "value": shorten(str(p.value or ""))}
                for p in found]
