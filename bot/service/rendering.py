"""Calendar files made in a process of their own, so that no command or alert waits on them.

Reading a guild's 5,000 deadlines and writing their events holds the interpreter for tens of
milliseconds when every event is cached, and for seconds when none is (icalendar: ~0.4 ms an
event). On the bot's event loop, even a slice at a time, every query meanwhile waits out the
interpreter's switch interval at each of its statements (measured: a 0.3 ms query took
20-40 ms at p99 during a render). A worker process holds a GIL of its own; the bot only
receives the finished bytes.

The worker reads the database itself, on a read-only connection (in WAL it sees what was
committed before it began, and holds up no write), keeps its own event cache from one job to
the next, and takes the events stored in `ics_events` under their current key. The events it
had to render go back with the file, and the bot stores them: one process writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Final

from bot.export import EventCache, Format, event_context, ics_pieces, render, stored_key
from bot.models import (
    CalendarFeed,
    DeadlineExport,
    GuildDefaults,
    GuildSettings,
    GuildVersion,
    Status,
)
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

GZIP_LEVEL: Final = 6
# A render with no answer after this long is stuck (a cold render of 5,000 events takes ~3 s,
# of 100,000, a server's years of history, ~40 s): its worker is killed.
RENDER_TIMEOUT: Final = 180.0
MAX_FEED_NAME: Final = 100

_NO_VERSIONS: Final = GuildVersion()

# The worker process's own cache of event bytes (one process, one job at a time).
_EVENTS = EventCache()


@dataclasses.dataclass(frozen=True, slots=True)
class RenderJob:
    """A file to make from the database at `path`. `feed`: the guild's calendar feed (every
    deadline, closed ones CANCELLED, its own name, gzipped too); otherwise an export of the
    active deadlines, or of all with `include_all`, in `fmt`, called `name`."""

    path: str
    guild_id: int
    defaults: GuildDefaults
    fmt: Format = "ics"
    feed: bool = False
    include_all: bool = False
    name: str = ""
    identity: tuple[int, int] | None = None  # the file the bot has open (checked_identity)


@dataclasses.dataclass(frozen=True, slots=True)
class RenderResult:
    """The file and what it was made from. `feed` is None for an export, and for a feed job
    whose guild has no feed (then nothing else is filled in)."""

    body: bytes = b""
    gzipped: bytes | None = None
    feed: CalendarFeed | None = None
    settings: GuildSettings | None = None
    versions: GuildVersion = _NO_VERSIONS
    events: int = 0
    # Events rendered for this file, to be stored: (deadline id, stored key, bytes).
    fresh: tuple[tuple[int, str, bytes], ...] = ()
    stored_reads: int = 0  # events taken from ics_events instead of rendered


def run_job(job: RenderJob) -> RenderResult:
    """Make the file `job` asks for (in the worker process: the entry point it is sent)."""
    return asyncio.run(_run(job))


async def _run(job: RenderJob) -> RenderResult:
    guild_id = job.guild_id
    async with SqliteStore.reading(job.path, identity=job.identity) as tx:
        feed = await tx.calendar_feed(guild_id) if job.feed else None
        if job.feed and feed is None:
            return RenderResult()
        settings = await tx.get_settings(guild_id) or GuildSettings.from_defaults(
            guild_id, job.defaults
        )
        versions = await tx.guild_version(guild_id)
        statuses = tuple(Status) if job.feed or job.include_all else (Status.ACTIVE,)
        deadlines = tuple(await tx.guild_deadlines(guild_id, statuses=statuses))
        export = DeadlineExport(
            settings,
            deadlines,
            name=feed.name if feed is not None else job.name[:MAX_FEED_NAME],
            versions=versions,
            closed_as_cancelled=job.feed,
        )
        if job.fmt != "ics":
            return RenderResult(
                render(job.fmt, export), settings=settings, versions=versions, events=len(deadlines)
            )
        context = event_context(export)
        missing = [d for d in deadlines if (d, context) not in _EVENTS]
        stored = await tx.ics_events(guild_id, [d.id for d in missing]) if missing else {}
    fresh = []
    for deadline in missing:
        key = stored_key(deadline, context)
        row = stored.get(deadline.id)
        if row is not None and row[0] == key:
            _EVENTS.put(deadline, context, row[1])
        else:
            fresh.append((deadline.id, key, _EVENTS.event(deadline, context)))
    body = b"".join(ics_pieces(export, _EVENTS))
    return RenderResult(
        body,
        gzip.compress(body, GZIP_LEVEL, mtime=0) if job.feed else None,
        feed=feed,
        settings=settings,
        versions=versions,
        events=len(deadlines),
        fresh=tuple(fresh),
        stored_reads=len(missing) - len(fresh),
    )


class Renderer:
    """Runs RenderJobs on the database at `path` in a worker process, started on first use
    (about half a second: it imports what it needs), started again if it dies."""

    def __init__(self, path: str | Path, *, timeout: float = RENDER_TIMEOUT) -> None:
        self.path = str(Path(path).resolve())
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0  # worker processes started again after one died

    async def render(self, job: RenderJob) -> RenderResult:
        """`job`'s file. A worker that died (killed, out of memory) is replaced and the job
        sent again, once; a second death raises BrokenProcessPool. A worker with no answer
        after `timeout` seconds (stuck) is killed and TimeoutError raised."""
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return await asyncio.wait_for(
                    loop.run_in_executor(pool, run_job, job), self.timeout
                )
            except TimeoutError:
                log.error("the calendar renderer gave no answer in %.0f s: stopped", self.timeout)
                self._drop(pool, kill=True)
                raise
            except BrokenProcessPool:
                if self._drop(pool):
                    self.restarts += 1
                if attempt == 2:
                    raise
                log.warning("the calendar renderer process died; starting it again")
        raise AssertionError("unreachable")

    def _drop(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> bool:
        """Forget `pool` (its workers killed first with `kill`); False if it was already
        replaced (jobs waiting on one dead worker each see it die: one restart, not one each)."""
        if kill:
            for pid in self.worker_pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        current = self._pool is pool
        if current:
            self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        return current

    async def close(self) -> None:
        """Stop the worker (a job it is running is finished first)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (for a test that kills one)."""
        processes = getattr(self._pool, "_processes", None) or {}  # the pool's own record
        return [int(pid) for pid in processes]

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fresh interpreter. Forking the bot would copy its threads' locks
            # (aiosqlite's, logging's) in whatever state they are.
            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_follow_parent
            )
        return self._pool


def _follow_parent() -> None:
    """In the worker: exit when the bot's process does, however it ends. (A killed bot
    leaves its pool's worker waiting for jobs forever otherwise, holding the database open.)"""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()
