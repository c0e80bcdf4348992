"""Exactly once beyond Discord's nonce window (issue 12.3): an alert whose earlier send may have
been posted without being recorded (a crash or stop mid-send, an answer lost) is looked for in
its channel before it is sent again. The real dispatcher over real SQLite; the notifier records
what each channel shows, as Discord's history would (the nonce plays no part here).

Before: the alert was posted again whenever the bot came back after the nonce window.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from support import FakeClock, RecordingNotifier, fail_channel

from bot.dispatcher import Dispatcher
from bot.models import AlertKind, StoredAlert
from bot.notices import AlertNotice, HistoryUnavailable, TransientSendError, alert_nonce
from bot.sending import CLOCK_SKEW
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, USER, CHANNEL, DEFAULT_CHANNEL = 100, 5, 10, 11
ADMIN = Actor.everywhere(USER, manage_guild=True)
REMINDER_AT = dt.datetime(2025, 8, 15, 13, 0, tzinfo=dt.UTC)  # Fri 09:00 New York: 1 day left
OVERDUE_AT = dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC)  # Sun 09:00 New York
HOURS_LATER = dt.timedelta(hours=3)  # far past any nonce window


@pytest.fixture
def services(store: SqliteStore, clock: FakeClock) -> Services:
    """No dispatcher running: each test starts its own, as a fresh process would."""
    return Services.over(store, clock=clock)


async def add_bondi(services: Services) -> int:
    added = await services.deadlines.add(
        Actor(USER), GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17),
    )  # fmt: skip
    return added.deadline.id


def dispatcher_over(
    store: SqliteStore, notifier: RecordingNotifier, clock: FakeClock, **options: object
) -> Dispatcher:
    return Dispatcher(store, notifier, clock=clock, **options)  # type: ignore[arg-type]


async def send_everything_due(
    store: SqliteStore, notifier: RecordingNotifier, clock: FakeClock, at: dt.datetime
) -> None:
    clock.set(at)
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()


async def crash_while_sending(
    store: SqliteStore, notifier: RecordingNotifier, clock: FakeClock, *, posted: bool
) -> StoredAlert:
    """What a run killed mid-send leaves: the due alert claimed, and (if `posted`) its
    message in the channel (the notifier's `lost_message`), never recorded."""
    async with store.transaction() as tx:
        ((alert, deadline),) = await tx.claim_due(clock.now(), limit=10, now=clock.now())
    if posted:
        message = notifier.new_message_id()
        notifier.posted.append((deadline.channel_id, clock.now(), alert_nonce(alert.id), message))
    return alert


def lost_message(notifier: RecordingNotifier) -> int:
    """The message the killed run posted (the last one the channels show)."""
    return notifier.posted[-1][3]


def message_ids(db_path: Path) -> dict[int, int | None]:
    """Each alert's recorded message (read as another process would)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return dict(conn.execute("SELECT id, message_id FROM alerts").fetchall())


async def alerts_of(store: SqliteStore, deadline_id: int) -> dict[int, StoredAlert]:
    async with store.transaction() as tx:
        return {a.id: a for a in await tx.alerts_of(GUILD, deadline_id)}


async def test_after_a_crash_an_alert_already_in_the_channel_is_recorded_not_posted_again(
    services: Services,
    store: SqliteStore,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, OVERDUE_AT - dt.timedelta(minutes=1))
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    crashed = await crash_while_sending(store, notifier, clock, posted=True)
    claimed_at, lost = clock.now(), lost_message(notifier)
    last_recorded = max(m for m in message_ids(db_path).values() if m is not None)
    notifier.notices.clear()

    clock.set(OVERDUE_AT + HOURS_LATER)
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()

    assert notifier.notices == []  # not posted a second time
    ((channel, refs, since, after),) = notifier.history_reads
    assert (channel, refs) == (CHANNEL, {alert_nonce(crashed.id)})
    # Read from the last alert message recorded there before the claim (or, with none, from
    # a little before the claim's time).
    assert (since, after) == (claimed_at - CLOCK_SKEW, last_recorded)
    recorded = (await alerts_of(store, deadline_id))[crashed.id]
    assert recorded.sent_at is not None
    status = await services.deadlines.status(GUILD, deadline_id)
    history = [(e.action, e.detail) for e in status.history if e.action.startswith("alert")]
    assert history[-1] == (
        "alert already posted",
        f"overdue: found in the channel (message {lost}) after an unrecorded send; not posted "
        "again",
    )
    # The overdue series goes on from the recorded alert: Monday 09:00 is next.
    assert [a.send_at for a in status.next_alerts] == [OVERDUE_AT + dt.timedelta(days=1)]


async def test_after_a_crash_an_alert_not_in_the_channel_is_sent_once(
    services: Services, store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, OVERDUE_AT - dt.timedelta(minutes=1))
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    crashed = await crash_while_sending(store, notifier, clock, posted=False)
    notifier.notices.clear()

    clock.set(OVERDUE_AT + HOURS_LATER)
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()
        await dispatcher.settle()

    (posted,) = notifier.notices
    assert (posted.alert_id, posted.kind) == (crashed.id, AlertKind.OVERDUE)
    assert len(notifier.history_reads) == 1
    status = await services.deadlines.status(GUILD, deadline_id)
    assert [e.action for e in status.history][-1] == "alert sent"


async def test_an_answer_lost_after_the_post_does_not_repeat_it_on_the_retry(
    services: Services,
    store: SqliteStore,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    """Discord posted the message but its answer never came (a 504, a hang); the retry comes
    after the nonce window and finds the message instead of posting it again."""
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, REMINDER_AT - dt.timedelta(minutes=1))
    notifier.posted.clear()
    lost: list[AlertNotice] = []

    def lose_the_first(notice: AlertNotice) -> BaseException | None:
        if lost:
            return None
        lost.append(notice)
        return TransientSendError("504 Gateway Timeout")

    notifier.lose_answer = lose_the_first
    clock.set(REMINDER_AT + dt.timedelta(seconds=1))
    async with dispatcher_over(store, notifier, clock, retry_base=dt.timedelta(minutes=10)) as d:
        await d.settle()
        assert len(notifier.posted) == 1  # posted, answer lost, put off for a retry
        clock.set(REMINDER_AT + dt.timedelta(minutes=11))
        await d.settle()

    assert len(notifier.posted) == 1  # the retry found it
    ((_, _, _, message_id),) = notifier.posted
    assert message_ids(db_path)[lost[0].alert_id] == message_id
    status = await services.deadlines.status(GUILD, deadline_id)
    assert [e.action for e in status.history][-1] == "alert already posted"


async def test_a_channel_whose_history_cannot_be_read_gets_the_alert_with_a_note(
    services: Services, store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, OVERDUE_AT - dt.timedelta(minutes=1))
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    await crash_while_sending(store, notifier, clock, posted=True)
    notifier.notices.clear()
    notifier.history_error = HistoryUnavailable("the bot lacks Read Message History there")

    clock.set(OVERDUE_AT + HOURS_LATER)
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()

    assert len(notifier.notices) == 1  # a possible repeat rather than a lost alert
    status = await services.deadlines.status(GUILD, deadline_id)
    (last,) = status.history[-1:]
    assert (last.action, last.detail) == (
        "alert sent",
        "overdue: sent without checking the channel for an earlier copy "
        "(the bot lacks Read Message History there)",
    )


async def test_a_found_earlier_alert_is_recorded_and_only_the_later_one_posted(
    services: Services,
    store: SqliteStore,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    """Killed while posting the last reminder; back after the deadline passed: the reminder
    is found, and the alerts since go out as one (not collapsed with the one posted)."""
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, REMINDER_AT - dt.timedelta(minutes=1))
    clock.set(REMINDER_AT + dt.timedelta(seconds=1))
    reminder = await crash_while_sending(store, notifier, clock, posted=True)
    lost = lost_message(notifier)
    notifier.notices.clear()
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    missed = [
        a
        for a in (await alerts_of(store, deadline_id)).values()
        if a.sent_at is None and a.send_at <= clock.now() and a.id != reminder.id
    ]

    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()

    (posted,) = notifier.notices
    assert (posted.kind, posted.collapsed) == (AlertKind.OVERDUE, len(missed))
    messages = message_ids(db_path)
    assert messages[reminder.id] == lost
    assert messages[posted.alert_id] not in (None, lost)
    status = await services.deadlines.status(GUILD, deadline_id)
    found, sent = status.history[-2:]
    assert (found.action, found.detail.split(":")[0]) == ("alert already posted", "reminder")
    assert sent.action == "alert sent"
    assert "reminder" not in sent.detail


async def test_a_clean_stop_before_an_alert_was_due_leaves_nothing_to_check(
    services: Services, store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, REMINDER_AT - dt.timedelta(minutes=1))
    clock.set(REMINDER_AT - dt.timedelta(seconds=1))  # claimed (lookahead 2 s), not yet due
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()
    pending = [a for a in (await alerts_of(store, deadline_id)).values() if a.sent_at is None]
    assert pending
    assert all(a.attempted_at is None for a in pending)

    clock.set(REMINDER_AT + dt.timedelta(seconds=1))
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()

    assert [n.kind for n in notifier.notices][-1] is AlertKind.REMINDER
    assert notifier.history_reads == []


async def test_a_fallback_posted_before_a_crash_is_not_posted_again(
    services: Services, store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await services.settings.update(ADMIN, GUILD, default_channel_id=DEFAULT_CHANNEL)
    deadline_id = await add_bondi(services)
    await send_everything_due(store, notifier, clock, OVERDUE_AT - dt.timedelta(minutes=1))
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    crashed = await crash_while_sending(store, notifier, clock, posted=False)
    # The alert's channel refused it; the default channel got it; then the bot was killed.
    fallback = alert_nonce(crashed.id, fallback=True)
    notifier.posted.append((DEFAULT_CHANNEL, clock.now(), fallback, notifier.new_message_id()))
    notifier.fail = fail_channel(CHANNEL, permanent=True)
    notifier.notices.clear()

    clock.set(OVERDUE_AT + HOURS_LATER)
    async with dispatcher_over(store, notifier, clock) as dispatcher:
        await dispatcher.settle()

    assert notifier.notices == []  # neither channel got it again
    assert {channel for channel, *_ in notifier.history_reads} == {CHANNEL, DEFAULT_CHANNEL}
    status = await services.deadlines.status(GUILD, deadline_id)
    assert [e.action for e in status.history][-2:] == [
        "alert failed",
        "alert sent to the default channel",
    ]
