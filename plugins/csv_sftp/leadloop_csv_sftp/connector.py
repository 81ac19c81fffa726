"""The ``csv_sftp`` connector type's runtime connector: pull over an SFTP inbox.

The sync engine builds one per run through the factory, calls :meth:`CsvSftpConnector.pull`, and
commits each page it yields; :class:`~leadloop_csv_sftp.filesource.FileSource` does the file
work, this module only wires it to the SFTP inbox and the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from leadloop.connectors import ConnectorContext
from leadloop.errors import ConfigError
from leadloop.mapping import CompiledMapping, compile_mapping
from leadloop.source import Page, Runtime
from leadloop.store import Store

from .filesource import FileSource
from .inbox import InboxSettings, SftpInbox
from .ledger import FileLedger
from .mapping import LEAD_MAPPING
from .rowchecks import FileSettings

PAGE_SIZE = 5000
"""Rows per page: one transaction each, and what a crash can make the engine repeat."""


def lead_mapping(store: Store, context: ConnectorContext) -> CompiledMapping:
    """The connector's lead mapping as the engine compiles it: the tenant's, else :data:`LEAD_MAPPING`."""
    record = store.tenant(context.tenant).get_connector(context.name)
    if record is None:
        raise ConfigError(f"tenant {context.tenant!r} has no connector {context.name!r}")
    document = record.mapping.get("lead") or LEAD_MAPPING
    return compile_mapping(document, file=f"{context.tenant}/{context.name}/mappings.lead")


class CsvSftpConnector:
    """Built by the ``csv_sftp`` connector type's factory for one run."""

    def __init__(self, runtime: Runtime) -> None:
        context = runtime.context
        self.runtime = runtime
        self.settings = FileSettings.from_settings(context.settings, context.uniqueness, context.name)
        self.inbox_settings = InboxSettings.from_mapping(context.settings)

    def pull(self, object_type: str, watermark: Mapping[str, Any] | None) -> Iterator[Page]:
        context = self.runtime.context
        store = self.runtime.store
        if store is None:
            raise ConfigError("the csv_sftp connector pulls inside a sync run, which gives it the store it records files in")
        with SftpInbox(self.inbox_settings, context.secrets) as inbox:
            source = FileSource(inbox, FileLedger(store, context.tenant, context.name),
                                lead_mapping(store, context), self.settings, PAGE_SIZE)
            yield from source.pull(object_type, watermark)
