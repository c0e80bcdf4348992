"""Hypothesis properties of the engine: invariants that must hold for every input."""

from __future__ import annotations

import contextlib
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deadlines import (
    DeadlineError,
    Rule,
    calculate,
    guards,
    holiday_calendar,
    parse_phrase,
    parsing,
    reading,
)
from bot.deadlines.parsing import Period

starts = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))
calendars = st.sampled_from(["US", "US-CA", "US-NY", "US-TX"])


@given(start=starts, n=st.integers(1, 300), calendar=calendars)
def test_business_result_is_a_business_day_n_business_days_later(
    start: dt.date, n: int, calendar: str
) -> None:
    due = calculate(f"{n} business days", start=start, calendar=calendar).due.due
    cal = holiday_calendar(calendar)
    assert cal.is_business_day(due)
    days = [start + dt.timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(cal.is_business_day(day) for day in days) == n


@given(start=starts, n=st.integers(1, 400), calendar=calendars)
def test_roll_is_calendar_unless_calendar_lands_on_a_non_business_day(
    start: dt.date, n: int, calendar: str
) -> None:
    plain = calculate(f"{n} days", start=start, rule="calendar", calendar=calendar).due.due
    rolled = calculate(f"{n} days", start=start, rule="roll", calendar=calendar).due.due
    cal = holiday_calendar(calendar)
    assert plain == start + dt.timedelta(days=n)
    assert rolled >= plain
    assert (rolled != plain) == (not cal.is_business_day(plain))
    assert cal.is_business_day(rolled)
    # The roll stops at the first business day, not a later one.
    between = [plain + dt.timedelta(days=i) for i in range((rolled - plain).days)]
    assert not any(cal.is_business_day(day) for day in between)


@given(start=starts, n=st.integers(1, 400))
def test_court_is_never_earlier_than_roll(start: dt.date, n: int) -> None:
    rolled = calculate(f"{n} days", start=start, rule="roll").due.due
    court = calculate(f"{n} days", start=start, rule="court").due
    assert court.due >= rolled
    assert holiday_calendar("US", closures=True).is_business_day(court.due)


@given(start=starts, months=st.integers(1, 120))
def test_months_clamp_to_the_end_of_the_month(start: dt.date, months: int) -> None:
    due = calculate(f"{months} months", start=start).due.due
    assert (due.year * 12 + due.month) - (start.year * 12 + start.month) == months
    assert due.day == start.day or (due.day < start.day and (due + dt.timedelta(days=1)).day == 1)


@given(st.text(max_size=300))
@settings(max_examples=500)
def test_parser_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(DeadlineError):
        parse_phrase(text)


@given(
    text=st.text(max_size=120),
    start=st.dates(),
    rule=st.sampled_from([*Rule, "nonsense"]),
    tz=st.sampled_from(["America/New_York", "UTC", "Pacific/Kiritimati", "bad/zone"]),
)
@settings(max_examples=300)
def test_calculate_raises_only_its_own_error(text: str, start: dt.date, rule: str, tz: str) -> None:
    with contextlib.suppress(DeadlineError):
        calculate(text, start=start, rule=rule, tz=tz)


number_words = {1: "one", 2: "two", 7: "seven", 14: "fourteen", 21: "twenty-one", 30: "thirty"}
# Words the reader gives a meaning (joining words, numbers, days, repeats): a title made of
# other words is kept as written.
RESERVED = (
    parsing._CONNECTIVES | parsing._ANCHOR_WORDS | reading._NUMBER_WORDS | reading._RECURRING
    | set(reading.WEEKDAYS) | set(reading._MONTHS) | set(reading.ZONES)
    | {"every", "each", "daily", "today", "tomorrow", "tonight", "noon", "midday", "midnight",
       "cob", "eod", "eom", "eow", "eoy", "wk", "wks", "mos", "yr", "yrs", "hr", "hrs", "another",
       "extendable", "may", "can", "sent", "dated", "received", "mailed", "filed", "issued",
       "served", "delivered", "submitted", "signed", "made", "with", "plus", "once", "twice",
       "times", "half", "quarter", "minimum", "minus", "between", "weekdays", "weeknights",
       "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
       "extended", "previous", "overdue", "late", "entry", "judgment", "order", "decision",
       "publication", "receipt", "service", "letter", "request", "notice", "filing"}
    | {word for seq in (*guards._BEFORE_LIKE, *guards._AFTER_LIKE, *guards._ROUGH)
       for word in seq}
    | guards._PAST_WORDS | guards._NEGATIONS | guards._ORDINALS | guards._PARTS_OF_DAY
    | guards._FOREIGN_ZONES | guards._RANGE_WORDS | guards._PAST_TENSE | guards._HEDGES
    | guards._TIMEISH_AFTER | guards._TIMEISH_BEFORE | guards._LENGTH_VERBS
    | {"give", "ish", "if", "unless", "provided", "embargo", "embargoed", "embargoes", "halves",
       "quarters",
       "never", "possibly", "probably", "hrs", "nights", "mornings", "evenings", "afternoons",
       "nightly", "being", "subpoena", "email", "message", "receiving", "hereof", "entry",
       "complaint", "summons", "appeal", "judgment", "order"}
    | set(reading._TOMORROW_SHORT) | reading._MORE
    | {"day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours",
       "fortnight", "fortnights", "business", "working", "calendar", "court", "biz"}
    | {"extend", "extends", "extending", "extension", "extensions"}
    | {word for seq in (*guards._EARLIEST_BEFORE, *guards._EARLIEST_AFTER) for word in seq}
    | guards._HYPOTHETICAL | guards._HABITUAL | guards._WAS_TO | guards._IRREGULAR_PAST
    | guards._WHICHEVER | {"whichever", "failed", "neglected"}
    | set(reading._ORDINALS)
)  # fmt: skip


@given(
    title=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=30).filter(
        lambda t: t.strip() and not any(w in RESERVED for w in t.split())
    ),
    separator=st.sampled_from([", ", ": ", " - ", " \u2014 "]),
    amount=st.sampled_from(sorted(number_words)),
    as_word=st.booleans(),
    unit=st.sampled_from(["days", "business days", "working days", "weeks", "months"]),
)
def test_generated_phrases_parse_to_what_was_written(
    title: str, separator: str, amount: int, as_word: bool, unit: str
) -> None:
    number = number_words[amount] if as_word else str(amount)
    parsed = parse_phrase(f"{title}{separator}{number} {unit}")
    assert parsed.title == " ".join(title.split())
    assert isinstance(parsed.spec, Period)
    assert parsed.spec.terms[0].amount == amount
