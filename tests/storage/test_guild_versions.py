"""The per-guild change counters (migration 8) on real SQLite files: every write path bumps
them, by triggers, and only alarm-changing settings bump the alarms version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

from support import FakeClock, records_request

from bot.deadlines import Rule
from bot.models import GuildSettings, GuildVersion, NewDeadline
from bot.service import Actor, Services
from bot.storage import MIGRATIONS, SqliteStore, ts

GUILD, OTHER, USER = 1001, 2002, 7
ADMIN = Actor.everywhere(USER, manage_guild=True)
T0 = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)


def new(n: int, guild_id: int = GUILD) -> NewDeadline:
    return records_request(
        n, guild_id=guild_id, created_by=USER, created_at=T0 + dt.timedelta(minutes=n)
    )


async def version(store: SqliteStore, guild_id: int = GUILD) -> GuildVersion:
    async with store.transaction() as tx:
        return await tx.guild_version(guild_id)


async def test_every_deadline_write_bumps_its_guild_only(store: SqliteStore) -> None:
    assert await version(store) == GuildVersion()
    async with store.transaction() as tx:
        stored = await tx.insert_deadline(new(0))
    assert await version(store) == GuildVersion(1, T0)
    async with store.transaction() as tx:
        await tx.insert_deadlines([(new(1), ()), (new(2), ()), (new(3, OTHER), ())])
    assert await version(store) == GuildVersion(3, T0 + dt.timedelta(minutes=2))
    assert await version(store, OTHER) == GuildVersion(1, T0 + dt.timedelta(minutes=3))
    later = T0 + dt.timedelta(days=1)
    async with store.transaction() as tx:
        await tx.update_deadline(dataclasses.replace(stored, revision=1, updated_at=later))
    assert await version(store) == GuildVersion(4, later)
    # A write that does not move updated_at still counts; the time stays the latest.
    async with store.transaction() as tx:
        await tx.update_deadline(dataclasses.replace(stored, title="Renamed", updated_at=T0))
    assert await version(store) == GuildVersion(5, later)
    assert (await version(store, OTHER)).version == 1
    # A rolled-back write leaves the counter as it was.
    try:
        async with store.transaction() as tx:
            await tx.insert_deadline(new(9))
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert (await version(store)).version == 5


async def test_only_settings_that_rewrite_alarms_bump_the_alarms_version(
    store: SqliteStore,
) -> None:
    settings = GuildSettings(GUILD)
    async with store.transaction() as tx:
        await tx.put_settings(settings, now=T0)
    # The first stored settings may differ from the defaults: they count as an alarm change.
    assert await version(store) == GuildVersion(1, T0, 1, T0)
    changes: list[tuple[dict[str, object], int]] = [
        ({"default_channel_id": 5}, 1),
        ({"digest_enabled": True, "counting": Rule.BUSINESS}, 1),
        ({"reminder_days": (5, 2)}, 2),
        ({"alert_time": dt.time(7, 30)}, 3),
        ({"timezone": "Europe/Paris"}, 4),
        ({"escalate_after": 4}, 4),
    ]
    for n, (change, alarms) in enumerate(changes, start=1):
        at = T0 + dt.timedelta(hours=n)
        settings = dataclasses.replace(settings, **change)  # type: ignore[arg-type]
        async with store.transaction() as tx:
            await tx.put_settings(settings, now=at)
        got = await version(store)
        assert (got.version, got.changed_at, got.alarms_version) == (n + 1, at, alarms), change
    assert (await version(store)).alarms_changed_at == T0 + dt.timedelta(hours=5)


async def test_feed_changes_bump_the_version(services: Services, store: SqliteStore) -> None:
    await services.feeds.calendar_feed(ADMIN, GUILD, served=True)
    await services.feeds.calendar_feed(ADMIN, GUILD, served=True, name="Renamed")
    await services.feeds.calendar_feed(ADMIN, GUILD, served=True, rotate=True)
    assert (await version(store)).version == 3


async def test_migration_8_counts_what_a_version_7_database_holds(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript("".join(MIGRATIONS[:7]))
    raw.execute("PRAGMA user_version = 7")
    for n, updated in enumerate((5, 9, 7), start=1):
        raw.execute(
            "INSERT INTO deadlines (guild_id, id, channel_id, title, start_on, rule, calendar, "
            "period, due_on, due_at, has_time, explanation, created_by, created_at, updated_at) "
            "VALUES (?, ?, 55, 'Old letter', '2025-07-17', 'calendar', 'US', '30 days', "
            "'2025-08-16', 1755403199000000, 0, '[]', 7, 0, ?)",
            (GUILD, n, updated),
        )
    raw.execute(
        "INSERT INTO guild_settings (guild_id, timezone, alert_time, reminder_days, calendar, "
        "counting, updated_at) VALUES (?, 'UTC', '09:00', '[1]', 'US', 'calendar', ?)",
        (OTHER, ts(T0)),
    )
    raw.commit()
    raw.close()
    async with SqliteStore.open(db_path) as store:
        mine, theirs = await version(store), await version(store, OTHER)
    assert (mine.version, mine.alarms_version) == (3, 0)
    assert mine.changed_at == dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=9)
    # Existing events keep their SEQUENCE: alarms version 0 everywhere.
    assert (theirs.version, theirs.changed_at, theirs.alarms_version) == (1, T0, 0)
