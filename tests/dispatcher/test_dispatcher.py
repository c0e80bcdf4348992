"""The dispatcher over real SQLite, with a fake clock and a recording notifier."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from support import FakeClock, RecordingNotifier, fail_channel

from bot import sending as sending_module
from bot.deadlines import Rule, parse_phrase
from bot.dispatcher import LOOKAHEAD, PREPARE_AHEAD, Dispatcher
from bot.models import AlertKind, Deadline, NewDeadline, PlannedAlert
from bot.notices import alert_nonce
from bot.sending import SENDER_TURN_SECONDS
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, USER, CHANNEL, OTHER_CHANNEL, DEFAULT_CHANNEL = 100, 5, 10, 11, 12
CREATOR = Actor(USER)
ADMIN = Actor.everywhere(USER, manage_guild=True)  # Manage Server: may change settings
UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


async def add(
    services: Services, text: str = "Bondi letter, 30 days", channel: int = CHANNEL
) -> Deadline:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=channel, text=text, start=dt.date(2025, 7, 17)
    )
    return added.deadline


async def test_an_alert_is_sent_once_at_its_time(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline = await add(services)
    await dispatcher.settle()
    assert notifier.notices == []
    clock.set(at(2025, 8, 9, 13, 0))  # 09:00 New York: the 7-day reminder
    await dispatcher.settle()
    assert [(n.kind, n.days_before, n.collapsed) for n in notifier.notices] == [
        (AlertKind.REMINDER, 7, 1)
    ]
    notice = notifier.notices[0]
    assert notice.channel_id == CHANNEL
    assert notice.deadline.id == deadline.id
    assert notice.nonce == alert_nonce(notice.alert_id)
    assert len(notice.nonce) <= 25
    clock.advance(hours=1)
    await dispatcher.settle()
    assert len(notifier.notices) == 1
    status = await services.deadlines.status(GUILD, deadline.id)
    assert "alert sent" in [h.action for h in status.history]


async def test_the_whole_bondi_series(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await services.settings.update(ADMIN, GUILD, escalation_role_id=77)
    await add(services)
    for day in range(9, 21):
        clock.set(at(2025, 8, day, 13, 0))
        await dispatcher.settle()
    kinds = [(n.kind, n.seq, n.escalation_role_id) for n in notifier.notices]
    assert kinds == [
        (AlertKind.REMINDER, 0, None),
        (AlertKind.REMINDER, 0, None),
        (AlertKind.REMINDER, 0, None),
        (AlertKind.DUE_TODAY, 0, None),
        (AlertKind.OVERDUE, 1, None),
        (AlertKind.OVERDUE, 2, None),
        (AlertKind.OVERDUE, 3, 77),
        (AlertKind.OVERDUE, 4, 77),
    ]
    assert all(n.collapsed == 1 for n in notifier.notices)


async def test_done_stops_alerts(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline = await add(services)
    await services.deadlines.done(CREATOR, GUILD, deadline.id)
    clock.set(at(2025, 9, 30))
    await dispatcher.settle()
    assert notifier.notices == []


async def test_extend_replans_future_alerts(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline = await add(services)
    await services.deadlines.extend(
        CREATOR, GUILD, deadline.id, change=parse_phrase("14 days").spec
    )
    clock.set(at(2025, 8, 17, 13, 0))  # the old overdue time: nothing is due any more
    await dispatcher.settle()
    assert notifier.notices == []
    clock.set(at(2025, 8, 23, 13, 0))  # 7 days before the new due date, Sat Aug 30
    await dispatcher.settle()
    assert [(n.kind, n.days_before) for n in notifier.notices] == [(AlertKind.REMINDER, 7)]
    assert notifier.notices[0].deadline.due == dt.date(2025, 8, 30)


async def test_catch_up_after_three_days_down_sends_one_message_per_deadline(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    services = Services.over(store, clock=clock)
    first = await add(services)
    second = await add(services, "FOIA, by 2025-08-15", channel=OTHER_CHANNEL)
    # The bot is down from Aug 12 to Aug 17 14:00 UTC.
    clock.set(at(2025, 8, 17, 14, 0))
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
        by_deadline = {n.deadline.id: n for n in notifier.notices}
        assert len(notifier.notices) == 2
        assert by_deadline[first.id].kind is AlertKind.OVERDUE
        assert by_deadline[first.id].collapsed == 5  # 3 reminders, due today, overdue
        assert by_deadline[first.id].late_by == dt.timedelta(hours=1)
        assert by_deadline[first.id].overdue_by is not None
        assert by_deadline[second.id].collapsed == 5
        clock.advance(minutes=30)
        await dispatcher.settle()
        assert len(notifier.notices) == 2
        # The series carries on: tomorrow at 09:00.
        clock.set(at(2025, 8, 18, 13, 0))
        await dispatcher.settle()
    assert len(notifier.notices) == 4
    assert {n.kind for n in notifier.notices[2:]} == {AlertKind.OVERDUE}


async def test_restart_does_not_repeat_sent_alerts(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    services = Services.over(store, clock=clock)
    await add(services)
    clock.set(at(2025, 8, 9, 13, 0))
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
    assert len(notifier.notices) == 1
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
    assert len(notifier.notices) == 1


async def test_a_crash_between_send_and_mark_resends_with_the_same_nonce(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    services = Services.over(store, clock=clock)
    await add(services)
    clock.set(at(2025, 8, 9, 13, 0))
    # A previous process claimed the alert (and maybe sent it) but died before marking it.
    async with store.transaction() as tx:
        ((alert, _),) = await tx.claim_due(clock.now(), limit=10)
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
    assert [n.nonce for n in notifier.notices] == [alert_nonce(alert.id)]


async def test_transient_failures_are_retried_until_delivered(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline = await add(services)
    notifier.fail = fail_channel(CHANNEL, permanent=False, times=2)
    clock.set(at(2025, 8, 9, 13, 0))
    await dispatcher.settle()
    assert notifier.notices == []
    assert len(notifier.attempts) == 1
    for _ in range(3):
        clock.advance(minutes=1)
        await dispatcher.settle()
    assert len(notifier.attempts) == 3
    assert len(notifier.notices) == 1
    assert notifier.attempts[0].nonce == notifier.notices[0].nonce
    status = await services.deadlines.status(GUILD, deadline.id)
    assert [h.action for h in status.history].count("alert sent") == 1


async def test_a_failing_channel_does_not_block_others_and_falls_back(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await services.settings.update(ADMIN, GUILD, default_channel_id=DEFAULT_CHANNEL)
    broken = await add(services, "Broken, 30 days", channel=CHANNEL)
    fine = await add(services, "Fine, 30 days", channel=OTHER_CHANNEL)
    notifier.fail = fail_channel(CHANNEL, permanent=True)
    clock.set(at(2025, 8, 9, 13, 0))
    await dispatcher.settle()
    delivered = {(n.deadline.id, n.channel_id, n.fallback) for n in notifier.notices}
    assert delivered == {(fine.id, OTHER_CHANNEL, False), (broken.id, DEFAULT_CHANNEL, True)}
    status = await services.deadlines.status(GUILD, broken.id)
    actions = [h.action for h in status.history]
    assert "alert failed" in actions
    assert "alert sent to the default channel" in actions
    assert "403" in next(h.detail for h in status.history if h.action == "alert failed")
    # The failed alert is not retried; the next reminder still goes out (and falls back).
    clock.set(at(2025, 8, 13, 13, 0))
    await dispatcher.settle()
    assert sum(1 for n in notifier.notices if n.deadline.id == broken.id) == 2


async def test_an_earlier_alert_wakes_the_sleeping_dispatcher(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await add(services)
    await dispatcher.settle()
    assert dispatcher.armed_at == at(2025, 8, 9, 13, 0) - LOOKAHEAD
    await add(services, "Call back, by 2025-07-17 10:30")  # due this morning: alerts today
    await dispatcher.settle()
    assert dispatcher.armed_at == at(2025, 7, 17, 13, 0) - LOOKAHEAD  # due-today at 09:00
    clock.set(at(2025, 7, 17, 13, 0))
    await dispatcher.settle()
    assert [n.kind for n in notifier.notices] == [AlertKind.DUE_TODAY]


async def test_snoozed_after_claim_is_not_sent(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    services = Services.over(store, clock=clock)
    deadline = await add(services)
    clock.set(at(2025, 8, 9, 13, 0))
    async with store.transaction() as tx:
        await tx.claim_due(clock.now(), limit=10)
        current = await tx.get_deadline(GUILD, deadline.id)
        assert current is not None
        await tx.update_deadline(dataclasses.replace(current, snoozed_until=at(2025, 8, 12, 13, 0)))
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
    assert notifier.notices == []


async def test_paused_after_claim_is_not_sent(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    services = Services.over(store, clock=clock)
    deadline = await add(services)
    clock.set(at(2025, 8, 9, 13, 0))
    async with store.transaction() as tx:
        await tx.claim_due(clock.now(), limit=10)
        current = await tx.get_deadline(GUILD, deadline.id)
        assert current is not None
        await tx.update_deadline(dataclasses.replace(current, paused_at=clock.now(), paused_left=7))
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:
        await dispatcher.settle()
        clock.set(at(2025, 9, 30))  # long past the old due date: a paused deadline is not overdue
        await dispatcher.settle()
    assert notifier.notices == []


async def test_a_paused_deadline_gets_no_alerts_until_it_resumes(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline = await add(services)  # due Sat 2025-08-16, calendar days
    clock.set(at(2025, 8, 6, 13, 0))  # Wed: 10 calendar days left
    await services.deadlines.pause(CREATOR, GUILD, deadline.id, reason="narrowing")
    clock.set(at(2025, 9, 30, 13, 0))
    await dispatcher.settle()
    assert notifier.notices == []
    resumed = await services.deadlines.resume(CREATOR, GUILD, deadline.id)
    assert resumed.due == dt.date(2025, 10, 10)  # Tue Sep 30 + 10 days
    clock.set(at(2025, 10, 3, 13, 0))  # 7 days before: the first alert since the pause
    await dispatcher.settle()
    assert [(n.kind, n.days_before) for n in notifier.notices] == [(AlertKind.REMINDER, 7)]


async def test_digest_lists_active_deadlines_of_the_guild(
    services: Services, dispatcher: Dispatcher, notifier: RecordingNotifier
) -> None:
    assert await dispatcher.send_digest(GUILD) is None  # disabled by default
    await services.settings.update(
        ADMIN, GUILD, digest_enabled=True, default_channel_id=DEFAULT_CHANNEL
    )
    await add(services)
    await services.deadlines.add(CREATOR, GUILD + 1, channel_id=1, text="Elsewhere, 3 days")
    assert await dispatcher.send_digest(GUILD) is not None
    ((guild_id, channel_id, deadlines),) = notifier.digests
    assert (guild_id, channel_id) == (GUILD, DEFAULT_CHANNEL)
    assert [d.title for d in deadlines] == ["Bondi letter"]


async def test_stop_is_clean_and_leaves_nothing_claimed(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier, db_path: Path
) -> None:
    services = Services.over(store, clock=clock)
    await add(services)
    dispatcher = Dispatcher(store, notifier, clock=clock)
    await dispatcher.start()
    await dispatcher.stop()
    await dispatcher.stop()  # idempotent
    async with store.transaction() as tx:
        assert await tx.release_claims() == 0


@pytest.mark.parametrize(
    "ahead",
    [LOOKAHEAD / 2, PREPARE_AHEAD / 2],
    ids=["claimed", "claimed and prepared"],
)
async def test_a_change_inside_the_lookahead_window_is_respected(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    ahead: dt.timedelta,
) -> None:
    closed = await add(services, "Closed, 30 days")
    moved = await add(services, "Moved, 30 days")
    kept = await add(services, "Kept, 30 days")
    reminder_at = at(2025, 8, 9, 13, 0)
    clock.set(reminder_at - ahead)  # all three reminders are claimed (and maybe grouped) now
    await dispatcher.settle()
    assert notifier.notices == []
    await services.deadlines.done(CREATOR, GUILD, closed.id)
    await services.deadlines.extend(CREATOR, GUILD, moved.id, change=parse_phrase("7 days").spec)
    clock.set(reminder_at)
    await dispatcher.settle()
    assert [n.deadline.id for n in notifier.notices] == [kept.id]
    # A notice built ahead is for its instant.
    assert (notifier.notices[0].planned_at, notifier.notices[0].now) == (reminder_at, reminder_at)
    clock.set(at(2025, 8, 16, 13, 0))  # the moved deadline's 7-day reminder
    await dispatcher.settle()
    moved_notices = notifier.for_deadline(GUILD, moved.id)
    assert [(n.kind, n.deadline.due) for n in moved_notices] == [
        (AlertKind.REMINDER, dt.date(2025, 8, 23))
    ]


async def test_metrics_observe_sent_failed_and_retried_alerts(
    store: SqliteStore, clock: FakeClock
) -> None:
    from bot.metrics import Metrics

    metrics = Metrics()
    notifier = RecordingNotifier()
    services = Services.over(store, clock=clock)
    await add(services, "Fine, 30 days", channel=OTHER_CHANNEL)
    await add(services, "Broken, 30 days", channel=CHANNEL)
    await add(services, "Flaky, 30 days", channel=DEFAULT_CHANNEL)
    transient = fail_channel(DEFAULT_CHANNEL, permanent=False)
    permanent = fail_channel(CHANNEL, permanent=True)
    notifier.fail = lambda notice: transient(notice) or permanent(notice)
    clock.set(at(2025, 8, 9, 13, 0, 30))  # 30 s late
    async with Dispatcher(store, notifier, clock=clock, observer=metrics) as dispatcher:
        await dispatcher.settle()
    text = metrics.render().decode()
    assert 'deadline_desk_alerts_sent_total{kind="reminder"} 1.0' in text
    assert 'deadline_desk_alerts_failed_total{kind="reminder"} 1.0' in text
    assert 'deadline_desk_alerts_retried_total{kind="reminder"} 1.0' in text
    assert 'deadline_desk_alert_lateness_seconds_bucket{le="30.0"} 1.0' in text
    assert 'deadline_desk_alert_lateness_seconds_bucket{le="5.0"} 0.0' in text


async def test_senders_share_one_turn_so_the_loop_runs_between_turns(
    store: SqliteStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen senders with a notifier that never waits: every loop iteration may spend one
    turn (SENDER_TURN_SECONDS) on sends in all, not one turn per sender."""
    turn_clock = [0.0]
    monkeypatch.setattr(sending_module, "_monotonic", lambda: turn_clock[0])
    iterations = 0
    sends_per_iteration: Counter[int] = Counter()

    class OneMillisecondNotifier(RecordingNotifier):
        async def send_alert(self, notice):  # type: ignore[no-untyped-def]
            turn_clock[0] += 0.001
            sends_per_iteration[iterations] += 1
            return await super().send_alert(notice)

    due = at(2025, 8, 9, 13, 0)
    template = NewDeadline(
        guild_id=GUILD, channel_id=CHANNEL, title="x", start=dt.date(2025, 7, 17),
        rule=Rule.CALENDAR, calendar="US", period="30 days", due=dt.date(2025, 9, 9),
        due_at=due + dt.timedelta(days=31), has_time=False, explanation=(), created_by=USER,
        created_at=clock.now(),
    )  # fmt: skip
    alert = PlannedAlert(AlertKind.REMINDER, due, days_before=31)
    # One channel each: alerts of one instant in one channel would go out as one message.
    spread = [dataclasses.replace(template, channel_id=1000 + n) for n in range(200)]
    async with store.transaction() as tx:
        await tx.insert_deadlines([(new, [alert]) for new in spread])
    loop = asyncio.get_running_loop()

    def count_iteration() -> None:
        nonlocal iterations, handle
        iterations += 1
        handle = loop.call_soon(count_iteration)  # runs once in every loop iteration

    handle = loop.call_soon(count_iteration)
    notifier = OneMillisecondNotifier()
    try:
        async with Dispatcher(store, notifier, clock=clock, senders=16) as dispatcher:
            clock.set(due)
            await dispatcher.settle()
    finally:
        handle.cancel()
    assert len(notifier.notices) == 200
    per_turn = round(SENDER_TURN_SECONDS / 0.001)
    assert max(sends_per_iteration.values()) <= per_turn + 1
