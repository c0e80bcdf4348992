"""DM copies through the real dispatcher over real SQLite (issue 18.5): each copy goes once, as a
message of its own that pings nobody; a refused DM fails alone (the channel's alert goes out,
nothing is posted anywhere else); a crash between the DM and its record does not repeat it."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from support import FakeClock, RecordingNotifier, lane_of

from bot.dispatcher import Dispatcher
from bot.models import AlertKind, Mention, MentionKind
from bot.notices import AlertNotice, RecipientRefused, TransientSendError, alert_nonce
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, USER, COLLEAGUE, CHANNEL, DEFAULT_CHANNEL, ROLE = 100, 5, 6, 10, 11, 77
ADMIN = Actor.everywhere(USER, manage_guild=True, mention_everyone=True)
REMINDER_AT = dt.datetime(2025, 8, 15, 13, 0, tzinfo=dt.UTC)  # Fri 09:00 New York: 1 day left
OVERDUE_AT = dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC)  # Sun 09:00 New York
HOURS_LATER = dt.timedelta(hours=3)


@pytest.fixture
def services(store: SqliteStore, clock: FakeClock) -> Services:
    """No dispatcher running: each test starts its own, as a fresh process would."""
    return Services.over(store, clock=clock)


async def add_bondi(services: Services, *, dm: bool = True) -> int:
    added = await services.deadlines.add(
        ADMIN, GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17), dm=dm, mention=Mention(MentionKind.ROLE, ROLE),
    )  # fmt: skip
    return added.deadline.id


async def run_until(
    store: SqliteStore, notifier: RecordingNotifier, clock: FakeClock, at: dt.datetime
) -> None:
    clock.set(at)
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:  # type: ignore[arg-type]
        await dispatcher.settle()


def alert_rows(db_path: Path) -> list[tuple[int, str, int | None, bool, bool, str | None]]:
    """(id, kind, dm user, sent, failed, error) of every alert, read as another process would."""
    with contextlib.closing(sqlite3.connect(db_path)) as raw:
        return [
            (i, kind, dm, sent is not None, failed is not None, error)
            for i, kind, dm, sent, failed, error in raw.execute(
                "SELECT id, kind, dm_user_id, sent_at, failed_at, error FROM alerts ORDER BY id"
            )
        ]


def refuse_dms_to(user_id: int) -> Callable[[AlertNotice], Exception | None]:
    def policy(notice: AlertNotice) -> Exception | None:
        if notice.dm_user_id == user_id:
            return RecipientRefused("50007 Cannot send messages to this user")
        return None

    return policy


async def test_each_alert_goes_to_the_channel_and_once_to_each_member_who_asked(
    services: Services, store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    deadline_id = await add_bondi(services)
    await services.deadlines.dm_copies(Actor(COLLEAGUE), GUILD, deadline_id, on=True)
    notifier = RecordingNotifier()
    await run_until(store, notifier, clock, REMINDER_AT)
    await run_until(store, notifier, clock, REMINDER_AT + dt.timedelta(minutes=5))  # a restart

    # The 7, 3 and 1 day reminders, missed: one message each to the channel, USER, COLLEAGUE.
    by_lane = {lane_of(n): n for n in notifier.notices}
    assert sorted(lane_of(n) for n in notifier.notices) == [-COLLEAGUE, -USER, CHANNEL]
    channel, mine = by_lane[CHANNEL], by_lane[-USER]
    assert channel.collapsed == mine.collapsed == 3
    assert channel.pings == (Mention(MentionKind.ROLE, ROLE),)
    assert mine.pings == ()
    assert mine.mention is None
    assert mine.dm_user_id == USER
    assert mine.channel_id == CHANNEL
    assert mine.nonce != channel.nonce  # an alert row, and a nonce, of its own
    assert all(sent for _, kind, _, sent, _, _ in alert_rows(db_path) if kind == "reminder")
    # The deadline's history speaks of the channel's alert only.
    status = await services.deadlines.status(GUILD, deadline_id, viewer_id=USER)
    sent = [e for e in status.history if e.action.startswith("alert")]
    assert [e.action for e in sent] == ["alert sent"]
    assert status.dm is not None
    assert status.dm.last_sent_at == REMINDER_AT


async def test_a_refused_dm_fails_alone_the_channel_alert_goes_out_and_nothing_elsewhere(
    services: Services, store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    await services.settings.update(ADMIN, GUILD, default_channel_id=DEFAULT_CHANNEL)
    deadline_id = await add_bondi(services)
    notifier = RecordingNotifier()
    notifier.fail = refuse_dms_to(USER)
    await run_until(store, notifier, clock, REMINDER_AT)
    await run_until(store, notifier, clock, REMINDER_AT + dt.timedelta(hours=1))

    assert [lane_of(n) for n in notifier.notices] == [CHANNEL]  # not the default channel
    assert [lane_of(n) for n in notifier.attempts].count(-USER) == 1  # not retried
    copies = [r for r in alert_rows(db_path) if r[2] == USER and r[1] == "reminder"]
    assert copies
    assert all(failed and not sent for _, _, _, sent, failed, _ in copies)
    assert all(error == "50007 Cannot send messages to this user" for *_, error in copies)
    status = await services.deadlines.status(GUILD, deadline_id, viewer_id=USER)
    assert status.dm is not None
    assert status.dm.on
    assert status.dm.failed_last
    assert status.dm.last_error is not None
    assert status.dm.last_error.startswith("50007")
    assert not any("DM" in e.detail or e.action == "alert failed" for e in status.history)
    # The next alert tries the DM again (the member may have opened their DMs since).
    notifier.fail = lambda notice: None
    await run_until(store, notifier, clock, REMINDER_AT + dt.timedelta(days=1))
    assert [lane_of(n) for n in notifier.notices] == [CHANNEL, CHANNEL, -USER]
    status = await services.deadlines.status(GUILD, deadline_id, viewer_id=USER)
    assert status.dm is not None
    assert not status.dm.failed_last


async def test_a_transient_failure_of_a_dm_is_retried_and_sent_once(
    services: Services, store: SqliteStore, clock: FakeClock
) -> None:
    await add_bondi(services)
    notifier = RecordingNotifier()
    notifier.fail = lambda n: TransientSendError("503") if n.dm_user_id else None
    await run_until(store, notifier, clock, REMINDER_AT)
    assert [lane_of(n) for n in notifier.notices] == [CHANNEL]
    notifier.fail = lambda notice: None
    await run_until(store, notifier, clock, REMINDER_AT + dt.timedelta(minutes=1))
    await run_until(store, notifier, clock, REMINDER_AT + dt.timedelta(minutes=30))
    assert [lane_of(n) for n in notifier.notices] == [CHANNEL, -USER]


async def test_after_a_crash_a_dm_copy_already_sent_is_recorded_not_sent_again(
    services: Services, store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    await add_bondi(services)
    notifier = RecordingNotifier()
    await run_until(store, notifier, clock, OVERDUE_AT - dt.timedelta(minutes=1))
    # A run killed right after Discord took the DM copy of the overdue alert: claimed, its
    # message in the DM channel, nothing recorded.
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    async with store.transaction() as tx:
        claimed = await tx.claim_due(clock.now(), limit=10, now=clock.now())
    (copy,) = [alert for alert, _ in claimed if alert.dm_user_id == USER]
    assert copy.kind is AlertKind.OVERDUE
    lost = notifier.new_message_id()
    notifier.posted.append((-USER, clock.now(), alert_nonce(copy.id), lost))
    notifier.notices.clear()

    await run_until(store, notifier, clock, OVERDUE_AT + HOURS_LATER)  # past any nonce window
    # The channel's overdue alert goes out (it was claimed, never posted); the copy does not.
    assert [lane_of(n) for n in notifier.notices] == [CHANNEL]
    reads = [(lane, refs) for lane, refs, _, _ in notifier.history_reads]
    assert (-USER, frozenset({alert_nonce(copy.id)})) in reads
    with contextlib.closing(sqlite3.connect(db_path)) as raw:
        (message,) = raw.execute("SELECT message_id FROM alerts WHERE id = ?", (copy.id,))
    assert message == (lost,)
    # And the overdue series goes on, copies included: Monday's alert, once each.
    notifier.notices.clear()
    await run_until(store, notifier, clock, OVERDUE_AT + dt.timedelta(days=1))
    assert sorted(lane_of(n) for n in notifier.notices) == [-USER, CHANNEL]


async def test_turning_copies_off_stops_the_ones_already_claimed(
    services: Services, store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    deadline_id = await add_bondi(services)
    notifier = RecordingNotifier()
    await run_until(store, notifier, clock, REMINDER_AT - dt.timedelta(minutes=1))
    assert sorted(lane_of(n) for n in notifier.notices) == [-USER, CHANNEL]  # the missed ones
    notifier.notices.clear()
    clock.set(REMINDER_AT - dt.timedelta(seconds=1))
    async with Dispatcher(store, notifier, clock=clock) as dispatcher:  # type: ignore[arg-type]
        services.changes.subscribe(dispatcher.changed)
        await dispatcher.settle()  # claimed within the lookahead, in the buffer
        with contextlib.closing(sqlite3.connect(db_path)) as raw:
            (claimed,) = raw.execute(
                "SELECT COUNT(*) FROM alerts WHERE dm_user_id = ? AND claimed_at IS NOT NULL",
                (USER,),
            )
        assert claimed == (1,)  # the 1-day reminder's copy, waiting in the buffer
        await services.deadlines.dm_copies(ADMIN, GUILD, deadline_id, on=False)
        clock.set(REMINDER_AT)
        await dispatcher.settle()
    assert [lane_of(n) for n in notifier.notices] == [CHANNEL]


async def test_grouped_channel_alerts_leave_each_dm_copy_a_message_of_its_own(
    services: Services, store: SqliteStore, clock: FakeClock, db_path: Path
) -> None:
    # Three deadlines of one channel due at one instant, each copied to the same member: one
    # channel message carries all three; the member gets three messages, one a deadline.
    ids = []
    for n in range(3):
        added = await services.deadlines.add(
            ADMIN, GUILD, channel_id=CHANNEL, text=f"Letter {n}, 30 days",
            start=dt.date(2025, 7, 17), dm=True,
        )  # fmt: skip
        ids.append(added.deadline.id)
    notifier = RecordingNotifier()
    await run_until(store, notifier, clock, REMINDER_AT)

    channel = [m for m in notifier.messages if lane_of(m[2][0]) == CHANNEL]
    copies = [m for m in notifier.messages if lane_of(m[2][0]) == -USER]
    assert len(channel) == 1
    assert sorted(n.deadline.id for n in channel[0][2]) == ids
    assert channel[0][0].startswith("ddg")  # the group's nonce
    assert sorted(len(notices) for _, _, notices in copies) == [1, 1, 1]
    assert sorted(notices[0].deadline.id for _, _, notices in copies) == ids
    assert all(notices[0].dm_user_id == USER for _, _, notices in copies)
    # Every alert, channel and copy, recorded sent once, with the message that shows it.
    rows = alert_rows(db_path)
    assert all(sent for _, kind, _, sent, _, _ in rows if kind == "reminder")
