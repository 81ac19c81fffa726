"""The SFTP inbox against the sandbox: which files are complete, streaming, finishing, reconnecting.

Files are "uploaded" by writing into the sandbox's directory, which is what the server serves.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from leadloop.errors import ConfigError, RetriableError
from leadloop_csv_sftp import Reject, SftpInbox, UnreadableFile, open_table, sandbox


def upload(inbox_dir: Path, name: str, data: bytes, *, done: bool = False, mtime: int | None = None) -> Path:
    path = inbox_dir / name
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    if done:
        (inbox_dir / f"{name}.done").touch()
    return path


def lead_rows(n: int) -> bytes:
    lines = ["first_name,last_name,email,notes"]
    lines += [f'Anna{i},Müller,anna{i}@example.com,"met at booth {i}, wants a demo"' for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def stable_inbox(settings: dict[str, Any]) -> SftpInbox:
    return SftpInbox({**settings, "completion": "stable_size"}, {"password": "secret"}, retry_delays=(0.05,))


def names(files: list[Any]) -> list[str]:
    return [f.name for f in files]


# --- which files ------------------------------------------------------------------------------


def test_glob_matching_is_case_insensitive_and_skips_markers_dot_files_and_folders(
    inbox_dir: Path, stable_inbox: SftpInbox
) -> None:
    upload(inbox_dir, "a.csv", b"x\n1\n", mtime=1_700_000_200)
    upload(inbox_dir, "B.CSV", b"x\n1\n", mtime=1_700_000_100)  # older: comes first
    upload(inbox_dir, "notes.txt", b"x\n")
    upload(inbox_dir, ".~lock.a.csv#", b"x\n")
    upload(inbox_dir, ".partial.csv", b"x\n")
    upload(inbox_dir, "c.csv.done", b"")
    (inbox_dir / "folder.csv").mkdir()
    state: dict[str, Any] = {}
    assert stable_inbox.complete_files(state) == []  # first sight: sizes not known to be stable
    assert names(stable_inbox.complete_files(state)) == ["B.CSV", "a.csv"]


def test_several_patterns(inbox_dir: Path, settings: dict[str, Any]) -> None:
    upload(inbox_dir, "a.csv", b"x\n", done=True)
    upload(inbox_dir, "b.xlsx", b"x\n", done=True)
    upload(inbox_dir, "c.txt", b"x\n", done=True)
    with SftpInbox({**settings, "pattern": ["*.csv", "*.XLSX"]}, {"password": "secret"}) as inbox:
        assert sorted(names(inbox.complete_files({}))) == ["a.csv", "b.xlsx"]


def test_done_marker_decides_completeness(inbox_dir: Path, inbox: SftpInbox) -> None:
    upload(inbox_dir, "half.csv", lead_rows(10)[:50])
    state: dict[str, Any] = {}
    assert inbox.complete_files(state) == [] and inbox.complete_files(state) == []  # stable, but no marker
    (inbox_dir / "half.csv").write_bytes(lead_rows(10))
    (inbox_dir / "half.csv.done").touch()
    [remote] = inbox.complete_files(state)
    assert (remote.name, remote.path, remote.size) == ("half.csv", "/inbox/half.csv", len(lead_rows(10)))


def test_stable_size_waits_while_a_file_grows(inbox_dir: Path, stable_inbox: SftpInbox) -> None:
    data = lead_rows(100)
    path = upload(inbox_dir, "growing.csv", data[:1000])
    state: dict[str, Any] = {}
    assert stable_inbox.complete_files(state) == []
    with open(path, "ab") as f:  # the upload goes on between polls
        f.write(data[1000:2000])
    assert stable_inbox.complete_files(state) == []
    with open(path, "ab") as f:
        f.write(data[2000:])
    assert stable_inbox.complete_files(state) == []
    assert state == {"sizes": {"growing.csv": [len(data), int(path.stat().st_mtime)]}}  # JSON-ready
    [remote] = stable_inbox.complete_files(state)
    assert remote.size == len(data)


def test_state_forgets_files_that_are_gone(inbox_dir: Path, stable_inbox: SftpInbox) -> None:
    path = upload(inbox_dir, "a.csv", b"x\n1\n")
    state: dict[str, Any] = {}
    stable_inbox.complete_files(state)
    path.unlink()
    assert stable_inbox.complete_files(state) == [] and state == {"sizes": {}}


def test_missing_directory_is_a_config_error(settings: dict[str, Any]) -> None:
    with (
        SftpInbox({**settings, "directory": "/drop"}, {"password": "secret"}) as inbox,
        pytest.raises(ConfigError, match="the directory /drop does not exist"),
    ):
        inbox.complete_files({})


# --- reading ----------------------------------------------------------------------------------


def test_streams_a_multi_window_file_with_a_stable_checksum(inbox_dir: Path, inbox: SftpInbox) -> None:
    data = lead_rows(40_000)  # ~3 MiB: several 1 MiB windows
    upload(inbox_dir, "leads.csv", data, done=True)
    [remote] = inbox.complete_files({})
    digests = []
    for _ in range(2):
        with inbox.open(remote) as table:
            assert table.headers == ["first_name", "last_name", "email", "notes"]
            pages = list(table.pages(5000))
            digests.append(table.sha256)
        assert sum(len(p.rows) for p in pages) == 40_000
        assert pages[-1].rows[-1] == (40_001, ["Anna39999", "Müller", "anna39999@example.com", "met at booth 39999, wants a demo"])
    assert digests == [hashlib.sha256(data).hexdigest()] * 2


def test_reads_xlsx_over_sftp(inbox_dir: Path, settings: dict[str, Any], tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["email", "employees"])
    book.active.append(["a@example.com", 250])
    book.save(tmp_path / "show.xlsx")
    upload(inbox_dir, "show.xlsx", (tmp_path / "show.xlsx").read_bytes(), done=True)
    with SftpInbox({**settings, "pattern": "*.xlsx"}, {"password": "secret"}) as inbox:
        [remote] = inbox.complete_files({})
        with inbox.open(remote) as table:
            assert list(table) == [(2, ["a@example.com", "250"])]
            assert table.sha256 == hashlib.sha256((tmp_path / "show.xlsx").read_bytes()).hexdigest()


def test_settings_reach_the_reader(inbox_dir: Path, settings: dict[str, Any]) -> None:
    upload(inbox_dir, "l1.csv", "a;b\nx\x80;y\n".encode("latin-1"), done=True)
    with SftpInbox({**settings, "encoding": "latin-1", "delimiter": ";"}, {"password": "secret"}) as inbox:
        [remote] = inbox.complete_files({})
        with inbox.open(remote) as table:
            assert list(table) == [(2, ["x\x80", "y"])]


# --- finishing --------------------------------------------------------------------------------


def test_processed_file_moves_with_its_marker_and_reports_land_in_errors(
    inbox_dir: Path, inbox: SftpInbox
) -> None:
    upload(inbox_dir, "leads.csv", b"name,email\nAnna,anna@example.com\nBob\nEve,=cmd|'/C calc'!A0\n", done=True)
    [remote] = inbox.complete_files({})
    with inbox.open(remote) as table:
        rows = list(table)
        errors = [*table.rejects, {"row": 4, "field": "email", "reason": "not an e-mail address", "value": rows[1][1][1]}]
    finished = inbox.finish(remote, "processed", errors)

    assert finished.moved_to == "/inbox/processed/leads.csv"
    assert finished.reports == ("/inbox/errors/leads.csv.errors.csv", "/inbox/errors/leads.csv.errors.xlsx")
    assert sorted(p.name for p in inbox_dir.iterdir()) == ["errors", "processed"]
    assert sorted(p.name for p in (inbox_dir / "processed").iterdir()) == ["leads.csv", "leads.csv.done"]
    report = list(open_table(inbox_dir / "errors" / "leads.csv.errors.csv"))
    assert report == [
        (2, ["3", "", "the row has 1 cells, the header has 2", "Bob"]),
        (3, ["4", "email", "not an e-mail address", "'=cmd|'/C calc'!A0"]),
    ]
    sheet = openpyxl.load_workbook(inbox_dir / "errors" / "leads.csv.errors.xlsx").active
    assert [c.value for c in sheet[3]] == [4, "email", "not an e-mail address", "'=cmd|'/C calc'!A0"]
    assert inbox.complete_files({}) == []


def test_no_errors_no_reports(inbox_dir: Path, inbox: SftpInbox) -> None:
    upload(inbox_dir, "clean.csv", b"a\n1\n", done=True)
    [remote] = inbox.complete_files({})
    assert inbox.finish(remote, "processed").reports == ()
    assert not (inbox_dir / "errors").exists()


def test_unreadable_file_goes_to_failed_with_its_reason(inbox_dir: Path, inbox: SftpInbox) -> None:
    upload(inbox_dir, "empty.csv", b"", done=True)
    [remote] = inbox.complete_files({})
    with pytest.raises(UnreadableFile) as caught:
        inbox.open(remote)
    finished = inbox.finish(remote, "failed", reason=caught.value.reason)
    assert finished.moved_to == "/inbox/failed/empty.csv"
    assert (inbox_dir / "failed" / "empty.csv").exists()
    assert (inbox_dir / "failed" / "empty.csv.reason.txt").read_text() == "file is empty\n"


def test_a_name_already_taken_gets_a_timestamp(inbox_dir: Path, inbox: SftpInbox) -> None:
    (inbox_dir / "processed").mkdir()
    (inbox_dir / "processed" / "leads.csv").write_bytes(b"last week's file\n")
    upload(inbox_dir, "leads.csv", b"a\n1\n", done=True)
    [remote] = inbox.complete_files({})
    finished = inbox.finish(remote, "processed", [Reject(2, "short_row", "x")])
    moved = finished.moved_to.rsplit("/", 1)[1]
    assert moved.startswith("leads.") and moved.endswith("Z.csv") and moved != "leads.csv"
    assert (inbox_dir / "processed" / "leads.csv").read_bytes() == b"last week's file\n"
    assert (inbox_dir / "processed" / moved).read_bytes() == b"a\n1\n"
    assert finished.reports[0] == f"/inbox/errors/{moved}.errors.csv"


def test_finish_refuses_a_failure_without_reason(inbox_dir: Path, inbox: SftpInbox) -> None:
    upload(inbox_dir, "a.csv", b"a\n", done=True)
    [remote] = inbox.complete_files({})
    with pytest.raises(ValueError, match="needs a reason"):
        inbox.finish(remote, "failed")
    assert (inbox_dir / "a.csv").exists()


# --- dropped connections ----------------------------------------------------------------------


def test_reconnects_after_a_dropped_connection(inbox_dir: Path, inbox: SftpInbox, server: sandbox.SftpSandbox) -> None:
    upload(inbox_dir, "a.csv", b"a\n1\n", done=True)
    assert names(inbox.complete_files({})) == ["a.csv"]
    server.drop_connections()
    assert names(inbox.complete_files({})) == ["a.csv"]


# paramiko's prefetch thread for the next window may be cut off mid-send and die with EOFError in the
# background; the reader does not depend on it (it reopens the file and asks again).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_drop_in_the_middle_of_a_file_resumes_at_the_same_offset(
    inbox_dir: Path, inbox: SftpInbox, server: sandbox.SftpSandbox
) -> None:
    data = lead_rows(40_000)
    upload(inbox_dir, "leads.csv", data, done=True)
    [remote] = inbox.complete_files({})
    with inbox.open(remote) as table:
        pages = table.pages(1000)
        first = next(pages)
        server.drop_connections()
        rest = list(pages)
        rows = [r for p in [first, *rest] for r in p.rows]
        assert [n for n, _ in rows] == list(range(2, 40_002))
        assert not any(p.rejects for p in rest)
        assert table.sha256 == hashlib.sha256(data).hexdigest()


def test_gives_up_with_a_retriable_error_when_the_server_is_gone(
    inbox_dir: Path, inbox: SftpInbox, server: sandbox.SftpSandbox
) -> None:
    inbox.complete_files({})
    server.stop()
    with pytest.raises(RetriableError, match=r"connection lost while listing /inbox \(3 attempts"):
        inbox.complete_files({})
