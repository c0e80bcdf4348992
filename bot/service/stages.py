"""Records-law stages: a deadline moved to its law's next stage (pure: no clock, no I/O).

A preset with stages (New York: acknowledge in 5 business days, then grant or deny within 20
business days of the acknowledgment) is one deadline whose due date is its current stage's.
Marked done, it moves to the next stage, counted from the day it was marked (or, for a stage
whose law counts from the due date, Oregon's, from that due date); if nobody marks it, the
bot moves it `STAGE_GRACE` after its due date, counted from that due date. Either way
the move is a history entry that says which stage, from which day, and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Final

from bot.deadlines import Computation, format_day
from bot.deadlines.laws import Law, preset_law
from bot.deadlines.presets import count_stage
from bot.models import Deadline, Mention, NewDeadline

# How long a stage nobody marked done stays current past its due date (overdue, with its
# overdue alerts) before the bot moves the deadline on: time to mark a late acknowledgment
# done, so that the next stage counts from the day it came, as the law counts it.
STAGE_GRACE: Final = dt.timedelta(days=2)


def new_deadline(
    result: Computation,
    *,
    guild_id: int,
    channel_id: int,
    title: str,
    created_by: int,
    created_at: dt.datetime,
    mention: Mention | None = None,
    link: str | None = None,
    notes: str | None = None,
) -> NewDeadline:
    """The deadline a computed phrase makes (`/deadline add` and the import alike): its due
    date, and, counted by a records-law preset, the preset, its later stages and its zone, so
    that done moves it to the next stage and extend, pause and resume count where the law
    does."""
    due = result.due
    law = result.law
    return NewDeadline(
        guild_id=guild_id,
        channel_id=channel_id,
        title=title,
        start=due.start,
        rule=due.rule,
        calendar=due.calendar,
        period=result.period,
        due=due.due,
        due_at=due.due_at,
        has_time=due.has_time,
        explanation=due.explanation,
        created_by=created_by,
        created_at=created_at,
        mention=mention,
        link=link,
        notes=notes,
        allowed_extension=result.allowed,
        # A state's preset ends its days in the state's zone: so do its later counts
        # (extend, resume, the next stage) and its alerts.
        timezone=due.timezone if law and law.timezone else None,
        preset=law.key if law else None,
        stages_left=max(0, len(result.stages) - 1),
        recurrence=result.recurrence,
        occurrence_on=result.recurrence.start if result.recurrence else None,
        # A roll rule's unrolled last day: pause, resume and extensions count from it.
        last_day=due.last_day,
    )


def stage_name(deadline: Deadline, law: Law | None = None) -> str:
    """'stage 1 of 2 (acknowledge)'; '' for a deadline without stages."""
    law = law or preset_law(deadline.preset)
    if law is None or not deadline.staged or deadline.stage >= len(law.stages):
        return ""
    total = deadline.stage + 1 + deadline.stages_left
    return f"stage {deadline.stage + 1} of {total} ({law.stages[deadline.stage].requires})"


def next_stage(
    deadline: Deadline, *, on: dt.date, done: bool, tz: str
) -> tuple[Deadline, str] | None:
    """`deadline` moved to its law's next stage, counted from `on` (the day its stage was
    marked done, or, `done` False, the stage's due date) in its zone `tz`, and the history
    entry's words; None if it has no next stage (or its law, as the bot knows it now, has
    none)."""
    law = preset_law(deadline.preset)
    index = deadline.stage + 1
    if law is None or deadline.stages_left == 0 or index >= len(law.stages):
        return None
    stage = law.stages[index]
    # Oregon's second stage counts from the day the first was due, whenever it was done.
    day0 = deadline.due if stage.from_due_date else on
    due = count_stage(law, index, start=day0, tz=tz, done=done)
    left = len(law.stages) - index - 1
    moved = dataclasses.replace(
        deadline,
        start=day0,
        rule=due.rule,
        calendar=due.calendar,
        period=f"{stage.period} ({law.short}, stage {index + 1})",
        due=due.due,
        due_at=due.due_at,
        last_day=due.last_day,
        has_time=False,
        explanation=due.explanation,
        stage=index,
        stages_left=left,
        allowed_extension=None,  # the extension a law allows is its first stage's
        snoozed_until=None,
        paused_at=None,
        paused_left=None,
    )
    was = stage_name(deadline, law)
    now_in = stage_name(moved, law)
    if done:
        how = f"{was} done on {format_day(on)}"
    else:
        how = f"{was} was due {format_day(on)} and nobody marked it done"
    counted = format_day(day0)
    if stage.from_due_date and done:
        counted += f", the day {was} was due, whenever it was done"
    detail = (
        f"{how}: now {now_in}, due {format_day(due.due)}: {stage.period} from "
        f"{counted} ({stage.citation})"
    )
    return moved, detail
