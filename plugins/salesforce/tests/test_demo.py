"""The Salesforce part of ``leadloop demo``: a real pull and push against the sandbox, read back."""

from __future__ import annotations

import yaml
from leadloop.cli.app import App
from leadloop.demo import DEMO_TENANT, demo_salesforce


def test_the_demo_pulls_writes_back_and_shows_what_landed(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADLOOP_HOME", str(tmp_path))
    for var in ("LEADLOOP_DATABASE_URL", "LEADLOOP_SECRET_KEY", "LEADLOOP_SECRET_KEY_FILE",
                "LEADLOOP_PLUGINS", "LEADLOOP_DISABLE_PLUGINS", "LEADLOOP_PLUGIN_MODULES"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "demo-tenant.yaml").write_text(yaml.safe_dump(DEMO_TENANT, sort_keys=False), encoding="utf-8")
    lines: list[str] = []
    demo_salesforce(App(), tmp_path, lines.append)
    text = "\n".join(lines)
    assert ("pull job of 'crm' (run 1): ok, 48 records (leads, campaigns, opportunities) in 3 pages, "
            "3 API calls, 40 leads stored") in text
    assert "push job of 'crm' (run 2): ok, 4 changes written, 0 failed, 2 API calls" in text
    assert "Distribution_Status__c='Accepted', Partner__c='Northwind Systems', Partner_Rep_Name__c='Dana" in text
    assert "Status='Working - Contacted'" in text
    assert "Distribution_Status__c='Rejected', Rejection_Reason__c='Outside our territory'" in text
    assert "StageName='Qualification', Amount=48000" in text
    assert lines[-1].startswith("\n== API calls spent: 3 to pull, 2 to push; the org counted 5")
