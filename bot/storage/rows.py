"""Row <-> model mapping: stored instants, column lists, and the functions that turn models
into statement parameters and rows back into models.

Rows are mapped by position where it counts (deadlines and alerts, read by the thousand):
see _deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from bot.deadlines import Recurrence, Rule
from bot.models import (
    AlertKind,
    Board,
    BoardScope,
    CalendarFeed,
    Deadline,
    GuildSettings,
    HistoryEntry,
    Mention,
    MentionKind,
    NewDeadline,
    PlannedAlert,
    Status,
    StoredAlert,
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def ts(instant: dt.datetime) -> int:
    """An instant as stored: whole microseconds since the Unix epoch, UTC."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant must be timezone-aware")
    return (instant - _EPOCH) // _MICROSECOND


def parse_ts(stored: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=stored)


def _opt_ts(stored: int | None) -> dt.datetime | None:
    return None if stored is None else parse_ts(stored)


_DEADLINE_COLUMNS = (
    "guild_id, id, channel_id, title, start_on, rule, calendar, period, due_on, due_at, "
    "has_time, explanation, timezone, mention_kind, mention_id, link, notes, created_by, "
    "status, snoozed_until, revision, created_at, updated_at, allowed_extension, "
    "paused_at, paused_left, preset, stage, stages_left, recurrence, occurrence_on, next_id, "
    "last_day_on"
)
_COLUMN_NAMES = [name.strip() for name in _DEADLINE_COLUMNS.split(",")]
_ALERT_COLUMNS = (
    "id, guild_id, deadline_id, kind, send_at, seq, escalate, days_before, next_attempt_at, "
    "attempts, sent_at, failed_at, error, attempted_at, dm_user_id"
)
_DEADLINE_WIDTH = len(_COLUMN_NAMES)
_ALERT_WIDTH = len(_ALERT_COLUMNS.split(","))


_INSERT_ALERT = """
    INSERT INTO alerts (guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
        next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (guild_id, deadline_id, kind, send_at, ifnull(dm_user_id, 0)) DO NOTHING
"""


def _alert_params(guild_id: int, deadline_id: int, alert: PlannedAlert) -> tuple[Any, ...]:
    return (guild_id, deadline_id, *_alert_values(alert))


def _alert_values(alert: PlannedAlert) -> tuple[Any, ...]:
    """The rest of _INSERT_ALERT's parameters after guild and deadline."""
    send_at = ts(alert.send_at)
    # (.value and int(): sqlite3 takes StrEnums and bools only through its slower adapter path)
    return (alert.kind.value, send_at, alert.seq, int(alert.escalate), alert.days_before, send_at)


@lru_cache(maxsize=1024)
def _explanation_json(explanation: tuple[str, ...]) -> str:
    # Cached: deadlines imported together often share their explanation.
    return json.dumps(list(explanation))


def _deadline_row(d: Deadline | NewDeadline, deadline_id: int) -> tuple[Any, ...]:
    """A deadline as a row, in _DEADLINE_COLUMNS order: the one mapping for inserts (bulk
    ones included, from NewDeadline without building a Deadline) and updates."""
    if isinstance(d, Deadline):
        revision, updated_at = d.revision, d.updated_at
    else:
        revision, updated_at = 0, d.created_at
    mention = d.mention
    return (
        d.guild_id,
        deadline_id,
        d.channel_id,
        d.title,
        d.start.isoformat(),
        d.rule.value,
        d.calendar,
        d.period,
        d.due.isoformat(),
        ts(d.due_at),
        int(d.has_time),
        _explanation_json(d.explanation),
        d.timezone,
        None if mention is None else mention.kind.value,
        None if mention is None else mention.id,
        d.link,
        d.notes,
        d.created_by,
        d.status.value,
        None if d.snoozed_until is None else ts(d.snoozed_until),
        revision,
        ts(d.created_at),
        ts(updated_at),
        d.allowed_extension,
        None if d.paused_at is None else ts(d.paused_at),
        d.paused_left,
        d.preset,
        d.stage,
        d.stages_left,
        recurrence_json(d.recurrence),
        None if d.occurrence_on is None else d.occurrence_on.isoformat(),
        d.next_id if isinstance(d, Deadline) else None,
        None if d.last_day is None else d.last_day.isoformat(),
    )


def recurrence_json(recurrence: Recurrence | None) -> str | None:
    """A repeat as stored: its rule, first date and words (and the business flag)."""
    if recurrence is None:
        return None
    value: dict[str, Any] = {
        "rrule": recurrence.rule,
        "start": recurrence.start.isoformat(),
        "words": recurrence.words,
    }
    if recurrence.business:
        value["business"] = True
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1024)
def _recurrence(stored: str | None) -> Recurrence | None:
    if stored is None:
        return None
    value = json.loads(stored)
    return Recurrence(
        value["rrule"], dt.date.fromisoformat(value["start"]), value["words"],
        bool(value.get("business")),
    )  # fmt: skip


# Stored text -> enum member; a dict lookup is ~15x cheaper than calling the Enum class.
_RULES = {member.value: member for member in Rule}
_STATUSES = {member.value: member for member in Status}
_MENTION_KINDS = {member.value: member for member in MentionKind}
_ALERT_KINDS = {member.value: member for member in AlertKind}


def _deadline(row: Sequence[Any], at: int = 0) -> Deadline:
    """A deadline from `row[at:]`, which holds _DEADLINE_COLUMNS in order.

    By position, not by name: sqlite3.Row finds a name by scanning every column, which made
    mapping a 36-column claim row cost ~50 us (a 500-alert claim held the event loop ~25 ms).
    """
    (
        guild_id, deadline_id, channel_id, title, start_on, rule, calendar, period, due_on,
        due_at, has_time, explanation, timezone, mention_kind, mention_id, link, notes,
        created_by, status, snoozed_until, revision, created_at, updated_at, allowed_extension,
        paused_at, paused_left, preset, stage, stages_left, recurrence, occurrence_on, next_id,
        last_day_on,
    ) = tuple(row)[at : at + _DEADLINE_WIDTH]  # fmt: skip
    return Deadline(
        guild_id=guild_id,
        id=deadline_id,
        channel_id=channel_id,
        title=title,
        start=dt.date.fromisoformat(start_on),
        rule=_RULES[rule],
        calendar=calendar,
        period=period,
        due=dt.date.fromisoformat(due_on),
        due_at=parse_ts(due_at),
        has_time=bool(has_time),
        explanation=tuple(json.loads(explanation)),
        timezone=timezone,
        mention=None if mention_kind is None else Mention(_MENTION_KINDS[mention_kind], mention_id),
        link=link,
        notes=notes,
        created_by=created_by,
        status=_STATUSES[status],
        snoozed_until=_opt_ts(snoozed_until),
        revision=revision,
        created_at=parse_ts(created_at),
        updated_at=parse_ts(updated_at),
        allowed_extension=allowed_extension,
        paused_at=_opt_ts(paused_at),
        paused_left=paused_left,
        preset=preset,
        stage=stage,
        stages_left=stages_left,
        recurrence=_recurrence(recurrence),
        occurrence_on=None if occurrence_on is None else dt.date.fromisoformat(occurrence_on),
        next_id=next_id,
        last_day=None if last_day_on is None else dt.date.fromisoformat(last_day_on),
    )


_BOARD_COLUMNS = "guild_id, channel_id, message_id, scope, created_by, created_at"


def _board(row: sqlite3.Row) -> Board:
    return Board(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        scope=BoardScope(row["scope"]),
        created_by=row["created_by"],
        created_at=parse_ts(row["created_at"]),
    )


def _history(row: sqlite3.Row) -> HistoryEntry:
    return HistoryEntry(
        guild_id=row["guild_id"],
        deadline_id=row["deadline_id"],
        at=parse_ts(row["at"]),
        actor_id=row["actor_id"],
        action=row["action"],
        detail=row["detail"],
    )


_FEED_COLUMNS = "guild_id, token_hash, name, created_at, created_by"


def _feed(row: sqlite3.Row) -> CalendarFeed:
    return CalendarFeed(
        guild_id=row["guild_id"],
        token_hash=row["token_hash"],
        name=row["name"],
        created_at=parse_ts(row["created_at"]),
        created_by=row["created_by"],
    )


def _alert(row: Sequence[Any], at: int = 0) -> StoredAlert:
    """An alert from `row[at:]`, which holds _ALERT_COLUMNS in order (see _deadline)."""
    (
        alert_id, guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
        next_attempt_at, attempts, sent_at, failed_at, error, attempted_at, dm_user_id,
    ) = tuple(row)[at : at + _ALERT_WIDTH]  # fmt: skip
    return StoredAlert(
        id=alert_id,
        guild_id=guild_id,
        deadline_id=deadline_id,
        kind=_ALERT_KINDS[kind],
        send_at=parse_ts(send_at),
        seq=seq,
        escalate=bool(escalate),
        days_before=days_before,
        next_attempt_at=parse_ts(next_attempt_at),
        attempts=attempts,
        sent_at=_opt_ts(sent_at),
        failed_at=_opt_ts(failed_at),
        error=error,
        attempted_at=_opt_ts(attempted_at),
        dm_user_id=dm_user_id,
    )


def _settings(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        timezone=row["timezone"],
        alert_time=dt.time.fromisoformat(row["alert_time"]),
        reminder_days=tuple(json.loads(row["reminder_days"])),
        calendar=row["calendar"],
        counting=Rule(row["counting"]),
        default_channel_id=row["default_channel_id"],
        manager_role_id=row["manager_role_id"],
        escalation_role_id=row["escalation_role_id"],
        escalate_after=row["escalate_after"],
        overdue_repeat_days=row["overdue_repeat_days"],
        digest_enabled=bool(row["digest_enabled"]),
    )
