"""Retention of closed deadlines (issue 16) on a real SQLite file: done and cancelled deadlines
closed more than the configured days ago go, with their alerts and stored calendar events, in
batches; active ones and recently closed ones stay; the counts stay right; their history is
kept; the default keeps everything."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest
from support import FakeClock, records_request

from bot.app import DeskOptions
from bot.config import Config
from bot.models import AlertKind, NewDeadline, PlannedAlert, Status
from bot.scheduling import PeriodicJobs
from bot.service import Actor, Services
from bot.service.retention import RETENTION_ACTION
from bot.storage import MIGRATIONS, SqliteStore

GUILD, OTHER, USER = 1001, 2002, 7
ADMIN = Actor.everywhere(USER, manage_guild=True)
T0 = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)


def new(n: int, guild_id: int = GUILD) -> NewDeadline:
    return records_request(n, guild_id=guild_id, created_by=USER, channel_id=55 + n % 2)


async def seed(store: SqliteStore, guild_id: int, count: int) -> list[int]:
    """`count` deadlines with two planned alerts and a stored calendar event each."""
    alerts = [
        PlannedAlert(AlertKind.REMINDER, T0 + dt.timedelta(days=20)),
        PlannedAlert(AlertKind.DUE_TODAY, T0 + dt.timedelta(days=30)),
    ]
    async with store.transaction() as tx:
        ids = await tx.insert_deadlines(
            [(new(n, guild_id), alerts) for n in range(count)], history_action="created"
        )
        await tx.put_ics_events(guild_id, [(i, "k", b"BEGIN:VEVENT") for i in ids])
    return ids


def rows(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as raw:
        return list(raw.execute(sql, params))


def ids_of(db_path: Path, table: str, guild_id: int = GUILD) -> set[int]:
    column = "id" if table == "deadlines" else "deadline_id"
    found = rows(db_path, f"SELECT {column} FROM {table} WHERE guild_id = ?", guild_id)
    return {int(r[0]) for r in found}


def counts_are_right(db_path: Path) -> None:
    """The trigger-kept counts equal a count of the rows themselves."""
    kept = rows(
        db_path,
        "SELECT guild_id, status, channel_id, n FROM deadline_counts WHERE n != 0 ORDER BY 1, 2, 3",
    )
    real = rows(
        db_path,
        "SELECT guild_id, status, channel_id, COUNT(*) FROM deadlines "
        "GROUP BY guild_id, status, channel_id ORDER BY 1, 2, 3",
    )
    assert kept == real


async def test_old_closed_deadlines_go_with_their_alerts_and_events_in_batches(
    store: SqliteStore, services: Services, clock: FakeClock, db_path: Path
) -> None:
    clock.set(T0)
    ids = await seed(store, GUILD, 12)
    await seed(store, OTHER, 3)
    assert ids == list(range(1, 13))
    for deadline_id in (1, 2, 3, 4, 12):  # 12: the guild's newest, closed long ago too
        await services.deadlines.done(ADMIN, GUILD, deadline_id, note="replied")
    for deadline_id in (5, 6):
        await services.deadlines.delete(ADMIN, GUILD, deadline_id)
    await services.deadlines.done(ADMIN, OTHER, 1)
    clock.set(T0 + dt.timedelta(days=90))
    await services.deadlines.done(ADMIN, GUILD, 8)  # closed recently
    await services.deadlines.edit(ADMIN, GUILD, 4, notes="looked at again")  # edited recently
    clock.set(T0 + dt.timedelta(days=100))
    history_before = rows(db_path, "SELECT COUNT(*) FROM history")[0][0]
    counts_are_right(db_path)

    removed = await services.retention.purge_closed(days=30, batch=2)

    assert removed == 6  # 1, 2, 3, 5, 6 of GUILD and 1 of OTHER
    assert ids_of(db_path, "deadlines") == {4, 7, 8, 9, 10, 11, 12}
    # OTHER's #1 was not its newest; #2 and #3 are active.
    assert ids_of(db_path, "deadlines", OTHER) == {2, 3}
    for table in ("alerts", "ics_events"):
        assert ids_of(db_path, table) <= {4, 7, 8, 9, 10, 11, 12}
        assert ids_of(db_path, table) >= {7, 9, 10, 11}
        assert ids_of(db_path, table, OTHER) == {2, 3}
    counts_are_right(db_path)
    async with store.transaction() as tx:
        assert await tx.count_by_status() == {"active": 6, "done": 3, "cancelled": 0}
        assert await tx.count_deadlines(GUILD, Status.DONE) == 3
        # The history of what was deleted is kept, and the clean-up left a trace per guild.
        assert [e.action for e in await tx.history(GUILD, 1)] == ["created", "done"]
        traces = [e for e in await tx.guild_history(GUILD) if e.action == RETENTION_ACTION]
    assert sum(int(t.detail.split()[0]) for t in traces) == 5
    assert len(traces) == 3  # batches of 2: 2 + 2 + 1 in GUILD (OTHER's 1 in a batch too)
    assert rows(db_path, "SELECT COUNT(*) FROM history")[0][0] == history_before + 4
    # Numbers are never given again: the newest deadline stayed, so the next is #13.
    async with store.transaction() as tx:
        assert (await tx.insert_deadline(new(13))).id == 13
    # #12 is no longer the newest: the next run takes it; then nothing is left to take.
    assert await services.retention.purge_closed(days=30) == 1
    assert 12 not in ids_of(db_path, "deadlines")
    assert await services.retention.purge_closed(days=30) == 0
    assert rows(db_path, "PRAGMA foreign_key_check") == []


async def test_the_default_keeps_everything(
    store: SqliteStore, services: Services, clock: FakeClock, db_path: Path
) -> None:
    assert Config().retention.closed_days == 0
    assert DeskOptions.from_config(Config()).retention_days == 0
    clock.set(T0)
    await seed(store, GUILD, 3)
    await services.deadlines.done(ADMIN, GUILD, 1)
    clock.set(T0 + dt.timedelta(days=3650))
    assert await services.retention.purge_closed(days=0) == 0
    assert ids_of(db_path, "deadlines") == {1, 2, 3}
    # Active deadlines never go, however old.
    assert await services.retention.purge_closed(days=1) == 1
    assert ids_of(db_path, "deadlines") == {2, 3}


def test_the_setting_is_read_and_checked() -> None:
    config = Config(retention={"closed_days": 365})
    assert DeskOptions.from_config(config).retention_days == 365
    assert config.effective_settings()["retention.closed_days"] == "365"
    with pytest.raises(ValueError, match="closed_days"):
        Config(retention={"closed_days": -1})


def test_the_clean_up_reads_through_its_index(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "plan.sqlite3") as raw:
        raw.executescript("\n".join(MIGRATIONS))
        plan = [
            str(r[3])
            for r in raw.execute(
                "EXPLAIN QUERY PLAN SELECT d.rowid FROM deadlines AS d "
                "WHERE (d.status = 'done' OR d.status = 'cancelled') AND d.updated_at < ? "
                "ORDER BY d.updated_at LIMIT ?",
                (1, 2),
            )
        ]
    assert any("USING INDEX deadlines_closed" in step for step in plan), plan


class _NoDispatcher:
    def wake(self) -> None:
        pass


async def test_the_daily_job_runs_the_clean_up_and_logs_a_failure(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    async def purge() -> int:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return 0

    jobs = PeriodicJobs(store, _NoDispatcher(), retention=purge)  # type: ignore[arg-type]
    async with jobs:
        assert jobs.scheduler.get_job("retention") is not None
        await jobs.apply_retention()
        with caplog.at_level(logging.ERROR):
            await jobs.apply_retention()
    assert calls == [1, 1]
    assert "retention clean-up" in caplog.text
    async with PeriodicJobs(store, _NoDispatcher()) as off:  # type: ignore[arg-type]
        assert off.scheduler.get_job("retention") is None
