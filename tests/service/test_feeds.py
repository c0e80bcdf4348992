"""Export and calendar-feed use cases on real SQLite files: tokens, rotation, isolation."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import hashlib
import re
import sqlite3
from pathlib import Path

import icalendar
import pytest
from support import FakeClock

from bot.export import render
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


async def test_the_feed_cancels_done_and_deleted_deadlines(services: Services) -> None:
    kept = await add(services, "Kept, 30 days")
    done = await add(services, "Done, 3 days")
    gone = await add(services, "Gone, 4 days")
    await services.deadlines.done(Actor(USER), GUILD, done)
    await services.deadlines.delete(Actor(USER), GUILD, gone)
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    assert access.token is not None
    exported = await services.feeds.feed_export(access.token)
    assert exported is not None
    assert [d.id for d in exported.deadlines] == [done, gone, kept]
    version = await services.feeds.feed_version(access.token)
    assert version is not None
    feed = await services.feeds.feed_file(version)
    calendar = icalendar.Calendar.from_ical(feed.body)
    status = {str(e["summary"]): str(e["status"]) for e in calendar.walk("VEVENT")}
    # Subscribed calendars drop what the feed cancels, and keep what it leaves out.
    assert status == {
        "Kept": "CONFIRMED",
        "Done: Done": "CANCELLED",
        "Cancelled: Gone": "CANCELLED",
    }
    assert gzip.decompress(feed.gzipped) == feed.body


async def feed_of(services: Services) -> str:
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True, name="Newsroom")
    assert access.token is not None
    return access.token


async def test_four_requests_for_an_uncached_feed_render_it_once(services: Services) -> None:
    for n in range(30):
        await add(services, f"Letter {n}, {n + 3} days")
    token = await feed_of(services)
    version = await services.feeds.feed_version(token)
    assert version is not None
    files = await asyncio.gather(*(services.feeds.feed_file(version) for _ in range(4)))
    assert services.feeds.renders == 1
    assert services.feeds.events.misses == 30  # each event rendered once
    assert all(file is files[0] for file in files)
    assert files[0].version == version
    # Polled again, unchanged: the same file, not rendered again.
    assert await services.feeds.feed_file(version) is files[0]
    assert services.feeds.renders == 1
    # One change: one event rendered, the rest from the cache.
    await services.deadlines.done(Actor(USER), GUILD, 3)
    newer = await services.feeds.feed_version(token)
    assert newer is not None
    assert newer.etag != version.etag
    assert (await services.feeds.feed_file(newer)).version == newer
    assert (services.feeds.renders, services.feeds.events.misses) == (2, 31)


async def test_when_the_rendering_request_goes_away_a_waiting_one_renders(
    services: Services,
) -> None:
    for n in range(200):
        await add(services, f"Letter {n}, {n + 3} days")
    token = await feed_of(services)
    version = await services.feeds.feed_version(token)
    assert version is not None
    leader = asyncio.create_task(services.feeds.feed_file(version))
    await asyncio.sleep(0.01)  # rendering, a slice at a time
    follower = asyncio.create_task(services.feeds.feed_file(version))
    await asyncio.sleep(0)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    file = await follower
    assert file.events == 200
    assert services.feeds.renders == 1
    # What the cancelled render had done is kept: no event was rendered twice.
    assert services.feeds.events.misses == 200


async def test_the_version_follows_every_change_and_only_alarm_changes_bump_sequence(
    services: Services, clock: FakeClock
) -> None:
    await add(services, "Bondi letter, 30 days")
    token = await feed_of(services)
    seen = []

    async def event() -> icalendar.Event:
        version = await services.feeds.feed_version(token)
        assert version is not None
        seen.append(version.etag)
        file = await services.feeds.feed_file(version)
        found: icalendar.Event = icalendar.Calendar.from_ical(file.body).walk("VEVENT")[0]
        return found

    assert (await event())["sequence"] == 0
    # A guild's first stored settings may change alarms from the defaults: counted as such.
    await services.settings.update(ADMIN, GUILD, default_channel_id=98)
    first = await event()
    assert first["sequence"] == 1
    clock.advance(hours=1)
    await services.settings.update(ADMIN, GUILD, default_channel_id=99)  # no alarm changes
    unchanged = await event()
    assert unchanged["sequence"] == 1
    assert unchanged["last-modified"].dt == first["last-modified"].dt
    for changes in ({"reminder_days": (5, 1)}, {"alert_time": dt.time(8, 0)}):
        clock.advance(hours=1)
        await services.settings.update(ADMIN, GUILD, **changes)
        later = await event()
        assert later["sequence"] > unchanged["sequence"]
        assert later["last-modified"].dt == later["dtstamp"].dt == clock.now()
        unchanged = later
    clock.advance(hours=1)
    await services.settings.update(ADMIN, GUILD, timezone="America/Chicago")
    moved = await event()
    assert moved["sequence"] == unchanged["sequence"] + 1
    assert moved["dtstamp"].dt == clock.now()
    assert len(set(seen)) == len(seen)  # every change, a new ETag
    assert services.feeds.renders == len(seen)


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


# -- events stored across restarts (migration 9) ----------------------------------------------


async def restarted_feed(db_path: Path, clock: FakeClock, token: str) -> tuple[Services, bytes]:
    """The feed as a new process serves it first: new use cases and caches, the same file."""
    async with SqliteStore.open(db_path) as store:
        services = Services.over(store, clock=clock)
        version = await services.feeds.feed_version(token)
        assert version is not None
        body = (await services.feeds.feed_file(version)).body
        exported = await services.feeds.feed_export(token)
    assert exported is not None
    assert body == render("ics", exported)  # icalendar's own render, nothing cached
    return services, body


def stored_rows(db_path: Path) -> dict[int, tuple[str, bytes]]:
    raw = sqlite3.connect(db_path)
    try:
        rows = raw.execute("SELECT deadline_id, cache_key, body FROM ics_events").fetchall()
    finally:
        raw.close()
    return {deadline_id: (key, body) for deadline_id, key, body in rows}


async def setup_feed(db_path: Path, clock: FakeClock, count: int) -> str:
    async with SqliteStore.open(db_path) as store:
        services = Services.over(store, clock=clock)
        for n in range(count):
            text = f"Letter {n}, {n + 3} days" + (" by 5pm" if n % 3 == 0 else "")
            await add(services, text)
        await services.deadlines.done(Actor(USER), GUILD, 2)
        await services.deadlines.delete(Actor(USER), GUILD, 3)
        token = await feed_of(services)
        version = await services.feeds.feed_version(token)
        assert version is not None
        await services.feeds.feed_file(version)
        assert (services.feeds.events.misses, services.feeds.stored_reads) == (count, 0)
    return token


async def test_after_a_restart_the_first_feed_reads_stored_events_and_renders_none(
    db_path: Path, clock: FakeClock
) -> None:
    token = await setup_feed(db_path, clock, 12)
    assert len(stored_rows(db_path)) == 12
    services, body = await restarted_feed(db_path, clock, token)
    assert (services.feeds.events.misses, services.feeds.stored_reads) == (0, 12)
    # The export command shares every stored event but the done one's (CONFIRMED in a file).
    async with SqliteStore.open(db_path) as store:
        feeds = Services.over(store, clock=clock).feeds
        export = await feeds.export(GUILD, include_all=True)
        assert await feeds.render("ics", export) == render("ics", export)
        assert (feeds.events.misses, feeds.stored_reads) == (1, 11)
    assert len(events_of(body)) == 12


def events_of(body: bytes) -> list[icalendar.Event]:
    found: list[icalendar.Event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return found


async def test_a_stale_stored_event_is_rendered_again_and_replaced(
    db_path: Path, clock: FakeClock
) -> None:
    token = await setup_feed(db_path, clock, 6)
    before = stored_rows(db_path)
    async with SqliteStore.open(db_path) as store:
        clock.advance(hours=1)
        await Services.over(store, clock=clock).deadlines.done(Actor(USER), GUILD, 4)
    services, _ = await restarted_feed(db_path, clock, token)
    assert (services.feeds.events.misses, services.feeds.stored_reads) == (1, 5)
    after = stored_rows(db_path)
    assert after[4] != before[4]
    assert {n: after[n] for n in after if n != 4} == {n: before[n] for n in before if n != 4}
    # A settings change that rewrites the alarms changes every event: all rendered again.
    async with SqliteStore.open(db_path) as store:
        clock.advance(hours=1)
        await Services.over(store, clock=clock).settings.update(
            ADMIN, GUILD, alert_time=dt.time(8, 0)
        )
    services, _ = await restarted_feed(db_path, clock, token)
    assert (services.feeds.events.misses, services.feeds.stored_reads) == (6, 0)
    assert all(stored_rows(db_path)[n] != after[n] for n in after)
    # Nothing changed since: every event read, none rendered.
    services, _ = await restarted_feed(db_path, clock, token)
    assert (services.feeds.events.misses, services.feeds.stored_reads) == (0, 6)


async def test_a_deleted_deadline_takes_its_stored_event_with_it(
    db_path: Path, clock: FakeClock
) -> None:
    await setup_feed(db_path, clock, 4)
    # The bot never deletes a deadline row (deleting one cancels it: the feed keeps it as
    # CANCELLED), but a row gone by hand, or by a future retention, takes its event along.
    raw = sqlite3.connect(db_path)
    try:
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("DELETE FROM deadlines WHERE guild_id = ? AND id = 2", (GUILD,))
        raw.commit()
    finally:
        raw.close()
    assert sorted(stored_rows(db_path)) == [1, 3, 4]
    async with SqliteStore.open(db_path) as store:
        # An event rendered for a deadline deleted meanwhile is not stored.
        async with store.transaction() as tx:
            await tx.put_ics_events(GUILD, [(2, "0" * 32, b"BEGIN:VEVENT\r\n"), (9, "k", b"x")])
        async with store.transaction() as tx:
            assert sorted(await tx.ics_events(GUILD, [1, 2, 3, 9])) == [1, 3]
            assert await tx.ics_events(OTHER, [1, 3]) == {}
            assert len(await tx.ics_events(GUILD, list(range(1, 2000)))) == 3


async def test_migration_9_adds_stored_events_to_a_version_8_database(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript("".join(MIGRATIONS[:8]))
    raw.execute("PRAGMA user_version = 8")
    raw.execute(
        "INSERT INTO deadlines (guild_id, id, channel_id, title, start_on, rule, calendar, "
        "period, due_on, due_at, has_time, explanation, created_by, created_at, updated_at) "
        "VALUES (?, 1, 55, 'Old letter', '2025-07-17', 'calendar', 'US', '30 days', "
        "'2025-08-16', 1755403199000000, 0, '[]', 7, 0, 0)",
        (GUILD,),
    )
    raw.commit()
    raw.close()
    async with SqliteStore.open(db_path) as store:
        assert await store.schema_version() == SCHEMA_VERSION  # 9 and what came after
        services = Services.over(store, clock=clock)
        token = await feed_of(services)
        version = await services.feeds.feed_version(token)
        assert version is not None
        file = await services.feeds.feed_file(version)
    assert [str(e["summary"]) for e in events_of(file.body)] == ["Old letter"]
    assert list(stored_rows(db_path)) == [1]
    services, _ = await restarted_feed(db_path, clock, token)
    assert services.feeds.stored_reads == 1
