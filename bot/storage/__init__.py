"""Storage adapter: SQLite through aiosqlite. All SQL of the project lives in this package."""

from .migrations import MIGRATIONS, SCHEMA_VERSION
from .sqlite import (
    DEFAULT_PATH,
    DatabaseCorruptError,
    SchemaTooNewError,
    SqliteStore,
    StorageBusyError,
    StorageError,
    Transaction,
    parse_ts,
    ts,
)

__all__ = [
    "DEFAULT_PATH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DatabaseCorruptError",
    "SchemaTooNewError",
    "SqliteStore",
    "StorageBusyError",
    "StorageError",
    "Transaction",
    "parse_ts",
    "ts",
]
