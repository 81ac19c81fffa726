"""Registers the CSV/XLSX-over-SFTP connector type."""

from __future__ import annotations

from collections.abc import Callable

from leadloop import ConnectorType, hookimpl
from leadloop.schemas import package_schema

from .connector import PAGE_SIZE, CsvSftpConnector
from .mapping import LEAD_MAPPING


@hookimpl
def leadloop_register_connectors(register: Callable[[ConnectorType], None]) -> None:
    register(
        ConnectorType(
            name="csv_sftp",
            title="CSV/XLSX files over SFTP",
            config_schema=package_schema("leadloop_csv_sftp"),
            reads=("lead",),
            writes=(),
            jobs=("pull",),
            page_size=PAGE_SIZE,
            batch_size=1,
            # Trade-show and telemarketing files: every row is a new lead unless configured.
            default_uniqueness="none",
            default_mappings={"lead": LEAD_MAPPING},
            secrets=("password", "private_key"),
            factory=CsvSftpConnector,
        )
    )
