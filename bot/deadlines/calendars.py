"""Holiday calendars, backed by the `holidays` package (never a hand-typed list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from types import ModuleType

from . import state_holidays
from .errors import UnknownCalendarError

DEFAULT_CALENDAR = "US"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class HolidayCalendar:
    """Which days are business days under one holiday calendar.

    `name` is "US" (federal legal public holidays, with the Saturday->Friday and
    Sunday->Monday observed days) or "US-XX" (the state's or territory's legal holidays: the
    package's calendar for it, which keeps only the federal days the state keeps, corrected
    where a statute says otherwise, see `state_holidays`).
    With `closures=True` it also holds the days the President closed federal offices
    (the `holidays` package's "government" category), as FRCP 6(a)(6)(B) asks for court rules.
    """

    def __init__(self, name: str, *, closures: bool = False) -> None:
        self.name = name
        self.closures = closures
        _, _, subdiv = name.partition("-")
        self._subdiv = subdiv or None
        self._years: dict[int, dict[dt.date, str]] = {}

    def _load(self, year: int) -> dict[dt.date, str]:
        if self._subdiv is None:
            categories: tuple[str, ...] = ("public", "government") if self.closures else ("public",)
            days = dict(_lookup(None, categories, year))
        else:
            # The package's own calendar for the state (it knows which federal days the state
            # keeps: no Columbus Day in Texas), corrected where it differs from the statute
            # (state_holidays.py). Not "federal and state": that re-added the federal days a
            # state's offices are open on.
            days = state_holidays.adjust(
                self._subdiv, year, dict(_lookup(self._subdiv, ("public",), year))
            )
            if self.closures:
                # FRCP 6(a)(6)(B): the days the President closed federal offices, beyond the
                # federal holidays (which the state calendar already decides for itself).
                federal = _lookup(None, ("public",), year)
                for day, name in _lookup(None, ("public", "government"), year).items():
                    if day not in federal:
                        days.setdefault(day, name)
        self._years[year] = days
        return days

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name if `day` is a holiday of this calendar, else None."""
        days = self._years.get(day.year)
        if days is None:
            days = self._load(day.year)
        return days.get(day)

    def non_business_reason(self, day: dt.date) -> str | None:
        """Why `day` is not a business day ("Saturday", a holiday name), or None if it is one."""
        if day.weekday() == 5:
            return "Saturday"
        if day.weekday() == 6:
            return "Sunday"
        return self.holiday_name(day)

    def is_business_day(self, day: dt.date) -> bool:
        return self.non_business_reason(day) is None

    def describe(self) -> str:
        if self._subdiv is None:
            base = "US federal holidays"
        else:
            base = f"{self._subdiv} state holidays"
            statute = state_holidays.citation(self._subdiv)
            if statute is not None:
                base += f" under {statute}"
        if self.closures:
            base += " and federal office closures"
        return base


def normalize_calendar_name(name: str) -> str:
    """Canonical calendar name ("us-ca" -> "US-CA"); raises UnknownCalendarError."""
    cleaned = name.strip().upper().replace("_", "-")
    country, sep, subdiv = cleaned.partition("-")
    if country != "US" or (sep and subdiv not in _us_subdivisions()):
        raise UnknownCalendarError(f"unknown holiday calendar {name.strip()[:40]!r}")
    return cleaned


HolidayLookup = Callable[[str | None, tuple[str, ...], int], dict[dt.date, str]]
"""`(subdivision or None, categories, year) -> {day: holiday name}` for the US: what one call of
`holidays.country_holidays` answers. An adapter may wrap it (the CLI keeps its answers on
disk, keyed by the package's version), but must answer exactly what the package does."""


def package_holidays(
    subdiv: str | None, categories: tuple[str, ...], year: int
) -> dict[dt.date, str]:
    """The US holidays of `year` in `categories` (for a state with `subdiv`), from `holidays`."""
    found = _holidays().country_holidays("US", subdiv=subdiv, years=year, categories=categories)
    return dict(found)


_lookup: HolidayLookup = package_holidays


def use_holiday_lookup(lookup: HolidayLookup | None) -> None:
    """Answer holiday questions with `lookup` from now on (None: the `holidays` package again).

    Calendars already built forget the years they loaded, so no answer of the old lookup
    outlives the switch."""
    global _lookup
    _lookup = lookup or package_holidays
    holiday_calendar.cache_clear()
    _us_subdivisions.cache_clear()


def _holidays() -> ModuleType:
    """The `holidays` package, imported on first use: ~30 ms of start-up (most of it its
    version lookup) that a count in calendar days never needs."""
    import holidays

    return holidays


@lru_cache(maxsize=1)
def _us_subdivisions() -> frozenset[str]:
    # A lookup may know them (the CLI's disk cache), so a state calendar needs no import.
    known = getattr(_lookup, "subdivisions", None)
    if callable(known):
        return frozenset(known())
    return package_subdivisions()


def package_subdivisions() -> frozenset[str]:
    """The US states and territories the `holidays` package has calendars for."""
    # Through the package's lazy registry: importing holidays.countries directly would load
    # every country's module (~70 ms of the CLI's start-up).
    return frozenset(_holidays().country_holidays("US").subdivisions)


@lru_cache(maxsize=128)
def holiday_calendar(name: str = DEFAULT_CALENDAR, *, closures: bool = False) -> HolidayCalendar:
    """A shared HolidayCalendar for `name`; raises UnknownCalendarError."""
    return HolidayCalendar(normalize_calendar_name(name), closures=closures)


def format_day(day: dt.date) -> str:
    """'Thu 2025-07-17': weekday names fixed in English, whatever the process locale."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.isoformat()}"
