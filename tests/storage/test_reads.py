"""Reads on read-only connections of their own (issue 16), on a real SQLite file in WAL mode:
a read never waits for a write transaction, sees what was committed before it began (and
not what a write still holds), and a read inside a write transaction reads that one."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest
from support import FakeClock, records_request

from bot.models import NewDeadline, Status
from bot.service import Services
from bot.storage import SqliteStore, Transaction

GUILD, USER = 1001, 7
T0 = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)


def new(n: int) -> NewDeadline:
    return records_request(n, guild_id=GUILD, created_by=USER)


async def active(tx: Transaction) -> int:
    return await tx.count_deadlines(GUILD, Status.ACTIVE)


async def test_a_read_completes_while_a_write_is_held_and_sees_only_commits(
    store: SqliteStore, services: Services, clock: FakeClock
) -> None:
    clock.set(T0)
    async with store.transaction() as tx:
        await tx.insert_deadline(new(0))
    inserted, release = asyncio.Event(), asyncio.Event()

    async def long_write() -> None:
        async with store.transaction() as tx:
            await tx.insert_deadline(new(1))
            inserted.set()
            await release.wait()  # holds the write lock (and SQLite's) meanwhile

    writer = asyncio.create_task(long_write())
    await inserted.wait()
    try:
        async with asyncio.timeout(2):
            async with store.read() as tx:
                assert await active(tx) == 1  # the committed one, not the held one
            page = await services.deadlines.page(GUILD)
            assert [d.title for d in page.deadlines] == ["Records request 0"]
            assert [d.id for d in await services.deadlines.search(GUILD, "request")] == [1]
            assert (await services.deadlines.status(GUILD, 1)).deadline.id == 1
            export = await services.feeds.export(GUILD)
            assert len(export.deadlines) == 1
        # The same read through the write connection would have waited for the write.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2), store.transaction() as tx:
                pass
    finally:
        release.set()
        await writer
    # A read after the commit sees it.
    async with store.read() as tx:
        assert await active(tx) == 2
    assert (await services.deadlines.page(GUILD)).total == 2


async def test_a_read_inside_a_write_transaction_reads_that_transaction(
    store: SqliteStore,
) -> None:
    async with store.transaction() as tx:
        await tx.insert_deadline(new(0))
        async with asyncio.timeout(2), store.read() as inner:
            assert inner is tx
            assert await active(inner) == 1  # its own uncommitted write
    # A task started inside a write transaction inherits nothing of it.
    seen: list[int] = []

    async def later() -> None:
        async with store.read() as tx:
            seen.append(await active(tx))

    async with store.transaction() as tx:
        await tx.insert_deadline(new(1))
        task = asyncio.create_task(later())
        await asyncio.sleep(0.05)
    await task
    assert seen in ([1], [2])  # read on its own connection, before or after the commit


async def test_the_read_connections_cannot_write(store: SqliteStore) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        async with store.read() as tx:
            await tx.insert_deadline(new(0))
    async with store.read() as tx:  # and the connection is still good after
        assert await active(tx) == 0


async def test_a_cancelled_read_hands_its_connection_back(store: SqliteStore) -> None:
    started = asyncio.Event()

    async def stuck() -> None:
        async with store.read():
            started.set()
            await asyncio.sleep(10)

    tasks = [asyncio.create_task(stuck()) for _ in range(5)]
    await started.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    async with asyncio.timeout(2), store.read() as tx:
        assert await active(tx) == 0


async def test_the_calendar_feed_is_read_while_a_write_is_held(
    store: SqliteStore, services: Services, clock: FakeClock
) -> None:
    """The feed's thousands of rows are read on a read connection: a subscribed calendar
    polling during a long write neither waits for it nor holds up the next write."""
    from bot.service import Actor

    clock.set(T0)
    async with store.transaction() as tx:
        await tx.insert_deadline(new(0))
    access = await services.feeds.calendar_feed(
        Actor.everywhere(USER, manage_guild=True), GUILD, served=True
    )
    token = access.token
    assert token is not None  # just created: the token is given once
    inserted, release = asyncio.Event(), asyncio.Event()

    async def long_write() -> None:
        async with store.transaction() as tx:
            await tx.insert_deadline(new(1))
            inserted.set()
            await release.wait()

    writer = asyncio.create_task(long_write())
    await inserted.wait()
    try:
        async with asyncio.timeout(2):
            export = await services.feeds.feed_export(token)
            assert export is not None
            assert [d.title for d in export.deadlines] == ["Records request 0"]
    finally:
        release.set()
        await writer
