"""Repeating deadlines in the core (issue 18): the phrases read, the dates the rule gives,
each date counted under the deadline's rule, and what is refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deadlines import (
    DateOutOfRangeError,
    DeadlineError,
    PhraseError,
    calculate,
    occurrences,
    parse_phrase,
)

DAY0 = dt.date(2025, 7, 17)  # a Thursday
NY = "America/New_York"


def dues(text: str, n: int = 4, *, rule: str = "calendar", start: dt.date = DAY0) -> list[str]:
    result = calculate(text, start=start, rule=rule, tz=NY)
    assert result.recurrence is not None
    found = occurrences(result.recurrence, result.recurrence.start, count=n, rule=rule, tz=NY)
    assert found[0][1].due == result.due.due  # the first occurrence is the phrase's due
    return [f"{due.due:%a %Y-%m-%d}" for _, due in found]


@pytest.mark.parametrize(
    ("text", "title", "rrule", "first"),
    [
        ("Jail population report, every month on the 10th", "Jail population report",
         "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("monthly on the 10th", None, "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Council agenda, every Tuesday", "Council agenda", "FREQ=WEEKLY;BYDAY=TU", "2025-07-22"),
        ("weekly", None, "FREQ=WEEKLY;BYDAY=TH", "2025-07-24"),
        ("Status call, every 2 weeks", "Status call", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
         "2025-07-31"),
        ("every 3 months", None, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=17", "2025-10-17"),
        ("Campaign finance, quarterly", "Campaign finance",
         "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=17", "2025-10-17"),
        ("quarterly on the 15th", None, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", "2025-08-15"),
        ("Budget, every year on June 30", "Budget", "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=30",
         "2026-06-30"),
        ("annually", None, "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=17", "2026-07-17"),
        ("Close, last business day of every month", "Close",
         "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "2025-07-31"),
        ("first Monday of each month", None, "FREQ=MONTHLY;BYDAY=+1MO", "2025-08-04"),
        ("every month on the 10th until 2026-12-31", None,
         "FREQ=MONTHLY;BYMONTHDAY=10;UNTIL=20261231", "2025-08-10"),
        ("every month on the 10th for 6 times", None, "FREQ=MONTHLY;BYMONTHDAY=10;COUNT=6",
         "2025-08-10"),
    ],
)  # fmt: skip
def test_the_issue_phrases_read_as_a_rule(
    text: str, title: str | None, rrule: str, first: str
) -> None:
    result = calculate(text, start=DAY0, tz=NY)
    assert result.recurrence is not None
    assert (result.title, result.recurrence.rrule) == (title, rrule)
    assert result.recurrence.start.isoformat() == first
    assert result.period == result.recurrence.words


def test_roll_moves_a_10th_on_a_sunday_to_monday_the_11th() -> None:
    text = "Jail population report, every month on the 10th"
    assert dues(text, 3, rule="calendar") == ["Sun 2025-08-10", "Wed 2025-09-10", "Fri 2025-10-10"]
    assert dues(text, 3, rule="roll") == ["Mon 2025-08-11", "Wed 2025-09-10", "Fri 2025-10-10"]
    explained = calculate(text, start=DAY0, rule="roll", tz=NY).due.explanation
    assert any("rolled to Mon 2025-08-11" in step for step in explained)


def test_a_holiday_under_roll_moves_the_occurrence_to_the_next_business_day() -> None:
    # Sep 1 2025 is Labor Day, Jan 1 2026 New Year's Day (the 3rd is a Saturday: Jan 5).
    assert dues("every month on the 1st", 6, rule="roll", start=dt.date(2025, 8, 2)) == [
        "Tue 2025-09-02", "Wed 2025-10-01", "Mon 2025-11-03", "Mon 2025-12-01",
        "Fri 2026-01-02", "Mon 2026-02-02",
    ]  # fmt: skip
    assert dues("first Monday of each month", 2, rule="roll", start=dt.date(2025, 8, 5)) == [
        "Tue 2025-09-02", "Mon 2025-10-06",
    ]  # fmt: skip
    # Under the calendar rule the date is the date, holiday or not.
    assert dues("first Monday of each month", 1, start=dt.date(2025, 8, 5)) == ["Mon 2025-09-01"]


def test_the_last_business_day_steps_back_over_a_holiday() -> None:
    # May 31 2027 is Memorial Day (a Monday): the last business day of May is Friday the 28th.
    got = dues("last business day of every month", 3, start=dt.date(2027, 4, 1))
    assert got == ["Fri 2027-04-30", "Fri 2027-05-28", "Wed 2027-06-30"]


def test_the_31st_falls_on_the_last_day_of_a_short_month() -> None:
    got = dues("every month on the 31st", 6, start=dt.date(2025, 12, 1))
    assert got == ["Wed 2025-12-31", "Sat 2026-01-31", "Sat 2026-02-28", "Tue 2026-03-31",
                   "Thu 2026-04-30", "Sun 2026-05-31"]  # fmt: skip
    # From day 0 on a 31st, as "1 month" counts.
    assert dues("monthly", 3, start=dt.date(2026, 1, 31)) == [
        "Sat 2026-02-28", "Tue 2026-03-31", "Thu 2026-04-30",
    ]  # fmt: skip
    assert dues("every 3 months", 3, start=dt.date(2025, 11, 30)) == [
        "Sat 2026-02-28", "Sat 2026-05-30", "Sun 2026-08-30",
    ]  # fmt: skip


def test_leap_years() -> None:
    assert dues("every year on Feb 29", 5, start=dt.date(2025, 3, 1)) == [
        "Sat 2026-02-28", "Sun 2027-02-28", "Tue 2028-02-29", "Wed 2029-02-28", "Thu 2030-02-28",
    ]  # fmt: skip
    assert dues("annually", 4, start=dt.date(2024, 2, 29)) == [
        "Fri 2025-02-28", "Sat 2026-02-28", "Sun 2027-02-28", "Tue 2028-02-29",
    ]  # fmt: skip
    assert dues("every month on the 30th", 3, start=dt.date(2028, 1, 31)) == [
        "Tue 2028-02-29", "Thu 2028-03-30", "Sun 2028-04-30",
    ]  # fmt: skip


def test_each_occurrence_is_due_at_the_end_of_its_local_day_across_a_dst_change() -> None:
    result = calculate("every Saturday", start=dt.date(2025, 10, 25), tz=NY)
    assert result.recurrence is not None
    pairs = occurrences(result.recurrence, result.recurrence.start, count=3, rule="calendar",
                        tz=NY)  # fmt: skip
    local = [due.due_at.astimezone(ZoneInfo(NY)) for _, due in pairs]
    assert [t.strftime("%Y-%m-%d %H:%M:%S") for t in local] == [
        "2025-10-25 23:59:59", "2025-11-01 23:59:59", "2025-11-08 23:59:59",
    ]  # fmt: skip
    # The UTC instant moves with the clocks (EDT, EDT, EST): one hour later after Nov 2.
    assert [due.due_at.hour for _, due in pairs] == [3, 3, 4]


def test_count_and_until_end_the_series() -> None:
    assert dues("every month on the 10th for 2 times", 5) == ["Sun 2025-08-10", "Wed 2025-09-10"]
    assert dues("every Tuesday until 2025-08-05", 9) == [
        "Tue 2025-07-22", "Tue 2025-07-29", "Tue 2025-08-05",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("every month on the 32nd", "32nd"),
        ("every month on the 10st", "10st"),
        ("every year on June 31", "no day 31"),
        ("every month on the 10th until Dec 31", "year"),
        ("every month on the 10th until 2025-01-01", "before its first date"),
        ("every month on the 10th for 0 times", "0 times"),
        ("every 0 weeks", "every 0 weeks"),
        ("Report, 30 days, every month", "30 days"),
        ("Report by Friday, every Tuesday", "by Friday"),
        ("the first of every month", "after the repeat"),
        ("by the fifteenth of each month", "fifteenth"),  # in words: not read
        ("every month on the 10th through December 2026", "'through december 2026'"),
        ("every 10 days", "repeat"),  # not a form read: refused by the reader as before
        ("each Friday by noon", "repeat"),
        ("every two weeks on Monday", "repeat"),
        ("monthly report", "repeat"),
        ("twice a month", "repeat"),
        ("the 2nd and 4th Tuesday of every month", "repeat"),
    ],
)
def test_what_is_not_clearly_a_repeat_is_refused(text: str, says: str) -> None:
    with pytest.raises(DeadlineError, match=says):
        calculate(text, start=DAY0, tz=NY)


def test_the_one_off_reader_still_refuses_repeats() -> None:
    """Extend, snooze and messages read one-off deadlines only."""
    with pytest.raises(PhraseError, match="repeat"):
        parse_phrase("every month on the 10th")


FORMS = st.sampled_from([
    "every month on the 10th", "every month on the 31st", "every month on the 29th",
    "every Tuesday", "weekly", "every 2 weeks", "every 3 months", "quarterly",
    "every year on Feb 29", "annually", "last business day of every month",
    "first Monday of each month", "the last Friday of every month", "monthly",
])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    form=FORMS,
    start=st.dates(dt.date(2000, 1, 1), dt.date(2150, 12, 31)),
    rule=st.sampled_from(["calendar", "roll"]),
)
def test_the_dates_follow_the_rrule_and_never_go_back(form: str, start: dt.date, rule: str) -> None:
    result = calculate(form, start=start, rule=rule, tz=NY)
    recurrence = result.recurrence
    assert recurrence is not None
    pairs = occurrences(recurrence, recurrence.start, count=8, rule=rule, tz=NY)
    nominal = [day for day, _ in pairs]
    # A second reading of the RRULE (as a calendar would) gives the same dates.
    again = rrulestr(
        f"RRULE:{recurrence.rrule}", dtstart=dt.datetime.combine(nominal[0], dt.time())
    )
    assert [d.date() for d in again[:8]] == nominal  # type: ignore[index]
    # The first occurrence is the first due on or after day 0 (under roll its date may be
    # a Saturday or Sunday before a Monday day 0); the one before it was due before day 0.
    assert pairs[0][1].due >= start
    assert nominal[0] >= start - dt.timedelta(days=7)
    if nominal[0] < start:
        assert rule == "roll" or recurrence.business
    assert nominal == sorted(set(nominal))
    for day, due in pairs:
        if recurrence.business:
            assert day - dt.timedelta(days=7) < due.due <= day
        else:
            assert day <= due.due <= day + dt.timedelta(days=7)
        assert (rule == "calendar" and not recurrence.business) or due.due.weekday() < 5


# --- The review of the repeat reader (items 1-8): each phrase it found misread or crashing.


def test_the_last_business_day_is_dated_by_its_business_day_not_the_rules_weekday() -> None:
    # Mon May 31 2027 is Memorial Day: May's last business day is Fri May 28, before a day 0
    # of May 29 or May 31, so the first is June's (Wed Jun 30), then Fri Jul 30 (Jul 31 is a
    # Saturday), Tue Aug 31.
    for day0 in (dt.date(2027, 5, 29), dt.date(2027, 5, 31)):
        assert dues("Close, last business day of every month", 3, start=day0) == [
            "Wed 2027-06-30", "Fri 2027-07-30", "Tue 2027-08-31",
        ]  # fmt: skip
    # The rule's May date (May 31) is after `until`; its due date May 28 is not: kept.
    assert dues("Close, last business day of every month until 2027-05-30", 5,
                start=dt.date(2027, 4, 1)) == ["Fri 2027-04-30", "Fri 2027-05-28"]  # fmt: skip
    # Fri Dec 31 2027 is New Year's Day observed: December's is Thu Dec 30, on `until`.
    assert dues("Close, last business day of every month until 2027-12-30", 5,
                start=dt.date(2027, 11, 1)) == ["Tue 2027-11-30", "Thu 2027-12-30"]  # fmt: skip
    # An `until` before the first due date (Fri May 28) names that date.
    with pytest.raises(PhraseError, match="before its first date Fri 2027-05-28"):
        calculate("Close, last business day of every month until 2027-05-27",
                  start=dt.date(2027, 5, 1), tz=NY)  # fmt: skip


def test_under_roll_an_occurrence_due_on_day_0_counts() -> None:
    # Sun Aug 10 2025 rolls to Mon Aug 11 = day 0: due today, then Wed Sep 10.
    assert dues("Jail report, every month on the 10th", 2, rule="roll",
                start=dt.date(2025, 8, 11)) == ["Mon 2025-08-11", "Wed 2025-09-10"]  # fmt: skip
    # Sat Jul 19 2025 is due Mon Jul 21 = day 0; then Sat Jul 26 -> Mon Jul 28.
    assert dues("every Saturday", 2, rule="roll", start=dt.date(2025, 7, 21)) == [
        "Mon 2025-07-21", "Mon 2025-07-28",
    ]  # fmt: skip
    # Under the calendar rule the Saturday before day 0 is past: Sat Jul 26 first.
    assert dues("every Saturday", 1, start=dt.date(2025, 7, 21)) == ["Sat 2025-07-26"]


@pytest.mark.parametrize(
    ("text", "day0"),
    [
        ("every Tuesday", dt.date(9999, 12, 31)),
        ("every month on the 10th", dt.date(9999, 12, 15)),
        ("every year on June 30", dt.date(9999, 7, 1)),
        ("monthly", dt.date(9999, 12, 15)),
        ("every year", dt.date(9999, 1, 1)),
        ("every 2 weeks", dt.date(9999, 12, 25)),
        ("every Tuesday", dt.date(1899, 12, 31)),
        ("every year on June 30", dt.date(2200, 7, 1)),  # first date 2201-06-30
    ],
)
def test_a_day_0_outside_the_supported_years_is_refused_not_a_crash(
    text: str, day0: dt.date
) -> None:
    with pytest.raises(DateOutOfRangeError, match="outside 1900-2200"):
        calculate(text, start=day0, tz=NY)


def test_the_series_ends_where_the_supported_years_do() -> None:
    # From 2199-07-01: Jun 30 2200, then 2201 (outside): the next dates stop, no error.
    assert dues("every year on June 30", 3, start=dt.date(2199, 7, 1)) == ["Mon 2200-06-30"]
    result = calculate("every year on June 30", start=dt.date(2199, 7, 1), tz=NY)
    assert result.recurrence is not None
    assert result.recurrence.after(dt.date(2200, 6, 30)) is None


@pytest.mark.parametrize(
    "text",
    [
        "Status call, bi weekly", "Budget meeting, semi monthly", "Budget meeting, bi monthly",
        "Audit, semi annually", "Staff call, twice weekly", "Staff call, thrice weekly",
        "Staff call, 2x weekly", "Staff call, three times weekly", "Board, twice monthly",
        "Board, first and third Tuesday of every month",
        "Board, second and fourth Monday of every month",
        "Board, first and last Friday of every month",
        "Close, second to last business day of every month",
        "Board, next to last Friday of every month",
        "Close, the day before the last business day of every month",
        "Close, the day after the last business day of every month",
        "Report, third, every month",
    ],
)  # fmt: skip
def test_a_word_that_changes_the_repeat_is_refused(text: str) -> None:
    with pytest.raises(PhraseError, match=r"changes what the repeat means|must come after"):
        calculate(text, start=DAY0, tz=NY)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # Day 0 is Thu Jul 17: each of these would have run on the 17th, or on Thursdays.
        ("Jail report, on the tenth, every month", "the tenth"),
        ("Jail report, by the tenth, every month", "the tenth"),
        ("Jail report, the tenth, monthly", "the tenth"),
        ("Report due the tenth, monthly", "the tenth"),
        ("Report, on the first, every month", "the first"),
        ("first of the month, monthly", "first of"),
        ("Report on the fifth, every month", "the fifth"),
        ("Report, the fifteenth, monthly", "the fifteenth"),
        ("tenth of the month, monthly", "tenth of"),
        ("Close, last business day, every month", "business day"),
        ("Close, last business day of the month, every month", "business day"),
        ("Close, month-end, every month", "month-end"),
        ("End-of-month report, monthly", "End-of-month"),
        ("Month-end close, every month", "Month-end"),
        ("Budget, at month's end, every month", "month's end"),
        ("Report, mid-month, every month", "mid-month"),
        ("First-of-month rent story, monthly", "First-of"),
        ("Year-end audit, annually", "Year-end"),
        ("Mid-year review, every year", "Mid-year"),
        ("Fourth of July permit, every year", "Fourth of"),
        ("Christmas appeal, every year", "Christmas"),
        ("New Year's Day story, annually", "New Year's"),
        ("Thanksgiving food drive, every year", "Thanksgiving"),
        ("Election Day plan, every year", "Election Day"),
        ("Tax Day explainer, annually", "Tax Day"),
        ("Weekend edition, every week", "Weekend"),
        ("Council agenda, Tuesdays weekly", "Tuesdays"),
    ],
)
def test_a_title_that_names_the_day_in_words_is_refused(text: str, says: str) -> None:
    with pytest.raises(PhraseError, match=f"also says ['\"]{says}") as refused:
        calculate(text, start=DAY0, tz=NY)
    assert refused.value.example == "Jail population report, every month on the 10th"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Starting in September, every Tuesday", "Starting in"),  # would start Jul 22
        ("Starting September, every Tuesday", "Starting September"),
        ("In September, monthly on the 10th", "In September"),  # would start Aug 10
        ("Through December, every Tuesday", "Through December"),  # would never end
        ("Until December, every Tuesday", "Until"),
        ("Until 2026, every month on the 10th", "Until"),
        ("Through 2026, monthly", "Through 2026"),
        ("Six times, every month on the 10th", "Six times"),
        ("September series, every Tuesday", "September"),
        ("After the election, every Tuesday", "After the"),
        ("Jail population report, beginning next month, every month on the 10th",
         "beginning next month"),
    ],
)  # fmt: skip
def test_a_title_that_names_a_start_or_an_end_is_refused(text: str, says: str) -> None:
    with pytest.raises(PhraseError, match=f"also says ['\"]{says}"):
        calculate(text, start=DAY0, tz=NY)


@pytest.mark.parametrize(
    "text",
    [
        "Pitch to LA Weekly", "Texas Monthly", "Story for the Atlantic Monthly",
        "Piece for Every Month", "Op-ed for Foreign Affairs Quarterly",
    ],
)  # fmt: skip
def test_a_publications_name_is_not_a_repeat(text: str) -> None:
    # No date of its own: refused, as before repeats were read (not a weekly series).
    with pytest.raises(PhraseError, match=r"could not find|makes it repeat"):
        calculate(text, start=DAY0, tz=NY)


def test_a_publications_name_is_a_title_in_a_one_off_too() -> None:
    # Thu Jul 17 + 10 business days: Jul 31 (no holiday between).
    result = calculate("LA Weekly records request, 10 business days", start=DAY0, tz=NY)
    assert (result.title, result.due.due, result.recurrence) == (
        "LA Weekly records request", dt.date(2025, 7, 31), None,
    )  # fmt: skip
    # A capital at the start or after a comma is still the repeat.
    for text in ("Jail report, Monthly", "Monthly"):
        assert calculate(text, start=DAY0, tz=NY).recurrence is not None
    with pytest.raises(PhraseError, match="repeat"):
        parse_phrase("Weekly meeting notes due Friday")


@pytest.mark.parametrize(
    "text",
    ["CPRA request to LA County, monthly", "FOIA to FBI, weekly",
     "FOIA to FBI, twice a month", "CPRA request to LA County, every other week"],
)  # fmt: skip
def test_a_repeat_in_a_records_law_phrase_is_refused(text: str) -> None:
    # Was the law's preset (CPRA: due Jul 28) or a series from day 0: neither is meant.
    with pytest.raises(PhraseError, match="repeat"):
        calculate(text, start=DAY0, tz=NY)
    # Without the repeat, the preset still counts.
    assert calculate("CPRA request to LA County", start=DAY0, tz=NY).law is not None


@pytest.mark.parametrize(
    ("text", "rrule", "first"),
    [
        # Day 0 Thu Jul 17 2025: the first 10th on or after it is Sun Aug 10.
        ("Jail report, on the 10th of every month", "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Jail report, by the 10th of each month", "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Jail report due the 10th of each month", "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Jail report, every month by the 10th", "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Jail report, monthly, due the 10th", "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Jail report, every month on the 10th;", "FREQ=MONTHLY;BYMONTHDAY=10", "2025-08-10"),
        ("Jail report, every month on the 10th until Dec. 31, 2026",
         "FREQ=MONTHLY;BYMONTHDAY=10;UNTIL=20261231", "2025-08-10"),
        ("Jail report, every month on the 10th until December 31, 2026",
         "FREQ=MONTHLY;BYMONTHDAY=10;UNTIL=20261231", "2025-08-10"),
        # Yearly from day 0: Jul 17 2026; on June 30: the first is Jun 30 2026.
        ("Jail report, yearly", "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=17", "2026-07-17"),
        ("Jail report, yearly on June 30", "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=30", "2026-06-30"),
        ("Jail report, every June 30", "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=30", "2026-06-30"),
        # Every quarter from day 0: Oct 17; every other week: Thu Jul 31.
        ("Jail report, every quarter", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=17", "2025-10-17"),
        ("Jail report, each quarter", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=17", "2025-10-17"),
        ("Jail report, every other week", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2025-07-31"),
        ("Jail report, once weekly", "FREQ=WEEKLY;BYDAY=TH", "2025-07-24"),
        # The fourth Thursday of July 2025 is Jul 24.
        ("Jail report, 4th Thu. of each month", "FREQ=MONTHLY;BYDAY=+4TH", "2025-07-24"),
    ],
)  # fmt: skip
def test_more_ways_to_say_a_repeat_that_read_one_way(text: str, rrule: str, first: str) -> None:
    result = calculate(text, start=DAY0, tz=NY)
    assert result.recurrence is not None
    assert (result.title, result.recurrence.rrule) == ("Jail report", rrule)
    assert result.recurrence.start.isoformat() == first


def test_a_repeat_word_after_an_article_is_a_noun_not_a_repeat() -> None:
    # "by the 10th" is the one-off's: Sun Aug 10 2025, titled with the publication.
    result = calculate("Reply to the Monthly, by the 10th", start=DAY0, tz=NY)
    assert (result.title, result.due.due, result.recurrence) == (
        "Reply to the Monthly", dt.date(2025, 8, 10), None,
    )  # fmt: skip
    with pytest.raises(PhraseError, match="repeat"):
        calculate("Reply to the monthly, by the 10th", start=DAY0, tz=NY)


@pytest.mark.parametrize("text", ["Jail report, weekly", "Jail report, every month on the 10th"])
def test_a_repeat_with_a_preset_is_refused_not_kept_as_the_title(text: str) -> None:
    # Was the CPRA preset titled 'Jail report, weekly': the repeat silently dropped.
    with pytest.raises(PhraseError, match="says when itself"):
        calculate(text, start=DAY0, tz=NY, preset="ca")
