"""Transaction methods for calendar feeds, their stored events, and boards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.models import Board, CalendarFeed

from .queries_base import Queries
from .rows import _BOARD_COLUMNS, _FEED_COLUMNS, _board, _feed, ts

# A query names at most this many deadlines (SQLite before 3.32 allows 999 parameters); for
# more, it reads the guild's whole table.
_IDS_PER_QUERY = 900


class FeedQueries(Queries):
    """Calendar feeds and boards (Transaction's part)."""

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

    # -- stored calendar events -------------------------------------------------------

    async def ics_events(
        self, guild_id: int, deadline_ids: Sequence[int]
    ) -> dict[int, tuple[str, bytes]]:
        """The stored (cache key, bytes) of those of the guild's events that are stored, by
        deadline id. One query: by id for a few, the guild's whole table for many."""
        if not deadline_ids:
            return {}
        if len(deadline_ids) > _IDS_PER_QUERY:
            rows = await self._all(
                "SELECT deadline_id, cache_key, body FROM ics_events WHERE guild_id = ?",
                (guild_id,),
            )
            wanted = set(deadline_ids)
            return {int(r[0]): (r[1], bytes(r[2])) for r in rows if int(r[0]) in wanted}
        rows = await self._all(
            "SELECT deadline_id, cache_key, body FROM ics_events WHERE guild_id = ? "
            f"AND deadline_id IN ({', '.join('?' * len(deadline_ids))})",
            (guild_id, *deadline_ids),
        )
        return {int(r[0]): (r[1], bytes(r[2])) for r in rows}

    async def put_ics_events(self, guild_id: int, events: Iterable[tuple[int, str, bytes]]) -> None:
        """Store (deadline id, cache key, bytes) events, replacing what their deadlines had;
        one statement for all. An event whose deadline is gone by now is skipped."""
        await self._conn.executemany(
            """
            INSERT INTO ics_events (guild_id, deadline_id, cache_key, body)
            SELECT guild_id, id, ?, ? FROM deadlines WHERE guild_id = ? AND id = ?
            ON CONFLICT (guild_id, deadline_id) DO UPDATE SET cache_key = excluded.cache_key,
                body = excluded.body
            """,
            [(key, body, guild_id, deadline_id) for deadline_id, key, body in events],
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
