"""Pausing and extending a roll-rule deadline (review items 6 and 8) over a real SQLite file:
the period's own last day is the unrolled one (a roll past a weekend or holiday is not days
of the period): days left count to it, resuming and extending count from it, and the roll is
applied once, at the end. California's CPRA: 10 days, rolled under CCP 12a. Every date is
counted by hand in the comments."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from support import FakeClock

from bot.discord import render
from bot.models import Deadline
from bot.service import Actor, Services

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)
D = dt.date
LA = ZoneInfo("America/Los_Angeles")


def la(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LA).astimezone(dt.UTC)


async def add_cpra(services: Services) -> Deadline:
    """Received Thu 2025-03-20: + 10 days = Sun Mar 30; Mon Mar 31 is Cesar Chavez Day ->
    rolled to Tue Apr 1. The last day of the period is Sun Mar 30."""
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="LA County jail contracts", preset="ca",
        start=D(2025, 3, 20),
    )  # fmt: skip
    deadline = added.deadline
    assert (deadline.due, deadline.last_day) == (D(2025, 4, 1), D(2025, 3, 30))
    return deadline


async def test_paused_the_days_left_are_the_periods_not_the_rolls(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_cpra(services)
    use = services.deadlines
    clock.set(la(2025, 3, 28, 10, 0))  # Fri: Sat 29 and Sun 30 are left of the 10 days
    paused = await use.pause(CREATOR, GUILD, deadline.id)
    assert paused.left_text() == "2 calendar days"
    clock.set(la(2025, 4, 7, 10, 0))  # Mon Apr 7 + 2 = Wed Apr 9, a business day
    resumed = await use.resume(CREATOR, GUILD, deadline.id)
    assert (resumed.due, resumed.last_day) == (D(2025, 4, 9), None)
    status = await use.status(GUILD, deadline.id)  # read back from the file
    assert (status.deadline.due, status.deadline.last_day) == (D(2025, 4, 9), None)


async def test_a_short_pause_rolls_once_at_the_end(services: Services, clock: FakeClock) -> None:
    deadline = await add_cpra(services)
    use = services.deadlines
    clock.set(la(2025, 3, 25, 10, 0))  # Tue: Mar 26 .. Sun Mar 30 left, 5 days
    paused = await use.pause(CREATOR, GUILD, deadline.id)
    assert paused.left_text() == "5 calendar days"
    clock.set(la(2025, 3, 27, 10, 0))  # Thu Mar 27 + 5 = Tue Apr 1, a business day
    resumed = await use.resume(CREATOR, GUILD, deadline.id)
    assert (resumed.due, resumed.last_day) == (D(2025, 4, 1), None)


async def test_a_resumed_roll_keeps_its_new_last_day_for_the_next_pause(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_cpra(services)
    use = services.deadlines
    clock.set(la(2025, 3, 25, 10, 0))  # 5 days left (Mar 26-30)
    await use.pause(CREATOR, GUILD, deadline.id)
    clock.set(la(2025, 3, 26, 10, 0))  # Wed Mar 26 + 5 = Mon Mar 31, Cesar Chavez -> Apr 1
    resumed = await use.resume(CREATOR, GUILD, deadline.id)
    assert (resumed.due, resumed.last_day) == (D(2025, 4, 1), D(2025, 3, 31))
    clock.set(la(2025, 3, 28, 10, 0))  # Fri: Mar 29, 30, 31 left: 3 days, not 4
    paused = await use.pause(CREATOR, GUILD, deadline.id)
    assert paused.left_text() == "3 calendar days"


async def test_the_allowed_extension_adds_to_the_period_then_rolls(
    services: Services, clock: FakeClock
) -> None:
    # Cal. Gov. Code 7922.535(b) extends "the time limit prescribed": 10 + 14 = 24 days
    # from Thu Mar 20 = Sun Apr 13 -> Mon Apr 14 (not Apr 1 + 14 = Tue Apr 15).
    deadline = await add_cpra(services)
    assert render.allowed_due(deadline) == D(2025, 4, 14)
    assert render.allowed_label(deadline).startswith("Extend to Mon 2025-04-14")
    clock.set(la(2025, 3, 24, 10, 0))
    extended = await services.deadlines.extend(CREATOR, GUILD, deadline.id, allowed=True)
    assert (extended.due, extended.last_day) == (D(2025, 4, 14), D(2025, 4, 13))
    assert (
        "from the period's last day Sun 2025-03-30 (before the roll to Tue 2025-04-01)"
        in " ".join(extended.explanation)
    )


async def test_extending_by_a_period_counts_from_the_last_day_too(
    services: Services, clock: FakeClock
) -> None:
    from bot.deadlines.parsing import parse_phrase

    deadline = await add_cpra(services)
    clock.set(la(2025, 3, 24, 10, 0))
    # Sun Mar 30 + 7 = Sun Apr 6 -> Mon Apr 7 (not Apr 1 + 7 = Tue Apr 8).
    change = parse_phrase("7 days").spec
    extended = await services.deadlines.extend(CREATOR, GUILD, deadline.id, change=change)
    assert extended.due == D(2025, 4, 7)
