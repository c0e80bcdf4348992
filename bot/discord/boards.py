"""BoardKeeper: posts live boards and keeps each one up to date by editing its message.

The keeper is told about every change (`changed`, next to the dispatcher). It waits
`debounce` seconds after the first change in a guild, so a burst of changes becomes one edit,
then re-renders that guild's boards and edits (PATCH, never reposts) those whose content
differs. A background loop also edits every board when a deadline on it turns overdue, at
least once a day, and once at start (catching up on changes made while the bot was offline).
A board whose message or channel is gone is forgotten, once: no error loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from dataclasses import dataclass

import aiohttp
import discord

from bot.clock import Clock
from bot.models import Board, BoardScope, Deadline
from bot.service import Actor, ValidationError
from bot.service.boards import BoardUseCases

from . import render

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
_SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, TimeoutError, ConnectionError)


@dataclass(frozen=True, slots=True)
class PostedBoard:
    board: Board
    pin_error: str | None = None  # why it is not pinned; None: pinned
    replaced: Board | None = None  # the channel's earlier board, no longer updated


class BoardKeeper:
    """Use as `async with BoardKeeper(...)` once the client has logged in; subscribe
    `changed` to the service's change feed."""

    def __init__(
        self,
        client: discord.Client,
        service: BoardUseCases,
        *,
        clock: Clock,
        debounce: float = 2.0,
        check_seconds: float = 60.0,
        refresh_every: dt.timedelta = dt.timedelta(days=1),
        retry_after: dt.timedelta = dt.timedelta(minutes=5),
    ) -> None:
        self._client = client
        self._service = service
        self._clock = clock
        self._debounce = debounce
        self._check_seconds = check_seconds
        self._refresh_every = refresh_every
        self._retry_after = retry_after
        self._guilds: set[int] = set()  # guilds with boards: changes elsewhere cost nothing
        self._pending: dict[int, asyncio.Task[None]] = {}  # guild -> its debounced edit
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self._check_at: dict[int, dt.datetime] = {}  # guild -> next timed refresh
        self._force_at: dict[int, dt.datetime] = {}  # guild -> next edit even if unchanged
        self._shown: dict[tuple[int, int, int], str] = {}  # board -> last embed shown
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False

    async def __aenter__(self) -> BoardKeeper:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self._guilds = set(await self._service.board_guilds())
        self._stopping = False
        self._loop = asyncio.create_task(self._run(), name="board-keeper")

    async def stop(self) -> None:
        """Cancel pending edits and the loop; the next start refreshes every board anyway."""
        self._stopping = True
        tasks = [*self._tasks, *([self._loop] if self._loop else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None
        self._pending.clear()

    def changed(self, guild_id: int, deadline_id: int | None = None) -> None:
        """A deadline of the guild (None: its settings) changed: edit its boards soon."""
        if self._stopping or guild_id not in self._guilds or guild_id in self._pending:
            return
        task = asyncio.create_task(self._debounced(guild_id), name=f"board-edit-{guild_id}")
        self._pending[guild_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait until no edit is pending (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- commands ---------------------------------------------------------------------

    async def post(
        self, actor: Actor, guild_id: int, channel_id: int, scope: BoardScope
    ) -> PostedBoard:
        """Post a board in the channel, pin it if allowed, and keep it up to date.

        NotAllowed when `actor` may not manage boards in that channel; LimitError when the
        server has too many."""
        async with self._lock(guild_id):
            _, deadlines = await self._service.prepare_post(actor, guild_id, channel_id)
            # Inside the lock: a change from now on schedules an edit that waits for the
            # board to be stored, then compares against what was posted.
            self._guilds.add(guild_id)
            now = self._clock.now()
            embed = render.board_embed(deadlines, now=now, scope=scope, channel_id=channel_id)
            channel = self._client.get_partial_messageable(channel_id, guild_id=guild_id)
            try:
                message = await channel.send(
                    embed=embed, allowed_mentions=discord.AllowedMentions.none()
                )
            except (discord.Forbidden, discord.NotFound) as exc:
                raise ValidationError(
                    f"I cannot post in <#{channel_id}> ({exc.status} {exc.text})",
                    example="give Deadline Desk View Channel, Send Messages and Embed Links there",
                ) from exc
            pin_error = await self._pin(message)
            try:
                previous = await self._service.post(
                    actor, guild_id, channel_id=channel_id, message_id=message.id, scope=scope
                )
            except BaseException:
                with contextlib.suppress(*_SEND_ERRORS):
                    await message.delete()
                raise
            board = Board(guild_id, channel_id, message.id, scope, now, actor.user_id)
            self._shown[_key(board)] = _fingerprint(embed)
            self._plan(guild_id, deadlines, now=now, failed=False)
        if previous is not None:
            self._shown.pop(_key(previous), None)
            await self._retire(previous)
        return PostedBoard(board, pin_error=pin_error, replaced=previous)

    async def remove(self, actor: Actor, guild_id: int, channel_id: int) -> Board:
        """Stop maintaining the channel's board; its message is marked so and unpinned."""
        async with self._lock(guild_id):
            board = await self._service.remove(actor, guild_id, channel_id)
            self._shown.pop(_key(board), None)
        await self._retire(board)
        return board

    # -- keeping boards up to date ----------------------------------------------------

    async def refresh(self, guild_id: int, *, force: bool = False) -> int:
        """Edit the guild's boards whose content changed (every one with `force`); returns
        how many were edited."""
        async with self._lock(guild_id):
            boards, deadlines = await self._service.contents(guild_id)
            now = self._clock.now()
            if not boards:
                self._guilds.discard(guild_id)
                self._check_at.pop(guild_id, None)
                self._force_at.pop(guild_id, None)
                return 0
            edited, failed = 0, False
            for board in boards:
                embed = render.board_embed(
                    deadlines, now=now, scope=board.scope, channel_id=board.channel_id
                )
                shown = _fingerprint(embed)
                if not force and self._shown.get(_key(board)) == shown:
                    continue
                try:
                    await self._message(board).edit(
                        embed=embed, allowed_mentions=discord.AllowedMentions.none()
                    )
                except discord.NotFound as exc:
                    self._shown.pop(_key(board), None)
                    await self._service.forget(board, reason=_gone(exc))
                    continue
                except _SEND_ERRORS as exc:
                    log.warning(
                        "could not edit board guild=%s channel=%s message=%s: %s",
                        guild_id, board.channel_id, board.message_id, _describe(exc),
                    )  # fmt: skip
                    failed = True
                    continue
                self._shown[_key(board)] = shown
                edited += 1
            live = {_key(board) for board in boards}
            for key in [k for k in self._shown if k[0] == guild_id and k not in live]:
                del self._shown[key]
            if force and not failed:
                self._force_at[guild_id] = now + self._refresh_every
            self._plan(guild_id, deadlines, now=now, failed=failed)
        if edited:
            log.info("boards edited guild=%s count=%d", guild_id, edited)
        return edited

    def _plan(
        self, guild_id: int, deadlines: list[Deadline], *, now: dt.datetime, failed: bool
    ) -> None:
        """When to look at the guild's boards again without a change: when the next deadline
        turns overdue (its marker and order change), at the daily refresh, or soon after a
        failed edit."""
        self._force_at.setdefault(guild_id, now + self._refresh_every)
        when = self._force_at[guild_id]
        upcoming = [d.due_at for d in deadlines if d.due_at > now]
        if upcoming:
            when = min(when, min(upcoming) + dt.timedelta(seconds=1))
        if failed:
            when = min(when, now + self._retry_after)
        self._check_at[guild_id] = when

    async def _debounced(self, guild_id: int) -> None:
        try:
            await asyncio.sleep(self._debounce)
        finally:
            # From here on a change schedules another edit (which waits for this one).
            self._pending.pop(guild_id, None)
        await self._refresh_logged(guild_id, force=False)

    async def _run(self) -> None:
        for guild_id in sorted(self._guilds):
            await self._refresh_logged(guild_id, force=True)
        while True:
            await asyncio.sleep(self._check_seconds)
            now = self._clock.now()
            for guild_id, when in sorted(self._check_at.items(), key=lambda item: item[1]):
                if when <= now and guild_id not in self._pending:
                    force = self._force_at.get(guild_id, now) <= now
                    await self._refresh_logged(guild_id, force=force)

    async def _refresh_logged(self, guild_id: int, *, force: bool) -> None:
        try:
            await self.refresh(guild_id, force=force)
        except Exception:
            # One guild's trouble (e.g. a busy database) never stops the others: try later.
            log.exception("could not refresh the boards of guild %s", guild_id)
            self._check_at[guild_id] = self._clock.now() + self._retry_after

    # -- Discord ----------------------------------------------------------------------

    def _lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

    def _message(self, board: Board) -> discord.PartialMessage:
        channel = self._client.get_partial_messageable(board.channel_id, guild_id=board.guild_id)
        return channel.get_partial_message(board.message_id)

    async def _pin(self, message: discord.Message) -> str | None:
        try:
            await message.pin(reason="Deadline Desk board")
        except discord.Forbidden:
            return (
                "I need the Pin Messages permission in that channel. Pin it yourself, or give "
                "me the permission and post the board again."
            )
        except _SEND_ERRORS as exc:
            return f"Discord refused ({_describe(exc)}). Pin it yourself if you like."
        return None

    async def _retire(self, board: Board) -> None:
        """Best effort: say on the old message that it is no longer updated, and unpin it."""
        message = self._message(board)
        try:
            await message.edit(
                embed=render.board_retired_embed(), allowed_mentions=discord.AllowedMentions.none()
            )
            await message.unpin(reason="Deadline Desk board removed")
        except _SEND_ERRORS as exc:
            log.info(
                "could not retire board guild=%s channel=%s message=%s: %s",
                board.guild_id, board.channel_id, board.message_id, _describe(exc),
            )  # fmt: skip


def _fingerprint(embed: discord.Embed) -> str:
    return json.dumps(embed.to_dict(), sort_keys=True)


def _key(board: Board) -> tuple[int, int, int]:
    return (board.guild_id, board.channel_id, board.message_id)


def _gone(exc: discord.NotFound) -> str:
    if exc.code == UNKNOWN_MESSAGE:
        return "its message was deleted"
    if exc.code == UNKNOWN_CHANNEL:
        return "its channel was deleted"
    return f"Discord answered {exc.status} {exc.text}"[:200]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"{exc.status} {exc.text or type(exc).__name__}"
    return type(exc).__name__
