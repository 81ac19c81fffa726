"""The csv_sftp connector's pull job, end to end: SFTP sandbox -> engine -> SQLite, no mocks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from leadloop.store import Store
from leadloop.store.tables import checkpoints, files, leads
from leadloop_csv_sftp import connector as connector_module
from leadloop_csv_sftp import sandbox
from sqlalchemy import delete, select, update

Pull = Callable[[], dict[str, Any]]
Apply = Callable[..., None]

HEADER = "Email,First Name,Last Name,Company,Country,Employees,Campaign,Notes\n"
GOOD = (
    HEADER
    + "anna@example.com,Anna,Müller,Acme GmbH,Germany,120,CEBIT-24,\"met at booth 7,\nwants a demo\"\n"
    + "bob@example.com,Bob,Smith,Beta Inc,USA,15,CEBIT-24,\n"
    + "chloe@example.fr,Chloé,Durand,Gamma SA,fr,,CEBIT-24,call back in May\n"
)


def drop(inbox_dir: Path, name: str, content: str | bytes, *, done: bool = True) -> Path:
    path = inbox_dir / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    if done:
        (inbox_dir / f"{name}.done").touch()
    return path


def stored(leadloop_store: Store) -> list[dict[str, Any]]:
    with leadloop_store.read() as conn:
        rows = conn.execute(select(leads).where(leads.c.tenant_id == "acme").order_by(leads.c.email)).mappings()
        return [dict(r) for r in rows]


def report(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def known_files(leadloop_store: Store) -> list[tuple[str, str, int | None, str | None]]:
    with leadloop_store.read() as conn:
        return [tuple(r) for r in conn.execute(select(files.c.name, files.c.status, files.c.rows, files.c.reason)
                                               .order_by(files.c.at))]  # type: ignore[misc]


def test_a_good_file_is_imported_moved_and_recorded(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    drop(inbox_dir, "show.csv", GOOD)
    apply()
    run = pull()
    assert run["outcome"] == "ok", run["error"]
    assert (run["records_read"], run["records_written"], run["records_failed"]) == (3, 3, 0)
    anna, bob, chloe = stored(leadloop_store)
    assert (anna["first_name"], anna["address_country"], anna["employees"], anna["campaign"]) == (
        "Anna", "DE", 120, "CEBIT-24")
    assert anna["notes"] == "met at booth 7,\nwants a demo"
    assert (bob["address_country"], chloe["address_country"], chloe["employees"]) == ("US", "FR", None)
    assert {lead["source_connector"] for lead in (anna, bob, chloe)} == {"drop"}
    # Every row is its own lead (uniqueness "none"), keyed by the file's content and the row.
    assert len({lead["uniqueness_key"] for lead in (anna, bob, chloe)}) == 3
    assert sorted(p.name for p in (inbox_dir / "processed").iterdir()) == ["show.csv", "show.csv.done"]
    assert not (inbox_dir / "show.csv").exists() and not (inbox_dir / "errors").exists()
    assert known_files(leadloop_store) == [("show.csv", "processed", 3, None)]


def test_bad_rows_are_reported_with_row_field_and_reason_and_good_rows_imported(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    drop(inbox_dir, "mixed.csv", (
        HEADER
        + "ok@example.com,Ok,Row,Acme,DE,10,,\n"             # row 2: fine
        + "not-an-email,Bad,Mail,Acme,DE,10,,\n"            # row 3: email syntax
        + ",No,Mail,Acme,DE,10,,\n"                         # row 4: no email, PII-free not allowed
        + "x@example.com,No,Company,,Narnia,many,,\n"       # row 5: company, country and employees
        + "short@example.com,Short\n"                       # row 6: short row (the reader refuses it)
        + "ok2@example.com,Ok,Two,Beta,United States,5,,\n"  # row 7: fine
    ))
    apply()
    run = pull()
    assert run["outcome"] == "ok", run["error"]
    assert [lead["email"] for lead in stored(leadloop_store)] == ["ok2@example.com", "ok@example.com"]
    # Six rows read, four refused (one of them by the reader), each counted once however many fields.
    assert (run["records_read"], run["records_written"], run["records_failed"]) == (6, 2, 4)
    expected = [
        ["3", "Email", "not an email address", "not-an-email"],
        ["4", "Email", ("required: this connector does not import leads without an email address "
         "(set allow_pii_free: true in its settings to allow them)"), ""],
        ["5", "Company", "required", ""],
        ["5", "Employees", "not a whole number", "many"],
        ["5", "Country", "unknown country 'Narnia' (use a country name or an ISO 3166 code such as 'DE')", "Narnia"],
        ["6", "", "the row has 2 cells, the header has 8", "short@example.com,Short"],
    ]
    assert report(inbox_dir / "errors" / "mixed.csv.errors.csv") == [["row", "field", "reason", "value"], *expected]
    sheet = openpyxl.load_workbook(inbox_dir / "errors" / "mixed.csv.errors.xlsx").active
    assert [[str(c) for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        [cell or "None" for cell in line] for line in expected]
    # The run keeps the same facts in the store.
    assert sorted((r["record"], r["field"]) for r in run["rejects"]) == sorted(
        (f"row {line[0]}", line[1]) for line in expected)
    assert known_files(leadloop_store) == [("mixed.csv", "processed", 6, None)]


def test_a_half_uploaded_file_waits_for_its_done_marker(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    drop(inbox_dir, "late.csv", GOOD[:70], done=False)
    apply()
    assert pull()["records_read"] == 0
    drop(inbox_dir, "late.csv", GOOD, done=True)
    assert pull()["records_read"] == 3
    assert len(stored(leadloop_store)) == 3


def test_stable_size_imports_a_file_once_it_stopped_growing(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    apply(completion="stable_size")
    bob = HEADER + "bob@example.com,Bob,Smith,Beta Inc,USA,15,CEBIT-24,\n"
    drop(inbox_dir, "grow.csv", bob[:70], done=False)
    assert pull()["records_read"] == 0  # first sight
    drop(inbox_dir, "grow.csv", bob, done=False)
    assert pull()["records_read"] == 0  # it grew
    assert pull()["records_read"] == 1  # same size and time as at the last poll: complete
    assert [lead["email"] for lead in stored(leadloop_store)] == ["bob@example.com"]


def test_the_same_content_twice_is_skipped_and_reported(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    drop(inbox_dir, "monday.csv", GOOD)
    apply()
    pull()
    drop(inbox_dir, "monday-again.csv", GOOD)
    run = pull()
    assert run["outcome"] == "ok"
    assert len(stored(leadloop_store)) == 3
    [reject] = run["rejects"]
    assert reject["record"] == "file" and reject["source"].startswith("monday-again.csv sha256:")
    assert reject["reason"].startswith("the same content was imported from 'monday.csv' on ")
    assert reject["reason"].endswith("(3 rows): not imported again")
    processed = inbox_dir / "processed"
    assert (processed / "monday-again.csv").exists()
    assert "not imported again" in (processed / "monday-again.csv.reason.txt").read_text()
    assert known_files(leadloop_store) == [("monday.csv", "processed", 3, None)]


def test_a_different_file_with_the_same_name_is_imported(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    drop(inbox_dir, "daily.csv", GOOD)
    apply()
    pull()
    drop(inbox_dir, "daily.csv", HEADER + "dora@example.com,Dora,Lee,Delta,DE,,,\n")
    pull()
    assert len(stored(leadloop_store)) == 4
    moved = sorted(p.name for p in (inbox_dir / "processed").iterdir() if not p.name.endswith(".done"))
    assert len(moved) == 2 and moved[1] == "daily.csv" and moved[0].startswith("daily.2")  # daily.<UTC time>.csv


def test_a_wrong_host_key_is_refused_before_anything_is_sent(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store, server: sandbox.SftpSandbox
) -> None:
    drop(inbox_dir, "show.csv", GOOD)
    key_type, key = sandbox.load_host_key(None).export_public_key("openssh").decode().split()[:2]
    apply(known_hosts=f"[127.0.0.1]:{server.port} {key_type} {key}")  # another server's key
    run = pull()
    assert run["outcome"] == "failed"
    assert f"SFTP host key mismatch for [127.0.0.1]:{server.port}" in run["error"]
    assert (inbox_dir / "show.csv").exists() and stored(leadloop_store) == []


def test_an_unreadable_file_goes_to_failed_with_its_reason(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    drop(inbox_dir, "old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    drop(inbox_dir, "empty.csv", b"")
    drop(inbox_dir, "nocompany.csv", "Email,Name\na@example.com,A\n")
    drop(inbox_dir, "good.csv", GOOD)
    apply()
    run = pull()
    assert run["outcome"] == "ok"
    failed = inbox_dir / "failed"
    assert "legacy Excel 97-2003 workbook" in (failed / "old.csv.reason.txt").read_text()
    assert "file is empty" in (failed / "empty.csv.reason.txt").read_text()
    assert "no column for required field 'company'" in (failed / "nocompany.csv.reason.txt").read_text()
    assert len(stored(leadloop_store)) == 3  # the good file still went through
    assert {r["source"].split()[0]: r["record"] for r in run["rejects"]} == {
        "old.csv": "file", "empty.csv": "file", "nocompany.csv": "file"}
    assert sorted((n, s) for n, s, _, _ in known_files(leadloop_store)) == [
        ("empty.csv", "failed"), ("good.csv", "processed"), ("nocompany.csv", "failed"), ("old.csv", "failed")]


def test_pii_free_leads_need_the_setting(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    drop(inbox_dir, "anon.csv", "Company,Country\nAcme,DE\n")
    apply()
    pull()
    assert "no email column" in (inbox_dir / "failed" / "anon.csv.reason.txt").read_text()
    drop(inbox_dir, "anon2.csv", "Company,Country,Email\nAcme,DE,\n")
    apply(allow_pii_free=True)
    assert pull()["records_written"] == 1
    assert [(lead["company"], lead["email"]) for lead in stored(leadloop_store)] == [("Acme", None)]


def test_a_tenant_mapping_replaces_the_default(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    drop(inbox_dir, "crm.csv", "Mail;Firma;Land\nanna@example.com;Acme;Deutschland\n")
    apply(mappings={"lead": {"object": "lead", "fields": [
        {"core": "email", "source": "Mail"}, {"core": "company", "source": "Firma"},
        {"core": "address.country", "source": "Land"}]}})
    assert pull()["outcome"] == "ok"
    [lead] = stored(leadloop_store)
    assert (lead["email"], lead["company"], lead["address_country"]) == ("anna@example.com", "Acme", "DE")


def test_auto_update_overwrites_by_email_or_external_id(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    header = "External ID,Email,Company,Title\n"
    drop(inbox_dir, "v1.csv", header + "X-1,anna@example.com,Acme,Engineer\nX-2,,Beta,Buyer\n,bob@example.com,Gamma,CTO\n")
    apply(auto_update=True, allow_pii_free=True, uniqueness="email")
    pull()
    drop(inbox_dir, "v2.csv", header + "X-9,anna@example.com,Acme,Head of Engineering\nX-2,,Beta AG,Chief Buyer\n"
         ",carl@example.com,Delta,CEO\n")
    run = pull()
    assert run["outcome"] == "ok", run["error"]
    by_company = {lead["company"]: lead for lead in stored(leadloop_store)}
    assert sorted(by_company) == ["Acme", "Beta AG", "Delta", "Gamma"]
    assert by_company["Acme"]["title"] == "Head of Engineering"  # matched by email
    assert by_company["Acme"]["external_id"] == "X-1"  # an update keeps the lead's origin
    assert by_company["Beta AG"]["title"] == "Chief Buyer"  # no email: matched by its External ID
    assert by_company["Beta AG"]["uniqueness_key"] == "source:drop:X-2"


def test_auto_update_needs_leads_keyed_by_email(inbox_dir: Path, apply: Apply, pull: Pull) -> None:
    drop(inbox_dir, "v1.csv", GOOD)
    apply(auto_update=True)
    run = pull()
    assert run["outcome"] == "failed"
    assert "auto_update overwrites leads matched by email, so its uniqueness must be 'email'" in run["error"]
    assert (inbox_dir / "v1.csv").exists()


def test_without_auto_update_every_row_is_a_new_lead(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    header = "External ID,Email,Company\n"
    drop(inbox_dir, "a.csv", header + "X-1,anna@example.com,Acme\n")
    drop(inbox_dir, "b.csv", header + "X-1,anna@example.com,Acme AG\n")
    apply()
    pull()
    assert sorted(lead["company"] for lead in stored(leadloop_store)) == ["Acme", "Acme AG"]


def test_direct_assignment_columns_are_checked_and_kept(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    drop(inbox_dir, "assigned.csv", (
        "Email,Company,RecordAssignTo,AccessType\n"
        "a@example.com,Acme,jane@partner.example,user\n"     # row 2: User
        "b@example.com,Beta,emea-resellers, GROUP \n"        # row 3: Group
        "c@example.com,Gamma,jim@partner.example,\n"         # row 4: blank means User
        "d@example.com,Delta,,\n"                             # row 5: not assigned: routing decides
        "e@example.com,Eps,jim@partner.example,Team\n"       # row 6: not a type
        "f@example.com,Phi,,Group\n"                          # row 7: a type without anyone
    ))
    apply()
    run = pull()
    assigned = {lead["email"]: lead["custom"] for lead in stored(leadloop_store)}
    assert assigned == {
        "a@example.com": {"assign_to": "jane@partner.example", "access_type": "User"},
        "b@example.com": {"assign_to": "emea-resellers", "access_type": "Group"},
        "c@example.com": {"assign_to": "jim@partner.example", "access_type": "User"},
        "d@example.com": {"assign_to": None, "access_type": None},
    }
    reasons = {r["record"]: (r["field"], r["reason"]) for r in run["rejects"]}
    assert reasons == {
        "row 6": ("AccessType", "AccessType must be Group or User, not 'Team'"),
        "row 7": ("AccessType", ("AccessType Group without RecordAssignTo: name the user or group the lead is "
                                "assigned to, or leave both empty")),
    }


def test_a_row_refused_by_the_connector_reports_its_mapping_problems_too(
    inbox_dir: Path, apply: Apply, pull: Pull
) -> None:
    drop(inbox_dir, "both.csv", "Email,Company,Country,RecordAssignTo,AccessType\n,,Narnia,x,Team\n")
    apply()
    run = pull()
    assert sorted(r["field"] for r in run["rejects"]) == ["AccessType", "Company", "Country", "Email"]


def test_a_replayed_page_updates_instead_of_duplicating(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    """Rows keep their identity when read again: the checkpoint rewound (as if its commit had been
    lost) and the file back in the inbox give the same leads, not new ones."""
    drop(inbox_dir, "show.csv", GOOD)
    apply()
    pull()
    first = {lead["external_id"]: lead["id"] for lead in stored(leadloop_store)}
    with leadloop_store.transaction() as conn:
        conn.execute(delete(checkpoints))
        conn.execute(update(files).values(status="importing"))
    for name in ("show.csv", "show.csv.done"):
        (inbox_dir / "processed" / name).rename(inbox_dir / name)
    run = pull()
    assert run["records_written"] == 3
    assert {lead["external_id"]: lead["id"] for lead in stored(leadloop_store)} == first


def test_a_crash_between_the_last_commit_and_the_move_is_finished_by_the_next_pull(
    inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store
) -> None:
    """The watermark of a file's last page says it is done; the next pull only finishes the file."""
    drop(inbox_dir, "show.csv", HEADER + "x@example.com,X,Y,,DE,,,\n" + GOOD.removeprefix(HEADER))
    apply()
    pull()
    with leadloop_store.read() as conn:
        watermark = conn.execute(select(checkpoints.c.watermark)).scalar_one()
    assert "file" not in watermark
    # Put the world back as it was just after the last page's commit.
    done = {"checksum": known_checksum(leadloop_store), "name": "show.csv", "row": 5, "read": 4, "done": True}
    processed = inbox_dir / "processed"
    (processed / "show.csv").rename(inbox_dir / "show.csv")
    (processed / "show.csv.done").rename(inbox_dir / "show.csv.done")
    stat = (inbox_dir / "show.csv").stat()
    done.update(size=stat.st_size, mtime=int(stat.st_mtime))
    with leadloop_store.transaction() as conn:
        conn.execute(update(checkpoints).values(watermark={"file": done}))
        conn.execute(update(files).values(status="importing"))
    (inbox_dir / "errors" / "show.csv.errors.csv").unlink()
    run = pull()
    assert (run["records_read"], run["records_written"], run["rejects"]) == (0, 0, [])
    assert len(stored(leadloop_store)) == 3
    assert (processed / "show.csv").exists() and not (inbox_dir / "show.csv").exists()
    assert [line[:2] for line in report(inbox_dir / "errors" / "show.csv.errors.csv")] == [["row", "field"],
                                                                                           ["2", "Company"]]
    assert known_files(leadloop_store) == [("show.csv", "processed", 4, None)]
    with leadloop_store.read() as conn:
        assert conn.execute(select(checkpoints.c.watermark)).scalar_one() == {}


def known_checksum(leadloop_store: Store) -> str:
    with leadloop_store.read() as conn:
        return str(conn.execute(select(files.c.checksum)).scalar_one())


def test_xlsx_files_import_like_csv(inbox_dir: Path, apply: Apply, pull: Pull, leadloop_store: Store) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["E-Mail", "Company Name", "Employees", "Created"])
    sheet.append(["anna@example.com", "Acme", 120, "2024-03-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    drop(inbox_dir, "leads.xlsx", buffer.getvalue())
    apply(pattern=["*.csv", "*.xlsx"])
    pull()
    [lead] = stored(leadloop_store)
    assert (lead["email"], lead["company"], lead["employees"]) == ("anna@example.com", "Acme", 120)
    assert lead["source_created_at"].date().isoformat() == "2024-03-01"


def _writer_running() -> bool:
    children = (pid for task in Path("/proc/self/task").iterdir() for pid in (task / "children").read_text().split())
    return any(b"leadloop.sync.writer" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children)


def test_a_long_file_is_finished_only_after_a_writer_process_committed_its_pages(
    inbox_dir: Path, apply: Apply, leadloop_run: Callable[..., dict[str, Any]], leadloop_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADLOOP_PAGE_WRITER", "process")
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 2)  # seven rows: four pages, three in the writer
    drop(inbox_dir, "long.csv", (
        HEADER
        + "a@example.com,A,One,Acme,DE,1,,\n"
        + "b@example.com,B,Two,Acme,DE,2,,\n"
        + "not-an-email,C,Three,Acme,DE,3,,\n"   # row 4, page 2
        + "d@example.com,D,Four,Acme,DE,4,,\n"
        + "e@example.com,E,Five,Acme,Narnia,5,,\n"  # row 6, page 3
        + "f@example.com,F,Six,Acme,DE,6,,\n"
        + "g@example.com,G,Seven,Acme,DE,many,,\n"  # row 8, page 4
    ))
    apply()
    seen: list[bool] = []
    run = leadloop_run("acme", "drop", "pull", progress=lambda _: seen.append(_writer_running()))
    assert run["outcome"] == "ok", run["error"]
    assert any(seen) and not _writer_running()
    assert len(stored(leadloop_store)) == 4
    # The report is written from the store once the file's last page has committed: every page's
    # rejects are in it, those the writer process committed included.
    assert [line[:2] for line in report(inbox_dir / "errors" / "long.csv.errors.csv")[1:]] == [
        ["4", "Email"], ["6", "Country"], ["8", "Employees"]]
    assert (inbox_dir / "processed" / "long.csv").exists() and not (inbox_dir / "long.csv").exists()
    assert known_files(leadloop_store) == [("long.csv", "processed", 7, None)]
