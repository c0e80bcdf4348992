"""Pure tests of the phrase parser: every phrase form the engine accepts."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.deadlines import (
    AbsoluteDue,
    DeadlineError,
    PartialDate,
    Period,
    PhraseError,
    Unit,
    parse_phrase,
    parse_start_date,
)
from bot.deadlines.parsing import Counting, Term


def terms(text: str) -> tuple[Term, ...]:
    spec = parse_phrase(text).spec
    assert isinstance(spec, Period)
    return spec.terms


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Bondi letter, 30 days", "Bondi letter"),
        ("Bondi letter: 30 days", "Bondi letter"),
        ("Bondi letter - 30 days", "Bondi letter"),
        ("Bondi letter \u2013 30 days", "Bondi letter"),
        ("  Bondi   letter ,   30 days.  ", "Bondi letter"),
        ("FOIA to FBI 20 business days", "FOIA to FBI"),
        ("Follow-up - 10 days", "Follow-up"),
        ("Smith and Jones, 30 days", "Smith and Jones"),
        ("30 days", None),
        ("Reply, by August 15, 2025", "Reply"),
        ("Q2 report due by Aug 15", "Q2 report"),
        ("\u0130stanbul bureau, 10 days", "\u0130stanbul bureau"),
    ],
)
def test_title_is_split_from_the_period(text: str, title: str | None) -> None:
    assert parse_phrase(text).title == title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 days", [Term(30, Unit.DAY)]),
        ("30 calendar days", [Term(30, Unit.DAY, Counting.CALENDAR)]),
        ("20 business days", [Term(20, Unit.DAY, Counting.BUSINESS)]),
        ("10 working days", [Term(10, Unit.DAY, Counting.BUSINESS)]),
        ("5 court days", [Term(5, Unit.DAY, Counting.BUSINESS)]),
        ("2 weeks", [Term(2, Unit.WEEK)]),
        ("two weeks", [Term(2, Unit.WEEK)]),
        ("Fourteen days", [Term(14, Unit.DAY)]),
        ("twenty-one days", [Term(21, Unit.DAY)]),
        ("twenty one days", [Term(21, Unit.DAY)]),
        ("thirty-one days", [Term(31, Unit.DAY)]),
        ("thirty five days", [Term(35, Unit.DAY)]),
        ("thirty (30) days", [Term(30, Unit.DAY)]),
        ("ten (10) business days", [Term(10, Unit.DAY, Counting.BUSINESS)]),
        ("one hundred twenty (120) days", [Term(120, Unit.DAY)]),
        ("a fortnight", [Term(2, Unit.WEEK)]),
        ("2 wks", [Term(2, Unit.WEEK)]),
        ("10 biz days", [Term(10, Unit.DAY, Counting.BUSINESS)]),
        ("thirty days", [Term(30, Unit.DAY)]),
        ("a week", [Term(1, Unit.WEEK)]),
        ("an additional month", [Term(1, Unit.MONTH)]),
        ("1 month", [Term(1, Unit.MONTH)]),
        ("3 months", [Term(3, Unit.MONTH)]),
        ("1 year", [Term(1, Unit.YEAR)]),
        ("within 30 days", [Term(30, Unit.DAY)]),
        ("WITHIN   30   DAYS", [Term(30, Unit.DAY)]),
        ("30-day", [Term(30, Unit.DAY)]),
        ("14-day extension", [Term(14, Unit.DAY, label="extension")]),
        (
            "20 business days + 10 working days",
            [Term(20, Unit.DAY, Counting.BUSINESS), Term(10, Unit.DAY, Counting.BUSINESS)],
        ),
        (
            "10 days + 14-day extension",
            [Term(10, Unit.DAY), Term(14, Unit.DAY, label="extension")],
        ),
        (
            "10 days plus a 14-day extension",
            [Term(10, Unit.DAY), Term(14, Unit.DAY, label="extension")],
        ),
        ("1 month and 2 weeks", [Term(1, Unit.MONTH), Term(2, Unit.WEEK)]),
    ],
)
def test_period_forms(text: str, expected: list[Term]) -> None:
    assert list(terms(text)) == expected


@pytest.mark.parametrize(
    ("text", "on", "at"),
    [
        ("by August 15", PartialDate(8, 15), None),
        ("by Aug 15", PartialDate(8, 15), None),
        ("by Aug. 15th", PartialDate(8, 15), None),
        ("by 15 August 2025", PartialDate(8, 15, 2025), None),
        ("by 2025-09-01", PartialDate(9, 1, 2025), None),
        ("August 15, 2025", PartialDate(8, 15, 2025), None),
        ("due 8/15/2025", PartialDate(8, 15, 2025), None),
        ("by 2025-08-15 17:00", PartialDate(8, 15, 2025), dt.time(17, 0)),
        ("by Aug 15 5pm", PartialDate(8, 15), dt.time(17, 0)),
        ("by Aug 15 at 9:30 a.m.", PartialDate(8, 15), dt.time(9, 30)),
        ("by Aug 15, 12am", PartialDate(8, 15), dt.time(0, 0)),
        ("by Aug 15 noon", PartialDate(8, 15), dt.time(12, 0)),
    ],
)
def test_absolute_due_dates(text: str, on: PartialDate, at: dt.time | None) -> None:
    assert parse_phrase(text).spec == AbsoluteDue(on, at)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("Bondi letter, 30 days from July 17 2025", PartialDate(7, 17, 2025)),
        ("Bondi letter, 30 days from July 17, 2025", PartialDate(7, 17, 2025)),
        ("30 days after 2025-07-17", PartialDate(7, 17, 2025)),
        ("30 days from July 17", PartialDate(7, 17)),
    ],
)
def test_from_date_inside_the_phrase(text: str, start: PartialDate) -> None:
    parsed = parse_phrase(text)
    assert parsed.start == start
    assert parsed.spec == Period((Term(30, Unit.DAY),))


def test_period_text_keeps_the_users_spelling() -> None:
    assert parse_phrase("Bondi letter, 30 Days from July 17 2025").spec_text == (
        "30 Days from July 17 2025"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u200b",
        "Bondi letter",
        "30",
        "days",
        "thirty (20) days",  # the words and the figure disagree
        "thirty-zero days",
        "30 days from someday",
        "by Aug 15 25pm",
        "by 2025-08-15 24:30",
        "x" * 501,
        "9" * 100_000,
    ],
)
def test_unparseable_phrases_raise_phrase_error(text: str) -> None:
    with pytest.raises(PhraseError) as info:
        parse_phrase(text)
    assert "for example" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-17", dt.date(2025, 7, 17)),
        ("July 17 2025", dt.date(2025, 7, 17)),
        ("Jul 17, 2025.", dt.date(2025, 7, 17)),
        ("7/17/2025", dt.date(2025, 7, 17)),
        ("July 17", dt.date(2025, 7, 17)),  # no year: the occurrence nearest to `near`
        ("Dec 30", dt.date(2024, 12, 30)),
    ],
)
def test_start_dates(text: str, expected: dt.date) -> None:
    assert (
        parse_start_date(text, near=dt.date(2025, 1, 5) if "Dec" in text else dt.date(2025, 7, 20))
        == expected
    )


@pytest.mark.parametrize("text", ["", "yesterday", "2025-02-30", "July 17 2025 please", "9" * 100])
def test_bad_start_dates(text: str) -> None:
    with pytest.raises(DeadlineError):
        parse_start_date(text, near=dt.date(2025, 7, 20))
