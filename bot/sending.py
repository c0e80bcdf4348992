"""The dispatcher's sending side: the sender workers, one send at a time per channel, the
watchdog that abandons a send with no answer, the senders' shared turn on the event loop, and
what becomes of one delivery (sent, retried, failed over to the default channel, or not sent
because its deadline changed). A mixin of `Dispatcher`, whose state it shares."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections import deque

from bot.clock import Clock
from bot.models import Status
from bot.notices import (
    AlertNotice,
    Notifier,
    PermanentSendError,
    TransientSendError,
    alert_nonce,
    build_notice,
)
from bot.outcomes import Group, Outcome

log = logging.getLogger("bot.dispatcher")  # one logger for the whole dispatcher
_monotonic = time.monotonic  # the senders' turn clock (a seam for tests)

SENDER_TURN_SECONDS = 0.005
# An alert send that has no answer after this long is abandoned and retried later (the
# nonce lets Discord drop a duplicate if it did go through).
SEND_TIMEOUT_SECONDS = 15.0
# A notice built ahead is rebuilt if it goes out later than this (it says how late it is).
NOTICE_FRESH = dt.timedelta(seconds=30)


class Sending:
    """The senders' half of `Dispatcher` (see the module)."""

    # Set by Dispatcher.__init__.
    _clock: Clock
    _notifier: Notifier
    _queue: asyncio.Queue[Group | None]
    _outcomes: asyncio.Queue[Outcome | None]
    _stopping: bool
    _to_release: list[int]
    _retry_base: dt.timedelta
    _retry_max: dt.timedelta
    _send_timeout: float
    _sending: set[int]
    _waiting: dict[int, deque[Group]]
    _send_started: dict[asyncio.Task[None], float]
    _timed_out: set[asyncio.Task[None]]
    _last_change: dict[tuple[int, int | None], int]
    _turn_started: float
    _new_turn_pending: bool

    def _start_turn(self) -> None:
        self._turn_started = _monotonic()

    async def _sender(self) -> None:
        while True:
            group = await self._queue.get()
            if group is None:
                return
            channel = group.deadline.channel_id
            if channel in self._sending:
                # One send at a time per channel: a hung or rate-limited channel holds one
                # sender, never all of them; its other alerts wait their turn behind it.
                self._waiting.setdefault(channel, deque()).append(group)
                continue
            self._sending.add(channel)
            try:
                next_group: Group | None = group
                while next_group is not None:
                    await self._take_turns()
                    if self._stopping:
                        # Leave it, and the channel's others, for stop() to release.
                        self._queue.put_nowait(next_group)
                        for waiting in self._waiting.pop(channel, ()):
                            self._queue.put_nowait(waiting)
                        return
                    try:
                        outcome = await self._delivered(next_group)
                    except asyncio.CancelledError:
                        # Stopped mid-send (stop() gave up waiting): its claim is released
                        # with the rest; the next start sends it again, with the same nonce.
                        self._to_release.extend(next_group.ids)
                        for waiting in self._waiting.pop(channel, ()):
                            self._to_release.extend(waiting.ids)
                        raise
                    self._outcomes.put_nowait(outcome)
                    backlog = self._waiting.get(channel)
                    next_group = backlog.popleft() if backlog else None
                    if backlog is not None and not backlog:
                        del self._waiting[channel]
            finally:
                self._sending.discard(channel)

    async def _delivered(self, group: Group) -> Outcome:
        try:
            return await self._deliver(group)
        except Exception as exc:  # a bug, not a send error: log it, retry later
            log.exception("unexpected error delivering alerts %s", group.ids)
            return self._retry(group, f"internal error: {exc!r}")

    async def _watchdog(self) -> None:
        """Cancel a send that has had no answer for the send timeout (its sender turns that
        into a retry later): checked a few times per timeout, at no cost per send."""
        every = min(1.0, self._send_timeout / 4)
        while True:
            await asyncio.sleep(every)
            now = _monotonic()
            for sender, started in list(self._send_started.items()):
                if now - started > self._send_timeout and sender not in self._timed_out:
                    self._timed_out.add(sender)
                    sender.cancel()

    async def _take_turns(self) -> None:
        """Before a delivery: let the rest of the event loop run once the senders together
        have had their turn (SENDER_TURN_SECONDS since the hand-over or the last turn).

        A notifier that does not wait (as in tests and benchmarks) would let the senders run
        the whole queue in one go. The budget is shared: sixteen senders each yielding after
        5 ms of their own would still hold timers back for 80 ms in one loop iteration.
        """
        while _monotonic() - self._turn_started > SENDER_TURN_SECONDS:
            if not self._new_turn_pending:
                self._new_turn_pending = True
                # Runs at the start of the next loop iteration, before the senders resume.
                asyncio.get_running_loop().call_soon(self._new_turn)
            await asyncio.sleep(0)

    def _new_turn(self) -> None:
        self._new_turn_pending = False
        self._start_turn()

    def _changed_since(self, group: Group) -> bool:
        """Did a change to the group's deadline (or its guild's settings) come in after the
        group was handed to a sender? Then what it would post may be stale: done, snoozed,
        moved. Checked right before the request."""
        key = (group.deadline.guild_id, group.deadline.id)
        latest = max(self._last_change.get(key, 0), self._last_change.get((key[0], None), 0))
        return latest > group.handed_at

    async def _deliver(self, group: Group) -> Outcome:
        now = self._clock.now()
        deadline = group.deadline
        if self._changed_since(group):
            # Not sent: its claim is released and the alert, if the change kept it, is
            # claimed afresh with the deadline as it is now.
            return Outcome(group, now, released=True)
        if deadline.status is not Status.ACTIVE or (
            deadline.snoozed_until is not None and deadline.snoozed_until > now
        ):
            return Outcome(group, now, skipped=True)
        notice = group.notice
        if notice is None or now - notice.now > NOTICE_FRESH:
            notice = build_notice(group.alerts, deadline, group.settings, now=now)
        sender = asyncio.current_task()
        assert sender is not None
        # Watched by _watchdog, not a timer per send: a timer (wait_for, asyncio.timeout)
        # per alert made a 1,000-alert burst take 7-9 ms to hand over instead of 2-3.
        self._send_started[sender] = _monotonic()
        try:
            try:
                message_id = await self._notifier.send_alert(notice)
            finally:
                del self._send_started[sender]
        except asyncio.CancelledError:
            if sender not in self._timed_out:
                raise  # stop(), not the watchdog
            self._timed_out.discard(sender)
            sender.uncancel()
            # No answer (a hung connection, or a long rate limit discord.py sleeps through):
            # free the sender and try again later, with the same nonce.
            log.warning(
                "alert %s guild=%s deadline=%s channel=%s: no answer within %.0f s; will retry",
                notice.alert_id, deadline.guild_id, deadline.id, notice.channel_id,
                self._send_timeout,
            )  # fmt: skip
            return self._retry(group, f"no answer within {self._send_timeout:.0f} s")
        except TransientSendError as exc:
            log.warning(
                "alert %s guild=%s deadline=%s channel=%s: %s; will retry",
                notice.alert_id, deadline.guild_id, deadline.id, notice.channel_id, exc,
            )  # fmt: skip
            return self._retry(group, str(exc))
        except PermanentSendError as exc:
            log.warning(
                "alert %s guild=%s deadline=%s channel=%s failed: %s",
                notice.alert_id, deadline.guild_id, deadline.id, notice.channel_id, exc,
            )  # fmt: skip
            return await self._fallback(group, notice, str(exc))
        if log.isEnabledFor(logging.INFO):  # (the arguments cost ~1 us an alert to build)
            log.info(
                "alert sent guild=%s deadline=%s kind=%s alerts=%s message=%s",
                deadline.guild_id, deadline.id, notice.kind.value, group.ids, message_id,
            )  # fmt: skip
        return Outcome(group, self._clock.now(), message_id=message_id)

    async def _fallback(self, group: Group, notice: AlertNotice, error: str) -> Outcome:
        outcome = Outcome(group, self._clock.now(), error=error)
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

    def _retry(self, group: Group, error: str) -> Outcome:
        now = self._clock.now()
        attempts = max(alert.attempts for alert in group.alerts)
        delay = min(self._retry_base * (2 ** min(attempts, 16)), self._retry_max)
        return Outcome(group, now, error=error, retry_at=now + delay)
