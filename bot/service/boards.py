"""Board use cases: which boards a guild has, and recording them as they are posted,
replaced, removed or forgotten. Posting and editing the messages is the adapter's job."""

from __future__ import annotations

import logging
from typing import Final

from bot.models import Board, BoardScope, Deadline, HistoryEntry
from bot.storage import Transaction

from .actor import BOARD_RULE, Actor, may_manage_boards
from .errors import LimitError, NotAllowed, NotFoundError, ValidationError
from .unit import Unit

log = logging.getLogger(__name__)

# Every board of a guild is edited after each change there: keep that bounded.
MAX_BOARDS_PER_GUILD: Final = 10


class BoardUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def boards_for(self, guild_id: int) -> list[Board]:
        async with self._unit.transaction() as tx:
            return await tx.boards(guild_id)

    async def board_guilds(self) -> list[int]:
        """Every guild that has a board."""
        async with self._unit.transaction() as tx:
            return await tx.board_guilds()

    async def contents(self, guild_id: int) -> tuple[list[Board], list[Deadline]]:
        """The guild's boards and its active deadlines (soonest first), read together."""
        async with self._unit.transaction() as tx:
            return await tx.boards(guild_id), await tx.active_deadlines(guild_id)

    async def prepare_post(
        self, actor: Actor, guild_id: int, channel_id: int
    ) -> tuple[Board | None, list[Deadline]]:
        """Before posting a board in the channel: may `actor` (NotAllowed), is there room
        (LimitError)? Returns the channel's current board, if any, and what to show."""
        _require(actor, channel_id)
        async with self._unit.transaction() as tx:
            current = await _slot(tx, guild_id, channel_id)
            return current, await tx.active_deadlines(guild_id)

    async def post(
        self,
        actor: Actor,
        guild_id: int,
        *,
        channel_id: int,
        message_id: int,
        scope: BoardScope | str,
    ) -> Board | None:
        """Record a board just posted as `message_id`; returns the board it replaced, if any
        (one per channel: its message is no longer kept up to date)."""
        _require(actor, channel_id)
        scope = _board_scope(scope)
        now = self._unit.now()
        board = Board(guild_id, channel_id, message_id, scope, created_at=now,
                      created_by=actor.user_id)  # fmt: skip
        async with self._unit.transaction() as tx:
            previous = await _slot(tx, guild_id, channel_id)
            await tx.put_board(board)
            detail = f"in <#{channel_id}>, {scope.value} scope"
            await tx.add_history(
                HistoryEntry(guild_id, None, now, actor.user_id, "board posted", detail)
            )
        log.info(
            "board posted guild=%s channel=%s message=%s scope=%s by=%s",
            guild_id, channel_id, message_id, scope.value, actor.user_id,
        )  # fmt: skip
        return previous

    async def remove(self, actor: Actor, guild_id: int, channel_id: int) -> Board:
        """Stop maintaining the channel's board; NotFoundError if it has none."""
        _require(actor, channel_id)
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            board = await tx.board(guild_id, channel_id)
            if board is None:
                raise NotFoundError(
                    f"there is no board in <#{channel_id}>",
                    example="/deadline board-remove channel:#deadlines",
                )
            await tx.delete_board(guild_id, channel_id)
            detail = f"in <#{channel_id}>"
            await tx.add_history(
                HistoryEntry(guild_id, None, now, actor.user_id, "board removed", detail)
            )
        log.info("board removed guild=%s channel=%s by=%s", guild_id, channel_id, actor.user_id)
        return board

    async def forget(self, board: Board, *, reason: str) -> bool:
        """Drop a board the bot can no longer edit (e.g. its message was deleted), unless the
        channel has a newer board by now. True if it was dropped."""
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            dropped = await tx.delete_board(
                board.guild_id, board.channel_id, message_id=board.message_id
            )
            if dropped:
                detail = f"in <#{board.channel_id}>: {reason}"
                await tx.add_history(
                    HistoryEntry(board.guild_id, None, now, None, "board removed", detail)
                )
        if dropped:
            log.warning(
                "board forgotten guild=%s channel=%s message=%s: %s",
                board.guild_id, board.channel_id, board.message_id, reason,
            )  # fmt: skip
        return dropped


def _require(actor: Actor, channel_id: int) -> None:
    if not may_manage_boards(actor, channel_id):
        raise NotAllowed(BOARD_RULE, example="ask someone who can pin messages")


async def _slot(tx: Transaction, guild_id: int, channel_id: int) -> Board | None:
    boards = {board.channel_id: board for board in await tx.boards(guild_id)}
    if channel_id not in boards and len(boards) >= MAX_BOARDS_PER_GUILD:
        raise LimitError(
            f"this server already has {MAX_BOARDS_PER_GUILD} boards; remove one first",
            example="/deadline board-remove channel:#old-channel",
        )
    return boards.get(channel_id)


def _board_scope(scope: BoardScope | str) -> BoardScope:
    try:
        return BoardScope(scope)
    except ValueError:
        raise ValidationError(
            f"unknown board scope {str(scope)[:20]!r}", example="scope:channel or scope:all"
        ) from None
