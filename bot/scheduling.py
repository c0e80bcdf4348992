"""Periodic jobs on APScheduler: a safety re-scan every minute (which also moves on the
records-law stages nobody marked done), each guild's daily digest, the
daily integrity check of the database (in the background, on a connection of its own), and,
when retention is on, the daily clean-up of old closed deadlines.

Per-alert timing is not here: the dispatcher reads the alerts table, which is the source of
truth. APScheduler only runs the few periodic jobs, in memory, with explicit ids and
`replace_existing=True` (so nothing duplicates), and a generous misfire grace time (its 1 s
default silently drops a job that is late after a pause).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.jobstores.base import JobLookupError
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
INTEGRITY_JOB = "integrity"
INTEGRITY_EVERY = dt.timedelta(days=1)
# After a start, the first background check waits at least this long (the start itself is
# busy enough), and otherwise comes a day after the last check that passed.
INTEGRITY_FIRST_AFTER = dt.timedelta(minutes=10)
RETENTION_JOB = "retention"
RETENTION_EVERY = dt.timedelta(days=1)
RETENTION_FIRST_AFTER = dt.timedelta(minutes=15)


class PeriodicJobs:
    """Use as `async with PeriodicJobs(store, dispatcher):`."""

    def __init__(
        self,
        store: SqliteStore,
        dispatcher: Dispatcher,
        *,
        rescan_seconds: float = 60,
        integrity_every: dt.timedelta = INTEGRITY_EVERY,
        scheduler: AsyncIOScheduler | None = None,
        clock: Clock | None = None,
        retention: Callable[[], Awaitable[object]] | None = None,
        retention_every: dt.timedelta = RETENTION_EVERY,
        stages: Callable[[], Awaitable[object]] | None = None,
        repeats: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """`retention`: the daily clean-up of old closed deadlines (None: keep them all);
        `stages`: the minute's move of records-law stages nobody marked done; `repeats`:
        moves on the repeats overdue past their grace (at start, then each minute's
        re-scan)."""
        self._store = store
        self._stages = stages
        self._repeats = repeats
        self._retention = retention
        self._retention_every = retention_every
        self._dispatcher = dispatcher
        self._clock: Clock = clock or SystemClock()
        self._refreshing: asyncio.Task[None] | None = None
        self._rescan_seconds = rescan_seconds
        self._integrity_every = integrity_every
        # The digest jobs as last made: guild -> (hour, minute, time zone). A re-check with
        # the same settings changes nothing and builds no trigger.
        self._digest_specs: dict[int, tuple[int, int, str]] = {}
        self._settings_version: int | None = None  # as of the last refresh
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
        await self._schedule_integrity_check()
        if self._retention is not None:
            self.scheduler.add_job(
                self.apply_retention,
                IntervalTrigger(seconds=self._retention_every.total_seconds()),
                id=RETENTION_JOB,
                replace_existing=True,
                next_run_time=dt.datetime.now(dt.UTC) + RETENTION_FIRST_AFTER,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )
        await self.advance_repeats()  # catch-up after downtime: the same rule as each minute
        await self.refresh_digests()
        await self.send_missed_digests()

    async def _schedule_integrity_check(self) -> None:
        # The wall clock, as APScheduler's and the stored check times are.
        now = dt.datetime.now(dt.UTC)
        first = now + INTEGRITY_FIRST_AFTER
        last = await self._store.integrity_checked_at()
        if last is not None:
            first = max(first, last + self._integrity_every)
        self.scheduler.add_job(
            self.check_integrity,
            IntervalTrigger(seconds=self._integrity_every.total_seconds()),
            id=INTEGRITY_JOB,
            replace_existing=True,
            next_run_time=first,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
        log.info("next background integrity check: %s", first.isoformat(timespec="minutes"))

    async def check_integrity(self) -> None:
        """The daily check: its result is logged, and a failure shows in health."""
        try:
            await self._store.check_in_background()
        except Exception:
            log.exception("the background integrity check failed to run")

    async def apply_retention(self) -> None:
        """The daily clean-up: a failure is logged, and tried again the next day."""
        if self._retention is None:
            return
        try:
            await self._retention()
        except Exception:
            log.exception("the retention clean-up of closed deadlines failed")

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

    async def advance_repeats(self) -> None:
        """Repeats overdue past the grace move on; a failure is logged, tried next minute."""
        if self._repeats is None:
            return
        try:
            await self._repeats()
        except Exception:
            log.exception("could not move on the repeating deadlines")

    async def rescan(self) -> None:
        """Move on the records-law stages nobody marked done and the repeats overdue past
        their grace, wake the dispatcher (a safety net for clock jumps) and pick up digest
        changes."""
        if self._stages is not None:
            try:
                await self._stages()
            except Exception:
                log.exception("could not move on the lapsed records-law stages")
        await self.advance_repeats()
        self._dispatcher.wake()
        try:
            await self.refresh_digests()
        except Exception:
            log.exception("could not refresh digest jobs")

    async def refresh_digests(self) -> None:
        """One digest job per guild that has the digest on, at its alert time in its zone.

        Nothing is read past one row when no guild's settings changed since the last look
        (the settings version), and only the jobs whose (hour, minute, zone) changed are made
        again: a re-check costs the same however many guilds have a digest."""
        async with self._store.transaction() as tx:
            version = await tx.settings_version()
            if version == self._settings_version:
                return  # no setting of any guild changed since the last look
            all_settings = await tx.guild_settings_all()
        wanted: dict[int, tuple[int, int, str]] = {
            s.guild_id: (s.alert_time.hour, s.alert_time.minute, s.timezone)
            for s in all_settings
            if s.digest_enabled and s.default_channel_id
        }
        for guild_id in [g for g in self._digest_specs if g not in wanted]:
            del self._digest_specs[guild_id]
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(f"{DIGEST_PREFIX}{guild_id}")
        for guild_id, spec in wanted.items():
            job_id = f"{DIGEST_PREFIX}{guild_id}"
            if self._digest_specs.get(guild_id) == spec and self.scheduler.get_job(job_id):
                continue  # unchanged: keep its next run time
            hour, minute, timezone = spec
            self.scheduler.add_job(
                self._digest,
                CronTrigger(hour=hour, minute=minute, timezone=zone(timezone)),
                args=[guild_id],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )
            self._digest_specs[guild_id] = spec
        self._settings_version = version

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
