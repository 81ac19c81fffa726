"""Mapping engine on a realistic 24-column lead row, against the same mapping written by hand.

Rows/s for a file row mapped through ``for_columns`` (the CSV import's hot path) and for the same
row as a dict through ``apply_in`` (API sources), each for good rows and for rows with two bad
fields (BadRecord raised and caught). The reference is :func:`by_hand`: this one mapping written as
plain Python, with the same value checks (email syntax, the country table, numbers, dates) and the
same output and problems, checked on every row before timing; what it lacks is the engine's
generality (aliases, type dispatch, any mapping). The goal is >= 0.8x hand-written speed.

Then csv.reader plus ``for_columns`` over an in-memory file, the floor for the whole import, beside
bare csv.reader over the same text: the import's budget is about 3 microseconds per row for
map+validate (>= ~87k rows/s end to end), so mapping may add at most 3 us/row to bare parsing.

The map-only figures cycle over 2,000 distinct rows, so that rows are in the CPU cache as they are
in an import, which maps each row right after parsing it; a list of a million pre-built rows would
measure memory latency instead. Runs are interleaved with the reference's, best of 5 (3 for the
parse+map floor).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from leadloop.errors import BadRecord, FieldProblem
from leadloop.mapping import compile_mapping
from leadloop.mapping.countries import to_country
from leadloop.mapping.parsers import NOT_A_NUMBER, NOT_AN_EMAIL, Invalid, is_email
from leadloop.model import SalesStatus

from .figure import Figure
from .timing import best_of

COUNT, QUICK_COUNT = 200_000, 20_000
DISTINCT = 2_000
BUDGET_US = 3.0  # map+validate, per row

MAPPING: dict[str, Any] = {
    "object": "lead",
    "source": "Lead",
    "fields": [
        {"core": "external_id", "source": "Id"},
        {"core": "first_name", "source": ["FirstName", "First Name"], "transforms": ["trim"]},
        {"core": "last_name", "source": ["LastName", "Last Name"], "transforms": ["trim"]},
        {
            "core": "email",
            "source": ["Email", "E-mail", "Email Address"],
            "transforms": ["trim", "lower"],
            "required": True,
        },
        {"core": "title", "source": "Title"},
        {"core": "phone", "source": "Phone"},
        {"core": "mobile_phone", "source": "MobilePhone"},
        {"core": "company", "source": "Company", "required": True},
        {"core": "website", "source": "Website", "transforms": ["lower"]},
        {"core": "employees", "source": "NumberOfEmployees"},
        {"core": "industry", "source": "Industry"},
        {"core": "annual_revenue", "source": "AnnualRevenue", "transforms": ["decimal"]},
        {"core": "address.street", "source": "Street"},
        {"core": "address.city", "source": "City"},
        {"core": "address.state", "source": "State", "transforms": ["upper"]},
        {"core": "address.postal_code", "source": "PostalCode"},
        {"core": "address.country", "source": "Country", "transforms": ["country"]},
        {"core": "lead_source", "source": "LeadSource", "default": "Trade show"},
        {"core": "campaign", "source": "Campaign"},
        {"core": "products_of_interest", "source": "Products", "transforms": [{"split": ";"}]},
        {"core": "notes", "source": "Description"},
        {"core": "lead_score", "source": "Score", "transforms": ["int"]},
        {
            "core": "sales_status",
            "source": "Status",
            "value_map": {"Open - Not Contacted": "Not Contacted", "Working - Contacted": "Contacted"},
        },
        {
            "core": "created_at",
            "source": "CreatedDate",
            "transforms": [{"datetime": "%Y-%m-%dT%H:%M:%S.%f%z"}],
        },
    ],
}

HEADERS = [
    "Id",
    "First Name",
    "Last Name",
    "Email",
    "Title",
    "Phone",
    "MobilePhone",
    "Company",
    "Website",
    "NumberOfEmployees",
    "Industry",
    "AnnualRevenue",
    "Street",
    "City",
    "State",
    "PostalCode",
    "Country",
    "LeadSource",
    "Campaign",
    "Products",
    "Description",
    "Score",
    "Status",
    "CreatedDate",
]


def good_row(n: int) -> list[str]:
    return [
        f"00Q5e00000{n:06d}",
        "Ada",
        " Lovelace",
        f"Ada.Lovelace{n}@Example.com",
        "CTO",
        "+44 20 7946 0958",
        "",
        "Analytical Engines Ltd",
        "www.example.com",
        str(50 + n % 500),
        "Manufacturing",
        "1250000.50",
        "12 Baker Street",
        "London",
        "ldn",
        "NW1 6XE",
        ("United Kingdom", "DE", "USA", "France")[n % 4],
        "",
        "Spring Expo 2026",
        "Storage; Backup;Cloud",
        "Met at booth 12, wants a demo",
        str(n % 100),
        ("Open - Not Contacted", "Working - Contacted", "Nurture")[n % 3],
        "2013-05-20T20:49:32.000+0000",
    ]


def bad_row(n: int) -> list[str]:
    row = good_row(n)
    row[3] = "not-an-email"
    row[16] = "Atlantis"
    return row


STATUS_MAP = {"Open - Not Contacted": "Not Contacted", "Working - Contacted": "Contacted"}
STATUSES = frozenset(s.value for s in SalesStatus)


def by_hand(row: Sequence[str], label: str = "row") -> dict[str, Any]:
    """MAPPING written out by hand for HEADERS' column order: what the engine is measured against."""
    (ext_id, first, last, email, title, phone, mobile, company, website, employees, industry, revenue,
     street, city, state, postal, country, source, campaign, products, notes, score, status, created) = row  # fmt: skip
    problems: list[FieldProblem] = []
    email = email.strip().lower()
    if not email:
        problems.append(FieldProblem("Email", "required", row[3]))
    elif not is_email(email):
        problems.append(FieldProblem("Email", NOT_AN_EMAIL, row[3]))
    company = company.strip()
    if not company:
        problems.append(FieldProblem("Company", "required", row[7]))
    try:
        employee_count = int(employees) if employees else None
    except ValueError:
        problems.append(FieldProblem("NumberOfEmployees", NOT_A_NUMBER, row[9]))
    try:
        revenue_amount = Decimal(revenue) if revenue else None
    except ArithmeticError:
        problems.append(FieldProblem("AnnualRevenue", NOT_A_NUMBER, row[11]))
    try:
        country_code = to_country(country)
    except Invalid as exc:
        problems.append(FieldProblem("Country", exc.reason, row[16]))
    try:
        lead_score = int(score) if score else None
    except ValueError:
        problems.append(FieldProblem("Score", NOT_A_NUMBER, row[21]))
    status = STATUS_MAP.get(status, status)
    if status not in STATUSES:
        problems.append(FieldProblem("Status", "not a sales status", row[22]))
    try:
        created_at = datetime.fromisoformat(created) if created else None
    except ValueError:
        problems.append(FieldProblem("CreatedDate", "not a date and time", row[23]))
    if problems:
        raise BadRecord(label, problems)
    return {
        "external_id": ext_id.strip() or None,
        "first_name": first.strip() or None,
        "last_name": last.strip() or None,
        "email": email,
        "title": title.strip() or None,
        "phone": phone.strip() or None,
        "mobile_phone": mobile.strip() or None,
        "company": company,
        "website": website.lower().strip() or None,
        "employees": employee_count,
        "industry": industry.strip() or None,
        "annual_revenue": revenue_amount,
        "address.street": street.strip() or None,
        "address.city": city.strip() or None,
        "address.state": state.upper().strip() or None,
        "address.postal_code": postal.strip() or None,
        "address.country": country_code,
        "lead_source": source.strip() or "Trade show",
        "campaign": campaign.strip() or None,
        "products_of_interest": [p for p in map(str.strip, products.split(";")) if p],
        "notes": notes.strip() or None,
        "lead_score": lead_score,
        "sales_status": status,
        "created_at": created_at,
    }


_cells = itemgetter(*HEADERS)


def by_hand_record(record: dict[str, str], label: str = "record") -> dict[str, Any]:
    """:func:`by_hand` for a record keyed by HEADERS."""
    return by_hand(_cells(record), label)


def outcome(fn: Callable[[Any], Any], record: Any) -> object:
    """What ``fn`` makes of ``record``: the mapped fields, or the problems of a refused record."""
    try:
        return fn(record)
    except BadRecord as exc:
        return exc.problems


def versus(
    name: str,
    engine: Callable[[Any], Any],
    hand: Callable[[Any], Any],
    records: list[Any],
    count: int,
    *,
    refused: bool,
) -> Figure:
    """The engine against the hand-written function, ``count`` calls each cycling over ``records``.

    Every record must be accepted, or with ``refused`` every record refused, by both alike.
    """
    for record in records:
        if outcome(engine, record) != outcome(hand, record):
            raise RuntimeError(f"{name}: the hand-written mapping disagrees with the engine on {record}")
    passes = max(1, count // len(records))

    def cycle(fn: Callable[[Any], Any]) -> Callable[[], int]:
        def calls() -> int:
            rejected = 0
            for _ in range(passes):
                for record in records:
                    try:
                        fn(record)
                    except BadRecord:
                        rejected += 1
            return rejected

        return calls

    calls = passes * len(records)
    (r_engine, t_engine), (r_hand, t_hand) = best_of(5, cycle(engine), cycle(hand))
    expected = calls if refused else 0
    if r_engine != expected or r_hand != expected:
        raise RuntimeError(f"{name}: refused {r_engine} (engine), {r_hand} (by hand), expected {expected}")
    return Figure(name, calls / t_engine, "rows/s", "hand-written function", calls / t_hand, goal_ratio=0.8)


def parse_and_map(row_mapper: Callable[..., Any], count: int) -> Figure:
    """csv.reader over an in-memory file, then the row mapper: what the import cannot go below."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(good_row(n) for n in range(count))
    text = buffer.getvalue()

    def bare() -> None:
        rows = csv.reader(io.StringIO(text))
        next(rows)
        for _ in rows:
            pass

    def mapped() -> None:
        rows = csv.reader(io.StringIO(text))
        next(rows)
        for number, row in enumerate(rows, 2):
            row_mapper(row, f"row {number}")

    (_, t_bare), (_, t_mapped) = best_of(3, bare, mapped)
    floor = 1 / (t_bare / count + BUDGET_US * 1e-6)  # rows/s of bare parsing plus the mapping budget
    return Figure(
        "csv.reader + for_columns, good",
        count / t_mapped,
        "rows/s",
        "bare csv.reader, same text",
        count / t_bare,
        meets=lambda rate: rate >= floor,
        goal=f">= {floor:,.0f} (bare + {BUDGET_US:.0f} us/row)",
    )


def run(quick: bool) -> list[Figure]:
    count = QUICK_COUNT if quick else COUNT
    mapping = compile_mapping(MAPPING, file="bench")
    row_mapper = mapping.for_columns(HEADERS, file="bench.csv")
    good = [good_row(n) for n in range(DISTINCT)]
    bad = [bad_row(n) for n in range(DISTINCT)]
    as_dict = [dict(zip(HEADERS, row, strict=True)) for row in good]
    bad_dict = [dict(zip(HEADERS, row, strict=True)) for row in bad]
    apply_in = mapping.apply_in
    return [
        versus("file rows, good (for_columns)", row_mapper, by_hand, good, count, refused=False),
        versus("file rows, 2 bad fields (for_columns)", row_mapper, by_hand, bad, count // 10, refused=True),
        versus("records, good (apply_in)", apply_in, by_hand_record, as_dict, count, refused=False),
        versus(
            "records, 2 bad fields (apply_in)", apply_in, by_hand_record, bad_dict, count // 10, refused=True
        ),
        parse_and_map(row_mapper, count),
    ]
