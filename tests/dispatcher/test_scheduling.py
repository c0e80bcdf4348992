"""Periodic jobs on a real AsyncIOScheduler."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import FakeClock, RecordingNotifier

from bot import scheduling
from bot.dispatcher import Dispatcher
from bot.models import GuildSettings
from bot.scheduling import DIGEST_PREFIX, INTEGRITY_JOB, RESCAN_JOB, PeriodicJobs
from bot.service import Actor, Services
from bot.storage import SqliteStore

ADMIN = Actor.everywhere(5, manage_guild=True)  # Manage Server: may change settings


async def test_jobs_have_fixed_ids_and_follow_settings(
    store: SqliteStore, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        services.changes.subscribe(dispatcher.changed)
        await services.settings.update(
            ADMIN, 1, digest_enabled=True, default_channel_id=9, alert_time=dt.time(8, 15)
        )
        await services.settings.update(ADMIN, 2, digest_enabled=True)  # no channel: no job
        async with PeriodicJobs(store, dispatcher) as jobs:
            await jobs.refresh_digests()  # twice: still one job each
            ids = sorted(job.id for job in jobs.scheduler.get_jobs())
            assert ids == [f"{DIGEST_PREFIX}1", INTEGRITY_JOB, RESCAN_JOB]
            digest = jobs.scheduler.get_job(f"{DIGEST_PREFIX}1")
            assert digest is not None
            assert digest.misfire_grace_time >= 3600
            fire = digest.next_run_time.astimezone(dt.timezone(dt.timedelta(hours=-5)))
            assert (digest.next_run_time.tzinfo is not None, fire.minute) == (True, 15)
            # Turning the digest off removes the job at the next re-scan.
            await services.settings.update(ADMIN, 1, digest_enabled=False)
            await jobs.rescan()
            assert sorted(job.id for job in jobs.scheduler.get_jobs()) == [
                INTEGRITY_JOB,
                RESCAN_JOB,
            ]
        assert not jobs.scheduler.running


async def test_digest_job_sends_through_the_dispatcher(
    store: SqliteStore, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        await services.settings.update(ADMIN, 1, digest_enabled=True, default_channel_id=9)
        await services.deadlines.add(Actor(5), 1, channel_id=3, text="Bondi, 30 days")
        # On the fake clock (08:00 in New York): on the wall clock, after 09:00 there, the
        # start would also send the day's missed digest.
        async with PeriodicJobs(store, dispatcher, clock=clock) as jobs:
            job = jobs.scheduler.get_job(f"{DIGEST_PREFIX}1")
            assert job is not None
            await job.func(*job.args)
    assert [(g, c, [d.title for d in ds]) for g, c, ds in notifier.digests] == [(1, 9, ["Bondi"])]


async def test_a_digest_enabled_a_minute_before_its_time_still_goes_out_today(
    store: SqliteStore, clock: FakeClock
) -> None:
    """Issue 12.8: the job is made at once, not at the next minute's re-scan (which came
    after its time and so scheduled it for tomorrow)."""
    notifier = RecordingNotifier()
    tz = ZoneInfo("America/New_York")
    soon = (dt.datetime.now(tz) + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        async with PeriodicJobs(store, dispatcher, rescan_seconds=3600, clock=clock) as jobs:
            services.changes.subscribe(jobs.changed)
            await services.settings.update(
                ADMIN, 1, digest_enabled=True, default_channel_id=9, alert_time=soon.time()
            )
            for _ in range(100):  # the refresh runs as a task, right after the change
                if jobs.scheduler.get_job(f"{DIGEST_PREFIX}1") is not None:
                    break
                await asyncio.sleep(0.01)
            job = jobs.scheduler.get_job(f"{DIGEST_PREFIX}1")
            assert job is not None
            assert job.next_run_time == soon  # today's, in a minute
            # Moving the time reschedules it at once as well.
            later = soon + dt.timedelta(minutes=1)
            await services.settings.update(ADMIN, 1, alert_time=later.time())
            for _ in range(100):
                moved = jobs.scheduler.get_job(f"{DIGEST_PREFIX}1")
                if moved is not None and moved.next_run_time == later:
                    break
                await asyncio.sleep(0.01)
            assert moved is not None
            assert moved.next_run_time == later


async def test_a_digest_missed_while_the_bot_was_down_goes_out_once_marked_late(
    store: SqliteStore, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        await services.settings.update(
            ADMIN, 1, digest_enabled=True, default_channel_id=9, alert_time=dt.time(9, 0)
        )
        await services.deadlines.add(Actor(5), 1, channel_id=3, text="Bondi, 30 days")
        # Thu 08:00 New York: today's digest is still ahead; nothing to catch up.
        async with PeriodicJobs(store, dispatcher, clock=clock):
            pass
        assert notifier.digests == []
        clock.set(dt.datetime(2025, 7, 17, 14, 30, tzinfo=dt.UTC))  # 10:30: 09:00 was missed
        async with PeriodicJobs(store, dispatcher, clock=clock):
            pass
        assert [(g, c) for g, c, _ in notifier.digests] == [(1, 9)]
        assert notifier.late_digests == [True]
        async with PeriodicJobs(store, dispatcher, clock=clock):  # another restart: once only
            pass
        assert len(notifier.digests) == 1
        clock.set(dt.datetime(2025, 7, 18, 12, 0, tzinfo=dt.UTC))  # Fri 08:00: not yet
        async with PeriodicJobs(store, dispatcher, clock=clock):
            pass
        assert len(notifier.digests) == 1


async def test_an_unchanged_digest_re_check_builds_no_trigger(
    store: SqliteStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The minute's re-check with 300 digest guilds and no setting changed makes no job."""
    async with store.transaction() as tx:
        for guild in range(1, 301):
            settings = GuildSettings(guild, default_channel_id=9, digest_enabled=True)
            await tx.put_settings(settings, now=clock.now())
    built: list[object] = []
    real = scheduling.CronTrigger

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "CronTrigger", counting)
    async with Dispatcher(store, RecordingNotifier(), clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        async with PeriodicJobs(store, dispatcher, clock=clock) as jobs:
            assert len(built) == 300
            first = jobs.scheduler.get_job(f"{DIGEST_PREFIX}7")
            assert first is not None
            await jobs.rescan()
            await jobs.rescan()
            assert len(built) == 300  # nothing changed: nothing rebuilt
            assert jobs.scheduler.get_job(f"{DIGEST_PREFIX}7") is first
            # One guild moves its alert time: only its job is made again.
            await services.settings.update(ADMIN, 7, alert_time=dt.time(6, 30))
            await jobs.refresh_digests()
            assert len(built) == 301
            moved = jobs.scheduler.get_job(f"{DIGEST_PREFIX}7")
            assert moved is not None
            assert moved is not first


async def test_the_integrity_check_is_scheduled_a_day_after_the_last_one(
    store: SqliteStore, clock: FakeClock
) -> None:
    async with Dispatcher(store, RecordingNotifier(), clock=clock) as dispatcher:
        async with PeriodicJobs(store, dispatcher, clock=clock) as jobs:
            job = jobs.scheduler.get_job(INTEGRITY_JOB)
            assert job is not None
            # Never checked: soon after the start (APScheduler runs on the wall clock).
            soon = dt.datetime.now(dt.UTC) + scheduling.INTEGRITY_FIRST_AFTER
            assert abs(job.next_run_time - soon) < dt.timedelta(seconds=30)
            await job.func()
        checked = await store.integrity_checked_at()
        assert checked is not None
        assert abs(checked - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=30)
        async with PeriodicJobs(store, dispatcher, clock=clock) as jobs:
            job = jobs.scheduler.get_job(INTEGRITY_JOB)
            assert job is not None
            assert job.next_run_time == checked + dt.timedelta(days=1)


async def test_the_minute_rescan_moves_on_a_records_law_stage_nobody_marked_done(
    store: SqliteStore, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        # NY FOIL received Thu 2025-07-17: acknowledge by Thu Jul 24 (end of day, New York).
        added = await services.deadlines.add(
            Actor(5), 1, channel_id=3, text="", preset="ny", start=dt.date(2025, 7, 17)
        )
        async with PeriodicJobs(
            store, dispatcher, clock=clock, stages=services.deadlines.advance_lapsed
        ) as jobs:
            clock.set(dt.datetime(2025, 7, 26, 12, 0, tzinfo=dt.UTC))  # within the grace
            await jobs.rescan()
            assert (await services.deadlines.status(1, added.deadline.id)).deadline.stage == 0
            clock.set(dt.datetime(2025, 7, 27, 12, 0, tzinfo=dt.UTC))  # 2 days after its due
            await jobs.rescan()
        status = await services.deadlines.status(1, added.deadline.id)
        assert (status.deadline.stage, status.deadline.due) == (1, dt.date(2025, 8, 21))
        lapsed = [h for h in status.history if h.action == "stage lapsed"]
        assert [h.actor_id for h in lapsed] == [None]  # once, by the bot
