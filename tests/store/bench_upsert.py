"""Local measurement (not a test): the bulk lead upsert against bare sqlite3 executemany.

    .venv/bin/python tests/store/bench_upsert.py [rows] [postgresql-url]

Three figures from the same rows (24 mapped lead fields each), committed in pages like the sync
engine commits them:

* bare:   plain sqlite3 executemany of ready-made tuples into a fresh file and a table with no key,
          index or constraint. The brief's yardstick.
* floor:  plain sqlite3 executemany of ready-made tuples, but running the store's own upsert
          statement on the store's schema (keys, indexes, foreign keys). What the schema costs.
* store:  ``TenantStore.upsert_leads`` from the row dicts: the floor plus everything the store does
          in Python (key collection, type conversion, ids, counts).

The machine is shared, so each figure is the best of a few rounds.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from leadloop.store import Store, leads

PAGE = 10_000
ROUNDS = 3


def make_rows(n: int, campaign: str = "spring") -> list[dict[str, Any]]:
    """24 mapped lead fields per row, as a CSV import's mapping would produce them."""
    stamp = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    return [
        {
            "uniqueness_key": f"email+campaign:lead{i}@example.com|{campaign}",
            "source_connector": "csv",
            "external_id": f"row {i + 2}",
            "email": f"lead{i}@example.com",
            "first_name": "Ada",
            "last_name": f"Lovelace{i}",
            "title": "CTO",
            "phone": "+44 20 7946 0000",
            "mobile_phone": "+44 7700 900000",
            "company": f"Company {i % 5000}",
            "website": "https://example.com",
            "employees": i % 9000,
            "industry": "Software",
            "annual_revenue": Decimal("1250000.50"),
            "lead_source": "Trade show",
            "campaign": campaign,
            "products_of_interest": ["routers", "switches"],
            "notes": "met at the booth",
            "lead_score": i % 100,
            "address.street": "1 Main St",
            "address.city": "London",
            "address.postal_code": "EC1A 1BB",
            "address.country": "GB",
            "created_at": stamp,
        }
        for i in range(n)
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def _timed_pages(conn: sqlite3.Connection, sql: str, tuples: list[tuple[Any, ...]]) -> float:
    start = time.perf_counter()
    for i in range(0, len(tuples), PAGE):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, tuples[i : i + PAGE])
        conn.execute("COMMIT")
    return len(tuples) / (time.perf_counter() - start)


def bare(rows: list[dict[str, Any]], path: Path) -> float:
    keys = list(rows[0])
    tuples = [tuple(_plain(v) for v in row.values()) for row in rows]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE leads ({', '.join(k.replace('.', '_') for k in keys)})")
    rate = _timed_pages(conn, f"INSERT INTO leads VALUES ({', '.join('?' * len(keys))})", tuples)
    conn.close()
    return rate


def _tenant_with_connector(store: Store) -> None:
    tenant = store.tenant("bench")
    tenant.upsert_tenant("Bench")
    tenant.upsert_connector("csv", "csv_sftp", uniqueness="email+campaign")


def floor(rows: list[dict[str, Any]], path: Path) -> float:
    store = Store.open(f"sqlite:///{path}")
    store.migrate()
    _tenant_with_connector(store)
    sql = leads._statement(store.engine.dialect, frozenset(rows[0])).sql
    keys = sorted(rows[0])
    store.close()
    stamp = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    prefix = str(uuid.uuid4())[:24]
    tuples = [
        ("bench", f"{prefix}{n:012x}", stamp, stamp, *(_plain(row[k]) for k in keys))
        for n, row in enumerate(rows)
    ]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")  # as the store runs
    rate = _timed_pages(conn, sql, tuples)
    conn.close()
    return rate


def store_upsert(rows: list[dict[str, Any]], url: str) -> tuple[float, float]:
    """Rows per second when every row is new, then when every row updates a known lead."""
    store = Store.open(url)
    store.migrate()
    _tenant_with_connector(store)
    tenant = store.tenant("bench")
    rates = []
    for _ in ("new", "known"):
        start = time.perf_counter()
        for i in range(0, len(rows), PAGE):
            with store.transaction() as conn:
                tenant.upsert_leads(conn, rows[i : i + PAGE])
        rates.append(len(rows) / (time.perf_counter() - start))
    store.close()
    return rates[0], rates[1]


def best(measure: Callable[[Path], Any]) -> Any:
    results = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(Path(tmp) / "leadloop.db"))
    return max(results)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = make_rows(n)
    bare_rate = best(lambda path: bare(rows, path))
    floor_rate = best(lambda path: floor(rows, path))
    new = best(lambda path: store_upsert(rows, f"sqlite:///{path}")[0])
    known = best(lambda path: store_upsert(rows, f"sqlite:///{path}")[1])
    print(f"{n:,} rows x {len(rows[0])} fields, pages of {PAGE:,}, best of {ROUNDS}")
    print(f"bare sqlite3, plain table        {bare_rate:>9,.0f} rows/s")
    print(
        f"sqlite3, store's SQL and schema  {floor_rate:>9,.0f} rows/s  ({floor_rate / bare_rate:.2f}x bare)"
    )
    print(f"store upsert, new leads          {new:>9,.0f} rows/s  ({new / bare_rate:.2f}x bare)")
    print(f"store upsert, known leads        {known:>9,.0f} rows/s  ({known / bare_rate:.2f}x bare)")
    if len(sys.argv) > 2:
        pg_new, pg_known = store_upsert(rows, sys.argv[2])
        print(f"postgresql upsert, new / known   {pg_new:>9,.0f} / {pg_known:,.0f} rows/s")


if __name__ == "__main__":
    main()
