"""Local measurement (not a test): bulk lead upsert vs bare sqlite3 executemany.

    .venv/bin/python tests/store/bench_upsert.py [rows] [postgresql-url]

The baseline inserts the same rows as tuples of 24 values into a fresh SQLite file with plain
sqlite3 and no indexes: the floor no store can beat. The store's figure includes everything the
sync engine pays per page: key collection, id generation, type conversion, the existing-key count,
the upsert into an indexed table with foreign keys on, and the commit.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from leadloop.store import Store

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


def bare_sqlite(rows: list[dict[str, Any]], path: Path) -> float:
    keys = list(rows[0])
    tuples = [
        tuple(str(v) if isinstance(v, Decimal | list | datetime) else v for v in row.values()) for row in rows
    ]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE leads ({', '.join(k.replace('.', '_') for k in keys)})")
    sql = f"INSERT INTO leads VALUES ({', '.join('?' * len(keys))})"
    start = time.perf_counter()
    for i in range(0, len(tuples), PAGE):
        conn.executemany(sql, tuples[i : i + PAGE])
        conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return len(rows) / elapsed


def store_upsert(rows: list[dict[str, Any]], url: str) -> tuple[float, float]:
    store = Store.open(url)
    store.migrate()
    tenant = store.tenant("bench")
    tenant.upsert_tenant("Bench")
    tenant.upsert_connector("csv", "csv_sftp", uniqueness="email+campaign")
    rates = []
    for _ in ("insert", "update"):
        start = time.perf_counter()
        for i in range(0, len(rows), PAGE):
            with store.transaction() as conn:
                tenant.upsert_leads(conn, rows[i : i + PAGE])
        rates.append(len(rows) / (time.perf_counter() - start))
    store.close()
    return rates[0], rates[1]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = make_rows(n)
    bare = inserted = updated = 0.0
    for attempt in range(ROUNDS):  # the best of a few rounds: the machine is shared
        with tempfile.TemporaryDirectory() as tmp:
            bare = max(bare, bare_sqlite(rows, Path(tmp) / "bare.db"))
            new, again = store_upsert(rows, f"sqlite:///{tmp}/store.db")
            inserted, updated = max(inserted, new), max(updated, again)
    print(f"{n} rows x {len(rows[0])} fields, pages of {PAGE}, best of {ROUNDS} rounds")
    print(f"bare sqlite3 executemany     {bare:>9,.0f} rows/s")
    print(f"store upsert, new leads      {inserted:>9,.0f} rows/s  ({inserted / bare:.2f}x bare)")
    print(f"store upsert, all updated    {updated:>9,.0f} rows/s  ({updated / bare:.2f}x bare)")
    if len(sys.argv) > 2:
        inserted, updated = store_upsert(rows, sys.argv[2])
        print(f"postgresql upsert, new       {inserted:>9,.0f} rows/s")
        print(f"postgresql upsert, updated   {updated:>9,.0f} rows/s")


if __name__ == "__main__":
    main()
