"""Pause and resume (tolling, issue 17 part 5) over a real SQLite file and a fake clock."""

from __future__ import annotations

import datetime as dt

import pytest
from support import FakeClock

from bot.deadlines import parse_phrase
from bot.models import AlertKind, Deadline, ListFilter
from bot.service import Actor, ChannelRights, NotAllowed, Services, ValidationError

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)
EDITOR = Actor(7, rights=lambda channel: ChannelRights(manage_messages=channel == CHANNEL))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


async def add_foia(services: Services) -> Deadline:
    """20 business days from Thu 2025-07-17: due Thu 2025-08-14 (New York)."""
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="FBI FOIA, 20 business days",
        start=dt.date(2025, 7, 17),
    )  # fmt: skip
    assert added.deadline.due == dt.date(2025, 8, 14)
    return added.deadline


async def history(services: Services, deadline_id: int) -> list[tuple[str, int | None, str]]:
    status = await services.deadlines.status(GUILD, deadline_id)
    return [(h.action, h.actor_id, h.detail) for h in status.history]


async def test_pause_stops_the_clock_and_the_alerts_resume_restarts_them(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_foia(services)
    use = services.deadlines
    clock.set(at(2025, 8, 4, 14, 0))  # Mon 10:00 New York: 8 business days left (5-14 Aug)
    paused = await use.pause(
        CREATOR, GUILD, deadline.id, reason="agency asked to narrow the request"
    )
    assert paused.paused_at == clock.now()
    left = paused.days_left()
    assert left is not None
    assert left.describe() == "8 business days"
    status = await use.status(GUILD, deadline.id)
    assert status.next_alerts == ()
    assert history_entry(await history(services, deadline.id), "paused") == (
        USER,
        "8 business days left (was due Thu 2025-08-14): agency asked to narrow the request",
    )

    # Weeks later, long past the old due date: paused, not overdue.
    clock.set(at(2025, 8, 29, 14, 0))  # Fri 10:00, before Labor Day weekend
    assert not status.deadline.is_overdue(now=clock.now())
    overdue = await use.page(GUILD, show=ListFilter.OVERDUE)
    assert overdue.total == 0
    assert overdue.deadlines == ()
    listed = await use.page(GUILD)
    assert [d.id for d in listed.deadlines] == [deadline.id]
    assert listed.overdue_ids == set()

    resumed = await use.resume(EDITOR, GUILD, deadline.id, reason="request narrowed")
    # 8 business days after Fri Aug 29, skipping the weekend and Labor Day (Mon Sep 1).
    assert resumed.due == dt.date(2025, 9, 11)
    assert (resumed.paused_at, resumed.paused_left) == (None, None)
    assert resumed.explanation[-3:] == (
        "paused Mon 2025-08-04 with 8 business days left; resumed Fri 2025-08-29:",
        "+8 business days left -> Thu 2025-09-11 (weekends skipped; holidays skipped: "
        "Mon 2025-09-01 Labor Day)",
        "due by the end of Thu 2025-09-11 (America/New_York)",
    )
    assert history_entry(await history(services, deadline.id), "resumed") == (
        7, "paused since Mon 2025-08-04, 8 business days left: due Thu 2025-09-11 (was Thu "
        "2025-08-14) (request narrowed)",
    )  # fmt: skip
    status = await use.status(GUILD, deadline.id)
    assert [(a.kind, a.send_at) for a in status.next_alerts][:2] == [
        (AlertKind.REMINDER, at(2025, 9, 4, 13, 0)),  # 7 days before, 09:00 New York
        (AlertKind.REMINDER, at(2025, 9, 8, 13, 0)),
    ]


def history_entry(
    entries: list[tuple[str, int | None, str]], action: str
) -> tuple[int | None, str]:
    (found,) = [(who, detail) for what, who, detail in entries if what == action]
    return found


async def test_what_a_paused_deadline_refuses(services: Services, clock: FakeClock) -> None:
    deadline = await add_foia(services)
    use = services.deadlines
    with pytest.raises(ValidationError, match="is not paused"):
        await use.resume(CREATOR, GUILD, deadline.id)
    await use.pause(CREATOR, GUILD, deadline.id)
    with pytest.raises(ValidationError, match="already paused"):
        await use.pause(CREATOR, GUILD, deadline.id)
    with pytest.raises(ValidationError, match=r"is paused: .* resume it first"):
        await use.extend(CREATOR, GUILD, deadline.id, change=parse_phrase("5 days").spec)
    with pytest.raises(ValidationError, match="is paused"):
        await use.snooze(CREATOR, GUILD, deadline.id, until=parse_phrase("2 days").spec)
    with pytest.raises(NotAllowed):
        await use.resume(Actor(6), GUILD, deadline.id)
    # Done while paused: closed, the pause forgotten.
    done = await use.done(CREATOR, GUILD, deadline.id)
    assert (done.paused_at, done.paused_left) == (None, None)


async def test_an_overdue_deadline_cannot_be_paused(services: Services, clock: FakeClock) -> None:
    deadline = await add_foia(services)
    clock.set(at(2025, 8, 15, 14, 0))
    with pytest.raises(ValidationError, match="already overdue"):
        await services.deadlines.pause(CREATOR, GUILD, deadline.id)


async def test_the_days_left_are_stored_with_the_pause(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_foia(services)
    await services.deadlines.pause(CREATOR, GUILD, deadline.id)
    stored = (await services.deadlines.status(GUILD, deadline.id)).deadline
    assert stored.paused_at == clock.now()
    # Thu Jul 17 (day 0) to Thu Aug 14: 20 business days, none used yet.
    assert stored.paused_left == 20
