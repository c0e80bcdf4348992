"""Where a state's legal holidays differ from the `holidays` package's calendar for it.

A state calendar ("US-NY") is the package's own calendar for that state (it knows which
federal days the state keeps: Texas has no Columbus Day, Delaware no Washington's Birthday,
Georgia keeps Washington's Birthday on Dec 26), corrected here, in one table, only where the
package differs from the statute the records law counts with. Each correction cites it.
Pure: dates in, dates out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

OBSERVED = " (observed)"  # the package's suffix for a day a holiday is moved to


@dataclass(frozen=True, slots=True)
class Adjustment:
    """How one state's legal holidays differ from the package's calendar for it."""

    citation: str  # the statute the corrected calendar follows
    drop: frozenset[str] = frozenset()  # holidays the package lists that the statute does not
    saturday_stays: bool = False  # a Saturday holiday is not moved to the Friday before
    add: Callable[[int], dict[dt.date, str]] | None = None  # days the package lacks
    drop_since: tuple[tuple[str, int], ...] = ()  # (holiday, first year it is not one)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _observed(day: dt.date, name: str) -> dict[dt.date, str]:
    """The day and, on a weekend, the day it is kept (Saturday: the Friday before; Sunday:
    the Monday after), as the package marks them."""
    days = {day: name}
    if day.weekday() == 5:
        days[day - dt.timedelta(days=1)] = name + OBSERVED
    elif day.weekday() == 6:
        days[day + dt.timedelta(days=1)] = name + OBSERVED
    return days


def _california_judicial(year: int) -> dict[dt.date, str]:
    """Cal. Gov. Code § 6700 days that are judicial holidays under CCP § 135 (what CCP § 12a
    rolls a last day past) and the package leaves out of its California calendar."""
    days: dict[dt.date, str] = {}
    if year >= 2010:  # the package has Lincoln Day only to 2009; § 6700(a)(4) still lists it
        days.update(_observed(dt.date(year, 2, 12), "Lincoln Day"))
    if year >= 2022:  # § 6700(a)(11); a judicial holiday since AB 855 (Stats. 2021, ch. 283)
        days[_nth_weekday(year, 9, 4, 4)] = "Native American Day"
    if 2009 <= year <= 2021:  # § 6700(a)(12); AB 855 made it no judicial holiday from 2022
        days[_nth_weekday(year, 10, 0, 2)] = "Columbus Day"
    return days


ADJUSTMENTS: dict[str, Adjustment] = {
    # N.Y. Gen. Constr. Law § 24 (with § 25-a for a last day): its public holidays do not
    # include Susan B. Anthony Day, and only one falling on a Sunday moves (to the Monday).
    "NY": Adjustment(
        citation="N.Y. Gen. Constr. Law §§ 24, 25-a",
        drop=frozenset({"Susan B. Anthony Day"}),
        saturday_stays=True,
    ),
    # CPRA's last day rolls under CCP § 12a past the judicial holidays of CCP § 135: every
    # full day of Gov. Code § 6700 except Admission Day, Columbus Day (AB 855, 2021) and
    # Diwali (AB 268, 2025), plus the day after Thanksgiving. Susan B. Anthony Day is not in
    # § 6700.
    "CA": Adjustment(
        citation="Cal. Civ. Proc. Code §§ 12a, 135; Cal. Gov. Code § 6700",
        drop=frozenset({"Susan B. Anthony Day"}),
        add=_california_judicial,
        drop_since=(("Diwali", 2026),),
    ),
    # Tex. Gov't Code § 552.0031: a business day is not a national or state holiday of
    # § 662.003(a)-(b); the optional holidays of § 662.003(c) (Cesar Chavez Day, Good Friday)
    # are business days for the Act.
    "TX": Adjustment(
        citation="Tex. Gov't Code §§ 552.0031, 662.003",
        drop=frozenset({"Cesar Chavez Day", "Good Friday"}),
    ),
}


def adjust(subdiv: str, year: int, days: dict[dt.date, str]) -> dict[dt.date, str]:
    """`days` (the package's holidays of `subdiv` in `year`) as the state's statute has them."""
    found = ADJUSTMENTS.get(subdiv)
    if found is None:
        return days
    dropped = found.drop | {name for name, since in found.drop_since if year >= since}
    kept: dict[dt.date, str] = {}
    for day, name in days.items():
        parts = [
            part
            for part in name.split("; ")
            if part.removesuffix(OBSERVED) not in dropped
            and not (found.saturday_stays and part.endswith(OBSERVED) and day.weekday() == 4)
        ]
        if parts:
            kept[day] = "; ".join(parts)
    if found.add is not None:
        for day, name in found.add(year).items():
            if day.year == year:
                kept.setdefault(day, name)
    return kept


def citation(subdiv: str) -> str | None:
    """The statute a state's corrected calendar follows; None where the package's stands."""
    found = ADJUSTMENTS.get(subdiv)
    return None if found is None else found.citation
