"""Pure tests of alert planning: which alerts a deadline gets, and when."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.deadlines import Rule, calculate
from bot.models import AlertKind, Deadline, GuildSettings, Status
from bot.planning import first_overdue_at, next_overdue, overdue_alert, plan_alerts, plan_many

NY = ZoneInfo("America/New_York")
SETTINGS = GuildSettings(guild_id=1, escalation_role_id=77)


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY).astimezone(dt.UTC)


def make_deadline(
    text: str = "Bondi letter, 30 days",
    start: dt.date = dt.date(2025, 7, 17),
    created_at: dt.datetime | None = None,
    rule: str = "calendar",
) -> Deadline:
    result = calculate(text, start=start, rule=rule)
    created = created_at or ny(start.year, start.month, start.day, 8, 0)
    return Deadline(
        guild_id=1,
        id=1,
        channel_id=10,
        title=result.title or "untitled",
        start=result.due.start,
        rule=Rule(result.due.rule),
        calendar=result.due.calendar,
        period=result.period,
        due=result.due.due,
        due_at=result.due.due_at,
        has_time=result.due.has_time,
        explanation=result.due.explanation,
        created_by=5,
        created_at=created,
        updated_at=created,
    )


def test_bondi_letter_plan() -> None:
    deadline = make_deadline()
    assert deadline.due == dt.date(2025, 8, 16)
    plan = plan_alerts(deadline, SETTINGS, now=deadline.created_at)
    assert [(a.kind, a.send_at, a.days_before) for a in plan] == [
        (AlertKind.REMINDER, ny(2025, 8, 9, 9), 7),
        (AlertKind.REMINDER, ny(2025, 8, 13, 9), 3),
        (AlertKind.REMINDER, ny(2025, 8, 15, 9), 1),
        (AlertKind.DUE_TODAY, ny(2025, 8, 16, 9), 0),
        (AlertKind.OVERDUE, ny(2025, 8, 17, 9), 0),
    ]
    assert plan[-1].seq == 1
    assert not any(a.escalate for a in plan)


def test_bondi_overdue_repeats_daily_and_escalates_on_the_third() -> None:
    deadline = make_deadline()
    series = [overdue_alert(deadline, SETTINGS, n) for n in range(1, 6)]
    assert [a.send_at for a in series] == [ny(2025, 8, d, 9) for d in range(17, 22)]
    assert [a.seq for a in series] == [1, 2, 3, 4, 5]
    assert [a.escalate for a in series] == [False, False, True, True, True]


def test_overdue_repeat_interval_is_configurable() -> None:
    deadline = make_deadline()
    settings = dataclasses.replace(SETTINGS, overdue_repeat_days=2, escalate_after=2)
    series = [overdue_alert(deadline, settings, n) for n in (1, 2, 3)]
    assert [a.send_at for a in series] == [
        ny(2025, 8, 17, 9),
        ny(2025, 8, 19, 9),
        ny(2025, 8, 21, 9),
    ]
    assert [a.escalate for a in series] == [False, True, True]


def test_reminders_already_past_at_creation_are_skipped() -> None:
    deadline = make_deadline(created_at=ny(2025, 8, 14, 10, 0))
    plan = plan_alerts(deadline, SETTINGS, now=ny(2025, 8, 14, 10, 0))
    assert [a.kind for a in plan] == [AlertKind.REMINDER, AlertKind.DUE_TODAY, AlertKind.OVERDUE]
    assert plan[0].days_before == 1


def test_alerts_keep_wall_clock_time_across_daylight_saving() -> None:
    # Due Tue 2025-11-04; DST ends Sun 2025-11-02: the 7- and 3-day reminders are in EDT,
    # the 1-day one in EST, all at 09:00 local.
    deadline = make_deadline("Records, by 2025-11-04", start=dt.date(2025, 10, 20))
    plan = plan_alerts(deadline, SETTINGS, now=deadline.created_at)
    reminders = [a.send_at for a in plan if a.kind is AlertKind.REMINDER]
    assert reminders == [ny(2025, 10, 28, 9), ny(2025, 11, 1, 9), ny(2025, 11, 3, 9)]
    assert [r.hour for r in reminders] == [13, 13, 14]  # UTC hour moves, local hour does not
    assert all(r.astimezone(NY).hour == 9 for r in reminders)


def test_timed_deadline_gets_an_hour_before_and_overdue_at_its_time() -> None:
    deadline = make_deadline("Reply by 2025-08-15 17:00")
    plan = plan_alerts(deadline, SETTINGS, now=deadline.created_at)
    kinds = {a.kind: a.send_at for a in plan}
    assert kinds[AlertKind.HOUR_BEFORE] == ny(2025, 8, 15, 16)
    assert kinds[AlertKind.DUE_TODAY] == ny(2025, 8, 15, 9)
    assert kinds[AlertKind.OVERDUE] == ny(2025, 8, 15, 17)
    # Then daily at the alert time, from the next day.
    assert overdue_alert(deadline, SETTINGS, 2).send_at == ny(2025, 8, 16, 9)


def test_deadline_created_past_due_gets_its_overdue_alert_at_once() -> None:
    created = ny(2025, 9, 1, 15, 30)
    deadline = make_deadline(created_at=created)
    plan = plan_alerts(deadline, SETTINGS, now=created)
    assert [(a.kind, a.send_at) for a in plan] == [(AlertKind.OVERDUE, created)]
    # Replanning later (an edit) does not repeat it: the next one is tomorrow at 09:00.
    later = plan_alerts(deadline, SETTINGS, now=created + dt.timedelta(minutes=5))
    assert [(a.kind, a.send_at, a.seq) for a in later] == [
        (AlertKind.OVERDUE, ny(2025, 9, 2, 9), 2)
    ]


def test_snooze_drops_alerts_until_it_ends() -> None:
    deadline = dataclasses.replace(make_deadline(), snoozed_until=ny(2025, 8, 14, 9))
    plan = plan_alerts(deadline, SETTINGS, now=deadline.created_at)
    assert [a.send_at for a in plan] == [ny(2025, 8, 15, 9), ny(2025, 8, 16, 9), ny(2025, 8, 17, 9)]


def test_snoozed_overdue_deadline_resumes_at_snooze_end() -> None:
    deadline = dataclasses.replace(make_deadline(), snoozed_until=ny(2025, 8, 20, 9))
    plan = plan_alerts(deadline, SETTINGS, now=ny(2025, 8, 18, 10))
    assert [(a.kind, a.send_at, a.seq) for a in plan] == [
        (AlertKind.OVERDUE, ny(2025, 8, 20, 9), 4)
    ]


def test_closed_deadlines_get_no_alerts() -> None:
    for status in (Status.DONE, Status.CANCELLED):
        deadline = dataclasses.replace(make_deadline(), status=status)
        assert plan_alerts(deadline, SETTINGS, now=deadline.created_at) == []


def test_replanning_is_deterministic() -> None:
    deadline = make_deadline()
    first = plan_alerts(deadline, SETTINGS, now=deadline.created_at)
    assert [a.key for a in first] == [
        a.key for a in plan_alerts(deadline, SETTINGS, now=deadline.created_at)
    ]
    assert len({a.key for a in first}) == len(first)


@given(
    offset_hours=st.integers(0, 24 * 60),
    repeat=st.integers(1, 7),
    hour=st.integers(0, 23),
)
def test_next_overdue_is_the_first_of_the_series_at_or_after(
    offset_hours: int, repeat: int, hour: int
) -> None:
    settings = dataclasses.replace(SETTINGS, overdue_repeat_days=repeat, alert_time=dt.time(hour))
    deadline = make_deadline()
    after = first_overdue_at(deadline, settings) + dt.timedelta(hours=offset_hours, minutes=1)
    alert = next_overdue(deadline, settings, after=after)
    assert alert.send_at >= after
    if alert.seq > 1:
        assert overdue_alert(deadline, settings, alert.seq - 1).send_at < after


ZONES = (None, "America/New_York", "America/Los_Angeles", "Europe/London")


@st.composite
def deadlines_of_an_import(draw: st.DrawFn) -> Deadline:
    """Deadlines that often agree on some of what planning reads, and differ on the rest."""
    due = dt.date(2025, 8, 1) + dt.timedelta(days=draw(st.integers(0, 12)))
    zone_name = draw(st.sampled_from(ZONES))
    has_time = draw(st.booleans())
    clock = dt.time(draw(st.sampled_from((8, 9, 17))), 0) if has_time else dt.time(23, 59, 59)
    due_at = dt.datetime.combine(due, clock, NY)  # the same instant whatever the zone
    created_at = ny(2025, 7, 17, 8, 0) + dt.timedelta(days=draw(st.sampled_from((0, 0, 16, 30))))
    return dataclasses.replace(
        make_deadline(),
        guild_id=draw(st.sampled_from((1, 2))),
        id=draw(st.integers(1, 10**6)),
        title=draw(st.sampled_from(("County records", "Bondi letter"))),
        due=due,
        due_at=due_at.astimezone(dt.UTC),
        has_time=has_time,
        timezone=zone_name,
        created_at=created_at,
        status=draw(st.sampled_from((Status.ACTIVE, Status.ACTIVE, Status.DONE))),
        snoozed_until=draw(st.sampled_from((None, None, ny(2025, 8, 5, 12, 0)))),
    )


@given(st.lists(deadlines_of_an_import(), max_size=40), st.sampled_from((0, 10, 20)))
def test_plan_many_is_plan_alerts_for_each(deadlines: list[Deadline], days_later: int) -> None:
    settings = {
        1: SETTINGS,
        2: dataclasses.replace(SETTINGS, guild_id=2, reminder_days=(2,), alert_time=dt.time(7)),
    }
    now = ny(2025, 7, 20, 10, 0) + dt.timedelta(days=days_later)
    planned = plan_many(deadlines, settings, now=now)
    assert [list(plan) for plan in planned] == [
        plan_alerts(d, settings[d.guild_id], now=now) for d in deadlines
    ]
