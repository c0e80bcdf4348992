"""Repeating deadlines: "Jail population report, every month on the 10th".

Pure: no clock. A phrase whose end is one of the repeats read here (and whose title says
nothing more about when) becomes a `Recurrence`: an RFC 5545 rule (the RRULE an iCalendar
export carries), the first date it gives (its DTSTART, on or after day 0) and the rule in
words. `dateutil.rrule` gives the dates; each date is then counted as a due day under the
deadline's rule (`roll`: a 10th on a Sunday is due Monday the 11th). Anything else that
repeats ("every 10 days", "twice a month", "each Friday by noon") stays refused by the
reader, so nothing that is not clearly one of these forms is read as a repeat.

Forms: `every month on the 10th` (`monthly on the 10th`, `the 10th of every month`, `every
month by the 10th`), `every 3 months [on the 10th]`, `monthly`, `every Tuesday`, `weekly [on
Tuesday]`, `every 2 weeks`, `every other week`, `quarterly [on the 15th]` (`every quarter`),
`every year on June 30` (`annually`/`yearly on June 30`, `every June 30`), `annually`,
`yearly`, `last business day of every month`, `first Monday of each month`; then optionally
`until 2026-12-31` (`until Dec. 31, 2026`) or `for 6 times`.
Without a named day the dates count from day 0 (`quarterly` from Jul 17: Oct 17, Jan 17...).
A day past the 28th falls on the last day of a shorter month (the 31st: Apr 30, Feb 28),
as `1 month` counts; the rule says so with BYSETPOS, so calendars show the same dates.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from .calendars import DEFAULT_CALENDAR, format_day, holiday_calendar
from .errors import DateOutOfRangeError, PhraseError
from .parsing import match_date
from .reading import (
    _ORDINAL_ALT,
    WEEKDAYS,
    find_expressions,
    is_name_word,
    is_significant,
    recurring_words,
    tokens,
)

MAX_COUNT = 500
MIN_YEAR, MAX_YEAR = 1900, 2200  # as counting.py: the years a date may be in
MAX_YEARS = 50  # how far `until` may be from the first date
_EXAMPLE = "Jail population report, every month on the 10th"
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_NTH = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
        "4th": 4, "last": -1}  # fmt: skip
_NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_MONTH_NAMES = {
    name: number
    for number in range(1, 13)
    for name in (_calendar.month_name[number].lower(), _calendar.month_abbr[number].lower())
} | {"sept": 9}
_FULL_MONTHS = tuple(name.lower() for name in _calendar.month_name[1:])
_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
_N = rf"(?P<n>\d{{1,3}}|{'|'.join(_NUMBERS)})"
_EVERY = r"(?:every|each)"
_DOM = r"(?:the\s+)?(?P<dom>\d{1,2})(?P<suffix>st|nd|rd|th)"
_ON_DOM = rf"\s*,?\s+(?:on|by|due(?:\s+(?:on|by))?)\s+{_DOM}"
_ON_WD = rf"\s*,?\s+on\s+(?P<wd>{_WD})s?\.?"
_MONTH_DAY = (
    rf"(?:(?P<mon>{_MON})\.?\s+(?P<mday>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?:the\s+)?(?P<mday2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_MON})\.?)"
)
_OF_MONTH = rf"\s+of\s+{_EVERY}\s+month"

# (form, pattern): each pattern is matched at the end of the phrase, the limit taken off.
_FORMS: tuple[tuple[str, str], ...] = (
    ("last-business", rf"(?:on\s+)?(?:the\s+)?last\s+business\s+day{_OF_MONTH}"),
    (
        "nth-weekday",
        rf"(?:on\s+)?(?:the\s+)?(?P<nth>{'|'.join(_NTH)})\s+(?P<wd>{_WD})"
        rf"\.?{_OF_MONTH}",
    ),
    ("month-day", rf"(?:the\s+)?(?P<dom>\d{{1,2}})(?P<suffix>st|nd|rd|th){_OF_MONTH}"),
    ("month-day", rf"{_EVERY}\s+month{_ON_DOM}"),
    ("month-day", rf"monthly{_ON_DOM}"),
    ("months", rf"{_EVERY}\s+{_N}\s+months(?:{_ON_DOM})?"),
    ("quarter", rf"(?:quarterly|{_EVERY}\s+quarter)(?:{_ON_DOM})?"),
    ("month", rf"{_EVERY}\s+month|monthly"),
    ("weekday", rf"{_EVERY}\s+(?P<wd>{_WD})\.?"),
    ("weekday", rf"weekly{_ON_WD}"),
    ("weeks", rf"{_EVERY}\s+{_N}\s+weeks"),
    ("other-week", rf"{_EVERY}\s+other\s+week"),
    ("week", rf"{_EVERY}\s+week|weekly"),
    ("year-day", rf"{_EVERY}\s+year\s*,?\s+on\s+{_MONTH_DAY}"),
    ("year-day", rf"(?:annually|yearly)\s*,?\s+on\s+{_MONTH_DAY}"),
    ("year-day", rf"{_EVERY}\s+{_MONTH_DAY}"),
    ("year", rf"{_EVERY}\s+year|annually|yearly"),
)


@functools.cache
def _patterns() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], re.Pattern[str], re.Pattern[str]]:
    """The forms, and the count and `until` limits, compiled on the first phrase that holds a
    repeat word (~2 ms: not part of every `python -m bot due`)."""
    forms = tuple(
        (form, re.compile(rf"(?:^|(?<=[\s,;:(]))(?:{pattern})$")) for form, pattern in _FORMS
    )
    count = re.compile(rf"^(?P<body>.*?)\s*,?\s+(?:for\s+)?{_N}\s+(?:times|occurrences)$")
    until = re.compile(
        r"^(?P<body>.*?)\s*,?\s+(?P<word>until|through|till)\s+"
        r"(?P<until>[^,;]+?(?:,\s*\d{4})?)$"  # "until Dec. 31, 2026": AP style
    )
    return forms, count, until


_TRIM = " \t,:;|-\"'`.!?("
# Every form holds one of these words.
_REPEAT_WORD = re.compile(
    r"\b(?:every|each|weekly|monthly|quarterly|annually|yearly)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A repeat: its RFC 5545 rule (`FREQ=MONTHLY;BYMONTHDAY=10`, no DTSTART), the first
    date the rule gives (its DTSTART), and the rule in words. `business`: each date is the
    last business day of its month, stepped back over the calendar's holidays (the rule
    itself gives the last weekday)."""

    rule: str
    start: dt.date
    words: str
    business: bool = False

    @property
    def rrule(self) -> str:
        """The rule as an iCalendar RRULE value."""
        return self.rule

    def dates_after(self, day: dt.date | None, *, limit: int) -> list[dt.date]:
        """Up to `limit` dates of the rule after `day` (from the first, when None)."""
        found: list[dt.date] = []
        rule = _rule(self.rule, self.start)
        at = None if day is None else dt.datetime.combine(day, dt.time())
        while len(found) < limit:
            nxt = rule.after(at, inc=at is None) if at is not None else _first(rule)
            if nxt is None or nxt.year > MAX_YEAR:
                break  # the series ends where the supported years do
            found.append(nxt.date())
            at = nxt
        return found

    def after(self, day: dt.date) -> dt.date | None:
        """The rule's next date after `day`; None when the series has ended."""
        dates = self.dates_after(day, limit=1)
        return dates[0] if dates else None

    def describe(self) -> str:
        return f"{self.words} (RRULE:{self.rule})"


def _first(rule: rrule) -> dt.datetime | None:
    for value in rule:
        return value
    return None


@functools.lru_cache(maxsize=256)
def _rule(text: str, start: dt.date) -> rrule:
    parsed = rrulestr(f"RRULE:{text}", dtstart=dt.datetime.combine(start, dt.time()))
    assert isinstance(parsed, rrule)
    return parsed


@dataclass(frozen=True, slots=True)
class ReadRecurrence:
    """What a repeating phrase says: its title and its repeat (dates not yet counted)."""

    title: str | None
    recurrence: Recurrence
    text: str  # the repeat as written


def read_recurrence(
    cleaned: str, *, start: dt.date, rule: str = "calendar", calendar: str = DEFAULT_CALENDAR
) -> ReadRecurrence | None:
    """The repeat at the end of `cleaned` (normalized text), with day 0 `start`; None if
    the phrase does not end in one of the forms read here. Raises PhraseError when it does
    but something about it is wrong (a 32nd, a June 31, a title that also says when), and
    DateOutOfRangeError for a day 0 outside the supported years.

    `rule` and `calendar` are the deadline's: the first date is the first whose due date
    (rolled forward, or stepped back to the last business day) is day 0 or later, and
    `until` keeps every date whose due date is on or before it."""
    if _REPEAT_WORD.search(cleaned) is None:  # most phrases: one search, nothing more
        return None
    lowered = "".join(ch if len(low := ch.lower()) != 1 else low for ch in cleaned)
    lowered = lowered.rstrip(" .;")
    body, count, until_text, until_word = lowered, None, None, "until"
    forms, count_limit, until_limit = _patterns()
    if (match := count_limit.match(lowered)) is not None:
        body, count = match["body"], _number(match["n"])
    elif (match := until_limit.match(lowered)) is not None:
        body, until_text, until_word = match["body"], match["until"], match["word"]
    for form, pattern in forms:
        found = pattern.search(body)
        if found is None:
            continue
        if is_name_word(cleaned, found.start()) or _title_patterns()[3].search(
            body[: found.start()]
        ):
            return None  # "Pitch to LA Weekly", "Reply to the monthly": a name or a noun
        if not MIN_YEAR <= start.year <= MAX_YEAR:
            raise DateOutOfRangeError(f"the start date {start} is outside {MIN_YEAR}-{MAX_YEAR}")
        said = cleaned[found.start() : len(lowered)].strip(_TRIM)
        title = _title(cleaned[: found.start()], said)
        recurrence, named = _build(form, found, start=start)
        if named and (recurrence.business or rule != "calendar"):
            recurrence = _first_due(recurrence, start, rule=rule, calendar=calendar)
        recurrence = _limited(recurrence, count, until_text, until_word, calendar=calendar)
        return ReadRecurrence(title, recurrence, said)
    return None


def _first_due(recurrence: Recurrence, start: dt.date, *, rule: str, calendar: str) -> Recurrence:
    """The repeat from its first date whose due date is `start` or later: under roll a 10th
    on a Sunday before a Monday day 0 is due that day; the last business day of a month can
    fall before the rule's last weekday (and before day 0). Due dates never go back as the
    rule's dates go on, so the first that is due on or after `start` is the one."""
    plain = re.sub(r";INTERVAL=\d+", "", recurrence.rule)
    # A date rolls forward, or steps back to its month's last business day, by days only.
    search = _rule(plain, start - dt.timedelta(days=40))
    for value in search:
        nominal = value.date()
        if occurrence_day(recurrence, nominal, rule=rule, calendar=calendar)[0] >= start:
            return _recurrence(recurrence.rule, nominal, recurrence.words, recurrence.business)
    raise AssertionError(recurrence)  # pragma: no cover: every rule here goes on


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS[text]


def _build(form: str, found: re.Match[str], *, start: dt.date) -> tuple[Recurrence, bool]:
    """The repeat, and whether it names its day (a 10th, a Tuesday, a June 30); without one
    its dates count from day 0."""
    groups = found.groupdict()
    named = bool(
        form in ("last-business", "nth-weekday")
        or groups.get("dom")
        or groups.get("wd")
        or groups.get("mon")
        or groups.get("mon2")
    )
    if form in ("month-day", "months", "quarter", "month"):
        interval = {"quarter": 3, "month-day": 1, "month": 1}.get(form) or _interval(
            groups["n"], 1, 24, "months"
        )
        every = "every month" if interval == 1 else f"every {interval} months"
        if groups.get("dom"):
            day = _day_of_month(groups["dom"], groups["suffix"])
            first = _on_or_after(_monthly(interval, day), start, interval)
            words = f"{every} on the {_ordinal(day)}"
        else:  # from day 0: the first date is a period after it
            first = start + relativedelta(months=interval)
            day = start.day
            words = f"{every} from day 0 (on the {_ordinal(day)})"
        if form == "quarter":
            words = words.replace("every 3 months", "quarterly (every 3 months)")
        return _recurrence(_monthly(interval, day), first, words), named
    if form in ("weekday", "weeks", "other-week", "week"):
        interval = {"weeks": 0, "other-week": 2}.get(form, 1) or _interval(
            groups["n"], 1, 52, "weeks"
        )
        every = "every week" if interval == 1 else f"every {interval} weeks"
        if groups.get("wd"):
            weekday = WEEKDAYS[groups["wd"]]
            first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
            words = f"every {_calendar.day_name[weekday]}"
        else:
            first = start + dt.timedelta(weeks=interval)
            weekday = first.weekday()
            words = f"{every} from day 0 (on {_calendar.day_name[weekday]}s)"
        rule = f"FREQ=WEEKLY{_every(interval)};BYDAY={_RRULE_DAYS[weekday]}"
        return _recurrence(rule, first, words), named
    if form in ("year-day", "year"):
        if groups.get("mon") or groups.get("mon2"):
            month = _MONTH_NAMES[groups.get("mon") or groups["mon2"]]
            day = int(groups.get("mday") or groups["mday2"])
            if not 1 <= day <= _calendar.monthrange(2024, month)[1]:  # 2024: Feb 29 exists
                raise DateOutOfRangeError(
                    f"{_calendar.month_name[month]} has no day {day}",
                    example="Budget, every year on June 30",
                )
            first = _on_or_after(_yearly(month, day), start, 12)
            words = f"every year on {_calendar.month_abbr[month]} {day}"
        else:
            first = start + relativedelta(years=1)
            month, day = start.month, start.day
            words = f"every year from day 0 (on {_calendar.month_abbr[month]} {day})"
        return _recurrence(_yearly(month, day), first, words), named
    if form == "last-business":
        rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
        first = _on_or_after(rule, start, 1)
        return Recurrence(rule, first, "the last business day of every month", True), named
    assert form == "nth-weekday"
    nth, weekday = _NTH[groups["nth"]], WEEKDAYS[groups["wd"]]
    rule = f"FREQ=MONTHLY;BYDAY={nth:+d}{_RRULE_DAYS[weekday]}"
    words = f"the {_NTH_WORDS[nth]} {_calendar.day_name[weekday]} of every month"
    return _recurrence(rule, _on_or_after(rule, start, 1), words), named


def _recurrence(rule: str, first: dt.date, words: str, business: bool = False) -> Recurrence:
    if first.year > MAX_YEAR:
        raise DateOutOfRangeError(f"its first date {first} is outside {MIN_YEAR}-{MAX_YEAR}")
    recurrence = Recurrence(rule, first, words, business)
    dates = recurrence.dates_after(None, limit=1)
    assert dates, rule
    assert dates[0] == first, (rule, first, dates)  # DTSTART is the first date
    return recurrence


def _limited(
    recurrence: Recurrence,
    count: int | None,
    until_text: str | None,
    until_word: str = "until",
    *,
    calendar: str,
) -> Recurrence:
    if count is not None:
        if not 1 <= count <= MAX_COUNT:
            raise PhraseError(
                f"{count} times: a repeat must happen 1 to {MAX_COUNT} times",
                example=f"{_EXAMPLE}, for 6 times",
            )
        return Recurrence(
            f"{recurrence.rule};COUNT={count}",
            recurrence.start,
            f"{recurrence.words}, {count} time{'s' if count != 1 else ''}",
            recurrence.business,
        )
    if until_text is None:
        return recurrence
    found = match_date(until_text, 0)
    if found is None or found[1] != len(until_text) or found[0].year is None:
        raise PhraseError(
            f"'{until_word} {until_text}': give the last date with its year",
            example=f"{_EXAMPLE} until 2026-12-31",
        )
    partial = found[0]
    assert partial.year is not None
    try:
        until = dt.date(partial.year, partial.month, partial.day)
    except ValueError:
        raise DateOutOfRangeError(f"'{until_word} {until_text}' is not a real date") from None
    last = _until_rule_date(recurrence, until, calendar=calendar)
    if last < recurrence.start:
        first = recurrence.start
        if recurrence.business:
            first = occurrence_day(recurrence, first, rule="calendar", calendar=calendar)[0]
        raise PhraseError(
            f"it ends {format_day(until)}, before its first date {format_day(first)}",
            example=f"{_EXAMPLE} until {recurrence.start.year + 1}-12-31",
        )
    if until > recurrence.start + relativedelta(years=MAX_YEARS):
        raise PhraseError(
            f"'{until_word} {until_text}' is more than {MAX_YEARS} years away",
            example=f"{_EXAMPLE} until {recurrence.start.year + 1}-12-31",
        )
    return Recurrence(
        f"{recurrence.rule};UNTIL={last:%Y%m%d}",
        recurrence.start,
        f"{recurrence.words} until {format_day(until)}",
        recurrence.business,
    )


def _until_rule_date(recurrence: Recurrence, until: dt.date, *, calendar: str) -> dt.date:
    """The RRULE's UNTIL for a series that ends `until`: that day, or for the last business
    day the rule's last weekday of the month when its business day is on or before `until`
    (May 2027: the rule's Mon May 31 is Memorial Day, the date is Fri May 28; until May 30
    keeps it)."""
    if not recurrence.business:
        return until
    month_end = _rule(recurrence.rule, dt.date(until.year, until.month, 1))
    found = _first(month_end)
    assert found is not None
    nominal = found.date()
    if nominal > until and occurrence_day(recurrence, nominal, rule="calendar",
                                          calendar=calendar)[0] <= until:  # fmt: skip
        return nominal
    return until


def _interval(text: str, low: int, high: int, unit: str) -> int:
    interval = _number(text)
    if not low <= interval <= high:
        raise PhraseError(f"every {interval} {unit}: give {low} to {high} {unit}",
                          example="Campaign finance filing, every 3 months")  # fmt: skip
    return interval


def _day_of_month(digits: str, suffix: str) -> int:
    day = int(digits)
    expected = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    if not 1 <= day <= 31 or suffix != expected:
        raise DateOutOfRangeError(f"'the {digits}{suffix}' is not a day of a month",
                                  example=_EXAMPLE)  # fmt: skip
    return day


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _every(interval: int) -> str:
    return "" if interval == 1 else f";INTERVAL={interval}"


def _month_days(day: int, shortest: int = 28) -> str:
    """BYMONTHDAY for `day`, or its last day in a shorter month (BYSETPOS=-1 picks it);
    `shortest`: the fewest days the months it falls in have."""
    if day <= shortest:
        return f"BYMONTHDAY={day}"
    return f"BYMONTHDAY={','.join(str(d) for d in range(28, day + 1))};BYSETPOS=-1"


def _monthly(interval: int, day: int) -> str:
    return f"FREQ=MONTHLY{_every(interval)};{_month_days(day)}"


def _yearly(month: int, day: int) -> str:
    shortest = 28 if month == 2 else _calendar.monthrange(2025, month)[1]
    return f"FREQ=YEARLY;BYMONTH={month};{_month_days(day, shortest)}"


def _on_or_after(rule: str, start: dt.date, months: int) -> dt.date:
    """The rule's first date on or after `start` (a rule anchored at `start` itself)."""
    search = _rule(rule.replace(f";INTERVAL={months}", ""), start)
    found = search.after(dt.datetime.combine(start, dt.time()), inc=True)
    assert found is not None
    return found.date()


def _title(before: str, said: str) -> str | None:
    """The title before the repeat: refused if it says anything more about when."""
    title = before.strip(_TRIM)
    if not title:
        return None
    lowered = "".join(ch if len(low := ch.lower()) != 1 else low for ch in title)
    toks = tokens(lowered)
    for tok in toks:
        tok.capital = title[tok.start].isupper()
    more = recurring_words(toks, title)
    found = [e for e in find_expressions(toks) if not e.negated]
    if more is None and found:
        first = toks[found[0].first]
        more = title[first.start : toks[found[0].last - 1].end]
    if more is None:
        # "the fifteenth of each month", "the first of every month": a day named through the
        # repeat, not read here (say "every month on the 15th").
        more = next(
            (title[t.start : t.end] for i, t in enumerate(toks)
             if is_significant(toks, i) or t.kind == "dom"),
            None,
        )  # fmt: skip
    if more is None and toks and toks[-1].text in ("of", "in", "from", "after", "since"):
        tail = title[toks[max(0, len(toks) - 3)].start :]
        raise PhraseError(
            f"'{tail} {said}': the day must come after the repeat, as in 'every month on "
            "the 15th' or 'the first Monday of each month'",
            example=_EXAMPLE,
        )
    if before[-1:].isspace() and before.rstrip()[-1:].isalnum():  # "bi weekly"
        _check_word_before(title, lowered, said)
    hint = ""
    if more is None and (limit := _title_patterns()[0].search(lowered)) is not None:
        more = title[limit.start() : limit.end()]
        hint = (f"; a repeat starts from the start date, and its end goes after it, as in "
                f"'{said} until 2026-12-31' or '{said} for 6 times'")  # fmt: skip
    if more is None and (when := _title_patterns()[1].search(lowered)) is not None:
        more = title[when.start() : when.end()]
    if more is not None:
        raise PhraseError(
            f"it repeats {said!r} but also says {more!r}: give one or the other{hint}",
            example=_EXAMPLE,
        )
    _check_word_before(title, lowered, said)  # "Report, third, every month"
    words = title.split()
    while words and words[-1].lower().strip(_TRIM) in (
        "due", "by", "on", "is", "deadline", "once",
    ):  # fmt: skip
        words.pop()
    return " ".join(words).strip(_TRIM) or None


def _check_word_before(title: str, lowered: str, said: str) -> None:
    """Refuse a word right before the repeat that changes what it means: "bi weekly" (every
    2 weeks), "twice monthly", "first and third Tuesday", "second to last business day",
    "the day before the last business day"."""
    words = lowered.split()
    if not words:
        return
    word = words[-1].strip(_TRIM)
    if (
        word in _CHANGES_MEANING
        or _title_patterns()[2].fullmatch(word)
        or re.fullmatch(r"\d+x", word)
    ):
        raise PhraseError(
            f"{title.split()[-1].strip(_TRIM)!r} before {said!r} changes what the repeat means, "
            "and it is not read here: say it as one repeat, as in 'every 2 weeks' or 'the "
            "first Tuesday of every month' (one deadline per repeat)",
            example="Status call, every 2 weeks",
        )


# A determiner right before the form makes its first word a noun ("the monthly, by the 10th").
_DETERMINER = r"(?:^|\s)(?:the|a|an|this|that|our|your|their|his|her|its|my)\s+$"
_CHANGES_MEANING = frozenset({
    "bi", "semi", "twice", "thrice", "times", "and", "or", "to", "before", "after", "other",
    "alternate", "last", "final", "next", "penultimate", "plus", "&",
})  # fmt: skip
_ORDINAL_WORD = rf"(?:{_ORDINAL_ALT}|\d{{1,2}}(?:st|nd|rd|th))"
# Words in a title that say when a series starts or ends ("Starting September", "Through
# December", "Until 2026", "Six times"): what the repeat's own limit says, so refused.
_TITLE_LIMIT = (
    rf"\b(?:until|till|til|thru)\b"
    rf"|\b(?:through|ending|ends|starting|starts|beginning|begins|commencing|effective|from|"
    rf"since|in|during|after|before|by|as\s+of)\s+"
    rf"(?:(?:the\s+)?(?:end|start|beginning|middle)\s+of\s+)?"
    rf"(?:(?:{_MON})\b\.?|\d{{4}}\b"
    rf"|(?:next|this|the\s+coming)\s+(?:week|month|year|quarter|fall|spring|summer|winter|"
    rf"season|term|session|{_WD})\b)"
    rf"|\b(?:starting|beginning|commencing|effective)\s+(?:in|on|from|with|the|today|"
    rf"tomorrow|now)\b"
    rf"|\b(?:after|before|following|ahead\s+of|once|when|upon)\s+(?:the|a|an|each|every)\b"
    rf"|\b(?:\d+|{'|'.join(_NUMBERS)}|a\s+few|several|once|twice|thrice)\s+(?:more\s+)?"
    rf"(?:times|occurrences)\b"
)
# Words in a title that name the day ("on the tenth", "month-end", "Christmas", "Tuesdays"):
# the series would run on day 0's date instead, so refused (digits are refused already).
_TITLE_WHEN = (
    rf"\b(?:the|on|by|due)\s+(?:{_ORDINAL_ALT})\b|\b(?:{_ORDINAL_ALT})\s*-?\s*of\b"
    r"|\bmid-?\s?(?:month|year|week|quarter)\b"
    r"|\b(?:month|year|quarter|week)(?:'s)?[-\s]?end\b"
    r"|\b(?:end|start|beginning|middle|close|turn)[-\s]of[-\s](?:the[-\s])?"
    r"(?:month|year|quarter|week)\b"
    r"|\bbusiness\s+days?\b|\blast\s+day\b|\bweek(?:ends?|days?|nights?)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days\b"
    rf"|\b(?:{'|'.join(m for m in _FULL_MONTHS if m != 'may')})\b"
    r"|\b(?:christmas|xmas|thanksgiving|new\s+year'?s?|independence\s+day|memorial\s+day|"
    r"labou?r\s+day|election\s+day|primary\s+day|tax\s+day|veterans'?\s+day|juneteenth|"
    r"easter|halloween|valentine'?s|mlk\s+day|martin\s+luther\s+king|presidents'?\s+day|"
    r"columbus\s+day|indigenous\s+peoples'?\s+day|inauguration\s+day|flag\s+day|"
    r"mother'?s\s+day|father'?s\s+day|black\s+friday|cyber\s+monday|good\s+friday|"
    r"st\.?\s+patrick'?s|cinco\s+de\s+mayo|groundhog\s+day|boxing\s+day|hanukkah|"
    r"passover|ramadan|kwanzaa|fourth\s+of\s+july|july\s+fourth)\b"
)


@functools.cache
def _title_patterns() -> tuple[re.Pattern[str], ...]:
    """The title's checks (a limit, a day in words, an ordinal, a determiner), compiled on
    the first repeat read: not part of every `python -m bot due`."""
    return tuple(re.compile(p) for p in (_TITLE_LIMIT, _TITLE_WHEN, _ORDINAL_WORD, _DETERMINER))


def occurrence_day(
    recurrence: Recurrence, nominal: dt.date, *, rule: str, calendar: str = DEFAULT_CALENDAR
) -> tuple[dt.date, list[str]]:
    """The due day of the rule's date `nominal` under the counting `rule` (calendar: the
    date itself; roll, court, business: the next business day), and the steps saying why."""
    steps = [f"{recurrence.words}: the date {format_day(nominal)}"]
    day = nominal
    cal = holiday_calendar(calendar, closures=rule == "court")
    if recurrence.business:
        reasons = []
        while (reason := cal.non_business_reason(day)) is not None:
            reasons.append(f"{format_day(day)} is {reason}")
            day -= dt.timedelta(days=1)
        if reasons:
            steps.append(f"{'; '.join(reasons)}: the last business day is {format_day(day)} "
                         f"({cal.describe()})")  # fmt: skip
        return day, steps
    if rule == "calendar":
        return day, steps
    reasons = []
    while (reason := cal.non_business_reason(day)) is not None:
        reasons.append(f"{format_day(day)} is {_article(reason)}")
        day += dt.timedelta(days=1)
    if reasons:
        steps.append(f"{'; '.join(reasons)}: not a business day -> rolled to {format_day(day)} "
                     f"({rule} rule, {cal.describe()})")  # fmt: skip
    return day, steps


def _article(reason: str) -> str:
    return f"a {reason}" if reason in ("Saturday", "Sunday") else reason


__all__ = ["ReadRecurrence", "Recurrence", "occurrence_day", "read_recurrence"]
