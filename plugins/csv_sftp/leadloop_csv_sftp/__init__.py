"""leadloop connector plugin: CSV/XLSX files over SFTP."""

from .reader import open_table
from .tables import Reject, Table, TablePage, UnreadableFile

__all__ = ["Reject", "Table", "TablePage", "UnreadableFile", "open_table"]
