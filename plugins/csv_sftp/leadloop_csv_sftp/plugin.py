"""Registers the CSV/XLSX-over-SFTP connector type."""

from __future__ import annotations

from collections.abc import Callable

from leadloop import ConnectorType, hookimpl
from leadloop.schemas import package_schema


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
            page_size=5000,
            batch_size=1,
            # Trade-show and telemarketing files: every row is a new lead unless configured.
            default_uniqueness="none",
            secrets=("password", "private_key"),
        )
    )
