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
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.clock import Clock
from bot.models import AlertKind, Status
from bot.notices import (
    AlertNotice,
    HistoryUnavailable,
    InvalidMessage,
    Notifier,
    PermanentSendError,
    ReaderCannotSee,
    TransientSendError,
    Withdrawn,
    alert_nonce,
    build_notice,
    group_nonce,
    notice_rank,
)
from bot.outcomes import Batch, Group, Outcome
from bot.storage import SqliteStore

log = logging.getLogger("bot.dispatcher")  # one logger for the whole dispatcher
_monotonic = time.monotonic  # the senders' turn clock (a seam for tests)

SENDER_TURN_SECONDS = 0.005
# An alert send that has no answer after this long is abandoned and retried later (the
# nonce lets Discord drop a duplicate if it did go through).
SEND_TIMEOUT_SECONDS = 15.0
# A notice built ahead is rebuilt if it goes out later than this (it says how late it is).
NOTICE_FRESH = dt.timedelta(seconds=30)
# An earlier copy of an alert is looked for from this long before its claim: the bot's clock
# and Discord's (message ids carry their time) may disagree a little.
CLOCK_SKEW = dt.timedelta(minutes=5)

T = TypeVar("T")


class Sending:
    """The senders' half of `Dispatcher` (see the module)."""

    # Set by Dispatcher.__init__.
    _clock: Clock
    _notifier: Notifier
    _queue: asyncio.Queue[Batch | None]
    _outcomes: asyncio.Queue[Outcome | None]
    _stopping: bool
    _store: SqliteStore
    _anchors: dict[int, tuple[dt.datetime, int | None]]
    _to_release: list[int]
    _to_release_attempted: list[int]
    _retry_base: dt.timedelta
    _retry_max: dt.timedelta
    _send_timeout: float
    _per_message: int
    _sending: set[int]
    _waiting: dict[int, deque[Batch]]
    _send_started: dict[asyncio.Task[None], float]
    _timed_out: set[asyncio.Task[None]]
    _last_change: dict[tuple[int, int | None], int]
    _turn_started: float
    _new_turn_pending: bool

    def _start_turn(self) -> None:
        self._turn_started = _monotonic()

    async def _sender(self) -> None:
        while True:
            batch = await self._queue.get()
            if batch is None:
                return
            channel = batch.lane  # the channel, or the user DM copies go to
            if channel in self._sending:
                # One send at a time per channel: a hung or rate-limited channel holds one
                # sender, never all of them; its other alerts wait their turn behind it.
                self._waiting.setdefault(channel, deque()).append(batch)
                continue
            self._sending.add(channel)
            try:
                next_batch: Batch | None = batch
                while next_batch is not None:
                    if not await self._send_batch(next_batch):
                        # Stopping: leave the channel's others for stop() to release.
                        for waiting in self._waiting.pop(channel, ()):
                            self._queue.put_nowait(waiting)
                        return
                    backlog = self._waiting.get(channel)
                    next_batch = backlog.popleft() if backlog else None
                    if backlog is not None and not backlog:
                        del self._waiting[channel]
            except asyncio.CancelledError:
                for waiting in self._waiting.pop(channel, ()):
                    self._to_release.extend(waiting.ids)
                raise
            finally:
                self._sending.discard(channel)

    async def _send_batch(self, batch: Batch) -> bool:
        """Deliver a batch (one channel, one instant) in as few messages as Discord allows,
        one Outcome per group. False if the dispatcher is stopping: what no send started on
        is put back in the queue, for stop() to release."""
        rest = deque(batch.groups)
        taken: list[Group] = []  # the groups of the message under way, until their outcome
        try:
            while rest:
                await self._take_turns()
                if self._stopping:
                    self._queue.put_nowait(Batch(list(rest)))
                    return False
                await self._delivered(rest, taken)
        except asyncio.CancelledError:
            # Stopped mid-send (stop() gave up waiting): the message under way may have
            # gone out, so its claims are released as attempted; the next start checks the
            # channel for it before sending again. The rest was never sent.
            self._to_release_attempted.extend(i for group in taken for i in group.ids)
            self._to_release.extend(i for group in rest for i in group.ids)
            raise
        return True

    def _emit(self, outcome: Outcome, taken: list[Group]) -> None:
        taken.remove(outcome.group)
        self._outcomes.put_nowait(outcome)

    async def _delivered(self, rest: deque[Group], taken: list[Group]) -> None:
        """Deliver the next message of a batch; every group it took gets an outcome, whatever
        happens (no answer in time, or a bug: retried later)."""
        try:
            await self._deliver(rest, taken)
        except asyncio.CancelledError:
            sender = asyncio.current_task()
            if sender not in self._timed_out:
                raise  # stop(), not the watchdog
            self._timed_out.discard(sender)
            assert sender is not None
            sender.uncancel()
            # No answer (a hung connection, or a long rate limit discord.py sleeps through):
            # free the sender and try again later (the nonce, and the check for an earlier
            # copy, keep it from being posted twice).
            for group in list(taken):
                deadline = group.deadline
                log.warning(
                    "alert %s guild=%s deadline=%s channel=%s: no answer within %.0f s; "
                    "will retry",
                    group.ids, deadline.guild_id, deadline.id, group.channel_id,
                    self._send_timeout,
                )  # fmt: skip
                self._emit(
                    self._retry(group, f"no answer within {self._send_timeout:.0f} s"), taken
                )
        except Exception as exc:  # a bug, not a send error: log it, retry later
            log.exception("unexpected error delivering alerts %s", [g.ids for g in taken])
            for group in list(taken):
                self._emit(self._retry(group, f"internal error: {exc!r}"), taken)

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

    def _wanted(self, group: Group) -> Callable[[], bool]:
        """Asked by the notifier once the post's turn has come (after the pace): whether the
        group's deadline is still as it was handed over."""
        return lambda: not self._changed_since(group)

    def _unsendable(self, group: Group, now: dt.datetime) -> Outcome | None:
        """The outcome of a group that is not to be posted (changed since it was handed
        over, or no longer active), else None."""
        deadline = group.deadline
        if self._changed_since(group):
            # Not sent: its claim is released and the alert, if the change kept it, is
            # claimed afresh with the deadline as it is now.
            return Outcome(group, now, released=True)
        if (
            deadline.status is not Status.ACTIVE
            or deadline.paused_at is not None
            or (deadline.snoozed_until is not None and deadline.snoozed_until > now)
        ):
            return Outcome(group, now, skipped=True)
        if deadline.due_at > now and all(a.kind is AlertKind.OVERDUE for a in group.alerts):
            # An overdue alert for a deadline that is not overdue (planned from a due time
            # it no longer has): never post "OVERDUE", nor ping the escalation role, for it.
            log.warning(
                "dropped overdue alerts %s: deadline %s of guild %s is due %s, not overdue",
                group.ids, deadline.id, deadline.guild_id, deadline.due_at.isoformat(),
            )  # fmt: skip
            return Outcome(group, now, skipped=True)
        return None

    async def _deliver(self, rest: deque[Group], taken: list[Group]) -> None:
        """Take the next message's groups from `rest` and post it.

        The groups after the first join its message while they are of the same batch, up to
        `per_message` deadlines and within Discord's limits (the notifier's `fits`). One with
        an earlier copy found (posted by a send that was not recorded) goes alone, as one
        whose deadline changed does (not at all).
        """
        group = rest.popleft()
        taken.append(group)
        unsendable = self._unsendable(group, self._clock.now())
        if unsendable is not None:
            self._emit(unsendable, taken)
            return
        found, _ = await self._checked(group)
        if found or self._per_message == 1 or not rest or group.dm_user_id is not None:
            await self._post_alone(group, taken)
            return
        now = self._clock.now()
        together = [group]
        notices = [self._notice(group, now)]
        while rest and len(together) < self._per_message:
            companion = rest.popleft()
            if companion.lane != group.lane or companion.dm_user_id is not None:
                rest.appendleft(companion)  # never in another destination's message
                break
            taken.append(companion)
            unsendable = self._unsendable(companion, self._clock.now())
            if unsendable is not None:
                self._emit(unsendable, taken)
                continue
            found, _ = await self._checked(companion)
            notice = self._notice(companion, now)
            if found or not self._notifier.fits([*notices, notice]):
                taken.remove(companion)  # it goes in the next message
                rest.appendleft(companion)
                break
            together.append(companion)
            notices.append(notice)
        await self._post_together(together, notices, taken)

    async def _checked(self, group: Group) -> tuple[dict[int, int], str | None]:
        """The group's earlier copies in its channel (see _earlier_copies), looked for once."""
        if group.earlier is None:
            group.earlier = await self._earlier_copies(group, group.channel_id)
        return group.earlier

    def _notice(self, group: Group, now: dt.datetime) -> AlertNotice:
        """The group's notice: the one built ahead if still fresh, else one built now."""
        notice = group.notice
        if notice is None or now - notice.now > NOTICE_FRESH:
            notice = group.notice = build_notice(
                group.alerts, group.deadline, group.settings, now=now
            )
        return notice

    async def _post_alone(self, group: Group, taken: list[Group]) -> None:
        try:
            outcome = await self._post(group)
        except TransientSendError as exc:
            deadline = group.deadline
            log.warning(
                "alerts %s guild=%s deadline=%s channel=%s: %s; will retry",
                group.ids, deadline.guild_id, deadline.id, group.channel_id, exc,
            )  # fmt: skip
            outcome = self._retry(group, str(exc))
        self._emit(outcome, taken)

    async def _post_together(
        self, groups: list[Group], notices: list[AlertNotice], taken: list[Group]
    ) -> None:
        """Post several deadlines' notices as one message; each group's outcome follows from
        its answer. A permanent refusal (the channel) sends each to the default channel
        alone; a refusal of the message itself (400) sends each alone here; no answer or a
        transient error retries each."""
        now = self._clock.now()
        for group, notice in list(zip(groups, notices, strict=True)):
            # Right before the request: a deadline changed since the hand-over stays out.
            if self._changed_since(group):
                self._emit(Outcome(group, now, released=True), taken)
                groups.remove(group)
                notices.remove(notice)
        if len(groups) <= 1:
            for group in groups:
                await self._post_alone(group, taken)
            return
        ids = [alert_id for group in groups for alert_id in group.ids]
        channel = groups[0].channel_id
        notices = [
            dataclasses.replace(notice, still_wanted=self._wanted(group))
            for group, notice in zip(groups, notices, strict=True)
        ]
        try:
            message_id = await self._watched(
                self._notifier.send_alerts(notices, nonce=group_nonce(ids))
            )
        except Withdrawn as exc:
            # One of them changed while the message waited its turn: none is sent; each is
            # claimed afresh as its deadline now is (the unchanged ones in a moment).
            log.info("alerts %s channel=%s: %s; not sent", ids, channel, exc)
            for group in groups:
                self._emit(Outcome(group, self._clock.now(), released=True), taken)
            return
        except InvalidMessage as exc:
            log.warning(
                "alerts %s channel=%s: refused as one message (%s); sending each alone",
                ids, channel, exc,
            )  # fmt: skip
            for group in groups:
                await self._post_alone(group, taken)
            return
        except PermanentSendError as exc:
            log.warning("alerts %s channel=%s failed: %s", ids, channel, exc)
            for group, notice in zip(groups, notices, strict=True):
                outcome = await self._fallback(group, notice, str(exc))
                outcome.note = group.earlier[1] if group.earlier else None
                self._emit(outcome, taken)
            return
        except TransientSendError as exc:
            log.warning("alerts %s channel=%s: %s; will retry", ids, channel, exc)
            for group in groups:
                self._emit(self._retry(group, str(exc)), taken)
            return
        if log.isEnabledFor(logging.INFO):
            log.info(
                "alerts sent together guild=%s channel=%s deadlines=%s alerts=%s message=%s",
                groups[0].deadline.guild_id, channel, [g.deadline.id for g in groups], ids,
                message_id,
            )  # fmt: skip
        at = self._clock.now()
        for group in groups:
            note = group.earlier[1] if group.earlier else None
            self._emit(Outcome(group, at, message_id=message_id, note=note), taken)

    async def _watched(self, call: Awaitable[T]) -> T:
        """Await one request to Discord under the watchdog (see _watchdog): with no answer
        after the send timeout, the sender is cancelled and turns that into a retry."""
        # A watchdog rather than a timer per send: a timer (wait_for, asyncio.timeout) per
        # alert made a 1,000-alert burst take 7-9 ms to hand over instead of 2-3.
        sender = asyncio.current_task()
        assert sender is not None
        self._send_started[sender] = _monotonic()
        try:
            return await call
        finally:
            del self._send_started[sender]

    async def _post(self, group: Group) -> Outcome:
        """Post the group's notice alone, unless an earlier, unrecorded send already did."""
        deadline = group.deadline
        found, note = await self._checked(group)
        now = self._clock.now()
        rest = [alert for alert in group.alerts if alert.id not in found]
        if not rest:
            log.info(
                "alerts %s guild=%s deadline=%s: already posted (message %s); not sent again",
                group.ids, deadline.guild_id, deadline.id, sorted(set(found.values())),
            )  # fmt: skip
            return Outcome(group, now, found=found)
        notice = group.notice
        if found or notice is None or now - notice.now > NOTICE_FRESH:
            notice = build_notice(rest, deadline, group.settings, now=now)
        notice = dataclasses.replace(notice, still_wanted=self._wanted(group))
        try:
            message_id = await self._watched(self._notifier.send_alert(notice))
        except Withdrawn as exc:
            log.info("alerts %s guild=%s deadline=%s: %s; not sent", group.ids,
                     deadline.guild_id, deadline.id, exc)  # fmt: skip
            return Outcome(group, self._clock.now(), released=True)
        except PermanentSendError as exc:
            if notice.dm_user_id is not None:
                # A refused DM copy (closed DMs) fails alone: never posted in a channel.
                log.info(
                    "DM copy %s guild=%s deadline=%s user=%s failed: %s",
                    notice.alert_id, deadline.guild_id, deadline.id, notice.dm_user_id, exc,
                )  # fmt: skip
                # One refused because its member can no longer see the channel stops their
                # copies of the deadline (the failed copy stays, so `status` tells them why).
                stop = isinstance(exc, ReaderCannotSee)
                return Outcome(
                    group, self._clock.now(), error=str(exc), found=found, note=note,
                    stop_copies=stop,
                )  # fmt: skip
            log.warning(
                "alert %s guild=%s deadline=%s channel=%s failed: %s",
                notice.alert_id, deadline.guild_id, deadline.id, notice.channel_id, exc,
            )  # fmt: skip
            outcome = await self._fallback(group, notice, str(exc))
            outcome.found, outcome.note = found, note
            return outcome
        if log.isEnabledFor(logging.INFO):  # (the arguments cost ~1 us an alert to build)
            log.info(
                "alert sent guild=%s deadline=%s kind=%s alerts=%s message=%s",
                deadline.guild_id, deadline.id, notice.kind.value, group.ids, message_id,
            )  # fmt: skip
        return Outcome(group, self._clock.now(), message_id=message_id, found=found, note=note)

    async def _earlier_copies(
        self, group: Group, channel_id: int, *, fallback: bool = False
    ) -> tuple[dict[int, int], str | None]:
        """Which of the group's alerts an earlier send (a crash or stop mid-send, a retried
        send) already posted in the channel: alert id -> message id; and a note for the
        history when that could not be checked.

        Discord's nonce drops a repeat within minutes; this covers a restart after hours.
        Only alerts with `attempted_at` are looked for, from that time on. A message found
        for an alert stands for the deadline's alerts ranked below it too (a notice is about
        the highest-ranked of the alerts it collapses). Channel history that cannot be read
        through is reported, and the alert is sent anyway: a possible repeat, not a loss.
        """
        earlier = [alert for alert in group.alerts if alert.attempted_at is not None]
        if not earlier:
            return {}, None
        attempted = min(alert.attempted_at for alert in earlier if alert.attempted_at)
        refs = {alert_nonce(alert.id, fallback=fallback): alert for alert in earlier}
        deadline = group.deadline
        dm = group.dm_user_id
        # A DM channel is read from the time (the anchors are the alert channels' messages).
        after = (
            await self._last_message_before(deadline.guild_id, channel_id, attempted)
            if dm is None
            else None
        )
        try:
            posted = await self._watched(
                self._notifier.find_posted(
                    deadline.guild_id,
                    channel_id,
                    refs,
                    since=attempted - CLOCK_SKEW,
                    after=after,
                    dm_user_id=dm,
                )
            )
        except HistoryUnavailable as exc:
            log.warning(
                "alerts %s guild=%s deadline=%s channel=%s: cannot check for an earlier copy "
                "(%s); sending anyway",
                group.ids, deadline.guild_id, deadline.id, channel_id, exc,
            )  # fmt: skip
            return {}, f"sent without checking the channel for an earlier copy ({exc})"
        except PermanentSendError:
            return {}, None  # the send meets the same refusal, and is handled there
        known = [(notice_rank(refs[ref]), posted[ref]) for ref in posted if ref in refs]
        if not known:
            return {}, None
        top_rank, top_message = max(known)
        return {
            alert.id: posted.get(ref, top_message)
            for ref, alert in refs.items()
            if notice_rank(alert) <= top_rank
        }, None

    async def _last_message_before(
        self, guild_id: int, channel_id: int, at: dt.datetime
    ) -> int | None:
        """Where to start reading the channel for a message posted after `at`: the newest
        alert message recorded there before it (independent of the clocks, and close to it
        in a busy alert channel). Kept per channel: one earlier than needed still holds."""
        known = self._anchors.get(channel_id)
        if known is not None and known[0] <= at:
            return known[1]
        async with self._store.transaction() as tx:
            anchor = await tx.last_alert_message(guild_id, channel_id, before=at)
        self._anchors[channel_id] = (at, anchor)
        return anchor

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
            found, _ = await self._earlier_copies(group, default, fallback=True)
            if notice.alert_id in found:
                outcome.fallback_message_id = found[notice.alert_id]
            else:
                outcome.fallback_message_id = await self._watched(
                    self._notifier.send_alert(fallback)
                )
        except Withdrawn:
            # Its deadline (or the server's settings) changed while the fallback waited its
            # turn: not failed, claimed afresh as it is now (and tried again from the start).
            return Outcome(group, self._clock.now(), released=True)
        except Exception as exc:  # (no answer in time: the whole group is tried again)
            log.warning(
                "fallback for alert %s to channel %s failed: %s", notice.alert_id, default, exc
            )
        return outcome

    def _retry(self, group: Group, error: str) -> Outcome:
        now = self._clock.now()
        attempts = max(alert.attempts for alert in group.alerts)
        delay = min(self._retry_base * (2 ** min(attempts, 16)), self._retry_max)
        return Outcome(group, now, error=error, retry_at=now + delay)
