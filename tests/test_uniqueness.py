"""The uniqueness rules, record by record and column-wise (the import's fast path): the same keys."""

from __future__ import annotations

import pytest
from leadloop.default_plugin import uniqueness_key, uniqueness_keys

LEADS = [
    {"email": " Ada@Example.com ", "campaign": "Expo ", "source_system": "files", "external_id": "f1:2"},
    {"email": None, "campaign": "Expo", "source_system": "files", "external_id": "f1:3"},
    {"email": "", "campaign": None, "source_system": "files", "external_id": "f1:4"},
    {"email": "ada@example.com", "campaign": None, "source_system": "files", "external_id": "f1:5"},
    {"email": "  ", "campaign": "X", "source_system": "files", "external_id": None},
]


@pytest.mark.parametrize("rule", ["none", "email", "email+campaign"])
def test_column_wise_keys_are_the_record_keys(rule):
    columns = {field: [lead[field] for lead in LEADS] for field in LEADS[0]}
    assert uniqueness_keys(columns, len(LEADS), rule) == [uniqueness_key(lead, rule) for lead in LEADS]


@pytest.mark.parametrize("missing", ["email", "campaign", "external_id"])
def test_a_field_the_page_lacks_counts_as_empty(missing):
    leads = [{k: v for k, v in lead.items() if k != missing} for lead in LEADS]
    columns = {field: [lead[field] for lead in leads] for field in leads[0]}
    for rule in ("none", "email", "email+campaign"):
        assert uniqueness_keys(columns, len(leads), rule) == [uniqueness_key(lead, rule) for lead in leads]


def test_the_keys_say_what_makes_a_lead_unique():
    columns = {field: [lead[field] for lead in LEADS[:2]] for field in LEADS[0]}
    assert uniqueness_keys(columns, 2, "email+campaign") == ["email:ada@example.com|campaign:expo", "source:files:f1:3"]
