"""Pure tests of how slash-command options are read (bot/discord/options.py): the parts that
need no interaction. The transformers themselves run end to end in tests/e2e."""

from __future__ import annotations

import pytest

from bot.deadlines import AbsoluteDue, Period, PhraseError, Rule
from bot.discord.options import Choices, one_change, parse_deadline_id, parse_option, parse_when
from bot.models import BoardScope, ListFilter
from bot.service import ValidationError


@pytest.mark.parametrize(("by", "to"), [(None, None), ("14 days", "2025-09-01")])
def test_extend_needs_exactly_one_of_by_or_to(by: str | None, to: str | None) -> None:
    with pytest.raises(ValidationError, match="exactly one") as raised:
        one_change(parse_when(by) if by else None, parse_when(to) if to else None, deadline_id=12)
    assert raised.value.example == "/deadline extend deadline:12 by:14 days"


def test_extend_takes_the_one_given() -> None:
    period = parse_when("14 days")
    day = parse_when("2025-09-01")
    assert one_change(period, None, deadline_id=1) is period
    assert one_change(None, day, deadline_id=1) is day
    assert isinstance(period, Period)
    assert isinstance(day, AbsoluteDue)


@pytest.mark.parametrize(
    ("option", "text", "wanted", "what"),
    [("by", "by 2025-09-01", Period, "a period"), ("to", "14 days", AbsoluteDue, "a date")],
)
def test_by_needs_a_period_and_to_a_date(
    option: str, text: str, wanted: type[Period] | type[AbsoluteDue], what: str
) -> None:
    with pytest.raises(ValidationError, match=f"`{option}` needs {what}"):
        parse_option(text, option, wanted, "x")


def test_an_unreadable_option_gets_the_engines_own_error() -> None:
    with pytest.raises(PhraseError):
        parse_option("whenever", "until", None, "3 days")
    # Control characters are dropped before reading, as everywhere else.
    assert parse_option("3\x00 days", "until", None, "3 days") == parse_when("3 days")


@pytest.mark.parametrize(("text", "number"), [("12", 12), ("#12", 12), (" # 7 ", 7)])
def test_deadline_numbers(text: str, number: int) -> None:
    assert parse_deadline_id(text) == number


@pytest.mark.parametrize("text", ["0", "-1", "²", "①", "12a", "1" * 13, ""])
def test_what_is_not_a_deadline_number(text: str) -> None:
    with pytest.raises(ValidationError, match="is not a deadline number"):
        parse_deadline_id(text)


@pytest.mark.parametrize(
    ("enum", "first"),
    [(Rule, "calendar"), (ListFilter, "active"), (BoardScope, "channel")],
)
async def test_enums_are_the_choices_shown_and_sent_by_value(enum: type, first: str) -> None:
    choices = Choices(enum)
    assert [c.value for c in choices.choices] == [m.value for m in enum]
    assert choices.choices[0].name == first
    assert await choices.transform(None, first) is enum(first)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="is not one of"):
        await choices.transform(None, "nope")  # type: ignore[arg-type]


def test_dates_and_periods_are_read_as_the_engine_reads_them() -> None:
    due = parse_when("2025-09-15")
    assert isinstance(due, AbsoluteDue)
    assert (due.on.year, due.on.month, due.on.day, due.at) == (2025, 9, 15, None)
