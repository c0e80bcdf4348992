"""Calendar files made in the renderer's worker process (a real spawned process, a real SQLite
file): the same bytes as a render in the bot's process, the events it rendered stored, a
killed worker replaced, a request that goes away losing nothing."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gzip
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import icalendar
import pytest
from support import FakeClock

from bot.export import render
from bot.models import GuildDefaults
from bot.service import Actor, Renderer, Services
from bot.service.feeds import FeedUseCases
from bot.service.rendering import RenderJob, run_job
from bot.storage import DatabaseGoneError, SqliteStore, StorageError

GUILD, OTHER, USER = 1001, 2002, 7
ADMIN = Actor.everywhere(USER, manage_guild=True)


@pytest.fixture
async def renderer(db_path: Path) -> AsyncIterator[Renderer]:
    made = Renderer(db_path)
    yield made
    await made.close()


@pytest.fixture
def with_worker(store: SqliteStore, clock: FakeClock, renderer: Renderer) -> Services:
    return Services.over(store, clock=clock, renderer=renderer)


async def fill(services: Services, count: int) -> str:
    for n in range(count):
        await services.deadlines.add(
            Actor(USER),
            GUILD,
            channel_id=55,
            text=f"Letter {n}, {n + 3} days" if n % 2 else f"Request {n}, {n + 5} business days",
            start=dt.date(2025, 7, 17),
            link=f"https://例え.jp/パス/{n}" if n % 3 == 0 else None,
        )
    await services.deadlines.done(Actor(USER), GUILD, 2)
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True, name="Newsroom")
    assert access.token is not None
    return access.token


async def stored_events(store: SqliteStore) -> int:
    async with store.read() as tx:
        return len(await tx.ics_events(GUILD, list(range(1, 100))))


async def test_a_feed_from_the_worker_is_the_file_the_bot_would_make(
    with_worker: Services, store: SqliteStore, renderer: Renderer
) -> None:
    token = await fill(with_worker, 12)
    version = await with_worker.feeds.feed_version(token)
    assert version is not None
    made = await with_worker.feeds.feed_file(version)
    assert renderer.worker_pids()
    assert os.getpid() not in renderer.worker_pids()
    # The same use cases without a worker, over the same database: the same file and ETag.
    here = FeedUseCases(with_worker.unit)
    local = await here._render_feed(GUILD)
    assert made.body == local.body
    assert made.version == local.version == version
    assert gzip.decompress(made.gzipped) == made.body
    assert made.events == 12
    calendar = icalendar.Calendar.from_ical(made.body)
    assert len(calendar.walk("VEVENT")) == 12
    # What the worker rendered, the bot stored: a new worker (after a restart) reads it.
    assert await stored_events(store) == 12
    await renderer.close()
    with_worker.feeds._files.clear()
    again = await with_worker.feeds.feed_file(version)
    assert again.body == made.body
    assert with_worker.feeds.stored_reads == 12


async def test_an_export_from_the_worker_is_the_file_the_bot_would_make(
    with_worker: Services,
) -> None:
    await fill(with_worker, 9)
    for include_all in (False, True):
        export = await with_worker.feeds.export(GUILD, include_all=include_all, name="Newsroom")
        for fmt in ("ics", "csv"):
            file = await with_worker.feeds.export_file(
                GUILD, fmt, include_all=include_all, name="Newsroom"
            )
            assert file.body == render(fmt, export)
            assert file.deadlines == len(export.deadlines) == (9 if include_all else 8)
            assert file.timezone == "America/New_York"


async def test_a_killed_worker_is_replaced_and_the_feed_still_made(
    with_worker: Services, renderer: Renderer
) -> None:
    token = await fill(with_worker, 5)
    version = await with_worker.feeds.feed_version(token)
    assert version is not None
    first = await with_worker.feeds.feed_file(version)
    (pid,) = renderer.worker_pids()
    os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.2)
    await with_worker.deadlines.done(Actor(USER), GUILD, 4)
    newer = await with_worker.feeds.feed_version(token)
    assert newer is not None
    assert newer.etag != version.etag
    file = await with_worker.feeds.feed_file(newer)
    assert renderer.restarts == 1
    assert renderer.worker_pids() != [pid]
    assert file.body != first.body
    assert b"Done: Letter 3" in file.body.replace(b"\r\n ", b"")


async def test_a_request_that_goes_away_loses_nothing_the_worker_rendered(
    with_worker: Services, store: SqliteStore
) -> None:
    token = await fill(with_worker, 40)
    version = await with_worker.feeds.feed_version(token)
    assert version is not None
    request = asyncio.create_task(with_worker.feeds.feed_file(version))
    await asyncio.sleep(0.05)  # the worker is starting or rendering
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    for _ in range(200):  # the shielded job goes on, and its events are stored
        if await stored_events(store) == 40:
            break
        await asyncio.sleep(0.05)
    assert await stored_events(store) == 40


async def test_no_feed_no_file_and_no_database_no_reading(
    with_worker: Services, tmp_path: Path
) -> None:
    token = await fill(with_worker, 2)
    version = await with_worker.feeds.feed_version(token)
    assert version is not None
    # A version of a guild without a feed (e.g. asked for as its feed was being replaced).
    with pytest.raises(LookupError, match="no calendar feed"):
        await with_worker.feeds.feed_file(dataclasses.replace(version, guild_id=OTHER))
    # The worker's reader never creates a database where there is none.
    missing = tmp_path / "nothing-here.sqlite3"
    with pytest.raises(StorageError, match="cannot read the database"):
        async with SqliteStore.reading(missing):
            pass
    assert not missing.exists()


_KILLED_BOT = """
import asyncio, os, signal, sys
from bot.service.rendering import Renderer, RenderJob
from bot.models import GuildDefaults

async def main():
    renderer = Renderer(sys.argv[1])
    await renderer.render(RenderJob(renderer.path, 1, GuildDefaults(), fmt="csv"))
    print(*renderer.worker_pids(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


async def test_the_worker_does_not_outlive_a_killed_bot(store: SqliteStore) -> None:
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _KILLED_BOT,
        str(store.path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await bot.communicate()
    assert bot.returncode == -signal.SIGKILL
    (pid,) = map(int, out.split())
    for _ in range(100):
        if not _alive(pid):
            break
        await asyncio.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone too: it is waiting only for init to collect it.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


async def test_a_replaced_or_deleted_database_is_never_read_by_the_worker(
    with_worker: Services, store: SqliteStore, clock: FakeClock, db_path: Path, tmp_path: Path
) -> None:
    await fill(with_worker, 3)
    assert b"Request 0" in (await with_worker.feeds.export_file(GUILD, "csv")).body
    # Last week's backup, with other deadlines, moved in over the live file.
    other_path = tmp_path / "backup" / "deadlines.sqlite3"
    async with SqliteStore.open(other_path) as other:
        await Services.over(other, clock=clock).deadlines.add(
            Actor(USER), GUILD, channel_id=55, text="OLD BACKUP ROW, 10 days"
        )
    os.replace(other_path, db_path)
    with pytest.raises(DatabaseGoneError, match="replaced"):
        await with_worker.feeds.export_file(GUILD, "csv")
    # The worker's own check, too (the file swapped after the bot looked).
    job = RenderJob(str(db_path), GUILD, GuildDefaults(), fmt="csv", identity=(1, 2))
    with pytest.raises(DatabaseGoneError, match="replaced"):
        await asyncio.to_thread(run_job, job)
    os.unlink(db_path)
    with pytest.raises(DatabaseGoneError, match="deleted"):
        await with_worker.feeds.export_file(GUILD, "csv")


async def test_a_stuck_worker_is_stopped_and_the_file_made_here(
    store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    renderer = Renderer(db_path, timeout=2.0)
    services = Services.over(store, clock=clock, renderer=renderer)
    try:
        await fill(services, 3)
        await services.feeds.export_file(GUILD, "csv")
        (pid,) = renderer.worker_pids()
        os.kill(pid, signal.SIGSTOP)  # no answer: stuck, or swapped out
        file = await asyncio.wait_for(services.feeds.export_file(GUILD, "csv"), 15)
        assert b"Request 0" in file.body  # made in the bot's process instead
        for _ in range(100):
            if not _alive(pid):
                break
            await asyncio.sleep(0.05)
        assert not _alive(pid)  # killed, not left stopped
        again = await services.feeds.export_file(GUILD, "ics")  # a new worker serves the next
        assert b"BEGIN:VCALENDAR" in again.body
        assert renderer.worker_pids()
        assert pid not in renderer.worker_pids()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
        await renderer.close()


async def test_one_death_with_jobs_waiting_is_one_restart(
    with_worker: Services, renderer: Renderer
) -> None:
    await fill(with_worker, 30)
    await with_worker.feeds.export_file(GUILD, "csv")  # the worker started
    (pid,) = renderer.worker_pids()
    os.kill(pid, signal.SIGSTOP)  # so that the three jobs are all waiting on it when it dies
    jobs = [
        asyncio.create_task(with_worker.feeds.export_file(GUILD, "ics", include_all=bool(n % 2)))
        for n in range(3)
    ]
    await asyncio.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    files = await asyncio.gather(*jobs)
    assert all(b"BEGIN:VCALENDAR" in file.body for file in files)
    assert renderer.restarts == 1
    assert len(renderer.worker_pids()) == 1


async def test_a_file_is_served_when_only_storing_its_events_is_blocked(
    with_worker: Services, db_path: Path
) -> None:
    await fill(with_worker, 3)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a CLI import)
    try:
        file = await with_worker.feeds.export_file(GUILD, "ics")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert b"Request 0" in file.body.replace(b"\r\n ", b"")
