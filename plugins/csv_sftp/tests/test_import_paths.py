"""A lead file mapped and keyed by the core's defaults takes the column-wise fast path; a plugin that
answers either hook sees each row as a dict. Both must store the same leads and the same rejects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from leadloop.plugins import Plugins
from leadloop.secrets import SecretBox
from leadloop.store import Store
from leadloop.store.tables import files, leads, rejects
from leadloop.sync import pull
from leadloop.testing.paths import SameKeys, stored
from leadloop_csv_sftp.local import import_file

ROWS = [
    "External ID,Email,Company,Country,Employees,Annual Revenue,Products,Created,Campaign,Notes",
    "E-1,ada@example.com,Analytical,UK,12,1000.50,Widgets; Gadgets,2024-03-01,Expo,first",
    "E-2,not an email,Broken,DE,3,,Widgets,2024-03-02,Expo,bad email",
    "E-3,grace@example.com,Navy,Atlantis,5,,,,Expo,unknown country",
    "E-4,GRACE@example.com ,Navy Labs,US,,,Gadgets,2024-03-04T10:00:00+02:00,,",
    "E-5,ada@example.com,Analytical again,United States,7,12.5,,,Fair,same email other campaign",
]


@pytest.mark.parametrize("uniqueness", ["none", "email", "email+campaign"])
def test_both_paths_store_the_same_leads_and_rejects(
    uniqueness: str, tmp_path: Path, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_pages: list[int] = []
    column_wise = pull._map_to_columns
    monkeypatch.setattr(pull, "_map_to_columns", lambda *a: fast_pages.append(1) or column_wise(*a))
    apply(uniqueness=uniqueness)
    path = tmp_path / "expo.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    box = SecretBox.from_environment()

    fast = import_file(leadloop_store, leadloop_plugins, box, "acme", path)
    first = stored(leadloop_store)
    assert fast_pages, "the default mapping and keys did not take the column-wise path"
    fast_pages.clear()
    with leadloop_store.transaction() as conn:
        for table in (leads, rejects, files):
            conn.execute(table.delete())
    leadloop_plugins.pm.register(SameKeys())
    try:
        by_dict = import_file(leadloop_store, leadloop_plugins, box, "acme", path)
    finally:
        leadloop_plugins.pm.unregister(name=next(n for n, p in leadloop_plugins.pm.list_name_plugin()
                                                  if isinstance(p, SameKeys)))
    assert not fast_pages
    assert (fast.imported, fast.updated) == (by_dict.imported, by_dict.updated)
    assert stored(leadloop_store) == first
    assert len(first[0]) == (3 if uniqueness == "none" else 2 if uniqueness == "email" else 3)
    assert {r[1] for r in first[1]} == {"Email", "Country"}
