"""Calendar use cases: a guild's export, its secret feed, and the feed's address.

A feed is answered in two steps: `feed_version` (the token, and the guild's change counters:
enough for "not modified", without reading a deadline), then `feed_file` (the file, rendered
once however many ask at the same time, from each event's cached bytes).

With a `Renderer` (the bot has one), files are made in a worker process that reads the
database itself (`rendering.py`): the bot's process only receives the bytes, so no command or
alert waits on a render. Without one (the command line, tests), rendering runs on the event
loop in slices of a few milliseconds: in a worker thread it would hold the GIL for seconds
and slow every command and alert meanwhile.

Event bytes are cached at two levels: in memory (`EventCache`), then in the database
(`ics_events`, each row under its `stored_key`), so the first render after a start reads what
the last process rendered instead of serializing every event again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Final, TypeVar

from bot.export import (
    EventCache,
    EventContext,
    Format,
    event_context,
    ics_pieces,
    render,
    stored_key,
    version_tag,
)
from bot.models import (
    CalendarFeed,
    Deadline,
    DeadlineExport,
    FeedAccess,
    GuildSettings,
    GuildVersion,
    HistoryEntry,
    Status,
)
from bot.storage import StorageError

from .actor import SETTINGS_RULE, Actor, may_change_settings
from .errors import NotAllowed, ValidationError
from .rendering import GZIP_LEVEL, MAX_FEED_NAME, Renderer, RenderJob, RenderResult
from .unit import Unit

if TYPE_CHECKING:
    from bot.storage import Transaction

log = logging.getLogger(__name__)

# 24 random bytes: 192 bits, 32 URL-safe characters. The pattern also accepts older or
# longer tokens, and nothing that could not be one (so junk never reaches the database).
FEED_TOKEN_BYTES: Final = 24
FEED_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{22,128}")
FEED_PREFIX: Final = "/calendar/"
FEED_SUFFIX: Final = ".ics"
# How long a render holds the event loop before letting others run: a command waits at most
# about this long behind a render.
RENDER_SLICE_SECONDS: Final = 0.003
# Then the loop waits this long in select(), the GIL let go: long enough for the database's
# thread (aiosqlite) to take the GIL and answer. With a bare sleep(0) the loop takes the GIL
# straight back, and each query waits out the 5 ms switch interval per statement (measured:
# a 0.3 ms query took 13 ms, with spikes of 400 ms; with this pause 0.3 ms, p99 under 10 ms).
RENDER_PAUSE_SECONDS: Final = 0.0003
RECENT_FILES: Final = 8  # whole feeds kept, besides every event's bytes
EVENTS_PER_WRITE: Final = 250  # rendered events stored in one transaction (~0.3 MB)


@dataclasses.dataclass(frozen=True, slots=True)
class FeedVersion:
    """What a feed's conditional request is answered from: `etag` changes whenever the file
    may; `changed_at` is when the guild's deadlines or settings last changed (None: never)."""

    guild_id: int
    etag: str
    changed_at: dt.datetime | None
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class FeedFile:
    """A rendered feed: its bytes, gzipped too, and the version they are of."""

    version: FeedVersion
    body: bytes
    gzipped: bytes
    events: int


@dataclasses.dataclass(frozen=True, slots=True)
class ExportFile:
    """A guild's deadlines as a file to download: its bytes, how many deadlines it holds, and
    the guild's time zone (the file's date is the guild's day)."""

    body: bytes
    deadlines: int
    timezone: str


class _LeaderGone(Exception):
    """The request rendering a feed for others was cancelled: one of them renders it."""


def feed_token_hash(token: str) -> str:
    """The SHA-256 hex digest of a calendar-feed token: what the database keeps instead."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(base_url: str, token: str) -> str:
    """The address of a guild's calendar feed on the web server at `base_url`."""
    return f"{base_url.rstrip('/')}{FEED_PREFIX}{token}{FEED_SUFFIX}"


class FeedUseCases:
    def __init__(
        self, unit: Unit, *, events: EventCache | None = None, renderer: Renderer | None = None
    ) -> None:
        self._unit = unit
        self.events = events if events is not None else EventCache()
        self.renderer = renderer
        self._flights: dict[str, asyncio.Future[FeedFile]] = {}
        self._files: OrderedDict[int, FeedFile] = OrderedDict()
        self.renders = 0  # feeds rendered (not answered from a recent file)
        self.stored_reads = 0  # events taken from the database, not rendered

    async def export(
        self, guild_id: int, *, include_all: bool = False, name: str = ""
    ) -> DeadlineExport:
        """The guild's active deadlines (or all, done and cancelled too), soonest first."""
        statuses = tuple(Status) if include_all else (Status.ACTIVE,)
        async with self._unit.read() as tx:
            settings = await self._unit.settings(tx, guild_id)
            versions = await tx.guild_version(guild_id)
            deadlines = await tx.guild_deadlines(guild_id, statuses=statuses)
        return DeadlineExport(
            settings, tuple(deadlines), name=name[:MAX_FEED_NAME], versions=versions
        )

    async def export_file(
        self, guild_id: int, fmt: Format, *, include_all: bool = False, name: str = ""
    ) -> ExportFile:
        """The guild's active deadlines (or all) as a file in `fmt`; made by the renderer's
        process when there is one."""
        if self.renderer is not None:
            job = RenderJob(
                self.renderer.path,
                guild_id,
                self._unit.defaults,
                fmt=fmt,
                include_all=include_all,
                name=name,
                identity=self._identity(),
            )
            result = await self._worker(job)
            if result is not None:
                assert result.settings is not None
                return ExportFile(result.body, result.events, result.settings.timezone)
        export = await self.export(guild_id, include_all=include_all, name=name)
        body = await self.render(fmt, export)
        return ExportFile(body, len(export.deadlines), export.settings.timezone)

    async def render(self, fmt: Format, export: DeadlineExport) -> bytes:
        """`export` as a file, from the cached events; on the event loop, a slice at a time."""
        if fmt != "ics":
            return await asyncio.to_thread(render, fmt, export)
        return await self._assemble(export)

    async def feed_export(self, token: str) -> DeadlineExport | None:
        """The deadlines of the guild whose calendar feed `token` opens; None if none.

        Every deadline: done and deleted ones too, as CANCELLED events, so that calendars
        drop what they showed before. The same None for a malformed, unknown or replaced
        token: callers must not be able to tell them apart (nor whether a guild exists).
        """
        if not FEED_TOKEN_SHAPE.fullmatch(token):
            return None
        async with self._unit.read() as tx:  # a read: never queued behind a write
            feed = await self._feed(tx, token)
            if feed is None:
                return None
            return await self._feed_export(tx, feed)

    async def feed_version(self, token: str) -> FeedVersion | None:
        """The version of the feed `token` opens (None as for `feed_export`): a token lookup
        and the guild's change counters, never its deadlines."""
        if not FEED_TOKEN_SHAPE.fullmatch(token):
            return None
        async with self._unit.transaction() as tx:
            feed = await self._feed(tx, token)
            if feed is None:
                return None
            settings = await self._unit.settings(tx, feed.guild_id)
            versions = await tx.guild_version(feed.guild_id)
        return _version(feed, settings, versions)

    async def feed_file(self, version: FeedVersion) -> FeedFile:
        """The feed at `version` (or newer, if it changed since), rendered once for everyone
        asking at the same time: the others wait for that render."""
        while True:
            recent = self._files.get(version.guild_id)
            if recent is not None and recent.version.etag == version.etag:
                self._files.move_to_end(version.guild_id)
                return recent
            flight = self._flights.get(version.etag)
            if flight is None:
                return await self._lead(version)
            try:
                return await asyncio.shield(flight)
            except _LeaderGone:
                continue  # its request went away: render it here

    async def _lead(self, version: FeedVersion) -> FeedFile:
        flight: asyncio.Future[FeedFile] = asyncio.get_running_loop().create_future()
        self._flights[version.etag] = flight
        try:
            file = await self._render_feed(version.guild_id)
        except BaseException as exc:
            failure = _LeaderGone() if isinstance(exc, asyncio.CancelledError) else exc
            flight.set_exception(failure)
            flight.exception()  # retrieved: nobody may be waiting
            raise
        else:
            flight.set_result(file)
            return file
        finally:
            del self._flights[version.etag]

    async def _render_feed(self, guild_id: int) -> FeedFile:
        file = None
        if self.renderer is not None:
            job = RenderJob(
                self.renderer.path, guild_id, self._unit.defaults, feed=True,
                identity=self._identity(),
            )  # fmt: skip
            result = await self._worker(job)
            if result is not None:
                if result.feed is None or result.settings is None:
                    raise LookupError(f"guild {guild_id} has no calendar feed any more")
                assert result.gzipped is not None
                version = _version(result.feed, result.settings, result.versions)
                file = FeedFile(version, result.body, result.gzipped, result.events)
        if file is None:
            file = await self._render_feed_here(guild_id)
        self.renders += 1
        self._files[guild_id] = file
        self._files.move_to_end(guild_id)
        while len(self._files) > RECENT_FILES:
            self._files.popitem(last=False)
        return file

    async def _render_feed_here(self, guild_id: int) -> FeedFile:
        # The version is read with the deadlines, so the file and its ETag always agree; on a
        # read connection, so the thousands of rows never hold up a write.
        async with self._unit.read() as tx:
            feed = await tx.calendar_feed(guild_id)
            export = None if feed is None else await self._feed_export(tx, feed)
        if feed is None or export is None:
            raise LookupError(f"guild {guild_id} has no calendar feed any more")
        version = _version(feed, export.settings, export.versions)
        body = await self._assemble(export)
        # zlib lets go of the GIL while it compresses: a worker thread does not slow the loop.
        gzipped = await asyncio.to_thread(gzip.compress, body, GZIP_LEVEL, mtime=0)
        return FeedFile(version, body, gzipped, len(export.deadlines))

    async def _worker(self, job: RenderJob) -> RenderResult | None:
        """`job` done by the renderer's process, the events it rendered stored; None if no
        worker process can run (then the caller renders here). Shielded: a request that goes
        away does not lose what the worker rendered for it."""
        assert self.renderer is not None
        renderer = self.renderer

        async def run() -> RenderResult:
            result = await renderer.render(job)
            self.stored_reads += result.stored_reads
            # A few hundred events a transaction: a command's write never waits long behind
            # the megabytes of a first render. Best effort: the file is made either way.
            try:
                for first in range(0, len(result.fresh), EVENTS_PER_WRITE):
                    batch = list(result.fresh[first : first + EVENTS_PER_WRITE])
                    await self._store(job.guild_id, batch)
            except StorageError as exc:
                log.warning("could not store rendered calendar events (%s): served anyway", exc)
            return result

        try:
            return await asyncio.shield(run())
        except BrokenProcessPool:
            log.error("the calendar renderer process keeps dying: rendering in the bot's process")
            self.renderer = None
            return None
        except TimeoutError:
            return None  # the stuck worker was stopped: this one is rendered here

    def _identity(self) -> tuple[int, int]:
        """The database file the bot has open, for the worker to check it reads that one;
        refused at once if the file is no longer it (deleted or replaced under the bot)."""
        return self._unit.store.checked_identity()

    async def _assemble(self, export: DeadlineExport) -> bytes:
        """`render("ics", export)`, from the event cache, pausing every RENDER_SLICE_SECONDS
        (an uncached event takes ~0.4 ms, a cached one ~1.5 us: a warm render of thousands
        pauses once or twice).

        Events the cache lacks are first read from the database, those stored under their
        current key taken; the ones rendered then are stored, in one transaction."""
        context = event_context(export)
        missing = [
            (n, deadline)
            for n, deadline in enumerate(export.deadlines)
            if (deadline, context) not in self.events
        ]
        rendered = await self._load_stored(missing, context) if missing else []
        pieces: list[bytes] = []
        try:
            for _ in _slices(ics_pieces(export, self.events), pieces):
                await asyncio.sleep(RENDER_PAUSE_SECONDS)
        finally:
            # Also what a cancelled render did: the memory cache holds it, so a next render
            # would not render, nor store, it again. pieces[0] is the head: event n is n + 1.
            fresh = [(d.id, key, pieces[n + 1]) for n, d, key in rendered if n + 1 < len(pieces)]
            if fresh:
                await asyncio.shield(self._store(rendered[0][1].guild_id, fresh))
        return b"".join(pieces)

    async def _store(self, guild_id: int, events: list[tuple[int, str, bytes]]) -> None:
        async with self._unit.transaction() as tx:
            await tx.put_ics_events(guild_id, events)

    async def _load_stored(
        self, missing: list[tuple[int, Deadline]], context: EventContext
    ) -> list[tuple[int, Deadline, str]]:
        """Put the stored bytes of `missing` events that have their current key into the
        cache; the rest, with their keys, are to be rendered (and stored)."""
        keys: list[str] = []
        for _ in _slices((stored_key(d, context) for _, d in missing), keys):
            await asyncio.sleep(RENDER_PAUSE_SECONDS)
        async with self._unit.transaction() as tx:
            stored = await tx.ics_events(missing[0][1].guild_id, [d.id for _, d in missing])
        rendered = []
        for (n, deadline), key in zip(missing, keys, strict=True):
            row = stored.get(deadline.id)
            if row is not None and row[0] == key:
                self.events.put(deadline, context, row[1])
                self.stored_reads += 1
            else:
                rendered.append((n, deadline, key))
        return rendered

    async def _feed(self, tx: Transaction, token: str) -> CalendarFeed | None:
        token_hash = feed_token_hash(token)
        feed = await tx.feed_by_hash(token_hash)
        # The lookup matched by equality already; comparing again in constant time keeps
        # timing out of the picture should the lookup ever change (e.g. a prefix index).
        if feed is None or not hmac.compare_digest(feed.token_hash, token_hash):
            return None
        return feed

    async def _feed_export(self, tx: Transaction, feed: CalendarFeed) -> DeadlineExport:
        settings = await self._unit.settings(tx, feed.guild_id)
        versions = await tx.guild_version(feed.guild_id)
        deadlines = await tx.guild_deadlines(feed.guild_id, statuses=tuple(Status))
        return DeadlineExport(
            settings, tuple(deadlines), name=feed.name, versions=versions, closed_as_cancelled=True
        )

    async def calendar_feed(
        self,
        actor: Actor,
        guild_id: int,
        *,
        served: bool,
        rotate: bool = False,
        name: str = "",
    ) -> FeedAccess:
        """The guild's calendar feed, created on first use; `rotate` replaces its token.

        Manage Server only; `served` says whether the bot's web server is on. A new token is
        returned only when one was just made: the database keeps its hash alone, so an
        existing feed's URL cannot be shown again (rotate to get a new one). `name` (the
        server's name) becomes the calendar's name.
        """
        if not may_change_settings(actor):
            raise NotAllowed(SETTINGS_RULE, example="ask someone with Manage Server")
        if not served:
            raise ValidationError(
                "calendar feeds are off: the bot's host must turn on its web server",
                example="enabled = true under [web] in config.toml",
            )
        now = self._unit.now()
        name = " ".join(name.split())[:MAX_FEED_NAME]
        async with self._unit.transaction() as tx:
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
                created_by=actor.user_id,
            )
            await tx.put_calendar_feed(feed)
            action = "calendar feed rotated" if existing else "calendar feed created"
            await tx.add_history(HistoryEntry(guild_id, None, now, actor.user_id, action))
        return FeedAccess(feed, token=token, rotated=existing is not None)


def _version(feed: CalendarFeed, settings: GuildSettings, versions: GuildVersion) -> FeedVersion:
    tag = version_tag(settings, versions, name=feed.name, closed_as_cancelled=True)
    return FeedVersion(feed.guild_id, tag[:40], versions.changed_at, feed.name)


_T = TypeVar("_T")


def _slices(pieces: Iterable[_T], into: list[_T]) -> Iterator[None]:
    """Move `pieces` into `into`, pausing (yielding) each time RENDER_SLICE_SECONDS passed."""
    until = time.perf_counter() + RENDER_SLICE_SECONDS
    for piece in pieces:
        into.append(piece)
        if time.perf_counter() >= until:
            yield
            until = time.perf_counter() + RENDER_SLICE_SECONDS
