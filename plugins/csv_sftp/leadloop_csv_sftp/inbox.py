"""The SFTP inbox as the import engine sees it: complete files, one file's bytes, then finish.

A run goes (:mod:`leadloop_csv_sftp.filesource` is the real one)::

    with SftpInbox(context.settings, context.secrets) as inbox:
        for remote in inbox.complete_files(state):      # state: the job's watermark, persisted
            with inbox.fetch(remote) as fetched:         # a local copy and its SHA-256
                ...                                       # known checksum? else open_table, pages, commit
            inbox.finish(remote, "processed", error_rows)   # or "failed" with a reason

A file is only picked up once complete. ``done_marker``: ``X.csv`` is complete when ``X.csv.done``
exists (the uploader writes it last; the safe choice). ``stable_size``: when its size and
modification time are the same as at the previous poll, which :meth:`SftpInbox.complete_files`
remembers in the caller's state dict; an upload stalled for longer than the poll interval looks
complete, which is why ``done_marker`` exists.

Finished files move to ``processed/`` or ``failed/`` (with ``<name>.reason.txt``) beside the
inbox directory's files, error reports go to ``errors/<name>.errors.csv`` and ``.xlsx``. A name
already taken there gets a UTC timestamp, so re-uploads never overwrite an earlier file's history.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from types import TracebackType
from typing import IO, Any, BinaryIO, Literal, Self

import paramiko
from leadloop.errors import ConfigError

from .connection import RETRY_DELAYS, WINDOW, RemoteReader, SftpConnection
from .export import write_error_reports
from .reader import open_table
from .tables import Reject, Table

Status = Literal["processed", "failed"]
DONE_SUFFIX = ".done"


@dataclass(frozen=True)
class InboxSettings:
    """The connector's settings (``connector.schema.json``) with their defaults applied."""

    host: str
    username: str
    known_hosts: str
    port: int = 22
    directory: str = "/inbox"
    patterns: tuple[str, ...] = ("*.csv",)
    completion: Literal["done_marker", "stable_size"] = "stable_size"
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | None = None

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> InboxSettings:
        missing = [k for k in ("host", "username", "known_hosts") if not settings.get(k)]
        if missing:
            raise ConfigError(f"the csv_sftp connector needs the settings {', '.join(missing)}")
        pattern = settings.get("pattern", "*.csv")
        completion = settings.get("completion", "stable_size")
        if completion not in ("done_marker", "stable_size"):
            raise ConfigError(f"completion {completion!r} is not done_marker or stable_size")
        return cls(
            host=settings["host"],
            username=settings["username"],
            known_hosts=settings["known_hosts"],
            port=int(settings.get("port", 22)),
            directory=settings.get("directory", "/inbox").rstrip("/") or "/",
            patterns=(pattern,) if isinstance(pattern, str) else tuple(pattern),
            completion=completion,
            encoding=settings.get("encoding", "auto"),
            delimiter=settings.get("delimiter", "auto"),
            sheet=settings.get("sheet"),
        )


@dataclass(frozen=True)
class RemoteFile:
    """A complete file in the inbox, as listed: enough to tell a re-upload from the same file."""

    name: str
    path: str
    size: int
    mtime: int


@dataclass(frozen=True)
class Fetched:
    """A file's bytes, readable from the start, and their SHA-256 (hex)."""

    stream: BinaryIO
    sha256: str


@dataclass(frozen=True)
class FinishedFile:
    """Where a finished file went and which reports were written (remote paths)."""

    moved_to: str
    reports: tuple[str, ...] = ()


class SftpInbox:
    """One connector's SFTP inbox; ``secrets`` holds ``password`` and/or ``private_key``."""

    def __init__(
        self,
        settings: Mapping[str, Any] | InboxSettings,
        secrets: Mapping[str, str],
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        timeout: float = 30.0,
    ) -> None:
        self.settings = settings if isinstance(settings, InboxSettings) else InboxSettings.from_mapping(settings)
        s = self.settings
        self._conn = SftpConnection(
            s.host, s.port, s.username, s.known_hosts, secrets, retry_delays=retry_delays, timeout=timeout
        )
        self._folders: set[str] = set()

    def _matches(self, name: str) -> bool:
        # Case-insensitive: trade-show laptops write LEADS.CSV as often as leads.csv.
        lowered = name.lower()
        return (
            not name.startswith(".")
            and not lowered.endswith(DONE_SUFFIX)
            and any(fnmatchcase(lowered, p.lower()) for p in self.settings.patterns)
        )

    def complete_files(self, state: dict[str, Any]) -> list[RemoteFile]:
        """The inbox's complete files matching ``pattern``, oldest first.

        For ``stable_size`` this reads and updates ``state["sizes"]`` (name -> [size, mtime] of the
        files seen at this poll) in place: persist ``state`` with the job's watermark.
        """
        directory = self.settings.directory

        def listing(sftp: paramiko.SFTPClient) -> list[paramiko.SFTPAttributes]:
            try:
                entries: list[paramiko.SFTPAttributes] = sftp.listdir_attr(directory)
            except FileNotFoundError:
                raise ConfigError(
                    f"SFTP {self.settings.host}: the directory {directory} does not exist; create it "
                    "or fix the connector's directory setting"
                ) from None
            return entries

        entries = self._conn.call(listing, f"listing {directory}")
        files = {e.filename: e for e in entries if e.st_mode is not None and stat.S_ISREG(e.st_mode)}
        candidates = [e for name, e in files.items() if self._matches(name)]
        if self.settings.completion == "done_marker":
            complete = [e for e in candidates if e.filename + DONE_SUFFIX in files]
        else:
            before = state.get("sizes", {})
            now = {e.filename: [e.st_size, e.st_mtime] for e in candidates}
            complete = [e for e in candidates if before.get(e.filename) == now[e.filename]]
            state["sizes"] = now
        complete.sort(key=lambda e: (e.st_mtime or 0, e.filename))
        return [
            RemoteFile(e.filename, posixpath.join(directory, e.filename), e.st_size or 0, e.st_mtime or 0)
            for e in complete
        ]

    @contextmanager
    def fetch(self, remote: RemoteFile) -> Iterator[Fetched]:
        """The file's bytes copied to a local temporary file, with their SHA-256.

        The checksum must be known before a row is imported (a content seen before is not imported
        again), and one transfer is cheaper than reading the file twice over the network; the copy
        is deleted when the block ends.
        """
        reader = RemoteReader(self._conn, remote.path, remote.size)
        digest = hashlib.sha256()
        with tempfile.TemporaryFile() as local:
            try:
                while chunk := reader.read(WINDOW):
                    digest.update(chunk)
                    local.write(chunk)
            finally:
                reader.close()
            local.seek(0)
            yield Fetched(local, digest.hexdigest())

    def open(self, remote: RemoteFile) -> Table:
        """The file's rows, streamed; ``table.sha256`` is known once they have all been read.

        Raises :class:`~leadloop_csv_sftp.UnreadableFile` for a file that cannot be read at all.
        """
        s = self.settings
        reader = RemoteReader(self._conn, remote.path, remote.size)
        return open_table(reader, remote.name, encoding=s.encoding, delimiter=s.delimiter, sheet=s.sheet)

    def finish(
        self,
        remote: RemoteFile,
        status: Status,
        error_rows: Iterable[Reject | Mapping[str, Any]] = (),
        *,
        reason: str | None = None,
    ) -> FinishedFile:
        """Write the error reports (if any rows), then move the file (and its done marker) to
        ``processed/`` or ``failed/``; a failed file needs the ``reason``, written beside it."""
        if status not in ("processed", "failed"):
            raise ValueError(f"status {status!r} is not 'processed' or 'failed'")
        if status == "failed" and not reason:
            raise ValueError("a failed file needs a reason")
        directory = self.settings.directory
        folder = posixpath.join(directory, status)
        self._ensure_folder(folder)
        name = self._free_name(folder, remote.name)
        reports = self._write_reports(name, error_rows)
        if reason:
            text = io.BytesIO(reason.encode("utf-8") + b"\n")
            self._upload(text, posixpath.join(folder, f"{name}.reason.txt"))
        moved_to = posixpath.join(folder, name)
        self._move(remote.path, moved_to)
        if self.settings.completion == "done_marker":
            self._move(remote.path + DONE_SUFFIX, moved_to + DONE_SUFFIX, missing_ok=True)
        return FinishedFile(moved_to, reports)

    def _write_reports(self, name: str, error_rows: Iterable[Reject | Mapping[str, Any]]) -> tuple[str, ...]:
        with tempfile.TemporaryFile() as report_csv, tempfile.TemporaryFile() as report_xlsx:
            if not write_error_reports(error_rows, report_csv, report_xlsx):
                return ()
            folder = posixpath.join(self.settings.directory, "errors")
            self._ensure_folder(folder)
            csv_path = posixpath.join(folder, f"{name}.errors.csv")
            xlsx_path = posixpath.join(folder, f"{name}.errors.xlsx")
            self._upload(report_csv, csv_path)
            self._upload(report_xlsx, xlsx_path)
        return csv_path, xlsx_path

    def _upload(self, local: IO[bytes], path: str) -> None:
        def put(sftp: paramiko.SFTPClient) -> None:
            local.seek(0)
            sftp.putfo(local, path)

        self._conn.call(put, f"writing {path}")

    def _move(self, source: str, target: str, *, missing_ok: bool = False) -> None:
        def move(sftp: paramiko.SFTPClient) -> None:
            try:
                sftp.rename(source, target)
            except FileNotFoundError:
                # Already moved by an attempt whose answer the dropped connection lost?
                if not (missing_ok or self._exists(sftp, target)):
                    raise

        self._conn.call(move, f"moving {source} to {target}")

    @staticmethod
    def _exists(sftp: paramiko.SFTPClient, path: str) -> bool:
        try:
            sftp.stat(path)
        except FileNotFoundError:
            return False
        return True

    def _ensure_folder(self, folder: str) -> None:
        if folder in self._folders:
            return

        def mkdir(sftp: paramiko.SFTPClient) -> None:
            if not self._exists(sftp, folder):
                try:
                    sftp.mkdir(folder)
                except OSError:
                    if not self._exists(sftp, folder):  # another worker made it meanwhile
                        raise

        self._conn.call(mkdir, f"creating {folder}")
        self._folders.add(folder)

    def _free_name(self, folder: str, name: str) -> str:
        def free(sftp: paramiko.SFTPClient) -> str:
            if not self._exists(sftp, posixpath.join(folder, name)):
                return name
            stem, ext = posixpath.splitext(name)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            candidate, n = f"{stem}.{stamp}{ext}", 1
            while self._exists(sftp, posixpath.join(folder, candidate)):
                n += 1
                candidate = f"{stem}.{stamp}-{n}{ext}"
            return candidate

        return self._conn.call(free, f"choosing a name in {folder}")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
