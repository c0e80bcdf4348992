"""SQLite storage: the connection, migrations, every SQL statement, and row <-> model mapping.

All deadline reads and writes are scoped by guild id: no method finds a deadline by id alone.
One aiosqlite connection is shared; an asyncio lock serializes transactions on it so that two
coroutines never interleave statements inside one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiosqlite

from bot.deadlines import Rule
from bot.models import (
    AlertKind,
    Board,
    BoardScope,
    CalendarFeed,
    Deadline,
    GuildSettings,
    HistoryEntry,
    Mention,
    MentionKind,
    NewDeadline,
    PlannedAlert,
    Status,
    StoredAlert,
)

from .migrations import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("data/deadlines.sqlite3")
BUSY_TIMEOUT_MS = 5000
MIN_SQLITE = (3, 35, 0)  # INSERT ... RETURNING
RESTORE_HINT = (
    "stop here and restore the last backup: python -m bot restore BACKUP_FILE "
    "(make backups with python -m bot backup DEST)"
)


class StorageError(Exception):
    """The database cannot be used as asked."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer version of Deadline Desk."""


class StorageBusyError(StorageError):
    """Another process holds the database lock for longer than the busy timeout."""


class DatabaseCorruptError(StorageError):
    """The file is not an intact SQLite database."""


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def ts(instant: dt.datetime) -> int:
    """An instant as stored: whole microseconds since the Unix epoch, UTC."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant must be timezone-aware")
    return (instant - _EPOCH) // _MICROSECOND


def parse_ts(stored: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=stored)


def _opt_ts(stored: int | None) -> dt.datetime | None:
    return None if stored is None else parse_ts(stored)


class SqliteStore:
    """Owns the connection. Use `async with SqliteStore.open(path) as store:`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

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
        conn = await aiosqlite.connect(path, isolation_level=None)
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
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.

        Also rolled back when the awaiting task is cancelled at any point, BEGIN included: the
        statement still runs in aiosqlite's thread, so a ROLLBACK is always queued after it.
        """
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield Transaction(self._conn)
                await self._conn.execute("COMMIT")
            except BaseException as exc:
                await asyncio.shield(self._rollback())
                if isinstance(exc, sqlite3.OperationalError):
                    raise _busy_or(exc) from exc
                raise

    async def _rollback(self) -> None:
        # Nothing to roll back when BEGIN failed or COMMIT went through.
        with contextlib.suppress(sqlite3.OperationalError):
            await self._conn.execute("ROLLBACK")

    async def check_integrity(self) -> None:
        """PRAGMA quick_check: refuse a damaged database before anything writes to it.

        It reads the whole file (about a second per 70 MB here), so the bot runs it at start,
        and it is not part of opening the store.
        """
        try:
            async with self._lock, self._conn.execute("PRAGMA quick_check") as cursor:
                rows = [" ".join(str(row[0]).split()) for row in await cursor.fetchall()]
        except sqlite3.DatabaseError as exc:
            # Some damage stops the check itself ("database disk image is malformed").
            if isinstance(exc, sqlite3.OperationalError):
                raise
            rows = [str(exc)]
        if rows != ["ok"]:
            raise DatabaseCorruptError(
                f"{self.path} failed its integrity check ({'; '.join(rows[:3])}); {RESTORE_HINT}"
            )

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


_DEADLINE_COLUMNS = (
    "guild_id, id, channel_id, title, start_on, rule, calendar, period, due_on, due_at, "
    "has_time, explanation, timezone, mention_kind, mention_id, link, notes, created_by, "
    "status, snoozed_until, revision, created_at, updated_at"
)
_COLUMN_NAMES = [name.strip() for name in _DEADLINE_COLUMNS.split(",")]
_INSERT_DEADLINE = (
    f"INSERT INTO deadlines ({_DEADLINE_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMN_NAMES))})"
)
# The same with the guild's next id chosen by SQLite, and nothing inserted if the guild has
# too many active deadlines (parameters: the rest of the row, the guild, the limit).
_INSERT_NEXT_DEADLINE = (
    f"INSERT INTO deadlines ({_DEADLINE_COLUMNS}) "
    "SELECT g.guild_id, COALESCE(MAX(d.id), 0) + 1, "
    f"{', '.join('?' * (len(_COLUMN_NAMES) - 2))} "
    "FROM (SELECT ? AS guild_id) AS g LEFT JOIN deadlines AS d ON d.guild_id = g.guild_id "
    "GROUP BY g.guild_id HAVING (SELECT COUNT(*) FROM deadlines "
    "WHERE guild_id = g.guild_id AND status = 'active') < ? "
    "RETURNING id"
)
# Everything but the key and the creation facts can change.
_UPDATE_DEADLINE = (
    "UPDATE deadlines SET "
    + ", ".join(
        f"{name} = :{name}"
        for name in _COLUMN_NAMES
        if name not in ("guild_id", "id", "created_by", "created_at")
    )
    + " WHERE guild_id = :guild_id AND id = :id"
)
_ALERT_COLUMNS = (
    "id, guild_id, deadline_id, kind, send_at, seq, escalate, days_before, next_attempt_at, "
    "attempts, sent_at, failed_at, error"
)
_CLAIM_COLUMNS = (
    ", ".join(f"a.{c.strip()}" for c in _ALERT_COLUMNS.split(","))
    + ", "
    + ", ".join(f"d.{c.strip()}" for c in _DEADLINE_COLUMNS.split(","))
)
_DEADLINE_WIDTH = len(_COLUMN_NAMES)
_ALERT_WIDTH = len(_ALERT_COLUMNS.split(","))
_PENDING = "sent_at IS NULL AND failed_at IS NULL"
_BULK_CACHE_KIB = -262144  # negative: KiB (256 MiB), as PRAGMA cache_size takes it
_REBUILD_INDEX_FROM = 10_000  # alerts in one bulk insert


class Transaction:
    """SQL for one transaction. Deadline methods all take the guild id."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    # One trip to aiosqlite's thread per query (execute, fetch and close would be three, at
    # ~70 us each here: most of what adding a deadline costs).
    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    # -- guild settings ---------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> GuildSettings | None:
        row = await self._one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return None if row is None else _settings(row)

    async def put_settings(self, settings: GuildSettings, *, now: dt.datetime) -> None:
        await self._conn.execute(
            """
            INSERT INTO guild_settings (guild_id, timezone, alert_time, reminder_days, calendar,
                counting, default_channel_id, manager_role_id, escalation_role_id,
                escalate_after, overdue_repeat_days, digest_enabled, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                timezone = excluded.timezone, alert_time = excluded.alert_time,
                reminder_days = excluded.reminder_days, calendar = excluded.calendar,
                counting = excluded.counting, default_channel_id = excluded.default_channel_id,
                manager_role_id = excluded.manager_role_id,
                escalation_role_id = excluded.escalation_role_id,
                escalate_after = excluded.escalate_after,
                overdue_repeat_days = excluded.overdue_repeat_days,
                digest_enabled = excluded.digest_enabled, updated_at = excluded.updated_at
            """,
            (
                settings.guild_id,
                settings.timezone,
                settings.alert_time.strftime("%H:%M"),
                json.dumps(list(settings.reminder_days)),
                settings.calendar,
                settings.counting.value,
                settings.default_channel_id,
                settings.manager_role_id,
                settings.escalation_role_id,
                settings.escalate_after,
                settings.overdue_repeat_days,
                int(settings.digest_enabled),
                ts(now),
            ),
        )

    async def guild_settings_all(self) -> list[GuildSettings]:
        return [_settings(row) for row in await self._all("SELECT * FROM guild_settings")]

    # -- deadlines --------------------------------------------------------------------

    async def insert_deadline(self, new: NewDeadline) -> Deadline:
        """Store `new` under the guild's next id."""
        stored = await self.insert_deadline_within(new, max_active=2**62)
        assert stored is not None
        return stored

    async def insert_deadline_within(self, new: NewDeadline, *, max_active: int) -> Deadline | None:
        """Store `new` under the guild's next id, unless the guild already has `max_active`
        active deadlines (then None). One statement: one trip to the database thread."""
        row = await self._one(
            _INSERT_NEXT_DEADLINE, (*_deadline_row(new, 0)[2:], new.guild_id, max_active)
        )
        return None if row is None else new.stored(int(row[0]))

    async def _next_ids(self, guild_ids: Iterable[int]) -> dict[int, int]:
        """The id the next deadline of each guild gets: ids are short and per guild."""
        next_ids = {}
        for guild_id in guild_ids:
            row = await self._one(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM deadlines WHERE guild_id = ?", (guild_id,)
            )
            assert row is not None
            next_ids[guild_id] = int(row[0])
        return next_ids

    async def insert_deadlines(
        self,
        batch: Sequence[tuple[NewDeadline, Sequence[PlannedAlert]]],
        *,
        history_action: str | None = None,
    ) -> list[int]:
        """Bulk import: deadlines with their planned alerts; returns their ids, in order.

        Ids continue each guild's sequence in the order given. Rows are written guild by
        guild, so the alerts' unique index and foreign-key lookups stay on hot pages. With
        `history_action`, each deadline gets one history entry, written by SQLite itself
        (the detail reads like the one `add` writes: "due Thu 2025-07-17 (30 days; ...)").
        """
        order = sorted(range(len(batch)), key=lambda n: batch[n][0].guild_id)
        next_ids = await self._next_ids({new.guild_id for new, _ in batch})
        first_ids = dict(next_ids)
        ids = [0] * len(batch)
        rows = []
        alert_rows = []
        # Deadlines due the same day often share one plan object (see planning.plan_many):
        # convert each plan once. Keyed by identity, which holds while `batch` holds them.
        converted: dict[int, list[tuple[Any, ...]]] = {}
        for n in order:
            new, alerts = batch[n]
            guild_id = new.guild_id
            deadline_id = ids[n] = next_ids[guild_id]
            next_ids[guild_id] = deadline_id + 1
            rows.append(_deadline_row(new, deadline_id))
            values = converted.get(id(alerts))
            if values is None:
                values = converted[id(alerts)] = [_alert_values(alert) for alert in alerts]
            alert_rows += [(guild_id, deadline_id, *value) for value in values]
        # A big write touches most pages of the tables and indexes: let them all stay in the
        # page cache (pages are taken only as read: ~80 MB for 100,000 deadlines), then hand
        # the memory back. 0.4-1 s of a 100,000-deadline import here.
        cache_size = await self._one("PRAGMA cache_size")
        await self._conn.execute(f"PRAGMA cache_size = {_BULK_CACHE_KIB}")
        try:
            stored = await self._one("SELECT COUNT(*) FROM deadlines")
            async with self._index_rebuilt(
                "deadlines_by_status_due", adding=len(rows), holds=int(stored[0]) if stored else 0
            ):
                await self._conn.executemany(_INSERT_DEADLINE, rows)
            pending = await self.count_pending_alerts()
            async with self._index_rebuilt("alerts_pending", adding=len(alert_rows), holds=pending):
                await self._conn.executemany(_INSERT_ALERT, alert_rows)
            if history_action is not None:
                await self._conn.executemany(
                    """
                    INSERT INTO history (guild_id, deadline_id, at, actor_id, action, detail)
                    SELECT guild_id, id, created_at, created_by, ?,
                        'due ' || substr('SunMonTueWedThuFriSat', 1 + 3 * strftime('%w', due_on), 3)
                        || ' ' || due_on || ' (' || period || '; ' || rule || ' rule)'
                    FROM deadlines WHERE guild_id = ? AND id >= ? ORDER BY id
                    """,
                    [(history_action, guild_id, first) for guild_id, first in first_ids.items()],
                )
        finally:
            await self._conn.execute(
                f"PRAGMA cache_size = {int(cache_size[0]) if cache_size else -2000}"
            )
        return ids

    @asynccontextmanager
    async def _index_rebuilt(self, name: str, *, adding: int, holds: int) -> AsyncIterator[None]:
        """Around a bulk write of `adding` rows into index `name`, which `holds` rows: if that
        is more than it holds (and many), drop the index and build it afresh after, which is
        cheaper than inserting into it row by row (0.4 s of a 500,000-alert import here).
        Rebuilt from its own sqlite_master text, so exactly as the migrations made it; a
        failed write rolls the drop back with everything else."""
        if adding <= max(holds, _REBUILD_INDEX_FROM):
            yield
            return
        row = await self._one(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        )
        assert row is not None, f"index {name} is missing"
        await self._conn.execute(f"DROP INDEX {name}")
        yield
        await self._conn.execute(row[0])

    async def get_deadline(self, guild_id: int, deadline_id: int) -> Deadline | None:
        row = await self._one(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines WHERE guild_id = ? AND id = ?",
            (guild_id, deadline_id),
        )
        return None if row is None else _deadline(row)

    async def update_deadline(self, deadline: Deadline) -> None:
        """Write every mutable field of `deadline` (matched by guild and id)."""
        params = dict(zip(_COLUMN_NAMES, _deadline_row(deadline, deadline.id), strict=True))
        cursor = await self._conn.execute(_UPDATE_DEADLINE, params)
        if cursor.rowcount != 1:
            raise StorageError(f"deadline #{deadline.id} of guild {deadline.guild_id} not found")

    async def count_deadlines(self, guild_id: int, status: Status) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM deadlines WHERE guild_id = ? AND status = ?",
            (guild_id, status.value),
        )
        return int(row[0]) if row else 0

    async def list_deadlines(
        self,
        guild_id: int,
        *,
        statuses: Sequence[Status],
        now: dt.datetime,
        overdue_only: bool = False,
        channel_id: int | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> tuple[list[Deadline], int]:
        """One page of a guild's deadlines, overdue active ones first, then by due time."""
        where = [f"guild_id = ? AND status IN ({', '.join('?' * len(statuses))})"]
        params: list[Any] = [guild_id, *(s.value for s in statuses)]
        if overdue_only:
            where.append("status = 'active' AND due_at < ?")
            params.append(ts(now))
        if channel_id is not None:
            where.append("channel_id = ?")
            params.append(channel_id)
        clause = " AND ".join(where)
        total_row = await self._one(f"SELECT COUNT(*) FROM deadlines WHERE {clause}", params)
        rows = await self._all(
            f"""
            SELECT {_DEADLINE_COLUMNS} FROM deadlines WHERE {clause}
            ORDER BY (status = 'active' AND due_at < ?) DESC, due_at, id
            LIMIT ? OFFSET ?
            """,
            [*params, ts(now), limit, offset],
        )
        return [_deadline(row) for row in rows], int(total_row[0]) if total_row else 0

    async def search_deadlines(
        self, guild_id: int, text: str, *, limit: int = 25
    ) -> list[Deadline]:
        """Deadlines whose id or title matches `text`, active first, soonest first."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = text.strip().lstrip("#")
        rows = await self._all(
            f"""
            SELECT {_DEADLINE_COLUMNS} FROM deadlines
            WHERE guild_id = ? AND (title LIKE ? ESCAPE '\\' OR CAST(id AS TEXT) = ?)
            ORDER BY CAST(id AS TEXT) = ? DESC, status = 'active' DESC, due_at, id
            LIMIT ?
            """,
            (guild_id, pattern, digits, digits, limit),
        )
        return [_deadline(row) for row in rows]

    async def count_by_status(self) -> dict[str, int]:
        """How many deadlines there are in each status, all guilds together (metrics)."""
        rows = await self._all("SELECT status, COUNT(*) FROM deadlines GROUP BY status")
        counts = dict.fromkeys((s.value for s in Status), 0)
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    async def active_deadlines(self, guild_id: int) -> list[Deadline]:
        rows = await self._all(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines WHERE guild_id = ? AND status = 'active' "
            "ORDER BY due_at, id",
            (guild_id,),
        )
        return [_deadline(row) for row in rows]

    async def guild_deadlines(
        self, guild_id: int, *, statuses: Sequence[Status] = tuple(Status)
    ) -> list[Deadline]:
        """All of a guild's deadlines with one of `statuses`, soonest due first (for export)."""
        rows = await self._all(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines "
            f"WHERE guild_id = ? AND status IN ({', '.join('?' * len(statuses))}) "
            "ORDER BY due_at, id",
            (guild_id, *(s.value for s in statuses)),
        )
        return [_deadline(row) for row in rows]

    # -- planned alerts ---------------------------------------------------------------

    async def replan(self, deadline: Deadline, planned: Sequence[PlannedAlert]) -> None:
        """Make the deadline's unsent alerts exactly `planned`; idempotent.

        Alerts already sent or failed stay as history. Unsent ones that no longer fit go,
        claimed ones included: the dispatcher is told (`changed`) and drops what it holds.
        """
        keep = [value for a in planned for value in (a.kind.value, ts(a.send_at))]
        # (NOT IN an empty list is not valid SQL, and NULLs would make it match nothing.)
        unless = f"AND (kind, send_at) NOT IN (VALUES {', '.join(['(?, ?)'] * len(planned))})"
        await self._conn.execute(
            f"""
            DELETE FROM alerts WHERE guild_id = ? AND deadline_id = ? AND {_PENDING}
                {unless if planned else ""}
            """,
            (deadline.guild_id, deadline.id, *keep),
        )
        await self.add_alerts(deadline, planned)

    async def add_alerts(self, deadline: Deadline, planned: Sequence[PlannedAlert]) -> None:
        """Add planned alerts (one already planned is left as it is)."""
        if planned:
            await self._conn.executemany(
                _INSERT_ALERT, [_alert_params(deadline.guild_id, deadline.id, a) for a in planned]
            )

    async def count_pending_alerts(self) -> int:
        """Unsent alerts of all guilds (metrics, benchmarks)."""
        row = await self._one(f"SELECT COUNT(*) FROM alerts WHERE {_PENDING}")
        return int(row[0]) if row else 0

    async def pending_alerts(self, guild_id: int, deadline_id: int) -> list[StoredAlert]:
        rows = await self._all(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE guild_id = ? AND deadline_id = ? "
            f"AND {_PENDING} ORDER BY send_at, id",
            (guild_id, deadline_id),
        )
        return [_alert(row) for row in rows]

    async def alerts_of(self, guild_id: int, deadline_id: int) -> list[StoredAlert]:
        rows = await self._all(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE guild_id = ? AND deadline_id = ? "
            "ORDER BY send_at, id",
            (guild_id, deadline_id),
        )
        return [_alert(row) for row in rows]

    async def next_pending_at(self) -> dt.datetime | None:
        """When the earliest unsent, unclaimed alert (of any guild) is due."""
        row = await self._one(
            f"SELECT MIN(next_attempt_at) FROM alerts WHERE {_PENDING} AND claimed_at IS NULL"
        )
        return _opt_ts(row[0]) if row else None

    async def claim_due(
        self, until: dt.datetime, *, limit: int, now: dt.datetime | None = None
    ) -> list[tuple[StoredAlert, Deadline]]:
        """Claim up to `limit` alerts due by `until` (earliest first), each with its deadline."""
        until_at = ts(until)
        claimed_at = ts(now or until)
        rows = await self._all(
            f"""
            SELECT {_CLAIM_COLUMNS} FROM alerts AS a
            JOIN deadlines AS d ON d.guild_id = a.guild_id AND d.id = a.deadline_id
            WHERE a.sent_at IS NULL AND a.failed_at IS NULL AND a.claimed_at IS NULL
                AND a.next_attempt_at <= ?
            ORDER BY a.next_attempt_at, a.id LIMIT ?
            """,
            (until_at, limit),
        )
        claimed = {row[0]: row for row in rows}  # row[0]: the alert id
        if claimed:
            await self._conn.executemany(
                "UPDATE alerts SET claimed_at = ? WHERE id = ?",
                [(claimed_at, alert_id) for alert_id in claimed],
            )
        pairs = [(_alert(row), _deadline(row, _ALERT_WIDTH)) for row in claimed.values()]
        return sorted(pairs, key=lambda pair: (pair[0].send_at, pair[0].id))

    async def settings_for(self, guild_ids: Iterable[int]) -> dict[int, GuildSettings]:
        """Stored settings of these guilds (guilds still on defaults are absent)."""
        ids = list(set(guild_ids))
        if not ids:
            return {}
        rows = await self._all(
            f"SELECT * FROM guild_settings WHERE guild_id IN ({', '.join('?' * len(ids))})", ids
        )
        return {row["guild_id"]: _settings(row) for row in rows}

    async def release_claims(self, alert_ids: Iterable[int] | None = None) -> int:
        """Unclaim alerts (all, at start-up, when `alert_ids` is None) that were not sent."""
        if alert_ids is None:
            cursor = await self._conn.execute(
                f"UPDATE alerts SET claimed_at = NULL WHERE claimed_at IS NOT NULL AND {_PENDING}"
            )
            return cursor.rowcount
        ids = list(alert_ids)
        await self._conn.executemany(
            "UPDATE alerts SET claimed_at = NULL WHERE id = ?", [(i,) for i in ids]
        )
        return len(ids)

    # The dispatcher records results in batches across guilds: each row names its guild.

    async def mark_sent(self, rows: Sequence[tuple[int, int, dt.datetime, int]]) -> int:
        """Rows of (guild, alert, sent_at, message id). An alert keeps its first mark."""
        cursor = await self._conn.executemany(
            "UPDATE alerts SET sent_at = ?, message_id = ?, claimed_at = NULL, "
            "attempts = attempts + 1 WHERE guild_id = ? AND id = ? AND sent_at IS NULL",
            [(ts(at), message_id, guild, alert) for guild, alert, at, message_id in rows],
        )
        return cursor.rowcount

    async def mark_failed(self, rows: Sequence[tuple[int, int, dt.datetime, str]]) -> None:
        """Rows of (guild, alert, failed_at, error): given up on, kept as history."""
        await self._conn.executemany(
            "UPDATE alerts SET failed_at = ?, error = ?, claimed_at = NULL, "
            "attempts = attempts + 1 WHERE guild_id = ? AND id = ? AND sent_at IS NULL",
            [(ts(at), error[:500], guild, alert) for guild, alert, at, error in rows],
        )

    async def retry_later(self, rows: Sequence[tuple[int, int, dt.datetime, str]]) -> None:
        """Rows of (guild, alert, next attempt, error): unclaimed, to be tried again then."""
        await self._conn.executemany(
            "UPDATE alerts SET next_attempt_at = ?, error = ?, claimed_at = NULL, "
            "attempts = attempts + 1 WHERE guild_id = ? AND id = ? AND sent_at IS NULL",
            [(ts(at), error[:500], guild, alert) for guild, alert, at, error in rows],
        )

    async def drop_alerts(self, rows: Sequence[tuple[int, int]]) -> None:
        """Rows of (guild, alert): unsent alerts that no longer apply (deadline closed)."""
        await self._conn.executemany(
            f"DELETE FROM alerts WHERE guild_id = ? AND id = ? AND {_PENDING}", rows
        )

    async def plan_if_active(self, rows: Sequence[tuple[int, int, PlannedAlert]]) -> None:
        """Rows of (guild, deadline, alert): add each alert if its deadline is still active."""
        await self._conn.executemany(
            """
            INSERT INTO alerts (guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
                next_attempt_at)
            SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (
                SELECT 1 FROM deadlines WHERE guild_id = ? AND id = ? AND status = 'active')
            ON CONFLICT (guild_id, deadline_id, kind, send_at) DO NOTHING
            """,
            [
                (*_alert_params(guild, deadline, alert), guild, deadline)
                for guild, deadline, alert in rows
            ],
        )

    # -- history ----------------------------------------------------------------------

    async def add_history(self, *entries: HistoryEntry) -> None:
        await self._conn.executemany(
            "INSERT INTO history (guild_id, deadline_id, at, actor_id, action, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (e.guild_id, e.deadline_id, ts(e.at), e.actor_id, e.action, e.detail)
                for e in entries
            ],
        )

    async def history(self, guild_id: int, deadline_id: int) -> list[HistoryEntry]:
        rows = await self._all(
            "SELECT guild_id, deadline_id, at, actor_id, action, detail FROM history "
            "WHERE guild_id = ? AND deadline_id = ? ORDER BY id",
            (guild_id, deadline_id),
        )
        return [_history(row) for row in rows]

    # -- meta -------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        await self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- calendar feeds ---------------------------------------------------------------

    async def calendar_feed(self, guild_id: int) -> CalendarFeed | None:
        row = await self._one(
            f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _feed(row)

    async def feed_by_hash(self, token_hash: str) -> CalendarFeed | None:
        """The feed whose token hashes to `token_hash` (a SHA-256 hex digest), if any."""
        row = await self._one(
            f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE token_hash = ?", (token_hash,)
        )
        return None if row is None else _feed(row)

    async def put_calendar_feed(self, feed: CalendarFeed) -> None:
        """Create the guild's feed, or replace its token (the old one stops matching)."""
        await self._conn.execute(
            """
            INSERT INTO calendar_feeds (guild_id, token_hash, name, created_at, created_by)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET token_hash = excluded.token_hash,
                name = excluded.name, created_at = excluded.created_at,
                created_by = excluded.created_by
            """,
            (feed.guild_id, feed.token_hash, feed.name, ts(feed.created_at), feed.created_by),
        )

    async def rename_calendar_feed(self, guild_id: int, name: str) -> None:
        await self._conn.execute(
            "UPDATE calendar_feeds SET name = ? WHERE guild_id = ?", (name, guild_id)
        )

    # -- boards -----------------------------------------------------------------------

    async def boards(self, guild_id: int) -> list[Board]:
        rows = await self._all(
            f"SELECT {_BOARD_COLUMNS} FROM boards WHERE guild_id = ? ORDER BY channel_id",
            (guild_id,),
        )
        return [_board(row) for row in rows]

    async def board(self, guild_id: int, channel_id: int) -> Board | None:
        row = await self._one(
            f"SELECT {_BOARD_COLUMNS} FROM boards WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )
        return None if row is None else _board(row)

    async def put_board(self, board: Board) -> None:
        """Store the board, replacing the one its channel had."""
        await self._conn.execute(
            f"""
            INSERT INTO boards ({_BOARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, channel_id) DO UPDATE SET message_id = excluded.message_id,
                scope = excluded.scope, created_by = excluded.created_by,
                created_at = excluded.created_at
            """,
            (
                board.guild_id,
                board.channel_id,
                board.message_id,
                board.scope.value,
                board.created_by,
                ts(board.created_at),
            ),
        )

    async def delete_board(
        self, guild_id: int, channel_id: int, *, message_id: int | None = None
    ) -> bool:
        """Delete the channel's board (only if it is still message `message_id`, when given)."""
        sql = "DELETE FROM boards WHERE guild_id = ? AND channel_id = ?"
        params: list[Any] = [guild_id, channel_id]
        if message_id is not None:
            sql += " AND message_id = ?"
            params.append(message_id)
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount > 0

    async def board_guilds(self) -> list[int]:
        """The guilds that have at least one board (to refresh them all at start and daily)."""
        rows = await self._all("SELECT DISTINCT guild_id FROM boards ORDER BY guild_id")
        return [int(row[0]) for row in rows]

    async def guild_history(self, guild_id: int, *, limit: int = 50) -> list[HistoryEntry]:
        """The guild's latest history entries that are not about one deadline (settings,
        calendar feeds, boards), oldest first."""
        rows = await self._all(
            "SELECT guild_id, deadline_id, at, actor_id, action, detail FROM history "
            "WHERE guild_id = ? AND deadline_id IS NULL ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_history(row) for row in reversed(rows)]


_INSERT_ALERT = """
    INSERT INTO alerts (guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
        next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (guild_id, deadline_id, kind, send_at) DO NOTHING
"""


def _alert_params(guild_id: int, deadline_id: int, alert: PlannedAlert) -> tuple[Any, ...]:
    return (guild_id, deadline_id, *_alert_values(alert))


def _alert_values(alert: PlannedAlert) -> tuple[Any, ...]:
    """The rest of _INSERT_ALERT's parameters after guild and deadline."""
    send_at = ts(alert.send_at)
    # (.value and int(): sqlite3 takes StrEnums and bools only through its slower adapter path)
    return (alert.kind.value, send_at, alert.seq, int(alert.escalate), alert.days_before, send_at)


@lru_cache(maxsize=1024)
def _explanation_json(explanation: tuple[str, ...]) -> str:
    # Cached: deadlines imported together often share their explanation.
    return json.dumps(list(explanation))


def _deadline_row(d: Deadline | NewDeadline, deadline_id: int) -> tuple[Any, ...]:
    """A deadline as a row, in _DEADLINE_COLUMNS order: the one mapping for inserts (bulk
    ones included, from NewDeadline without building a Deadline) and updates."""
    if isinstance(d, Deadline):
        revision, updated_at = d.revision, d.updated_at
    else:
        revision, updated_at = 0, d.created_at
    mention = d.mention
    return (
        d.guild_id,
        deadline_id,
        d.channel_id,
        d.title,
        d.start.isoformat(),
        d.rule.value,
        d.calendar,
        d.period,
        d.due.isoformat(),
        ts(d.due_at),
        int(d.has_time),
        _explanation_json(d.explanation),
        d.timezone,
        None if mention is None else mention.kind.value,
        None if mention is None else mention.id,
        d.link,
        d.notes,
        d.created_by,
        d.status.value,
        None if d.snoozed_until is None else ts(d.snoozed_until),
        revision,
        ts(d.created_at),
        ts(updated_at),
    )


# Stored text -> enum member; a dict lookup is ~15x cheaper than calling the Enum class.
_RULES = {member.value: member for member in Rule}
_STATUSES = {member.value: member for member in Status}
_MENTION_KINDS = {member.value: member for member in MentionKind}
_ALERT_KINDS = {member.value: member for member in AlertKind}


def _deadline(row: Sequence[Any], at: int = 0) -> Deadline:
    """A deadline from `row[at:]`, which holds _DEADLINE_COLUMNS in order.

    By position, not by name: sqlite3.Row finds a name by scanning every column, which made
    mapping a 36-column claim row cost ~50 us (a 500-alert claim held the event loop ~25 ms).
    """
    (
        guild_id, deadline_id, channel_id, title, start_on, rule, calendar, period, due_on,
        due_at, has_time, explanation, timezone, mention_kind, mention_id, link, notes,
        created_by, status, snoozed_until, revision, created_at, updated_at,
    ) = tuple(row)[at : at + _DEADLINE_WIDTH]  # fmt: skip
    return Deadline(
        guild_id=guild_id,
        id=deadline_id,
        channel_id=channel_id,
        title=title,
        start=dt.date.fromisoformat(start_on),
        rule=_RULES[rule],
        calendar=calendar,
        period=period,
        due=dt.date.fromisoformat(due_on),
        due_at=parse_ts(due_at),
        has_time=bool(has_time),
        explanation=tuple(json.loads(explanation)),
        timezone=timezone,
        mention=None if mention_kind is None else Mention(_MENTION_KINDS[mention_kind], mention_id),
        link=link,
        notes=notes,
        created_by=created_by,
        status=_STATUSES[status],
        snoozed_until=_opt_ts(snoozed_until),
        revision=revision,
        created_at=parse_ts(created_at),
        updated_at=parse_ts(updated_at),
    )


_BOARD_COLUMNS = "guild_id, channel_id, message_id, scope, created_by, created_at"


def _board(row: sqlite3.Row) -> Board:
    return Board(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        scope=BoardScope(row["scope"]),
        created_by=row["created_by"],
        created_at=parse_ts(row["created_at"]),
    )


def _history(row: sqlite3.Row) -> HistoryEntry:
    return HistoryEntry(
        guild_id=row["guild_id"],
        deadline_id=row["deadline_id"],
        at=parse_ts(row["at"]),
        actor_id=row["actor_id"],
        action=row["action"],
        detail=row["detail"],
    )


_FEED_COLUMNS = "guild_id, token_hash, name, created_at, created_by"


def _feed(row: sqlite3.Row) -> CalendarFeed:
    return CalendarFeed(
        guild_id=row["guild_id"],
        token_hash=row["token_hash"],
        name=row["name"],
        created_at=parse_ts(row["created_at"]),
        created_by=row["created_by"],
    )


def _alert(row: Sequence[Any], at: int = 0) -> StoredAlert:
    """An alert from `row[at:]`, which holds _ALERT_COLUMNS in order (see _deadline)."""
    (
        alert_id, guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
        next_attempt_at, attempts, sent_at, failed_at, error,
    ) = tuple(row)[at : at + _ALERT_WIDTH]  # fmt: skip
    return StoredAlert(
        id=alert_id,
        guild_id=guild_id,
        deadline_id=deadline_id,
        kind=_ALERT_KINDS[kind],
        send_at=parse_ts(send_at),
        seq=seq,
        escalate=bool(escalate),
        days_before=days_before,
        next_attempt_at=parse_ts(next_attempt_at),
        attempts=attempts,
        sent_at=_opt_ts(sent_at),
        failed_at=_opt_ts(failed_at),
        error=error,
    )


def _settings(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        timezone=row["timezone"],
        alert_time=dt.time.fromisoformat(row["alert_time"]),
        reminder_days=tuple(json.loads(row["reminder_days"])),
        calendar=row["calendar"],
        counting=Rule(row["counting"]),
        default_channel_id=row["default_channel_id"],
        manager_role_id=row["manager_role_id"],
        escalation_role_id=row["escalation_role_id"],
        escalate_after=row["escalate_after"],
        overdue_repeat_days=row["overdue_repeat_days"],
        digest_enabled=bool(row["digest_enabled"]),
    )
