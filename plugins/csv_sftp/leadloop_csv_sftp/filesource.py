"""``pull`` over an inbox of files: what both the SFTP connector and ``leadloop import`` run.

Each complete file is copied and hashed first. A content the ``files`` table knows as processed is
not imported again: it is reported (a reject on the run naming the earlier import) and moved to
``processed/``. Otherwise its rows go to the sync engine in pages; every page's watermark says
which file and which row it ends on, so a crash resumes after the last committed row of the same
content::

    {"sizes": {...}, "file": {"checksum": "...", "name": "leads.csv", "size": 1234, "mtime": 1700000000,
                             "row": 5001, "read": 5000, "done": false}}

After a file's rows, an empty page carries ``"done": true``. Only after the engine has committed it
(the generator resumes after each commit) is the file finished: marked processed in ``files``, its
error report written from the store's rejects, the file moved. A crash between that commit and the
move leaves ``done`` in the watermark, and the next pull finishes the file before anything else:
every step of finishing is safe to repeat, and no row is imported twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from leadloop.errors import ConfigError
from leadloop.mapping import CompiledMapping
from leadloop.source import Page

from .inbox import Fetched, FinishedFile, RemoteFile, Status
from .ledger import FileLedger, reject_source
from .reader import open_table
from .rowchecks import FileSettings, RowChecks
from .tables import TablePage, UnreadableFile


class Inbox(Protocol):
    """Where files come from and go to: :class:`~leadloop_csv_sftp.SftpInbox`, or one local file."""

    def complete_files(self, state: dict[str, Any]) -> list[RemoteFile]: ...

    def fetch(self, remote: RemoteFile) -> AbstractContextManager[Fetched]: ...

    def finish(
        self, remote: RemoteFile, status: Status, error_rows: Any = (), *, reason: str | None = None
    ) -> FinishedFile: ...


@dataclass
class FileOutcome:
    """What became of one file in this pull, for summaries (the store has the same facts)."""

    name: str
    checksum: str
    status: Literal["processed", "duplicate", "failed"]
    rows: int = 0
    rejected_rows: int = 0
    reason: str | None = None
    reports: tuple[str, ...] = ()
    moved_to: str | None = None
    resumed_after: int = 0


@dataclass
class _Position:
    checksum: str
    name: str
    size: int
    mtime: int
    row: int = 0
    read: int = 0
    done: bool = False

    def json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def same_upload(self, remote: RemoteFile) -> bool:
        return (self.name, self.size, self.mtime) == (remote.name, remote.size, remote.mtime)


@dataclass
class FileSource:
    """A :class:`leadloop.source.PullSource` reading the files of ``inbox`` as leads."""

    inbox: Inbox
    ledger: FileLedger
    mapping: CompiledMapping
    settings: FileSettings
    page_size: int
    outcomes: list[FileOutcome] = field(default_factory=list)

    def pull(self, object_type: str, watermark: Mapping[str, Any] | None) -> Iterator[Page]:
        if object_type != "lead":
            raise ConfigError(f"file connectors read leads, not {object_type!r}")
        state = {k: v for k, v in (watermark or {}).items() if k != "file"}
        saved = (watermark or {}).get("file")
        current = _Position(**saved) if saved else None
        listing = self.inbox.complete_files(state)  # updates state["sizes"]
        same = next((r for r in listing if current is not None and current.same_upload(r)), None)
        if same is not None:
            listing.remove(same)
            listing.insert(0, same)  # an interrupted file goes first
        if current is not None and current.done:
            if same is not None:
                listing.remove(same)
            self._finish(same, current)
            current = None
        committed: Mapping[str, Any] = watermark or {}
        for remote in listing:
            resume = current if current is not None and current.same_upload(remote) else None
            for page in self._import(remote, state, resume):
                committed = page.watermark
                yield page
        if committed != state:  # sizes seen at this poll, or a finished file's position cleared
            yield Page(records=[], watermark=dict(state))

    def _import(self, remote: RemoteFile, state: dict[str, Any], resume: _Position | None) -> Iterator[Page]:
        with self.inbox.fetch(remote) as fetched:
            checksum = fetched.sha256
            if resume is not None and resume.checksum != checksum:
                resume = None  # same name, size and time, other bytes: a new file after all
            known = self.ledger.get(checksum)
            if known is not None and known.status == "processed" and resume is None:
                reason = (f"the same content was imported from {known.name!r} on {known.at:%Y-%m-%d %H:%M} UTC "
                          f"({known.rows} rows): not imported again")
                yield self._file_page(state, remote.name, checksum, reason)
                moved = self.inbox.finish(remote, "processed", reason=reason)
                self.outcomes.append(FileOutcome(remote.name, checksum, "duplicate", known.rows or 0,
                                                 reason=reason, moved_to=moved.moved_to))
                return
            try:
                table = open_table(fetched.stream, remote.name, encoding=self.settings.encoding,
                                   delimiter=self.settings.delimiter, sheet=self.settings.sheet,
                                   checksum=False)  # fetch hashed the bytes already
            except UnreadableFile as exc:
                yield from self._fail(remote, checksum, state, exc.reason)
                return
            with table:
                try:
                    checks = RowChecks(self.mapping, table.headers, self.settings, remote.name)
                except UnreadableFile as exc:
                    yield from self._fail(remote, checksum, state, exc.reason)
                    return
                position = resume or _Position(checksum, remote.name, remote.size, remote.mtime)
                self.ledger.record(checksum, remote.name, "importing")
                yield from self._pages(table.pages(self.page_size, position.row), checks, position, state)
        self._finish(remote, position, resumed_after=resume.row if resume else 0)

    def _pages(
        self, pages: Iterator[TablePage], checks: RowChecks, position: _Position, state: dict[str, Any]
    ) -> Iterator[Page]:
        """The file's pages, then an empty one marked done: looking a page ahead to mark the last
        one would keep twice the rows alive while the engine works."""
        source = reject_source(position.name, position.checksum)
        id_prefix = f"{position.checksum[:16]}:"
        for table_page in pages:
            checked = checks.split(table_page.rows, id_prefix)
            rejects = checked.rejects + [r.as_dict() for r in table_page.rejects]
            for reject in rejects:
                reject["source"] = source
            position.row = table_page.last_row
            position.read += len(table_page.rows) + len(table_page.rejects)
            yield Page(
                records=checked.records,
                columns=checks.columns,
                row_numbers=checked.row_numbers,
                external_ids=checked.external_ids,
                source=source,
                rejects=rejects,
                watermark={**state, "file": position.json()},
                resume_after_commit=False,  # only the last, empty page is acted on (the file finished)
            )
        position.done = True
        yield Page(records=[], columns=checks.columns, source=source, watermark={**state, "file": position.json()})

    def _finish(self, remote: RemoteFile | None, position: _Position, *, resumed_after: int = 0) -> None:
        """Everything after the last page's commit; each step is safe to repeat after a crash."""
        self.ledger.record(position.checksum, position.name, "processed", rows=position.read)
        outcome = FileOutcome(position.name, position.checksum, "processed", position.read,
                              self.ledger.count_rejected_rows(position.name, position.checksum),
                              resumed_after=resumed_after)
        if remote is not None:
            finished = self.inbox.finish(remote, "processed", self.ledger.rejected_rows(position.name, position.checksum))
            outcome.reports, outcome.moved_to = finished.reports, finished.moved_to
        self.outcomes.append(outcome)

    def _fail(self, remote: RemoteFile, checksum: str, state: dict[str, Any], reason: str) -> Iterator[Page]:
        self.ledger.record(checksum, remote.name, "failed", reason=reason)
        yield self._file_page(state, remote.name, checksum, reason)
        moved = self.inbox.finish(remote, "failed", reason=reason)
        self.outcomes.append(FileOutcome(remote.name, checksum, "failed", reason=reason, moved_to=moved.moved_to))

    @staticmethod
    def _file_page(state: dict[str, Any], name: str, checksum: str, reason: str) -> Page:
        """A page carrying only a reject for the whole file, so the run reports it."""
        source = reject_source(name, checksum)
        return Page(records=[], watermark=dict(state), source=source,
                    rejects=[{"source": source, "record": "file", "field": "", "reason": reason, "value": name}])

