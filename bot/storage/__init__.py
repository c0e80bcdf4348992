"""Storage adapter: SQLite through aiosqlite. All SQL of the project lives in this package."""

from .errors import (
    DatabaseCorruptError,
    DatabaseGoneError,
    SchemaTooNewError,
    StorageBusyError,
    StorageError,
)
from .migrations import MIGRATIONS, SCHEMA_VERSION
from .rows import parse_ts, ts
from .sqlite import (
    BUSY_TIMEOUT_MS,
    CLEAN_STOP_KEY,
    DEFAULT_PATH,
    SqliteStore,
    StartCheck,
    Transaction,
    refuse_if_deleted,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "CLEAN_STOP_KEY",
    "DEFAULT_PATH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DatabaseCorruptError",
    "DatabaseGoneError",
    "SchemaTooNewError",
    "SqliteStore",
    "StartCheck",
    "StorageBusyError",
    "StorageError",
    "Transaction",
    "parse_ts",
    "refuse_if_deleted",
    "ts",
]
