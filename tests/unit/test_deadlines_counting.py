"""Pure tests of counting: rules, holiday weeks, month ends, time zones, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.deadlines import (
    DateOutOfRangeError,
    DeadlineError,
    PeriodLengthError,
    PhraseError,
    Rule,
    UnknownCalendarError,
    UnknownRuleError,
    UnknownTimezoneError,
    calculate,
    iana_zone,
    zone,
    zone_names,
)
from bot.deadlines.counting import DEFAULT_TIMEZONE
from bot.deadlines.reading import ZONES

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("text", "start", "rule", "calendar", "due"),
    [
        # The Bondi letter: sent Thu 2025-07-17, 30 days.
        ("Bondi letter, 30 days", "2025-07-17", "calendar", "US", "2025-08-16"),
        ("Bondi letter, 30 days", "2025-07-17", "roll", "US", "2025-08-18"),
        ("Bondi letter, 30 days", "2025-07-17", "court", "US", "2025-08-18"),
        ("Bondi letter, 30 calendar days", "2025-07-17", "calendar", "US", "2025-08-16"),
        ("2 weeks", "2025-07-17", "calendar", "US", "2025-07-31"),
        ("two weeks", "2025-07-17", "calendar", "US", "2025-07-31"),
        ("10 days + 14-day extension", "2025-07-17", "calendar", "US", "2025-08-10"),
        ("10 days + 14-day extension", "2025-07-17", "roll", "US", "2025-08-11"),
        # FOIA across Thanksgiving: Thu 2025-11-27 is skipped, the day after is not federal.
        ("FOIA, 20 business days", "2025-11-20", "calendar", "US", "2025-12-19"),
        ("1 business day", "2025-11-26", "business", "US", "2025-11-28"),
        ("1 business day", "2025-11-26", "business", "US-CA", "2025-12-01"),
        ("20 business days + 10 working days", "2025-07-17", "calendar", "US", "2025-08-28"),
        ("1 day", "2025-11-26", "business", "US", "2025-11-28"),
        # Christmas and New Year.
        ("5 business days", "2025-12-23", "business", "US", "2025-12-31"),
        ("2 days", "2025-12-23", "roll", "US", "2025-12-26"),
        # Court: Christmas Eve and the day after Christmas 2025 were executive-order closures.
        ("2 days", "2025-12-23", "court", "US", "2025-12-29"),
        ("10 days", "2025-12-22", "roll", "US", "2026-01-02"),
        # Juneteenth.
        ("10 days", "2025-06-09", "roll", "US", "2025-06-20"),
        ("1 business day", "2025-06-18", "business", "US", "2025-06-20"),
        # July 4 on a Saturday (2026, observed Fri Jul 3) and on a Sunday (2021, observed Mon).
        ("10 days", "2026-06-23", "roll", "US", "2026-07-06"),
        ("1 business day", "2026-07-02", "business", "US", "2026-07-06"),
        ("1 business day", "2021-07-02", "business", "US", "2021-07-06"),
        # Month arithmetic, clamped; leap years.
        ("1 month", "2024-01-31", "calendar", "US", "2024-02-29"),
        ("1 month", "2025-01-31", "calendar", "US", "2025-02-28"),
        ("2 months", "2023-12-31", "calendar", "US", "2024-02-29"),
        ("1 year", "2024-02-29", "calendar", "US", "2025-02-28"),
        ("1 month", "2025-08-31", "calendar", "US", "2025-09-30"),
        ("3 months", "2025-07-17", "calendar", "US", "2025-10-17"),
        ("10 years", "2025-07-17", "calendar", "US", "2035-07-17"),
        # A business rule after a calendar unit still lands on a business day.
        ("1 month", "2025-07-17", "business", "US", "2025-08-18"),
        # Absolute dates are never rolled; a date with no year is the next one on/after start.
        ("by 2025-09-01", "2025-07-17", "roll", "US", "2025-09-01"),
        ("by Aug 15", "2025-07-17", "calendar", "US", "2025-08-15"),
        ("by Aug 15", "2025-08-15", "calendar", "US", "2025-08-15"),
        ("by Aug 15", "2025-09-20", "calendar", "US", "2026-08-15"),
        ("by Feb 29", "2025-03-01", "calendar", "US", "2028-02-29"),
        # "from" in the phrase wins over the start argument.
        ("Bondi letter, 30 days from July 17 2025", "2026-11-28", "calendar", "US", "2025-08-16"),
        ("30 days from July 17", "2025-07-20", "calendar", "US", "2025-08-16"),
        ("30 days from Dec 30", "2026-01-02", "calendar", "US", "2026-01-29"),
    ],
)
def test_due_dates(text: str, start: str, rule: str, calendar: str, due: str) -> None:
    result = calculate(text, start=D(start), rule=rule, calendar=calendar)
    assert result.due.due == D(due)


def test_bondi_explanation_reads_step_by_step() -> None:
    due = calculate("Bondi letter, 30 days", start=D("2025-07-17"), rule="roll").due
    assert due.explanation[0] == "day 0: Thu 2025-07-17 (start date)"
    assert due.explanation[1] == "+30 calendar days -> Sat 2025-08-16"
    assert "rolled to Mon 2025-08-18" in due.explanation[2]
    assert "Saturday" in due.explanation[2]


def test_business_explanation_names_skipped_holidays() -> None:
    due = calculate("FOIA, 20 business days", start=D("2025-11-20")).due
    assert due.rule is Rule.BUSINESS
    assert any("'business days' in the phrase" in step for step in due.explanation)
    assert any("Thu 2025-11-27 Thanksgiving Day" in step for step in due.explanation)


def test_month_clamp_is_explained() -> None:
    due = calculate("1 month", start=D("2025-01-31")).due
    assert "February has no day 31" in due.explanation[1]


def test_court_roll_names_the_closure() -> None:
    due = calculate("2 days", start=D("2025-12-23"), rule="court").due
    assert "Day After Christmas" in " ".join(due.explanation)
    assert due.calendar == "US"


def test_date_only_deadline_is_due_at_the_end_of_the_local_day() -> None:
    due = calculate("30 days", start=D("2025-07-17"), tz="America/New_York").due
    assert due.has_time is False
    assert due.due_at == dt.datetime(2025, 8, 17, 3, 59, 59, tzinfo=dt.UTC)
    assert due.due_at.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("text", "tz", "due_at"),
    [
        ("by 2025-08-15 17:00", "America/New_York", "2025-08-15T21:00:00+00:00"),
        ("by Aug 15 5pm", "America/New_York", "2025-08-15T21:00:00+00:00"),
        ("by 2025-01-15 17:00", "America/New_York", "2025-01-15T22:00:00+00:00"),
        ("by 2025-08-15 17:00", "America/Los_Angeles", "2025-08-16T00:00:00+00:00"),
        ("by 2025-08-15 17:00", "Europe/Berlin", "2025-08-15T15:00:00+00:00"),
    ],
)
def test_a_time_makes_a_due_instant_in_the_zone(text: str, tz: str, due_at: str) -> None:
    due = calculate(text, start=D("2025-07-17"), tz=tz).due
    assert due.has_time is True
    assert due.due_at == dt.datetime.fromisoformat(due_at)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "11 years"}, PeriodLengthError),
        ({"text": "3653 days"}, PeriodLengthError),
        ({"text": "2611 business days"}, PeriodLengthError),
        ({"text": "121 months"}, PeriodLengthError),
        ({"text": "999999 days"}, PeriodLengthError),
        ({"text": "0 days"}, PeriodLengthError),
        ({"text": "by 2025-02-30"}, DateOutOfRangeError),
        ({"text": "by 2201-01-01"}, DateOutOfRangeError),
        ({"text": "30 days from 1850-01-01"}, DateOutOfRangeError),
        ({"text": "30 days", "start": D("2200-12-20")}, DateOutOfRangeError),
        ({"text": "30 days", "start": D("1899-12-31")}, DateOutOfRangeError),
        ({"text": "by 13/45"}, DateOutOfRangeError),
        ({"text": ""}, PhraseError),
        ({"text": "soon"}, PhraseError),
        ({"text": "30 days", "rule": "weekly"}, UnknownRuleError),
        ({"text": "30 days", "calendar": "UK"}, UnknownCalendarError),
        ({"text": "30 days", "calendar": "US-ZZ"}, UnknownCalendarError),
        ({"text": "30 days", "tz": "Mars/Base"}, UnknownTimezoneError),
        ({"text": "30 days", "tz": ""}, UnknownTimezoneError),
        ({"text": "30 days", "tz": "../../etc/passwd"}, UnknownTimezoneError),
    ],
)
def test_bad_input_raises_one_specific_error(
    kwargs: dict[str, object], error: type[DeadlineError]
) -> None:
    arguments: dict[str, object] = {"start": D("2025-07-17"), **kwargs}
    with pytest.raises(error) as info:
        calculate(**arguments)  # type: ignore[arg-type]
    assert type(info.value) is error
    assert "for example" in str(info.value)


@pytest.mark.parametrize("name", ["us", "US", " us-ca ", "US-NY", "US-PR"])
def test_calendar_names_are_normalized(name: str) -> None:
    due = calculate("30 days", start=D("2025-07-17"), calendar=name).due
    assert due.calendar == name.strip().upper()


# Names ZoneInfo loads from a host's zone folder that are not zones people should choose:
# the host's own setting, the POSIX default rules, tzdata's placeholder, and the posix/ and
# right/ copies of every zone.
HOST_ONLY_ZONES = ["localtime", "posixrules", "Factory", "right/UTC", "posix/America/New_York"]


@pytest.mark.parametrize("name", HOST_ONLY_ZONES)
def test_a_zone_people_give_must_be_on_tzdatas_list(name: str) -> None:
    with pytest.raises(UnknownTimezoneError, match="unknown time zone") as raised:
        iana_zone(name)
    assert raised.value.example == "America/New_York"


@pytest.mark.parametrize("name", ["America/New_York", " Asia/Tokyo ", "UTC", "Etc/GMT+12"])
def test_zones_on_tzdatas_list_are_accepted(name: str) -> None:
    assert iana_zone(name).key == name.strip()


def test_the_list_is_tzdatas_and_holds_every_zone_the_engine_names() -> None:
    names = zone_names()
    assert len(names) > 500
    assert not [n for n in names if n.startswith(("posix/", "right/")) or n in HOST_ONLY_ZONES]
    assert {DEFAULT_TIMEZONE, *ZONES.values()} <= names
    assert zone_names() is names  # read once


def test_a_zone_stored_before_the_list_was_enforced_still_loads() -> None:
    # Factory ships with tzdata, so it loads everywhere; settings saved with it keep working.
    assert zone("Factory").key == "Factory"
