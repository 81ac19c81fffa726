"""``leadloop import FILE``: a local CSV/XLSX through the same engine as an SFTP drop.

The file is one connector's inbox of one file (:class:`LocalFile`), read by the same
:class:`~leadloop_csv_sftp.filesource.FileSource` and committed page by page by the same sync
engine (:func:`leadloop.sync.pull.pull`), with the tenant's ``csv_sftp`` connector's mapping,
uniqueness and settings. So the same content is not imported twice whichever way it came, a crashed
import resumes where it stopped when run again, and the rejects land in the store as usual.

The import holds the connector's ``pull`` lease, so it never runs beside that connector's SFTP
pull; its run, watermark and counters are recorded under the job name ``import``, apart from the
pull's. The error report is written beside the file (or to ``report_dir``); the file stays put.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from leadloop.errors import ConfigError, LeadloopError
from leadloop.plugins import Plugins
from leadloop.secrets import SecretBox
from leadloop.source import Runtime
from leadloop.store import ConnectorRecord, Store
from leadloop.sync.runner import run_job
from leadloop.sync.runs import RunStats

from .connector import lead_mapping
from .export import write_error_reports
from .filesource import FileOutcome, FileSource
from .inbox import Fetched, FinishedFile, RemoteFile, Status
from .ledger import FileLedger
from .rowchecks import FileSettings

CONNECTOR_TYPE = "csv_sftp"
IMPORT_JOB = "import"
LOCK_JOB = "pull"


class LocalFile:
    """One local file as an inbox: always complete, never moved; reports go to ``report_dir``."""

    def __init__(self, path: Path, report_dir: Path) -> None:
        self.path = path
        self.report_dir = report_dir
        self.size = path.stat().st_size
        self._stream: BinaryIO | None = None

    def complete_files(self, state: dict[str, Any]) -> list[RemoteFile]:
        stat = self.path.stat()
        return [RemoteFile(self.path.name, str(self.path), stat.st_size, int(stat.st_mtime))]

    @contextmanager
    def fetch(self, remote: RemoteFile) -> Iterator[Fetched]:
        with open(self.path, "rb") as stream:
            checksum = hashlib.file_digest(stream, "sha256").hexdigest()
            stream.seek(0)
            self._stream = stream
            try:
                yield Fetched(stream, checksum)
            finally:
                self._stream = None

    def position(self) -> int:
        """Bytes of the file read so far (the whole size when no file is open)."""
        stream = self._stream
        return stream.tell() if stream is not None and not stream.closed else self.size

    def finish(
        self, remote: RemoteFile, status: Status, error_rows: Any = (), *, reason: str | None = None
    ) -> FinishedFile:
        stem = Path(remote.name).stem
        with tempfile.TemporaryFile() as report_csv, tempfile.TemporaryFile() as report_xlsx:
            if not write_error_reports(error_rows, report_csv, report_xlsx):
                return FinishedFile(remote.path)
            self.report_dir.mkdir(parents=True, exist_ok=True)
            targets = (self.report_dir / f"{stem}.errors.csv", self.report_dir / f"{stem}.errors.xlsx")
            for report, target in zip((report_csv, report_xlsx), targets, strict=True):
                report.seek(0)
                with open(target, "wb") as out:
                    shutil.copyfileobj(report, out)
        return FinishedFile(remote.path, tuple(map(str, targets)))


@dataclass(frozen=True)
class ImportResult:
    """What ``leadloop import`` prints: the run, and what became of the file."""

    run_id: int
    connector: str
    outcome: str
    error: str | None
    file: FileOutcome | None
    imported: int
    updated: int


Progress = Callable[[RunStats, int, int], None]
"""Called after every committed page with the run's counters, bytes read and the file's size."""


def import_file(
    store: Store,
    plugins: Plugins,
    box: SecretBox,
    tenant: str,
    path: Path,
    *,
    connector: str | None = None,
    report_dir: Path | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> ImportResult:
    """Import ``path`` as leads of ``tenant`` through its ``csv_sftp`` connector (``connector``,
    else the tenant's only one). Raises :class:`~leadloop.errors.LeadloopError` when the import
    cannot start or fails; rows that are refused are reported, not raised."""
    record = _file_connector(store, tenant, connector)
    inbox = LocalFile(path, report_dir or path.parent)
    sources: list[FileSource] = []

    def open_source(runtime: Runtime) -> FileSource:
        settings = FileSettings.from_settings(record.settings, record.uniqueness, record.name)
        source = FileSource(inbox, FileLedger(store, tenant, record.name), lead_mapping(store, runtime.context),
                            settings, plugins.connectors.get(record.type).page_size)
        sources.append(source)
        return source

    with _frozen_heap():
        result = run_job(
            store, plugins, tenant, record.name, LOCK_JOB, record_as=IMPORT_JOB, source=open_source, box=box,
            stop=stop, progress=None if progress is None else lambda stats: progress(stats, inbox.position(), inbox.size),
        )
    if result.run_id is None:
        raise LeadloopError(
            f"connector {record.name!r} of tenant {tenant!r} cannot import now: {result.error}"
            + (" (its pull is running; import again once it has finished)" if "lease" in (result.error or "") else "")
        )
    if result.outcome not in ("ok", "cancelled"):
        raise LeadloopError(f"import of {path.name} failed: {result.error} (leadloop runs show {result.run_id})")
    stats = result.stats or RunStats()
    mine = [o for s in sources for o in s.outcomes if o.name == path.name]
    return ImportResult(result.run_id, record.name, result.outcome, result.error, mine[-1] if mine else None,
                        stats.inserted, stats.updated)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the objects that exist before the import out of the cyclic GC's collections meanwhile.

    An import keeps a page of rows alive while the engine maps and stores it, so its rows reach the
    oldest generation, and every full collection then also walks every object the process holds
    (SQLAlchemy's, pydantic's, the plugins': some 130,000), page after page: a fifth of the
    import's time on 200,000 rows. Frozen objects are only skipped, never lost: they are collected
    as usual once unfrozen.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _file_connector(store: Store, tenant: str, name: str | None) -> ConnectorRecord:
    """The tenant's csv_sftp connector called ``name``, or its only one."""
    connectors = [c for c in store.tenant(tenant).list_connectors() if c.type == CONNECTOR_TYPE]
    if name is not None:
        chosen = [c for c in connectors if c.name == name]
        if not chosen:
            raise ConfigError(
                f"tenant {tenant!r} has no {CONNECTOR_TYPE} connector {name!r} (its {CONNECTOR_TYPE} connectors: "
                f"{', '.join(c.name for c in connectors) or 'none'})"
            )
        return chosen[0]
    if len(connectors) != 1:
        which = "none" if not connectors else ", ".join(c.name for c in connectors)
        raise ConfigError(
            f"tenant {tenant!r} has {len(connectors)} {CONNECTOR_TYPE} connectors ({which}): "
            + ("add one to the tenant file; its mapping and settings apply to imported files"
               if not connectors else "choose one with --connector")
        )
    return connectors[0]
