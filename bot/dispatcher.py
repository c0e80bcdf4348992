"""The alert loop: claim due alerts from the table, send them through a Notifier, mark them.

The alerts table is the source of truth. One loop sleeps (in slices) until the earliest
pending alert, is woken early when something changes, claims due alerts in batches and hands
them, grouped by deadline, to a pool of sender workers, so one slow or rate-limited channel
never holds up the timer or the others. Results go to one committer that writes them in
batches. Send first, then mark sent: a crash in between resends, never loses; the resend
carries the same nonce, which Discord uses to drop the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.models import (
    AlertKind,
    Deadline,
    GuildDefaults,
    GuildSettings,
    HistoryEntry,
    Mention,
    Status,
    StoredAlert,
)
from bot.planning import next_overdue
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

ONE_MICROSECOND = dt.timedelta(microseconds=1)


class SendError(Exception):
    """A notifier could not deliver a message."""


class TransientSendError(SendError):
    """Worth retrying: timeout, 5xx, rate limit."""


class PermanentSendError(SendError):
    """Retrying will not help: the channel is gone or the bot may not post there."""


@dataclass(frozen=True, slots=True)
class AlertNotice:
    """One alert message to post: what the notifier renders. Several missed alerts of one
    deadline collapse into one notice (`collapsed` > 1)."""

    alert_id: int
    nonce: str  # derived from the alert id; at most 25 characters (Discord's limit)
    guild_id: int
    channel_id: int
    deadline: Deadline
    kind: AlertKind
    seq: int
    days_before: int
    collapsed: int
    planned_at: dt.datetime
    now: dt.datetime
    mention: Mention | None
    escalation_role_id: int | None = None
    fallback: bool = False  # posted in the default channel because the deadline's failed

    @property
    def late_by(self) -> dt.timedelta:
        return max(dt.timedelta(0), self.now - self.planned_at)

    @property
    def overdue_by(self) -> dt.timedelta | None:
        return self.now - self.deadline.due_at if self.now > self.deadline.due_at else None


class Notifier(Protocol):
    async def send_alert(self, notice: AlertNotice) -> int:
        """Post the notice; return the message id. Raise Transient/PermanentSendError."""
        ...

    async def send_digest(
        self, guild_id: int, channel_id: int, deadlines: Sequence[Deadline], *, now: dt.datetime
    ) -> int:
        """Post one digest of a guild's active deadlines; return the message id."""
        ...


def alert_nonce(alert_id: int, *, fallback: bool = False) -> str:
    return f"dd{'f' if fallback else 'a'}{alert_id}"


def build_notice(
    alerts: Sequence[StoredAlert],
    deadline: Deadline,
    settings: GuildSettings,
    *,
    now: dt.datetime,
) -> AlertNotice:
    """Pure: the one notice for a deadline's due alerts (the latest and most urgent wins)."""
    latest = max(alerts, key=lambda a: (a.kind is AlertKind.OVERDUE, a.send_at, a.id))
    escalate = latest.kind is AlertKind.OVERDUE and latest.seq >= settings.escalate_after
    return AlertNotice(
        alert_id=latest.id,
        nonce=alert_nonce(latest.id),
        guild_id=deadline.guild_id,
        channel_id=deadline.channel_id,
        deadline=deadline,
        kind=latest.kind,
        seq=latest.seq,
        days_before=latest.days_before,
        collapsed=len(alerts),
        planned_at=latest.send_at,
        now=now,
        mention=deadline.mention,
        escalation_role_id=settings.escalation_role_id if escalate else None,
    )


@dataclass(slots=True)
class _Group:
    deadline: Deadline
    settings: GuildSettings
    alerts: list[StoredAlert]

    @property
    def ids(self) -> list[int]:
        return [alert.id for alert in self.alerts]


@dataclass(slots=True)
class _Outcome:
    group: _Group
    at: dt.datetime
    message_id: int | None = None  # sent
    error: str | None = None
    retry_at: dt.datetime | None = None  # transient failure: try again then
    fallback_message_id: int | None = None  # permanent failure, posted in the default channel
    skipped: bool = False  # the deadline was closed or snoozed after the alert was claimed


class Dispatcher:
    """Use as `async with Dispatcher(...)`: starts on enter, stops cleanly on exit."""

    def __init__(
        self,
        store: SqliteStore,
        notifier: Notifier,
        *,
        clock: Clock,
        defaults: GuildDefaults | None = None,
        batch_size: int = 500,
        senders: int = 8,
        retry_base: dt.timedelta = dt.timedelta(seconds=10),
        retry_max: dt.timedelta = dt.timedelta(minutes=15),
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._clock = clock
        self._defaults = defaults or GuildDefaults()
        self._batch_size = batch_size
        self._senders = senders
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._wake = asyncio.Event()
        # None in a queue tells its consumer to stop.
        self._queue: asyncio.Queue[_Group | None] = asyncio.Queue()
        self._outcomes: asyncio.Queue[_Outcome | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.stop_timeout = 4.0  # seconds each for senders and committer to finish on stop
        self.armed_at: dt.datetime | None = None  # when the loop next looks, for health checks
        self.loop_beat_at: dt.datetime | None = None  # last time the loop ran, for health checks
        self._cycles = 0
        self._cycled = asyncio.Condition()

    async def __aenter__(self) -> Dispatcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def wake(self) -> None:
        """Look at the table again now (something was added or changed)."""
        self._wake.set()

    async def start(self) -> None:
        async with self._store.transaction() as tx:
            released = await tx.release_claims()
        if released:
            log.info(
                "released %d alerts claimed before the last stop; they will be resent", released
            )
        self._stopping = False
        self._tasks = [asyncio.create_task(self._loop(), name="dispatcher-loop")]
        self._tasks += [
            asyncio.create_task(self._sender(), name=f"dispatcher-sender-{i}")
            for i in range(self._senders)
        ]
        self._tasks.append(asyncio.create_task(self._committer(), name="dispatcher-committer"))

    async def stop(self) -> None:
        """Finish the sends under way, record their results, release the rest."""
        if not self._tasks:
            return
        self._stopping = True
        self._wake.set()
        loop, *workers, committer = self._tasks
        loop.cancel()
        for _ in workers:
            self._queue.put_nowait(None)
        _, pending = await asyncio.wait([loop, *workers], timeout=self.stop_timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._outcomes.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(committer, timeout=self.stop_timeout)
        unsent = []
        while not self._queue.empty():
            group = self._queue.get_nowait()
            if group is not None:
                unsent.extend(group.ids)
        if unsent:
            async with self._store.transaction() as tx:
                await tx.release_claims(unsent)
        self._tasks = []

    async def run_due(self) -> int:
        """Claim what is due now and queue it for sending; return how many alerts."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            claimed = await tx.claim_due(now, limit=self._batch_size)
            stored = await tx.settings_for(deadline.guild_id for _, deadline in claimed)
        groups: dict[tuple[int, int], _Group] = {}
        for alert, deadline in claimed:
            key = (deadline.guild_id, deadline.id)
            if key not in groups:
                settings = stored.get(deadline.guild_id) or GuildSettings.from_defaults(
                    deadline.guild_id, self._defaults
                )
                groups[key] = _Group(deadline, settings, [])
            groups[key].alerts.append(alert)
        for group in groups.values():
            self._queue.put_nowait(group)
        return len(claimed)

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                self._wake.clear()
                self.loop_beat_at = self._clock.now()
                if await self.run_due() >= self._batch_size:
                    continue  # more may be due: claim again before sleeping
                async with self._store.transaction() as tx:
                    self.armed_at = await tx.next_pending_at()
                async with self._cycled:
                    self._cycles += 1
                    self._cycled.notify_all()
                await self._clock.sleep_until(self.armed_at, self._wake)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher loop error; retrying in a second")
                await asyncio.sleep(1)

    async def _sender(self) -> None:
        while True:
            group = await self._queue.get()
            if group is None:
                return
            if self._stopping:
                self._queue.put_nowait(group)  # leave it for stop() to release
                return
            try:
                outcome = await self._deliver(group)
            except Exception as exc:  # a bug, not a send error: log it, retry later
                log.exception("unexpected error delivering alerts %s", group.ids)
                outcome = self._retry(group, f"internal error: {exc!r}")
            self._outcomes.put_nowait(outcome)
            self._queue.task_done()

    async def _deliver(self, group: _Group) -> _Outcome:
        now = self._clock.now()
        deadline = group.deadline
        if deadline.status is not Status.ACTIVE or (
            deadline.snoozed_until is not None and deadline.snoozed_until > now
        ):
            return _Outcome(group, now, skipped=True)
        notice = build_notice(group.alerts, deadline, group.settings, now=now)
        try:
            message_id = await self._notifier.send_alert(notice)
        except TransientSendError as exc:
            log.warning(
                "alert %s to channel %s: %s; will retry", notice.alert_id, notice.channel_id, exc
            )
            return self._retry(group, str(exc))
        except PermanentSendError as exc:
            log.warning(
                "alert %s to channel %s failed: %s", notice.alert_id, notice.channel_id, exc
            )
            return await self._fallback(group, notice, str(exc))
        log.info(
            "alert sent guild=%s deadline=%s kind=%s alerts=%s message=%s",
            deadline.guild_id,
            deadline.id,
            notice.kind.value,
            group.ids,
            message_id,
        )
        return _Outcome(group, self._clock.now(), message_id=message_id)

    async def _fallback(self, group: _Group, notice: AlertNotice, error: str) -> _Outcome:
        outcome = _Outcome(group, self._clock.now(), error=error)
        default = group.settings.default_channel_id
        if default is None or default == notice.channel_id:
            return outcome
        fallback = dataclasses.replace(
            notice,
            channel_id=default,
            fallback=True,
            nonce=alert_nonce(notice.alert_id, fallback=True),
        )
        try:
            outcome.fallback_message_id = await self._notifier.send_alert(fallback)
        except Exception as exc:
            log.warning(
                "fallback for alert %s to channel %s failed: %s", notice.alert_id, default, exc
            )
        return outcome

    def _retry(self, group: _Group, error: str) -> _Outcome:
        now = self._clock.now()
        attempts = max(alert.attempts for alert in group.alerts)
        delay = min(self._retry_base * (2 ** min(attempts, 16)), self._retry_max)
        return _Outcome(group, now, error=error, retry_at=now + delay)

    async def _committer(self) -> None:
        while True:
            received = [await self._outcomes.get()]
            while not self._outcomes.empty() and len(received) < 1000:
                received.append(self._outcomes.get_nowait())
            stop = None in received
            batch = [item for item in received if item is not None]
            try:
                if batch:
                    await self._commit(batch)
            except Exception:
                # The alerts stay claimed; they are released and resent at the next start,
                # with the same nonce, so Discord drops any duplicate.
                log.exception("could not record the results of %d alert groups", len(batch))
            for _ in received:
                self._outcomes.task_done()
            self._wake.set()
            if stop:
                return

    async def _commit(self, batch: Sequence[_Outcome]) -> None:
        async with self._store.transaction() as tx:
            for outcome in batch:
                group = outcome.group
                deadline = group.deadline
                guild_id = deadline.guild_id
                history = []
                if outcome.message_id is not None:
                    await tx.mark_sent(
                        guild_id, group.ids, sent_at=outcome.at, message_id=outcome.message_id
                    )
                    history.append(_alert_history(group, outcome, "alert sent"))
                elif outcome.retry_at is not None:
                    await tx.retry_later(
                        guild_id, group.ids, at=outcome.retry_at, error=outcome.error or ""
                    )
                elif outcome.skipped:
                    await tx.drop_alerts(guild_id, group.ids)
                    continue
                else:
                    await tx.mark_failed(
                        guild_id, group.ids, failed_at=outcome.at, error=outcome.error or ""
                    )
                    history.append(_alert_history(group, outcome, "alert failed"))
                    if outcome.fallback_message_id is not None:
                        history.append(
                            _alert_history(group, outcome, "alert sent to the default channel")
                        )
                if history:
                    await tx.add_history(*history)
                if outcome.retry_at is None and any(
                    alert.kind is AlertKind.OVERDUE for alert in group.alerts
                ):
                    # The overdue series is planned one alert at a time: the next one after now.
                    after = max(outcome.at, *(a.send_at for a in group.alerts)) + ONE_MICROSECOND
                    current = await tx.get_deadline(guild_id, deadline.id)
                    if current is not None and current.status is Status.ACTIVE:
                        following = next_overdue(current, group.settings, after=after)
                        await tx.insert_alerts(guild_id, deadline.id, [following])

    async def settle(self) -> None:
        """Wait until everything due now has been sent (or has failed) and been recorded."""
        while True:
            async with self._cycled:
                target = self._cycles + 1
                self._wake.set()
                await self._cycled.wait_for(functools.partial(self._cycled_past, target))
            await self._queue.join()
            await self._outcomes.join()
            # Recording may have released or planned alerts that are already due: look again.
            async with self._store.transaction() as tx:
                next_at = await tx.next_pending_at()
            if next_at is None or next_at > self._clock.now():
                return

    def _cycled_past(self, target: int) -> bool:
        return self._cycles >= target

    async def send_digest(self, guild_id: int) -> int | None:
        """Post the daily digest of a guild to its default channel; None if it has none."""
        async with self._store.transaction() as tx:
            settings = await tx.get_settings(guild_id)
            if settings is None or not settings.digest_enabled or not settings.default_channel_id:
                return None
            deadlines = await tx.active_deadlines(guild_id)
        return await self._notifier.send_digest(
            guild_id, settings.default_channel_id, deadlines, now=self._clock.now()
        )


def _alert_history(group: _Group, outcome: _Outcome, action: str) -> HistoryEntry:
    kinds = ", ".join(sorted({alert.kind.value for alert in group.alerts}))
    detail = kinds if len(group.alerts) == 1 else f"{len(group.alerts)} alerts collapsed: {kinds}"
    if outcome.error:
        detail += f": {outcome.error}"
    return HistoryEntry(
        group.deadline.guild_id, group.deadline.id, outcome.at, None, action, detail[:1000]
    )
