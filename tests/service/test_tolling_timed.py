"""Tolling a deadline with an hour (issue 17 part 5's gap): paused on its due day, what it
has left is hours, and resume gives exactly those back; and the export of a paused one."""

from __future__ import annotations

import datetime as dt

from support import FakeClock

from bot.models import Deadline
from bot.service import Actor, Services

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


async def add_timed(services: Services) -> Deadline:
    """Due Mon 2025-07-28 at 17:00 New York (21:00 UTC)."""
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="County reply by 2025-07-28 17:00"
    )
    assert (added.deadline.due_at, added.deadline.has_time) == (at(2025, 7, 28, 21, 0), True)
    return added.deadline


async def test_paused_on_its_due_day_resume_gives_back_the_hours_left(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_timed(services)
    use = services.deadlines
    # Paused Mon Jul 28 at 14:00 New York (18:00 UTC): 3 hours to its 17:00.
    clock.set(at(2025, 7, 28, 18, 0))
    paused = await use.pause(CREATOR, GUILD, deadline.id, reason="agency asked to narrow")
    assert paused.left_text() == "3 h 00 min"
    status = await use.status(GUILD, deadline.id)
    (entry,) = [h for h in status.history if h.action == "paused"]
    assert entry.detail == "3 h 00 min left (was due Mon 2025-07-28): agency asked to narrow"
    # Resumed Wed Jul 30 at 18:00 New York (22:00 UTC), after the hour it was due at: the
    # 3 hours come back from then, due Wed 21:00 New York (Thu 01:00 UTC). (Counted in days,
    # it was "0 days left: due the day it restarts at 17:00", overdue the moment it resumed.)
    clock.set(at(2025, 7, 30, 22, 0))
    resumed = await use.resume(CREATOR, GUILD, deadline.id)
    assert resumed.due == dt.date(2025, 7, 30)
    assert resumed.due_at == at(2025, 7, 31, 1, 0)
    assert not resumed.is_overdue(now=clock.now())
    assert resumed.explanation[-3:] == (
        "paused Mon 2025-07-28 with 3 h 00 min left; resumed Wed 2025-07-30:",
        "3 h 00 min were left on the due day -> 21:00 on Wed 2025-07-30",
        "due at 21:00 America/New_York on Wed 2025-07-30",
    )
    status = await use.status(GUILD, deadline.id)
    (entry,) = [h for h in status.history if h.action == "resumed"]
    assert entry.detail == (
        "paused since Mon 2025-07-28, 3 h 00 min left: due Wed 2025-07-30 21:00 (was Mon "
        "2025-07-28)"
    )
    # Its hour-before alert is planned for 20:00 New York.
    assert at(2025, 7, 31, 0, 0) in [a.send_at for a in status.next_alerts]


async def test_resumed_early_in_the_day_it_is_still_the_hours_left(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_timed(services)
    clock.set(at(2025, 7, 28, 20, 15))  # 16:15 New York: 45 minutes left
    await services.deadlines.pause(CREATOR, GUILD, deadline.id)
    clock.set(at(2025, 8, 1, 13, 0))  # Fri 09:00 New York
    resumed = await services.deadlines.resume(CREATOR, GUILD, deadline.id)
    assert resumed.due_at == at(2025, 8, 1, 13, 45)  # 09:45, not 17:00


async def test_paused_days_before_its_day_keeps_its_hour(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_timed(services)
    clock.set(at(2025, 7, 25, 18, 0))  # Fri Jul 25: 3 calendar days left (26, 27, 28)
    paused = await services.deadlines.pause(CREATOR, GUILD, deadline.id)
    assert paused.left_text() == "3 calendar days"
    clock.set(at(2025, 7, 29, 14, 0))  # Tue Jul 29: + 3 days -> Fri Aug 1, at 17:00
    resumed = await services.deadlines.resume(CREATOR, GUILD, deadline.id)
    assert resumed.due_at == at(2025, 8, 1, 21, 0)


async def test_the_hours_left_are_given_back_in_real_time_across_a_dst_change(
    services: Services, clock: FakeClock
) -> None:
    use = services.deadlines
    # Spring forward: due Sat 2026-03-07 23:00 New York (EST, 04:00 UTC Mar 8), paused at
    # 20:00 EST (01:00 UTC): 3 h left. Resumed Sun Mar 8 01:30 EST (06:30 UTC); clocks jump
    # 02:00 -> 03:00 at 07:00 UTC, so 3 real hours later is 09:30 UTC = 05:30 EDT.
    clock.set(at(2026, 3, 1, 14, 0))
    added = await use.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="County reply by 2026-03-07 23:00"
    )
    assert added.deadline.due_at == at(2026, 3, 8, 4, 0)
    clock.set(at(2026, 3, 8, 1, 0))
    assert (await use.pause(CREATOR, GUILD, added.deadline.id)).left_text() == "3 h 00 min"
    clock.set(at(2026, 3, 8, 6, 30))
    resumed = await use.resume(CREATOR, GUILD, added.deadline.id)
    assert resumed.due_at == at(2026, 3, 8, 9, 30)
    # Fall back: due Sat 2026-10-31 23:00 EDT (03:00 UTC Nov 1), paused 20:00 EDT (00:00
    # UTC): 3 h left. Resumed Sun Nov 1 01:30 EDT (05:30 UTC); clocks fall back at 06:00 UTC,
    # so 3 real hours later is 08:30 UTC = 03:30 EST.
    clock.set(at(2026, 10, 20, 13, 0))
    added = await use.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="Board reply by 2026-10-31 23:00"
    )
    assert added.deadline.due_at == at(2026, 11, 1, 3, 0)
    clock.set(at(2026, 11, 1, 0, 0))
    await use.pause(CREATOR, GUILD, added.deadline.id)
    clock.set(at(2026, 11, 1, 5, 30))
    resumed = await use.resume(CREATOR, GUILD, added.deadline.id)
    assert resumed.due_at == at(2026, 11, 1, 8, 30)
