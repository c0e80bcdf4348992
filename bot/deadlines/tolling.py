"""Tolling: the days a paused deadline has left, and its due date when the clock restarts.

Pure: no clock; callers pass the days. Days left are counted under the deadline's rule:
business days under the business rule (the days after the pause up to the due date that are
business days), calendar days under the others, up to the period's own last day (under the
roll and court rules the one before the roll: a roll is not part of the period); when the
clock restarts they are counted again from that day the same way, and the roll and court
rules roll a last day that falls on a weekend or holiday to the next business day, once, as
they did the first time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendars import format_day, holiday_calendar
from .counting import DueDate, Rule, _add_business_days, _roll, _shift, due_on, zone


@dataclass(frozen=True, slots=True)
class DaysLeft:
    """How much of its period a paused deadline has left."""

    days: int
    business: bool

    def describe(self) -> str:
        """'7 business days', '1 calendar day'."""
        kind = "business" if self.business else "calendar"
        return f"{self.days} {kind} day{'' if self.days == 1 else 's'}"


def days_left(due: dt.date, paused_on: dt.date, *, rule: Rule | str, calendar: str) -> DaysLeft:
    """The days of `rule` after `paused_on` up to and including `due` (0 if it is past).
    Under the roll and court rules `due` is the statutory last day, before any roll."""
    rule = Rule.parse(rule)
    business = rule is Rule.BUSINESS
    if due <= paused_on:
        return DaysLeft(0, business)
    if not business:
        return DaysLeft((due - paused_on).days, False)
    cal = holiday_calendar(calendar)
    count, day = 0, paused_on
    while day < due:
        day += dt.timedelta(days=1)
        if cal.is_business_day(day):
            count += 1
    return DaysLeft(count, True)


def resumed_due(
    left: DaysLeft,
    resumed_on: dt.date,
    *,
    rule: Rule | str,
    calendar: str,
    tz: str,
    at: dt.time | None = None,
) -> DueDate:
    """The due date when the clock restarts on `resumed_on` with `left` to go, explained
    (its first step is day 0); at `at` on that day, else by its end."""
    rule = Rule.parse(rule)
    zoneinfo = zone(tz)
    cal = holiday_calendar(calendar, closures=rule is Rule.COURT)
    steps = [f"day 0: {format_day(resumed_on)} (the clock restarted)"]
    if left.days == 0:
        day = resumed_on
        steps.append("no days were left: due the day the clock restarted")
    elif left.business:
        day, skipped = _add_business_days(resumed_on, left.days, cal)
        steps.append(f"+{left.describe()} left -> {format_day(day)}{skipped}")
    else:
        day = _shift(resumed_on, dt.timedelta(days=left.days))
        steps.append(f"+{left.describe()} left -> {format_day(day)}")
    last_day = None
    if rule is not Rule.CALENDAR:
        unrolled = day
        day = _roll(day, cal, rule, steps)
        if day != unrolled and rule in (Rule.ROLL, Rule.COURT):
            last_day = unrolled  # what a later pause counts to, and an extension from
    return due_on(
        resumed_on, day, rule=rule, calendar=cal.name, tz=zoneinfo, steps=steps, at=at,
        last_day=last_day,
    )  # fmt: skip


def time_text(left: dt.timedelta) -> str:
    """'3 h 05 min': the time a timed deadline paused on its due day had left."""
    minutes = max(0, int(left.total_seconds()) // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def resumed_due_timed(
    left: dt.timedelta,
    resumed_at: dt.datetime,
    *,
    rule: Rule | str,
    calendar: str,
    tz: str,
) -> DueDate:
    """The due instant of a timed deadline paused on its due day (no whole day left, only
    `left`, the time to its hour) when the clock restarts at `resumed_at`: that time again,
    from then. Under the roll, court and business rules a day that is not a business day
    rolls to the next one at the same hour, as the due day itself would have."""
    rule = Rule.parse(rule)
    zoneinfo = zone(tz)
    cal = holiday_calendar(calendar, closures=rule is Rule.COURT)
    restart = resumed_at.astimezone(zoneinfo)
    # Added in UTC: `left` is elapsed time, and an aware local datetime adds wall-clock time
    # (across a DST change the due instant would move an hour).
    local = (resumed_at.astimezone(dt.UTC) + left).astimezone(zoneinfo).replace(microsecond=0)
    steps = [
        f"day 0: {format_day(restart.date())} (the clock restarted at {restart:%H:%M})",
        f"{time_text(left)} were left on the due day -> {local:%H:%M} on "
        f"{format_day(local.date())}",
    ]
    day = local.date()
    if rule is not Rule.CALENDAR:
        day = _roll(day, cal, rule, steps)
    due_local = dt.datetime.combine(day, local.time(), tzinfo=zoneinfo)
    steps.append(f"due at {due_local:%H:%M} {zoneinfo.key} on {format_day(day)}")
    return DueDate(
        start=restart.date(),
        rule=rule,
        calendar=cal.name,
        due=day,
        due_at=due_local.astimezone(dt.UTC),
        timezone=zoneinfo.key,
        has_time=True,
        explanation=tuple(steps),
    )
