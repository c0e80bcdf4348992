"""Read a whole phrase the way letters, reporters and news copy write deadlines.

Pure: no clock. The text is cut into tokens (numbers, number words, units, dates, weekdays,
times, words), then every deadline expression in it is found: a period ("thirty (30) days of
receipt", "10 days, plus a 14-day extension", "30 days before Aug. 15") or a due day ("by 5
p.m. ET on Sept. 5", "by Friday", "the end of the month"). The rule that keeps it honest:
every number, date, weekday and time in the text is part of the one deadline read, or clearly
not a deadline (a count in the title: "5 counties"), or the phrase is refused with the part
that was not understood. Two competing readings are never guessed (`AmbiguousPhrase`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from text_to_num import text2num

from .errors import AmbiguousPhrase, PhraseError

# -- tokens ------------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth"]  # fmt: skip
_ORDINALS = {
    **{name: n for n, name in enumerate(_ORDINAL_UNITS, 1)},
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
    **{f"twenty-{name}": 20 + n for n, name in enumerate(_ORDINAL_UNITS, 1)},
    "thirty-first": 31,
}  # fmt: skip
_ORDINAL_ALT = "|".join(sorted(_ORDINALS, key=len, reverse=True))
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
FULL_WEEKDAYS = {name for name in WEEKDAYS if len(name) >= 6}  # "monday" ... "wednesday"
ZONES = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern": "America/New_York", "ct": "America/Chicago", "cst": "America/Chicago",
    "cdt": "America/Chicago", "central": "America/Chicago", "mt": "America/Denver",
    "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "akst": "America/Anchorage",
    "akdt": "America/Anchorage", "alaska": "America/Anchorage", "hst": "Pacific/Honolulu",
    "hawaii": "Pacific/Honolulu", "utc": "UTC", "gmt": "UTC",
}  # fmt: skip
_NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand",
}  # fmt: skip
_RECURRING = {
    "weekly", "monthly", "quarterly", "annually", "yearly", "biweekly", "bimonthly",
    "semimonthly", "semiannually", "fortnightly",
}  # fmt: skip

_LEXER = re.compile(
    rf"""
    (?P<iso>\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:t(?=\d{{1,2}}:\d{{2}})|(?![\d-])))
  | (?P<slash>\d{{1,2}}/\d{{1,2}}(?:/(?:\d{{4}}|\d{{2}}))?)(?![\d/])
  | (?P<mdy>(?:{_MONTH_ALT})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?)
  | (?P<dmy>(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_ALT})\b\.?
        (?:,?\s+\d{{4}}\b)?)
  | (?P<dmyw>(?:the\s+)?(?:{_ORDINAL_ALT})\s+of\s+(?:{_MONTH_ALT})\b\.?(?:,?\s+\d{{4}}\b)?)
  | (?P<t12>\d{{1,2}}(?::\d{{2}})?(?:\s*(?:a\.?m\b\.?|p\.?m\b\.?)|[ap]\b(?!\.)))
  | (?P<tword>(?:12(?::00)?\s+)?noon|midday|midnight|e\.?o\.?b\b\.?|c\.?o\.?b\b\.?
        |close\s+of\s+business|e\.?o\.?d\b\.?
        |end\s+of\s+business
        |end[\s-]+of[\s-]+(?:the[\s-]+)?(?:business[\s-]+)?day)\b
  | (?P<t24>\d{{1,2}}:\d{{2}})(?![\d:])(?!-[a-z])
  | (?P<rel>the\s+day\s+after\s+tomorrow|today|tomorrow|tonight|tmrw|tmr|2moro|2morrow|tomoz
        |(?:the\s+)?next\s+(?:business|working)\s+day
        |end\s+of\s+(?:the\s+)?(?:week|month|year)|eow|eom|eoy)\b
  | (?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|weds|wed|thurs
        |thur|thu|fri|sat|sun)\b(?P<wddot>\.)?
  | (?P<dom>(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th))\b
  | (?P<num>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)
  | (?P<unit>(?:(?:calendar|business|biz|working|court)[\s-]+)?
        (?:days?|wks?|weeks?|fortnights?|months?|mos|years?|yrs?|hours?|hrs?))\b
  | (?P<word>[^\W\d_]+(?:['-][^\W\d_]+)*)
  | (?P<punct>[^\s\w])
    """,
    re.VERBOSE,
)


@dataclass(slots=True)
class Tok:
    kind: str  # date, time, rel, weekday, dom, num, unit, word, punct
    text: str  # as lowered
    start: int
    end: int
    value: Any = None
    capital: bool = False  # written with a capital letter (set by the caller, which has the case)


def tokens(lowered: str) -> list[Tok]:
    """The tokens of lower-cased, normalized text (see `normalize`)."""
    found: list[Tok] = []
    for match in _LEXER.finditer(lowered):
        kind = match.lastgroup or "punct"
        if kind == "wddot":
            kind = "wd"
        text = match.group(0)
        tok = Tok(kind, text, match.start(), match.end())
        if kind in ("iso", "slash", "mdy", "dmy", "dmyw"):
            tok.kind, tok.value = "date", _date_value(kind, text)
        elif kind in ("t12", "t24", "tword"):
            tok.kind, tok.value = "time", _time_value(kind, text)
        elif kind == "wd":
            tok.kind, tok.value = "weekday", WEEKDAYS[text.rstrip(".")]
        elif kind == "dom":
            tok.value = int(re.sub(r"\D", "", text))
        elif kind == "num":
            tok.value = int(text.replace(",", ""))
        elif kind == "unit":
            tok.value = _unit_value(text)
        elif kind == "rel":
            tok.value = re.sub(r"\s+", " ", text)
        found.append(tok)
    return _merge_figures(_merge_number_words(found))


def _date_value(kind: str, text: str) -> tuple[int, int, int | None]:
    if kind == "iso":
        y, m, d = (int(part) for part in re.findall(r"\d+", text))
        return m, d, y
    if kind == "slash":
        parts = [int(part) for part in text.split("/")]
        year = parts[2] if len(parts) == 3 else None
        if year is not None and year < 100:
            year += 2000
        return parts[0], parts[1], year
    words = re.findall(r"[a-z]+(?:-[a-z]+)?|\d+", text)
    month = next(_MONTHS[w] for w in words if w in _MONTHS)
    numbers = [int(w) for w in words if w.isdigit()]
    if kind == "dmyw":  # "the first of August"
        numbers.insert(0, next(_ORDINALS[w] for w in words if w in _ORDINALS))
    day = numbers[0]
    year = numbers[1] if len(numbers) > 1 else None
    return month, day, year


def _time_value(kind: str, text: str) -> dt.time | str:
    squeezed = text.replace(" ", "").replace(".", "")
    if kind == "tword":
        if squeezed in ("noon", "midday", "12noon", "12:00noon"):
            return dt.time(12, 0)
        if squeezed == "midnight":
            return dt.time(23, 59, 59)
        return "close of business"
    digits = re.match(r"(\d{1,2})(?::(\d{2}))?", squeezed)
    assert digits is not None
    hour, minute = int(digits[1]), int(digits[2] or 0)
    if kind == "t12":
        if not 1 <= hour <= 12 or minute > 59:
            raise PhraseError(f"{text.strip()!r} is not a time", example="by Aug 15 5pm")
        hour = hour % 12 + (12 if "p" in squeezed else 0)
    if hour > 23 or minute > 59:
        raise PhraseError(f"{text.strip()!r} is not a time", example="by 2025-08-15 17:00")
    return dt.time(hour, minute)


def _unit_value(text: str) -> tuple[str, str | None]:
    """(unit, counting): ('day', 'business'), ('week', None), ('fortnight', None)..."""
    words = re.split(r"[\s-]+", text)
    counting = None
    if len(words) > 1:
        counting = "calendar" if words[0] == "calendar" else "business"
    base = words[-1]
    for unit, forms in (
        ("day", ("day", "days")),
        ("week", ("wk", "wks", "week", "weeks")),
        ("fortnight", ("fortnight", "fortnights")),
        ("month", ("month", "months", "mos")),
        ("year", ("year", "years", "yr", "yrs")),
        ("hour", ("hour", "hours", "hr", "hrs")),
    ):
        if base in forms:
            return unit, counting
    raise AssertionError(text)  # the lexer only matches the forms above


def _merge_number_words(found: list[Tok]) -> list[Tok]:
    """Runs of number words ("one hundred twenty", "thirty-one", "forty five") become one
    number, read by text2num; a run it cannot read is refused, never half-read."""
    merged: list[Tok] = []
    i = 0
    while i < len(found):
        tok = found[i]
        if tok.kind != "word" or not _is_number_word(tok.text):
            merged.append(tok)
            i += 1
            continue
        j = i + 1
        while j < len(found) and found[j].kind == "word":
            word = found[j].text
            if _is_number_word(word) or (
                word == "and"
                and j + 1 < len(found)
                and _is_number_word(found[j + 1].text)
                and found[j - 1].text in ("hundred", "thousand")
            ):
                j += 1
            else:
                break
        run = found[i:j]
        words = " ".join(t.text for t in run)
        try:
            value = text2num(words, "en")
        except ValueError:
            raise PhraseError(
                f"could not read the number {words!r}", example="thirty-one (31) days"
            ) from None
        merged.append(Tok("num", words, run[0].start, run[-1].end, value))
        i = j
    return merged


def _is_number_word(word: str) -> bool:
    return all(part in _NUMBER_WORDS for part in word.split("-"))


def _merge_figures(found: list[Tok]) -> list[Tok]:
    """`thirty (30)`: the words and the figure in brackets are one number, if they agree."""
    merged: list[Tok] = []
    i = 0
    while i < len(found):
        tok = found[i]
        if (
            tok.kind == "num"
            and i + 3 < len(found)
            and found[i + 1].text == "("
            and found[i + 2].kind == "num"
            and found[i + 3].text == ")"
        ):
            figure = found[i + 2]
            if figure.value != tok.value:
                raise PhraseError(
                    f"{tok.text!r} and ({figure.text}) are different numbers; which is meant?",
                    example="thirty (30) days",
                )
            merged.append(Tok("num", tok.text, tok.start, found[i + 3].end, tok.value))
            i += 4
            continue
        merged.append(tok)
        i += 1
    return merged


# -- what an expression says -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermRead:
    amount: int
    unit: str  # day, week, month, year, hour
    counting: str | None
    label: str = ""
    ordinal: bool = False  # "the 10th business day": the 10th business day after day 0
    more: bool = False  # "10 more days", "an additional month": more than some other period


@dataclass(frozen=True, slots=True)
class DayRead:
    """A day as written: a date (month, day, year?) or one relative to day 0."""

    date: tuple[int, int, int | None] | None = None
    relative: str | None = None  # today, tomorrow, day after tomorrow, end of week/month/year
    weekday: int | None = None
    next_week: bool = False
    day_of_month: int | None = None
    text: str = ""
    past: bool = False  # an event's weekday ("filed Monday"): the last one on or before day 0


@dataclass(slots=True)
class Expression:
    kind: str  # period, due, event
    first: int  # token indexes, inclusive / exclusive
    last: int
    terms: list[TermRead] = field(default_factory=list)
    allowed: list[TermRead] = field(default_factory=list)
    anchor: DayRead | None = None  # period: counted from (or back from) this day
    day0_words: str = ""  # "of receipt", "from the date of this letter"
    backward: bool = False
    day: DayRead | None = None  # due: the day
    at: dt.time | str | None = None
    tz: str | None = None
    lead: str = ""
    negated: bool = False
    purpose: bool = False  # "20 business days to respond, but can extend ...": a sentence
    clause: bool = False  # day 0 is an event ("after the judgment is entered", "the Aug. 15
    # hearing"): words after it may go on describing the event, so they are not guessed at


_PERIOD_LEADS = (("within",), ("in",), ("no", "later", "than"), ("not", "later", "than"))
_DUE_LEADS = (
    ("no", "later", "than"), ("not", "later", "than"), ("on", "or", "before"),
    ("due", "by"), ("due", "on"), ("due",), ("by",), ("on",), ("until",), ("till",),
    ("through",), ("before",),
)  # fmt: skip
_FROM_WORDS = {"from", "after", "of", "since", "following", "upon", "starting", "beginning"}
_DAY0_NOUNS = {"receipt", "service", "letter", "request", "notice", "filing", "hereof", "mailing",
               "entry", "subpoena", "email", "e-mail", "message", "receiving"}  # fmt: skip
# What "entry of ...", "service of ...", "receipt of ..." may name.
_DAY0_OBJECTS = _DAY0_NOUNS | {"judgment", "order", "complaint", "summons", "appeal"}
# Day 0 as a clause (`after the judgment is entered`, `after the agency receives the appeal`).
_CLAUSE_DETERMINERS = {
    "the",
    "a",
    "an",
    "this",
    "that",
    "your",
    "our",
    "its",
    "their",
    "his",
    "her",
}
_CLAUSE_OBJECTS = _DAY0_OBJECTS | {"decision", "petition", "motion", "answer", "records",
                                   "response", "determination", "denial"}  # fmt: skip
_PARTICIPLES = {"entered", "filed", "served", "received", "issued", "mailed", "signed",
                "delivered", "submitted", "sent", "docketed", "made", "granted",
                "denied"}  # fmt: skip
_CLAUSE_SUBJECTS = {"agency", "court", "clerk", "office", "department", "requester", "board",
                    "county", "city", "state", "district", "plaintiff", "defendant",
                    "commission", "party", "you", "we", "they", "it"}  # fmt: skip
_CLAUSE_VERBS = {"receives", "receive", "files", "file", "serves", "serve", "issues", "issue",
                 "mails", "mail", "sends", "send", "gets", "get", "enters", "enter",
                 "signs", "sign", "delivers", "deliver", "makes", "make"}  # fmt: skip
_EVENT_VERBS = {
    "sent", "dated", "received", "mailed", "filed", "issued", "served", "delivered",
    "submitted", "signed", "made",
}  # fmt: skip
_LABELS = {"extension", "deadline", "window", "period", "notice"}
# A date before one of these names an event a deadline may count from: never just a title.
_EVENT_NOUNS = {
    "hearing",
    "meeting",
    "vote",
    "election",
    "denial",
    "determination",
    "conference",
    "session",
    "trial",
    "deposition",
    "inspection",
    "interview",
    "arraignment",
    "sentencing",
    "deadline",
    "appeal",
    "response",
}
# Where the name of a dated thing ends ("the Aug. 1 hearing | to ...").
_CONNECTIVE_STOPS = {
    "to",
    "and",
    "or",
    "but",
    "by",
    "at",
    "for",
    "on",
    "in",
    "with",
    "from",
    "under",
    "if",
    "unless",
    "so",
    "then",
    "which",
    "that",
    "is",
    "was",
}
_ARTICLES = {"a", "an", "another", "one"}
_TOMORROW_SHORT = dict.fromkeys(("tmrw", "tmr", "2moro", "2morrow", "tomoz"), "tomorrow")
_MORE = {"additional", "extra", "further", "more"}


class _Reader:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks

    def word(self, i: int) -> str | None:
        return self.toks[i].text if i < len(self.toks) and self.toks[i].kind == "word" else None

    def text(self, i: int) -> str | None:
        return self.toks[i].text if i < len(self.toks) else None

    def words(self, i: int, seq: tuple[str, ...]) -> int | None:
        """Index after the words `seq` at `i`, or None."""
        for offset, wanted in enumerate(seq):
            if self.text(i + offset) != wanted:
                return None
        return i + len(seq)

    def kind(self, i: int) -> str | None:
        return self.toks[i].kind if i < len(self.toks) else None

    # -- periods -----------------------------------------------------------------------------

    def ordinal_term(self, i: int) -> tuple[TermRead, int] | None:
        """`the 10th business day`, `the second court day`, `the 21st day after service`: the
        Nth (business) day after day 0, the same day as N (business) days. Never a date."""
        tok = self.toks[i] if i < len(self.toks) else None
        if tok is None or self.kind(i + 1) != "unit":
            return None
        if tok.kind == "dom":
            amount = int(tok.value)
        elif tok.kind == "word" and tok.text in _ORDINALS:
            amount = _ORDINALS[tok.text]
        else:
            return None
        unit, counting = self.toks[i + 1].value
        if unit != "day" or self.toks[i + 1].text.endswith("s"):
            return None  # "the 2nd week", "the 3rd days": left unread, so refused
        said = " ".join(t.text for t in self.toks[i : i + 3])
        if self.word(i + 2) in ("of", "in"):
            raise PhraseError(f"{said!r}: the Nth day of a month or a year is not read yet; "
                              "give the date", example="by Aug. 7")  # fmt: skip
        return TermRead(amount, unit, counting, ordinal=True), i + 2

    def term(self, i: int, *, ordinal: bool = False) -> tuple[TermRead, int] | None:
        j = i
        amount: int | None = None
        if ordinal and (self.kind(j) == "dom" or self.word(j) in _ORDINALS):
            return self.ordinal_term(j)
        if self.kind(j) == "num":
            amount = int(self.toks[j].value)
            j += 1
            if self.text(j) == "-":
                j += 1
        elif self.word(j) in _ARTICLES:
            if self.kind(j + 1) == "num":  # "a 14-day extension"
                return self.term(j + 1)
            amount = 1
            j += 1
        if amount is None:
            return None
        more = self.word(j) in _MORE or self.word(i - 1) in _MORE  # "10 more days"
        if self.word(j) in _MORE:
            j += 1
        if self.kind(j) != "unit":
            return None
        if _is_age(self.toks, j) or _is_compound(self.toks, j):
            return None  # "52-year-old", "a 30-year mortgage"
        unit, counting = self.toks[j].value
        j += 1
        label = ""
        if self.word(j) in _LABELS:
            label = self.toks[j].text
            j += 1
        if unit == "fortnight":
            return TermRead(amount * 2, "week", None, label, more=more), j
        return TermRead(amount, unit, counting, label, more=more), j

    def period(self, i: int) -> Expression | None:
        j = i
        lead = ""
        for seq in _PERIOD_LEADS:
            after = self.words(j, seq)
            if after is not None:
                j, lead = after, " ".join(seq)
                break
        first = self.term(j, ordinal=True)
        if first is None:
            return None
        expr = Expression("period", i, first[1], terms=[first[0]], lead=lead)
        j = first[1]
        while True:
            k = j + 1 if self.text(j) == "," else j
            if self.words(k, ("extended", "by")):
                nxt = self.term(k + 2)
                if nxt is not None:
                    expr.terms.append(TermRead(nxt[0].amount, nxt[0].unit, nxt[0].counting,
                                               "extension"))  # fmt: skip
                    j = nxt[1]
                    continue
            if self.text(k) in ("plus", "and", "+", "&", "with"):
                nxt = self.term(k + 1)
                if nxt is not None:
                    expr.terms.append(nxt[0])
                    j = nxt[1]
                    continue
            break
        j = self.allowed_extension(j, expr)
        j = self.anchor(j, expr)
        if not expr.allowed:  # "120 days of receipt, extendable by 15 days"
            j = self.allowed_extension(j, expr)
        if not expr.allowed and self.word(j) == "to" and self.kind(j + 1) == "word":
            # "20 business days to respond, but can extend by 10 business days"
            for purpose_end in (j + 2, j + 3):
                k = self.allowed_extension(purpose_end, expr)
                if expr.allowed:
                    j, expr.purpose = k, True
                    break
        if not expr.clause:  # "before the Aug. 15 hearing at 10 a.m.": the hearing's time
            j = self.time(j, expr)
        expr.last = j
        ordinal = expr.terms[0]
        if (
            ordinal.ordinal
            and ordinal.counting is None
            and expr.anchor is None
            and not expr.day0_words
        ):
            said = " ".join(t.text for t in self.toks[i:j])
            raise PhraseError(
                f"{said!r}: the Nth day after what? Name the day counted from, or count "
                "business days",
                example="the 21st day after service",
            )
        return expr

    def allowed_extension(self, j: int, expr: Expression) -> int:
        k = j + 1 if self.text(j) in (",", ";") else j
        if self.word(k) == "and" and self.word(k + 1) in ("may", "can", "which", "extendable"):
            k += 1
        for seq in (
            ("extendable", "by"), ("extendable",), ("which", "may", "be", "extended", "by"),
            ("which", "can", "be", "extended", "by"), ("may", "be", "extended", "by"),
            ("can", "be", "extended", "by"), ("may", "be", "extended", "for"),
            ("with", "a", "possible", "extension", "of"), ("with", "a", "possible"),
            ("with", "an", "optional", "extension", "of"), ("with", "an", "optional"),
            ("but", "can", "extend", "by"), ("but", "may", "extend", "by"),
            ("can", "extend", "by"), ("may", "extend", "by"),
            ("and", "can", "extend", "by"), ("and", "may", "extend", "by"),
        ):  # fmt: skip
            after = self.words(k, seq)
            if after is None:
                continue
            after = self.words(after, ("up", "to")) or after
            extension = self.term(after)
            if extension is not None:
                expr.allowed.append(extension[0])
                return extension[1]
        return j

    def anchor(self, j: int, expr: Expression) -> int:
        k = j + 1 if self.text(j) == "," else j
        word = self.word(k)
        if word in ("before",) or self.words(k, ("prior", "to")):
            after = k + 1 if word == "before" else k + 2
            day = self.day(after)
            if day is None:
                day = self.dated_event(after)  # "before the Aug. 15 hearing"
                expr.clause = day is not None
            if day is not None:
                expr.anchor, expr.backward = day[0], True
                return day[1]
            return j
        if word not in _FROM_WORDS:
            return j
        after = k + 1
        if word in ("starting", "beginning") and self.word(after) in ("on", "from"):
            after += 1
        day = self.day(after)
        if day is not None and day[0].date is None and day[0].relative == "today":
            expr.day0_words = " ".join(t.text for t in self.toks[k : day[1]])
            return day[1]
        if day is not None:
            expr.anchor = day[0]
            return day[1]
        if self.words(after, ("being", "served")):  # FRCP: "within 21 days after being served"
            expr.day0_words = " ".join(t.text for t in self.toks[k : after + 2])
            return after + 2
        dated = self.dated_event(after)
        if dated is not None:  # "of the Aug. 20 denial", "after the agency's Sept. 2 decision"
            expr.anchor, expr.clause = dated[0], True
            return dated[1]
        if self.word(after) == "now":  # "3 days from now": from day 0, today
            expr.day0_words = " ".join(t.text for t in self.toks[k : after + 1])
            return after + 1
        end = self.event_clause(after)
        if end is not None:
            expr.day0_words = " ".join(t.text for t in self.toks[k:end])
            expr.clause = True
            return end
        end = self.day0(after)
        if end is not None:
            words = [t.text for t in self.toks[k:end]]
            bracket = self.text(end) == "(" and self.kind(end + 1) == "date"
            if bracket and self.text(end + 2) == ")" and "date" in words:
                # "from the date of this letter (July 17, 2025)": counted from that date (not
                # "after you receive this letter (July 17)": that is the letter's date)
                tok = self.toks[end + 1]
                expr.anchor = DayRead(date=tok.value, text=tok.text)
                return end + 3
            expr.day0_words = " ".join(words)
            return end
        return j

    def event_clause(self, i: int) -> int | None:
        """Day 0 as a clause: `the judgment is entered`, `the complaint is filed`, `the agency
        receives the appeal`, `you receive this letter`: where it ends, or None."""
        j = i + 1 if self.word(i) in _CLAUSE_DETERMINERS else i
        noun = self.word(j)
        if noun in _CLAUSE_OBJECTS:  # "the judgment [is|was|has been] entered"
            k = j + 1
            for seq in (("has", "been"), ("have", "been"), ("is",), ("was",), ("are",)):
                k = self.words(k, seq) or k
            if self.word(k) in _PARTICIPLES:
                return k + 1
        if noun in _CLAUSE_SUBJECTS and self.word(j + 1) in _CLAUSE_VERBS:
            k = j + 2
            if self.word(k) in _CLAUSE_DETERMINERS:
                k += 1
            if self.word(k) in _CLAUSE_OBJECTS:  # "the agency receives the appeal"
                return k + 1
        return None

    def dated_event(self, i: int) -> tuple[DayRead, int] | None:
        """`the Aug. 20 denial`, `the agency's Sept. 2 adverse determination`: the date of
        the thing counted from, and where its name ends."""
        j = i
        for _ in range(3):
            word = self.word(j)
            if word in ("the", "a", "an", "this", "that", "its", "his", "her", "their", "our",
                        "your") or (word is not None and word.endswith("'s")):  # fmt: skip
                j += 1
            else:
                break
        if self.kind(j) != "date":
            return None
        tok = self.toks[j]
        end = j + 1
        while (
            end < len(self.toks)
            and end < j + 4
            and self.kind(end) == "word"
            and (self.word(end) not in _CONNECTIVE_STOPS)
        ):
            end += 1
        return DayRead(date=tok.value, text=tok.text), end

    def day0(self, i: int) -> int | None:
        """`receipt`, `the date of this letter`, `service`, `receipt of the request`."""
        j = i
        if self.word(j) in ("the", "your", "our", "its", "this"):
            j += 1
        if self.words(j, ("date", "hereof")):
            return j + 2
        if self.words(j, ("date", "of")):
            j += 2
            if self.word(j) in ("the", "this", "your", "our", "its"):
                j += 1
        if self.word(j) not in _DAY0_NOUNS:
            return None
        j += 1
        if self.word(j - 1) == "receiving":  # "of receiving [this email]"
            if self.word(j) in ("this", "the", "your", "it", "our"):
                j += 1 if self.word(j) == "it" else (2 if self.kind(j + 1) == "word" else 1)
            return j
        if (
            self.word(j) == "of"
            and self.word(j + 1) in ("the", "this", "your", "our")
            and self.word(j + 2) in _DAY0_OBJECTS
        ):
            j += 3
        elif self.word(j) == "of" and self.word(j + 1) in _DAY0_OBJECTS:  # "entry of judgment"
            j += 2
        return j

    # -- days and times ----------------------------------------------------------------------

    def day(self, i: int) -> tuple[DayRead, int] | None:
        tok = self.toks[i] if i < len(self.toks) else None
        if tok is None:
            return None
        if tok.kind == "date":
            if (
                self.text(i + 1) == "("
                and self.kind(i + 2) == "weekday"
                and self.text(i + 3) == ")"
            ):
                # "Aug. 15, 2025 (Friday)": the weekday is checked against the date
                text = " ".join(t.text for t in self.toks[i : i + 4])
                return DayRead(
                    date=tok.value, weekday=int(self.toks[i + 2].value), text=text
                ), i + 4
            return DayRead(date=tok.value, text=tok.text), i + 1
        if tok.kind == "rel":
            if "next" in tok.text:
                return DayRead(relative="next business day", text=tok.text), i + 1
            name = {"eow": "end of the week", "eom": "end of the month", "eoy": "end of the year",
                    "tonight": "today", **_TOMORROW_SHORT}.get(
                tok.text, str(tok.value).replace("end of week", "end of the week")
                .replace("end of month", "end of the month")
                .replace("end of year", "end of the year"))  # fmt: skip
            return DayRead(relative=name, text=tok.text), i + 1
        if tok.kind == "dom" and not (
            (self.kind(i + 1) == "word" and self.word(i + 1) != "at") or self.kind(i + 1) == "unit"
        ):  # not "the 2nd business day": see `ordinal_term`
            return DayRead(day_of_month=int(tok.value), text=tok.text), i + 1
        modifier = self.word(i)
        j = i + 1 if modifier in ("this", "next", "coming", "the") else i
        if self.word(j) == "coming":
            j += 1
        if (
            self.kind(j) == "weekday"
            and modifier not in ("this", "next", "coming")
            and (_names_with(self.toks, j))
        ):
            return None  # "Sunday Times profile", "Monday's council vote": part of a title
        if self.kind(j) == "weekday":
            wd = self.toks[j]
            k = j + 2 if self.text(j + 1) == "," else j + 1
            if self.kind(k) == "dom":  # "Tuesday the 22nd": checked against the day
                dom = self.toks[k]
                text = " ".join(t.text for t in self.toks[i : k + 1])
                day = DayRead(day_of_month=int(dom.value), weekday=int(wd.value), text=text)
                return day, k + 1
            if self.kind(k) == "date":  # "Friday, Aug. 15": the date, checked against the day
                date = self.toks[k]
                text = " ".join(t.text for t in self.toks[i : k + 1])
                return DayRead(date=date.value, weekday=int(wd.value), text=text), k + 1
            text = " ".join(t.text for t in self.toks[i : j + 1])
            day = DayRead(weekday=int(wd.value), next_week=modifier == "next", text=text)
            return day, j + 1
        return None

    def time(self, j: int, expr: Expression) -> int:
        """`, by 5 p.m. ET`, `at noon`, `5pm` after a day or period: sets expr.at/tz."""
        k = j + 1 if self.text(j) == "," else j
        if self.word(k) in ("by", "at", "before") or self.text(k) == "@":  # "8/15 @ noon"
            k += 1
        if self.kind(k) != "time":
            return j
        expr.at = self.toks[k].value
        return self.zone(k + 1, expr)

    def zone(self, j: int, expr: Expression) -> int:
        if self.word(j) == "sharp":  # "5 p.m. sharp": the same time
            j += 1
        if self.text(j) == "(" and self.word(j + 1) in ZONES:  # "8:00 p.m. (ET)"
            end = self.zone(j + 1, expr)
            return end + 1 if self.text(end) == ")" else end
        word = self.word(j)
        if word == "local" and self.word(j + 1) == "time":  # the server's own zone
            return j + 2
        if word in ZONES:
            expr.tz = ZONES[word]
            j += 1
            if self.word(j) in ("daylight", "standard"):
                j += 1
            if self.word(j) == "time":
                j += 1
        return j

    def zone_after(self, j: int, expr: Expression) -> int:
        """A zone written after the day: `Friday ET`, `Friday, Central time`, `Friday (ET)`."""
        k = j + 1 if self.text(j) == "," else j
        if self.text(k) == "(" and self.word(k + 1) in ZONES:
            end = self.zone(k + 1, expr)
            return end + 1 if self.text(end) == ")" else end
        if self.word(k) in ZONES or self.word(k) == "local":
            return self.zone(k, expr)
        return j

    def due(self, i: int) -> Expression | None:
        j = i
        lead = ""
        for seq in _DUE_LEADS:
            after = self.words(j, seq)
            if after is not None:
                j, lead = after, " ".join(seq)
                break
        expr = Expression("due", i, j, lead=lead)
        if self.kind(j) == "time":  # "by 5 p.m. [ET] [on] Friday"
            expr.at = self.toks[j].value
            j = self.zone(j + 1, expr)
            if expr.tz is None and self.text(j) == "," and self.word(j + 1) in ZONES:
                j = self.zone(j + 1, expr)  # "by close of business, Eastern time, on Aug. 1"
            k = j + 1 if self.text(j) == "," else j
            k = k + 1 if self.word(k) == "on" else k
            day = self.day(k)
            if day is None:
                if not lead and i == 0 and j < len(self.toks):
                    return None
                expr.day, expr.last = DayRead(relative="today", text=""), j
                return expr if lead or expr.at == "close of business" or j >= len(self.toks) \
                    else None  # fmt: skip
            expr.day, j = day
            j = self.zone_after(j, expr)  # "by 5 p.m. Friday ET", "... Friday (Central time)"
        else:
            day = self.day(j)
            if day is None:
                return None
            if not lead and day[0].date is not None and _names_a_thing(self, day[1]):
                return None  # "July 4 fireworks story", "Jan. 6 committee": part of a title
            if (
                not lead
                and day[0].date is not None
                and i > 0
                and (self.word(i - 1) or "").endswith("ed")
            ):
                return None  # "the comment period ended Aug. 1": the past, not a due date
            expr.day, j = day
            j = self.time(j, expr)
            if expr.at is None:  # "Friday ET": the end of Friday in that zone
                j = self.zone_after(j, expr)
        if lead == "before":
            return None  # "before Aug 15": the 14th or the 15th? (asked, not guessed)
        expr.last = j
        return expr

    def event(self, i: int) -> Expression | None:
        """`sent 2025-07-17`, `dated July 17`, `received on Monday`, `the July 10 letter`:
        day 0, not a deadline."""
        if self.kind(i) == "date" and self.word(i + 1) in _DOCUMENT_NOUNS:
            tok = self.toks[i]
            return Expression("event", i, i + 1, anchor=DayRead(date=tok.value, text=tok.text))
        if self.word(i) not in _EVENT_VERBS:
            return None
        j = i + 1
        if self.word(j) in ("on", "this"):
            j += 1
        day = self.day(j)
        if day is None or day[0].day_of_month is not None:
            return None
        anchor = day[0]
        if anchor.weekday is not None and anchor.date is None and self.text(i - 1) != "be":
            # "The ruling, issued Tuesday, ...": a weekday it happened on is in the past (not
            # "will be filed Monday"), so "next Tuesday" cannot be meant.
            if anchor.next_week:
                return None
            anchor = DayRead(weekday=anchor.weekday, text=anchor.text, past=True)
        return Expression("event", i, day[1], anchor=anchor)


# Words after a date that still leave it a due date ("Aug 15 at 5pm", "Aug 15, 2025").
_AFTER_A_DUE_DATE = {
    "at",
    "by",
    "before",
    "or",
    "and",
    "to",
    "for",
    "the",
    "is",
    "deadline",
    "due",
    "from",
    "noon",
    "midnight",
    "eod",
    "cob",
    "et",
    "pt",
    "ct",
    "mt",
    "until",
    "till",
    "through",
    "thru",
    "then",
    "if",
    "unless",
    "when",
}
# A date right before one of these is when the document was made: day 0 ("July 10 letter").
_DOCUMENT_NOUNS = {
    "letter",
    "request",
    "notice",
    "order",
    "subpoena",
    "filing",
    "email",
    "memo",
    "ruling",
    "judgment",
    "decision",
    "complaint",
    "demand",
    "motion",
    "petition",
    "summons",
    "citation",
    "application",
}


def _names_a_thing(reader: _Reader, i: int) -> bool:
    """A word right after a date that makes it part of a name: "July 4 fireworks"."""
    word = reader.word(i)
    return word is not None and word not in _AFTER_A_DUE_DATE and word not in ZONES


def find_expressions(toks: list[Tok]) -> list[Expression]:
    """Every expression, leftmost-longest, none overlapping."""
    reader = _Reader(toks)
    found: list[Expression] = []
    i = 0
    while i < len(toks):
        candidates = [
            expr
            for expr in (reader.event(i), reader.period(i), reader.due(i))
            if expr is not None and expr.last > i
        ]
        if not candidates:
            i += 1
            continue
        best = max(candidates, key=lambda e: (e.last, e.kind != "due"))
        found.append(best)
        i = best.last
    for expr in found:
        before = [t.text for t in toks[max(0, expr.first - 3) : expr.first] if t.text != ","]
        if before[-1:] == ["not"] or before[-2:] in (["instead", "of"], ["rather", "than"]):
            expr.negated = True
    return found


def is_significant(toks: list[Tok], i: int) -> bool:
    """Would this token, left out of every expression, mean the deadline was misread?"""
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    prev = toks[i - 1] if i > 0 else None
    if tok.kind == "date":
        if nxt is not None and nxt.text in _EVENT_NOUNS:
            return True  # "Aug. 1 hearing: respond within 48 hours": from the hearing, or now?
        if any(t.text in ("from", "since", "starting", "beginning", "after", "of", "following",
                          "before") for t in toks[max(0, i - 4) : i]):  # fmt: skip
            return True
        return not (nxt is not None and nxt.kind == "word" and nxt.text not in
                    _AFTER_A_DUE_DATE and nxt.text not in ZONES)  # fmt: skip
    if tok.kind in ("time", "rel"):
        return True
    if tok.kind == "weekday":
        if _names_with(toks, i) and (prev is None or prev.text not in ("this", "next")):
            return False
        if tok.text.rstrip(".") in FULL_WEEKDAYS or tok.text.endswith("."):
            return True
        return prev is not None and prev.text in ("by", "on", "until", "due", "this", "next")
    if tok.kind == "dom":
        return nxt is None or nxt.kind != "word"
    if tok.kind == "num":
        if nxt is not None and nxt.kind == "unit" and _is_age(toks, i + 1):
            return False
        if nxt is not None and nxt.text == "-" and _unit_after(toks, i + 2):
            return not (_is_age(toks, i + 2) or _is_compound(toks, i + 2))
        return nxt is not None and nxt.kind == "unit"
    if tok.kind == "unit":
        return prev is not None and prev.kind == "num" and not _is_age(toks, i)
    return False


def _names_with(toks: list[Tok], i: int) -> bool:
    """A weekday that is part of a name or a possessive: "Sunday Times", "Saturday A1",
    "Monday's council vote" (the word after it is capitalised, or it is "'s")."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    after = toks[i + 2] if i + 2 < len(toks) else None
    if nxt is None:
        return False
    if nxt.text == "'" and after is not None and after.text == "s" and nxt.start == toks[i].end:
        return True
    return (
        nxt.capital
        and nxt.kind in ("word", "num")
        and nxt.start > toks[i].end
        and (nxt.text not in ZONES)
    )


def _is_age(toks: list[Tok], unit_at: int) -> bool:
    """`52-year-old`, `30 years old`, `a 10-day-old baby`."""
    after = [t.text for t in toks[unit_at + 1 : unit_at + 3]]
    return after[:1] == ["old"] or after == ["-", "old"]


def _is_compound(toks: list[Tok], unit_at: int) -> bool:
    """`30-year mortgage`, `24-hour diner`: a hyphenated number and unit before a noun."""
    if unit_at < 2 or toks[unit_at - 1].text != "-" or toks[unit_at - 2].kind != "num":
        return False
    nxt = toks[unit_at + 1] if unit_at + 1 < len(toks) else None
    return (
        nxt is not None and nxt.kind == "word" and nxt.text not in _LABELS
        and nxt.text not in _CONNECTIVE_STOPS and nxt.text not in ("of", "from", "after")
    )  # fmt: skip


def _unit_after(toks: list[Tok], i: int) -> bool:
    return i < len(toks) and toks[i].kind == "unit"


def recurring_words(toks: list[Tok], cased: str) -> str | None:
    """The words that make the phrase repeat ("every 2 weeks", "monthly"), if any."""
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (
            tok.kind == "word"
            and tok.text in ("every", "each")
            and nxt is not None
            and (nxt.kind in ("num", "unit", "weekday", "dom") or nxt.text in ("other", "business"))
        ):
            end = toks[i + 2].end if nxt.kind == "num" and i + 2 < len(toks) else nxt.end
            return cased[tok.start : end]
        if (
            tok.kind == "word"
            and tok.text in (*_RECURRING, "daily")
            and not is_name_word(cased, tok.start)
        ):
            return cased[tok.start : tok.end]
    return None


_PERIODICALS = frozenset({"weekly", "monthly", "quarterly", "annually", "yearly"})
_WORD_BEFORE = re.compile(r"(?:^|\s)(\S+)\s+$")


def is_name_word(cased: str, at: int) -> bool:
    """Is the repeat word at `at` in `cased` part of a name? A capital "Daily" anywhere ("Daily
    News pitch"); a capital Weekly, Monthly, Quarterly, Annually or Yearly right after a
    capitalised word or an article ("LA Weekly", "Texas Monthly", "the Monthly"); a capital
    "Every" or "Each" right after a word in lower case ("a piece for Every Month")."""
    word = re.match(r"[A-Za-z]+", cased[at:])
    if word is None or not cased[at].isupper():
        return False
    text = word.group(0).lower()
    if text == "daily":
        return True
    before = _WORD_BEFORE.search(cased[:at])
    if before is None or not before.group(1)[-1].isalpha():
        return False  # the phrase's first word, or after a comma: "Jail report, Monthly"
    previous = before.group(1)
    if text in _PERIODICALS:  # "the Monthly": a name too
        return previous[0].isupper() or previous in ("the", "a", "an")
    return text in ("every", "each") and previous.islower()


__all__ = [
    "ZONES",
    "AmbiguousPhrase",
    "DayRead",
    "Expression",
    "TermRead",
    "Tok",
    "find_expressions",
    "is_name_word",
    "is_significant",
    "recurring_words",
    "tokens",
]
