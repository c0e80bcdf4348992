"""A send that succeeds while the database is locked past its busy timeout (issue 12.2): the
real dispatcher over real SQLite, locked for real by another connection.

Before: the result was logged and dropped, so the alert stayed claimed until a restart, the
overdue series stopped (no next alert was planned), `status` listed the posted alert as next,
and the next start posted it again. Now the result is kept and written once the lock goes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from support import FakeClock, RecordingNotifier, hold_exclusive_lock

from bot.dispatcher import Dispatcher
from bot.models import AlertKind
from bot.notices import AlertNotice
from bot.service import Actor, Services
from bot.storage import BUSY_TIMEOUT_MS, SqliteStore

GUILD, USER, CHANNEL = 100, 5, 10
OVERDUE_AT = dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC)  # Sun 09:00 New York
LOCKED_FOR = BUSY_TIMEOUT_MS / 1000 + 1.5  # past the busy timeout: the first write fails


@pytest.mark.timeout(60)
async def test_a_result_written_while_the_database_is_locked_is_kept_until_it_commits(
    services: Services,
    dispatcher: Dispatcher,
    store: SqliteStore,
    db_path: Path,
    clock: FakeClock,
    notifier: RecordingNotifier,
) -> None:
    added = await services.deadlines.add(
        Actor(USER), GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17),
    )  # fmt: skip
    deadline_id = added.deadline.id
    clock.set(OVERDUE_AT - dt.timedelta(minutes=1))  # reminders and "due today" go out
    await dispatcher.settle()
    notifier.notices.clear()

    locked = threading.Event()
    holder = threading.Thread(target=hold_exclusive_lock, args=(db_path, LOCKED_FOR, locked))
    send = notifier.send_alert

    async def send_then_lock(notice: AlertNotice) -> int:
        # The send succeeds; just then another process takes the database for a while.
        message_id = await send(notice)
        if not holder.is_alive():
            holder.start()
            assert await asyncio.to_thread(locked.wait, 5)
        return message_id

    notifier.send_alert = send_then_lock  # type: ignore[method-assign]
    clock.set(OVERDUE_AT + dt.timedelta(seconds=1))
    started = time.monotonic()
    await dispatcher.settle()  # returns once the result is written, after the lock is gone
    assert time.monotonic() - started > BUSY_TIMEOUT_MS / 1000  # the first write did fail
    holder.join(10)
    (posted,) = notifier.notices
    assert posted.kind is AlertKind.OVERDUE

    async with store.transaction() as tx:
        alerts = await tx.alerts_of(GUILD, deadline_id)
    (overdue,) = [a for a in alerts if a.kind is AlertKind.OVERDUE and a.send_at == OVERDUE_AT]
    assert overdue.sent_at is not None  # recorded
    status = await services.deadlines.status(GUILD, deadline_id)
    # The series goes on: next is Monday 09:00, not the alert just posted.
    assert [a.send_at for a in status.next_alerts] == [OVERDUE_AT + dt.timedelta(days=1)]
    sent = [e.detail for e in status.history if e.action == "alert sent"]
    assert sent == ["4 alerts collapsed: due_today, reminder", "overdue"]  # recorded once

    # A restart posts nothing again; Monday's alert comes, once.
    await dispatcher.stop()
    await dispatcher.start()
    await dispatcher.settle()
    assert len(notifier.notices) == 1
    clock.set(OVERDUE_AT + dt.timedelta(days=1, seconds=1))
    await dispatcher.settle()
    assert [(n.kind, n.alert_id != posted.alert_id) for n in notifier.notices[1:]] == [
        (AlertKind.OVERDUE, True)
    ]
