"""A repeat in the exports (issue 18 part 4): one event with an RRULE, the dates the counting
moves as EXDATE + RDATE, read back by a second parser (recurring-ical-events) with the series
expanded to exactly the due dates the bot counts; CSV shows the rule."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import icalendar
import recurring_ical_events

from bot.deadlines import calculate, occurrences
from bot.export import EventCache, csv_table, event_context, ics_calendar, render, stored_key
from bot.models import Deadline, DeadlineExport, GuildSettings, Status

NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)
SETTINGS = GuildSettings(guild_id=1)


def repeat(text: str, *, rule: str = "calendar", start: dt.date = dt.date(2025, 7, 17),
           deadline_id: int = 1, **changes: object) -> Deadline:  # fmt: skip
    result = calculate(text, start=start, rule=rule)
    assert result.recurrence is not None
    due = result.due
    made = Deadline(
        guild_id=1, id=deadline_id, channel_id=2, title=result.title or "Report",
        start=due.start, rule=due.rule, calendar=due.calendar, period=result.period,
        due=due.due, due_at=due.due_at, has_time=False, explanation=due.explanation,
        created_by=3, created_at=NOW, updated_at=NOW, recurrence=result.recurrence,
        occurrence_on=result.recurrence.start,
    )  # fmt: skip
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


def expanded(data: bytes, until: dt.date) -> list[dt.date]:
    calendar = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(calendar).between(dt.date(2000, 1, 1), until)
    return sorted(event["DTSTART"].dt for event in events)


def counted(deadline: Deadline, n: int) -> list[dt.date]:
    assert deadline.recurrence is not None
    assert deadline.occurrence_on is not None
    found = occurrences(deadline.recurrence, deadline.occurrence_on, count=n,
                        rule=deadline.rule, calendar=deadline.calendar)  # fmt: skip
    return [due.due for _, due in found]


def test_a_repeat_is_one_event_whose_expansion_is_every_due_date_under_roll() -> None:
    jail = repeat("Jail population report, every month on the 10th", rule="roll")
    data = ics_calendar([jail], SETTINGS)
    assert data.count(b"BEGIN:VEVENT") == 1
    assert b"RRULE:FREQ=MONTHLY;BYMONTHDAY=10\r\n" in data
    assert b"DTSTART;VALUE=DATE:20250810\r\n" in data  # the rule's date: DTSTART is in the rule
    # Sun Aug 10 2025, Sat Jan 10 2026, Sun May 10 2026 ... roll to the Monday.
    assert b"EXDATE;VALUE=DATE:20250810,20260110,20260510" in data
    assert b"RDATE;VALUE=DATE:20250811,20260112,20260511" in data
    dates = expanded(data, dt.date(2027, 1, 1))
    assert dates == counted(jail, 17)
    assert dates[:4] == [dt.date(2025, 8, 11), dt.date(2025, 9, 10), dt.date(2025, 10, 10),
                         dt.date(2025, 11, 10)]  # fmt: skip
    assert all(day.weekday() < 5 for day in dates)


def test_a_holiday_under_roll_and_the_last_business_day_read_back() -> None:
    first = repeat("every month on the 1st", rule="roll", start=dt.date(2025, 8, 2))
    dates = expanded(ics_calendar([first], SETTINGS), dt.date(2026, 3, 1))
    assert dates == [dt.date(2025, 9, 2), dt.date(2025, 10, 1), dt.date(2025, 11, 3),
                     dt.date(2025, 12, 1), dt.date(2026, 1, 2), dt.date(2026, 2, 2)]  # fmt: skip
    close = repeat("last business day of every month", start=dt.date(2027, 4, 1))
    dates = expanded(ics_calendar([close], SETTINGS), dt.date(2027, 7, 1))
    assert dates == [dt.date(2027, 4, 30), dt.date(2027, 5, 28), dt.date(2027, 6, 30)]


def test_short_months_and_leap_years_expand_as_the_bot_counts() -> None:
    end = repeat("every month on the 31st", start=dt.date(2027, 12, 1))
    dates = expanded(ics_calendar([end], SETTINGS), dt.date(2028, 7, 1))
    assert dates == counted(end, 7)
    assert dates[1:4] == [dt.date(2028, 1, 31), dt.date(2028, 2, 29), dt.date(2028, 3, 31)]
    leap = repeat("every year on Feb 29", start=dt.date(2025, 3, 1))
    dates = expanded(ics_calendar([leap], SETTINGS), dt.date(2030, 1, 1))
    assert dates == [dt.date(2026, 2, 28), dt.date(2027, 2, 28), dt.date(2028, 2, 29),
                     dt.date(2029, 2, 28)]  # fmt: skip


def test_count_and_until_end_the_series_in_the_calendar_too() -> None:
    six = repeat("Report, every month on the 10th for 3 times")
    assert expanded(ics_calendar([six], SETTINGS), dt.date(2030, 1, 1)) == [
        dt.date(2025, 8, 10), dt.date(2025, 9, 10), dt.date(2025, 10, 10),
    ]  # fmt: skip
    # The second occurrence's event counts from it: two left.
    second = dataclasses.replace(six, id=2, occurrence_on=dt.date(2025, 9, 10),
                                 due=dt.date(2025, 9, 10))  # fmt: skip
    data = ics_calendar([second], SETTINGS)
    assert b"COUNT=2" in data
    assert expanded(data, dt.date(2030, 1, 1)) == [dt.date(2025, 9, 10), dt.date(2025, 10, 10)]
    until = repeat("every Tuesday until 2025-08-05")
    assert expanded(ics_calendar([until], SETTINGS), dt.date(2030, 1, 1)) == [
        dt.date(2025, 7, 22), dt.date(2025, 7, 29), dt.date(2025, 8, 5),
    ]  # fmt: skip


def test_an_extended_current_occurrence_moves_only_itself() -> None:
    jail = repeat("every month on the 10th", due=dt.date(2025, 8, 20))
    dates = expanded(ics_calendar([jail], SETTINGS), dt.date(2025, 11, 1))
    assert dates == [dt.date(2025, 8, 20), dt.date(2025, 9, 10), dt.date(2025, 10, 10)]


def test_past_occurrences_and_done_series_are_single_events() -> None:
    missed = repeat("every month on the 10th", next_id=2)
    done = repeat("every month on the 10th", deadline_id=3, status=Status.DONE, next_id=4)
    stopped = repeat("every month on the 10th", deadline_id=5, recurrence=None)
    data = ics_calendar([missed, done, stopped], SETTINGS)
    assert b"\r\nRRULE:" not in data  # (the description names the rule)
    assert expanded(data, dt.date(2030, 1, 1)) == [dt.date(2025, 8, 10)] * 3
    assert b"series goes on as #2" in data.replace(b"\r\n ", b"")


def test_the_cache_and_the_stored_key_follow_the_rule() -> None:
    jail = repeat("every month on the 10th")
    other = repeat("every month on the 15th")
    export = DeadlineExport(SETTINGS, (jail,))
    context = event_context(export)
    assert stored_key(jail, context) != stored_key(
        dataclasses.replace(jail, recurrence=other.recurrence), context
    )
    cache = EventCache()
    assert render("ics", export, cache=cache) == render("ics", export)
    changed = DeadlineExport(SETTINGS, (dataclasses.replace(jail, recurrence=other.recurrence),))
    assert render("ics", changed, cache=cache) != render("ics", export, cache=cache)


def test_csv_shows_the_rule() -> None:
    jail = repeat("Jail population report, every month on the 10th")
    text = csv_table([jail, repeat("X, every Tuesday", recurrence=None)], SETTINGS)
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0]["repeats"] == "every month on the 10th (RRULE:FREQ=MONTHLY;BYMONTHDAY=10)"
    assert rows[1]["repeats"] == ""
