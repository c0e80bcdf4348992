"""Transaction methods for deadlines, the bulk import among them. All take the guild id."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bot.models import Deadline, NewDeadline, PlannedAlert, Status

from .errors import StorageError
from .queries_base import Queries
from .rows import (
    _COLUMN_NAMES,
    _DEADLINE_COLUMNS,
    _INSERT_ALERT,
    _alert_values,
    _deadline,
    _deadline_row,
    ts,
)

_ROWS_PER_SLICE = 500  # rows turned into Deadlines between two turns of the event loop

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
    "GROUP BY g.guild_id HAVING (SELECT COALESCE(SUM(n), 0) FROM deadline_counts "
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
# The rows the alerts_pending index holds (its WHERE, as migration 5 made it).
_IN_PENDING_INDEX = "sent_at IS NULL AND failed_at IS NULL AND claimed_at IS NULL"
_BULK_CACHE_KIB = -262144  # negative: KiB (256 MiB), as PRAGMA cache_size takes it
_REBUILD_INDEX_FROM = 10_000  # alerts in one bulk insert
# The deadlines' indexes besides the primary key (a bulk write may rebuild them).
_DEADLINE_INDEXES = ("deadlines_by_status_due", "deadlines_by_channel")
# Autocomplete looks at every active deadline of the guild (at most 5,000: a product limit),
# but at only this many closed ones of each status, the latest due first, so that it costs
# the same after years of history. A closed deadline is always found by its number.
SEARCH_CLOSED_SCAN = 2000


class DeadlineQueries(Queries):
    """Deadlines (Transaction's part): all take the guild id."""

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

    async def twin_of(self, new: NewDeadline, *, since: dt.datetime) -> Deadline | None:
        """An active deadline the same member added since `since` with the same title,
        period, start, rule, channel and due time: what a retried add would duplicate.
        Found through the (guild, status, due_at) index."""
        row = await self._one(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines WHERE guild_id = ? AND status = 'active' "
            "AND due_at = ? AND created_by = ? AND channel_id = ? AND title = ? AND period = ? "
            "AND start_on = ? AND rule = ? AND created_at >= ? ORDER BY id LIMIT 1",
            (
                new.guild_id, ts(new.due_at), new.created_by, new.channel_id, new.title,
                new.period, new.start.isoformat(), new.rule.value, ts(since),
            ),
        )  # fmt: skip
        return None if row is None else _deadline(row)

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
        history_actor: int | None = None,
        history_at: dt.datetime | None = None,
    ) -> list[int]:
        """Bulk import: deadlines with their planned alerts; returns their ids, in order.

        Ids continue each guild's sequence in the order given. Rows are written guild by
        guild, so the alerts' unique index and foreign-key lookups stay on hot pages. With
        `history_action`, each deadline gets one history entry, written by SQLite itself
        (the detail reads like the one `add` writes: "due Thu 2025-07-17 (30 days; ...)"), by
        `history_actor` at `history_at` (default: each deadline's creator, at its creation).

        Nothing here reads a whole table: a batch into a database of a million deadlines costs
        what it costs into an empty one (the counts below stop at the batch's size).
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
            stored = await self._count_up_to("SELECT 1 FROM deadlines", len(rows))
            async with self._indexes_rebuilt(_DEADLINE_INDEXES, adding=len(rows), holds=stored):
                await self._conn.executemany(_INSERT_DEADLINE, rows)
            pending = await self._count_up_to(
                "SELECT 1 FROM alerts WHERE " + _IN_PENDING_INDEX, len(alert_rows)
            )
            async with self._indexes_rebuilt(
                ("alerts_pending",), adding=len(alert_rows), holds=pending
            ):
                await self._conn.executemany(_INSERT_ALERT, alert_rows)
            if history_action is not None:
                await self._conn.executemany(
                    """
                    INSERT INTO history (guild_id, deadline_id, at, actor_id, action, detail)
                    SELECT guild_id, id, COALESCE(?, created_at),
                        CASE WHEN ? THEN ? ELSE created_by END, ?,
                        'due ' || substr('SunMonTueWedThuFriSat', 1 + 3 * strftime('%w', due_on), 3)
                        || ' ' || due_on || ' (' || period || '; ' || rule || ' rule)'
                    FROM deadlines WHERE guild_id = ? AND id >= ? ORDER BY id
                    """,
                    [
                        (
                            None if history_at is None else ts(history_at),
                            history_at is not None or history_actor is not None,
                            history_actor,
                            history_action,
                            guild_id,
                            first,
                        )
                        for guild_id, first in first_ids.items()
                    ],
                )
        finally:
            await self._conn.execute(
                f"PRAGMA cache_size = {int(cache_size[0]) if cache_size else -2000}"
            )
        return ids

    async def _count_up_to(self, rows_sql: str, limit: int) -> int:
        """How many rows `rows_sql` gives, counting no further than `limit` + 1: enough to
        tell whether a batch of `limit` is bigger, at the cost of reading as many rows."""
        row = await self._one(f"SELECT COUNT(*) FROM ({rows_sql} LIMIT ?)", (limit + 1,))
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def _indexes_rebuilt(
        self, names: Sequence[str], *, adding: int, holds: int
    ) -> AsyncIterator[None]:
        """Around a bulk write of `adding` rows into indexes `names`, which `holds` rows: if
        that is more than they hold (and many), drop them and build them afresh after, which
        is cheaper than inserting into them row by row (0.4 s of a 500,000-alert import here).
        Rebuilt from their own sqlite_master text, so exactly as the migrations made them; a
        failed write rolls the drops back with everything else."""
        if adding <= max(holds, _REBUILD_INDEX_FROM):
            yield
            return
        made = []
        for name in names:
            row = await self._one(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
            )
            assert row is not None, f"index {name} is missing"
            made.append(row[0])
            await self._conn.execute(f"DROP INDEX {name}")
        yield
        for sql in made:
            await self._conn.execute(sql)

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

    async def overdue_repeating(self, *, due_before: dt.datetime, limit: int) -> list[Deadline]:
        """Current occurrences of repeats (every guild's) due before `due_before` and not
        paused, soonest first: through the deadlines_repeating index (migration 14)."""
        async with self._conn.execute(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines INDEXED BY deadlines_repeating "
            "WHERE recurrence IS NOT NULL AND next_id IS NULL AND status = 'active' "
            "AND due_at < ? AND paused_at IS NULL ORDER BY due_at LIMIT ?",
            (ts(due_before), limit),
        ) as cursor:
            return [_deadline(row) for row in await cursor.fetchall()]

    async def count_deadlines(self, guild_id: int, status: Status) -> int:
        """Read from the counts the triggers keep (migration 10): one row."""
        row = await self._one(
            "SELECT COALESCE(SUM(n), 0) FROM deadline_counts WHERE guild_id = ? AND status = ?",
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
        """One page of a guild's deadlines, overdue active ones first, then by due time.

        Each status (and the overdue part of the active ones) is read in order from the
        (guild, status, due_at) index, or (guild, channel, status, due_at) for one channel,
        no further than the page's end, and the parts are merged: a page costs what its
        position costs, not what the guild's history holds. The total comes from the
        maintained counts, or from counting index entries when the page is filtered.
        """
        now_at = ts(now)
        take = offset + limit
        parts: list[tuple[int, str, str, list[Any]]] = []  # (rank, status, extra, params)
        if Status.ACTIVE in statuses:
            # A paused deadline is never overdue: past its due date it is listed with the rest.
            parts.append((0, Status.ACTIVE.value, "AND due_at < ? AND paused_at IS NULL", [now_at]))
            if not overdue_only:
                parts.append((1, Status.ACTIVE.value, "AND due_at >= ?", [now_at]))
                parts.append(
                    (1, Status.ACTIVE.value, "AND due_at < ? AND paused_at IS NOT NULL", [now_at])
                )
        if not overdue_only:
            parts += [(1, s.value, "", []) for s in statuses if s is not Status.ACTIVE]
        if not parts:
            return [], 0
        where_channel = "" if channel_id is None else "AND channel_id = ?"
        channel = [] if channel_id is None else [channel_id]
        arms, params = [], []
        for rank, status, extra, extra_params in parts:
            arms.append(
                f"SELECT * FROM (SELECT {_DEADLINE_COLUMNS}, {rank} AS part FROM deadlines "
                f"WHERE guild_id = ? AND status = ? {extra} {where_channel} "
                "ORDER BY due_at, id LIMIT ?)"
            )
            params += [guild_id, status, *extra_params, *channel, take]
        rows = await self._all(
            f"SELECT {_DEADLINE_COLUMNS} FROM ({' UNION ALL '.join(arms)}) "
            "ORDER BY part, due_at, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        if overdue_only:  # active ones only: at most a guild's limit of them
            total_row = await self._one(
                "SELECT COUNT(*) FROM deadlines WHERE guild_id = ? AND status = 'active' "
                f"AND due_at < ? AND paused_at IS NULL {where_channel}",
                [guild_id, now_at, *channel],
            )
        else:
            total_row = await self._one(
                "SELECT COALESCE(SUM(n), 0) FROM deadline_counts "
                f"WHERE guild_id = ? AND status IN ({', '.join('?' * len(statuses))}) "
                f"{where_channel}",
                [guild_id, *(s.value for s in statuses), *channel],
            )
        return [_deadline(row) for row in rows], int(total_row[0] or 0) if total_row else 0

    async def search_deadlines(
        self, guild_id: int, text: str, *, limit: int = 25
    ) -> list[Deadline]:
        """Deadlines whose id or title matches `text`, active first, soonest first.

        The number is looked up by key; titles are matched among the guild's active
        deadlines and its SEARCH_CLOSED_SCAN latest due closed ones of each status, so
        that a keystroke costs the same however much history the guild has."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = text.strip().lstrip("#")
        found: dict[int, Deadline] = {}
        if (
            digits.isascii()
            and digits.isdigit()
            and str(int(digits)) == digits
            and len(digits) < 19
        ):
            by_id = await self.get_deadline(guild_id, int(digits))
            if by_id is not None:
                found[by_id.id] = by_id
        rows = await self._all(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines WHERE guild_id = ? AND status = 'active' "
            "AND title LIKE ? ESCAPE '\\' ORDER BY due_at, id LIMIT ?",
            (guild_id, pattern, limit),
        )
        found.update((d.id, d) for d in map(_deadline, rows) if d.id not in found)
        if len(found) < limit:
            closed = " UNION ALL ".join(
                f"SELECT * FROM (SELECT {_DEADLINE_COLUMNS} FROM deadlines "
                "WHERE guild_id = ? AND status = ? ORDER BY due_at DESC LIMIT ?)"
                for _ in (Status.DONE, Status.CANCELLED)
            )
            rows = await self._all(
                f"SELECT * FROM ({closed}) WHERE title LIKE ? ESCAPE '\\' "
                "ORDER BY due_at, id LIMIT ?",
                (
                    guild_id, Status.DONE.value, SEARCH_CLOSED_SCAN,
                    guild_id, Status.CANCELLED.value, SEARCH_CLOSED_SCAN,
                    pattern, limit,
                ),
            )  # fmt: skip
            found.update((d.id, d) for d in map(_deadline, rows) if d.id not in found)
        return list(found.values())[:limit]

    async def count_by_status(self) -> dict[str, int]:
        """How many deadlines there are in each status, all guilds together (metrics): from
        the counts the triggers keep, a few rows per guild."""
        rows = await self._all("SELECT status, SUM(n) FROM deadline_counts GROUP BY status")
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

    async def lapsed_stages(self, *, due_before: dt.datetime, limit: int = 100) -> list[Deadline]:
        """Active, unpaused deadlines of any guild with a records-law stage still to come
        whose current stage was due before `due_before`, the earliest first: the stages
        nobody marked done. Through the deadlines_staged index (migration 13)."""
        rows = await self._all(
            f"SELECT {_DEADLINE_COLUMNS} FROM deadlines INDEXED BY deadlines_staged "
            "WHERE stages_left > 0 AND status = 'active' AND due_at < ? AND paused_at IS NULL "
            "ORDER BY due_at LIMIT ?",
            (ts(due_before), limit),
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
        # Thousands of rows take tens of milliseconds to become Deadlines: a slice at a time,
        # letting the event loop run between, so an export does not stall commands and alerts.
        deadlines: list[Deadline] = []
        for first in range(0, len(rows), _ROWS_PER_SLICE):
            if first:
                await asyncio.sleep(0)
            deadlines.extend(_deadline(row) for row in rows[first : first + _ROWS_PER_SLICE])
        return deadlines

    async def delete_closed(self, *, closed_before: dt.datetime, limit: int) -> dict[int, int]:
        """Retention: delete up to `limit` done or cancelled deadlines last changed (closed,
        or edited after) before `closed_before`, the oldest first; returns how many went, per
        guild. Their alerts and stored calendar events go with them (ON DELETE CASCADE), the
        counts and change counters follow (triggers); their history stays (it is
        append-only). A guild's highest-numbered deadline is never deleted: numbers are the
        guild's highest plus one, so deleting it would give its number, and its history, to
        the next deadline added. Found through the deadlines_closed index: a batch reads
        about what it deletes, however many deadlines are kept."""
        rows = await self._all(
            "DELETE FROM deadlines WHERE rowid IN ("
            "SELECT d.rowid FROM deadlines AS d "
            "WHERE (d.status = 'done' OR d.status = 'cancelled') AND d.updated_at < ? "
            "AND d.id < (SELECT MAX(m.id) FROM deadlines AS m WHERE m.guild_id = d.guild_id) "
            "ORDER BY d.updated_at LIMIT ?) RETURNING guild_id",
            (ts(closed_before), limit),
        )
        removed: dict[int, int] = {}
        for row in rows:
            removed[int(row[0])] = removed.get(int(row[0]), 0) + 1
        return removed
