"""The date an allowed extension gives (issue 17 part 4), as `/deadline extend` counts it."""

from __future__ import annotations

import datetime as dt

from bot.deadlines.counting import extended_due


def test_the_extension_is_counted_from_the_due_date_under_the_rule() -> None:
    # CPRA: due Mon 2025-07-28, +14 calendar days (roll rule) -> Mon 2025-08-11.
    assert extended_due(dt.date(2025, 7, 28), "14 calendar days", rule="roll",
                        calendar="US-CA") == dt.date(2025, 8, 11)  # fmt: skip
    # Federal FOIA: +10 business days from Fri 2025-12-19, Christmas and New Year skipped.
    assert extended_due(dt.date(2025, 12, 19), "10 business days", rule="business",
                        calendar="US") == dt.date(2026, 1, 6)  # fmt: skip
    # The calendar rule does not roll: Sat 2025-02-01 + 15 days = Sun 2025-02-16.
    assert extended_due(dt.date(2025, 2, 1), "15 days", rule="calendar") == dt.date(2025, 2, 16)


def test_what_is_not_a_period_gives_no_date() -> None:
    assert extended_due(dt.date(2025, 2, 1), "by Friday", rule="calendar") is None
    assert extended_due(dt.date(2025, 2, 1), "whenever", rule="calendar") is None
