"""The command line's on-disk copy of the `holidays` package's answers: it answers exactly
what the package does, and a file it cannot trust is never believed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import holidays
import pytest

from bot.deadlines import calculate
from bot.deadlines.calendars import holiday_calendar, package_holidays, use_holiday_lookup
from bot.holiday_cache import DiskCachedHolidays, disk_cached_lookup, installed_version

QUESTIONS = [
    (None, ("public",), 2025),
    (None, ("government", "public"), 2024),
    ("CA", ("public",), 2026),
    ("TX", ("public",), 2027),
]


def refusing_source(subdiv: str | None, categories: tuple[str, ...], year: int) -> dict:
    raise AssertionError(f"asked the package for {subdiv, categories, year}; the file has it")


def test_the_installed_version_is_read_without_importing_the_package() -> None:
    assert installed_version() == holidays.__version__


@pytest.mark.parametrize(("subdiv", "categories", "year"), QUESTIONS)
def test_answers_are_the_packages_fresh_and_from_the_file(
    tmp_path: Path, subdiv: str | None, categories: tuple[str, ...], year: int
) -> None:
    path = tmp_path / "holidays.json"
    expected = package_holidays(subdiv, categories, year)
    assert expected  # every one of these years has holidays
    assert DiskCachedHolidays(path, "1.0")(subdiv, categories, year) == expected
    again = DiskCachedHolidays(path, "1.0", source=refusing_source)
    assert again(subdiv, categories, year) == expected


def test_a_file_of_another_version_is_not_believed(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    DiskCachedHolidays(path, "1.0")(None, ("public",), 2025)
    asked = []

    def source(subdiv: str | None, categories: tuple[str, ...], year: int) -> dict:
        asked.append(year)
        return package_holidays(subdiv, categories, year)

    newer = DiskCachedHolidays(path, "2.0", source=source)
    assert newer(None, ("public",), 2025) == package_holidays(None, ("public",), 2025)
    assert asked == [2025]
    assert json.loads(path.read_text(encoding="utf-8"))["holidays"] == "2.0"


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        '{"format": 1, "holidays": "1.0"',  # cut short
        '{"format": 99, "holidays": "1.0", "entries": {"-|public|2025": {"2025-03-03": "X"}}}',
        '{"format": 1, "holidays": "1.0", "entries": {"-|public|2025": {"soon": "X"}}}',
        '{"format": 1, "holidays": "1.0", "entries": {"-|public|2025": ["2025-03-03"]}}',
        '{"format": 1, "holidays": "1.0", "entries": []}',
        "[]",
    ],
)
def test_a_damaged_file_is_ignored_and_rewritten(tmp_path: Path, content: str) -> None:
    path = tmp_path / "holidays.json"
    path.write_text(content, encoding="utf-8")
    expected = package_holidays(None, ("public",), 2025)
    assert DiskCachedHolidays(path, "1.0")(None, ("public",), 2025) == expected
    again = DiskCachedHolidays(path, "1.0", source=refusing_source)
    assert again(None, ("public",), 2025) == expected


def test_a_cache_that_cannot_be_written_still_answers_right(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    cached = DiskCachedHolidays(blocker / "holidays.json", "1.0")
    assert cached(None, ("public",), 2025) == package_holidays(None, ("public",), 2025)
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_counting_through_the_cache_gives_the_same_due_dates(tmp_path: Path) -> None:
    phrases = [
        ("FOIA, 20 business days", "US", dt.date(2025, 12, 15)),  # over Christmas, New Year
        ("Reply, 10 business days", "US-CA", dt.date(2026, 3, 25)),  # Cesar Chavez Day
        ("Answer, 14 days", "US", dt.date(2025, 11, 20)),
    ]
    rules = ["business", "business", "court"]
    plain = [
        calculate(text, start=start, rule=rule, calendar=cal)
        for (text, cal, start), rule in zip(phrases, rules, strict=True)
    ]
    skipped = " ".join(" ".join(p.due.explanation) for p in plain)
    assert "Christmas" in skipped  # the counts do cross holidays
    assert "Chavez" in skipped
    lookup = disk_cached_lookup(tmp_path)
    assert lookup is not None
    try:
        for _ in range(2):  # filling the file, then answering from it
            use_holiday_lookup(DiskCachedHolidays(lookup.path, lookup.version))
            cached = [
                calculate(text, start=start, rule=rule, calendar=cal)
                for (text, cal, start), rule in zip(phrases, rules, strict=True)
            ]
            assert cached == plain
    finally:
        use_holiday_lookup(None)
    assert lookup.path.is_file()


def test_switching_the_lookup_forgets_what_calendars_had_loaded() -> None:
    day = dt.date(2025, 3, 5)
    assert holiday_calendar("US").holiday_name(day) is None

    def with_a_made_up_day(subdiv: str | None, categories: tuple[str, ...], year: int) -> dict:
        return {day: "Made-up Day"}

    try:
        use_holiday_lookup(with_a_made_up_day)
        assert holiday_calendar("US").holiday_name(day) == "Made-up Day"
    finally:
        use_holiday_lookup(None)
    assert holiday_calendar("US").holiday_name(day) is None


def test_the_states_are_kept_too_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.deadlines import calendars

    path = tmp_path / "holidays.json"
    expected = calendars.package_subdivisions()
    assert "CA" in expected
    assert DiskCachedHolidays(path, "1.0").subdivisions() == expected

    def refuse() -> frozenset[str]:
        raise AssertionError("asked the package for the states; the file has them")

    monkeypatch.setattr("bot.holiday_cache.package_subdivisions", refuse)
    assert DiskCachedHolidays(path, "1.0").subdivisions() == expected
    try:
        use_holiday_lookup(DiskCachedHolidays(path, "1.0"))
        assert holiday_calendar("US-CA").name == "US-CA"  # checked against the kept states
    finally:
        use_holiday_lookup(None)
