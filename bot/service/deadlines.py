"""Deadline use cases: calc, list, status, search, add, done, delete, extend, edit, snooze,
pause, resume and stop-repeating.

Each checks its input, runs in one transaction (a permission check included: the actor's
rights in the deadline's own alert channel), replans the deadline's alerts inside it, and
then tells the change feed. No Discord here: callers pass plain ids and an `Actor`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.deadlines import (
    AbsoluteDue,
    Computation,
    Period,
    Rule,
    calculate,
    compute_due,
    format_day,
    parse_phrase,
    zone,
)
from bot.deadlines.finding import Found, find_deadlines
from bot.deadlines.laws import stage_extension
from bot.deadlines.tolling import days_left, resumed_due, resumed_due_timed
from bot.models import (
    Deadline,
    DeadlineStatus,
    GuildSettings,
    HistoryEntry,
    ListFilter,
    Mention,
    MentionKind,
    Page,
    PlannedAlert,
    Status,
    StoredAlert,
)
from bot.planning import deadline_zone, local_instant, plan_alerts, replan_alerts
from bot.storage import Transaction

from .actor import MODIFY_RULE, Actor, may_mention, may_modify, may_post_in, may_read_alerts
from .checks import check_link, check_notes, check_title, clean
from .errors import LimitError, NotAllowed, NotFoundError, ValidationError
from .repeats import next_occurrence, rule_changes, upcoming
from .stages import STAGE_GRACE, new_deadline, next_stage, stage_name
from .unit import Unit

log = logging.getLogger(__name__)

MAX_ACTIVE_PER_GUILD: Final = 5000
# An add the member sends again within this long (the first reply never arrived, say) finds
# the deadline it already saved instead of saving a copy.
RETRY_WINDOW: Final = dt.timedelta(minutes=10)
PAGE_SIZE: Final = 10
_STATUSES: Final = {
    ListFilter.ACTIVE: (Status.ACTIVE,),
    ListFilter.OVERDUE: (Status.ACTIVE,),
    ListFilter.DONE: (Status.DONE,),
    ListFilter.ALL: tuple(Status),
}

# What `/deadline extend` and `/deadline snooze` take: a period, or a date.
When = Period | AbsoluteDue


class _Unset:
    pass


UNSET: Final = _Unset()


@dataclass(frozen=True, slots=True)
class Added:
    """A deadline just stored, with the alerts planned for it (soonest first); or, when
    `existing`, the one the same member added moments ago from the same text (and its
    pending alerts), nothing new stored."""

    deadline: Deadline
    alerts: tuple[PlannedAlert | StoredAlert, ...]
    existing: bool = False
    dm: bool = False  # the member gets DM copies of its alerts (`dm:true`)


class DeadlineUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    # -- queries ----------------------------------------------------------------------

    async def calc(
        self,
        text: str,
        *,
        guild_id: int | None = None,
        start: dt.date | None = None,
        counting: Rule | str | None = None,
        preset: str | None = None,
    ) -> Computation:
        """Compute a due date without storing anything (works outside a guild too); with
        `preset`, a records law's first deadline (`text` is then only a title)."""
        if guild_id is None:
            settings = self._unit.default_settings()
        else:
            async with self._unit.transaction() as tx:
                settings = await self._unit.settings(tx, guild_id)
        return self._compute(clean(text), settings, start=start, counting=counting, preset=preset)

    async def find(self, guild_id: int, text: str, *, written_at: dt.datetime) -> list[Found]:
        """The deadlines a text (a message) states, counted by the server's settings; its
        own date is when it was written, in the server's time zone."""
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
        date = written_at.astimezone(zone(settings.timezone)).date()
        return find_deadlines(
            text, date=date, rule=settings.counting, calendar=settings.calendar,
            tz=settings.timezone,
        )  # fmt: skip

    async def page(
        self,
        guild_id: int,
        *,
        show: ListFilter | str = ListFilter.ACTIVE,
        channel_id: int | None = None,
        page: int = 1,
        page_size: int = PAGE_SIZE,
    ) -> Page:
        show = _list_filter(show)
        now = self._unit.now()
        page = max(1, page)
        async with self._unit.read() as tx:
            rows, total = await tx.list_deadlines(
                guild_id,
                statuses=_STATUSES[show],
                now=now,
                overdue_only=show is ListFilter.OVERDUE,
                channel_id=channel_id,
                limit=page_size,
                offset=(page - 1) * page_size,
            )
        return Page(
            deadlines=tuple(rows),
            page=page,
            pages=max(1, math.ceil(total / page_size)),
            total=total,
            overdue_ids=frozenset(d.id for d in rows if d.is_overdue(now=now)),
        )

    async def status(
        self, guild_id: int, deadline_id: int, *, viewer_id: int | None = None
    ) -> DeadlineStatus:
        """Everything about a deadline; with `viewer_id`, that member's own DM copies too
        (whether they get them, and whether the last one was refused)."""
        async with self._unit.read() as tx:
            deadline = await _get(tx, guild_id, deadline_id)
            alerts = await tx.pending_alerts(guild_id, deadline_id)
            history = await tx.history(guild_id, deadline_id)
            settings = await self._unit.settings(tx, guild_id) if deadline.repeating else None
            dm = (
                await tx.dm_copies_of(guild_id, deadline_id, viewer_id)
                if viewer_id is not None
                else None
            )
        dues = upcoming(deadline, settings) if settings is not None else ()
        return DeadlineStatus(deadline, tuple(alerts), tuple(history), dm, upcoming=dues)

    async def search(self, guild_id: int, text: str, *, limit: int = 25) -> list[Deadline]:
        async with self._unit.read() as tx:
            return await tx.search_deadlines(guild_id, text[:100], limit=limit)

    async def modifiable(self, actor: Actor, guild_id: int, deadline_id: int) -> Deadline:
        """The deadline, if `actor` may change it; else NotAllowed (or NotFoundError)."""
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            return await _modifiable(tx, actor, guild_id, deadline_id, settings)

    # -- commands ---------------------------------------------------------------------

    async def add(
        self,
        actor: Actor,
        guild_id: int,
        *,
        text: str,
        channel_id: int | None = None,
        here_channel_id: int | None = None,
        start: dt.date | None = None,
        counting: Rule | str | None = None,
        mention: Mention | None = None,
        link: str | None = None,
        notes: str | None = None,
        title: str | None = None,
        preset: str | None = None,
        dm: bool = False,
    ) -> Added:
        """Track a deadline. Alerts go to `channel_id`, else the server's alert channel, else
        `here_channel_id` (where the command was typed). `title`, if given, is the title
        (the phrase `text` then only says when). With `preset`, the due date is a records
        law's first deadline, and the extension it allows is kept for the Extend button.
        With `dm`, the member also gets a DM copy of each alert."""
        link = check_link(link)
        notes = check_notes(notes)
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            target = channel_id or settings.default_channel_id or here_channel_id
            if target is None:
                raise ValidationError("pick a channel for the alerts", example="channel:#deadlines")
            check_recipients(actor, guild_id, target, mention, picked=channel_id is not None)
            if dm:
                _check_may_read(actor, target)
            result = self._compute(
                clean(text), settings, start=start, counting=counting, preset=preset
            )
            title = check_title(" ".join(title.split()) if title else result.title)
            due = result.due
            new = new_deadline(
                result,
                guild_id=guild_id,
                channel_id=target,
                title=title,
                created_by=actor.user_id,
                created_at=now,
                mention=mention,
                link=link,
                notes=notes,
            )
            twin = await tx.twin_of(new, since=now - RETRY_WINDOW)
            if twin is not None:
                if dm:  # (a no-op when the first add asked for them too)
                    await tx.add_dm_copies(guild_id, twin.id, actor.user_id, now=now)
                    self._unit.changed(guild_id, twin.id)
                pending = await tx.pending_alerts(guild_id, twin.id)
                log.info("deadline add repeated guild=%s deadline=%s", guild_id, twin.id)
                return Added(twin, tuple(pending), existing=True, dm=dm)
            stored = await tx.insert_deadline_within(
                new,
                max_active=MAX_ACTIVE_PER_GUILD,
            )
            if stored is None:
                raise LimitError(
                    f"this server already tracks {MAX_ACTIVE_PER_GUILD} active deadlines; "
                    "mark some done or delete them first",
                    example="/deadline done deadline:12",
                )
            deadline = stored
            if dm:  # before its alerts: each gets its copy as it is planned
                await tx.add_dm_copies(guild_id, deadline.id, actor.user_id, now=now)
            planned = plan_alerts(deadline, settings, now=now)
            await tx.add_alerts(deadline, planned)  # a new deadline has none to replace
            detail = f"due {format_day(due.due)} ({result.period}; {due.rule} rule)"
            if result.stages:
                detail += f", {result.stages[0].citation}"
            if result.recurrence:
                detail += f", repeats: RRULE:{result.recurrence.rrule}"
            await tx.add_history(_entry(deadline, actor.user_id, "created", detail, now))
        log.info(
            "deadline created guild=%s deadline=%s due=%s rule=%s",
            guild_id, deadline.id, deadline.due, deadline.rule.value,
        )  # fmt: skip
        self._unit.changed(guild_id, deadline.id)
        return Added(deadline, tuple(sorted(planned, key=lambda alert: alert.send_at)), dm=dm)

    async def done(
        self,
        actor: Actor,
        guild_id: int,
        deadline_id: int,
        *,
        note: str | None = None,
        stage: int | None = None,
    ) -> Deadline:
        """Mark it done; a records-law deadline's current stage, which starts the next one.
        `stage`: the stage meant (an alert's button); refused if the deadline is past it."""
        return await self._close(actor, guild_id, deadline_id, Status.DONE, note, stage=stage)

    async def delete(self, actor: Actor, guild_id: int, deadline_id: int) -> Deadline:
        """Soft delete: the deadline is cancelled, kept with its history."""
        return await self._close(actor, guild_id, deadline_id, Status.CANCELLED, None)

    async def extend(
        self,
        actor: Actor,
        guild_id: int,
        deadline_id: int,
        *,
        change: When | None = None,
        reason: str | None = None,
        allowed: bool = False,
    ) -> Deadline:
        """Move the due date: by a period from the current due date, or to a date; or
        (`allowed`) by the extension the deadline's law allows, which is then used up."""
        reason = check_notes(reason, what="reason")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            old = await _modifiable(tx, actor, guild_id, deadline_id, settings, active=True)
            _not_paused(old)
            if allowed:
                if old.allowed_extension is None:
                    raise ValidationError(
                        f"#{old.id} has no allowed extension left",
                        example=f"/deadline extend deadline:{old.id} by:14 days",
                    )
                change = parse_phrase(old.allowed_extension).spec
                law_allows = stage_extension(old.preset, old.stage)
                basis = f"{law_allows.when}, {law_allows.citation}" if law_allows else None
                reason = reason or basis or "the extension allowed"
            if change is None:
                raise ValidationError("say how far to extend", example="by:14 days")
            counted = ""
            tz = deadline_zone(old, settings)
            if isinstance(change, Period):
                # Under the roll and court rules from the period's own last day, not the day
                # it rolled to: an extension adds to the period, and the roll comes once.
                last = old.statutory_last_day
                due = compute_due(
                    last,
                    change,
                    rule=old.rule,
                    calendar=old.calendar,
                    tz=tz.key,
                    note="current due date" if last == old.due else "the period's last day",
                )  # fmt: skip
                how = f"by {change.describe()}"
                if last != old.due:
                    counted = (
                        f" from the period's last day {format_day(last)} (before the roll to "
                        f"{format_day(old.due)})"
                    )
            else:
                due = compute_due(
                    now.astimezone(tz).date(),
                    change,
                    rule=old.rule,
                    calendar=old.calendar,
                    tz=tz.key,
                    note="today",
                )
                how = f"to {format_day(due.due)}"
            new = dataclasses.replace(
                old,
                due=due.due,
                due_at=due.due_at,
                has_time=due.has_time,
                last_day=due.last_day,
                explanation=(*old.explanation, f"extended {how}{counted}:", *due.explanation[1:]),
                snoozed_until=None,
                allowed_extension=None if allowed else old.allowed_extension,
            )
            detail = f"{how}: from {format_day(old.due)} to {format_day(due.due)}"
            if reason:
                detail += f" ({reason})"
            return await self._save(tx, new, settings, actor.user_id, "extended", detail, now)

    async def edit(
        self,
        actor: Actor,
        guild_id: int,
        deadline_id: int,
        *,
        title: str | None = None,
        notes: str | None = None,
        link: str | None = None,
        channel_id: int | None = None,
        mention: Mention | _Unset | None = UNSET,
        repeat: str | None = None,
        dm: bool | None = None,
    ) -> Deadline:
        """Change what a deadline says or where its alerts go (those who may modify it);
        `repeat` (a repeat's phrase, 'every month on the 15th') changes the rule of a
        repeating deadline's current occurrence, or makes a deadline repeat, and moves its due
        date to the new rule's first date from today; with `dm`, turn the member's own DM
        copies of its alerts on or off (anyone who can see its channel: it changes nothing
        for anyone else)."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = check_title(" ".join(title.split()))
        if notes is not None:
            changes["notes"] = check_notes(notes)
        if link is not None:
            changes["link"] = check_link(link)
        if channel_id is not None:
            changes["channel_id"] = channel_id
        if not isinstance(mention, _Unset):
            changes["mention"] = mention
        if repeat is not None:
            repeat = clean(repeat)
        if not changes and not repeat and dm is None:
            raise ValidationError(
                "nothing to change", example="/deadline edit deadline:12 title:Bondi letter reply"
            )
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            if not changes and not repeat:
                deadline = await _get(tx, guild_id, deadline_id)
            else:
                old = await _modifiable(
                    tx, actor, guild_id, deadline_id, settings, active=bool(repeat)
                )
                detail = ", ".join(sorted(changes))
                if repeat:
                    if old.next_id is not None:
                        raise ValidationError(
                            f"#{old.id} is a past occurrence; its series goes on as #{old.next_id}",
                            example=f"/deadline edit deadline:{old.next_id} repeat:{repeat[:40]}",
                        )
                    changes |= rule_changes(old, repeat, settings, now=now)
                    changes["last_day"] = None  # a repeat's due date is its own last day
                    detail = ", ".join(filter(None, [detail, f"repeat: {changes['period']}, due "
                                                     f"{format_day(changes['due'])} (was "
                                                     f"{format_day(old.due)})"]))  # fmt: skip
                new = dataclasses.replace(old, **changes)
                if "channel_id" in changes or "mention" in changes:
                    check_recipients(
                        actor, guild_id, new.channel_id, new.mention, picked="channel_id" in changes
                    )
                # Title, notes, link, channel and mention leave the schedule alone: the alerts,
                # a pending retry included, stay exactly as they are (they are rendered afresh).
                # A new repeat moves the due date, so the alerts are planned again.
                deadline = await self._save(
                    tx, new, settings, actor.user_id, "edited", detail, now, replan=bool(repeat)
                )
                if new.channel_id != old.channel_id:
                    await _copies_follow_channel(tx, actor, deadline, now)
            if dm is not None:
                await self._set_dm(tx, actor, deadline, on=dm, now=now)
            return deadline

    async def stop_repeating(
        self, actor: Actor, guild_id: int, deadline_id: int, *, note: str | None = None
    ) -> Deadline:
        """End a repeat: its current occurrence stays, as a one-off deadline; no more follow."""
        note = check_notes(note, what="note")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            old = await _modifiable(tx, actor, guild_id, deadline_id, settings, active=True)
            if not old.repeating or old.recurrence is None:
                later = f"; its series goes on as #{old.next_id}" if old.next_id else ""
                raise ValidationError(
                    f"#{old.id} does not repeat{later}",
                    example=f"/deadline stop-repeating deadline:{old.next_id or old.id}",
                )
            new = dataclasses.replace(old, recurrence=None, occurrence_on=None)
            detail = f"was {old.recurrence.words}; this occurrence stays, due {format_day(old.due)}"
            if note:
                detail += f" ({note})"
            return await self._save(
                tx, new, settings, actor.user_id, "stopped repeating", detail, now, replan=False
            )

    async def dm_copies(
        self, actor: Actor, guild_id: int, deadline_id: int, *, on: bool
    ) -> tuple[Deadline, bool]:
        """Turn the member's own DM copies of a deadline's alerts on or off (the "DM me too"
        and "Stop DMs" buttons); returns the deadline and whether anything changed (False:
        they already had them, or had none). Only ever the acting member's copies."""
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            deadline = await _get(tx, guild_id, deadline_id)
            changed = await self._set_dm(tx, actor, deadline, on=on, now=now)
        return deadline, changed

    async def _set_dm(
        self, tx: Transaction, actor: Actor, deadline: Deadline, *, on: bool, now: dt.datetime
    ) -> bool:
        if on:
            if deadline.status is not Status.ACTIVE:
                raise ValidationError(
                    f"#{deadline.id} is {deadline.status.value}: it sends no more alerts to copy",
                    example="/deadline list show:active",
                )
            _check_may_read(actor, deadline.channel_id)
            changed = await tx.add_dm_copies(deadline.guild_id, deadline.id, actor.user_id, now=now)
        else:
            changed = await tx.remove_dm_copies(deadline.guild_id, deadline.id, actor.user_id)
        log.info(
            "dm copies %s guild=%s deadline=%s user=%s changed=%s",
            "on" if on else "off", deadline.guild_id, deadline.id, actor.user_id, changed,
        )  # fmt: skip
        # Inside the transaction, as in _save: the dispatcher drops what it holds of the
        # deadline and claims afresh (new copies, or none for a member who turned them off).
        self._unit.changed(deadline.guild_id, deadline.id)
        return changed

    async def snooze(
        self, actor: Actor, guild_id: int, deadline_id: int, *, until: When
    ) -> Deadline:
        """No alerts until the alert time on a date, given as a date or as a period from today."""
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            old = await _modifiable(tx, actor, guild_id, deadline_id, settings, active=True)
            _not_paused(old)
            tz = deadline_zone(old, settings)
            today = now.astimezone(tz).date()
            day = compute_due(today, until, rule=Rule.CALENDAR, calendar=old.calendar).due
            snoozed_until = local_instant(day, settings.alert_time, tz)
            if snoozed_until <= now:
                raise ValidationError(
                    f"{format_day(day)} at {settings.alert_time:%H:%M} has already passed",
                    example="/deadline snooze deadline:12 until:1 day",
                )
            new = dataclasses.replace(old, snoozed_until=snoozed_until)
            detail = f"until {format_day(day)} {settings.alert_time:%H:%M} {tz.key}"
            return await self._save(tx, new, settings, actor.user_id, "snoozed", detail, now)

    async def pause(
        self, actor: Actor, guild_id: int, deadline_id: int, *, reason: str | None = None
    ) -> Deadline:
        """Stop the clock (tolling): no alerts, never overdue, until `resume`; the days of
        the deadline's rule it has left are kept."""
        reason = check_notes(reason, what="reason")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            old = await _modifiable(tx, actor, guild_id, deadline_id, settings, active=True)
            if old.paused_at is not None:
                raise ValidationError(
                    f"#{old.id} is already paused", example=f"/deadline resume deadline:{old.id}"
                )
            if old.is_overdue(now=now):
                raise ValidationError(
                    f"#{old.id} is already overdue: no time is left to stop; extend it instead",
                    example=f"/deadline extend deadline:{old.id} by:10 days",
                )
            tz = deadline_zone(old, settings)
            # To the period's own last day: under the roll and court rules a roll past a
            # weekend or holiday is not days of the period (it is applied again on resume).
            left = days_left(old.statutory_last_day, now.astimezone(tz).date(), rule=old.rule,
                             calendar=old.calendar)  # fmt: skip
            new = dataclasses.replace(old, paused_at=now, paused_left=left.days)
            detail = f"{new.left_text()} left (was due {format_day(old.due)})"
            if reason:
                detail += f": {reason}"
            return await self._save(tx, new, settings, actor.user_id, "paused", detail, now)

    async def resume(
        self, actor: Actor, guild_id: int, deadline_id: int, *, reason: str | None = None
    ) -> Deadline:
        """Restart a paused deadline's clock: due after the days it had left, counted from
        today under its rule (business days stay business days), with its alerts replanned."""
        reason = check_notes(reason, what="reason")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            old = await _modifiable(tx, actor, guild_id, deadline_id, settings, active=True)
            left = old.days_left()
            if left is None or old.paused_at is None:
                raise ValidationError(
                    f"#{old.id} is not paused", example=f"/deadline pause deadline:{old.id}"
                )
            tz = deadline_zone(old, settings)
            today = now.astimezone(tz).date()
            at = old.due_at.astimezone(tz).time() if old.has_time else None
            if old.has_time and left.days == 0:
                # Paused on its due day: what was left is hours, given back from now.
                due = resumed_due_timed(
                    old.due_at - old.paused_at, now, rule=old.rule, calendar=old.calendar,
                    tz=tz.key,
                )  # fmt: skip
            else:
                due = resumed_due(
                    left, today, rule=old.rule, calendar=old.calendar, tz=tz.key, at=at
                )
            paused_on = old.paused_at.astimezone(tz).date()
            new = dataclasses.replace(
                old,
                due=due.due,
                due_at=due.due_at,
                last_day=due.last_day,
                explanation=(
                    *old.explanation,
                    f"paused {format_day(paused_on)} with {old.left_text()} left; "
                    f"resumed {format_day(today)}:",
                    *due.explanation[1:],
                ),
                paused_at=None,
                paused_left=None,
            )
            hour = f" {due.due_at.astimezone(tz):%H:%M}" if old.has_time else ""
            detail = (
                f"paused since {format_day(paused_on)}, {old.left_text()} left: "
                f"due {format_day(due.due)}{hour} (was {format_day(old.due)})"
            )
            if reason:
                detail += f" ({reason})"
            return await self._save(tx, new, settings, actor.user_id, "resumed", detail, now)

    # -- internals --------------------------------------------------------------------

    async def _close(
        self,
        actor: Actor,
        guild_id: int,
        deadline_id: int,
        status: Status,
        note: str | None,
        *,
        stage: int | None = None,
    ) -> Deadline:
        note = check_notes(note, what="note")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            old = await _modifiable(tx, actor, guild_id, deadline_id, settings, active=True)
            if stage is not None and old.stage != stage:
                raise ValidationError(
                    f"this alert was for stage {stage + 1} of #{old.id}, which is over: it is "
                    f"now in {stage_name(old) or 'its last stage'}; nothing was marked done",
                    example=f"/deadline status deadline:{old.id}",
                )
            if status is Status.DONE and old.stages_left > 0:
                moved = await self._next_stage(tx, old, settings, actor.user_id, note, now)
                if moved is not None:
                    return moved
            new = dataclasses.replace(old, status=status, paused_at=None, paused_left=None)
            action = "done" if status is Status.DONE else "deleted"
            detail = note or ""
            if status is Status.DONE and old.repeating:
                new, detail = await self._done_occurrence(tx, new, settings, actor, now, detail)
            return await self._save(tx, new, settings, actor.user_id, action, detail, now)

    async def _done_occurrence(
        self,
        tx: Transaction,
        done: Deadline,
        settings: GuildSettings,
        actor: Actor,
        now: dt.datetime,
        detail: str,
    ) -> tuple[Deadline, str]:
        """A repeat's current occurrence marked done: the next one is stored (its number
        recorded on this one), or the series ends."""
        following = await next_occurrence(
            tx, done, settings, now=now, actor_id=actor.user_id, because=f"#{done.id} done",
            max_active=MAX_ACTIVE_PER_GUILD,
        )  # fmt: skip
        if following is None:
            said = "the last occurrence: the series ends"
        else:
            said = f"next occurrence: #{following.id}, due {format_day(following.due)}"
            done = dataclasses.replace(done, next_id=following.id)
            self._unit.changed(following.guild_id, following.id)
        return done, "; ".join(filter(None, [detail, said]))

    async def _next_stage(
        self,
        tx: Transaction,
        old: Deadline,
        settings: GuildSettings,
        actor_id: int | None,
        note: str | None,
        now: dt.datetime,
    ) -> Deadline | None:
        """A staged deadline's stage done (`actor_id`), or lapsed (None: the bot): moved to
        the next stage, counted from today or from the lapsed stage's due date; None if it
        has no next stage after all (then it closes)."""
        tz = deadline_zone(old, settings)
        done = actor_id is not None
        on = now.astimezone(tz).date() if done else old.due
        moved = next_stage(old, on=on, done=done, tz=tz.key)
        if moved is None:
            return None
        new, detail = moved
        if note:
            detail += f" ({note})"
        action = "stage done" if done else "stage lapsed"
        return await self._save(tx, new, settings, actor_id, action, detail, now)

    async def advance_lapsed(self, *, limit: int = 100) -> int:
        """Move on the deadlines whose stage nobody marked done within `STAGE_GRACE` of its
        due date, each to its next stage counted from that due date (a history entry by the
        bot says so); returns how many moved."""
        now = self._unit.now()
        async with self._unit.read() as reader:  # most minutes: nothing, and no write lock
            if not await reader.lapsed_stages(due_before=now - STAGE_GRACE, limit=1):
                return 0
        async with self._unit.transaction() as tx:
            lapsed = await tx.lapsed_stages(due_before=now - STAGE_GRACE, limit=limit)
            moved = 0
            for old in lapsed:
                settings = await self._unit.settings(tx, old.guild_id)
                if await self._next_stage(tx, old, settings, None, None, now) is not None:
                    moved += 1
                    continue
                # Its law has no next stage now (the data changed): it stays in this stage,
                # overdue, said in its history, and is not looked at again.
                await self._save(
                    tx, dataclasses.replace(old, stages_left=0), settings, None, "stage kept",
                    "its law as the bot knows it now has no later stage: this one stays",
                    now, replan=False,
                )  # fmt: skip
        return moved

    async def _save(
        self,
        tx: Transaction,
        deadline: Deadline,
        settings: GuildSettings,
        actor_id: int | None,
        action: str,
        detail: str,
        now: dt.datetime,
        *,
        replan: bool = True,
    ) -> Deadline:
        deadline = dataclasses.replace(deadline, revision=deadline.revision + 1, updated_at=now)
        await tx.update_deadline(deadline)
        entries = [_entry(deadline, actor_id, action, detail, now)]
        if replan:
            entries += await replan_deadline(tx, deadline, settings, now=now, because=action)
        await tx.add_history(*entries)
        log.info(
            "deadline %s guild=%s deadline=%s by=%s due=%s",
            action, deadline.guild_id, deadline.id, actor_id, deadline.due,
        )  # fmt: skip
        # Called inside the transaction, which commits right after: the dispatcher cannot read
        # before the commit (transactions are serialized on one connection), so it sees it.
        self._unit.changed(deadline.guild_id, deadline.id)
        return deadline

    def _compute(
        self,
        text: str,
        settings: GuildSettings,
        *,
        start: dt.date | None,
        counting: Rule | str | None,
        preset: str | None = None,
    ) -> Computation:
        if preset is not None and counting is not None:
            raise ValidationError(
                "a preset counts as its law says: leave out `counting`",
                example="/deadline add text:LA County jail contracts preset:California - CPRA",
            )
        tz = zone(settings.timezone)
        start = start or self._unit.now().astimezone(tz).date()
        return calculate(
            text,
            start=start,
            rule=counting or settings.counting,
            calendar=settings.calendar,
            tz=settings.timezone,
            now=self._unit.now(),
            close_of_business=self._unit.defaults.close_of_business,
            preset=preset,
        )


async def _get(tx: Transaction, guild_id: int, deadline_id: int) -> Deadline:
    # An id SQLite cannot even hold is as unknown as any other.
    in_range = 0 < deadline_id < 2**63
    deadline = await tx.get_deadline(guild_id, deadline_id) if in_range else None
    if deadline is None:
        # The same answer whether the id is unknown or belongs to another guild.
        raise NotFoundError(
            f"there is no deadline #{deadline_id} in this server",
            example="/deadline list to see the ids",
        )
    return deadline


def _not_paused(deadline: Deadline) -> None:
    if deadline.paused_at is not None:
        raise ValidationError(
            f"#{deadline.id} is paused: its clock is stopped; resume it first",
            example=f"/deadline resume deadline:{deadline.id}",
        )


def _check_may_read(actor: Actor, channel_id: int) -> None:
    if not may_read_alerts(actor, channel_id):
        raise NotAllowed(
            f"you cannot see <#{channel_id}>, where its alerts go, so you cannot get copies "
            "of them by DM",
            example="dm:true on a deadline whose alert channel you can see",
        )


async def _copies_follow_channel(
    tx: Transaction, actor: Actor, deadline: Deadline, now: dt.datetime
) -> None:
    """The alerts moved to another channel: DM copies stop for everyone but the editor who
    can see it (whether the others can is not known here, and a copy must not show anyone
    what the channel hides from them); the history says so, and they may ask again."""
    stopped = 0
    for user_id in await tx.dm_copy_users(deadline.guild_id, deadline.id):
        if user_id == actor.user_id and may_read_alerts(actor, deadline.channel_id):
            continue
        stopped += await tx.remove_dm_copies(deadline.guild_id, deadline.id, user_id)
    if stopped:
        detail = (
            f"the alert channel changed: {stopped} member{'s' if stopped != 1 else ''} "
            f"no longer get{'' if stopped != 1 else 's'} DM copies until they ask again "
            "(DM me too)"
        )
        await tx.add_history(
            HistoryEntry(deadline.guild_id, deadline.id, now, actor.user_id, "DM copies stopped",
                         detail)
        )  # fmt: skip


def check_recipients(
    actor: Actor, guild_id: int, channel_id: int, mention: Mention | None, *, picked: bool
) -> None:
    """Who a deadline's alerts reach, as the member asks: a channel they picked must be one
    they may post in, and a role only one they may mention there. @everyone never."""
    if picked and not may_post_in(actor, channel_id):
        raise NotAllowed(
            f"you cannot send messages in <#{channel_id}>, so its alerts cannot go there",
            example="channel:#deadlines (a channel you can post in)",
        )
    if mention is None:
        return
    if mention.kind is MentionKind.ROLE and mention.id == guild_id:
        raise ValidationError(
            "a deadline cannot ping @everyone; mention a role or a person",
            example="mention:@Reporters",
        )
    if not may_mention(actor, mention, channel_id):
        raise NotAllowed(
            f"you may not mention <@&{mention.id}> in <#{channel_id}>: the role is not "
            "mentionable by everyone and you lack Mention All Roles there",
            example="mention:@you (yourself), or ask an admin",
        )


async def _modifiable(
    tx: Transaction,
    actor: Actor,
    guild_id: int,
    deadline_id: int,
    settings: GuildSettings,
    *,
    active: bool = False,
) -> Deadline:
    deadline = await _get(tx, guild_id, deadline_id)
    # Permission before state: a member who may not change it learns nothing more.
    if not may_modify(actor, deadline, settings):
        raise NotAllowed(f"you cannot change #{deadline_id}: {MODIFY_RULE}")
    if active and deadline.status is not Status.ACTIVE:
        raise ValidationError(
            f"deadline #{deadline_id} is {deadline.status.value}",
            example="/deadline list show:active",
        )
    return deadline


async def replan_deadline(
    tx: Transaction,
    deadline: Deadline,
    settings: GuildSettings,
    *,
    now: dt.datetime,
    because: str,
    due: Sequence[StoredAlert] | None = None,
) -> list[HistoryEntry]:
    """Replan the deadline's alerts after a change; returns the history entries of the due
    but unsent alerts it superseded (none disappears without a trace). `due`: those alerts,
    when the caller has read them already (a whole guild at once)."""
    if due is None:
        due = await tx.due_alerts(deadline.guild_id, before=now, deadline_id=deadline.id)
    planned, superseded = replan_alerts(deadline, settings, now=now, due=due)
    await tx.replan(deadline, planned)
    return [
        HistoryEntry(
            deadline.guild_id,
            deadline.id,
            now,
            None,
            "alert superseded",
            f"{alert.kind.value} due {alert.send_at:%Y-%m-%d %H:%M} UTC, not sent: {because}",
        )
        for alert in superseded
    ]


def _list_filter(show: ListFilter | str) -> ListFilter:
    try:
        return ListFilter(show)
    except ValueError:
        choices = " / ".join(member.value for member in ListFilter)
        raise ValidationError(f"unknown list filter {str(show)[:20]!r}", example=choices) from None


def _entry(
    deadline: Deadline, actor_id: int | None, action: str, detail: str, now: dt.datetime
) -> HistoryEntry:
    return HistoryEntry(deadline.guild_id, deadline.id, now, actor_id, action, detail)
