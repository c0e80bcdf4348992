"""Parse a phrase as a journalist types it: "Bondi letter, 30 days from July 17 2025".

Pure: no clock. A phrase is an optional title, then either a period ("20 business days",
"10 days + 14-day extension") with an optional "from DATE", or an absolute due date
("by Aug 15 5pm"). Dates without a year stay partial here; counting resolves them against
the start date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from .errors import PhraseError

MAX_PHRASE_LENGTH = 500

_EXAMPLES = "Bondi letter, 30 days / FOIA, 20 business days / Reply - by Aug 15 5pm"


class Unit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class Counting(StrEnum):
    """How a term of days counts: as the phrase says, or (None on a Term) as the rule says."""

    CALENDAR = "calendar"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class Term:
    """One addend of a period: `20 business days`, `14-day extension`, `1 month`."""

    amount: int
    unit: Unit
    counting: Counting | None = None
    label: str = ""

    def describe(self) -> str:
        """The term as typed, normalized: '14 days (extension)', '20 business days'."""
        return self.describe_as(self.counting.value if self.counting else "")

    def describe_as(self, counting: str) -> str:
        """The term with the counting it was actually counted by: '30 calendar days'."""
        kind = f"{counting} " if counting and self.unit is Unit.DAY else ""
        unit = self.unit.value if self.amount == 1 else f"{self.unit.value}s"
        extra = f" ({self.label})" if self.label else ""
        return f"{self.amount} {kind}{unit}{extra}"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date whose year may be missing ("Aug 15")."""

    month: int
    day: int
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Period:
    terms: tuple[Term, ...]

    @property
    def business(self) -> bool:
        return any(term.counting is Counting.BUSINESS for term in self.terms)

    def describe(self) -> str:
        return " + ".join(term.describe() for term in self.terms)


@dataclass(frozen=True, slots=True)
class AbsoluteDue:
    on: PartialDate
    at: dt.time | None = None


@dataclass(frozen=True, slots=True)
class ParsedPhrase:
    """What a phrase says, before any counting."""

    title: str | None
    spec: Period | AbsoluteDue
    start: PartialDate | None = None
    spec_text: str = ""


_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_UNITS = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_NUMBER_WORDS = {word: n for n, word in enumerate(_UNITS, start=1)}
_NUMBER_WORDS["twenty"] = 20
_NUMBER_WORDS["thirty"] = 30
for _n, _word in enumerate(_UNITS[:9], start=1):
    _NUMBER_WORDS[f"twenty-{_word}"] = 20 + _n
    _NUMBER_WORDS[f"twenty {_word}"] = 20 + _n

# Longest first, so "fourteen" is tried before "four" and "twenty-one" before "twenty".
_WORD_ALT = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))

_TERM = re.compile(
    rf"""
    (?:(?P<article>an?|another)\s+)?
    (?:(?:additional|extra|further|more)\s+)?
    (?P<num>\d{{1,6}}|{_WORD_ALT})?
    \s*-?\s*
    (?:(?P<kind>calendar|business|working|court)[\s-]+)?
    (?P<unit>days?|weeks?|months?|years?)\b
    (?:\s+(?P<label>extension|deadline|window|period|notice))?
    """,
    re.VERBOSE,
)
_JOIN = re.compile(r"\s*(?:\+|\bplus\b|\band\b|&)\s*")
_LEAD = re.compile(r"(?:within|in)\s+")
_FROM = re.compile(r"\s+(?:from|after|starting(?:\s+on)?|beginning|since)\s+")
_ABS_LEAD = re.compile(r"(?:(?:due\s+)?(?:by|on|until)|due)\s+")

_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}))?"),
    re.compile(
        rf"(?P<mname>{_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"
    ),
    re.compile(
        rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mname>{_MONTH_ALT})\b\.?(?:,?\s+(?P<y>\d{{4}})\b)?"
    ),
)
_TIME = re.compile(
    r"""
    ,?\s*(?:at\s+)?
    (?:
        (?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)
      | (?P<h24>\d{1,2}):(?P<m24>\d{2})
      | (?P<noon>noon|midday)
    )
    """,
    re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s*[,:;|]\s*|\s+-+\s+")
_SPACE = re.compile(r"\s+")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_TRIM = " \t,:;|-\"'`.!?"


def normalize(text: str) -> str:
    """NFKC, plain dashes and quotes, zero-width characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc") or ch == " ")
    return _SPACE.sub(" ", text).strip()


def parse_phrase(text: str) -> ParsedPhrase:
    """Split a phrase into title and period/date; raises PhraseError for anything else."""
    if not isinstance(text, str):
        raise PhraseError("the phrase must be text", example=_EXAMPLES)
    if len(text) > MAX_PHRASE_LENGTH:
        raise PhraseError(
            f"the phrase is {len(text)} characters; keep it under {MAX_PHRASE_LENGTH}",
            example=_EXAMPLES,
        )
    cleaned = normalize(text)
    if not cleaned:
        raise PhraseError("the phrase is empty", example=_EXAMPLES)
    # Lower-case without changing the length ("İ".lower() is two characters), so that
    # positions found in `lowered` slice `cleaned` correctly.
    lowered = "".join(ch if len(low := ch.lower()) != 1 else low for ch in cleaned)

    whole = _parse_spec(lowered)
    if whole is not None:
        return ParsedPhrase(None, *whole, spec_text=cleaned.strip(_TRIM))
    # Prefer an explicit separator ("TITLE, PERIOD"), leftmost first so the period is the
    # longest one that parses; fall back to a plain word boundary ("FOIA 20 business days").
    for pattern in (_SEPARATOR, _SPACE):
        for match in pattern.finditer(lowered):
            parsed = _parse_spec(lowered[match.end() :])
            if parsed is not None:
                title = cleaned[: match.start()].strip(_TRIM) or None
                spec_text = cleaned[match.end() :].strip(_TRIM)
                return ParsedPhrase(title, *parsed, spec_text=spec_text)
    raise PhraseError(
        f"could not find a period or a due date in {cleaned[:80]!r}", example=_EXAMPLES
    )


def _parse_spec(text: str) -> tuple[Period | AbsoluteDue, PartialDate | None] | None:
    text = text.strip(" .!?")
    if not text:
        return None
    absolute = _parse_absolute(text)
    if absolute is not None:
        return absolute, None
    return _parse_period(text)


def _parse_period(text: str) -> tuple[Period, PartialDate | None] | None:
    pos = 0
    lead = _LEAD.match(text)
    if lead:
        pos = lead.end()
    terms: list[Term] = []
    while True:
        match = _TERM.match(text, pos)
        if match is None or (match["num"] is None and match["article"] is None):
            return None
        terms.append(_term(match))
        pos = match.end()
        join = _JOIN.match(text, pos)
        if join is None or join.end() == pos:
            break
        pos = join.end()
    if pos == len(text):
        return Period(tuple(terms)), None
    start = _FROM.match(text, pos)
    if start is None:
        return None
    found = match_date(text, start.end())
    if found is None or found[1] != len(text):
        return None
    return Period(tuple(terms)), found[0]


def _term(match: re.Match[str]) -> Term:
    num = match["num"]
    if num is None:
        amount = 1  # "a month", "an additional week"
    elif num.isdigit():
        amount = int(num)
    else:
        amount = _NUMBER_WORDS[num]
    kind = match["kind"]
    counting = None
    if kind == "calendar":
        counting = Counting.CALENDAR
    elif kind is not None:  # business, working, court days
        counting = Counting.BUSINESS
    return Term(amount, Unit(match["unit"].rstrip("s")), counting, match["label"] or "")


def _parse_absolute(text: str) -> AbsoluteDue | None:
    pos = 0
    lead = _ABS_LEAD.match(text)
    if lead:
        pos = lead.end()
    found = match_date(text, pos)
    if found is None:
        return None
    on, pos = found
    at = None
    if pos < len(text):
        time_match = _TIME.match(text, pos)
        if time_match is None or time_match.end() != len(text):
            return None
        at = _time(time_match)
    return AbsoluteDue(on, at)


def match_date(text: str, pos: int) -> tuple[PartialDate, int] | None:
    """The date written at `pos` of lower-cased `text`, and where it ends; None if none."""
    for form in _DATE_FORMS:
        match = form.match(text, pos)
        if match is None:
            continue
        groups = match.groupdict()
        month = _MONTHS[groups["mname"]] if groups.get("mname") else int(groups["m"])
        year = int(groups["y"]) if groups.get("y") else None
        return PartialDate(month, int(groups["d"]), year), match.end()
    return None


def _time(match: re.Match[str]) -> dt.time:
    if match["noon"]:
        return dt.time(12, 0)
    if match["h24"] is not None:
        hour, minute = int(match["h24"]), int(match["m24"])
    else:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if not 1 <= hour <= 12:
            raise PhraseError(f"{hour}{match['ampm']} is not a time", example="by Aug 15 5pm")
        hour = hour % 12 + (12 if match["ampm"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise PhraseError(f"{hour}:{minute:02d} is not a time", example="by 2025-08-15 17:00")
    return dt.time(hour, minute)
