"""Records-law stages (issue 17 part 2) over a real SQLite file and a fake clock: a stage
marked done moves the deadline to the next one, counted from that day; one nobody marks is
moved by the bot after STAGE_GRACE, counted from its due date; each move is in history with
who (or the bot) and why, and plans the new stage's own alerts; the last stage done closes.
Every date is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest
from support import FakeClock

from bot.models import AlertKind, Deadline, Status
from bot.service import Actor, Services
from bot.service.stages import STAGE_GRACE

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)
D = dt.date


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


async def add_foil(services: Services) -> Deadline:
    """NY FOIL received Thu 2025-07-17: acknowledge in 5 business days: Fri 18 (1), Mon 21,
    Tue 22, Wed 23, Thu 24 (5) -> Thu Jul 24, by 23:59:59 New York (03:59:59 UTC Jul 25)."""
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="NYPD overtime", preset="ny",
        start=D(2025, 7, 17),
    )  # fmt: skip
    deadline = added.deadline
    assert (deadline.due, deadline.due_at) == (D(2025, 7, 24), at(2025, 7, 25, 3, 59, 59))
    assert (deadline.preset, deadline.stage, deadline.stages_left) == ("ny", 0, 1)
    assert deadline.timezone == "America/New_York"
    return deadline


async def history(services: Services, deadline_id: int) -> list[tuple[str, int | None, str]]:
    status = await services.deadlines.status(GUILD, deadline_id)
    return [(h.action, h.actor_id, h.detail) for h in status.history]


async def test_done_early_moves_to_the_next_stage_from_that_day(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_foil(services)
    clock.set(at(2025, 7, 22, 15, 0))  # Tue 11:00 New York: the acknowledgment came
    moved = await services.deadlines.done(CREATOR, GUILD, deadline.id, note="email from RAO")
    # 20 business days from Tue Jul 22: Jul 23, 24, 25 (3), Jul 28-Aug 1 (8), Aug 4-8 (13),
    # Aug 11-15 (18), Mon 18, Tue 19 (20) -> Tue Aug 19.
    assert moved.status is Status.ACTIVE
    assert (moved.stage, moved.stages_left, moved.due) == (1, 0, D(2025, 8, 19))
    assert moved.start == D(2025, 7, 22)
    assert moved.period == "20 business days (FOIL, stage 2)"
    assert moved.explanation[0].startswith(
        "stage 2 of 2, N.Y. Pub. Off. Law § 89(3)(a): 20 business days from the "
        "acknowledgment to grant or deny"
    )
    assert moved.explanation[1] == (
        "day 0: Tue 2025-07-22 (the day stage 1 (acknowledge) was marked done)"
    )
    entries = await history(services, deadline.id)
    assert ("stage done", USER, (
        "stage 1 of 2 (acknowledge) done on Tue 2025-07-22: now stage 2 of 2 (grant or deny), "
        "due Tue 2025-08-19: 20 business days from Tue 2025-07-22 (N.Y. Pub. Off. Law § "
        "89(3)(a)) (email from RAO)"
    )) in entries  # fmt: skip
    # The new stage's own alerts: 7, 3 and 1 days before Aug 19 at 09:00 New York, due today.
    status = await services.deadlines.status(GUILD, deadline.id)
    assert [(a.kind, a.send_at) for a in status.next_alerts][:4] == [
        (AlertKind.REMINDER, at(2025, 8, 12, 13, 0)),
        (AlertKind.REMINDER, at(2025, 8, 16, 13, 0)),
        (AlertKind.REMINDER, at(2025, 8, 18, 13, 0)),
        (AlertKind.DUE_TODAY, at(2025, 8, 19, 13, 0)),
    ]
    # The last stage done closes it.
    clock.set(at(2025, 8, 5, 15, 0))
    closed = await services.deadlines.done(CREATOR, GUILD, deadline.id)
    assert closed.status is Status.DONE
    assert [a for a, _, _ in await history(services, deadline.id)][-1] == "done"
    assert (await services.deadlines.status(GUILD, deadline.id)).next_alerts == ()


async def test_done_late_counts_the_next_stage_from_the_actual_day(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_foil(services)
    # Fri Jul 25 11:00 New York: a day overdue, within the grace; the acknowledgment came.
    clock.set(at(2025, 7, 25, 15, 0))
    assert (await services.deadlines.advance_lapsed()) == 0
    moved = await services.deadlines.done(CREATOR, GUILD, deadline.id)
    # From Fri Jul 25: Jul 28-Aug 1 (5), Aug 4-8 (10), 11-15 (15), 18-22 (20) -> Fri Aug 22.
    assert (moved.stage, moved.due) == (1, D(2025, 8, 22))
    assert not moved.is_overdue(now=clock.now())


async def test_nobody_marks_it_so_the_bot_counts_from_its_due_date(
    services: Services, clock: FakeClock
) -> None:
    deadline = await add_foil(services)
    grace_ends = deadline.due_at + STAGE_GRACE  # Sun Jul 27 03:59:59 UTC
    assert dt.timedelta(days=2) == STAGE_GRACE
    clock.set(grace_ends)
    assert await services.deadlines.advance_lapsed() == 0  # not before the grace is over
    assert (await services.deadlines.status(GUILD, deadline.id)).deadline.stage == 0
    clock.set(grace_ends + dt.timedelta(seconds=1))
    assert await services.deadlines.advance_lapsed() == 1
    moved = (await services.deadlines.status(GUILD, deadline.id)).deadline
    # From Thu Jul 24, the acknowledgment's due date: Fri 25 (1), Jul 28-Aug 1 (6), Aug 4-8
    # (11), 11-15 (16), 18-21 (20) -> Thu Aug 21.
    assert (moved.stage, moved.stages_left, moved.due) == (1, 0, D(2025, 8, 21))
    assert moved.explanation[1] == (
        "day 0: Thu 2025-07-24 (the due date of stage 1, acknowledge: nobody marked it done)"
    )
    # Never without a trace: the bot's own history entry says what happened and from when.
    assert ("stage lapsed", None, (
        "stage 1 of 2 (acknowledge) was due Thu 2025-07-24 and nobody marked it done: now "
        "stage 2 of 2 (grant or deny), due Thu 2025-08-21: 20 business days from Thu "
        "2025-07-24 (N.Y. Pub. Off. Law § 89(3)(a))"
    )) in await history(services, deadline.id)  # fmt: skip
    # Once: the last stage is never moved on, however late it gets.
    clock.set(at(2025, 9, 30, 12, 0))
    assert await services.deadlines.advance_lapsed() == 0
    entries = await history(services, deadline.id)
    assert [a for a, _, _ in entries].count("stage lapsed") == 1


async def test_a_paused_stage_does_not_lapse(services: Services, clock: FakeClock) -> None:
    deadline = await add_foil(services)
    clock.set(at(2025, 7, 23, 15, 0))
    await services.deadlines.pause(CREATOR, GUILD, deadline.id, reason="narrowing")
    clock.set(at(2025, 8, 30, 12, 0))
    assert await services.deadlines.advance_lapsed() == 0
    assert (await services.deadlines.status(GUILD, deadline.id)).deadline.stage == 0


async def test_alabama_counts_calendar_days_then_business_days(
    services: Services, clock: FakeClock
) -> None:
    # AL (medium confidence): acknowledge within 10 days, read as calendar days, no roll:
    # Thu Jul 17 + 10 = Sun Jul 27. Its day ends in Montgomery (America/Chicago).
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="", preset="al", start=D(2025, 7, 17)
    )
    deadline = added.deadline
    assert deadline.due == D(2025, 7, 27)
    assert deadline.due_at == at(2025, 7, 28, 4, 59, 59)  # 23:59:59 CDT
    clock.set(at(2025, 7, 21, 15, 0))  # acknowledged Mon Jul 21 (10:00 Chicago)
    moved = await services.deadlines.done(CREATOR, GUILD, deadline.id)
    # Then a substantive response within 15 business days: Jul 22-25 (4), Jul 28-Aug 1 (9),
    # Aug 4-8 (14), Mon Aug 11 (15).
    assert (moved.stage, moved.due, moved.rule.value) == (1, D(2025, 8, 11), "business")
    assert "confidence in this stage: medium; check the statute" in moved.explanation


async def test_a_preset_without_stages_closes_on_done(services: Services) -> None:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="", preset="ca", start=D(2025, 7, 17)
    )
    assert (added.deadline.preset, added.deadline.stages_left) == ("ca", 0)
    done = await services.deadlines.done(CREATOR, GUILD, added.deadline.id)
    assert done.status is Status.DONE


@pytest.mark.parametrize("key", ["ny", "or", "sc", "al", "mt"])
async def test_every_staged_preset_moves_through_all_its_stages(
    services: Services, clock: FakeClock, key: str
) -> None:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="", preset=key, start=D(2025, 7, 17)
    )
    first = added.deadline
    assert first.stages_left == 1
    moved = await services.deadlines.done(CREATOR, GUILD, first.id)
    assert (moved.status, moved.stage, moved.stages_left) == (Status.ACTIVE, 1, 0)
    assert moved.due > first.start
    assert (await services.deadlines.done(CREATOR, GUILD, first.id)).status is Status.DONE


@pytest.mark.parametrize(
    ("done_at", "done_on"),
    [
        (at(2025, 7, 18, 17, 0), D(2025, 7, 18)),  # Fri 10:00 Portland, early
        (at(2025, 7, 30, 17, 0), D(2025, 7, 30)),  # Wed 10:00 Portland, six days late
    ],
)
async def test_oregon_stage_two_counts_from_the_acknowledgments_due_date(
    services: Services, clock: FakeClock, done_at: dt.datetime, done_on: dt.date
) -> None:
    # ORS 192.329: 10 business days "after the date by which the public body is required to
    # acknowledge": received Thu 2025-07-17, acknowledgment due (5 business days) Fri 18 (1),
    # Mon 21 .. Thu 24 (5) -> Thu Jul 24; stage 2 from Thu Jul 24: Jul 25 (1), Jul 28-Aug 1
    # (6), Aug 4, 5, 6, 7 (10) -> Thu Aug 7, whenever the acknowledgment was marked done.
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="Portland PD records", preset="or",
        start=D(2025, 7, 17),
    )  # fmt: skip
    deadline = added.deadline
    assert deadline.due == D(2025, 7, 24)
    clock.set(done_at)
    moved = await services.deadlines.done(CREATOR, GUILD, deadline.id)
    assert (moved.stage, moved.due, moved.start) == (1, D(2025, 8, 7), D(2025, 7, 24))
    assert moved.explanation[1] == (
        "day 0: Thu 2025-07-24 (the due date of stage 1, acknowledge: ORS 192.329 counts "
        "from it, whenever it was done)"
    )
    entries = await history(services, deadline.id)
    done_day = f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri'][done_on.weekday()]} {done_on}"
    assert ("stage done", USER, (
        f"stage 1 of 2 (acknowledge) done on {done_day}: now stage 2 of 2 (complete the "
        "response), due Thu 2025-08-07: 10 business days from Thu 2025-07-24, the day stage "
        "1 of 2 (acknowledge) was due, whenever it was done (ORS 192.329)"
    )) in entries  # fmt: skip
