"""Tenant files through the CLI: checking, applying, secrets kept secret, switching connectors."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

SECRET = "s3cr3t-Refresh-Token-9f8e7d"
ENV_SECRET = "env-Client-Secret-1a2b3c"

GOOD = textwrap.dedent(
    """\
    tenant: acme
    name: Acme Networks
    connectors:
      crm:
        type: salesforce
        settings:
          login_url: http://127.0.0.1:9
          client_id: acme-app
        secrets:
          refresh_token: {value: %s}
          client_secret: {env: ACME_SF_SECRET}
        status_map:
          sales: {Contacted: "Working"}
        jobs:
          pull: {every: 15m}
          push: {cron: "*/5 * * * *"}
      files:
        type: csv_sftp
        enabled: false
        settings:
          host: 127.0.0.1
          username: acme
          known_hosts: "[127.0.0.1]:2222 ssh-ed25519 AAAA"
    """
    % SECRET
)

THREE_MISTAKES = textwrap.dedent(
    """\
    tenant: acme
    connectors:
      crm:
        type: salesforce
        settings:
          login_url: http://127.0.0.1:9
        secrets:
          password: {value: x}
        jobs:
          pull: {every: 15 minutes}
    """
)


def write(tmp_path: Path, text: str, name: str = "acme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_config_check_reports_all_three_mistakes_with_file_line_path_reason(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = write(tmp_path, THREE_MISTAKES)
    result = run("config", "check", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0] == "error: 3 problem(s) found"
    body = "\n".join(errors[1:])
    assert f"{path}:5: connectors.crm.settings: 'client_id' is a required property" in body
    assert f"{path}:8: connectors.crm.secrets.password: connector type 'salesforce' takes no secret 'password'" in body
    assert f"{path}:10: connectors.crm.jobs.pull.every: '15 minutes' is not valid here" in body
    assert "Traceback" not in result.output + result.stderr


def test_config_check_names_unknown_connector_type_and_bad_status(run: Callable[..., Result], tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tenant: acme\nconnectors:\n  a: {type: pipedrive}\n"
        "  b:\n    type: hubspot\n    settings: {api_url: 'http://127.0.0.1:1', auth: private_app}\n"
        "    status_map: {sales: {Hot: HOT}}\n",
    )
    result = run("config", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: connectors.a.type: no plugin provides connector type 'pipedrive'" in result.stderr
    assert f"{path}:7: connectors.b.status_map.sales.Hot: 'Hot' is not a sales status" in result.stderr


def test_config_check_of_a_good_file(run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SF_SECRET", ENV_SECRET)
    result = run("config", "check", str(write(tmp_path, GOOD)))
    assert result.exit_code == 0, result.stderr
    assert "ok (tenant 'acme', 2 connector(s))" in result.stdout


def test_missing_environment_secret_is_a_problem(run: Callable[..., Result], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACME_SF_SECRET", raising=False)
    result = run("config", "check", str(write(tmp_path, GOOD)))
    assert result.exit_code == 1
    assert "connectors.crm.secrets.client_secret.env: environment variable ACME_SF_SECRET is not set" in result.stderr


def test_applied_secrets_are_unreadable_in_database_and_cli_output(
    run: Callable[..., Result], tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_SF_SECRET", ENV_SECRET)
    path = write(tmp_path, GOOD)
    outputs = [run("apply", "-f", str(path))]
    assert outputs[0].exit_code == 0, outputs[0].stderr
    assert "2 connector(s) created, 0 updated, 2 secret(s) stored encrypted" in outputs[0].stdout
    outputs += [
        run("tenants", "list", "--json"),
        run("connectors", "list", "--json"),
        run("connectors", "list"),
        run("plugins", "list", "--json"),
        run("config", "check", str(path)),
        run("connectors", "enable", "acme", "nope"),
    ]
    for result in outputs:
        assert SECRET not in result.output + result.stderr
        assert ENV_SECRET not in result.output + result.stderr

    stored = b"".join(p.read_bytes() for p in home.glob("leadloop.db*"))
    assert b"acme-app" in stored  # the settings are there, so the search itself works
    assert SECRET.encode() not in stored and ENV_SECRET.encode() not in stored

    from leadloop.secrets import SecretBox
    from leadloop.store import Store

    ciphertexts = Store.open().tenant("acme").get_secrets("crm")
    box = SecretBox.from_environment()
    assert box.decrypt(ciphertexts["refresh_token"], what="refresh_token") == SECRET
    assert box.decrypt(ciphertexts["client_secret"], what="client_secret") == ENV_SECRET


def test_listings_and_switches(run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SF_SECRET", ENV_SECRET)
    assert run("apply", "-f", str(write(tmp_path, GOOD))).exit_code == 0

    tenants = json.loads(run("tenants", "list", "--json").stdout)
    assert tenants == [{"id": "acme", "name": "Acme Networks", "connectors": 2, "enabled": 1}]

    connectors = {c["name"]: c for c in json.loads(run("connectors", "list", "--json").stdout)}
    assert connectors["crm"]["enabled"] and not connectors["files"]["enabled"]
    assert connectors["crm"]["uniqueness"] == "email+campaign"  # Salesforce's default
    assert connectors["crm"]["jobs"]["pull"]["every_seconds"] == 900
    assert connectors["files"]["uniqueness"] == "none"

    result = run("connectors", "disable", "acme", "crm")
    assert result.exit_code == 0 and "disabled" in result.stdout
    # Re-applying a file that does not say `enabled` keeps the admin's switch.
    assert run("apply", "-f", str(write(tmp_path, GOOD))).exit_code == 0
    connectors = {c["name"]: c for c in json.loads(run("connectors", "list", "--json").stdout)}
    assert not connectors["crm"]["enabled"]

    result = run("connectors", "enable", "acme", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: tenant 'acme' has no connector 'nope' (its connectors: crm, files); apply the tenant file that defines it"
    )


def test_unknown_tenant_is_one_clear_line(run: Callable[..., Result]) -> None:
    result = run("connectors", "list", "--tenant", "ghost")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no tenant 'ghost' (known: none)"
