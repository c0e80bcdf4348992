"""SQLite storage: the store (connection, pragmas, migrations, transactions, integrity check,
backup) and the Transaction that carries every statement.

The statements live in the queries_* modules, by table, as mixins that Transaction combines;
row <-> model mapping lives in rows.py. All deadline reads and writes are scoped by guild id:
no method finds a deadline by id alone. One aiosqlite connection writes; an asyncio lock
serializes transactions on it so that two coroutines never interleave statements inside one
transaction. Reads that need no write (`read()`) run on READERS read-only connections of
their own, each in its own thread: in WAL mode a reader sees the last commit and waits for no
writer, so a list or an autocomplete never queues behind an add or a batch of alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from .errors import (
    DatabaseCorruptError,
    DatabaseGoneError,
    SchemaTooNewError,
    StorageBusyError,
    StorageError,
)
from .migrations import MIGRATIONS, SCHEMA_VERSION
from .queries_alerts import AlertQueries
from .queries_deadlines import DeadlineQueries
from .queries_feeds import FeedQueries
from .queries_settings import SettingsQueries

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("data/deadlines.sqlite3")
BUSY_TIMEOUT_MS = 5000
# Read-only connections for reads (each has its own aiosqlite thread).
READERS = 2
MIN_SQLITE = (3, 35, 0)  # INSERT ... RETURNING
RESTORE_HINT = (
    "stop here and restore the last backup: python -m bot restore BACKUP_FILE "
    "(make backups with python -m bot backup DEST)"
)


# meta key: written when the bot stops cleanly (the time, ISO), taken (read and deleted) at
# start. Without it the last run did not end cleanly, and the integrity check runs at start.
CLEAN_STOP_KEY = "clean_stop"
# meta key: when the integrity check last passed (ISO time), at start or in the background.
INTEGRITY_CHECKED_KEY = "integrity_checked_at"


@dataclass(frozen=True, slots=True)
class StartCheck:
    """What the start did about the integrity check, and why (it is always logged)."""

    checked: bool
    reason: str


GONE_HINT = (
    "nothing more is saved: stop the bot, restore the last backup (python -m bot restore "
    "BACKUP_FILE) and start it again"
)


def _identity(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino)


def refuse_if_deleted(path: Path, *, lock: Path | None) -> None:
    """A missing database whose companion files are still there was deleted, not never
    made: refuse, instead of silently starting an empty one. A first start (no files at all)
    passes. `lock`: the bot's instance lock file, checked too when given."""
    if path.exists():
        return
    leftovers = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    if lock is not None:
        leftovers.append(lock)
    found = [p.name for p in leftovers if p.exists()]
    if found:
        raise DatabaseGoneError(
            f"the database {path} is missing but {', '.join(found)} next to it is not: it "
            "was deleted. Restore the last backup (python -m bot restore BACKUP_FILE), or, to "
            "start empty on purpose, delete those files too"
        )


# The write transaction the current task is in, if any, with that task: a read inside it
# reads there (it must see the transaction's own uncommitted writes, and must not wait for
# itself). A task started inside the transaction inherits the variable, hence the task.
_WRITING: ContextVar[tuple[asyncio.Task[object] | None, Transaction] | None] = ContextVar(
    "writing", default=None
)


class SqliteStore:
    """Owns the connections. Use `async with SqliteStore.open(path) as store:`."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        readers: Sequence[aiosqlite.Connection] = (),
    ) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._readers = tuple(readers)
        self._free_readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in self._readers:
            self._free_readers.put_nowait(reader)
        # Which file this connection has open: if the path later names no file, or another
        # one, every write would go to a file nobody will find again.
        self._identity = _identity(path)
        # What the last integrity check in the background found wrong (None: nothing).
        self.integrity_problem: str | None = None

    def checked_identity(self) -> tuple[int, int]:
        """The open file's (device, inode), for another process to check it reads this file;
        DatabaseGoneError if the path no longer names it (deleted or replaced)."""
        problem = self.file_problem()
        if problem is not None:
            raise DatabaseGoneError(f"{problem}; {GONE_HINT}")
        return self._identity

    def file_problem(self) -> str | None:
        """Why the database file is no longer the one this store opened; None if it is."""
        try:
            current = _identity(self.path)
        except FileNotFoundError:
            return f"the database file {self.path} was deleted while the bot was running"
        if current != self._identity:
            return f"the database file {self.path} was replaced while the bot was running"
        return None

    @classmethod
    @asynccontextmanager
    async def open(cls, path: str | Path = DEFAULT_PATH) -> AsyncIterator[SqliteStore]:
        store = await cls.connect(path)
        try:
            yield store
        finally:
            await store.close()

    @classmethod
    async def connect(cls, path: str | Path = DEFAULT_PATH) -> SqliteStore:
        """Open (creating folder and file if needed), configure, and migrate the database."""
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StorageError(
                f"this Python's SQLite is {sqlite3.sqlite_version}; Deadline Desk needs "
                f"{'.'.join(map(str, MIN_SQLITE))} or newer (INSERT ... RETURNING): use Python "
                "3.11 from python.org, the Docker image, or a current Linux distribution"
            )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        refuse_if_deleted(path, lock=None)
        conn = await aiosqlite.connect(path, isolation_level=None)
        readers: list[aiosqlite.Connection] = []
        try:
            conn.row_factory = sqlite3.Row
            try:
                await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                await conn.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL survives a process crash (SIGKILL) without losing a commit;
                # only an OS crash or power cut can drop the last transactions.
                await conn.execute("PRAGMA synchronous = NORMAL")
                await conn.execute("PRAGMA foreign_keys = ON")
                await _migrate(conn, path)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise
                raise DatabaseCorruptError(
                    f"{path} is not a readable database ({exc}); {RESTORE_HINT}"
                ) from exc
            for _ in range(READERS):
                readers.append(await _open_reader(path))
        except BaseException:
            for reader in readers:
                await reader.close()
            await conn.close()
            raise
        return cls(conn, path, readers)

    @classmethod
    @asynccontextmanager
    async def reading(
        cls, path: str | Path, *, identity: tuple[int, int] | None = None
    ) -> AsyncIterator[Transaction]:
        """One read transaction on a read-only connection of its own to the database at
        `path`, which must exist and be migrated already: for another process (the calendar
        renderer) reading what the bot's process writes. In WAL it sees what was committed
        before it began and holds up no writer. Nothing is created or migrated.

        `identity` (the bot's `checked_identity()`): the file must be that one, before the
        read and after it, else DatabaseGoneError: a file replaced under the bot (a backup
        moved in) is never read as if it were the bot's."""
        if identity is not None:
            _same_file(Path(path), identity)
        uri = _read_only_uri(path)
        try:
            reader = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise StorageError(f"cannot read the database {path}: {exc}") from exc
        try:
            reader.row_factory = sqlite3.Row
            await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await reader.execute("PRAGMA query_only = ON")
            await reader.execute("BEGIN")
            try:
                yield Transaction(reader)
                if identity is not None:
                    _same_file(Path(path), identity)
            finally:
                await asyncio.shield(_rollback(reader))  # a read: nothing to keep
        except sqlite3.OperationalError as exc:
            raise _busy_or(exc) from exc
        finally:
            await reader.close()

    async def close(self) -> None:
        for _ in self._readers:  # each once it is handed back
            reader = await self._free_readers.get()
            await reader.close()
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.

        Also rolled back when the awaiting task is cancelled at any point, BEGIN included: the
        statement still runs in aiosqlite's thread, so a ROLLBACK is always queued after it.
        """
        async with self._lock:
            problem = self.file_problem()
            if problem is not None:
                raise DatabaseGoneError(f"{problem}; {GONE_HINT}")
            token = None
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                tx = Transaction(self._conn)
                token = _WRITING.set((asyncio.current_task(), tx))
                yield tx
                await self._conn.execute("COMMIT")
            except BaseException as exc:
                await asyncio.shield(self._rollback())
                if isinstance(exc, sqlite3.OperationalError):
                    raise _busy_or(exc) from exc
                raise
            finally:
                if token is not None:
                    _WRITING.reset(token)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Transaction]:
        """A read transaction on a read-only connection of its own: it sees everything
        committed before it began and waits for no write transaction. Inside a write
        transaction of the same task, that transaction itself (its writes are not committed
        yet). A write statement through it fails ("attempt to write a readonly database")."""
        inside = _WRITING.get()
        writing = inside[1] if inside and inside[0] is asyncio.current_task() else None
        if writing is not None or not self._readers:
            if writing is not None:
                yield writing
            else:
                async with self.transaction() as tx:
                    yield tx
            return
        problem = self.file_problem()
        if problem is not None:
            raise DatabaseGoneError(f"{problem}; {GONE_HINT}")
        reader = await self._free_readers.get()
        try:
            await reader.execute("BEGIN")
            yield Transaction(reader)
            await reader.execute("COMMIT")
        except BaseException as exc:
            await asyncio.shield(_rollback(reader))
            if isinstance(exc, sqlite3.OperationalError):
                raise _busy_or(exc) from exc
            raise
        finally:
            self._free_readers.put_nowait(reader)

    async def _rollback(self) -> None:
        await _rollback(self._conn)

    async def check_integrity(self) -> None:
        """PRAGMA quick_check: refuse a damaged database before anything writes to it.

        It reads the whole file (about a second per 70 MB here, 3 s at a million deadlines),
        so it is not part of opening the store: the bot runs it at start after a stop that was
        not clean (see check_at_start), and daily in the background (check_in_background).
        """
        async with self._lock:
            rows = await _quick_check(self._conn)
        self._refuse_unless_ok(rows)

    def _refuse_unless_ok(self, rows: list[str]) -> None:
        if rows != ["ok"]:
            raise DatabaseCorruptError(
                f"{self.path} failed its integrity check ({'; '.join(rows[:3])}); {RESTORE_HINT}"
            )

    async def check_at_start(self) -> StartCheck:
        """At start: take the clean-stop marker; without one (a crash, a kill, a power cut,
        an older version, a restored backup, a first start) run the integrity check now.
        Either way, say which in the log and why. Raises DatabaseCorruptError."""
        try:
            async with self.transaction() as tx:
                stopped_at = await tx.take_meta(CLEAN_STOP_KEY)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise
            stopped_at, why = None, f"the clean-stop marker could not be read ({exc})"
        else:
            why = "the last run did not stop cleanly (or this database never ran this version)"
        if stopped_at is not None:
            reason = (
                f"the last run stopped cleanly at {stopped_at}; the full check runs daily in "
                "the background"
            )
            log.info("integrity check not run at start: %s", reason)
            return StartCheck(checked=False, reason=reason)
        log.info("integrity check at start: %s", why)
        await self.check_integrity()
        await self._checked_now()
        return StartCheck(checked=True, reason=why)

    async def _checked_now(self) -> None:
        async with self.transaction() as tx:
            await tx.set_meta(INTEGRITY_CHECKED_KEY, _now_iso())

    async def integrity_checked_at(self) -> dt.datetime | None:
        """When the integrity check last passed, if it is known."""
        async with self.transaction() as tx:
            value = await tx.get_meta(INTEGRITY_CHECKED_KEY)
        try:
            return None if value is None else dt.datetime.fromisoformat(value)
        except ValueError:
            return None

    async def mark_clean_stop(self, at: str | None = None) -> None:
        """The last write of a clean stop: the next start may skip the integrity check."""
        async with self.transaction() as tx:
            await tx.set_meta(CLEAN_STOP_KEY, at or _now_iso())

    async def check_in_background(self) -> str | None:
        """quick_check on a read-only connection of its own, in its own thread: in WAL it
        holds no lock that writers wait for, so the bot keeps working while the file is read.
        Returns (and keeps as `integrity_problem`, which health reports) what is wrong, or
        None; logs the result either way."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            conn = await aiosqlite.connect(uri, uri=True)
            try:
                rows = await _quick_check(conn)
            finally:
                await conn.close()
        except sqlite3.Error as exc:
            rows = [f"the check could not run: {exc}"]
        if rows == ["ok"]:
            log.info("daily integrity check of %s: ok", self.path)
            self.integrity_problem = None
            await self._checked_now()
            return None
        self.integrity_problem = (
            f"{self.path} failed its integrity check ({'; '.join(rows[:3])}); {RESTORE_HINT}"
        )
        log.error("daily integrity check: %s", self.integrity_problem)
        return self.integrity_problem

    async def backup(self, destination: str | Path) -> None:
        """A consistent online copy of the database (SQLite backup API) at `destination`."""
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        target = await aiosqlite.connect(destination)
        try:
            async with self._lock:
                await self._conn.backup(target)
        finally:
            await target.close()

    async def schema_version(self) -> int:
        async with self._lock, self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0


async def _open_reader(path: Path) -> aiosqlite.Connection:
    reader = await aiosqlite.connect(path, isolation_level=None)
    try:
        reader.row_factory = sqlite3.Row
        await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await reader.execute("PRAGMA query_only = ON")
    except BaseException:
        await reader.close()
        raise
    return reader


def _same_file(path: Path, identity: tuple[int, int]) -> None:
    try:
        current = _identity(path)
    except FileNotFoundError:
        raise DatabaseGoneError(
            f"the database file {path} was deleted while the bot was running; {GONE_HINT}"
        ) from None
    if current != identity:
        raise DatabaseGoneError(
            f"the database file {path} was replaced while the bot was running; {GONE_HINT}"
        )


def _read_only_uri(path: str | Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


async def _rollback(conn: aiosqlite.Connection) -> None:
    # Nothing to roll back when BEGIN failed or COMMIT went through.
    with contextlib.suppress(sqlite3.OperationalError):
        await conn.execute("ROLLBACK")


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


async def _quick_check(conn: aiosqlite.Connection) -> list[str]:
    try:
        async with conn.execute("PRAGMA quick_check") as cursor:
            return [" ".join(str(row[0]).split()) for row in await cursor.fetchall()]
    except sqlite3.DatabaseError as exc:
        # Some damage stops the check itself ("database disk image is malformed").
        if isinstance(exc, sqlite3.OperationalError):
            raise
        return [str(exc)]


def _busy_or(exc: sqlite3.OperationalError) -> Exception:
    if "locked" in str(exc) or "busy" in str(exc):
        return StorageBusyError("the database is busy (locked by another process)")
    return exc


async def _migrate(conn: aiosqlite.Connection, path: Path) -> None:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} has schema version {version}, newer than this Deadline Desk understands "
            f"({SCHEMA_VERSION}); upgrade Deadline Desk or restore a backup made by this version"
        )
    if version == SCHEMA_VERSION:
        return
    pending = "\n".join(MIGRATIONS[version:])
    # One transaction: executescript runs BEGIN and the migrations; PRAGMA user_version is
    # transactional, so a failure leaves the old version intact. Foreign keys are off while
    # tables are rebuilt (dropping a parent table would otherwise cascade to its children;
    # the pragma only takes effect outside a transaction) and checked before the commit.
    await conn.execute("PRAGMA foreign_keys = OFF")
    try:
        await conn.executescript(f"BEGIN IMMEDIATE;\n{pending}")
        async with conn.execute("PRAGMA foreign_key_check") as cursor:
            broken = list(await cursor.fetchall())
        if broken:
            raise StorageError(
                f"migrating {path} would leave {len(broken)} broken reference(s) between tables "
                f"(first: {tuple(broken[0])}); the database was left as it was"
            )
        await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    finally:
        await conn.execute("PRAGMA foreign_keys = ON")
    log.info("database %s migrated from version %d to %d", path, version, SCHEMA_VERSION)


class Transaction(SettingsQueries, DeadlineQueries, AlertQueries, FeedQueries):
    """SQL for one transaction. Deadline methods all take the guild id."""
