"""Transaction methods for planned alerts: planning, and the dispatcher's claims and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from bot.models import Deadline, DmCopies, PlannedAlert, StoredAlert

from .queries_base import Queries
from .rows import (
    _ALERT_COLUMNS,
    _ALERT_WIDTH,
    _DEADLINE_COLUMNS,
    _INSERT_ALERT,
    _alert,
    _alert_params,
    _deadline,
    _opt_ts,
    ts,
)

_CLAIM_COLUMNS = (
    ", ".join(f"a.{c.strip()}" for c in _ALERT_COLUMNS.split(","))
    + ", "
    + ", ".join(f"d.{c.strip()}" for c in _DEADLINE_COLUMNS.split(","))
)
_PENDING = "sent_at IS NULL AND failed_at IS NULL"
# The deadline's own alerts, posted in its channel; not the members' DM copies of them.
_CHANNEL = "dm_user_id IS NULL"
# One alert, as the dispatcher was handed it (see _key).
_SAME = "guild_id = ? AND id = ? AND kind = ? AND send_at = ? AND ifnull(dm_user_id, 0) = ?"


def _key(guild_id: int, alert: StoredAlert) -> tuple[int, int, str, int, int]:
    return (guild_id, alert.id, alert.kind.value, ts(alert.send_at), alert.dm_user_id or 0)


class AlertQueries(Queries):
    """Planned alerts (Transaction's part)."""

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
        """Add planned alerts (one already planned is left as it is), each with its DM copy
        for every member who asked for copies."""
        if planned:
            await self._conn.executemany(
                _INSERT_ALERT, [_alert_params(deadline.guild_id, deadline.id, a) for a in planned]
            )
            await self._copy_for_dms([(deadline.guild_id, deadline.id)])

    async def _copy_for_dms(self, deadlines: Iterable[tuple[int, int]]) -> None:
        """Give each pending channel alert of these (guild, deadline)s its DM copy for every
        member who asked for copies, if it is due since they asked and has none yet: every
        method that plans alerts ends here, so none can forget the copies. One index probe
        into `dm_copies` for a deadline nobody asked copies of."""
        await self._conn.executemany(
            """
            INSERT INTO alerts (guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
                next_attempt_at, dm_user_id)
            SELECT a.guild_id, a.deadline_id, a.kind, a.send_at, a.seq, a.escalate,
                a.days_before, a.send_at, c.user_id
            FROM dm_copies AS c
            JOIN alerts AS a ON a.guild_id = c.guild_id AND a.deadline_id = c.deadline_id
            WHERE c.guild_id = ? AND c.deadline_id = ? AND a.dm_user_id IS NULL
                AND a.sent_at IS NULL AND a.failed_at IS NULL AND a.send_at >= c.created_at
            ON CONFLICT (guild_id, deadline_id, kind, send_at, ifnull(dm_user_id, 0)) DO NOTHING
            """,
            list(dict.fromkeys(deadlines)),
        )

    async def count_pending_alerts(self) -> int:
        """Unsent alerts of all guilds (metrics, benchmarks)."""
        row = await self._one(f"SELECT COUNT(*) FROM alerts WHERE {_PENDING}")
        return int(row[0]) if row else 0

    async def pending_alerts(self, guild_id: int, deadline_id: int) -> list[StoredAlert]:
        rows = await self._all(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE guild_id = ? AND deadline_id = ? "
            f"AND {_PENDING} AND {_CHANNEL} ORDER BY send_at, id",
            (guild_id, deadline_id),
        )
        return [_alert(row) for row in rows]

    async def due_alerts(
        self, guild_id: int, *, before: dt.datetime, deadline_id: int | None = None
    ) -> list[StoredAlert]:
        """Unsent alerts due before `before` (waiting for a retry, or claimed) of one
        deadline, or of the whole guild; oldest first. Channel alerts only: their DM copies
        follow them (a replan keeps or removes both alike)."""
        one = "AND deadline_id = ?" if deadline_id is not None else ""
        rows = await self._all(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE guild_id = ? {one} AND {_PENDING} "
            f"AND {_CHANNEL} "
            "AND send_at < ? ORDER BY send_at, id",
            (guild_id, *([deadline_id] if deadline_id is not None else []), ts(before)),
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

    async def release_claims(
        self, alert_ids: Iterable[int] | None = None, *, attempted: bool = False
    ) -> int:
        """Unclaim alerts that were not sent.

        At start-up (`alert_ids` None) every claim the last run left is released, and so are
        alerts a sender had started on (`attempted`): a message for them may exist, so the
        claim's time is kept as `attempted_at`, and the channel is checked for their message
        before they are sent again. Other releases (never handed to a sender) keep none.
        """
        keep = "attempted_at = COALESCE(attempted_at, claimed_at), "
        if alert_ids is None:
            cursor = await self._conn.execute(
                f"UPDATE alerts SET {keep}claimed_at = NULL "
                f"WHERE claimed_at IS NOT NULL AND {_PENDING}"
            )
            return cursor.rowcount
        ids = list(alert_ids)
        await self._conn.executemany(
            f"UPDATE alerts SET {keep if attempted else ''}claimed_at = NULL WHERE id = ?",
            [(i,) for i in ids],
        )
        return len(ids)

    async def last_alert_message(
        self, guild_id: int, channel_id: int, *, before: dt.datetime
    ) -> int | None:
        """The newest alert message recorded in the channel before `before`: posted before
        it, so a message posted after `before` comes after it (message ids grow with
        time). A clock-free start for reading the channel (see Sending._earlier_copies).
        Only used when an alert may have been posted unrecorded."""
        row = await self._one(
            """
            SELECT MAX(a.message_id) FROM deadlines AS d
            JOIN alerts AS a ON a.guild_id = d.guild_id AND a.deadline_id = d.id
            WHERE d.guild_id = ? AND d.channel_id = ? AND a.sent_at < ? AND a.dm_user_id IS NULL
            """,
            (guild_id, channel_id, ts(before)),
        )
        return int(row[0]) if row and row[0] is not None else None

    # -- DM copies (issue 18) ---------------------------------------------------------------

    async def add_dm_copies(
        self, guild_id: int, deadline_id: int, user_id: int, *, now: dt.datetime
    ) -> bool:
        """The member gets a DM copy of each of the deadline's alerts due from `now` on;
        False if they already did. The alerts planned already get their copies here; those
        planned later get theirs as they are planned (_copy_for_dms)."""
        cursor = await self._conn.execute(
            "INSERT INTO dm_copies (guild_id, deadline_id, user_id, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, deadline_id, user_id, ts(now)),
        )
        if cursor.rowcount == 0:
            return False
        await self._copy_for_dms([(guild_id, deadline_id)])
        return True

    async def remove_dm_copies(self, guild_id: int, deadline_id: int, user_id: int) -> bool:
        """The member gets no more DM copies of the deadline's alerts (their unsent copies
        go; those sent or refused stay as history); False if they had none."""
        cursor = await self._conn.execute(
            "DELETE FROM dm_copies WHERE guild_id = ? AND deadline_id = ? AND user_id = ?",
            (guild_id, deadline_id, user_id),
        )
        await self._conn.execute(
            f"DELETE FROM alerts WHERE guild_id = ? AND deadline_id = ? AND dm_user_id = ? "
            f"AND {_PENDING}",
            (guild_id, deadline_id, user_id),
        )
        return cursor.rowcount > 0

    async def dm_copies_of(self, guild_id: int, deadline_id: int, user_id: int) -> DmCopies | None:
        """The member's DM copies of the deadline: on or not, and the latest copy's fate;
        None if they never had any."""
        on = await self._one(
            "SELECT 1 FROM dm_copies WHERE guild_id = ? AND deadline_id = ? AND user_id = ?",
            (guild_id, deadline_id, user_id),
        )
        row = await self._one(
            "SELECT MAX(sent_at), MAX(failed_at) FROM alerts "
            "WHERE guild_id = ? AND deadline_id = ? AND dm_user_id = ?",
            (guild_id, deadline_id, user_id),
        )
        sent_at, failed_at = (row[0], row[1]) if row else (None, None)
        if on is None and sent_at is None and failed_at is None:
            return None
        error = None
        if failed_at is not None:
            failed = await self._one(
                "SELECT error FROM alerts WHERE guild_id = ? AND deadline_id = ? "
                "AND dm_user_id = ? AND failed_at = ? ORDER BY id DESC LIMIT 1",
                (guild_id, deadline_id, user_id, failed_at),
            )
            error = failed[0] if failed else None
        return DmCopies(
            on=on is not None,
            last_sent_at=_opt_ts(sent_at),
            last_failed_at=_opt_ts(failed_at),
            last_error=error,
        )

    async def dm_copy_users(self, guild_id: int, deadline_id: int) -> list[int]:
        """Who gets DM copies of the deadline's alerts."""
        rows = await self._all(
            "SELECT user_id FROM dm_copies WHERE guild_id = ? AND deadline_id = ? ORDER BY user_id",
            (guild_id, deadline_id),
        )
        return [int(row[0]) for row in rows]

    # The dispatcher records results in batches across guilds: each row names its guild. A
    # result is written to the alert it is the result of: same id, kind, time and recipient
    # (_SAME). Ids are never reused (AUTOINCREMENT, migration 15), so an alert a replan
    # deleted while its send was in flight takes its result with it; the match on the rest
    # keeps that true should a row ever come back with an old id (a restored backup).

    async def mark_sent(self, rows: Sequence[tuple[int, StoredAlert, dt.datetime, int]]) -> int:
        """Rows of (guild, alert, sent_at, message id). An alert keeps its first mark."""
        cursor = await self._conn.executemany(
            "UPDATE alerts SET sent_at = ?, message_id = ?, claimed_at = NULL, "
            f"attempts = attempts + 1 WHERE {_SAME} AND sent_at IS NULL",
            [(ts(at), message_id, *_key(guild, alert)) for guild, alert, at, message_id in rows],
        )
        return cursor.rowcount

    async def mark_failed(self, rows: Sequence[tuple[int, StoredAlert, dt.datetime, str]]) -> None:
        """Rows of (guild, alert, failed_at, error): given up on, kept as history."""
        await self._conn.executemany(
            "UPDATE alerts SET failed_at = ?, error = ?, claimed_at = NULL, "
            f"attempts = attempts + 1 WHERE {_SAME} AND sent_at IS NULL",
            [(ts(at), error[:500], *_key(guild, alert)) for guild, alert, at, error in rows],
        )

    async def retry_later(self, rows: Sequence[tuple[int, StoredAlert, dt.datetime, str]]) -> None:
        """Rows of (guild, alert, next attempt, error): unclaimed, to be tried again then. The
        failed attempt may have posted (a 5xx after the message was created, no answer), so
        the claim's time is kept as `attempted_at` (see release_claims)."""
        await self._conn.executemany(
            "UPDATE alerts SET next_attempt_at = ?, error = ?, claimed_at = NULL, "
            "attempted_at = COALESCE(attempted_at, claimed_at), "
            f"attempts = attempts + 1 WHERE {_SAME} AND sent_at IS NULL",
            [(ts(at), error[:500], *_key(guild, alert)) for guild, alert, at, error in rows],
        )

    async def drop_alerts(self, rows: Sequence[tuple[int, int]]) -> None:
        """Rows of (guild, alert): unsent alerts that no longer apply (deadline closed)."""
        await self._conn.executemany(
            f"DELETE FROM alerts WHERE guild_id = ? AND id = ? AND {_PENDING}", rows
        )

    async def plan_if_active(
        self, rows: Sequence[tuple[int, int, dt.datetime, PlannedAlert]]
    ) -> None:
        """Rows of (guild, deadline, due_at, alert): add each alert (the overdue series' next)
        if its deadline is still active, not paused, and still due at `due_at`, the due time
        the alert was planned from. A deadline whose due time changed meanwhile (extended,
        moved to its next stage, resumed) was replanned by that change, its overdue series
        with it; an alert planned from the old time would call it overdue when it is not.
        (Not the revision: an edit of the title bumps it without replanning, and the series
        would stop.)"""
        await self._conn.executemany(
            """
            INSERT INTO alerts (guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
                next_attempt_at)
            SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (
                SELECT 1 FROM deadlines WHERE guild_id = ? AND id = ? AND status = 'active'
                AND paused_at IS NULL AND due_at = ?)
            ON CONFLICT (guild_id, deadline_id, kind, send_at, ifnull(dm_user_id, 0)) DO NOTHING
            """,
            [
                (*_alert_params(guild, deadline, alert), guild, deadline, ts(due_at))
                for guild, deadline, due_at, alert in rows
            ],
        )
        if rows:
            await self._copy_for_dms((guild, deadline) for guild, deadline, _, _ in rows)
