"""Count a period from a start date under a rule and holiday calendar, and explain the count."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import functools
import importlib.util
import os
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.relativedelta import relativedelta

from .calendars import DEFAULT_CALENDAR, HolidayCalendar, format_day, holiday_calendar
from .errors import (
    DateOutOfRangeError,
    DeadlineError,
    PeriodLengthError,
    PhraseError,
    UnknownRuleError,
    UnknownTimezoneError,
)
from .parsing import (
    DEFAULT_CLOSE_OF_BUSINESS,
    MAX_PHRASE_LENGTH,
    AbsoluteDue,
    Counting,
    ParsedPhrase,
    PartialDate,
    Period,
    RelativeDay,
    Unit,
    match_date,
    normalize,
    parse_phrase,
)
from .recurrence import Recurrence, occurrence_day, read_recurrence

if TYPE_CHECKING:  # laws.json and its types are loaded only when a preset is used
    from .laws import Law

MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_PERIOD = relativedelta(years=10)
DEFAULT_TIMEZONE = "America/New_York"
END_OF_DAY = dt.time(23, 59, 59)

# Rough upper bounds in days per unit, checked before counting so that a huge period is
# refused at once instead of being counted day by day.
_DAYS_PER = {Unit.HOUR: 1 / 24, Unit.DAY: 1, Unit.WEEK: 7, Unit.MONTH: 28, Unit.YEAR: 365}
_MAX_DAYS = 3653


class Rule(StrEnum):
    """Counting rules; the values are what users type."""

    CALENDAR = "calendar"
    ROLL = "roll"
    COURT = "court"
    BUSINESS = "business"

    @classmethod
    def parse(cls, value: str | Rule) -> Rule:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise UnknownRuleError(f"unknown counting rule {str(value)[:40]!r}") from None


@dataclass(frozen=True, slots=True)
class DueDate:
    """The result of counting: the due date, its instant, and the steps that explain it."""

    start: dt.date
    rule: Rule
    calendar: str
    due: dt.date
    due_at: dt.datetime  # timezone-aware UTC
    timezone: str
    has_time: bool
    explanation: tuple[str, ...]
    # Under the roll and court rules, the period's last day when the roll moved `due` past
    # it (a Sunday, a holiday); None when `due` is the last day. Days left and extensions
    # count to and from it; the roll is applied once, at the end.
    last_day: dt.date | None = None

    @property
    def statutory_last_day(self) -> dt.date:
        return self.due if self.last_day is None else self.last_day


@dataclass(frozen=True, slots=True)
class Computation:
    """A parsed phrase (or a preset) and its due date: what `calculate` returns."""

    title: str | None
    period: str
    due: DueDate
    allowed: str | None = None  # the extension the phrase allows ("15 days"), not counted
    law: Law | None = None  # the records-law preset counted, if any
    stages: tuple[Stage, ...] = ()  # a preset's stages, the first one's due being `due`
    recurrence: Recurrence | None = None  # a repeat: `due` is its first date, counted


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage of a law counted: its due date, its citation, and the date the extension the
    law allows would give (counted from the due date, as the Extend button counts it)."""

    name: str  # acknowledge / determine / produce
    due: DueDate
    citation: str
    extended_due: dt.date | None = None
    extension: str | None = None  # '14 days': the period the Extend button adds
    counted_from: str = "receipt"  # 'the acknowledgment': what a later stage counts from
    confidence: str = "high"


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for a zone name already accepted (stored settings and deadlines, the
    engine's own names); raises UnknownTimezoneError. A name people give goes through
    `iana_zone`, which accepts fewer: a name stored before it existed still loads here."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError, AttributeError):
        raise UnknownTimezoneError(f"unknown time zone {str(name)[:60]!r}") from None


def iana_zone(name: str) -> ZoneInfo:
    """The ZoneInfo for a name someone gives (settings, the config file, `--tz`): only the
    names of `zone_names()`; raises UnknownTimezoneError."""
    if not isinstance(name, str) or name.strip() not in zone_names():
        raise UnknownTimezoneError(f"unknown time zone {str(name)[:60]!r}")
    return zone(name)


@functools.cache
def zone_names() -> frozenset[str]:
    """The IANA zone names people may choose: tzdata's list, without its placeholder `Factory`.

    ZoneInfo loads more than that from the host's zone folder: `localtime` (whatever the host
    is set to), `posixrules`, and the `posix/` and `right/` copies (`right/` is meant for
    clocks that count leap seconds). Read once, from the one small file the tzdata package
    lists its zones in (0.2 ms), not by walking the zone folders (5 ms).
    """
    spec = importlib.util.find_spec("tzdata")
    names: set[str] = set()
    if spec is not None and spec.origin is not None:
        try:
            with open(os.path.join(os.path.dirname(spec.origin), "zones"), encoding="utf-8") as f:
                names = {line.strip() for line in f if line.strip()}
        except OSError:
            names = set()
    if not names:  # no tzdata package (it is a dependency): the host's list, less its extras
        names = available_timezones() - {"localtime", "posixrules"}
    return frozenset(names - {"Factory"})


def calculate_phrase(
    text: str,
    *,
    start: dt.date,
    rule: Rule | str = Rule.CALENDAR,
    calendar: str = DEFAULT_CALENDAR,
    tz: str = DEFAULT_TIMEZONE,
    now: dt.datetime | None = None,
    close_of_business: dt.time = DEFAULT_CLOSE_OF_BUSINESS,
) -> Computation:
    """Parse `text` and compute its due date; `start` is day 0 unless the phrase names one.
    `now` (aware) is needed only for periods in hours ("within 72 hours").

    Raises only DeadlineError subclasses.
    """
    rule = Rule.parse(rule)
    holiday_calendar(calendar)  # validate before parsing, so the error names the real problem
    zone(tz)
    if isinstance(text, str) and len(text) <= MAX_PHRASE_LENGTH:
        repeat = read_recurrence(normalize(text), start=start, rule=rule.value, calendar=calendar)
        if repeat is not None:
            recurrence = repeat.recurrence
            due = occurrence_due(
                recurrence, recurrence.start, rule=rule, calendar=calendar, tz=tz, day0=start
            )
            return Computation(repeat.title, recurrence.words, due, recurrence=recurrence)
    parsed = parse_phrase(text, close_of_business=close_of_business)
    start_note = "start date"
    if parsed.start is not None:
        day0 = day_zero(parsed.start, near=start)
        start_note = f"{_named(parsed.start)} in the phrase"
        if isinstance(parsed.spec, Period) and parsed.spec.backward:
            start_note = f"{_named(parsed.start)} in the phrase, counted back from"
        start = day0
    due = compute_due(
        start, parsed.spec, rule=rule, calendar=calendar, tz=tz, note=start_note, now=now
    )
    allowed = None
    if isinstance(parsed.spec, Period) and parsed.spec.allowed:
        allowed = " + ".join(term.describe() for term in parsed.spec.allowed)
    return Computation(parsed.title, parsed.spec_text, due, allowed)


def occurrence_due(
    recurrence: Recurrence,
    nominal: dt.date,
    *,
    rule: Rule | str,
    calendar: str = DEFAULT_CALENDAR,
    tz: str = DEFAULT_TIMEZONE,
    day0: dt.date | None = None,
) -> DueDate:
    """The due date of the repeat's date `nominal`, counted under `rule` (a date on a
    weekend or holiday rolls to the next business day unless the rule is calendar), due by
    the end of that day in `tz`. `day0`: the start the first date was found from."""
    rule = Rule.parse(rule)
    zoneinfo = zone(tz)
    cal = holiday_calendar(calendar, closures=rule is Rule.COURT)
    _check_range(nominal, "due date")
    due, steps = occurrence_day(recurrence, nominal, rule=rule.value, calendar=calendar)
    _check_range(due, "due date")
    if day0 is not None:
        steps.insert(
            0, f"day 0: {format_day(day0)} (start date); the first occurrence due on or after it"
        )
    return due_on(day0 or nominal, due, rule=rule, calendar=cal.name, tz=zoneinfo, steps=steps)


def occurrences(
    recurrence: Recurrence,
    nominal: dt.date,
    *,
    count: int,
    rule: Rule | str,
    calendar: str = DEFAULT_CALENDAR,
    tz: str = DEFAULT_TIMEZONE,
) -> list[tuple[dt.date, DueDate]]:
    """The occurrence of `nominal` and up to `count - 1` after it: (date, due) pairs. The
    series ends where the supported years do (a date due after 2200 is not listed)."""
    found = [(nominal, occurrence_due(recurrence, nominal, rule=rule, calendar=calendar, tz=tz))]
    for day in recurrence.dates_after(nominal, limit=count - 1):
        try:
            found.append(
                (day, occurrence_due(recurrence, day, rule=rule, calendar=calendar, tz=tz))
            )
        except DateOutOfRangeError:
            break
    return found


def day_zero(day: PartialDate | RelativeDay, *, near: dt.date) -> dt.date:
    """The start a phrase names: a date (without a year, the one nearest `near`), or a day
    relative to `near` ("Monday": the first on or after it)."""
    if isinstance(day, PartialDate):
        return _resolve_start(day, near=near)
    return _resolve_day(day, near, [])


def last_weekday(base: dt.date, weekday: int) -> dt.date:
    """The last `weekday` (Monday 0) on or before `base`: the day a past event named by its
    weekday happened ("filed Monday", "on Thursday sent letters")."""
    return _shift(base, -dt.timedelta(days=(base.weekday() - weekday) % 7))


def _named(day: PartialDate | RelativeDay) -> str:
    return "start date" if isinstance(day, PartialDate) else repr(day.text or day.kind)


def compute_due(
    start: dt.date,
    spec: Period | AbsoluteDue | ParsedPhrase,
    *,
    rule: Rule | str = Rule.CALENDAR,
    calendar: str = DEFAULT_CALENDAR,
    tz: str = DEFAULT_TIMEZONE,
    note: str = "start date",
    now: dt.datetime | None = None,
) -> DueDate:
    """Due date of `spec` counted from `start`; pure. Raises only DeadlineError subclasses."""
    if isinstance(spec, ParsedPhrase):
        spec = spec.spec
    rule = Rule.parse(rule)
    zoneinfo = zone(spec.tz or tz)
    _check_range(start, "start date")
    last_day: dt.date | None = None
    steps = [f"day 0: {format_day(start)} ({note})"]
    if spec.tz is not None and spec.tz != tz:
        steps.append(f"time zone from the phrase: {spec.tz}")
    at: dt.time | None = spec.at
    if isinstance(spec, AbsoluteDue):
        due = _resolve_day(spec.on, start, steps)
        holidays_used = holiday_calendar(calendar)
        if (
            at is not None
            and now is not None
            and due == start == now.astimezone(zoneinfo).date()
            and dt.datetime.combine(due, at, tzinfo=zoneinfo) < now
        ):
            raise PhraseError(
                f"{at:%H:%M} today has passed; did you mean tomorrow?",
                example=f"by {at:%H:%M} tomorrow",
            )
    elif any(term.unit is Unit.HOUR for term in spec.terms):
        return _count_hours(start, spec, now, rule, calendar, zoneinfo, steps)
    else:
        if spec.business and rule is not Rule.BUSINESS:
            steps.append(
                f"'business days' in the phrase: counting by the business rule, not {rule}"
            )
            rule = Rule.BUSINESS
        holidays_used = holiday_calendar(calendar, closures=rule is Rule.COURT)
        due = _count(start, spec, rule, holidays_used, steps)
        if rule is not Rule.CALENDAR:
            unrolled = due
            due = _roll(due, holidays_used, rule, steps, back=spec.backward)
            if due != unrolled and rule in (Rule.ROLL, Rule.COURT) and not spec.backward:
                last_day = unrolled
        if spec.allowed:
            allowed = " + ".join(term.describe() for term in spec.allowed)
            steps.append(f"an extension of {allowed} is allowed (not counted)")

    return due_on(
        start, due, rule=rule, calendar=holidays_used.name, tz=zoneinfo, steps=steps, at=at,
        last_day=last_day,
    )  # fmt: skip


def due_on(
    start: dt.date,
    due: dt.date,
    *,
    rule: Rule,
    calendar: str,
    tz: ZoneInfo,
    steps: list[str],
    at: dt.time | None = None,
    last_day: dt.date | None = None,
) -> DueDate:
    """The DueDate of a count that ended on `due`: at `at` there, or the end of that day, in
    `tz`; the last explanation step says which."""
    local = dt.datetime.combine(due, at or END_OF_DAY, tzinfo=tz)
    if at is None:
        steps.append(f"due by the end of {format_day(due)} ({tz.key})")
    else:
        steps.append(f"due at {local:%H:%M} {tz.key} on {format_day(due)}")
    return DueDate(
        start=start,
        rule=rule,
        calendar=calendar,
        due=due,
        due_at=local.astimezone(dt.UTC),
        timezone=tz.key,
        has_time=at is not None,
        explanation=tuple(steps),
        last_day=last_day,
    )


def extended_due(
    due: dt.date, extension: str, *, rule: Rule | str, calendar: str = DEFAULT_CALENDAR
) -> dt.date | None:
    """The date an allowed extension ('14 calendar days') moves `due` to, counted from it
    under `rule` as `/deadline extend` counts it; None if the extension is not a period.
    Under the roll and court rules give the statutory last day (`Deadline.statutory_last_day`):
    the extension adds to the period, and the roll comes once, after it."""
    try:
        spec = parse_phrase(extension).spec
        if not isinstance(spec, Period) or spec.backward:
            return None
        return compute_due(due, spec, rule=rule, calendar=calendar).due
    except DeadlineError:
        return None


def _count_hours(
    start: dt.date,
    period: Period,
    now: dt.datetime | None,
    rule: Rule,
    calendar: str,
    zoneinfo: ZoneInfo,
    steps: list[str],
) -> DueDate:
    """`within 72 hours`: counted from now, to the minute (days and rules play no part)."""
    if len(period.terms) != 1 or period.backward or period.at is not None:
        raise PhraseError("hours cannot be mixed with days or times", example="within 72 hours")
    if now is None or now.astimezone(zoneinfo).date() != start:
        raise PhraseError(
            "hours count from now, so they need today as the start",
            example="Reply, within 72 hours",
        )
    hours = period.terms[0].amount
    if hours == 0 or hours > 24 * 366:
        raise PeriodLengthError("a period in hours must be 1 hour to a year", example="48 hours")
    local = (now + dt.timedelta(hours=hours)).astimezone(zoneinfo).replace(second=0, microsecond=0)
    steps[0] = f"from now: {now.astimezone(zoneinfo):%a %Y-%m-%d %H:%M} {zoneinfo.key}"
    steps.append(
        f"+{hours} hours -> due at {local:%H:%M} {zoneinfo.key} on {format_day(local.date())}"
    )
    return DueDate(
        start=start,
        rule=rule,
        calendar=holiday_calendar(calendar).name,
        due=local.date(),
        due_at=local.astimezone(dt.UTC),
        timezone=zoneinfo.key,
        has_time=True,
        explanation=tuple(steps),
    )


def _count(
    start: dt.date, period: Period, rule: Rule, cal: HolidayCalendar, steps: list[str]
) -> dt.date:
    estimate = sum(term.amount * _DAYS_PER[term.unit] for term in period.terms)
    if estimate > _MAX_DAYS:
        raise PeriodLengthError(f"{period.describe()} is longer than 10 years")
    if any(term.amount == 0 for term in period.terms):
        raise PeriodLengthError("a period must be at least 1 day", example="Reply, 1 day")
    day = start
    sign, mark = (-1, "-") if period.backward else (1, "+")
    for term in period.terms:
        business = term.unit is Unit.DAY and (
            term.counting is Counting.BUSINESS or (term.counting is None and rule is Rule.BUSINESS)
        )
        if business:
            day, skipped = _add_business_days(day, term.amount, cal, step=sign)
            steps.append(f"{mark}{term.describe_as('business')} -> {format_day(day)}{skipped}")
        elif term.unit is Unit.DAY or term.unit is Unit.WEEK:
            days = term.amount * (7 if term.unit is Unit.WEEK else 1)
            day = _shift(day, dt.timedelta(days=sign * days))
            steps.append(f"{mark}{term.describe_as('calendar')} -> {format_day(day)}")
        else:
            months = term.amount * (12 if term.unit is Unit.YEAR else 1)
            target_day = day.day
            day = _shift(day, relativedelta(months=sign * months))
            clamp = ""
            if day.day != target_day:
                month_name = _calendar.month_name[day.month]
                clamp = f" ({month_name} has no day {target_day}: the last day of the month)"
            steps.append(f"{mark}{term.describe_as('calendar')} -> {format_day(day)}{clamp}")
    if day > start + MAX_PERIOD or day < start - MAX_PERIOD:
        raise PeriodLengthError(f"{period.describe()} is longer than 10 years")
    return day


def _add_business_days(
    day: dt.date, count: int, cal: HolidayCalendar, *, step: int = 1
) -> tuple[dt.date, str]:
    holidays_skipped: list[str] = []
    counted = 0
    while counted < count:
        day = _shift(day, dt.timedelta(days=step))
        reason = cal.non_business_reason(day)
        if reason is None:
            counted += 1
        elif day.weekday() < 5:
            holidays_skipped.append(f"{format_day(day)} {reason}")
    note = " (weekends skipped"
    if holidays_skipped:
        note += "; holidays skipped: " + ", ".join(holidays_skipped)
    return day, note + ")"


def _roll(
    day: dt.date, cal: HolidayCalendar, rule: Rule, steps: list[str], *, back: bool = False
) -> dt.date:
    """Off a weekend or holiday: forward, or (counting back, as FRCP 6(a)(5)) backward."""
    reasons: list[str] = []
    rolled = day
    while (reason := cal.non_business_reason(rolled)) is not None:
        reasons.append(f"{format_day(rolled)} is {_article(reason)}")
        rolled = _shift(rolled, dt.timedelta(days=-1 if back else 1))
    if reasons:
        way = "back to" if back else "to"
        steps.append(
            f"{'; '.join(reasons)}: not a business day -> rolled {way} {format_day(rolled)}"
            f" ({rule} rule, {cal.describe()})"
        )
    return rolled


def _article(reason: str) -> str:
    return f"a {reason}" if reason in ("Saturday", "Sunday") else reason


def _resolve_day(on: PartialDate | RelativeDay, start: dt.date, steps: list[str]) -> dt.date:
    """The day a phrase names, as of day 0 `start` (never rolled)."""
    if isinstance(on, PartialDate):
        day = _resolve_absolute(on, start, steps)
        if on.weekday is not None and day.weekday() != on.weekday:
            raise PhraseError(
                f"{format_day(day)} is a {_calendar.day_name[day.weekday()]}, not a "
                f"{_calendar.day_name[on.weekday]}: which is meant?",
                example=f"by {day:%b} {day.day}",
            )
        return day
    kind = on.kind
    if kind == "next business day":
        cal = holiday_calendar(DEFAULT_CALENDAR)
        day = _shift(start, dt.timedelta(days=1))
        while not cal.is_business_day(day):
            day = _shift(day, dt.timedelta(days=1))
        steps.append(f"next business day: the first after day 0 ({cal.describe()}) -> "
                     f"{format_day(day)}")  # fmt: skip
        return day
    if kind == "today":
        day = start
        how = "day 0 itself"
    elif kind == "tomorrow":
        day, how = _shift(start, dt.timedelta(days=1)), "the day after day 0"
    elif kind == "the day after tomorrow":
        day, how = _shift(start, dt.timedelta(days=2)), "two days after day 0"
    elif kind == "weekday":
        name = _calendar.day_name[on.value]
        if on.past:  # "The ruling, issued Tuesday, ...": the event is behind us
            day = last_weekday(start, on.value)
            how = f"the last {name} on or before day 0 (the day it happened)"
        elif on.next_week:
            monday = start + dt.timedelta(days=7 - start.weekday())
            day = _shift(monday, dt.timedelta(days=on.value))
            how = f"the {name} of the week after day 0's (weeks run Monday to Sunday)"
        else:
            day = _shift(start, dt.timedelta(days=(on.value - start.weekday()) % 7))
            how = f"the first {name} on or after day 0"
    elif kind == "end of the week":
        day = _shift(start, dt.timedelta(days=(4 - start.weekday()) % 7))
        how = "the Friday of day 0's week (the next Friday from a weekend)"
    elif kind == "end of the month":
        last = _calendar.monthrange(start.year, start.month)[1]
        day, how = start.replace(day=last), "the last day of day 0's month"
    elif kind == "end of the year":
        day, how = start.replace(month=12, day=31), "Dec 31 of day 0's year"
    elif kind == "day of month":
        day = _next_day_of_month(start, on.value)
        how = f"the first {on.text.removeprefix('the ')} on or after day 0"
        if on.weekday is not None and day.weekday() != on.weekday:
            raise PhraseError(
                f"the next {on.value} is {format_day(day)}, not a "
                f"{_calendar.day_name[on.weekday]}: which is meant?",
                example=f"by {day:%b} {day.day}",
            )
    else:
        raise PhraseError(f"{on.text!r} is not a day", example="by Friday")
    _check_range(day, "due date")
    steps.append(f"{on.text or kind}: {how} -> {format_day(day)} (never rolled)")
    return day


def _next_day_of_month(start: dt.date, number: int) -> dt.date:
    if not 1 <= number <= 31:
        raise DateOutOfRangeError(f"there is no day {number} in a month", example="by the 15th")
    year, month = start.year, start.month
    for _ in range(24):
        if number <= _calendar.monthrange(year, month)[1]:
            candidate = dt.date(year, month, number)
            if candidate >= start:
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise DateOutOfRangeError(f"no day {number} after {start}")  # pragma: no cover


def _resolve_absolute(on: PartialDate, start: dt.date, steps: list[str]) -> dt.date:
    if on.year is not None:
        due = _make_date(on.year, on.month, on.day)
        steps.append(f"due date given in the phrase: {format_day(due)} (never rolled)")
        return due
    for year in range(start.year, start.year + 9):
        try:
            candidate = dt.date(year, on.month, on.day)
        except ValueError:
            continue  # Feb 29 outside a leap year
        if candidate >= start:
            if year > start.year and _recently_passed(on, start):
                raise PhraseError(
                    f"{_calendar.month_abbr[on.month]} {on.day} has just passed this year: "
                    f"did you mean {candidate}? Give the year",
                    example=f"by {candidate:%b} {candidate.day} {candidate.year}",
                )
            _check_range(candidate, "due date")
            steps.append(
                f"{_calendar.month_abbr[on.month]} {on.day} has no year: the next one on or "
                f"after the start is {format_day(candidate)} (never rolled)"
            )
            return candidate
    _make_date(start.year, on.month, on.day)  # raises the specific error for Feb 30 etc.
    raise DateOutOfRangeError(f"no {on.month}/{on.day} after {start}")


def _recently_passed(on: PartialDate, start: dt.date) -> bool:
    """A date without a year that fell in the month before day 0 ("by 7/16" on Jul 17): a
    slip more likely than a deadline a year away."""
    try:
        this_year = dt.date(start.year, on.month, on.day)
    except ValueError:
        return False
    return dt.timedelta(0) < start - this_year <= dt.timedelta(days=31)


def parse_start_date(text: str, *, near: dt.date) -> dt.date:
    """A start date as typed ("2025-07-17", "July 17 2025", "7/17"); without a year, the
    occurrence nearest to `near`. Raises DateOutOfRangeError or PhraseError."""
    cleaned = normalize(text).lower().strip(" .,")
    found = match_date(cleaned, 0) if len(cleaned) <= 40 else None
    if found is None or found[1] != len(cleaned):
        raise PhraseError(f"{text[:40]!r} is not a date", example="2025-07-17 or July 17 2025")
    return _resolve_start(found[0], near=near)


def _resolve_start(partial: PartialDate, *, near: dt.date) -> dt.date:
    """A "from" date: as given, or without a year the occurrence nearest to `near`."""
    if partial.year is not None:
        return _make_date(partial.year, partial.month, partial.day)
    candidates = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidates.append(dt.date(year, partial.month, partial.day))
        except ValueError:
            continue
    if not candidates:
        return _make_date(near.year, partial.month, partial.day)
    return min(candidates, key=lambda day: (abs((day - near).days), day))


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        made = dt.date(year, month, day)
    except ValueError:
        raise DateOutOfRangeError(f"{year:04d}-{month:02d}-{day:02d} is not a real date") from None
    _check_range(made, "date")
    return made


def _check_range(day: dt.date, what: str) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateOutOfRangeError(f"the {what} {day} is outside {MIN_YEAR}-{MAX_YEAR}")


def _shift(day: dt.date, delta: dt.timedelta | relativedelta) -> dt.date:
    try:
        shifted: dt.date = day + delta
    except (OverflowError, ValueError):
        raise DateOutOfRangeError(f"counting from {day} leaves the supported years") from None
    _check_range(shifted, "due date")
    return shifted
