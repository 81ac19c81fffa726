"""Page writers: where a pull's page transactions run.

Reading and mapping a page keeps one core busy; storing it (the upsert, its indexes, the commit)
costs about as much again. So once a pull shows it is long (a page of at least
:data:`MIN_RECORDS` records after which the source reads on without waiting for the commit), the
job starts a page writer process: this process goes on reading and mapping while that one commits
the pages it was handed, strictly in order, with the statements they would have committed with here
(:func:`leadloop.sync.commit.write_page`), gathered into transactions of about :data:`GROUP`
records, each page written as it arrives. A transaction waits at most :data:`HOLD_SECONDS` for the
next page, and not at all once the job is about to wait for it. At most :data:`BACKLOG` records
(and at least one page) are handed over and not yet committed; a page whose source acts on its
commit (a file moved) is committed by the job itself once the writer has caught up. Whenever the job
waits for the writer, it copies what the writer committed from SQLite's write-ahead log into the
database file (:meth:`~leadloop.store.Store.checkpoint_wal`), so that the writer's commits need not.

``LEADLOOP_PAGE_WRITER`` chooses: ``auto`` (the default, as above), ``inline`` (never a second
process) or ``process`` (from the first page that lets reading go on, whatever its size).

Crash safety is that of an inline commit. The writer only starts a transaction for a page it has
received whole, fences it with the job's lease, and ends when the job closes the pipe or dies, so a
killed job leaves the pages the writer is then committing stored whole or not at all, never half. It
ignores SIGINT and SIGTERM: the job, not the terminal, decides when it stops. A writer that dies fails the
run with a :class:`~leadloop.errors.FatalError`; the next run resumes after the last committed page.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ConfigError, FatalError
from ..store import Store
from .commit import PageWork, WriteContext, Written, add, write_page

if TYPE_CHECKING:
    from .job import Job

MODE_ENV = "LEADLOOP_PAGE_WRITER"
MODES = ("auto", "inline", "process")
MIN_RECORDS = 1000
"""A page this long says the pull is a bulk one: a second process pays for its start (~0.3 s of
imports, overlapped with the next page) within a few pages."""
BACKLOG = 12_000
"""Records handed to the writer and not yet committed: about two pages of a file, six of an API."""
GROUP = 5_000
"""Records the writer gathers before it commits, unless the job is about to wait for them: leads land
all over the indexes, so each commit writes most index pages out whatever its size, and fewer,
larger commits write them fewer times (a 100,000-lead Salesforce pull spends a third less on its
commits in groups of three pages than page by page). Below :data:`BACKLOG`, so that the writer never
holds back records the job is waiting for without having been told."""
HOLD_SECONDS = 0.25
"""How long the writer keeps a transaction open for the next page: a slow source's pages still commit
(and show in the run's progress) within this."""
_HEADER = struct.Struct(">Q")
_COMMIT_NOW = b""
"""The frame by which the job asks the writer to commit the pages it holds: the job is about to wait."""


class PageWriter(Protocol):
    def submit(self, work: PageWork, *, read_on: bool) -> None:
        """Commit ``work``, now or in order later; ``read_on`` says the source may be read past it."""

    def drain(self) -> None:
        """Return once every page submitted so far has committed (raising what a commit raised)."""


@contextmanager
def open_writer(job: Job) -> Iterator[PageWriter]:
    """The job's page writer for one pull; any writer process has ended when the block is left."""
    writer = _Writer(job, _mode())
    try:
        yield writer
    except BaseException:
        # Pages handed over before the source failed (a quota, say) commit, as they would have here;
        # after a failed commit nothing more may.
        writer.close(abandon=writer.failed)
        raise
    writer.close(abandon=False)


def _mode() -> str:
    mode = os.environ.get(MODE_ENV, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ConfigError(f"{MODE_ENV}={mode!r} is not a page writer mode: use one of {', '.join(MODES)}")
    return mode


class _Writer:
    """Commits here until a page says the pull is long, then hands pages to a writer process."""

    def __init__(self, job: Job, mode: str) -> None:
        self.job = job
        self.mode = mode if _shareable(job.store) else "inline"
        self.ctx = WriteContext(job.tenant, job.name, job.kind, job.run_id, job.lease)
        self.child: _Child | None = None
        self.failed = False
        """A commit failed (here or in the writer process): pages still handed over must not commit."""

    def submit(self, work: PageWork, *, read_on: bool) -> None:
        try:
            self._submit(work, read_on)
        except BaseException:
            self.failed = True
            raise

    def drain(self) -> None:
        if self.child is not None:
            try:
                self.child.drain()
            except BaseException:
                self.failed = True
                raise

    def _submit(self, work: PageWork, read_on: bool) -> None:
        if self.child is not None and read_on:
            self.child.send(work)
            return
        # Pages commit in order, so here only once the writer process has committed all it was given.
        # A page the source waits on is committed here: waiting for another process is no faster.
        self.drain()
        start = self.child is None and read_on and (
            self.mode == "process" or (self.mode == "auto" and work.mapped >= MIN_RECORDS)
        )
        # Started before this page commits here, so its imports overlap this commit.
        child = _Child(self._committed, self.job.store.checkpoint_wal) if start else None
        try:
            with self.job.store.transaction() as conn:
                written = write_page(conn, self.ctx, work)
        except BaseException:
            if child is not None:
                child.kill()
            raise
        if child is not None:
            child.begin(self.job.store.engine.url.render_as_string(hide_password=False), self.ctx)
            self.child = child  # from here close() ends it, whatever happens next
        self._committed(written)

    def close(self, *, abandon: bool) -> None:
        """End the writer process: after every page handed to it has committed, or at once after an
        error, abandoning (rolling back) a page it is still writing, so that nothing commits once
        the run has been recorded as ended."""
        child, self.child = self.child, None
        if child is None:
            return
        try:
            if not abandon:
                child.drain()
        finally:
            child.kill()  # idle once drained: nothing handed over is left to commit

    def _committed(self, written: Written) -> None:
        add(self.job.stats, written)
        if self.job.progress is not None:
            self.job.progress(self.job.stats)


def _shareable(store: Store) -> bool:
    """Whether another process can open the same database (not an in-memory SQLite one)."""
    url = store.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


class _Child:
    """The job's end of a page writer process: framed pickles over the writer's stdin and stdout.

    A sender thread writes the frames, so that the job maps the next page while one is still going
    through the pipe (a page is megabytes; the pipe holds 64 KiB, and the writer reads a page only
    once it has committed the one before)."""

    def __init__(self, on_commit: Callable[[Written], None], checkpoint_wal: Callable[[], None]) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "leadloop.sync.writer"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
            env={**os.environ, "PYTHONPATH": path}, start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.from_child = self.proc.stdout.fileno()
        self.on_commit = on_commit
        self.checkpoint_wal = checkpoint_wal
        self.committed = self.checkpointed = 0  # pages committed; how many of them when last checkpointed
        self.in_flight: collections.deque[int] = collections.deque()  # records of each page handed over
        self.frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.sender = threading.Thread(target=self._send_frames, args=(self.proc.stdin.fileno(),),
                                       name=f"page-writer-{self.proc.pid}", daemon=True)
        self.sender.start()

    def begin(self, url: str, ctx: WriteContext) -> None:
        self.frames.put(_dumps((url, ctx)))

    def send(self, work: PageWork) -> None:
        if self.in_flight and sum(self.in_flight) + work.mapped > BACKLOG:
            self._wait_for_commits()
        while self.in_flight and sum(self.in_flight) + work.mapped > BACKLOG:
            self._receive()
        self.frames.put(_dumps(work))
        self.in_flight.append(work.mapped)
        while self.in_flight and select.select([self.from_child], [], [], 0)[0]:
            self._receive()  # commits already done: counters and progress as soon as they are known

    def drain(self) -> None:
        if self.in_flight:
            self._wait_for_commits()
        while self.in_flight:
            self._receive()

    def _wait_for_commits(self) -> None:
        """Ask the writer to commit what it holds, then copy what it committed from the WAL into the
        database file, here and now: this process would only wait, and the writer's commits would
        otherwise stop for it once the log is long (a fifth of the writer's time on a long import,
        where the writer is the slower side)."""
        self.frames.put(_COMMIT_NOW)
        if self.committed > self.checkpointed:
            self.checkpointed = self.committed
            self.checkpoint_wal()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.frames.put(None)
        self.sender.join()  # its write, if any, failed when the writer died
        for pipe in (self.proc.stdin, self.proc.stdout):  # only now: the sender may not write to a reused descriptor
            if pipe is not None:
                pipe.close()

    def _send_frames(self, fd: int) -> None:
        while (frame := self.frames.get()) is not None:
            try:
                _write_frame(fd, frame)
            except OSError:
                return  # the writer ended: the job learns how when it reads the writer's answers

    def _receive(self) -> None:
        frame = _read_frame(self.from_child)
        if frame is None:
            raise self._died()
        kind, *rest = pickle.loads(frame)
        if kind == "error":
            exc, where = rest
            exc.add_note(f"raised in the page writer process (pid {self.proc.pid}):\n{where}")
            raise exc
        self.in_flight.popleft()
        self.committed += 1
        self.on_commit(rest[0])

    def _died(self) -> FatalError:
        code = self.proc.wait()
        return FatalError(
            f"the page writer process (pid {self.proc.pid}) ended with exit status {code} before committing "
            f"{len(self.in_flight)} handed-over page(s); the next run resumes after the last committed page"
        )


def _dumps(message: Any) -> bytes:
    # Without the memo: a page is ~150k distinct strings and numbers, none shared and no cycles, and
    # remembering each (to write a repeat as a reference) costs more than writing it out.
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(message)
    return buffer.getvalue()


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int) -> bytes | None:
    """The next frame, or ``None`` if the pipe closed (even mid-frame: a partial page is no page)."""
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    return _read_exact(fd, _HEADER.unpack(header)[0])


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (so the job sees the same class), else a FatalError saying it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - whatever stops the round trip, the message still gets through
        return FatalError(f"{type(exc).__name__}: {exc}")
    return exc


def _group(source: int) -> Iterator[PageWork]:
    """The pages of the next transaction, each as soon as it arrives, so that its statements run
    while the next is on its way: :data:`GROUP` records' worth, or fewer when the first has waited
    :data:`HOLD_SECONDS`, the job asks for a commit or it closes the pipe. Whole pages only (one cut
    short by the job's end is no page); none once the job has closed the pipe."""
    pages = records = 0
    due = 0.0
    while records < GROUP:
        if pages and not select.select([source], [], [], max(due - time.monotonic(), 0))[0]:
            return
        frame = _read_frame(source)
        if frame is None:
            return
        if frame == _COMMIT_NOW:
            if pages:
                return
            continue  # what the job waits for has committed already
        page: PageWork = pickle.loads(frame)
        del frame
        if not pages:
            due = time.monotonic() + HOLD_SECONDS
        pages += 1
        records += page.mapped
        yield page


def main() -> None:
    """The writer process: pages from stdin, committed in groups, each page answered on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    source, answers = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the frames
    frame = _read_frame(source)
    if frame is None:
        return
    url, ctx = pickle.loads(frame)
    store = Store.open(url)
    try:
        while (first := next(pages := _group(source), None)) is not None:
            try:
                with store.transaction() as conn:
                    written = [write_page(conn, ctx, first)]
                    del first  # not alive beside the next ones
                    written += [write_page(conn, ctx, work) for work in pages]
            except Exception as exc:  # noqa: BLE001 - every failure goes to the job, which raises it
                _write_frame(answers, pickle.dumps(("error", _portable(exc), traceback.format_exc())))
                return
            for page in written:
                _write_frame(answers, pickle.dumps(("ok", page)))
    except BrokenPipeError:
        pass  # the job is gone; the page it was told about has committed, as a page it committed would have
    finally:
        store.close()


if __name__ == "__main__":
    main()
