"""Reading a query's pages with the next request already on its way.

Salesforce answers a query page as ``{"totalSize", "done", "nextRecordsUrl", "records": [...]}``,
the locator ahead of the rows. The first bytes of an answer are therefore enough to ask for the next
page, so that page's round trip overlaps this one's transfer, decoding and storing: a pull costs
about one round trip per page rather than a round trip plus the page's processing. The calls are
the same ones, in the same order: each locator is requested once, after the page that names it.

One requester thread sends the requests and reads each answer's first bytes; a reader thread takes
the rest of a body once the next request is sent, so that request never waits behind other work.
Look-ahead is bounded: at most ``DEPTH`` pages are requested or held beyond the ones the caller has
finished with, so a slow store holds the reads back instead of buffering the whole result. An answer that does not start
with the locator (another field order) is decoded first and its locator asked for then: slower,
never wrong.

Records are decoded by orjson as the body arrives, a run of whole records per read: ~8 ms for a
2,000-row page, half what the standard library took record by record, and the page is ready soon
after its last byte, with the interpreter never held for long. Each record is kept
without its ``attributes`` and so holds plain values only: Python's cycle collector does not track
such dicts, and a long pull does not set off full collections of the whole process.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
from leadloop.errors import FatalError

from .client import SalesforceClient

DEPTH = 3
# The start of a query page as Salesforce writes it, up to its records' opening bracket; anchored at
# the first byte, so no field value can imitate it.
_HEAD = re.compile(
    rb'\A\s*\{\s*"totalSize"\s*:\s*\d+\s*,\s*"done"\s*:\s*(true|false)\s*,'
    rb'\s*(?:"nextRecordsUrl"\s*:\s*"(/services/[^"\\]+)"\s*,\s*)?"records"\s*:\s*\['
)
_HEAD_BYTES = 512  # a locator URL is well under this; past it, the answer is not in that shape
_NEXT_RECORD = b'},{"attributes":'


@dataclass(frozen=True)
class QueryPage:
    records: list[dict[str, Any]]  # without their "attributes"
    done: bool
    next_url: str | None


@dataclass(frozen=True)
class _Shape:
    """What an answer's first bytes said: the next page, if any, and where its records start."""

    next_url: str | None
    records_at: int


Content = tuple[QueryPage, bool]  # a page, and whether its next page was already asked for


class QueryPages:
    """The pages of one query, in order; closing the iterator early stops the reading."""

    def __init__(self, client: SalesforceClient, headers: dict[str, str]) -> None:
        self._client = client
        self._headers = headers
        self._readers = ThreadPoolExecutor(max_workers=DEPTH, thread_name_prefix="salesforce-page")
        self._answers: queue.SimpleQueue[Future[Content]] = queue.SimpleQueue()
        self._turn = threading.Condition()
        self._outstanding = 0  # pages requested and not yet finished with by the caller
        self._closed = False
        self._requester: threading.Thread | None = None

    def read(self, path: str, params: dict[str, str]) -> Generator[QueryPage, None, None]:
        try:
            self._follow(path, params)
            while True:
                page, chained = self._answers.get().result()
                if page.next_url is not None and not chained:
                    self._follow(page.next_url, None)
                yield page
                if page.done:
                    return
                with self._turn:
                    self._outstanding -= 1
                    self._turn.notify()
        finally:
            with self._turn:
                self._closed = True
                self._turn.notify()
            if self._requester is not None:
                self._requester.join()
            self._readers.shutdown(wait=True)  # each reader closes its answer

    def _follow(self, path: str, params: dict[str, str] | None) -> None:
        """Request ``path`` and, while answers name their next page up front, the pages after it."""
        if self._requester is not None:
            self._requester.join()  # it stopped at an answer it could not read ahead of
        self._requester = threading.Thread(target=self._request_chain, args=(path, params),
                                           name="salesforce-query", daemon=True)
        self._requester.start()

    def _request_chain(self, path: str | None, params: dict[str, str] | None) -> None:
        # A page's body is read from when the next request is on the wire: started earlier, its
        # reading would compete with sending that request, and delay it.
        deliver: Callable[[], None] | None = None
        try:
            while path is not None:
                with self._turn:
                    while self._outstanding >= DEPTH and not self._closed:
                        self._turn.wait()
                    if self._closed:
                        return
                    self._outstanding += 1
                page: Future[Content] = Future()
                self._answers.put(page)
                try:
                    answer = self._client.open("GET", path, params=params, headers=self._headers,
                                               on_sent=deliver)
                    chunks = answer.chunks()
                    head, shape = _head(chunks)
                    read_this = _once(partial(self._readers.submit, _read_rest, page, answer.where, head,
                                              chunks, shape))
                except BaseException as exc:  # noqa: BLE001  # the caller meets it in this page's place
                    page.set_exception(exc)
                    return
                finally:
                    if deliver is not None:
                        deliver()  # no-op once the request went out; else the request failed first
                deliver = read_this
                path, params = (shape.next_url if shape else None), None
        finally:
            if deliver is not None:
                deliver()


def _once(action: Callable[[], object]) -> Callable[[], None]:
    done = threading.Lock()

    def run() -> None:
        if done.acquire(blocking=False):
            action()

    return run


def _head(chunks: Iterator[bytes]) -> tuple[bytes, _Shape | None]:
    """The bytes read until the answer's start shows its shape, and that shape (``None``: another)."""
    head = b""
    for chunk in chunks:
        head += chunk
        found = _HEAD.match(head)
        if found:
            done, next_url = found.group(1) == b"true", found.group(2)
            if done == (next_url is None):
                return head, _Shape(next_url.decode("ascii") if next_url else None, found.end())
            break
        if len(head) > _HEAD_BYTES:
            break
    return head, None


def _read_rest(page: Future[Content], where: str, head: bytes, chunks: Iterator[bytes],
               shape: _Shape | None) -> None:
    try:
        if shape is None:
            page.set_result((_whole(b"".join([head, *chunks]), where), False))
            return
        records = _Records(head, shape.records_at)
        for chunk in chunks:
            records.feed(chunk)
        # the next page is already asked for if there is one
        page.set_result((records.finish(where, shape.next_url), shape.next_url is not None))
    except BaseException as exc:  # noqa: BLE001  # unset, the page would leave the caller waiting
        page.set_exception(exc)


class _Records:
    """A page's records decoded by orjson as its bytes arrive, a run of whole records at a time.

    A run ends before ``},{"attributes":``, which no string can hold (its quote would be escaped);
    one that is not a boundary between two records of the page (a nested record list) fails to
    decode on its own and waits for the end. Whatever is odd at the end is decoded with the whole
    answer, which checks its shape and names what is wrong."""

    def __init__(self, head: bytes, records_at: int) -> None:
        self._head = head[:records_at]  # up to the records' opening bracket
        self._rest = bytearray(head[records_at:])
        self._done = 0  # bytes of _rest decoded, up to the comma before the next record
        self._rows: list[dict[str, Any]] = []

    def feed(self, data: bytes) -> None:
        self._rest += data
        cut = self._rest.rfind(_NEXT_RECORD, self._done)
        if cut >= 0 and self._take(b"[" + self._rest[self._done:cut + 1] + b"]"):
            self._done = cut + 2

    def finish(self, where: str, next_url: str | None) -> QueryPage:
        last = bytes(self._rest[self._done:]).rstrip()
        # the rest of the array, without the page's own closing brace
        if last.endswith(b"}") and self._take(b"[" + last[:-1]):
            return QueryPage(self._rows, next_url is None, next_url)
        return _whole(self._head + self._rest, where)

    def _take(self, text: bytes) -> bool:
        """Keep the records ``text`` holds, if it is a JSON list of records."""
        try:
            rows = orjson.loads(text)
        except orjson.JSONDecodeError:
            return False
        if not (isinstance(rows, list) and all(isinstance(row, dict) for row in rows)):
            return False
        self._rows += map(_plain, rows)
        return True


def _whole(content: bytes, where: str) -> QueryPage:
    """A query page decoded in one piece, its shape checked."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise FatalError(f"{where}: Salesforce's answer is not JSON ({exc}): {content[:200]!r}") from None
    rows = body.get("records") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows) or not isinstance(
            body.get("done"), bool) or (not body["done"] and not isinstance(body.get("nextRecordsUrl"), str)):
        raise FatalError(f"{where}: Salesforce's answer is not a query page: {content[:200]!r}")
    records = [_plain(row) for row in rows]
    return QueryPage(records, body["done"], None if body["done"] else body["nextRecordsUrl"])


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A record without its ``attributes``: plain values only, a dict the cycle collector skips."""
    return {k: v for k, v in row.items() if k != "attributes"}
