"""Repeating deadlines (issue 18): the next occurrence, and the series moving on.

A repeat is one deadline per occurrence. The current occurrence has the usual alerts; when it
is marked done, or once it is overdue by the grace (`[defaults] repeat_grace_days`), the next
occurrence is stored as a new deadline with its own alerts and number, and the old one
records it (`next_id`). An overdue occurrence is never rolled over in silence: it stays an
active, overdue deadline, listed as missed, with its overdue alerts, until someone marks it
done or deletes it; its history says which occurrence followed it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any, Final

from bot.deadlines import calculate, format_day, occurrence_due, occurrences
from bot.deadlines.counting import DueDate
from bot.models import Deadline, GuildSettings, HistoryEntry, NewDeadline
from bot.planning import deadline_zone, plan_alerts
from bot.storage import Transaction

from .errors import LimitError, ValidationError
from .unit import Unit

log = logging.getLogger(__name__)

# How many current occurrences one pass of the job moves on at a time (one transaction).
ADVANCE_BATCH: Final = 200


async def next_occurrence(
    tx: Transaction,
    occurrence: Deadline,
    settings: GuildSettings,
    *,
    now: dt.datetime,
    actor_id: int | None,
    because: str,
    max_active: int,
) -> Deadline | None:
    """Store the occurrence after `occurrence` (a current one) with its alerts and history;
    None when the series has ended (its count or its `until`). The caller records the new
    one's number on `occurrence` (`next_id`) in the same transaction."""
    recurrence, nominal = occurrence.recurrence, occurrence.occurrence_on
    assert recurrence is not None, occurrence
    assert nominal is not None, occurrence
    following = recurrence.after(nominal)
    if following is None:
        return None
    tz = deadline_zone(occurrence, settings)
    due = occurrence_due(
        recurrence, following, rule=occurrence.rule, calendar=occurrence.calendar, tz=tz.key
    )
    new = NewDeadline(
        guild_id=occurrence.guild_id,
        channel_id=occurrence.channel_id,
        title=occurrence.title,
        start=nominal,
        rule=occurrence.rule,
        calendar=occurrence.calendar,
        period=occurrence.period,
        due=due.due,
        due_at=due.due_at,
        has_time=False,
        explanation=(f"the occurrence after #{occurrence.id}'s", *due.explanation),
        created_by=occurrence.created_by,  # who may change it stays the same
        created_at=now,
        timezone=occurrence.timezone,
        mention=occurrence.mention,
        link=occurrence.link,
        notes=occurrence.notes,
        recurrence=recurrence,
        occurrence_on=following,
    )
    stored = await tx.insert_deadline_within(new, max_active=max_active)
    if stored is None:
        raise LimitError(
            f"this server already tracks {max_active} active deadlines, so the next "
            f"occurrence of #{occurrence.id} cannot be added; mark some done or delete them",
            example="/deadline list show:overdue",
        )
    await tx.add_alerts(stored, plan_alerts(stored, settings, now=now))
    # Whoever asked for DM copies of the series' alerts keeps them: the next occurrence is a
    # deadline of its own, so its copies are asked for again in their names.
    for user_id in await tx.dm_copy_users(occurrence.guild_id, occurrence.id):
        await tx.add_dm_copies(stored.guild_id, stored.id, user_id, now=now)
    await tx.add_history(
        HistoryEntry(
            stored.guild_id, stored.id, now, actor_id, "created",
            f"next occurrence of #{occurrence.id} ({because}): due {format_day(due.due)} "
            f"({recurrence.words}; {stored.rule} rule)",
        )
    )  # fmt: skip
    return stored


def upcoming(deadline: Deadline, settings: GuildSettings, *, count: int = 3) -> tuple[DueDate, ...]:
    """The current occurrence's due date and the next ones (up to `count` in all); none
    for a deadline that does not repeat (or an occurrence the series has moved on from)."""
    if not deadline.repeating or deadline.recurrence is None or deadline.occurrence_on is None:
        return ()
    tz = deadline_zone(deadline, settings)
    found = occurrences(
        deadline.recurrence, deadline.occurrence_on, count=count, rule=deadline.rule,
        calendar=deadline.calendar, tz=tz.key,
    )  # fmt: skip
    return (dataclasses.replace(found[0][1], due=deadline.due, due_at=deadline.due_at),
            *(due for _, due in found[1:]))  # fmt: skip


def rule_changes(
    old: Deadline, text: str, settings: GuildSettings, *, now: dt.datetime
) -> dict[str, Any]:
    """What `/deadline edit repeat:` changes: the new repeat, its words, and the current
    occurrence, its first date on or after today. Refused for an overdue occurrence (it
    would vanish from the overdue list: mark it done first) and for a phrase that is not a
    repeat, or one that also gives a title."""
    if old.is_overdue(now=now):
        raise ValidationError(
            f"#{old.id} is overdue: mark it done (or it stays listed as missed) before "
            "changing its repeat",
            example=f"/deadline done deadline:{old.id}",
        )
    if old.paused_at is not None:
        raise ValidationError(f"#{old.id} is paused; resume it first",
                              example=f"/deadline resume deadline:{old.id}")  # fmt: skip
    tz = deadline_zone(old, settings)
    result = calculate(
        text, start=now.astimezone(tz).date(), rule=old.rule, calendar=old.calendar, tz=tz.key
    )
    if result.recurrence is None or result.title is not None:
        raise ValidationError(
            f"{text[:60]!r} is not a repeat by itself", example="repeat:every month on the 15th"
        )
    due = result.due
    return {
        "recurrence": result.recurrence,
        "occurrence_on": result.recurrence.start,
        "period": result.period,
        "due": due.due,
        "due_at": due.due_at,
        "has_time": False,
        "explanation": (
            *old.explanation,
            f"repeat changed to {result.period}:",
            *due.explanation[1:],
        ),
        "snoozed_until": None,
    }


class RepeatUseCases:
    """The series moving on by itself: current occurrences overdue past the grace."""

    def __init__(self, unit: Unit, *, max_active: int) -> None:
        self._unit = unit
        self._max_active = max_active

    @property
    def grace(self) -> dt.timedelta:
        return dt.timedelta(days=self._unit.defaults.repeat_grace_days)

    async def advance(self) -> int:
        """Move on every series whose current occurrence is overdue by more than the grace
        (after downtime too: each occurrence that passed is stored, and listed as missed, in
        turn); returns how many occurrences were missed."""
        missed = 0
        while True:
            now = self._unit.now()
            changed: list[tuple[int, int, int | None]] = []
            async with self._unit.transaction() as tx:
                due = await tx.overdue_repeating(due_before=now - self.grace, limit=ADVANCE_BATCH)
                for old in due:
                    settings = await self._unit.settings(tx, old.guild_id)
                    try:
                        new = await self._missed(tx, old, settings, now)
                    except LimitError:  # tried again at the next pass, when there is room
                        log.warning("repeat #%s of guild %s not moved on: at the active limit",
                                    old.id, old.guild_id)  # fmt: skip
                        continue
                    changed.append((old.guild_id, old.id, new))
            for guild_id, old_id, new_id in changed:
                self._unit.changed(guild_id, old_id)
                if new_id is not None:
                    self._unit.changed(guild_id, new_id)
            missed += len(changed)
            if not changed:  # an occurrence stored in this pass may itself be past its grace
                return missed

    async def _missed(
        self, tx: Transaction, old: Deadline, settings: GuildSettings, now: dt.datetime
    ) -> int | None:
        """Record `old` as missed and store the occurrence after it; its number (None when
        the series has ended)."""
        new = await next_occurrence(
            tx, old, settings, now=now, actor_id=None,
            because=f"#{old.id} missed", max_active=self._max_active,
        )  # fmt: skip
        if new is None:
            detail = f"it was the last occurrence of {_words(old)}: the series ends"
            ended = dataclasses.replace(old, recurrence=None)
        else:
            detail = f"the series goes on as #{new.id}, due {format_day(new.due)}"
            ended = dataclasses.replace(old, next_id=new.id)
        await tx.update_deadline(
            dataclasses.replace(ended, revision=old.revision + 1, updated_at=now)
        )
        grace = self._unit.defaults.repeat_grace_days
        await tx.add_history(
            HistoryEntry(
                old.guild_id, old.id, now, None, "missed",
                f"due {format_day(old.due)}, still not done {grace} day"
                f"{'s' if grace != 1 else ''} later; {detail}; this one stays listed as "
                "missed, with its overdue alerts, until it is marked done",
            )
        )  # fmt: skip
        log.info("repeat moved on guild=%s missed=%s next=%s", old.guild_id, old.id,
                 new.id if new else None)  # fmt: skip
        return new.id if new else None


def _words(deadline: Deadline) -> str:
    return deadline.recurrence.words if deadline.recurrence else "its repeat"
