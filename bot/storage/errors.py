"""The storage errors (re-exported by bot.storage)."""

from __future__ import annotations


class StorageError(Exception):
    """The database cannot be used as asked."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer version of Deadline Desk."""


class StorageBusyError(StorageError):
    """Another process holds the database lock for longer than the busy timeout."""


class DatabaseCorruptError(StorageError):
    """The file is not an intact SQLite database."""


class DatabaseGoneError(StorageError):
    """The database file was deleted or replaced under the running bot, or is missing while
    the files that go with it (-wal, -shm, the lock) are still there."""
