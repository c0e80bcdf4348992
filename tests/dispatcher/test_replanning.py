"""A change while an alert waits for a retry (issue 12.1): the real dispatcher over real
SQLite, with a fake clock and a notifier that fails on demand.

The 7-day reminder of the Bondi letter (Sat 2025-08-09 09:00 New York) or its first overdue
alert (Sun 2025-08-17 09:00) fails once with a 503 and waits 10 s for its retry; then someone
changes the deadline or the server's settings. A change that leaves the schedule alone keeps
the alert and its retry; one that alters it either still gives the deadline that alert (kept)
or supersedes it, with a history entry. No alert disappears without a trace.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from support import FakeClock, RecordingNotifier, fail_channel

from bot.deadlines import parse_phrase
from bot.dispatcher import Dispatcher
from bot.models import AlertKind, Deadline, GuildDefaults, StoredAlert
from bot.notices import AlertNotice
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, USER, CHANNEL, ELSEWHERE = 100, 5, 10, 11
CREATOR = Actor(USER)
ADMIN = Actor.everywhere(USER, manage_guild=True)
REMINDER_AT = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # Sat 09:00 New York
OVERDUE_AT = dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC)  # Sun 09:00 New York
PAST_RETRY = dt.timedelta(seconds=30)  # the first retry comes 10 s after a failure


async def failed_once_at(
    when: dt.datetime,
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
) -> Deadline:
    """The Bondi letter, whose alert at `when` has just failed once and waits for a retry."""
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17),
    )  # fmt: skip
    # Whatever was due earlier goes out first (and is forgotten here).
    clock.set(when - dt.timedelta(minutes=1))
    await dispatcher.settle()
    notifier.notices.clear()
    notifier.attempts.clear()
    notifier.fail = fail_channel(CHANNEL, permanent=False, times=1)
    clock.set(when + dt.timedelta(seconds=1))
    await dispatcher.settle()
    assert len(notifier.attempts) == 1
    assert notifier.notices == []
    (waiting,) = await due(services, added.deadline.id, clock)
    assert (waiting.send_at, waiting.attempts) == (when, 1)
    return added.deadline


async def due(services: Services, deadline_id: int, clock: FakeClock) -> list[StoredAlert]:
    """The deadline's alerts due by now and neither sent nor failed."""
    async with services.unit.transaction() as tx:
        alerts = await tx.alerts_of(GUILD, deadline_id)
    return [
        a for a in alerts
        if a.sent_at is None and a.failed_at is None and a.send_at < clock.now()
    ]  # fmt: skip


async def history(services: Services, deadline_id: int) -> list[tuple[str, str]]:
    status = await services.deadlines.status(GUILD, deadline_id)
    return [(entry.action, entry.detail) for entry in status.history]


@pytest.mark.parametrize(
    "change",
    ["notes", "title", "link", "channel", "mention", "settings no-op", "settings channel"],
)
async def test_a_change_that_leaves_the_schedule_alone_keeps_the_retry(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    change: str,
) -> None:
    deadline = await failed_once_at(REMINDER_AT, services, dispatcher, clock, notifier)
    edit = services.deadlines.edit
    changes = {
        "notes": lambda: edit(CREATOR, GUILD, deadline.id, notes="county says Monday"),
        "title": lambda: edit(CREATOR, GUILD, deadline.id, title="Bondi letter (DOJ)"),
        "link": lambda: edit(CREATOR, GUILD, deadline.id, link="https://justice.gov/l.pdf"),
        "channel": lambda: edit(CREATOR, GUILD, deadline.id, channel_id=ELSEWHERE),
        "mention": lambda: edit(CREATOR, GUILD, deadline.id, mention=None),
        "settings no-op": lambda: services.settings.update(ADMIN, GUILD, digest_enabled=False),
        "settings channel": lambda: services.settings.update(
            ADMIN, GUILD, default_channel_id=ELSEWHERE
        ),
    }
    await changes[change]()
    (kept,) = await due(services, deadline.id, clock)
    assert (kept.send_at, kept.attempts) == (REMINDER_AT, 1)  # its retry, as it was
    clock.advance(seconds=PAST_RETRY.total_seconds())
    await dispatcher.settle()
    (sent,) = notifier.notices
    assert (sent.kind, sent.days_before) == (AlertKind.REMINDER, 7)
    assert sent.channel_id == (ELSEWHERE if change == "channel" else CHANNEL)
    assert "alert superseded" not in {action for action, _ in await history(services, deadline.id)}


async def test_a_schedule_change_that_still_gives_the_alert_keeps_it(
    services: Services, dispatcher: Dispatcher, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    deadline = await failed_once_at(OVERDUE_AT, services, dispatcher, clock, notifier)
    # Escalating from the second overdue alert changes the plan, not the first one's time.
    await services.settings.update(ADMIN, GUILD, escalate_after=2, escalation_role_id=77)
    (kept,) = await due(services, deadline.id, clock)
    assert (kept.kind, kept.send_at, kept.attempts) == (AlertKind.OVERDUE, OVERDUE_AT, 1)
    clock.advance(seconds=PAST_RETRY.total_seconds())
    await dispatcher.settle()
    (sent,) = notifier.notices
    assert (sent.kind, sent.collapsed) == (AlertKind.OVERDUE, 1)
    # The series goes on: the next overdue alert is planned for Monday 09:00.
    status = await services.deadlines.status(GUILD, deadline.id)
    assert [a.send_at for a in status.next_alerts] == [OVERDUE_AT + dt.timedelta(days=1)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("extend", "extended"),
        ("snooze", "snoozed"),
        ("done", "done"),
        ("pause", "paused"),
        ("alert time", "settings: alert_time=10:30"),
    ],
)
async def test_a_change_that_drops_a_due_alert_says_so_in_the_history(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    change: str,
    reason: str,
) -> None:
    deadline = await failed_once_at(REMINDER_AT, services, dispatcher, clock, notifier)
    use = services.deadlines
    changes = {
        "extend": lambda: use.extend(
            CREATOR, GUILD, deadline.id, change=parse_phrase("14 days").spec
        ),
        "snooze": lambda: use.snooze(
            CREATOR, GUILD, deadline.id, until=parse_phrase("2 days").spec
        ),
        "done": lambda: use.done(CREATOR, GUILD, deadline.id),
        "pause": lambda: use.pause(CREATOR, GUILD, deadline.id, reason="narrowing"),
        "alert time": lambda: services.settings.update(ADMIN, GUILD, alert_time=dt.time(10, 30)),
    }
    await changes[change]()
    assert await due(services, deadline.id, clock) == []
    superseded = [d for a, d in await history(services, deadline.id) if a == "alert superseded"]
    assert superseded == [f"reminder due 2025-08-09 13:00 UTC, not sent: {reason}"]
    clock.advance(seconds=PAST_RETRY.total_seconds())
    await dispatcher.settle()
    # Moved to 10:30 the same morning, the 7-day reminder goes out then, once; otherwise
    # nothing is sent for the superseded alert.
    if change == "alert time":
        clock.set(dt.datetime(2025, 8, 9, 14, 30, 1, tzinfo=dt.UTC))
        await dispatcher.settle()
        assert [(n.kind, n.days_before) for n in notifier.notices] == [(AlertKind.REMINDER, 7)]
    else:
        assert notifier.notices == []


class GatedNotifier(RecordingNotifier):
    """Holds the first send until the test opens the gate (a slow Discord)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def send_alert(self, notice: AlertNotice) -> int:
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()
        return await super().send_alert(notice)


@pytest.mark.parametrize("change", ["done", "snooze", "extend", "pause"])
async def test_an_alert_handed_over_before_a_change_is_not_posted_after_it(
    store: SqliteStore, clock: FakeClock, change: str
) -> None:
    """One sender, two deadlines due at once: the first send hangs; meanwhile the second
    deadline is marked done, snoozed, extended by a year or paused. Its alert, already handed to the
    sender, must not go out with the old state (issue 12.5)."""
    notifier = GatedNotifier()
    async with Dispatcher(
        store, notifier, clock=clock, defaults=GuildDefaults(), senders=1
    ) as dispatcher:
        services = Services.over(store, clock=clock)
        services.changes.subscribe(dispatcher.changed)
        use = services.deadlines
        ids = []
        # Two channels: in one channel, alerts of one instant go out as one message (the
        # change right before that request is tests/dispatcher/test_grouping.py's).
        for title, channel in (("Bondi letter", CHANNEL), ("FOIA request", ELSEWHERE)):
            added = await use.add(
                CREATOR, GUILD, channel_id=channel, text=f"{title}, 30 days",
                start=dt.date(2025, 7, 17),
            )  # fmt: skip
            ids.append(added.deadline.id)
        clock.set(REMINDER_AT + dt.timedelta(seconds=1))
        dispatcher.wake()
        await asyncio.wait_for(notifier.waiting.wait(), 5)  # both handed over, one sending
        second = ids[1]
        if change == "done":
            await use.done(CREATOR, GUILD, second)
        elif change == "snooze":
            await use.snooze(CREATOR, GUILD, second, until=parse_phrase("3 days").spec)
        elif change == "pause":
            await use.pause(CREATOR, GUILD, second)
        else:
            await use.extend(CREATOR, GUILD, second, change=parse_phrase("1 year").spec)
        notifier.gate.set()
        await dispatcher.settle()
        assert [n.deadline.id for n in notifier.notices] == [ids[0]]
        actions = [action for action, _ in await history(services, second)]
        assert "alert sent" not in actions
        assert actions[-1] == "alert superseded"  # the due reminder, with the reason
        # Nothing was lost for the first deadline, nothing is left claimed for the second.
        async with store.transaction() as tx:
            pending = await tx.alerts_of(GUILD, second)
        assert all(a.sent_at is None for a in pending)
