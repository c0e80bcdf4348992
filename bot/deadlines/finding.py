"""Find the deadlines in a text: a pasted article, a forwarded letter, a reporter's note.

Pure: no clock. The text is cut into sentences; a sentence is proposed when it reads as one
deadline with a deadline's cue ("30 days to comply", "has until Aug. 15", "within 20 business
days", "by Friday"), not when its numbers are past events, ages or counts ("On July 11 ...
signed", "one day earlier", "30 years old", "sentenced to 30 days"). Day 0 is the start the
sentence names, else the last day an earlier sentence says something happened on ("on
Thursday sent letters", read against the article's date), else the article's date line, else
the date given (the message's own).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .calendars import DEFAULT_CALENDAR
from .counting import DEFAULT_TIMEZONE, DueDate, Rule, compute_due, day_zero, last_weekday
from .errors import AmbiguousPhrase, DeadlineError
from .parsing import AbsoluteDue, ParsedPhrase, Period, normalize, read_phrase
from .reading import FULL_WEEKDAYS, tokens

MAX_TEXT = 100_000

# A sentence ends at . ! ? (and a closing quote), before a capital or a quote, unless the
# word before is an abbreviation; paragraphs always end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gov", "sen", "rep", "st", "jr", "sr", "no", "vs", "gen", "lt",
    "col", "sgt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "u.s",
    "a.m", "p.m", "inc", "corp", "co", "e.g", "i.e", "calif", "ariz", "fla", "ill", "mass",
}  # fmt: skip
_DATELINE = re.compile(
    r"^\W*(?:date(?:line)?|published|posted|updated)?\s*:?\s*(\d{4}-\d{2}-\d{2})", re.IGNORECASE
)
_DUE_LEADS = ("by ", "until ", "till ", "due ", "no later than ", "not later than ",
              "on or before ", "through ")  # fmt: skip
# After a period: it is a past or a length, not a time left ("30 days ago", "30 years old").
_NOT_AFTER = {"ago", "old", "earlier", "later", "long", "in jail", "in prison", "behind bars",
              "of jail", "of prison", "probation", "suspension", "sentence"}  # fmt: skip
# Before a period: a sentence served, a length something lasted.
_NOT_BEFORE = ("sentenced to", "served", "spent", "lasted", "for", "after", "about",
               "nearly", "almost", "over", "than", "past", "last")  # fmt: skip
_DEADLINE_AFTER = re.compile(r"^\s*(?:to|from|after|of|before|deadline|window|extension)\b")


@dataclass(frozen=True, slots=True)
class Found:
    """One deadline found in a text."""

    sentence: str
    title: str
    period: str  # the deadline as written ("30 days", "until Aug. 15")
    start: dt.date
    start_note: str  # where day 0 came from
    due: DueDate


def find_deadlines(
    text: str,
    *,
    date: dt.date,
    rule: Rule | str = Rule.CALENDAR,
    calendar: str = DEFAULT_CALENDAR,
    tz: str = DEFAULT_TIMEZONE,
) -> list[Found]:
    """The deadlines `text` states, in order. `date` is the text's own date (a message's),
    used when the text has no date line."""
    text = text[:MAX_TEXT]
    dateline, text = _dateline(text)
    base = dateline or date
    base_note = "the article's date line" if dateline else "the message's date"
    event: tuple[dt.date, str] | None = None
    found: list[Found] = []
    for sentence in sentences(text):
        stated = 0
        for clause, parsed in _readings(sentence):
            if not _is_deadline(sentence, parsed.spec, parsed.spec_text):
                continue
            start, note = base, base_note
            if parsed.start is not None:
                start, note = day_zero(parsed.start, near=base), "the date in the sentence"
            elif event is not None:
                start, note = event
            try:
                due = compute_due(start, parsed.spec, rule=rule, calendar=calendar, tz=tz,
                                  note=note)  # fmt: skip
            except DeadlineError:
                continue
            # One deadline: the sentence is its title; one of several: its own clause.
            title = clause.strip().rstrip(".!?,;")[:200]
            found.append(Found(sentence.strip(), title, parsed.spec_text, start, note, due))
            stated += 1
        if not stated:
            happened = _event_day(sentence, base)
            if happened is not None:
                event = happened
    return found


def _readings(sentence: str) -> list[tuple[str, ParsedPhrase]]:
    """The sentence read as one deadline, or each of the separate deadlines it states
    ("... has 20 days to respond, and ... has until March 31 to file")."""
    try:
        return [(sentence, read_phrase(sentence))]
    except AmbiguousPhrase as error:
        if not error.both:
            return []  # "30 days or 45 days": not a deadline to propose as it stands
        readings = []
        for clause in error.readings:
            try:
                readings.append((clause, read_phrase(clause)))
            except DeadlineError:
                continue
        return readings
    except DeadlineError:
        return []


def sentences(text: str) -> list[str]:
    """The text's sentences, whitespace collapsed."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\r\n\s*\r\n", text):
        paragraph = normalize(paragraph)
        if not paragraph:
            continue
        pieces = _SENTENCE_END.split(paragraph)
        current = ""
        for piece in pieces:
            current = f"{current} {piece}".strip() if current else piece
            last = current.rstrip("\"'\u201d\u2019)").rsplit(None, 1)[-1].rstrip(".").lower()
            if last in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last):
                continue  # "Aug. 15", "J. Smith": not the end
            out.append(current)
            current = ""
        if current:
            out.append(current)
    return out


def _dateline(text: str) -> tuple[dt.date | None, str]:
    """The date line at the top (`date 2025-07-17`), and the text after it."""
    match = _DATELINE.match(text[:200])
    if match is None:
        return None, text
    try:
        return dt.date.fromisoformat(match[1]), text[match.end() :]
    except ValueError:
        return None, text


def _is_deadline(sentence: str, spec: Period | AbsoluteDue, written: str) -> bool:
    lowered = sentence.lower()
    at = lowered.find(written.lower())
    before = lowered[:at].rstrip(" ,") if at >= 0 else ""
    after = lowered[at + len(written) :] if at >= 0 else ""
    if isinstance(spec, AbsoluteDue):
        return written.lower().startswith(_DUE_LEADS)
    if any(after.lstrip(" ,").startswith(word) for word in _NOT_AFTER):
        return False
    if before.endswith(_NOT_BEFORE):
        return False
    lead = written.lower().startswith(("within ", "in ", "no later than "))
    return (
        lead
        or bool(_DEADLINE_AFTER.match(after))
        or spec.allowed != ()
        or (any(term.label for term in spec.terms))
    )


def _event_day(sentence: str, base: dt.date) -> tuple[dt.date, str] | None:
    """The day a sentence says something happened on: a weekday (the last one on or before
    the article's date), `today`, or a date."""
    try:
        toks = tokens(normalize(sentence).lower())
    except DeadlineError:
        return None
    for tok in toks:
        if tok.kind == "weekday" and tok.text.rstrip(".") in FULL_WEEKDAYS:
            day = last_weekday(base, int(tok.value))
            return day, f"{tok.text.capitalize()} in an earlier sentence"
        if tok.kind == "date":
            month, number, year = tok.value
            try:
                day = dt.date(year or base.year, month, number)
            except ValueError:
                continue
            if year is None and day > base:
                day = day.replace(year=base.year - 1)
            return day, f"{tok.text} in an earlier sentence"
    return None
