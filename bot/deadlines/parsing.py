"""Parse a phrase as a journalist types it: "Bondi letter, 30 days from July 17 2025".

Pure: no clock. A phrase is read whole (see `reading`): an optional title, and one deadline:
a period ("20 business days", "thirty (30) days of receipt", "10 days + 14-day extension",
"30 days before Aug. 15") or a due day ("by Aug 15 5pm", "by noon Friday", "end of the month").
Dates without a year, weekdays and "tomorrow" stay relative here; counting resolves them
against day 0.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from . import guards
from .errors import AmbiguousPhrase, PhraseError, RepeatPhraseError
from .reading import (
    DayRead,
    Expression,
    TermRead,
    find_expressions,
    is_significant,
    recurring_words,
    tokens,
)

MAX_PHRASE_LENGTH = 500
DEFAULT_CLOSE_OF_BUSINESS = dt.time(17, 0)

_EXAMPLES = "Bondi letter, 30 days / FOIA, 20 business days / Reply - by Aug 15 5pm"


class Unit(StrEnum):
    HOUR = "hour"
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
    weekday: int | None = None  # "Friday, Aug. 15": the weekday written with it (Monday 0)


@dataclass(frozen=True, slots=True)
class RelativeDay:
    """A day named relative to day 0: `today`, `tomorrow`, `the day after tomorrow`, a
    weekday (`Friday`, `next Tuesday`), `the end of the week/month/year`, `the 15th`."""

    kind: str  # today, tomorrow, the day after tomorrow, weekday, end of the ..., day of month
    value: int = 0  # the weekday (Monday 0) or the day of the month
    next_week: bool = False  # "next Tuesday": the Tuesday of the next Monday-Sunday week
    text: str = ""
    weekday: int | None = None  # "Tuesday the 22nd": the weekday written with a day of month
    past: bool = False  # "filed Monday": an event's weekday, the last one on or before day 0


@dataclass(frozen=True, slots=True)
class Period:
    terms: tuple[Term, ...]
    backward: bool = False  # "30 days before Aug. 15": counted back from the start
    at: dt.time | None = None  # due at this time on the last day, not at its end
    tz: str | None = None  # the time zone the phrase names ("5 p.m. ET")
    allowed: tuple[Term, ...] = ()  # an extension the phrase allows ("extendable by 15 days")

    @property
    def business(self) -> bool:
        return any(term.counting is Counting.BUSINESS for term in self.terms)

    def describe(self) -> str:
        return " + ".join(term.describe() for term in self.terms)


@dataclass(frozen=True, slots=True)
class AbsoluteDue:
    on: PartialDate | RelativeDay
    at: dt.time | None = None
    tz: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedPhrase:
    """What a phrase says, before any counting."""

    title: str | None
    spec: Period | AbsoluteDue
    start: PartialDate | RelativeDay | None = None
    spec_text: str = ""


_SPACE = re.compile(r"\s+")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032"), "'") | dict.fromkeys(
    map(ord, "\u201c\u201d\u201e\u201f\u2033"), '"'
)
_TRIM = " \t,:;|-\"'`.!?"
# Words that only join a title to its deadline: never a title by themselves.
_CONNECTIVES = {
    "by", "on", "or", "before", "no", "not", "later", "than", "due", "within", "in", "until",
    "till", "through", "the", "is", "are", "has", "have", "of", "from", "at", "and", "to",
    "a", "an", "it", "its", "be", "will", "must", "should", "deadline", "this", "next",
}  # fmt: skip


_ANCHOR_WORDS = {"from", "after", "since", "following", "before", "starting", "beginning", "upon"}


def normalize(text: str) -> str:
    """NFKC, plain dashes and quotes, zero-width characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc") or ch == " ")
    return _SPACE.sub(" ", text).strip()


def parse_phrase(
    text: str, *, close_of_business: dt.time = DEFAULT_CLOSE_OF_BUSINESS
) -> ParsedPhrase:
    """Read the whole phrase: its title and its one deadline. Raises PhraseError when any
    number, date, weekday or time in it is not understood, and AmbiguousPhrase (a
    PhraseError) when it holds more than one deadline."""
    if not isinstance(text, str):
        raise PhraseError("the phrase must be text", example=_EXAMPLES)
    if len(text) > MAX_PHRASE_LENGTH:
        raise PhraseError(
            f"the phrase is {len(text)} characters; keep it under {MAX_PHRASE_LENGTH}",
            example=_EXAMPLES,
        )
    return read_phrase(text, close_of_business=close_of_business)


def read_phrase(
    text: str, *, close_of_business: dt.time = DEFAULT_CLOSE_OF_BUSINESS
) -> ParsedPhrase:
    """`parse_phrase` without its length limit (a sentence of an article, say)."""
    cleaned = normalize(text)
    if not cleaned:
        raise PhraseError("the phrase is empty", example=_EXAMPLES)
    # Lower-case without changing the length ("İ".lower() is two characters), so that
    # positions found in `lowered` slice `cleaned` correctly.
    lowered = "".join(ch if len(low := ch.lower()) != 1 else low for ch in cleaned)
    return _Phrase(cleaned, lowered, close_of_business).read()


class _Phrase:
    def __init__(self, cleaned: str, lowered: str, close_of_business: dt.time) -> None:
        self.cleaned = cleaned
        self.toks = tokens(lowered)
        for tok in self.toks:
            tok.capital = cleaned[tok.start].isupper()
        self.cob = close_of_business
        # "20 days, excluding Saturdays, Sundays and legal public holidays": the clause is
        # taken out of the text read, and says how the days count.
        self.excluded: tuple[str, bool] | None = None
        found = guards.excluded_days(lowered)
        if found is not None:
            begin, end, business = found
            self.excluded = (cleaned[begin:end], business)
            kept = [t for t in self.toks if not (t.start >= begin and t.end <= end)]
            self.toks = [
                t for i, t in enumerate(kept)
                if not (t.text == "(" and i + 1 < len(kept) and kept[i + 1].text == ")")
                and not (t.text == ")" and i > 0 and kept[i - 1].text == "(")
            ]  # fmt: skip

    def span(self, expr: Expression) -> str:
        return self.cleaned[self.toks[expr.first].start : self.toks[expr.last - 1].end]

    def read(self) -> ParsedPhrase:
        repeating = recurring_words(self.toks, self.cleaned) or guards.repeats(
            self.toks, self.cleaned
        )
        if repeating is not None:
            raise RepeatPhraseError(
                f"{repeating!r} makes it repeat in a way not read here: a repeat is one of "
                "'every month on the 10th', 'every Tuesday', 'every 2 weeks', 'quarterly', "
                "'every year on June 30', 'last business day of every month', 'first Monday "
                "of each month' (with '/deadline add'), or track the next one",
                example="Jail population report, every month on the 10th",
            )
        guards.check_times(self.toks, self.cleaned)
        found = find_expressions(self.toks)
        live = [e for e in found if e.kind != "event" and not e.negated]
        events = [e for e in found if e.kind == "event"]
        live, events = self._date_before_period_is_day0(live, events)
        used = {i for e in found for i in range(e.first, e.last)}
        unread = [
            self.cleaned[t.start : t.end]
            for i, t in enumerate(self.toks)
            if i not in used and is_significant(self.toks, i)
        ]
        if not live:
            if unread:
                raise PhraseError(
                    f"I could not read {' '.join(unread)!r} as a deadline", example=_EXAMPLES
                )
            raise PhraseError(
                f"could not find a period or a due date in {self.cleaned[:80]!r}",
                example=_EXAMPLES,
            )
        title = self._title(live[0], found)
        if len(live) > 1:
            self._ambiguous(live, title)
        (main,) = live
        if main.kind == "due" and main.first > 0 and self.toks[main.first - 1].text == "before":
            day = self.span(main)
            raise PhraseError(
                f"'before {day}': is the last day the one before {day}, or {day} itself?",
                example=f"by {day}",
            )
        dangling = self._dangling_anchor(main)
        if dangling:
            raise PhraseError(
                f"I read {self.span(main)!r} but not {dangling!r}: from when?",
                example="30 days from July 17 2025 / 30 days of receipt / 30 days before Aug 15",
            )
        guards.check(self.toks, main, self.cleaned)
        self._more_than_what(main, title)
        business = self._excluded_days(main)
        if unread:
            raise PhraseError(
                f"I read {self.span(main)!r} but not {' '.join(unread)!r}",
                example=f"{title or 'Reply'}, {self.span(main)}",
            )
        guards.check_tail(self.toks, main, used, self.cleaned)
        if events and main.day0_words and "date" not in main.day0_words.split():
            # "30 days of receipt of this letter, dated July 7": the letter's date is not the
            # day it was received.
            raise PhraseError(
                f"it counts {main.day0_words!r} but also gives {self.span(events[0])!r}: which "
                "is day 0? Give the day of the first as the start date",
                example="Reply, 30 days of receipt (with from: the day it arrived)",
            )
        if len(events) > 1 or (events and main.anchor is not None):
            days = [self.span(e) for e in events] + ([self.span(main)] if main.anchor else [])
            raise PhraseError(
                f"two start dates: {' and '.join(repr(d) for d in days)}; which is day 0?",
                example="Bondi letter, 30 days from July 17 2025",
            )
        start = _day(events[0].anchor) if events and events[0].anchor else None
        spec: Period | AbsoluteDue
        if main.kind == "period":
            if main.anchor is not None:
                start = _day(main.anchor)
            spec = Period(
                tuple(_term(t, business=business) for t in main.terms),
                backward=main.backward,
                at=self._time(main.at),
                tz=main.tz,
                allowed=tuple(_term(t) for t in main.allowed),
            )
            if main.backward and start is None:
                raise PhraseError("counting back needs a day to count back from",
                                  example="30 days before Aug. 15")  # fmt: skip
        else:
            assert main.day is not None
            spec = AbsoluteDue(_day(main.day), self._time(main.at), main.tz)
        return ParsedPhrase(title, spec, start, self.span(main).strip(_TRIM))

    def _more_than_what(self, main: Expression, title: str | None) -> None:
        """`The county asked for an additional 30 days`, `the agency extended its deadline
        by 10 days`, `requested a 30-day extension`: more time than a deadline the phrase does
        not give, so the due date is that one's plus N, not day 0's. Alone (`14-day
        extension`, `/deadline extend by:an additional month`) it is the amount itself."""
        if main.kind != "period":
            return
        said = self.span(main)
        clause = []
        for tok in reversed(self.toks[max(0, main.first - 8) : main.first]):
            if tok.text in (",", ";", ":", ".", "(", ")"):
                break
            clause.append(tok.text)
        extending = next((w for w in clause if w.startswith("extend") or w == "extension"
                          or w == "extensions"), None)  # fmt: skip
        first = main.terms[0]
        more = first.more or first.label == "extension"
        if extending is None and not (more and title is not None):
            return
        if extending:
            said = f"{' '.join(reversed(clause))} {said}".strip()
        elif clause[:1] and clause[0] in ("additional", "extra", "further", "more"):
            said = f"{clause[0]} {said}"  # "an additional 30 days"
        raise PhraseError(
            f"{said!r}: more time than which deadline? The due date is that deadline's plus "
            "this; extend the tracked deadline by it, or give the new due date",
            example="Answer, by Aug. 15 / /deadline extend by:30 days",
        )

    def _excluded_days(self, main: Expression) -> bool:
        """True if an excluding clause makes the days business days; refused if it leaves
        out something else (weekends but not holidays, Sundays only)."""
        if self.excluded is None:
            return False
        clause, business = self.excluded
        if not business:
            raise PhraseError(
                f"{clause!r}: the bot leaves out weekends and holidays together (business "
                "days); it cannot leave out only some of them",
                example="Reply, 10 business days",
            )
        if main.kind != "period" or any(t.unit != "day" for t in main.terms):
            raise PhraseError(f"{clause!r} goes with a number of days",
                              example="20 days, excluding weekends and holidays")  # fmt: skip
        return True

    def _dangling_anchor(self, main: Expression) -> str | None:
        """`30 days from someday`: a period followed by "from ..." it could not read."""
        if main.kind != "period" or main.anchor is not None or main.day0_words:
            return None
        i = main.last + (
            1 if main.last < len(self.toks) and self.toks[main.last].text == "," else 0
        )
        of_what = main.lead == "within" and i < len(self.toks) and self.toks[i].text == "of"
        if i < len(self.toks) and (self.toks[i].text in _ANCHOR_WORDS or of_what):
            end = self.toks[min(i + 3, len(self.toks)) - 1].end
            return self.cleaned[self.toks[i].start : end]
        return None

    def _time(self, at: dt.time | str | None) -> dt.time | None:
        return self.cob if at == "close of business" else at  # type: ignore[return-value]

    def _date_before_period_is_day0(
        self, live: list[Expression], events: list[Expression]
    ) -> tuple[list[Expression], list[Expression]]:
        """`On July 17, the DOJ gave sheriffs 30 days`: a plain date written before the one
        period (which names no start of its own) is its day 0, not a second deadline."""
        if len(live) != 2:
            return live, events
        date, period = live
        if (
            date.kind == "due"
            and period.kind == "period"
            and date.lead == "on"
            and date.day is not None
            and date.day.date is not None
            and date.at is None
            and period.anchor is None
            and not period.day0_words
            and not period.backward
        ):
            date.kind, date.anchor = "event", date.day
            return [period], [*events, date]
        return live, events

    def _title(self, main: Expression, found: list[Expression]) -> str | None:
        cut = {i for e in found for i in range(e.first, e.last)}
        after = [
            t for i, t in enumerate(self.toks)
            if i >= main.last and i not in cut and t.kind != "punct"
        ]  # fmt: skip
        if main.purpose or any(t.text not in _CONNECTIVES for t in after):
            # News copy ("The county has until Aug. 15 to respond."): the sentence is the title.
            title = self.cleaned.strip(_TRIM)
        else:
            title = self.cleaned[: self.toks[main.first].start]
        return _strip_connectives(title)

    def _ambiguous(self, live: list[Expression], title: str | None) -> None:
        between = " ".join(
            t.text for t in self.toks[live[0].last : live[-1].first] if t.kind in ("word", "punct")
        )
        either = " or " in f" {between} "
        both = not either and any(mark in between for mark in (";", ".", "then", "and"))
        if either:
            head = self._head(live[0])
            readings = tuple(f"{head}, {self.span(e)}" if head else self.span(e) for e in live)
        else:  # each deadline with its own clause: "Reply within 5 days" / "appeal ..."
            clauses: list[str] = []
            begin = 0
            for expr in live:
                clauses.append(self.cleaned[begin : self.toks[expr.last - 1].end].strip(_TRIM))
                begin = self.toks[expr.last - 1].end
            readings = tuple(clauses)
        named = " or ".join(repr(self.span(e)) for e in live)
        how = "say which one" if either else "track them one at a time"
        raise AmbiguousPhrase(
            f"this reads {len(live)} ways: {named}; {how}", readings=tuple(readings), both=both
        )

    def _head(self, expr: Expression) -> str | None:
        """The title written before an expression, without the words joining it."""
        return _strip_connectives(self.cleaned[: self.toks[expr.first].start])


def _strip_connectives(title: str) -> str | None:
    words = title.split()
    while words and (words[-1].lower().strip(_TRIM) in _CONNECTIVES or not words[-1].strip(_TRIM)):
        words.pop()
    title = " ".join(words).strip(_TRIM)
    content = [w for w in re.findall(r"[^\W_]+", title.lower()) if w not in _CONNECTIVES]
    return title if content else None


def _term(term: TermRead, *, business: bool = False) -> Term:
    counting = None if term.counting is None else Counting(term.counting)
    if business and term.unit == "day" and counting is None:
        counting = Counting.BUSINESS
    return Term(term.amount, Unit(term.unit), counting, term.label)


def _day(day: DayRead) -> PartialDate | RelativeDay:
    if day.date is not None:
        month, number, year = day.date
        return PartialDate(month, number, year, day.weekday)
    if day.weekday is not None and day.day_of_month is None:
        return RelativeDay("weekday", day.weekday, day.next_week, day.text, past=day.past)
    if day.day_of_month is not None:
        return RelativeDay("day of month", day.day_of_month, text=day.text, weekday=day.weekday)
    assert day.relative is not None
    return RelativeDay(day.relative, text=day.text)


def match_date(text: str, pos: int) -> tuple[PartialDate, int] | None:
    """The date written at `pos` of lower-cased `text`, and where it ends; None if none."""
    toks = tokens(text[pos:])
    if not toks or toks[0].kind != "date" or toks[0].start != 0:
        return None
    month, day, year = toks[0].value
    return PartialDate(month, day, year), pos + toks[0].end
