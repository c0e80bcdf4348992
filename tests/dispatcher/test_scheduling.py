"""Periodic jobs on a real AsyncIOScheduler."""

from __future__ import annotations

import datetime as dt

from support import FakeClock, RecordingNotifier

from bot.dispatcher import Dispatcher
from bot.scheduling import DIGEST_PREFIX, RESCAN_JOB, PeriodicJobs
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
            assert ids == [f"{DIGEST_PREFIX}1", RESCAN_JOB]
            digest = jobs.scheduler.get_job(f"{DIGEST_PREFIX}1")
            assert digest is not None
            assert digest.misfire_grace_time >= 3600
            fire = digest.next_run_time.astimezone(dt.timezone(dt.timedelta(hours=-5)))
            assert (digest.next_run_time.tzinfo is not None, fire.minute) == (True, 15)
            # Turning the digest off removes the job at the next re-scan.
            await services.settings.update(ADMIN, 1, digest_enabled=False)
            await jobs.rescan()
            assert [job.id for job in jobs.scheduler.get_jobs()] == [RESCAN_JOB]
        assert not jobs.scheduler.running


async def test_digest_job_sends_through_the_dispatcher(
    store: SqliteStore, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        services = Services.over(store, clock=clock)
        await services.settings.update(ADMIN, 1, digest_enabled=True, default_channel_id=9)
        await services.deadlines.add(Actor(5), 1, channel_id=3, text="Bondi, 30 days")
        async with PeriodicJobs(store, dispatcher) as jobs:
            job = jobs.scheduler.get_job(f"{DIGEST_PREFIX}1")
            assert job is not None
            await job.func(*job.args)
    assert [(g, c, [d.title for d in ds]) for g, c, ds in notifier.digests] == [(1, 9, ["Bondi"])]
