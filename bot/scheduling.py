"""Periodic jobs on APScheduler: a safety re-scan every minute and each guild's daily digest.

Per-alert timing is not here: the dispatcher reads the alerts table, which is the source of
truth. APScheduler only runs the few periodic jobs, in memory, with explicit ids and
`replace_existing=True` (so nothing duplicates), and a generous misfire grace time (its 1 s
default silently drops a job that is late after a pause).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, SystemClock
from bot.deadlines import zone
from bot.dispatcher import Dispatcher
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

RESCAN_JOB = "rescan"
DIGEST_PREFIX = "digest:"
# meta key: the guild's local date of its last digest sent, so a missed one goes out once.
DIGEST_SENT_PREFIX = "digest_sent:"
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
        clock: Clock | None = None,
    ) -> None:
        self._store = store
        self._dispatcher = dispatcher
        self._clock: Clock = clock or SystemClock()
        self._refreshing: asyncio.Task[None] | None = None
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
        await self.send_missed_digests()

    def changed(self, guild_id: int, deadline_id: int | None = None) -> None:
        """A guild's settings changed (deadline_id None): reschedule its digest at once, so
        one enabled or moved a minute before its time still goes out today."""
        if deadline_id is not None or not self.scheduler.running:
            return
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._refresh_logged(), name="digest-refresh")

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh_digests()
        except Exception:
            log.exception("could not refresh digest jobs")

    async def send_missed_digests(self) -> None:
        """At start: each digest whose time passed today (local) while the bot was down, and
        that was not sent today, goes out once, marked late."""
        async with self._store.transaction() as tx:
            all_settings = await tx.guild_settings_all()
            sent = {s.guild_id: await tx.get_meta(DIGEST_SENT_PREFIX + str(s.guild_id))
                    for s in all_settings if s.digest_enabled and s.default_channel_id}  # fmt: skip
        now = self._clock.now()
        for settings in all_settings:
            if settings.guild_id not in sent:
                continue
            local = now.astimezone(zone(settings.timezone))
            if local.time() >= settings.alert_time and sent[settings.guild_id] != str(local.date()):
                await self._digest(settings.guild_id, late=True)

    async def stop(self) -> None:
        if self._refreshing is not None:
            self._refreshing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refreshing
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

    async def _digest(self, guild_id: int, *, late: bool = False) -> None:
        try:
            message_id = await self._dispatcher.send_digest(guild_id, late=late)
            if message_id is None:
                return
            async with self._store.transaction() as tx:
                settings = await tx.get_settings(guild_id)
                tz = zone(settings.timezone) if settings else None
                day = self._clock.now().astimezone(tz).date()
                await tx.set_meta(DIGEST_SENT_PREFIX + str(guild_id), str(day))
        except Exception:
            log.exception("daily digest for guild %s failed", guild_id)
