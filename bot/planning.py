"""Pure alert planning: which alerts a deadline gets, and when. No clock, no I/O.

Alert times are wall-clock times in the deadline's zone (its own, else the guild's), so 09:00
stays 09:00 across daylight-saving changes. The overdue series is infinite; it is planned one
alert at a time (`next_overdue`), so the alerts table stays a few rows per deadline.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from bot.deadlines import zone
from bot.models import AlertKind, Deadline, GuildSettings, PlannedAlert, Status

HOUR_BEFORE = dt.timedelta(hours=1)


def deadline_zone(deadline: Deadline, settings: GuildSettings) -> ZoneInfo:
    return zone(deadline.timezone or settings.timezone)


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """`at` o'clock on `day` in `tz`, as UTC."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


def plan_alerts(
    deadline: Deadline, settings: GuildSettings, *, now: dt.datetime
) -> list[PlannedAlert]:
    """Alerts `deadline` should get from `now` on, sorted by time; empty unless active.

    Reminders at the alert time N days before the due date, one an hour before a timed
    deadline, "due today" at the alert time on the due date, and the next overdue alert.
    Nothing before `now` or before the deadline's snooze ends.
    """
    if deadline.status is not Status.ACTIVE:
        return []
    tz = deadline_zone(deadline, settings)
    floor = max(now, deadline.snoozed_until or now)
    planned: list[PlannedAlert] = []
    for days in sorted(set(settings.reminder_days), reverse=True):
        if days <= 0:
            continue
        at = local_instant(deadline.due - dt.timedelta(days=days), settings.alert_time, tz)
        if floor <= at < deadline.due_at:
            planned.append(PlannedAlert(AlertKind.REMINDER, at, days_before=days))
    due_today = local_instant(deadline.due, settings.alert_time, tz)
    if floor <= due_today < deadline.due_at:
        planned.append(PlannedAlert(AlertKind.DUE_TODAY, due_today))
    if deadline.has_time and floor <= deadline.due_at - HOUR_BEFORE:
        planned.append(PlannedAlert(AlertKind.HOUR_BEFORE, deadline.due_at - HOUR_BEFORE))
    planned.append(next_overdue(deadline, settings, after=floor))
    return sorted(planned, key=lambda alert: alert.send_at)


def first_overdue_at(deadline: Deadline, settings: GuildSettings) -> dt.datetime:
    """When the first overdue alert goes out.

    A timed deadline: as soon as its time passes. A date-only one: at the first alert time
    after its day ends. A deadline created already past due: at once (its creation).
    """
    if deadline.created_at > deadline.due_at:
        return deadline.created_at
    if deadline.has_time:
        return deadline.due_at
    tz = deadline_zone(deadline, settings)
    return local_instant(deadline.due + dt.timedelta(days=1), settings.alert_time, tz)


def overdue_alert(deadline: Deadline, settings: GuildSettings, seq: int) -> PlannedAlert:
    """The `seq`th overdue alert (1-based): the first, then one every `overdue_repeat_days`
    at the alert time, starting the day after the first."""
    first = first_overdue_at(deadline, settings)
    if seq <= 1:
        send_at = first
    else:
        tz = deadline_zone(deadline, settings)
        first_day = first.astimezone(tz).date()
        day = first_day + dt.timedelta(days=(seq - 1) * max(1, settings.overdue_repeat_days))
        send_at = local_instant(day, settings.alert_time, tz)
    escalate = seq >= settings.escalate_after
    return PlannedAlert(AlertKind.OVERDUE, send_at, seq=max(1, seq), escalate=escalate)


def next_overdue(
    deadline: Deadline, settings: GuildSettings, *, after: dt.datetime
) -> PlannedAlert:
    """The first overdue alert of the series at or after `after`."""
    first = first_overdue_at(deadline, settings)
    if first >= after:
        return overdue_alert(deadline, settings, 1)
    tz = deadline_zone(deadline, settings)
    repeat = max(1, settings.overdue_repeat_days)
    days = (after.astimezone(tz).date() - first.astimezone(tz).date()).days
    seq = 1 + max(1, math.ceil(days / repeat))
    alert = overdue_alert(deadline, settings, seq)
    while alert.send_at < after:  # at most once or twice: the alert time may be earlier in the day
        seq += 1
        alert = overdue_alert(deadline, settings, seq)
    return alert
