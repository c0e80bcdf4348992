"""The alert loop: claim due alerts from the table, send them through a Notifier, mark them.

The alerts table is the source of truth. One loop claims the alerts due within the next
couple of seconds into a small in-memory buffer (so the database work is done before they
are due), sleeps in slices until the earliest, and at its time hands the due ones, grouped by
deadline, to a pool of sender workers, so one slow or rate-limited channel never holds up the
timer or the others. A change to a deadline (`changed`) drops its buffered alerts, which are
then claimed afresh. Results go to one committer that writes them in batches.

Send first, then mark sent: a crash in between resends, never loses. The resend carries the
same nonce, which Discord uses to drop a duplicate within minutes, and before it the channel is
read for the alert's own message (see Sending._earlier_copies), which covers any downtime.
Claims do not survive a restart: the claims a run left become `attempted_at` at the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import heapq
import logging
from collections import deque
from collections.abc import Sequence

from bot.clock import Clock
from bot.models import (
    Deadline,
    GuildDefaults,
    GuildSettings,
    StoredAlert,
)
from bot.notices import (
    MAX_PER_MESSAGE,
    DispatchObserver,
    Notifier,
    build_notice,
)
from bot.outcomes import Batch, Group, Outcome, observe, outcome_rows
from bot.sending import SEND_TIMEOUT_SECONDS, SENDER_TURN_SECONDS, Sending
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

# Alerts are claimed this long before they are due, so that at their time they are handed
# over from memory, not after a database round trip.
LOOKAHEAD = dt.timedelta(seconds=2)
COMMIT_LINGER_SECONDS = 0.01
# While senders still have groups queued, the committer waits up to this long for them: its
# Python work (~20 us an alert) would otherwise hold up a burst being handed over.
COMMIT_DEFER_SECONDS = 0.2
# Results written per transaction, and alerts grouped per loop step in a catch-up: each
# costs ~5-10 us on the event loop, so these keep a step to a few milliseconds.
COMMIT_BATCH = 500
# Results that could not be written are tried again after this long, doubling up to the max
# (stop() gives the committer stop_timeout to get them in).
COMMIT_RETRY_FIRST_SECONDS = 0.5
COMMIT_RETRY_MAX_SECONDS = 10.0
PREPARE_SLICE = 500
# The alerts of the next due instant are grouped, and their notices built, this long before
# it, so that at the instant they are only handed over.
PREPARE_AHEAD = dt.timedelta(milliseconds=50)
# Sender workers. A sender keeps its channel while discord.py waits out the channel's bucket
# (5 messages per 5 s): with 8, a burst of 1,700 alerts in 200 channels moved 8 channels at a
# time and took 100 s to post; with 64 it is bound by Discord's global limit, which the
# notifier keeps to (bench/burst.py, docs/scaling.md).
SENDERS = 64


class Dispatcher(Sending):
    """Use as `async with Dispatcher(...)`: starts on enter, stops cleanly on exit."""

    def __init__(
        self,
        store: SqliteStore,
        notifier: Notifier,
        *,
        clock: Clock,
        defaults: GuildDefaults | None = None,
        batch_size: int = 250,
        senders: int = 64,
        lookahead: dt.timedelta = LOOKAHEAD,
        max_buffered: int = 5000,
        retry_base: dt.timedelta = dt.timedelta(seconds=10),
        retry_max: dt.timedelta = dt.timedelta(minutes=15),
        observer: DispatchObserver | None = None,
        send_timeout: float = SEND_TIMEOUT_SECONDS,
        per_message: int = MAX_PER_MESSAGE,
    ) -> None:
        self._store = store
        self._observer = observer
        self._notifier = notifier
        self._clock = clock
        self._defaults = defaults or GuildDefaults()
        self._batch_size = batch_size
        self._senders = senders
        self._lookahead = lookahead
        self._max_buffered = max_buffered
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._wake = asyncio.Event()
        self._send_timeout = send_timeout
        # Deadlines a message may carry: the alerts of one instant in one channel go out
        # together (see Sending._send_batch); 1 sends each deadline's alerts alone.
        self._per_message = max(1, min(per_message, MAX_PER_MESSAGE))
        # Senders in a send, since when; and those the watchdog cancelled for taking too long.
        self._send_started: dict[asyncio.Task[None], float] = {}
        self._timed_out: set[asyncio.Task[None]] = set()
        # Channels with a send under way, and the groups waiting behind it (see _sender).
        self._sending: set[int] = set()
        self._waiting: dict[int, deque[Batch]] = {}
        # Claimed alerts not yet due: by id, and a heap of (time, id) to pop them in order.
        self._buffer: dict[int, tuple[StoredAlert, Deadline, GuildSettings]] = {}
        # (POSIX seconds, id): floats compare several times faster than datetimes.
        self._heap: list[tuple[float, int]] = []
        # Groups taken off the heap ahead of their instant, by deadline and destination
        # (0: its channel; else the user its DM copies go to), ready to hand over.
        self._prepared: dict[tuple[int, int, int], Group] = {}
        self._changed: set[tuple[int, int | None]] = set()
        # Per channel: a message to read its history from, for alerts attempted after a time
        # (see Sending._last_message_before).
        self._anchors: dict[int, tuple[dt.datetime, int | None]] = {}
        self._to_release: list[int] = []  # claims of alerts no sender started on
        self._to_release_attempted: list[int] = []  # and of alerts a send was cut short for
        # None in a queue tells its consumer to stop.
        self._queue: asyncio.Queue[Batch | None] = asyncio.Queue()
        self._outcomes: asyncio.Queue[Outcome | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False
        self.stop_timeout = 4.0  # seconds each for senders and committer to finish on stop
        self.armed_at: dt.datetime | None = None  # when the loop next looks, for health checks
        self.loop_beat_at: dt.datetime | None = None  # last time the loop ran, for health checks
        self._cycles = 0
        self._cycled = asyncio.Condition()
        self._in_flight = 0  # groups handed to senders whose results are not yet recorded
        # Every change counted, and the count at each deadline's (or guild's) latest change:
        # a group handed over before a change to its deadline is not sent (see _deliver).
        self._change_seq = 0
        self._last_change: dict[tuple[int, int | None], int] = {}
        self._recorded = asyncio.Event()
        self._recorded.set()
        self._start_turn()  # see Sending._take_turns
        self._new_turn_pending = False

    async def __aenter__(self) -> Dispatcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def wake(self) -> None:
        """Look at the table again now."""
        self._wake.set()

    def changed(self, guild_id: int, deadline_id: int | None = None) -> None:
        """A deadline (or, with None, every deadline of the guild) changed: forget what was
        claimed for it and look at the table again."""
        self._changed.add((guild_id, deadline_id))
        self._change_seq += 1
        self._last_change[(guild_id, deadline_id)] = self._change_seq
        self._wake.set()

    async def start(self) -> None:
        async with self._store.transaction() as tx:
            released = await tx.release_claims()
        if released:
            log.info(
                "released %d alerts claimed when the last run ended; before each is sent again, "
                "its channel is checked for it",
                released,
            )
        self._stopping = False
        self._tasks = [asyncio.create_task(self._loop(), name="dispatcher-loop")]
        self._tasks += [
            asyncio.create_task(self._sender(), name=f"dispatcher-sender-{i}")
            for i in range(self._senders)
        ]
        self._tasks.append(asyncio.create_task(self._committer(), name="dispatcher-committer"))
        self._watch = asyncio.create_task(self._watchdog(), name="dispatcher-watchdog")

    async def stop(self) -> None:
        """Finish the sends under way, record their results, release the rest."""
        if not self._tasks:
            return
        self._stopping = True
        self._wake.set()
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
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
        unsent = [*self._buffer, *self._to_release]
        for prepared in self._prepared.values():
            unsent.extend(prepared.ids)
        self._buffer.clear()
        self._heap.clear()
        self._prepared.clear()
        while not self._queue.empty():
            batch = self._queue.get_nowait()
            if batch is not None:
                unsent.extend(batch.ids)
        for backlog in self._waiting.values():
            for batch in backlog:
                unsent.extend(batch.ids)
        self._waiting.clear()
        attempted, self._to_release_attempted = self._to_release_attempted, []
        if unsent or attempted:
            async with self._store.transaction() as tx:
                await tx.release_claims(unsent)
                await tx.release_claims(attempted, attempted=True)
        self._tasks = []

    async def _loop(self) -> None:
        more = False
        while not self._stopping:
            try:
                self._wake.clear()
                self.loop_beat_at = now = self._clock.now()
                self._drop_changed()
                if not more:
                    self._dispatch_due(now)  # on time, straight from memory
                await self._release_dropped()
                more = await self._refill(now)
                if more:
                    # More is due: claim it all (up to the buffer's size) before handing any
                    # over, so that a deadline's missed alerts become one message.
                    continue
                self._drop_changed()  # a change may have come in while claiming
                now = self._clock.now()
                await self._prepare_in_slices(now)  # a catch-up may hold thousands
                self._dispatch_due(now)
                self.armed_at = wake_at = await self._next_look()
                if wake_at is not None:
                    if wake_at - now <= PREPARE_AHEAD:
                        self._prepare(wake_at, now=now)
                    else:
                        wake_at -= PREPARE_AHEAD  # to prepare, then wait for the instant
                async with self._cycled:
                    self._cycles += 1
                    self._cycled.notify_all()
                await self._clock.sleep_until(wake_at, self._wake)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher loop error; retrying in a second")
                await asyncio.sleep(1)

    def _drop_changed(self) -> None:
        """Drop buffered alerts of changed deadlines; their claims are released next."""
        if not self._changed:
            return
        changed, self._changed = self._changed, set()
        for alert_id, (_, deadline, _) in list(self._buffer.items()):
            if (deadline.guild_id, deadline.id) in changed or (deadline.guild_id, None) in changed:
                del self._buffer[alert_id]  # its heap entry is skipped when popped
                self._to_release.append(alert_id)
        for key, group in list(self._prepared.items()):
            if key[:2] in changed or (key[0], None) in changed:
                del self._prepared[key]
                self._to_release.extend(group.ids)

    async def _release_dropped(self) -> None:
        if self._to_release:
            dropped, self._to_release = self._to_release, []
            async with self._store.transaction() as tx:
                await tx.release_claims(dropped)

    async def _refill(self, now: dt.datetime) -> bool:
        """Claim alerts due by now + lookahead into the buffer; True if more may be waiting."""
        room = min(self._batch_size, self._max_buffered - len(self._buffer))
        if room <= 0:
            return False
        async with self._store.transaction() as tx:
            claimed = await tx.claim_due(now + self._lookahead, limit=room, now=now)
            stored = await tx.settings_for(deadline.guild_id for _, deadline in claimed)
        for alert, deadline in claimed:
            settings = stored.get(deadline.guild_id) or GuildSettings.from_defaults(
                deadline.guild_id, self._defaults
            )
            self._buffer[alert.id] = (alert, deadline, settings)
            heapq.heappush(self._heap, (alert.next_attempt_at.timestamp(), alert.id))
        return len(claimed) >= room and len(self._buffer) < self._max_buffered

    def _dispatch_due(self, now: dt.datetime) -> int:
        """Hand every alert due by `now` to the senders, one group per deadline, in one
        batch per channel and instant (sent in as few messages as Discord allows)."""
        self._prepare(now, now=now)
        self._drop_changed()  # nothing changed since it was claimed goes out
        due = [key for key, group in self._prepared.items() if group.due_at <= now]
        batches: dict[tuple[int, dt.datetime, int], Batch] = {}
        for key in due:
            group = self._prepared.pop(key)
            group.handed_at = self._change_seq
            # A channel's deadlines of one instant share a batch; a DM copy is a batch (and
            # a message) of its own, never joined to another deadline's.
            alone = group.deadline.id if group.dm_user_id is not None else 0
            target = (group.lane, group.due_at, alone)
            batch = batches.get(target)
            if batch is None:
                batches[target] = Batch([group])
            else:
                batch.groups.append(group)
        for batch in batches.values():
            self._queue.put_nowait(batch)
        if due:
            self._in_flight += len(due)
            self._recorded.clear()
            self._start_turn()  # the senders' turn starts now
        return len(due)

    async def _prepare_in_slices(self, now: dt.datetime) -> None:
        """Group what is due by `now` a slice at a time, letting the event loop run between
        slices (5,000 missed alerts grouped at once held it for ~20 ms)."""
        now_s = now.timestamp()
        while self._heap and self._heap[0][0] <= now_s:
            self._prepare(now, now=now, limit=PREPARE_SLICE)
            await asyncio.sleep(0)
        self._drop_changed()  # a change may have come in between slices

    def _prepare(self, until: dt.datetime, *, now: dt.datetime, limit: int | None = None) -> None:
        """Group the buffered alerts due by `until` by deadline, with their notices.

        Several due alerts of one deadline (missed while the bot was down) become one group
        and one notice, built for the group's hand-over time (`until` at most); its DM copies
        to each member are a group of their own.
        """
        touched: dict[tuple[int, int, int], Group] = {}
        until_s = until.timestamp()
        popped = 0
        while self._heap and self._heap[0][0] <= until_s and popped != limit:
            popped += 1
            _, alert_id = heapq.heappop(self._heap)
            entry = self._buffer.pop(alert_id, None)
            if entry is None:
                continue  # dropped because its deadline changed
            alert, deadline, settings = entry
            # A DM copy never joins the channel's alerts: it is a message of its own.
            key = (deadline.guild_id, deadline.id, alert.dm_user_id or 0)
            group = self._prepared.get(key)
            if group is None:
                group = self._prepared[key] = Group(deadline, settings, [], now)
            group.alerts.append(alert)
            touched[key] = group
        for group in touched.values():
            group.due_at = (
                max(now, *(alert.next_attempt_at for alert in group.alerts)) if until > now else now
            )
            # Ahead of the instant, build the notice now; at once (a catch-up of thousands),
            # leave it to the senders, so no single step holds the loop for long.
            group.notice = (
                build_notice(group.alerts, group.deadline, group.settings, now=group.due_at)
                if group.due_at > now
                else None
            )

    async def _next_look(self) -> dt.datetime | None:
        """When to wake: the earliest buffered alert, or when the next one enters the window."""
        while self._heap and self._heap[0][1] not in self._buffer:
            heapq.heappop(self._heap)
        candidates = [self._buffer[self._heap[0][1]][0].next_attempt_at] if self._heap else []
        candidates += [group.due_at for group in self._prepared.values()]
        if len(self._buffer) < self._max_buffered:
            async with self._store.transaction() as tx:
                pending = await tx.next_pending_at()
            if pending is not None:
                candidates.append(pending - self._lookahead)
        return min(candidates, default=None)

    async def _committer(self) -> None:
        # Results that could not be written (the database locked past its busy timeout,
        # say): kept, and written again with the next results until they commit. Until then
        # their alerts stay claimed, so nothing else sends them, and they count as in flight.
        unwritten: list[Outcome] = []
        delay = COMMIT_RETRY_FIRST_SECONDS
        stop = False
        while True:
            received: list[Outcome | None] = []
            if not unwritten:
                received.append(await self._outcomes.get())
                if received[0] is not None:
                    # Let a burst finish handing over before writing: one transaction then
                    # records hundreds of results instead of one each.
                    await asyncio.sleep(COMMIT_LINGER_SECONDS)
                    waited = COMMIT_LINGER_SECONDS
                    while not self._queue.empty() and waited < COMMIT_DEFER_SECONDS:
                        await asyncio.sleep(SENDER_TURN_SECONDS)
                        waited += SENDER_TURN_SECONDS
            elif not stop:
                with contextlib.suppress(TimeoutError):
                    received.append(await asyncio.wait_for(self._outcomes.get(), delay))
            else:
                await asyncio.sleep(delay)
            while not self._outcomes.empty() and len(received) < COMMIT_BATCH:
                received.append(self._outcomes.get_nowait())
            stop = stop or None in received
            batch = unwritten + [item for item in received if item is not None]
            unwritten = []
            try:
                if batch:
                    await self._commit(batch)
            except Exception:
                log.exception(
                    "could not record the results of %d alert groups; trying again in %.1f s",
                    len(batch),
                    delay,
                )
                unwritten = batch
                delay = min(delay * 2, COMMIT_RETRY_MAX_SECONDS)
            else:
                delay = COMMIT_RETRY_FIRST_SECONDS
                self._in_flight -= len(batch)
                if self._in_flight <= 0:
                    self._in_flight = 0
                    self._last_change.clear()  # no group handed over before them is left
                    self._recorded.set()
            self._wake.set()
            if stop and not unwritten:
                return

    async def _commit(self, batch: Sequence[Outcome]) -> None:
        """Record a batch of outcomes in one transaction, a few statements in all."""
        rows = outcome_rows(batch)
        async with self._store.transaction() as tx:
            await tx.mark_sent(rows.sent)
            await tx.mark_failed(rows.failed)
            await tx.retry_later(rows.retry)
            await tx.drop_alerts(rows.dropped)
            if rows.released:
                await tx.release_claims(rows.released)
            await tx.plan_if_active(rows.following)
            for guild_id, deadline_id, user_id in rows.stopped_copies:
                await tx.remove_dm_copies(guild_id, deadline_id, user_id)
            await tx.add_history(*rows.history)
        if self._observer is not None:
            observe(self._observer, batch)

    async def settle(self) -> None:
        """Wait until everything due now has been sent (or has failed) and been recorded."""
        while True:
            async with self._cycled:
                # Two passes: the loop may be part-way through one that began before this call.
                target = self._cycles + 2
                while self._cycles < target:
                    self._wake.set()
                    await self._cycled.wait()
            await self._recorded.wait()
            now = self._clock.now()
            async with self._store.transaction() as tx:
                next_at = await tx.next_pending_at()
            # Checked after the await with no await in between: an alert claimed meanwhile is
            # in the buffer or counted in flight, so it shows up here.
            idle = (
                not self._changed
                and self._in_flight == 0
                and not (self._heap and self._heap[0][0] <= now.timestamp())
                and not any(g.due_at <= now for g in self._prepared.values())
            )
            if idle and (next_at is None or next_at > now):
                return

    async def send_digest(self, guild_id: int, *, late: bool = False) -> int | None:
        """Post the daily digest of a guild to its default channel; None if it has none."""
        async with self._store.transaction() as tx:
            settings = await tx.get_settings(guild_id)
            if settings is None or not settings.digest_enabled or not settings.default_channel_id:
                return None
            deadlines = await tx.active_deadlines(guild_id)
        return await self._notifier.send_digest(
            guild_id, settings.default_channel_id, deadlines, now=self._clock.now(), late=late
        )
