"""Records-law presets counted: the first deadline a law sets, under the rule and holiday
calendar it says, with an explanation citing it; and `calculate`, which picks a preset from
the phrase itself when the phrase names a law and no period.

Pure: no clock. A law with later stages (New York: acknowledge in 5 business days, then
grant or deny within 20 business days of the acknowledgment) has each counted by
`count_stage`: from the day the one before was marked done, or from its due date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import TYPE_CHECKING, Final

from .calendars import DEFAULT_CALENDAR, format_day
from .counting import (
    DEFAULT_TIMEZONE,
    Computation,
    DueDate,
    Rule,
    Stage,
    calculate_phrase,
    compute_due,
)
from .errors import (
    AmbiguousPhrase,
    DeadlineError,
    NoFixedPeriodError,
    PhraseError,
    RepeatPhraseError,
)
from .parsing import DEFAULT_CLOSE_OF_BUSINESS, parse_phrase

if TYPE_CHECKING:  # imported when first used: most phrases never need the laws
    from .laws import Law


# Digits that do not say when: a year after "the", "for", "of" or FY ("the 2024 budget",
# "FY2025"), a number after case, file, ref, tracking, control, no. or # ("case 2024-123",
# "request no. FOIA-2024-00123", "#55"). Not a bare number ("request 3").
_IDENTIFIERS: Final = re.compile(
    r"(?<![\w-])(?:(?:the|for|of)\s+(?:19|20)\d\d(?:-\d\d(?:\d\d)?)?|fy\s?\d{2,4})(?![\w/-])"
    r"|(?<![\w-])(?:(?:case|file|ref|reference|tracking|control)\s*(?:no\.|number|#)?|no\.|#)"
    r"\s*:?\s*[a-z]{0,4}-?\d[\w-]*",
    re.IGNORECASE,
)


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

    A phrase with no period of its own that is a request under a law
    ('CPRA request to LA County', see `laws.detect_law`) is counted by that law's preset,
    unless it holds a digit other than a year ('the 2024 budget') or a number ('case
    2024-123', '#55'). A phrase with a period of its own ('FOIA to FBI, 20 business days')
    keeps it: the law is not guessed over it.
    Raises only DeadlineError subclasses.
    """
    if preset is not None:
        from .laws import find_law

        return compute_preset(find_law(preset), title=_title_only(text), start=start, tz=tz)
    try:
        result = calculate_phrase(
            text, start=start, rule=rule, calendar=calendar, tz=tz, now=now,
            close_of_business=close_of_business,
        )  # fmt: skip
    except (AmbiguousPhrase, RepeatPhraseError):
        raise  # a repeat not read is not a law's one deadline ('FOIA to FBI, twice a month')
    except PhraseError:
        from .laws import detect_law

        # A digit means the phrase tried to say when ("by Frbruary 3"): its error stands;
        # but not a year of the records asked for or a case number.
        law = None if any(c.isdigit() for c in _IDENTIFIERS.sub(" ", text)) else detect_law(text)
        if law is None:
            raise
        return compute_preset(law, title=" ".join(text.split()) or None, start=start, tz=tz)
    return _no_law_repeat(result)


def _no_law_repeat(result: Computation) -> Computation:
    """A repeat whose title names a records law is refused: the law sets one deadline per
    request, which a series from day 0 would silently replace ('FOIA to FBI, weekly')."""
    if result.recurrence is None or not result.title:
        return result
    from .laws import detect_law

    try:
        names_law = detect_law(result.title) is not None
    except PhraseError:  # (AmbiguousPhrase too) a name two laws share, or two laws
        names_law = True
    if not names_law:
        return result
    raise PhraseError(
        f"{result.title!r} names a records law, and a law's deadline does not repeat: track "
        f"the request alone (its preset counts the law's days), or leave the law's name out "
        f"of a repeat",
        example="CPRA request to LA County",
    )


def _title_only(text: str) -> str | None:
    """The title given with a preset: refused if it says when itself (the preset does)."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    try:
        parse_phrase(cleaned)
    except (AmbiguousPhrase, RepeatPhraseError):  # a repeat too: the law's deadline does not
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
    """The law's stages counted from `start` (the day the agency received the request): the
    first from `start`, each later one from the due date of the one before (the date it
    counts from if nobody marks that one done); the first stage's explanation cites the law.
    In the law's own time zone (a state's), else `tz`. Raises NoFixedPeriodError if the law
    sets no fixed period."""
    if law.first is None:
        raise NoFixedPeriodError(
            f"{law.possessive()} sets no fixed period; track a date you agree with the agency"
        )
    tz = law.timezone or tz
    stages: list[Stage] = []
    day0 = start
    for index in range(len(law.stages)):
        due = count_stage(law, index, start=day0, tz=tz)
        stages.append(_stage(law, index, due, tz=tz))
        day0 = due.due
    first = stages[0]
    steps = list(first.due.explanation)
    for index, later in enumerate(stages[1:], start=1):
        stage = law.stages[index]
        if stage.from_due_date:
            when = f"counted from the due date above, whenever stage {index} is done"
        else:
            when = (
                f"if counted from the due date above, or from the day stage {index} is marked done"
            )
        steps.append(
            f"then stage {index + 1} of {len(stages)}: {stage.period} from {stage.from_what} "
            f"to {stage.requires} ({stage.citation}); by {format_day(later.due.due)} {when}"
        )
    if law.confidence != "high":
        steps.append(f"confidence in this preset: {law.confidence}; check the statute")
    due = dataclasses.replace(first.due, explanation=tuple(steps))
    stages[0] = dataclasses.replace(first, due=due)
    return Computation(
        title=title or f"{law.jurisdiction} {law.short} request",
        period=f"{law.first.period} ({law.short})",
        due=due,
        allowed=first.extension,
        law=law,
        stages=tuple(stages),
    )


def count_stage(law: Law, index: int, *, start: dt.date, tz: str, done: bool = False) -> DueDate:
    """Stage `index` (0: the first) of `law` counted from `start` (receipt for the first; for
    a later one the day the stage before was done, or, `done` False, its due date; a stage
    that counts from the due date is given that date, done or not), under the stage's rule
    and calendar, in `tz`; its explanation cites the law and says why."""
    stage = law.stages[index]
    if index == 0:
        note = "the day the request was received"
    elif stage.from_due_date:
        note = (
            f"the due date of stage {index}, {law.stages[index - 1].requires}: "
            f"{stage.citation} counts from it, whenever it was done"
        )
    elif done:
        note = f"the day stage {index} ({law.stages[index - 1].requires}) was marked done"
    else:
        note = (
            f"the due date of stage {index}, {law.stages[index - 1].requires}: nobody "
            "marked it done"
        )
    due = compute_due(
        start, parse_phrase(stage.period).spec, rule=stage.rule, calendar=stage.calendar,
        tz=tz, note=note,
    )  # fmt: skip
    raw = start + dt.timedelta(days=stage.days)
    summary = f"{stage.citation}: {stage.period} from {stage.from_what} to {stage.requires}"
    if len(law.stages) > 1:
        summary = f"stage {index + 1} of {len(law.stages)}, " + summary
    if stage.rule == "roll" and due.due != raw:
        summary += (
            f"; last day {format_day(raw)} rolled to {format_day(due.due)} ({stage.rule_basis})"
        )
    elif stage.rule == "roll":
        summary += f"; a last day on a weekend or holiday would roll ({stage.rule_basis})"
    else:
        summary += f" ({stage.rule_basis})"
    steps = [summary, *due.explanation]
    if stage.note:
        steps.append(f"the law also says: {stage.note}")
    if law.timezone is not None:
        steps.append(f"time zone: {law.zone_basis}")
    if index == 0 and law.extension is not None:
        ext = law.extension
        extended = compute_due(
            due.statutory_last_day, parse_phrase(ext.period).spec, rule=stage.rule,
            calendar=stage.calendar, tz=tz, note="the period's last day",
        )  # fmt: skip
        steps.append(
            f"extension allowed ({ext.when}, {ext.citation}): {ext.period} more, to "
            f"{format_day(extended.due)}"
        )
    if stage.confidence and stage.confidence != "high":
        steps.append(f"confidence in this stage: {stage.confidence}; check the statute")
    return dataclasses.replace(due, explanation=tuple(steps))


def _stage(law: Law, index: int, due: DueDate, *, tz: str) -> Stage:
    stage = law.stages[index]
    extension = law.extension if index == 0 else None
    extended = None
    if extension is not None:
        # From the period's own last day: the extension adds to the period (Cal. Gov. Code
        # 7922.535(b) extends "the time limit prescribed"), and the roll comes once, after.
        extended = compute_due(
            due.statutory_last_day, parse_phrase(extension.period).spec, rule=stage.rule,
            calendar=stage.calendar, tz=tz, note="the period's last day",
        ).due  # fmt: skip
    return Stage(
        name=stage.requires,
        due=due,
        citation=stage.citation,
        extended_due=extended,
        extension=extension.period if extension else None,
        counted_from=stage.from_what,
        confidence=stage.confidence or law.confidence,
    )
