"""leadloop connector plugin: CSV/XLSX files over SFTP.

Reading (``open_table``), writing formula-safe exports and error reports (``write_table``,
``write_error_report``), the SFTP inbox the import engine drives (``SftpInbox``) and a sandbox
SFTP server for tests and demos (``leadloop_csv_sftp.sandbox``).
"""

from .export import write_error_report, write_table
from .inbox import FinishedFile, InboxSettings, RemoteFile, SftpInbox
from .reader import open_table
from .tables import Reject, Table, TablePage, UnreadableFile

__all__ = [
    "FinishedFile",
    "InboxSettings",
    "Reject",
    "RemoteFile",
    "SftpInbox",
    "Table",
    "TablePage",
    "UnreadableFile",
    "open_table",
    "write_error_report",
    "write_table",
]
