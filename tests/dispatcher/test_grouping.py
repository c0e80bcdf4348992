"""Alerts of one instant and one channel go out as one message (issue 16): up to five
deadlines a message, each recorded with that message; other channels and instants apart; a
deadline that changed since the hand-over, or whose earlier copy was found, goes alone. The
real dispatcher over real SQLite, a fake clock, and the recording notifier (which keeps what
each channel shows, one ref per deadline, as Discord's history would).

Before: each deadline's alerts were a message of their own, 1,700 at 09:00 in 200 channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from support import FakeClock, RecordingNotifier, fail_channel

from bot.dispatcher import Dispatcher
from bot.models import AlertKind, GuildDefaults
from bot.notices import (
    MAX_PER_MESSAGE,
    AlertNotice,
    InvalidMessage,
    TransientSendError,
    alert_nonce,
    group_nonce,
)
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, USER, CHANNEL, ELSEWHERE, DEFAULT_CHANNEL = 100, 5, 10, 11, 12
CREATOR = Actor(USER)
ADMIN = Actor.everywhere(USER, manage_guild=True)
REMINDER_AT = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # Sat 09:00 New York: 7 days left
A_DAY = dt.timedelta(days=1)


async def add(services: Services, title: str, *, channel: int = CHANNEL, days: int = 30) -> int:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=channel, text=f"{title}, {days} days",
        start=dt.date(2025, 7, 17),
    )  # fmt: skip
    return added.deadline.id


def recorded(db_path: Path) -> dict[int, tuple[int, int | None]]:
    """Each sent alert: alert id -> (deadline, message id), read as another process would."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT id, deadline_id, message_id FROM alerts WHERE sent_at IS NOT NULL"
        ).fetchall()
    return {alert: (deadline, message) for alert, deadline, message in rows}


def deadlines_of(message: tuple[str, int, list[AlertNotice]]) -> list[int]:
    return [notice.deadline.id for notice in message[2]]


async def test_eight_alerts_at_one_instant_in_one_channel_are_two_messages(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    ids = [await add(services, f"Request {n}") for n in range(8)]
    clock.set(REMINDER_AT)
    await dispatcher.settle()

    assert [deadlines_of(m) for m in notifier.messages] == [ids[:5], ids[5:]]
    first, second = notifier.messages
    for nonce, _, notices in notifier.messages:
        # The nonce stands for exactly the alerts the message carries; each deadline's part
        # shows its own alert's ref.
        assert nonce == group_nonce(n.alert_id for n in notices)
        assert len(nonce) <= 25
        assert all(n.nonce == alert_nonce(n.alert_id) for n in notices)
        assert all(n.kind is AlertKind.REMINDER and n.days_before == 7 for n in notices)
    assert first[0] != second[0]
    # Every alert recorded as sent with the one message it went out in.
    sent = recorded(db_path)
    assert len(sent) == 8
    by_deadline = {deadline: message for deadline, message in sent.values()}
    assert by_deadline == {d: first[1] if d in ids[:5] else second[1] for d in ids}
    for deadline in ids:
        status = await services.deadlines.status(GUILD, deadline)
        assert [e.action for e in status.history].count("alert sent") == 1
    # And nothing goes again.
    clock.set(REMINDER_AT + dt.timedelta(hours=1))
    await dispatcher.settle()
    assert len(notifier.messages) == 2


async def test_other_channels_and_other_instants_are_not_grouped(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    here = [await add(services, f"Here {n}") for n in range(3)]
    there = [await add(services, f"There {n}", channel=ELSEWHERE) for n in range(2)]
    later = [await add(services, f"Later {n}", days=31) for n in range(2)]  # a day later
    clock.set(REMINDER_AT)
    await dispatcher.settle()
    clock.set(REMINDER_AT + A_DAY)
    await dispatcher.settle()

    by_message = sorted(sorted(deadlines_of(m)) for m in notifier.messages)
    # Reminders come 7, 3 and 1 days before: on Aug 10 "Here" and "There" have none, the
    # "Later" ones (due a day later) their 7-day reminder.
    assert by_message == sorted([here, there, later])
    for _, _, notices in notifier.messages:
        assert len({n.channel_id for n in notices}) == 1
        assert len({n.planned_at for n in notices}) == 1
    assert len(recorded(db_path)) == 7


async def test_one_deadline_per_message_when_grouping_is_off(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    services = Services.over(store, clock=clock)  # no dispatcher but the test's own
    ids = [await add(services, f"Request {n}") for n in range(3)]
    clock.set(REMINDER_AT)
    async with Dispatcher(store, notifier, clock=clock, per_message=1) as dispatcher:
        await dispatcher.settle()
    assert [deadlines_of(m) for m in notifier.messages] == [[i] for i in ids]
    assert [m[0] for m in notifier.messages] == [
        alert_nonce(m[2][0].alert_id) for m in notifier.messages
    ]


async def test_only_what_fits_goes_in_one_message(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
) -> None:
    notifier.per_message = 2  # as if each notice took nearly half of Discord's limits
    ids = [await add(services, f"Request {n}") for n in range(5)]
    clock.set(REMINDER_AT)
    await dispatcher.settle()
    assert [deadlines_of(m) for m in notifier.messages] == [ids[:2], ids[2:4], ids[4:]]
    assert notifier.messages[2][0] == alert_nonce(notifier.messages[2][2][0].alert_id)


class GatedNotifier(RecordingNotifier):
    """Holds the first message to ELSEWHERE until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def send_alert(self, notice: AlertNotice) -> int:
        if notice.channel_id == ELSEWHERE and not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()
        return await super().send_alert(notice)


async def test_a_deadline_changed_after_the_hand_over_stays_out_of_the_message(
    store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    """One sender: ELSEWHERE's message hangs while CHANNEL's three deadlines wait behind it,
    handed over; the second is renamed meanwhile. The message goes out without it; it goes
    alone afterwards, claimed afresh, with its new title."""
    notifier = GatedNotifier()
    async with Dispatcher(
        store, notifier, clock=clock, defaults=GuildDefaults(), senders=1
    ) as dispatcher:
        services = Services.over(store, clock=clock)
        services.changes.subscribe(dispatcher.changed)
        await add(services, "Blocker", channel=ELSEWHERE)
        ids = [await add(services, f"Request {n}") for n in range(3)]
        clock.set(REMINDER_AT + dt.timedelta(seconds=1))
        dispatcher.wake()
        await asyncio.wait_for(notifier.waiting.wait(), 5)  # all handed over, one sending
        await services.deadlines.edit(CREATOR, GUILD, ids[1], title="Renamed request")
        notifier.gate.set()
        await dispatcher.settle()

    messages = [deadlines_of(m) for m in notifier.messages if m[2][0].channel_id == CHANNEL]
    assert messages == [[ids[0], ids[2]], [ids[1]]]
    alone = notifier.messages[-1]
    assert alone[0] == alert_nonce(alone[2][0].alert_id)
    assert alone[2][0].deadline.title == "Renamed request"
    sent = recorded(db_path)
    assert sorted(d for d, _ in sent.values()) == sorted([*ids, ids[0] - 1])
    assert len({m for d, m in sent.values() if d in (ids[0], ids[2])}) == 1


async def test_a_grouped_message_refused_by_the_channel_falls_back_one_deadline_at_a_time(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
) -> None:
    await services.settings.update(ADMIN, GUILD, default_channel_id=DEFAULT_CHANNEL)
    ids = [await add(services, f"Request {n}") for n in range(3)]
    notifier.fail = fail_channel(CHANNEL, permanent=True)
    clock.set(REMINDER_AT)
    await dispatcher.settle()

    # One refused attempt in the channel (the three together), then each alone in the
    # default channel, with its own fallback nonce.
    assert [n.deadline.id for n in notifier.attempts if n.channel_id == CHANNEL] == ids
    assert [deadlines_of(m) for m in notifier.messages] == [[i] for i in ids]
    assert all(n.channel_id == DEFAULT_CHANNEL and n.fallback for _, _, (n,) in notifier.messages)
    assert [m[0] for m in notifier.messages] == [
        alert_nonce(m[2][0].alert_id, fallback=True) for m in notifier.messages
    ]
    for deadline in ids:
        status = await services.deadlines.status(GUILD, deadline)
        assert [e.action for e in status.history][-2:] == [
            "alert failed",
            "alert sent to the default channel",
        ]


class RefusesGroups(RecordingNotifier):
    """Discord refuses every message of several deadlines (400: its body)."""

    async def send_alerts(self, notices: Sequence[AlertNotice], *, nonce: str) -> int:
        self.attempts.extend(notices)
        raise InvalidMessage("400 Invalid Form Body")


async def test_a_message_refused_for_its_body_sends_each_deadline_alone_in_its_channel(
    store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    services = Services.over(store, clock=clock)
    notifier = RefusesGroups()
    ids = [await add(services, f"Request {n}") for n in range(3)]
    clock.set(REMINDER_AT)
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
    assert [deadlines_of(m) for m in notifier.messages] == [[i] for i in ids]
    assert all(n.channel_id == CHANNEL for _, _, (n,) in notifier.messages)
    assert len(recorded(db_path)) == 3


async def test_an_answer_lost_for_a_grouped_message_is_found_on_the_retry_not_posted_again(
    store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    """Discord posted the message of three deadlines, its answer never came (a 504); the
    retry (past the nonce window) finds every deadline's ref in it and records each."""
    services = Services.over(store, clock=clock)
    notifier = RecordingNotifier()
    ids = [await add(services, f"Request {n}") for n in range(3)]
    lost: list[int] = []

    def lose_the_first(notice: AlertNotice) -> BaseException | None:
        if len(notifier.messages) > 1:
            return None
        lost.append(notice.alert_id)
        return TransientSendError("504 Gateway Timeout")

    notifier.lose_answer = lose_the_first
    clock.set(REMINDER_AT + dt.timedelta(seconds=1))
    async with Dispatcher(store, notifier, clock=clock, retry_base=dt.timedelta(minutes=10)) as d:
        await d.settle()
        assert [deadlines_of(m) for m in notifier.messages] == [ids]
        assert recorded(db_path) == {}
        clock.set(REMINDER_AT + dt.timedelta(minutes=11))
        await d.settle()

    assert len(notifier.messages) == 1  # found, not posted again
    ((_, message_id, _),) = notifier.messages
    assert sorted(recorded(db_path).values()) == [(i, message_id) for i in ids]
    for deadline in ids:
        status = await services.deadlines.status(GUILD, deadline)
        assert [e.action for e in status.history][-1] == "alert already posted"


async def crash_after_posting(
    store: SqliteStore, notifier: RecordingNotifier, clock: FakeClock, *, posted: int
) -> list[int]:
    """What a run killed between a grouped post and its commit leaves: the due alerts
    claimed, and one message in the channel showing the refs of the first `posted`."""
    async with store.transaction() as tx:
        claimed = await tx.claim_due(clock.now(), limit=50, now=clock.now())
    message = notifier.new_message_id()
    for alert, deadline in claimed[:posted]:
        notifier.posted.append((deadline.channel_id, clock.now(), alert_nonce(alert.id), message))
    return [deadline.id for _, deadline in claimed]


async def test_after_a_crash_between_a_grouped_post_and_its_commit_every_alert_is_found(
    store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    services = Services.over(store, clock=clock)
    notifier = RecordingNotifier()
    ids = [await add(services, f"Request {n}") for n in range(5)]
    clock.set(REMINDER_AT + dt.timedelta(seconds=1))
    claimed = await crash_after_posting(store, notifier, clock, posted=5)
    assert sorted(claimed) == ids
    lost = notifier.posted[-1][3]

    clock.set(REMINDER_AT + dt.timedelta(hours=3))  # far past the nonce window
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()

    assert notifier.messages == []  # none posted twice
    assert sorted(recorded(db_path).values()) == [(i, lost) for i in ids]  # none lost
    assert len(notifier.history_reads) == 5  # each looked for, one reading of the channel


async def test_after_a_crash_the_deadlines_found_posted_go_alone_and_the_rest_together(
    store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    """Killed part-way: the message showing two of five deadlines was posted (as a message
    of other alerts would have been); the three others were not. The two are recorded with
    it, the three go out as one new message."""
    services = Services.over(store, clock=clock)
    notifier = RecordingNotifier()
    ids = [await add(services, f"Request {n}") for n in range(5)]
    clock.set(REMINDER_AT + dt.timedelta(seconds=1))
    claimed = await crash_after_posting(store, notifier, clock, posted=2)
    lost = notifier.posted[-1][3]

    clock.set(REMINDER_AT + dt.timedelta(hours=3))
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()

    ((nonce, message_id, notices),) = notifier.messages
    assert sorted(n.deadline.id for n in notices) == sorted(claimed[2:])
    assert nonce == group_nonce(n.alert_id for n in notices)
    messages = {deadline: message for deadline, message in recorded(db_path).values()}
    assert messages == {d: lost if d in claimed[:2] else message_id for d in ids}


def test_a_group_nonce_stands_for_exactly_its_alerts() -> None:
    assert group_nonce([3, 1, 2]) == group_nonce([1, 2, 3]) == group_nonce([2, 3, 1, 1])
    assert group_nonce([1, 2, 3]) != group_nonce([1, 2])
    assert group_nonce([1, 2, 3]) != group_nonce([1, 2, 4])
    assert group_nonce([12, 3]) != group_nonce([1, 23])
    nonce = group_nonce(range(10**12, 10**12 + 50))
    assert nonce.startswith("ddg")
    assert len(nonce) == 19
    assert MAX_PER_MESSAGE == 5  # Discord's 5 action rows, one a deadline


@pytest.mark.parametrize("per_message", [0, 9])
def test_per_message_is_kept_within_one_and_discords_five(
    store: SqliteStore, clock: FakeClock, per_message: int
) -> None:
    dispatcher = Dispatcher(store, RecordingNotifier(), clock=clock, per_message=per_message)
    assert dispatcher._per_message == (1 if per_message < 1 else 5)
