"""Tolling arithmetic (issue 17 part 5): the days a paused deadline has left under its rule,
and its due date when the clock restarts. Pure: the dates are given."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.deadlines import Rule
from bot.deadlines.tolling import DaysLeft, days_left, resumed_due

D = dt.date


@pytest.mark.parametrize(
    ("due", "paused_on", "rule", "calendar", "left"),
    [
        # Business days after the pause up to the due date: Labor Day (Mon Sep 1) is none.
        (D(2025, 9, 4), D(2025, 8, 25), Rule.BUSINESS, "US", DaysLeft(7, True)),
        # Paused on a Saturday: the next business day is the first left.
        (D(2025, 8, 11), D(2025, 8, 9), Rule.BUSINESS, "US", DaysLeft(1, True)),
        # Calendar, roll and court rules count calendar days, weekends and holidays included.
        (D(2025, 8, 18), D(2025, 8, 4), Rule.CALENDAR, "US", DaysLeft(14, False)),
        (D(2025, 9, 2), D(2025, 8, 29), Rule.ROLL, "US-CA", DaysLeft(4, False)),
        (D(2025, 9, 2), D(2025, 8, 29), Rule.COURT, "US", DaysLeft(4, False)),
        # Due today, or already past: nothing left.
        (D(2025, 8, 4), D(2025, 8, 4), Rule.BUSINESS, "US", DaysLeft(0, True)),
        (D(2025, 8, 1), D(2025, 8, 4), Rule.CALENDAR, "US", DaysLeft(0, False)),
    ],
)
def test_days_left_are_counted_under_the_rule(
    due: dt.date, paused_on: dt.date, rule: Rule, calendar: str, left: DaysLeft
) -> None:
    assert days_left(due, paused_on, rule=rule, calendar=calendar) == left


def test_days_left_describe_their_kind() -> None:
    assert DaysLeft(7, True).describe() == "7 business days"
    assert DaysLeft(1, False).describe() == "1 calendar day"


def test_a_pause_and_resume_across_a_weekend_and_a_holiday() -> None:
    """Paused with 7 business days left, resumed on a Friday: due 7 business days after it,
    skipping the weekends and Veterans Day (Tue 2025-11-11)."""
    left = days_left(D(2025, 9, 4), D(2025, 8, 25), rule="business", calendar="US")
    due = resumed_due(left, D(2025, 11, 7), rule="business", calendar="US", tz="America/New_York")
    assert due.due == D(2025, 11, 19)
    assert due.due_at == dt.datetime(2025, 11, 20, 4, 59, 59, tzinfo=dt.UTC)
    assert due.explanation == (
        "day 0: Fri 2025-11-07 (the clock restarted)",
        "+7 business days left -> Wed 2025-11-19 (weekends skipped; holidays skipped: "
        "Tue 2025-11-11 Veterans Day)",
        "due by the end of Wed 2025-11-19 (America/New_York)",
    )


def test_a_state_holiday_is_skipped_on_the_state_calendar_only() -> None:
    # Cesar Chavez Day (Mon 2025-03-31) is a California holiday, not a federal one.
    left = DaysLeft(1, True)
    friday = D(2025, 3, 28)
    ca = resumed_due(left, friday, rule=Rule.BUSINESS, calendar="US-CA", tz="America/Los_Angeles")
    us = resumed_due(left, friday, rule=Rule.BUSINESS, calendar="US", tz="America/Los_Angeles")
    assert (ca.due, us.due) == (D(2025, 4, 1), D(2025, 3, 31))


def test_the_roll_rule_rolls_the_new_last_day_and_the_calendar_rule_does_not() -> None:
    left = DaysLeft(10, False)
    # Fri 2025-03-21 + 10 days = Mon 2025-03-31, Cesar Chavez Day in California -> Tue.
    rolled = resumed_due(left, D(2025, 3, 21), rule="roll", calendar="US-CA", tz="America/New_York")
    assert rolled.due == D(2025, 4, 1)
    assert "Cesar Chavez Day: not a business day -> rolled to Tue 2025-04-01" in " ".join(
        rolled.explanation
    )
    # Wed 2025-07-16 + 10 = Sat 2025-07-26: kept under the calendar rule.
    plain = resumed_due(left, D(2025, 7, 16), rule="calendar", calendar="US", tz="America/New_York")
    assert plain.due == D(2025, 7, 26)


def test_pausing_and_resuming_the_same_day_changes_nothing() -> None:
    for rule, due in ((Rule.BUSINESS, D(2025, 9, 4)), (Rule.ROLL, D(2025, 9, 2)),
                      (Rule.CALENDAR, D(2025, 8, 30))):  # fmt: skip
        left = days_left(due, D(2025, 8, 25), rule=rule, calendar="US")
        again = resumed_due(left, D(2025, 8, 25), rule=rule, calendar="US", tz="America/New_York")
        assert again.due == due, rule


def test_nothing_left_is_due_the_day_the_clock_restarts_rolled_off_a_weekend() -> None:
    saturday = D(2025, 8, 9)
    left = DaysLeft(0, False)
    assert resumed_due(left, saturday, rule="calendar", calendar="US", tz="UTC").due == saturday
    assert resumed_due(left, saturday, rule="roll", calendar="US", tz="UTC").due == D(2025, 8, 11)


def test_a_deadline_with_a_time_keeps_its_time() -> None:
    due = resumed_due(DaysLeft(2, True), D(2025, 8, 8), rule="business", calendar="US",
                      tz="America/New_York", at=dt.time(17, 0))  # fmt: skip
    assert due.has_time
    assert due.due_at == dt.datetime(2025, 8, 12, 21, 0, tzinfo=dt.UTC)  # Tue 17:00 EDT
    assert due.explanation[-1] == "due at 17:00 America/New_York on Tue 2025-08-12"
