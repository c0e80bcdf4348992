"""Export and calendar-feed use cases on real SQLite files: tokens, rotation, isolation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from support import FakeClock

from bot.models import Status
from bot.service import Actor, NotAllowed, Services, ValidationError, feed_token_hash
from bot.storage import MIGRATIONS, SCHEMA_VERSION, SqliteStore

GUILD, OTHER, USER = 1001, 2002, 7
ADMIN = Actor.everywhere(USER, manage_guild=True)  # Manage Server: may manage the feed


async def add(services: Services, text: str, guild: int = GUILD) -> int:
    added = await services.deadlines.add(
        Actor(USER), guild, channel_id=55, text=text, start=dt.date(2025, 7, 17)
    )
    return added.deadline.id


async def test_export_lists_active_or_all_deadlines_soonest_first(
    services: Services,
) -> None:
    late = await add(services, "Late one, 60 days")
    soon = await add(services, "Soon one, 5 days")
    done = await add(services, "Done one, 1 day")
    await services.deadlines.done(Actor(USER), GUILD, done)
    await add(services, "Other paper's, 2 days", guild=OTHER)
    active = await services.feeds.export(GUILD)
    assert [d.id for d in active.deadlines] == [soon, late]
    assert active.settings.guild_id == GUILD
    everything = await services.feeds.export(GUILD, include_all=True, name="Newsroom")
    assert [d.id for d in everything.deadlines] == [done, soon, late]
    assert everything.deadlines[0].status is Status.DONE
    assert everything.name == "Newsroom"
    assert {d.guild_id for d in everything.deadlines} == {GUILD}


async def test_a_feed_is_created_once_and_its_token_opens_it(
    services: Services, db_path: Path
) -> None:
    await add(services, "Bondi letter, 30 days")
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True, name="  The  Newsroom ")
    assert access.token is not None
    assert not access.rotated
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", access.token)  # 24 random bytes = 192 bits
    assert access.feed.token_hash == hashlib.sha256(access.token.encode()).hexdigest()
    assert access.feed.name == "The Newsroom"
    exported = await services.feeds.feed_export(access.token)
    assert exported is not None
    assert exported.name == "The Newsroom"
    assert [d.title for d in exported.deadlines] == ["Bondi letter"]
    # Asking again shows the feed but cannot show its token: only the hash is kept.
    again = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    assert again.token is None
    assert again.feed == access.feed
    assert await services.feeds.feed_export(access.token) is not None


async def test_only_the_hash_is_stored(services: Services, db_path: Path) -> None:
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    assert access.token is not None
    raw = sqlite3.connect(db_path)
    try:
        stored = raw.execute("SELECT guild_id, token_hash FROM calendar_feeds").fetchall()
        history = raw.execute("SELECT action, detail FROM history").fetchall()
        raw.execute("PRAGMA wal_checkpoint(FULL)")
    finally:
        raw.close()
    assert stored == [(GUILD, feed_token_hash(access.token))]
    assert history == [("calendar feed created", "")]
    files = list(db_path.parent.glob(db_path.name + "*"))  # the database, its WAL, ...
    assert db_path in files
    for path in files:
        assert access.token.encode() not in path.read_bytes()


async def test_only_manage_server_gets_a_feed_and_only_when_served(services: Services) -> None:
    for actor in (Actor(USER), Actor.everywhere(USER, manage_messages=True)):
        with pytest.raises(NotAllowed, match="Manage Server"):
            await services.feeds.calendar_feed(actor, GUILD, served=True)
    with pytest.raises(ValidationError, match="calendar feeds are off"):
        await services.feeds.calendar_feed(ADMIN, GUILD, served=False)
    first = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    assert first.token is not None  # the refusals made none
    assert not first.rotated


async def test_rotating_replaces_the_token_at_once(services: Services) -> None:
    await add(services, "Bondi letter, 30 days")
    first = await services.feeds.calendar_feed(ADMIN, GUILD, served=True, name="Newsroom")
    assert first.token is not None
    rotated = await services.feeds.calendar_feed(
        Actor(USER + 1, manage_guild=True), GUILD, served=True, rotate=True
    )
    assert rotated.token is not None
    assert rotated.rotated
    assert rotated.token != first.token
    assert rotated.feed.name == "Newsroom"  # kept when the rotation names none
    assert rotated.feed.created_by == USER + 1
    assert await services.feeds.feed_export(first.token) is None
    assert await services.feeds.feed_export(rotated.token) is not None


async def test_feeds_are_per_guild(services: Services) -> None:
    await add(services, "Ours, 30 days")
    await add(services, "Theirs, 10 days", guild=OTHER)
    ours = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    theirs = await services.feeds.calendar_feed(ADMIN, OTHER, served=True)
    assert ours.token
    assert theirs.token
    assert ours.token != theirs.token
    mine = await services.feeds.feed_export(ours.token)
    other = await services.feeds.feed_export(theirs.token)
    assert mine is not None
    assert other is not None
    assert [(d.guild_id, d.title) for d in mine.deadlines] == [(GUILD, "Ours")]
    assert [(d.guild_id, d.title) for d in other.deadlines] == [(OTHER, "Theirs")]
    # Rotating one guild's feed leaves the other's alone.
    await services.feeds.calendar_feed(ADMIN, OTHER, served=True, rotate=True)
    assert await services.feeds.feed_export(ours.token) is not None
    assert await services.feeds.feed_export(theirs.token) is None


async def test_the_feed_shows_active_deadlines_only(services: Services) -> None:
    kept = await add(services, "Kept, 30 days")
    done = await add(services, "Done, 3 days")
    await services.deadlines.done(Actor(USER), GUILD, done)
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    assert access.token is not None
    exported = await services.feeds.feed_export(access.token)
    assert exported is not None
    assert [d.id for d in exported.deadlines] == [kept]


@pytest.mark.parametrize(
    "token",
    ["", "short", "A" * 32 + "!", "../../etc/passwd", "x" * 500, "Ä" * 32, "a b" * 12],
)
async def test_malformed_and_unknown_tokens_open_nothing(services: Services, token: str) -> None:
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    assert access.token is not None
    assert await services.feeds.feed_export(token) is None
    assert (
        await services.feeds.feed_export(
            access.token[:-1] + ("A" if access.token[-1] != "A" else "B")
        )
        is None
    )
    # The stored hash is not a token either.
    assert await services.feeds.feed_export(access.feed.token_hash) is None


async def test_feed_survives_a_restart(db_path: Path, clock: FakeClock) -> None:
    async with SqliteStore.open(db_path) as store:
        access = await Services.over(store, clock=clock).feeds.calendar_feed(
            ADMIN, GUILD, served=True
        )
    assert access.token is not None
    async with SqliteStore.open(db_path) as store:
        services = Services.over(store, clock=clock)
        assert await services.feeds.feed_export(access.token) is not None
        assert (await services.feeds.calendar_feed(ADMIN, GUILD, served=True)).feed == access.feed


async def test_token_hashes_are_unique_in_the_table(store: SqliteStore, clock: FakeClock) -> None:
    access = await Services.over(store, clock=clock).feeds.calendar_feed(ADMIN, GUILD, served=True)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.put_calendar_feed(dataclasses.replace(access.feed, guild_id=OTHER))


async def test_migration_3_adds_feeds_to_a_version_2_database(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript(MIGRATIONS[0] + MIGRATIONS[1])
    raw.execute("PRAGMA user_version = 2")
    raw.execute(
        "INSERT INTO deadlines (guild_id, id, channel_id, title, start_on, rule, calendar, "
        "period, due_on, due_at, has_time, explanation, created_by, created_at, updated_at) "
        "VALUES (?, 1, 55, 'Old letter', '2025-07-17', 'calendar', 'US', '30 days', "
        "'2025-08-16', 1755403199000000, 0, '[]', 7, 0, 0)",
        (GUILD,),
    )
    raw.execute("INSERT INTO meta (key, value) VALUES ('commands_hash', 'abc')")
    raw.commit()
    raw.close()
    async with SqliteStore.open(db_path) as store:
        assert SCHEMA_VERSION >= 3
        assert await store.schema_version() == SCHEMA_VERSION
        services = Services.over(store, clock=clock)
        access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
        assert access.token is not None
        exported = await services.feeds.feed_export(access.token)
        async with store.transaction() as tx:
            assert await tx.get_meta("commands_hash") == "abc"
    assert exported is not None
    assert [d.title for d in exported.deadlines] == ["Old letter"]
