"""Use cases: add, calc, list, status, done, extend, edit, snooze, delete, settings, export.

Each validates its input (raising a ServiceError with an example of what works), runs in one
transaction, replans the deadline's alerts inside that transaction, and then wakes the
dispatcher. No Discord here: callers pass plain ids.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import math
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final
from urllib.parse import urlsplit

from bot.clock import Clock
from bot.deadlines import (
    AbsoluteDue,
    Computation,
    DeadlineError,
    Period,
    Rule,
    calculate,
    compute_due,
    format_day,
    holiday_calendar,
    parse_phrase,
    zone,
)
from bot.models import (
    Board,
    BoardScope,
    CalendarFeed,
    Deadline,
    DeadlineExport,
    DeadlineStatus,
    FeedAccess,
    GuildDefaults,
    GuildSettings,
    HistoryEntry,
    Mention,
    NewDeadline,
    Page,
    Status,
)
from bot.planning import deadline_zone, local_instant, plan_alerts, plan_many
from bot.storage import SqliteStore, Transaction

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_NOTES = 1000
MAX_LINK = 500
MAX_ACTIVE_PER_GUILD = 5000
PAGE_SIZE = 10
LIST_FILTERS = ("active", "overdue", "done", "all")
# 24 random bytes: 192 bits, 32 URL-safe characters. The pattern also accepts older or
# longer tokens, and nothing that could not be one (so junk never reaches the database).
FEED_TOKEN_BYTES = 24
FEED_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{22,128}")
MAX_FEED_NAME = 100
# Every board of a guild is edited after each change there: keep that bounded.
MAX_BOARDS_PER_GUILD = 10


def feed_token_hash(token: str) -> str:
    """The SHA-256 hex digest of a calendar-feed token: what the database keeps instead."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ServiceError(Exception):
    """A request that cannot be done as asked; `message` says why, `example` what works."""

    def __init__(self, message: str, *, example: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.example = example

    def __str__(self) -> str:
        return f"{self.message} (for example: {self.example})" if self.example else self.message


class ValidationError(ServiceError):
    pass


class NotFoundError(ServiceError):
    pass


class LimitError(ServiceError):
    pass


class _Unset:
    pass


UNSET: Final = _Unset()


class DeadlineService:
    def __init__(
        self,
        store: SqliteStore,
        *,
        clock: Clock,
        defaults: GuildDefaults | None = None,
        on_change: Callable[[int, int | None], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._defaults = defaults or GuildDefaults()
        # Told (guild, deadline id) after every change; (guild, None) after a settings change.
        self._on_change = on_change or (lambda guild_id, deadline_id: None)
        self._settings_cache: dict[int, GuildSettings] = {}

    # -- queries ----------------------------------------------------------------------

    async def settings(self, guild_id: int) -> GuildSettings:
        async with self._store.transaction() as tx:
            return await self._settings(tx, guild_id)

    async def calc(
        self,
        text: str,
        *,
        guild_id: int | None = None,
        start: dt.date | None = None,
        counting: str | None = None,
    ) -> Computation:
        """Compute a due date without storing anything (works outside a guild too)."""
        if guild_id is None:
            settings = GuildSettings.from_defaults(0, self._defaults)
        else:
            settings = await self.settings(guild_id)
        return self._compute(text, settings, start=start, counting=counting)

    async def list_deadlines(
        self,
        guild_id: int,
        *,
        show: str = "active",
        channel_id: int | None = None,
        page: int = 1,
        page_size: int = PAGE_SIZE,
    ) -> Page:
        if show not in LIST_FILTERS:
            raise ValidationError(f"unknown list filter {show!r}", example=" / ".join(LIST_FILTERS))
        statuses = {
            "active": (Status.ACTIVE,),
            "overdue": (Status.ACTIVE,),
            "done": (Status.DONE,),
            "all": tuple(Status),
        }[show]
        now = self._clock.now()
        page = max(1, page)
        async with self._store.transaction() as tx:
            rows, total = await tx.list_deadlines(
                guild_id,
                statuses=statuses,
                now=now,
                overdue_only=show == "overdue",
                channel_id=channel_id,
                limit=page_size,
                offset=(page - 1) * page_size,
            )
        return Page(
            deadlines=tuple(rows),
            page=page,
            pages=max(1, math.ceil(total / page_size)),
            total=total,
            overdue_ids=frozenset(d.id for d in rows if d.is_overdue(now=now)),
        )

    async def status(self, guild_id: int, deadline_id: int) -> DeadlineStatus:
        async with self._store.transaction() as tx:
            deadline = await self._get(tx, guild_id, deadline_id)
            alerts = await tx.pending_alerts(guild_id, deadline_id)
            history = await tx.history(guild_id, deadline_id)
        return DeadlineStatus(deadline, tuple(alerts), tuple(history))

    async def search(self, guild_id: int, text: str, *, limit: int = 25) -> list[Deadline]:
        async with self._store.transaction() as tx:
            return await tx.search_deadlines(guild_id, text[:100], limit=limit)

    async def export_deadlines(
        self, guild_id: int, *, include_all: bool = False, name: str = ""
    ) -> DeadlineExport:
        """The guild's active deadlines (or all, done and cancelled too), soonest first."""
        statuses = tuple(Status) if include_all else (Status.ACTIVE,)
        async with self._store.transaction() as tx:
            settings = await self._settings(tx, guild_id)
            deadlines = await tx.guild_deadlines(guild_id, statuses=statuses)
        return DeadlineExport(settings, tuple(deadlines), name=name[:MAX_FEED_NAME])

    async def feed_export(self, token: str) -> DeadlineExport | None:
        """The active deadlines of the guild whose calendar feed `token` opens; None if none.

        The same None for a malformed, unknown or replaced token: callers must not be able
        to tell them apart (nor whether a guild exists).
        """
        if not FEED_TOKEN_SHAPE.fullmatch(token):
            return None
        token_hash = feed_token_hash(token)
        async with self._store.transaction() as tx:
            feed = await tx.feed_by_hash(token_hash)
            # The lookup matched by equality already; comparing again in constant time keeps
            # timing out of the picture should the lookup ever change (e.g. a prefix index).
            if feed is None or not hmac.compare_digest(feed.token_hash, token_hash):
                return None
            settings = await self._settings(tx, feed.guild_id)
            deadlines = await tx.guild_deadlines(feed.guild_id, statuses=(Status.ACTIVE,))
        return DeadlineExport(settings, tuple(deadlines), name=feed.name)

    # -- commands ---------------------------------------------------------------------

    async def add(
        self,
        guild_id: int,
        *,
        actor_id: int,
        channel_id: int,
        text: str,
        start: dt.date | None = None,
        counting: str | None = None,
        mention: Mention | None = None,
        link: str | None = None,
        notes: str | None = None,
    ) -> Deadline:
        link = _check_link(link)
        notes = _check_notes(notes)
        now = self._clock.now()
        async with self._store.transaction() as tx:
            settings = await self._settings(tx, guild_id)
            result = self._compute(_clean(text), settings, start=start, counting=counting)
            title = _check_title(result.title)
            due = result.due
            stored = await tx.insert_deadline_within(
                NewDeadline(
                    guild_id=guild_id,
                    channel_id=channel_id,
                    title=title,
                    start=due.start,
                    rule=due.rule,
                    calendar=due.calendar,
                    period=result.period,
                    due=due.due,
                    due_at=due.due_at,
                    has_time=due.has_time,
                    explanation=due.explanation,
                    created_by=actor_id,
                    created_at=now,
                    mention=mention,
                    link=link,
                    notes=notes,
                ),
                max_active=MAX_ACTIVE_PER_GUILD,
            )
            if stored is None:
                raise LimitError(
                    f"this server already tracks {MAX_ACTIVE_PER_GUILD} active deadlines; "
                    "mark some done or delete them first",
                    example="/deadline done deadline:12",
                )
            deadline = stored
            await tx.add_alerts(deadline, plan_alerts(deadline, settings, now=now))  # it has none
            await tx.add_history(
                self._entry(
                    deadline,
                    actor_id,
                    "created",
                    f"due {format_day(due.due)} ({result.period}; {due.rule} rule)",
                    now,
                )
            )
        log.info(
            "deadline created guild=%s deadline=%s due=%s rule=%s",
            guild_id, deadline.id, deadline.due, deadline.rule.value,
        )  # fmt: skip
        self._on_change(guild_id, deadline.id)
        return deadline

    async def import_deadlines(self, items: Iterable[NewDeadline]) -> list[int]:
        """Bulk import (a spreadsheet, another tracker): all or nothing, in one transaction.

        Each deadline is checked like one added by hand (title, notes, link, zone, the active
        limit of its guild), planned with its guild's settings, and recorded in its history
        as "imported". Returns their ids (each guild's own sequence), in the order given.
        One transaction holds the store for the whole batch (about 40 ms per 1,000 deadlines
        here): import in batches of a few thousand while the bot is serving.
        """
        news = [_checked_new(new, index) for index, new in enumerate(items)]
        per_guild = Counter(new.guild_id for new in news)
        now = self._clock.now()
        async with self._store.transaction() as tx:
            settings = {guild_id: await self._settings(tx, guild_id) for guild_id in per_guild}
            for guild_id, count in per_guild.items():
                active = await tx.count_deadlines(guild_id, Status.ACTIVE)
                if active + count > MAX_ACTIVE_PER_GUILD:
                    raise LimitError(
                        f"server {guild_id} tracks {active} active deadlines; {count} more would "
                        f"pass the limit of {MAX_ACTIVE_PER_GUILD}, so nothing was imported",
                        example=f"import at most {MAX_ACTIVE_PER_GUILD - active} there",
                    )
            batch = list(zip(news, plan_many(news, settings, now=now), strict=True))
            ids = await tx.insert_deadlines(batch, history_action="imported")
        log.info("imported %d deadlines into %d servers", len(news), len(per_guild))
        for guild_id in per_guild:
            self._on_change(guild_id, None)
        return ids

    async def done(
        self, guild_id: int, deadline_id: int, *, actor_id: int, note: str | None = None
    ) -> Deadline:
        return await self._close(guild_id, deadline_id, actor_id, Status.DONE, note)

    async def delete(self, guild_id: int, deadline_id: int, *, actor_id: int) -> Deadline:
        """Soft delete: the deadline is cancelled, kept with its history."""
        return await self._close(guild_id, deadline_id, actor_id, Status.CANCELLED, None)

    async def extend(
        self,
        guild_id: int,
        deadline_id: int,
        *,
        actor_id: int,
        by: str | None = None,
        to: str | None = None,
        reason: str | None = None,
    ) -> Deadline:
        if (by is None) == (to is None):
            raise ValidationError(
                "give exactly one of `by` (a period) or `to` (a date)",
                example="/deadline extend deadline:12 by:14 days reason:county granted extension",
            )
        reason = _check_notes(reason, what="reason")
        now = self._clock.now()
        async with self._store.transaction() as tx:
            settings = await self._settings(tx, guild_id)
            old = await self._get(tx, guild_id, deadline_id, active=True)
            tz = deadline_zone(old, settings)
            if by is not None:
                period = _parse_as(by, Period, "by", "14 days")
                with _engine_errors():
                    due = compute_due(
                        old.due,
                        period,
                        rule=old.rule,
                        calendar=old.calendar,
                        tz=tz.key,
                        note="current due date",
                    )
                how = f"by {period.describe()}"
            else:
                assert to is not None
                absolute = _parse_as(to, AbsoluteDue, "to", "2025-09-15")
                today = now.astimezone(tz).date()
                with _engine_errors():
                    due = compute_due(
                        today,
                        absolute,
                        rule=old.rule,
                        calendar=old.calendar,
                        tz=tz.key,
                        note="today",
                    )
                how = f"to {format_day(due.due)}"
            new = dataclasses.replace(
                old,
                due=due.due,
                due_at=due.due_at,
                has_time=due.has_time,
                explanation=(*old.explanation, f"extended {how}:", *due.explanation[1:]),
                snoozed_until=None,
            )
            detail = f"{how}: from {format_day(old.due)} to {format_day(due.due)}"
            if reason:
                detail += f" ({reason})"
            return await self._save(tx, new, settings, actor_id, "extended", detail, now)

    async def edit(
        self,
        guild_id: int,
        deadline_id: int,
        *,
        actor_id: int,
        title: str | None = None,
        notes: str | None = None,
        link: str | None = None,
        channel_id: int | None = None,
        mention: Mention | _Unset | None = UNSET,
    ) -> Deadline:
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = _check_title(" ".join(title.split()))
        if notes is not None:
            changes["notes"] = _check_notes(notes)
        if link is not None:
            changes["link"] = _check_link(link)
        if channel_id is not None:
            changes["channel_id"] = channel_id
        if not isinstance(mention, _Unset):
            changes["mention"] = mention
        if not changes:
            raise ValidationError(
                "nothing to change", example="/deadline edit deadline:12 title:Bondi letter reply"
            )
        now = self._clock.now()
        async with self._store.transaction() as tx:
            settings = await self._settings(tx, guild_id)
            old = await self._get(tx, guild_id, deadline_id)
            new = dataclasses.replace(old, **changes)
            detail = ", ".join(sorted(changes))
            return await self._save(tx, new, settings, actor_id, "edited", detail, now)

    async def snooze(
        self, guild_id: int, deadline_id: int, *, actor_id: int, until: str
    ) -> Deadline:
        """No alerts until the alert time on a date, given as a date or as a period from today."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            settings = await self._settings(tx, guild_id)
            old = await self._get(tx, guild_id, deadline_id, active=True)
            tz = deadline_zone(old, settings)
            today = now.astimezone(tz).date()
            with _engine_errors():
                spec = parse_phrase(_clean(until)).spec
                day = compute_due(today, spec, rule=Rule.CALENDAR, calendar=old.calendar).due
            snoozed_until = local_instant(day, settings.alert_time, tz)
            if snoozed_until <= now:
                raise ValidationError(
                    f"{format_day(day)} at {settings.alert_time:%H:%M} has already passed",
                    example="/deadline snooze deadline:12 until:1 day",
                )
            new = dataclasses.replace(old, snoozed_until=snoozed_until)
            detail = f"until {format_day(day)} {settings.alert_time:%H:%M} {tz.key}"
            return await self._save(tx, new, settings, actor_id, "snoozed", detail, now)

    async def calendar_feed(
        self, guild_id: int, *, actor_id: int, rotate: bool = False, name: str = ""
    ) -> FeedAccess:
        """The guild's calendar feed, created on first use; `rotate` replaces its token.

        A new token is returned only when one was just made: the database keeps its hash
        alone, so an existing feed's URL cannot be shown again (rotate to get a new one).
        `name` (the server's name) becomes the calendar's name.
        """
        now = self._clock.now()
        name = " ".join(name.split())[:MAX_FEED_NAME]
        async with self._store.transaction() as tx:
            existing = await tx.calendar_feed(guild_id)
            if existing is not None and not rotate:
                if name and name != existing.name:
                    await tx.rename_calendar_feed(guild_id, name)
                    existing = dataclasses.replace(existing, name=name)
                return FeedAccess(existing)
            token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
            feed = CalendarFeed(
                guild_id=guild_id,
                token_hash=feed_token_hash(token),
                name=name or (existing.name if existing else ""),
                created_at=now,
                created_by=actor_id,
            )
            await tx.put_calendar_feed(feed)
            action = "calendar feed rotated" if existing else "calendar feed created"
            await tx.add_history(HistoryEntry(guild_id, None, now, actor_id, action))
        return FeedAccess(feed, token=token, rotated=existing is not None)

    # -- boards -----------------------------------------------------------------------

    async def boards_for(self, guild_id: int) -> list[Board]:
        async with self._store.transaction() as tx:
            return await tx.boards(guild_id)

    async def board_guilds(self) -> list[int]:
        """Every guild that has a board."""
        async with self._store.transaction() as tx:
            return await tx.board_guilds()

    async def board_contents(self, guild_id: int) -> tuple[list[Board], list[Deadline]]:
        """The guild's boards and its active deadlines (soonest first), read together."""
        async with self._store.transaction() as tx:
            return await tx.boards(guild_id), await tx.active_deadlines(guild_id)

    async def check_board_slot(self, guild_id: int, channel_id: int) -> Board | None:
        """The channel's current board, if any; LimitError when a new one would be too many."""
        async with self._store.transaction() as tx:
            return await self._board_slot(tx, guild_id, channel_id)

    async def post_board(
        self,
        guild_id: int,
        *,
        channel_id: int,
        message_id: int,
        scope: BoardScope | str,
        actor_id: int,
    ) -> Board | None:
        """Record a board just posted as `message_id`; returns the board it replaced, if any
        (one per channel: its message is no longer kept up to date)."""
        scope = _board_scope(scope)
        now = self._clock.now()
        board = Board(guild_id, channel_id, message_id, scope, created_at=now, created_by=actor_id)
        async with self._store.transaction() as tx:
            previous = await self._board_slot(tx, guild_id, channel_id)
            await tx.put_board(board)
            detail = f"in <#{channel_id}>, {scope.value} scope"
            entry = HistoryEntry(guild_id, None, now, actor_id, "board posted", detail)
            await tx.add_history(entry)
        log.info(
            "board posted guild=%s channel=%s message=%s scope=%s by=%s",
            guild_id, channel_id, message_id, scope.value, actor_id,
        )  # fmt: skip
        return previous

    async def remove_board(self, guild_id: int, channel_id: int, *, actor_id: int) -> Board:
        """Stop maintaining the channel's board; NotFoundError if it has none."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            board = await tx.board(guild_id, channel_id)
            if board is None:
                raise NotFoundError(
                    f"there is no board in <#{channel_id}>",
                    example="/deadline board-remove channel:#deadlines",
                )
            await tx.delete_board(guild_id, channel_id)
            await tx.add_history(
                HistoryEntry(guild_id, None, now, actor_id, "board removed", f"in <#{channel_id}>")
            )
        log.info("board removed guild=%s channel=%s by=%s", guild_id, channel_id, actor_id)
        return board

    async def forget_board(self, board: Board, *, reason: str) -> bool:
        """Drop a board the bot can no longer edit (e.g. its message was deleted), unless the
        channel has a newer board by now. True if it was dropped."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
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

    async def update_settings(
        self, guild_id: int, *, actor_id: int, **changes: Any
    ) -> GuildSettings:
        """Change guild settings and replan every active deadline of the guild."""
        known = {f.name for f in dataclasses.fields(GuildSettings)} - {"guild_id"}
        unknown = set(changes) - known
        if unknown:
            raise ValidationError(f"unknown settings: {', '.join(sorted(unknown))}")
        now = self._clock.now()
        async with self._store.transaction() as tx:
            old = await self._settings(tx, guild_id)
            new = _check_settings(dataclasses.replace(old, **changes))
            await tx.put_settings(new, now=now)
            for deadline in await tx.active_deadlines(guild_id):
                if new.timezone != old.timezone and not deadline.has_time and not deadline.timezone:
                    # A date-only deadline ends at midnight where the newsroom is.
                    end = dt.datetime.combine(deadline.due, dt.time(23, 59, 59), zone(new.timezone))
                    deadline = dataclasses.replace(deadline, due_at=end.astimezone(dt.UTC))
                    await tx.update_deadline(deadline)
                await tx.replan(deadline, plan_alerts(deadline, new, now=now))
            detail = ", ".join(f"{key}={_show(value)}" for key, value in sorted(changes.items()))
            await tx.add_history(HistoryEntry(guild_id, None, now, actor_id, "settings", detail))
        self._settings_cache[guild_id] = new  # committed (a failed change leaves the old)
        log.info("settings changed guild=%s by=%s: %s", guild_id, actor_id, detail)
        self._on_change(guild_id, None)
        return new

    # -- internals --------------------------------------------------------------------

    async def _settings(self, tx: Transaction, guild_id: int) -> GuildSettings:
        # Cached: every command needs them and only update_settings changes them (one bot
        # process owns the database: the instance lock). Saves a query per command.
        cached = self._settings_cache.get(guild_id)
        if cached is None:
            stored = await tx.get_settings(guild_id)
            cached = stored or GuildSettings.from_defaults(guild_id, self._defaults)
            self._settings_cache[guild_id] = cached
        return cached

    async def _board_slot(self, tx: Transaction, guild_id: int, channel_id: int) -> Board | None:
        boards = {board.channel_id: board for board in await tx.boards(guild_id)}
        if channel_id not in boards and len(boards) >= MAX_BOARDS_PER_GUILD:
            raise LimitError(
                f"this server already has {MAX_BOARDS_PER_GUILD} boards; remove one first",
                example="/deadline board-remove channel:#old-channel",
            )
        return boards.get(channel_id)

    async def _get(
        self, tx: Transaction, guild_id: int, deadline_id: int, *, active: bool = False
    ) -> Deadline:
        # An id SQLite cannot even hold is as unknown as any other.
        in_range = 0 < deadline_id < 2**63
        deadline = await tx.get_deadline(guild_id, deadline_id) if in_range else None
        if deadline is None:
            # The same answer whether the id is unknown or belongs to another guild.
            raise NotFoundError(
                f"there is no deadline #{deadline_id} in this server",
                example="/deadline list to see the ids",
            )
        if active and deadline.status is not Status.ACTIVE:
            raise ValidationError(
                f"deadline #{deadline_id} is {deadline.status.value}",
                example="/deadline list show:active",
            )
        return deadline

    async def _close(
        self, guild_id: int, deadline_id: int, actor_id: int, status: Status, note: str | None
    ) -> Deadline:
        note = _check_notes(note, what="note")
        now = self._clock.now()
        async with self._store.transaction() as tx:
            settings = await self._settings(tx, guild_id)
            old = await self._get(tx, guild_id, deadline_id, active=True)
            new = dataclasses.replace(old, status=status)
            action = "done" if status is Status.DONE else "deleted"
            return await self._save(tx, new, settings, actor_id, action, note or "", now)

    async def _save(
        self,
        tx: Transaction,
        deadline: Deadline,
        settings: GuildSettings,
        actor_id: int,
        action: str,
        detail: str,
        now: dt.datetime,
    ) -> Deadline:
        deadline = dataclasses.replace(deadline, revision=deadline.revision + 1, updated_at=now)
        await tx.update_deadline(deadline)
        await tx.replan(deadline, plan_alerts(deadline, settings, now=now))
        await tx.add_history(self._entry(deadline, actor_id, action, detail, now))
        log.info(
            "deadline %s guild=%s deadline=%s by=%s due=%s",
            action, deadline.guild_id, deadline.id, actor_id, deadline.due,
        )  # fmt: skip
        # Called inside the transaction, which commits right after: the dispatcher cannot read
        # before the commit (transactions are serialized on one connection), so it sees it.
        self._on_change(deadline.guild_id, deadline.id)
        return deadline

    def _entry(
        self, deadline: Deadline, actor_id: int, action: str, detail: str, now: dt.datetime
    ) -> HistoryEntry:
        return HistoryEntry(deadline.guild_id, deadline.id, now, actor_id, action, detail)

    def _compute(
        self,
        text: str,
        settings: GuildSettings,
        *,
        start: dt.date | None,
        counting: str | None,
    ) -> Computation:
        tz = zone(settings.timezone)
        start = start or self._clock.now().astimezone(tz).date()
        with _engine_errors():
            return calculate(
                text,
                start=start,
                rule=counting or settings.counting,
                calendar=settings.calendar,
                tz=settings.timezone,
            )


@contextmanager
def _engine_errors() -> Iterator[None]:
    """Turn the deadline engine's errors into ValidationError, keeping message and example."""
    try:
        yield
    except DeadlineError as exc:
        raise ValidationError(exc.message, example=exc.example) from exc


def _parse_as(text: str, kind: type[Any], option: str, example: str) -> Any:
    with _engine_errors():
        spec = parse_phrase(_clean(text)).spec
    if not isinstance(spec, kind):
        wanted = "a period" if kind is Period else "a date"
        raise ValidationError(f"`{option}` needs {wanted}", example=f"{option}:{example}")
    return spec


def _board_scope(scope: BoardScope | str) -> BoardScope:
    try:
        return BoardScope(scope)
    except ValueError:
        raise ValidationError(
            f"unknown board scope {str(scope)[:20]!r}", example="scope:channel or scope:all"
        ) from None


def _clean(text: str, *, keep_newlines: bool = False) -> str:
    """User text as it may be stored: valid Unicode, no control characters (NUL included)."""
    if text.isprintable():  # the usual case: no control characters, no lone surrogates
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "the text has characters that are not valid Unicode",
            example="Bondi letter, 30 days",
        ) from None
    kept = "\n\t" if keep_newlines else ""
    return "".join(ch for ch in text if ch in kept or unicodedata.category(ch) != "Cc")


def _check_title(title: str | None) -> str:
    title = " ".join(_clean(title).split()) if title else title
    if not title:
        raise ValidationError(
            "give the deadline a title before the period", example="Bondi letter, 30 days"
        )
    if len(title) > MAX_TITLE:
        raise ValidationError(
            f"the title is {len(title)} characters; keep it to {MAX_TITLE}",
            example="Bondi letter, 30 days",
        )
    return title


def _check_notes(notes: str | None, *, what: str = "notes") -> str | None:
    if notes is None:
        return None
    notes = _clean(notes, keep_newlines=True).strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError(
            f"the {what} are {len(notes)} characters; keep them to {MAX_NOTES}",
            example="Sent by the DOJ Civil Rights Division",
        )
    return notes or None


def _check_link(link: str | None) -> str | None:
    if link is None or not link.strip():
        return None
    link = _clean(link).strip()
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(link) > MAX_LINK
        or any(ch.isspace() for ch in link)
    ):
        raise ValidationError(
            "the link must be an http(s) web address", example="https://www.justice.gov/letter.pdf"
        )
    return link


def _check_settings(settings: GuildSettings) -> GuildSettings:
    with _engine_errors():
        zone(settings.timezone)
        holiday_calendar(settings.calendar)
        Rule.parse(settings.counting)
    days = settings.reminder_days
    if len(days) > 10 or any(not 0 < d <= 365 for d in days):
        raise ValidationError(
            "reminder days must be up to 10 whole numbers from 1 to 365",
            example="/deadline settings reminders days:7,3,1",
        )
    if not 1 <= settings.escalate_after <= 100:
        raise ValidationError(
            "escalate after must be 1 to 100 overdue alerts",
            example="/deadline settings escalation role:@editors after:3",
        )
    if not 1 <= settings.overdue_repeat_days <= 30:
        raise ValidationError("overdue alerts repeat every 1 to 30 days", example="1 (daily)")
    return dataclasses.replace(
        settings,
        calendar=holiday_calendar(settings.calendar).name,
        counting=Rule.parse(settings.counting),
        reminder_days=tuple(sorted(set(days), reverse=True)),
    )


def _show(value: object) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def _checked_new(new: NewDeadline, index: int) -> NewDeadline:
    """A deadline to import, checked like `add` checks one; errors say which one (1-based)."""
    try:
        title = _check_title(new.title)
        notes = _check_notes(new.notes)
        link = _check_link(new.link)
        if new.timezone is not None:
            with _engine_errors():
                zone(new.timezone)
        if new.due_at.tzinfo is None or new.created_at.tzinfo is None:
            raise ValidationError("times must carry a time zone", example="2025-08-16T23:59:59Z")
    except ServiceError as exc:
        raise type(exc)(f"deadline {index + 1} ({new.title[:40]!r}): {exc.message}",
                        example=exc.example) from None  # fmt: skip
    if (title, notes, link) == (new.title, new.notes, new.link):
        return new
    return dataclasses.replace(new, title=title, notes=notes, link=link)
