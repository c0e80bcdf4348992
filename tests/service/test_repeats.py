"""Repeating deadlines over a real SQLite file and a fake clock (issue 18 part 2): done ->
the next occurrence, missed after the grace (listed, never rolled over in silence), catch-up
after downtime, status's next dates, edit of the rule, stop-repeating."""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

import pytest
from support import FakeClock

from bot.models import AlertKind, Deadline, GuildDefaults, ListFilter, Status
from bot.service import Actor, Services, ValidationError
from bot.storage import SqliteStore

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)
NY = ZoneInfo("America/New_York")
JAIL = "Jail population report, every month on the 10th"


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY).astimezone(dt.UTC)


async def add(services: Services, text: str = JAIL, **kw: object) -> Deadline:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text=text, start=dt.date(2025, 7, 17), **kw
    )  # type: ignore[arg-type]
    return added.deadline


async def actions(services: Services, deadline_id: int) -> list[tuple[str, str]]:
    status = await services.deadlines.status(GUILD, deadline_id)
    return [(h.action, h.detail) for h in status.history]


async def test_add_stores_the_rule_and_status_shows_the_next_three_dates(
    services: Services,
) -> None:
    first = await add(services, counting="roll")
    assert first.recurrence is not None
    assert first.recurrence.rrule == "FREQ=MONTHLY;BYMONTHDAY=10"
    assert (first.occurrence_on, first.due) == (dt.date(2025, 8, 10), dt.date(2025, 8, 11))
    assert first.period == "every month on the 10th"
    status = await services.deadlines.status(GUILD, first.id)
    assert status.deadline == first  # read back as stored
    assert [d.due for d in status.upcoming] == [
        dt.date(2025, 8, 11), dt.date(2025, 9, 10), dt.date(2025, 10, 10),
    ]  # fmt: skip
    assert "repeats: RRULE:FREQ=MONTHLY;BYMONTHDAY=10" in (await actions(services, first.id))[0][1]


async def test_done_makes_the_next_occurrence_current_with_its_own_alerts(
    services: Services, clock: FakeClock
) -> None:
    first = await add(services, counting="roll")
    clock.set(local(2025, 8, 11, 15, 0))
    done = await services.deadlines.done(CREATOR, GUILD, first.id, note="filed")
    assert done.status is Status.DONE
    assert done.next_id is not None
    nxt = await services.deadlines.status(GUILD, done.next_id)
    assert (nxt.deadline.due, nxt.deadline.occurrence_on) == (dt.date(2025, 9, 10),) * 2
    assert nxt.deadline.repeating
    assert (nxt.deadline.title, nxt.deadline.channel_id) == (first.title, first.channel_id)
    assert nxt.deadline.created_by == USER  # the same people may change it
    # Its own alerts: reminders 7, 3 and 1 days before, the due-day alert, at 09:00 New York.
    kinds = [(a.kind, a.send_at) for a in nxt.next_alerts]
    assert (AlertKind.REMINDER, local(2025, 9, 3, 9, 0)) in kinds
    assert (AlertKind.DUE_TODAY, local(2025, 9, 10, 9, 0)) in kinds
    assert ("done", f"filed; next occurrence: #{nxt.deadline.id}, due Wed 2025-09-10") in (
        await actions(services, first.id)
    )
    assert [d.id for d in (await services.deadlines.page(GUILD)).deadlines] == [nxt.deadline.id]
    # Done again on the new one: the next after it.
    clock.set(local(2025, 9, 9, 12, 0))
    again = await services.deadlines.done(CREATOR, GUILD, nxt.deadline.id)
    assert again.next_id is not None
    third = (await services.deadlines.status(GUILD, again.next_id)).deadline
    assert third.due == dt.date(2025, 10, 10)


async def test_the_last_occurrence_done_ends_the_series(
    services: Services, clock: FakeClock
) -> None:
    first = await add(services, text="Report, every month on the 10th for 2 times")
    done = await services.deadlines.done(CREATOR, GUILD, first.id)
    assert done.next_id is not None
    second = (await services.deadlines.status(GUILD, done.next_id)).deadline
    last = await services.deadlines.done(CREATOR, GUILD, second.id)
    assert last.next_id is None
    assert ("done", "the last occurrence: the series ends") in await actions(services, second.id)
    assert (await services.deadlines.page(GUILD)).total == 0


async def test_a_missed_occurrence_stays_listed_and_the_next_becomes_current_after_the_grace(
    services: Services, clock: FakeClock
) -> None:
    first = await add(services)  # due Sun 2025-08-10 (calendar rule)
    clock.set(local(2025, 8, 11, 12, 0))  # overdue, within the grace of 1 day
    assert await services.repeats.advance() == 0
    clock.set(local(2025, 8, 12, 0, 0))  # 1 day and a second after the end of the 10th
    assert await services.repeats.advance() == 1
    assert await services.repeats.advance() == 0  # idempotent
    missed = (await services.deadlines.status(GUILD, first.id)).deadline
    assert missed.status is Status.ACTIVE  # not rolled over: still there, still overdue
    assert missed.missed(now=clock.now())
    assert not missed.repeating
    assert missed.next_id is not None
    (detail,) = [d for a, d in await actions(services, first.id) if a == "missed"]
    assert f"the series goes on as #{missed.next_id}, due Wed 2025-09-10" in detail
    # Its overdue alerts go on (no dispatcher runs here, so the earlier ones wait too).
    pending = (await services.deadlines.status(GUILD, first.id)).next_alerts
    assert AlertKind.OVERDUE in {a.kind for a in pending}
    page = await services.deadlines.page(GUILD)
    assert [d.id for d in page.deadlines] == [first.id, missed.next_id]
    assert page.overdue_ids == {first.id}
    overdue = await services.deadlines.page(GUILD, show=ListFilter.OVERDUE)
    assert [d.id for d in overdue.deadlines] == [first.id]
    # Done late: a plain done, no second next occurrence.
    late = await services.deadlines.done(CREATOR, GUILD, first.id)
    assert late.next_id == missed.next_id
    assert (await services.deadlines.page(GUILD)).total == 1


async def test_catch_up_after_downtime_lists_every_occurrence_that_passed(
    store: SqliteStore, clock: FakeClock
) -> None:
    services = Services.over(store, clock=clock, defaults=GuildDefaults(repeat_grace_days=2))
    first = await add(services, text="Council agenda, every Tuesday")  # Tue 2025-07-22
    clock.set(local(2025, 8, 14, 10, 0))  # down three weeks: Jul 22, 29 and Aug 5 passed
    assert await services.repeats.advance() == 3
    page = await services.deadlines.page(GUILD)
    dues = [(d.due, d.missed(now=clock.now()), d.repeating) for d in page.deadlines]
    assert dues == [
        (dt.date(2025, 7, 22), True, False),
        (dt.date(2025, 7, 29), True, False),
        (dt.date(2025, 8, 5), True, False),
        # Aug 12 is overdue too, but within its 2 days' grace: it is current.
        (dt.date(2025, 8, 12), False, True),
    ]
    assert page.overdue_ids == {d.id for d in page.deadlines}
    assert first.id == page.deadlines[0].id


async def test_a_grace_of_zero_moves_on_as_soon_as_it_is_overdue(
    store: SqliteStore, clock: FakeClock
) -> None:
    services = Services.over(store, clock=clock, defaults=GuildDefaults(repeat_grace_days=0))
    await add(services, text="Council agenda, every Tuesday")
    clock.set(local(2025, 7, 22, 23, 59))
    assert await services.repeats.advance() == 0
    clock.set(local(2025, 7, 23, 0, 0))
    assert await services.repeats.advance() == 1


async def test_stop_repeating_keeps_the_current_occurrence_as_a_one_off(
    services: Services, clock: FakeClock
) -> None:
    first = await add(services)
    stopped = await services.deadlines.stop_repeating(CREATOR, GUILD, first.id)
    assert (stopped.recurrence, stopped.due, stopped.status) == (None, first.due, Status.ACTIVE)
    assert "stopped repeating" in [a for a, _ in await actions(services, first.id)]
    done = await services.deadlines.done(CREATOR, GUILD, first.id)
    assert done.next_id is None
    assert (await services.deadlines.page(GUILD)).total == 0
    with pytest.raises(ValidationError, match="does not repeat"):
        await services.deadlines.stop_repeating(
            CREATOR, GUILD, (await add(services, "X, 30 days")).id
        )


async def test_edit_changes_the_rule_and_the_current_due_date(
    services: Services, clock: FakeClock
) -> None:
    first = await add(services)
    edited = await services.deadlines.edit(
        CREATOR, GUILD, first.id, repeat="every month on the 15th"
    )
    assert edited.recurrence is not None
    assert edited.recurrence.rrule == "FREQ=MONTHLY;BYMONTHDAY=15"
    assert (edited.due, edited.period) == (dt.date(2025, 8, 15), "every month on the 15th")
    status = await services.deadlines.status(GUILD, first.id)
    assert [d.due for d in status.upcoming][:2] == [dt.date(2025, 8, 15), dt.date(2025, 9, 15)]
    assert any(a.send_at == local(2025, 8, 15, 9, 0) for a in status.next_alerts)
    with pytest.raises(ValidationError, match="not a repeat"):
        await services.deadlines.edit(CREATOR, GUILD, first.id, repeat="30 days")
    clock.set(local(2025, 8, 16, 12, 0))  # overdue now
    with pytest.raises(ValidationError, match="overdue"):
        await services.deadlines.edit(CREATOR, GUILD, first.id, repeat="every Tuesday")


async def test_each_occurrence_alerts_at_the_local_alert_time_across_a_dst_change(
    services: Services, clock: FakeClock
) -> None:
    clock.set(local(2025, 10, 20, 8, 0))
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="Jail census, every Saturday",
        start=dt.date(2025, 10, 20),
    )  # fmt: skip
    first = added.deadline
    assert first.due == dt.date(2025, 10, 25)
    done = await services.deadlines.done(CREATOR, GUILD, first.id)
    assert done.next_id is not None
    second = await services.deadlines.status(GUILD, done.next_id)
    assert second.deadline.due == dt.date(2025, 11, 1)  # clocks go back on Sun Nov 2
    done = await services.deadlines.done(CREATOR, GUILD, second.deadline.id)
    assert done.next_id is not None
    third = await services.deadlines.status(GUILD, done.next_id)
    assert third.deadline.due == dt.date(2025, 11, 8)
    day_before = dict.fromkeys(("second", "third"))
    for name, status in (("second", second), ("third", third)):
        (alert,) = [a for a in status.next_alerts if a.kind is AlertKind.REMINDER
                    and a.days_before == 1]  # fmt: skip
        day_before[name] = alert.send_at
    # 09:00 New York both times: 13:00 UTC in EDT, 14:00 UTC in EST.
    assert day_before == {"second": local(2025, 10, 31, 9, 0), "third": local(2025, 11, 7, 9, 0)}
    assert [t.hour for t in day_before.values() if t] == [13, 14]
    # The due instants: the end of each local day.
    assert second.deadline.due_at == local(2025, 11, 1, 23, 59, 59)
    assert third.deadline.due_at == local(2025, 11, 8, 23, 59, 59)


async def test_dm_copies_follow_the_series_to_its_next_occurrence(
    services: Services, clock: FakeClock, store: SqliteStore
) -> None:
    first = await add(services, dm=True)
    colleague = Actor.everywhere(USER + 1)
    await services.deadlines.dm_copies(colleague, GUILD, first.id, on=True)
    clock.set(local(2025, 8, 9, 12, 0))
    done = await services.deadlines.done(CREATOR, GUILD, first.id)
    assert done.next_id is not None
    for member in (USER, USER + 1):
        copies = await services.deadlines.status(GUILD, done.next_id, viewer_id=member)
        assert copies.dm is not None
        assert copies.dm.on
    async with services.unit.read() as tx:
        users = await tx.dm_copy_users(GUILD, done.next_id)
    assert users == [USER, USER + 1]
    with sqlite3.connect(store.path) as raw:  # the copies are alert rows of their own
        rows = raw.execute(
            "SELECT ifnull(dm_user_id, 0), kind, send_at FROM alerts WHERE guild_id = ? "
            "AND deadline_id = ? AND sent_at IS NULL ORDER BY send_at",
            (GUILD, done.next_id),
        ).fetchall()
    channel = [(kind, at) for user, kind, at in rows if user == 0]
    assert channel
    for member in users:  # one copy of each of the occurrence's alerts, for each of them
        assert [(kind, at) for user, kind, at in rows if user == member] == channel
