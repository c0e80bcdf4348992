"""Pure alert planning: which alerts a deadline gets, and when. No clock, no I/O.

Alert times are wall-clock times in the deadline's zone (its own, else the guild's), so 09:00
stays 09:00 across daylight-saving changes. The overdue series is infinite; it is planned one
alert at a time (`next_overdue`), so the alerts table stays a few rows per deadline.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.deadlines import zone
from bot.models import (
    AlertKind,
    Deadline,
    GuildSettings,
    NewDeadline,
    PlannedAlert,
    Status,
    StoredAlert,
)

HOUR_BEFORE = dt.timedelta(hours=1)
# A stored deadline, or one about to be stored (bulk import plans before ids exist).
Plannable = Deadline | NewDeadline


def deadline_zone(deadline: Plannable, settings: GuildSettings) -> ZoneInfo:
    return zone(deadline.timezone or settings.timezone)


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """`at` o'clock on `day` in `tz`, as UTC."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


@lru_cache(maxsize=256)
def _reminder_days(days: tuple[int, ...]) -> tuple[tuple[int, dt.timedelta], ...]:
    """The distinct positive reminder days, furthest first, each with its timedelta."""
    return tuple(
        (d, dt.timedelta(days=d)) for d in sorted({d for d in days if d > 0}, reverse=True)
    )


_BY_TIME = attrgetter("send_at")


def plan_alerts(
    deadline: Plannable, settings: GuildSettings, *, now: dt.datetime
) -> list[PlannedAlert]:
    """Alerts `deadline` should get from `now` on, sorted by time; empty unless active.

    Reminders at the alert time N days before the due date, one an hour before a timed
    deadline, "due today" at the alert time on the due date, and the next overdue alert.
    Nothing before `now` or before the deadline's snooze ends; nothing while it is paused.
    """
    if deadline.status is not Status.ACTIVE or deadline.paused_at is not None:
        return []
    # Bulk import runs this 100,000 times in a row: one zone lookup, no repeated attributes.
    tz = deadline_zone(deadline, settings)
    snoozed = deadline.snoozed_until
    floor = snoozed if snoozed is not None and snoozed > now else now
    due, due_at, alert_time = deadline.due, deadline.due_at, settings.alert_time
    planned: list[PlannedAlert] = []
    for days, before in _reminder_days(settings.reminder_days):
        at = local_instant(due - before, alert_time, tz)
        if floor <= at < due_at:
            planned.append(PlannedAlert(AlertKind.REMINDER, at, days_before=days))
    due_today = local_instant(due, alert_time, tz)
    if floor <= due_today < due_at:
        planned.append(PlannedAlert(AlertKind.DUE_TODAY, due_today))
    if deadline.has_time and floor <= due_at - HOUR_BEFORE:
        planned.append(PlannedAlert(AlertKind.HOUR_BEFORE, due_at - HOUR_BEFORE))
    planned.append(_next_overdue(deadline, settings, tz, after=floor))
    planned.sort(key=_BY_TIME)
    return planned


class Replan(NamedTuple):
    """What a change does to a deadline's alerts: the alerts it should have now (`planned`,
    the still-valid due ones included), and the due-but-unsent ones it no longer gets."""

    planned: list[PlannedAlert]
    superseded: list[StoredAlert]


def replan_alerts(
    deadline: Plannable,
    settings: GuildSettings,
    *,
    now: dt.datetime,
    due: Sequence[StoredAlert] = (),
) -> Replan:
    """`plan_alerts` from `now`, keeping each alert of `due` (due before `now` but not yet
    sent: waiting for a retry, or claimed) that the deadline as it is now would still get at
    its time; the others are superseded. A change that leaves the schedule alone therefore
    keeps every pending alert, its retries included."""
    planned = plan_alerts(deadline, settings, now=now)
    superseded: list[StoredAlert] = []
    for alert in due:
        then = plan_alerts(deadline, settings, now=alert.send_at)
        if any(p.kind is alert.kind and p.send_at == alert.send_at for p in then):
            planned.append(
                PlannedAlert(alert.kind, alert.send_at, alert.seq, alert.escalate,
                             alert.days_before)
            )  # fmt: skip
        else:
            superseded.append(alert)
    planned.sort(key=_BY_TIME)
    return Replan(planned, superseded)


def first_overdue_at(deadline: Plannable, settings: GuildSettings) -> dt.datetime:
    """When the first overdue alert goes out.

    A timed deadline: as soon as its time passes. A date-only one: at the first alert time
    after its day ends. A deadline created already past due: at once (its creation).
    """
    return _first_overdue_at(deadline, settings, deadline_zone(deadline, settings))


def _first_overdue_at(deadline: Plannable, settings: GuildSettings, tz: ZoneInfo) -> dt.datetime:
    if deadline.created_at > deadline.due_at:
        return deadline.created_at
    if deadline.has_time:
        return deadline.due_at
    return local_instant(deadline.due + dt.timedelta(days=1), settings.alert_time, tz)


def overdue_alert(deadline: Plannable, settings: GuildSettings, seq: int) -> PlannedAlert:
    """The `seq`th overdue alert (1-based): the first, then one every `overdue_repeat_days`
    at the alert time, starting the day after the first."""
    tz = deadline_zone(deadline, settings)
    return _overdue_alert(settings, tz, _first_overdue_at(deadline, settings, tz), seq)


def _overdue_alert(
    settings: GuildSettings, tz: ZoneInfo, first: dt.datetime, seq: int
) -> PlannedAlert:
    if seq <= 1:
        send_at = first
    else:
        first_day = first.astimezone(tz).date()
        day = first_day + dt.timedelta(days=(seq - 1) * max(1, settings.overdue_repeat_days))
        send_at = local_instant(day, settings.alert_time, tz)
    escalate = seq >= settings.escalate_after
    return PlannedAlert(AlertKind.OVERDUE, send_at, seq=max(1, seq), escalate=escalate)


def next_overdue(
    deadline: Plannable, settings: GuildSettings, *, after: dt.datetime
) -> PlannedAlert:
    """The first overdue alert of the series at or after `after`."""
    return _next_overdue(deadline, settings, deadline_zone(deadline, settings), after=after)


def _next_overdue(
    deadline: Plannable, settings: GuildSettings, tz: ZoneInfo, *, after: dt.datetime
) -> PlannedAlert:
    first = _first_overdue_at(deadline, settings, tz)
    if first >= after:
        return _overdue_alert(settings, tz, first, 1)
    repeat = max(1, settings.overdue_repeat_days)
    days = (after.astimezone(tz).date() - first.astimezone(tz).date()).days
    seq = 1 + max(1, math.ceil(days / repeat))
    alert = _overdue_alert(settings, tz, first, seq)
    while alert.send_at < after:  # at most once or twice: the alert time may be earlier in the day
        seq += 1
        alert = _overdue_alert(settings, tz, first, seq)
    return alert


def plan_many(
    deadlines: Iterable[Plannable], settings: Mapping[int, GuildSettings], *, now: dt.datetime
) -> list[Sequence[PlannedAlert]]:
    """`plan_alerts` for each deadline, with its guild's settings from `settings`.

    Deadlines that agree on everything planning reads share one computation: a bulk import
    of 100,000 deadlines holds a few hundred distinct due dates, so this is ~1 us a deadline
    where planning each is ~12 us. The plans are tuples, since they may be shared.
    """
    memo: dict[tuple[object, ...], Sequence[PlannedAlert]] = {}
    plans: list[Sequence[PlannedAlert]] = []
    for deadline in deadlines:
        key = (
            deadline.guild_id,
            deadline.status,
            deadline.snoozed_until,
            deadline.paused_at,
            deadline.timezone,
            deadline.due,
            deadline.due_at,
            deadline.has_time,
            deadline.created_at,
        )
        plan = memo.get(key)
        if plan is None:
            plan = memo[key] = tuple(plan_alerts(deadline, settings[deadline.guild_id], now=now))
        plans.append(plan)
    return plans
