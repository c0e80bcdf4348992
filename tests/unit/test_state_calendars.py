"""State calendars: the `holidays` package's own calendar for the state (not "federal and
state"), corrected where a statute says otherwise (state_holidays.py). Each case is the
reviewer's, counted by hand in its comment; the federal calendar is unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.deadlines import calculate
from bot.deadlines.calendars import holiday_calendar, package_holidays, use_holiday_lookup
from bot.deadlines.laws import find_law
from bot.deadlines.presets import compute_preset
from bot.holiday_cache import FORMAT, DiskCachedHolidays

D = dt.date


def first_due(key: str, start: dt.date) -> dt.date:
    return compute_preset(find_law(key), title=None, start=start).due.due


CASES = [
    # TX 10 business days from Wed Oct 8 2025; Columbus Day (Mon Oct 13) is no holiday of Tex.
    # Gov't Code 662.003: Oct 9, 10, 13, 14, 15, 16, 17, 20, 21, 22 -> Wed Oct 22.
    ("tx", D(2025, 10, 8), D(2025, 10, 22)),
    # TX from Fri Mar 28 2025: Cesar Chavez Day (Mon Mar 31) is an optional holiday, a business
    # day under 552.0031: Mar 31, Apr 1, 2, 3, 4, 7, 8, 9, 10, 11 -> Fri Apr 11.
    ("tx", D(2025, 3, 28), D(2025, 4, 11)),
    # TX from Mon Apr 14 2025: Good Friday (Apr 18) optional, counted; San Jacinto Day (Mon
    # Apr 21) a state holiday, skipped: 15, 16, 17, 18, 22, 23, 24, 25, 28, 29 -> Tue Apr 29.
    ("tx", D(2025, 4, 14), D(2025, 4, 29)),
    # CO 3 business days from Thu Oct 9 2025: Cabrini Day (Mon Oct 6) replaced Columbus Day,
    # so Mon Oct 13 is a business day: Oct 10, 13, 14 -> Tue Oct 14.
    ("co", D(2025, 10, 9), D(2025, 10, 14)),
    # WA 5 business days from Wed Oct 8 2025 (no Columbus Day in RCW 1.16.050):
    # Oct 9, 10, 13, 14, 15 -> Wed Oct 15.
    ("wa", D(2025, 10, 8), D(2025, 10, 15)),
    # DE 15 business days from Thu Feb 13 2025 (Delaware keeps no Washington's Birthday):
    # Feb 14, 17-21 (6), 24-28 (11), Mar 3, 4, 5, 6 (15) -> Thu Mar 6.
    ("de", D(2025, 2, 13), D(2025, 3, 6)),
    # GA 3 business days from Thu Feb 13 2025 (Georgia keeps Washington's Birthday on Dec 26):
    # Feb 14, 17, 18 -> Tue Feb 18.
    ("ga", D(2025, 2, 13), D(2025, 2, 18)),
    # NY 5 business days from Mon Feb 14 2028: Susan B. Anthony Day (Tue Feb 15) is not in Gen.
    # Constr. Law 24; Mon Feb 21 Washington's Birthday skipped: 15, 16, 17, 18, 22 -> Feb 22.
    ("ny", D(2028, 2, 14), D(2028, 2, 22)),
    # NY from Wed Feb 9 2028: Lincoln's Birthday is Sat Feb 12, and GCL 24 moves only a Sunday
    # holiday, so Fri Feb 11 is a business day: 10, 11, 14, 15, 16 -> Wed Feb 16.
    ("ny", D(2028, 2, 9), D(2028, 2, 16)),
    # CA 10 days (roll, CCP 12a) from Mon Feb 5 2024: Thu Feb 15, Susan B. Anthony Day, is not
    # in Gov. Code 6700: it stands.
    ("ca", D(2024, 2, 5), D(2024, 2, 15)),
    # CA from Mon Feb 2 2026: +10 = Thu Feb 12, Lincoln Day (6700(a)(4), a CCP 135 judicial
    # holiday) -> rolled to Fri Feb 13.
    ("ca", D(2026, 2, 2), D(2026, 2, 13)),
    # CA from Tue Sep 16 2025: +10 = Fri Sep 26, Native American Day (6700, a judicial holiday
    # since AB 855) -> Sat, Sun -> Mon Sep 29.
    ("ca", D(2025, 9, 16), D(2025, 9, 29)),
    # CA from Fri Oct 3 2025: +10 = Mon Oct 13, Columbus Day, excepted from the judicial
    # holidays by CCP 135 since AB 855 (Stats. 2021, ch. 283): no roll, Mon Oct 13.
    ("ca", D(2025, 10, 3), D(2025, 10, 13)),
    # CA from Tue Oct 27 2026: +10 = Fri Nov 6... (Diwali 2026 is Sun Nov 8, excepted from the
    # judicial holidays by AB 268): Fri Nov 6 stands.
    ("ca", D(2026, 10, 27), D(2026, 11, 6)),
    # CA from Sat Mar 21 2025: +10 = Mon Mar 31, Cesar Chavez Day -> Tue Apr 1.
    ("ca", D(2025, 3, 21), D(2025, 4, 1)),
]


@pytest.mark.parametrize(("key", "start", "due"), CASES)
def test_state_counts_follow_the_states_legal_holidays(
    key: str, start: dt.date, due: dt.date
) -> None:
    assert first_due(key, start) == due


@pytest.mark.parametrize(
    ("calendar", "day", "holiday"),
    [
        ("US-TX", D(2025, 10, 13), False),  # Columbus Day
        ("US-TX", D(2025, 3, 31), False),  # Cesar Chavez Day, optional
        ("US-TX", D(2025, 4, 18), False),  # Good Friday, optional
        ("US-TX", D(2025, 4, 21), True),  # San Jacinto Day
        ("US-TX", D(2025, 11, 28), True),  # the day after Thanksgiving
        ("US-DE", D(2025, 2, 17), False),  # Washington's Birthday
        ("US-GA", D(2025, 2, 17), False),
        ("US-GA", D(2025, 12, 26), True),  # Georgia's Washington's Birthday
        ("US-NY", D(2028, 2, 15), False),  # Susan B. Anthony Day
        ("US-NY", D(2028, 2, 11), False),  # Friday before a Saturday Lincoln's Birthday
        ("US-NY", D(2027, 2, 12), True),  # Lincoln's Birthday on a Friday
        ("US-NY", D(2025, 10, 13), True),  # Columbus Day, kept in New York
        ("US-CA", D(2026, 2, 12), True),  # Lincoln Day
        ("US-CA", D(2027, 2, 12), True),
        ("US-CA", D(2025, 9, 26), True),  # Native American Day
        ("US-CA", D(2025, 10, 13), False),  # Columbus Day (CCP 135 since AB 855)
        ("US-CA", D(2024, 2, 15), False),  # Susan B. Anthony Day
        ("US-CA", D(2025, 11, 28), True),  # the day after Thanksgiving
        ("US-CA", D(2025, 3, 31), True),  # Cesar Chavez Day
        ("US-WA", D(2025, 10, 13), False),
        ("US-CO", D(2025, 10, 13), False),
        ("US-CO", D(2025, 10, 6), True),  # Cabrini Day
    ],
)
def test_which_days_a_state_keeps(calendar: str, day: dt.date, holiday: bool) -> None:
    assert (holiday_calendar(calendar).holiday_name(day) is not None) is holiday


def test_the_federal_calendar_is_unchanged() -> None:
    # Exactly the package's federal answer, Columbus Day and Washington's Birthday in it.
    for year in (2024, 2025, 2026, 2028):
        cal = holiday_calendar("US")
        expected = package_holidays(None, ("public",), year)
        got = {
            D(year, 1, 1) + dt.timedelta(days=n): cal.holiday_name(D(year, 1, 1) + dt.timedelta(n))
            for n in range(366)
            if (D(year, 1, 1) + dt.timedelta(days=n)).year == year
        }
        assert {day: name for day, name in got.items() if name} == expected
    # FOIA over Columbus Day: 20 business days from Wed Oct 1 2025: Oct 2, 3, 6-10 (7),
    # 14-17 (11; Mon 13 skipped), 20-24 (16), 27-30 (20) -> Thu Oct 30.
    assert first_due("us-foia", D(2025, 10, 1)) == D(2025, 10, 30)


def test_a_court_count_on_a_state_calendar_adds_the_federal_closures() -> None:
    # Tue Dec 24 2024 was a federal office closure (E.O. 14134): a court count skips it on a
    # state calendar too; Columbus Day stays a business day in Texas.
    cal = holiday_calendar("US-TX", closures=True)
    assert cal.holiday_name(D(2024, 12, 24)) is not None
    assert cal.holiday_name(D(2025, 10, 13)) is None


def test_the_explanation_names_the_state_calendar_and_its_statute() -> None:
    result = compute_preset(find_law("ca"), title=None, start=D(2026, 2, 2))
    text = " ".join(result.due.explanation)
    assert "Lincoln Day" in text
    assert "CA state holidays under Cal. Civ. Proc. Code §§ 12a, 135" in text


def test_an_old_cache_file_cannot_give_the_old_answer(tmp_path: Path) -> None:
    # The cache keeps the package's own answers (per subdivision and year), never the
    # calendar built from them: a file written for the union ("federal" and "TX" entries, as
    # the old calendar asked) still gives Texas's count without Columbus Day.
    version = "9.9"
    path = tmp_path / f"holidays-{version}.json"
    entries = {
        DiskCachedHolidays.key(sub, ("public",), 2025): {
            day.isoformat(): name for day, name in package_holidays(sub, ("public",), 2025).items()
        }
        for sub in (None, "TX")
    }
    path.write_text(
        json.dumps({"format": FORMAT, "holidays": version, "entries": entries}), encoding="utf-8"
    )

    def refuse(subdiv: str | None, categories: tuple[str, ...], year: int) -> dict:
        raise AssertionError(f"the file has {subdiv, categories, year}")

    try:
        use_holiday_lookup(DiskCachedHolidays(path, version, source=refuse))
        # 10 business days from Wed Oct 8 2025, Columbus Day counted: Wed Oct 22 (see CASES).
        assert first_due("tx", D(2025, 10, 8)) == D(2025, 10, 22)
        got = calculate("Reply, 5 business days", start=D(2025, 10, 8), calendar="US-TX")
        assert got.due.due == D(2025, 10, 15)  # Oct 9, 10, 13, 14, 15
    finally:
        use_holiday_lookup(None)
