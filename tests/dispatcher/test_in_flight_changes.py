"""A deadline changed while its alert's request is in flight (review D1).

The change replans the deadline: it deletes the in-flight alert and plans anew. The send's
result must then land on nothing (never on a new alert that took the deleted one's id), and the
overdue series must not go on from the due date the sender was handed (the replan planned it).
NY FOIL preset, received Thu 2025-07-17: stage 1 due Thu Jul 24, first overdue alert Fri Jul 25
09:00 New York; stage 2 due Fri Aug 22.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from support import FakeClock, RecordingNotifier

from bot.discord.options import parse_when
from bot.dispatcher import Dispatcher
from bot.models import AlertKind, GuildDefaults
from bot.notices import AlertNotice
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)
FIRST_OVERDUE = dt.datetime(2025, 7, 25, 13, 0, tzinfo=dt.UTC)  # Fri 09:00 New York


class GatedNotifier(RecordingNotifier):
    """Holds each send until `gate` opens: the request is in flight meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()

    async def send_alert(self, notice: AlertNotice) -> int:
        self.started.set()
        await self.gate.wait()
        return await super().send_alert(notice)


@pytest.fixture
def notifier() -> GatedNotifier:
    return GatedNotifier()


async def _hold_send_at(
    at: dt.datetime, clock: FakeClock, dispatcher: Dispatcher, notifier: GatedNotifier
) -> None:
    clock.set(at - dt.timedelta(minutes=1))
    await dispatcher.settle()
    notifier.notices.clear()
    notifier.gate.clear()
    notifier.started.clear()
    clock.set(at)
    await asyncio.wait_for(notifier.started.wait(), 5)


async def _ny_deadline(services: Services) -> int:
    added = await services.deadlines.add(
        CREATOR,
        GUILD,
        channel_id=CHANNEL,
        text="NYPD overtime",
        preset="ny",
        start=dt.date(2025, 7, 17),
    )
    return added.deadline.id


async def test_stage_done_while_overdue_alert_in_flight(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: GatedNotifier,
    store: SqliteStore,
) -> None:
    deadline_id = await _ny_deadline(services)
    await _hold_send_at(FIRST_OVERDUE, clock, dispatcher, notifier)
    moved = await services.deadlines.done(CREATOR, GUILD, deadline_id, stage=0)
    assert moved.due == dt.date(2025, 8, 22)
    notifier.gate.set()
    await dispatcher.settle()
    async with store.transaction() as tx:
        pending = await tx.pending_alerts(GUILD, deadline_id)
    overdue = [a for a in pending if a.kind is AlertKind.OVERDUE]
    assert all(a.send_at > moved.due_at for a in overdue), overdue
    # Nothing marked "OVERDUE" goes out on the following mornings.
    notifier.notices.clear()
    clock.set(dt.datetime(2025, 7, 28, 13, 0, 1, tzinfo=dt.UTC))
    await dispatcher.settle()
    assert [n.kind for n in notifier.notices] == []


async def test_new_stage_reminder_keeps_its_own_record(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: GatedNotifier,
    store: SqliteStore,
) -> None:
    """The in-flight overdue alert's row is deleted by the replan; the new stage's 7-day
    reminder must not be recorded as sent with the overdue message (ids are never reused)."""
    deadline_id = await _ny_deadline(services)
    await _hold_send_at(FIRST_OVERDUE, clock, dispatcher, notifier)
    async with store.transaction() as tx:
        (in_flight,) = [
            a
            for a in await tx.alerts_of(GUILD, deadline_id)
            if a.sent_at is None and a.kind is AlertKind.OVERDUE
        ]
    await services.deadlines.done(CREATOR, GUILD, deadline_id, stage=0)
    notifier.gate.set()
    await dispatcher.settle()
    async with store.transaction() as tx:
        alerts = await tx.alerts_of(GUILD, deadline_id)
    assert [a for a in alerts if a.id == in_flight.id] == []
    assert [a for a in alerts if a.send_at > FIRST_OVERDUE and a.sent_at is not None] == []
    notifier.notices.clear()
    clock.set(dt.datetime(2025, 8, 15, 13, 0, 1, tzinfo=dt.UTC))  # 7 days before Aug 22
    await dispatcher.settle()
    assert [(n.kind, n.days_before) for n in notifier.notices] == [(AlertKind.REMINDER, 7)]


async def test_no_escalation_ping_for_a_deadline_moved_on(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: GatedNotifier,
) -> None:
    await services.settings.update(
        Actor.everywhere(USER, manage_guild=True), GUILD, escalation_role_id=777, escalate_after=2
    )
    deadline_id = await _ny_deadline(services)
    await _hold_send_at(FIRST_OVERDUE, clock, dispatcher, notifier)
    await services.deadlines.done(CREATOR, GUILD, deadline_id, stage=0)
    notifier.gate.set()
    await dispatcher.settle()
    notifier.notices.clear()
    clock.set(dt.datetime(2025, 7, 26, 13, 0, 1, tzinfo=dt.UTC))
    await dispatcher.settle()
    assert [n for n in notifier.notices if n.pings] == []
    assert notifier.notices == []


async def test_extend_while_overdue_alert_in_flight(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: GatedNotifier,
    store: SqliteStore,
) -> None:
    added = await services.deadlines.add(
        CREATOR,
        GUILD,
        channel_id=CHANNEL,
        text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17),
    )
    deadline_id = added.deadline.id
    await _hold_send_at(dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC), clock, dispatcher, notifier)
    extended = await services.deadlines.extend(
        CREATOR, GUILD, deadline_id, change=parse_when("14 days")
    )
    notifier.gate.set()
    await dispatcher.settle()
    async with store.transaction() as tx:
        pending = await tx.pending_alerts(GUILD, deadline_id)
    stale = [a for a in pending if a.kind is AlertKind.OVERDUE and a.send_at < extended.due_at]
    assert stale == []


class HangingNotifier(RecordingNotifier):
    """Posts, then (once) never answers: the watchdog gives up on the send."""

    def __init__(self) -> None:
        super().__init__()
        self.hang = False
        self.posted_event = asyncio.Event()

    async def send_alert(self, notice: AlertNotice) -> int:
        message = await super().send_alert(notice)
        if self.hang:
            self.hang = False
            self.posted_event.set()
            await asyncio.Event().wait()
        return message


async def test_retry_of_a_superseded_alert_lands_on_nothing(
    store: SqliteStore, clock: FakeClock
) -> None:
    """A send with no answer while the member extends: the retry must not land on the new
    plan's first alert (which took the deleted alert's id) and post it days early."""
    reminder_at = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # Bondi letter, 7 days left
    notifier = HangingNotifier()
    async with Dispatcher(
        store, notifier, clock=clock, defaults=GuildDefaults(), send_timeout=1.0
    ) as dispatcher:
        services = Services.over(store, clock=clock)
        services.changes.subscribe(dispatcher.changed)
        added = await services.deadlines.add(
            CREATOR,
            GUILD,
            channel_id=CHANNEL,
            text="Bondi letter, 30 days",
            start=dt.date(2025, 7, 17),
        )
        clock.set(reminder_at - dt.timedelta(minutes=1))
        await dispatcher.settle()
        notifier.notices.clear()
        notifier.hang = True
        clock.set(reminder_at)
        await asyncio.wait_for(notifier.posted_event.wait(), 5)
        await services.deadlines.extend(
            CREATOR, GUILD, added.deadline.id, change=parse_when("14 days")
        )
        await asyncio.sleep(2.5)  # the watchdog gives up on the send
        await dispatcher.settle()
        notifier.notices.clear()
        clock.set(reminder_at + dt.timedelta(seconds=15))
        await dispatcher.settle()
        assert notifier.notices == []
        async with store.transaction() as tx:
            alerts = await tx.alerts_of(GUILD, added.deadline.id)
        assert all(a.next_attempt_at == a.send_at for a in alerts if a.sent_at is None)
