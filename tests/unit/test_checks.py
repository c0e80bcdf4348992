"""Pure checks on what people type (bot/service/checks.py)."""

from __future__ import annotations

import pytest

from bot.discord.options import DayList
from bot.service import ValidationError
from bot.service.checks import parse_days


@pytest.mark.parametrize(
    ("text", "days"),
    [("7,3,1", (7, 3, 1)), ("7 3 1", (7, 3, 1)), (" 14, 2 ", (14, 2)), ("365", (365,))],
)
def test_days_as_typed(text: str, days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


# "²", "①" and "½" pass str.isdigit() or isnumeric() but int() refuses them; Arabic-Indic and
# full-width digits are digits int() reads, but not what the example shows.
@pytest.mark.parametrize("text", ["²", "7,²", "①", "½", "\u0663", "\uff17", "7,3a", "1000", "-1"])
def test_what_is_not_a_list_of_days(text: str) -> None:
    with pytest.raises(ValidationError, match="is not a list of days") as raised:
        parse_days(text)
    assert raised.value.example == "days:7,3,1"


async def test_the_slash_option_reads_days_with_the_same_check() -> None:
    assert await DayList().transform(None, "7,3") == (7, 3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="is not a list of days"):
        await DayList().transform(None, "²")  # type: ignore[arg-type]
