"""Query pages read with the next request in flight: order, bounds, early stops and odd answers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from leadloop.errors import FatalError
from leadloop_salesforce.paging import DEPTH, QueryPages
from leadloop_salesforce.sandbox import start


def requests_made(sandbox) -> int:
    counters = sandbox.org.counters()
    return counters.get("queryAll", 0) + counters.get("query_more", 0)


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_pages_are_asked_for_ahead_of_the_caller_but_no_further_than_the_bound(connect):
    with start(seed=3, leads=1000) as sf:
        pages = connect(sf, query_batch_size=200).pull("lead", None)
        first = next(pages)  # the caller holds page 1 and asks for nothing more
        wait_for(lambda: requests_made(sf) == DEPTH)
        time.sleep(0.3)
        assert requests_made(sf) == DEPTH  # read ahead, and then held back
        rest = list(pages)
        assert len(first.records) + sum(len(p.records) for p in rest) == 1000
        assert sf.org.counters() == {"token": 1, "queryAll": 1, "query_more": 4}  # each locator once


def test_closing_a_pull_early_stops_its_requests_and_threads(connect):
    with start(seed=3, leads=1000) as sf:
        pages = connect(sf, query_batch_size=200).pull("lead", None)
        next(pages)
        pages.close()
        made = requests_made(sf)
        time.sleep(0.3)
        assert requests_made(sf) == made < 5
        assert not [t for t in threading.enumerate() if t.name.startswith("salesforce-")]


# -- answers in shapes the sandbox does not send, through a client that serves fixed bytes


class _Answer:
    def __init__(self, body: bytes, size: int, path: str) -> None:
        self._body, self._size, self.where = body, size, f"GET {path}"

    def chunks(self) -> Iterator[bytes]:
        for i in range(0, len(self._body), self._size):
            yield self._body[i:i + self._size]


class _Client:
    """Answers each path with its page's bytes, cut into ``size``-byte pieces; records the paths.

    ``signals``: whether it says when a request is on the wire (an HTTP stack without the trace
    hook would not)."""

    def __init__(self, pages: dict[str, bytes], size: int, signals: bool = True) -> None:
        self.pages, self.size, self.signals, self.asked = pages, size, signals, []

    def open(self, method: str, path: str, *, params=None, headers=None, on_sent=None) -> _Answer:
        self.asked.append(path)
        if on_sent is not None and self.signals:
            on_sent()
        return _Answer(self.pages[path], self.size, path)


NEXT = "/services/data/v60.0/queryAll/01gXYZ-2"
TRICKY = [
    {"attributes": {"type": "Lead", "url": "/x/1"}, "Id": "1", "LastName": 'Müller ] } , "records":[ 🙂',
     "Description": "line one\nline two \\ \"quoted\""},
    {"attributes": {"type": "Lead", "url": "/x/2"}, "Id": "2", "LastName": None, "NumberOfEmployees": 12},
    # a value that spells a record boundary, and a nested list of records (a relationship query's)
    {"attributes": {"type": "Lead", "url": "/x/4"}, "Id": "4", "Description": '},{"attributes":{}}',
     "Contacts": {"totalSize": 2, "done": True, "records": [
         {"attributes": {"type": "Contact", "url": "/c/1"}, "Id": "c1"},
         {"attributes": {"type": "Contact", "url": "/c/2"}, "Id": "c2"}]}},
]
LAST = [{"attributes": {"type": "Lead", "url": "/x/3"}, "Id": "3", "AnnualRevenue": 1.5}]


def read(pages: dict[str, bytes], size: int) -> tuple[list[list[dict]], list[str]]:
    client = _Client(pages, size)
    answers = list(QueryPages(client, {}).read("/q", {"q": "SELECT Id FROM Lead"}))  # type: ignore[arg-type]
    assert [a.done for a in answers] == [False, True]
    return [a.records for a in answers], client.asked


def without_attributes(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "attributes"} for row in rows]


@pytest.mark.parametrize("indent", [None, 1])  # compact, as Salesforce writes it, and spaced out
@pytest.mark.parametrize("size", [1, 7, 100, 4096])
def test_a_page_cut_anywhere_decodes_to_the_same_records(size, indent):
    separators = (",", ":") if indent is None else None
    first = json.dumps({"totalSize": 4, "done": False, "nextRecordsUrl": NEXT, "records": TRICKY},
                       ensure_ascii=False, indent=indent, separators=separators).encode()
    last = json.dumps({"totalSize": 4, "done": True, "records": LAST}, separators=separators).encode()
    records, asked = read({"/q": first, NEXT: last}, size)
    assert records == [without_attributes(TRICKY), without_attributes(LAST)]
    assert asked == ["/q", NEXT]


def test_an_answer_with_its_records_first_is_read_whole_and_followed_after():
    first = json.dumps({"records": TRICKY, "totalSize": 4, "nextRecordsUrl": NEXT, "done": False}).encode()
    last = json.dumps({"done": True, "records": LAST, "totalSize": 4}).encode()
    records, asked = read({"/q": first, NEXT: last}, 64)
    assert records == [without_attributes(TRICKY), without_attributes(LAST)]
    assert asked == ["/q", NEXT]


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"totalSize":1,"done":true,"records":[{"Id":"1"},', "not JSON"),
    (b'{"totalSize":1,"done":true,"records":[{"Id":"1"},]}', "not JSON"),
    (b'{"totalSize":1,"done":true,"records":[{"Id":"1"}]} {"Id":"2"}', "not JSON"),
    (b'{"totalSize":1,"done":true,"records":[1]}', "not a query page"),
    (b'<html>maintenance</html>', "not JSON"),
    (b'{"totalSize":1,"done":false,"records":[]}', "not a query page"),
])
def test_an_unreadable_page_is_an_error_naming_the_request(body, reason):
    with pytest.raises(FatalError, match=reason) as caught:
        list(QueryPages(_Client({"/q": body}, 5), {}).read("/q", {}))  # type: ignore[arg-type]
    assert "GET /q" in str(caught.value)


def test_without_word_that_a_request_went_out_every_page_still_arrives_in_order():
    urls = [f"/services/data/v60.0/queryAll/01gXYZ-{n}" for n in range(1, 8)]
    pages = {}
    for n, path in enumerate(["/q", *urls]):
        body = {"totalSize": 8, "done": n == 7, "records": [{"Id": str(n)}]}
        if n < 7:
            body = {"totalSize": 8, "done": False, "nextRecordsUrl": urls[n], "records": [{"Id": str(n)}]}
        pages[path] = json.dumps(body).encode()
    client = _Client(pages, 16, signals=False)
    answers = list(QueryPages(client, {}).read("/q", {}))  # type: ignore[arg-type]
    assert [a.records[0]["Id"] for a in answers] == [str(n) for n in range(8)]
    assert client.asked == ["/q", *urls]
