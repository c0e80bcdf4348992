"""Records-law presets counted: the first deadline a law sets, under the rule and holiday
calendar it says, with an explanation citing it; and `calculate`, which picks a preset from
the phrase itself when the phrase names a law and no period.

Pure: no clock. Stages after the first and tolling are not counted yet (issue 17); the data
keeps `next_stage` for them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from .calendars import DEFAULT_CALENDAR, format_day
from .counting import (
    DEFAULT_TIMEZONE,
    Computation,
    Rule,
    Stage,
    calculate_phrase,
    compute_due,
)
from .errors import AmbiguousPhrase, DeadlineError, NoFixedPeriodError, PhraseError
from .parsing import DEFAULT_CLOSE_OF_BUSINESS, parse_phrase

if TYPE_CHECKING:  # imported when first used: most phrases never need the laws
    from .laws import Law


def calculate(
    text: str,
    *,
    start: dt.date,
    rule: Rule | str = Rule.CALENDAR,
    calendar: str = DEFAULT_CALENDAR,
    tz: str = DEFAULT_TIMEZONE,
    now: dt.datetime | None = None,
    close_of_business: dt.time = DEFAULT_CLOSE_OF_BUSINESS,
    preset: str | None = None,
) -> Computation:
    """Parse `text` and compute its due date (see `counting.calculate_phrase`); or, with
    `preset`, the first deadline of that law, `text` being the title (may be empty).

    A phrase with no period of its own and no digit that names a law as a word
    ('CPRA request to LA County') is counted by that law's preset. A phrase with a period of
    its own ('FOIA to FBI, 20 business days') keeps it: the law is not guessed over it.
    Raises only DeadlineError subclasses.
    """
    if preset is not None:
        from .laws import find_law

        return compute_preset(find_law(preset), title=_title_only(text), start=start, tz=tz)
    try:
        return calculate_phrase(
            text, start=start, rule=rule, calendar=calendar, tz=tz, now=now,
            close_of_business=close_of_business,
        )  # fmt: skip
    except AmbiguousPhrase:
        raise
    except PhraseError:
        from .laws import detect_law

        # A digit means the phrase tried to say when ("by Frbruary 3"): its error stands.
        law = None if any(c.isdigit() for c in text) else detect_law(text)
        if law is None:
            raise
        return compute_preset(law, title=" ".join(text.split()) or None, start=start, tz=tz)


def _title_only(text: str) -> str | None:
    """The title given with a preset: refused if it says when itself (the preset does)."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    try:
        parse_phrase(cleaned)
    except AmbiguousPhrase:
        pass
    except DeadlineError:
        return cleaned
    raise PhraseError(
        f"{cleaned[:60]!r} says when itself; with a preset give only a title",
        example="LA County jail contracts (with preset:ca)",
    )


def compute_preset(
    law: Law, *, title: str | None, start: dt.date, tz: str = DEFAULT_TIMEZONE
) -> Computation:
    """The law's first deadline counted from `start` (the day the agency received the
    request), its explanation citing the law. Raises NoFixedPeriodError if it sets none."""
    stage = law.first
    if stage is None:
        raise NoFixedPeriodError(
            f"{law.possessive()} sets no fixed period; track a date you agree with the agency"
        )
    due = compute_due(
        start, parse_phrase(stage.period).spec, rule=stage.rule, calendar=stage.calendar,
        tz=tz, note="the day the request was received",
    )  # fmt: skip
    raw = start + dt.timedelta(days=stage.days)
    summary = f"{stage.citation}: {stage.period} from receipt to {stage.requires}"
    if stage.rule == "roll" and due.due != raw:
        summary += (
            f"; last day {format_day(raw)} rolled to {format_day(due.due)} ({stage.rule_basis})"
        )
    elif stage.rule == "roll":
        summary += f"; a last day on a weekend or holiday would roll ({stage.rule_basis})"
    else:
        summary += f" ({stage.rule_basis})"
    steps = [summary, *due.explanation]
    extended = None
    if law.extension is not None:
        ext = law.extension
        extended = compute_due(
            due.due, parse_phrase(ext.period).spec, rule=stage.rule, calendar=stage.calendar,
            tz=tz, note="the due date",
        )  # fmt: skip
        steps.append(
            f"extension allowed ({ext.when}, {ext.citation}): {ext.period} more, to "
            f"{format_day(extended.due)}"
        )
    if law.next_stage is not None:
        steps.append(f"then: {law.next_stage} (not counted here yet)")
    if law.confidence != "high":
        steps.append(f"confidence in this preset: {law.confidence}; check the statute")
    due = dataclasses.replace(due, explanation=tuple(steps))
    first = Stage(
        name=stage.requires,
        due=due,
        citation=stage.citation,
        extended_due=extended.due if extended else None,
        extension=law.extension.period if law.extension else None,
    )
    return Computation(
        title=title or f"{law.jurisdiction} {law.short} request",
        period=f"{stage.period} ({law.short})",
        due=due,
        allowed=first.extension,
        law=law,
        stages=(first,),
    )
