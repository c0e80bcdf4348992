"""Periodic jobs on APScheduler: a safety re-scan every minute and each guild's daily digest.

Per-alert timing is not here: the dispatcher reads the alerts table, which is the source of
truth. APScheduler only runs the few periodic jobs, in memory, with explicit ids and
`replace_existing=True` (so nothing duplicates), and a generous misfire grace time (its 1 s
default silently drops a job that is late after a pause).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.deadlines import zone
from bot.dispatcher import Dispatcher
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

RESCAN_JOB = "rescan"
DIGEST_PREFIX = "digest:"
MISFIRE_GRACE_SECONDS = 3600


class PeriodicJobs:
    """Use as `async with PeriodicJobs(store, dispatcher):`."""

    def __init__(
        self,
        store: SqliteStore,
        dispatcher: Dispatcher,
        *,
        rescan_seconds: float = 60,
        scheduler: AsyncIOScheduler | None = None,
    ) -> None:
        self._store = store
        self._dispatcher = dispatcher
        self._rescan_seconds = rescan_seconds
        self.scheduler = scheduler or AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1}
        )

    async def __aenter__(self) -> PeriodicJobs:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(
            self.rescan,
            IntervalTrigger(seconds=self._rescan_seconds),
            id=RESCAN_JOB,
            replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
        await self.refresh_digests()

    async def stop(self) -> None:
        if self.scheduler.running:
            # AsyncIOScheduler.shutdown only schedules itself on the loop: let it run.
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)

    async def rescan(self) -> None:
        """Wake the dispatcher (a safety net for clock jumps) and pick up digest changes."""
        self._dispatcher.wake()
        try:
            await self.refresh_digests()
        except Exception:
            log.exception("could not refresh digest jobs")

    async def refresh_digests(self) -> None:
        """One digest job per guild that has the digest on, at its alert time in its zone."""
        async with self._store.transaction() as tx:
            all_settings = await tx.guild_settings_all()
        wanted: dict[str, dict[str, Any]] = {}
        for settings in all_settings:
            if settings.digest_enabled and settings.default_channel_id:
                wanted[f"{DIGEST_PREFIX}{settings.guild_id}"] = {
                    "guild_id": settings.guild_id,
                    "hour": settings.alert_time.hour,
                    "minute": settings.alert_time.minute,
                    "timezone": settings.timezone,
                }
        for job in self.scheduler.get_jobs():
            if job.id.startswith(DIGEST_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, spec in wanted.items():
            trigger = CronTrigger(
                hour=spec["hour"], minute=spec["minute"], timezone=zone(spec["timezone"])
            )
            existing = self.scheduler.get_job(job_id)
            if existing is not None and str(existing.trigger) == str(trigger):
                continue  # unchanged: keep its next run time
            self.scheduler.add_job(
                self._digest,
                trigger,
                args=[spec["guild_id"]],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )

    async def _digest(self, guild_id: int) -> None:
        try:
            await self._dispatcher.send_digest(guild_id)
        except Exception:
            log.exception("daily digest for guild %s failed", guild_id)
