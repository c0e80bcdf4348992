"""Frozen value types shared by the layers: deadlines, alerts, guild settings, history.

Instants end in `_at` and are timezone-aware UTC; dates are plain `date`s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from bot.deadlines import DEFAULT_CALENDAR, DEFAULT_TIMEZONE, DueDate, Recurrence, Rule
from bot.deadlines.tolling import DaysLeft, time_text


class Status(StrEnum):
    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


class AlertKind(StrEnum):
    REMINDER = "reminder"  # N days before the due date, at the alert time
    HOUR_BEFORE = "hour_before"  # one hour before a deadline with an explicit time
    DUE_TODAY = "due_today"  # at the alert time on the due date
    OVERDUE = "overdue"  # after the deadline passed, repeated until done


class ListFilter(StrEnum):
    """Which deadlines `/deadline list` shows."""

    ACTIVE = "active"
    OVERDUE = "overdue"  # active and past due
    DONE = "done"
    ALL = "all"


class MentionKind(StrEnum):
    ROLE = "role"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Mention:
    """Who an alert pings: one role or one user, never anything named in user text."""

    kind: MentionKind
    id: int


@dataclass(frozen=True, slots=True)
class GuildDefaults:
    """What every guild starts with until someone changes its settings (from config)."""

    timezone: str = DEFAULT_TIMEZONE
    alert_time: dt.time = dt.time(9, 0)
    reminder_days: tuple[int, ...] = (7, 3, 1)
    calendar: str = DEFAULT_CALENDAR
    counting: Rule = Rule.CALENDAR
    # What "COB", "close of business" and "EOD" in a phrase mean.
    close_of_business: dt.time = dt.time(17, 0)
    # How long a repeating deadline's occurrence may be overdue before the next one becomes
    # current (the overdue one stays, listed as missed).
    repeat_grace_days: int = 1


# GuildDefaults is the one declaration of these values: GuildSettings and the config's
# [defaults] section take theirs from an instance of it.
_DEFAULTS = GuildDefaults()


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    timezone: str = _DEFAULTS.timezone
    alert_time: dt.time = _DEFAULTS.alert_time
    reminder_days: tuple[int, ...] = _DEFAULTS.reminder_days
    calendar: str = _DEFAULTS.calendar
    counting: Rule = _DEFAULTS.counting
    default_channel_id: int | None = None
    manager_role_id: int | None = None
    escalation_role_id: int | None = None
    escalate_after: int = 3
    overdue_repeat_days: int = 1
    digest_enabled: bool = False

    @classmethod
    def from_defaults(cls, guild_id: int, defaults: GuildDefaults) -> GuildSettings:
        return cls(
            guild_id=guild_id,
            timezone=defaults.timezone,
            alert_time=defaults.alert_time,
            reminder_days=defaults.reminder_days,
            calendar=defaults.calendar,
            counting=defaults.counting,
        )


@dataclass(frozen=True, slots=True)
class NewDeadline:
    """A deadline about to be stored: everything but the id and bookkeeping."""

    guild_id: int
    channel_id: int
    title: str
    start: dt.date
    rule: Rule
    calendar: str
    period: str
    due: dt.date
    due_at: dt.datetime
    has_time: bool
    explanation: tuple[str, ...]
    created_by: int
    created_at: dt.datetime
    timezone: str | None = None  # overrides the guild's zone for this deadline
    mention: Mention | None = None
    link: str | None = None
    notes: str | None = None
    allowed_extension: str | None = None  # "15 days": what the law allows, not yet used
    preset: str | None = None  # the records-law preset it was counted by ('ny')
    stage: int = 0  # the preset's stage it is in (0: the first)
    stages_left: int = 0  # the preset's stages after this one
    recurrence: Recurrence | None = None  # a repeat: this is its occurrence of `occurrence_on`
    occurrence_on: dt.date | None = None
    last_day: dt.date | None = None  # a roll/court rule's last day before its roll

    # What a new deadline is once stored, so planning can take either (bulk import plans
    # alerts before the ids exist).
    @property
    def status(self) -> Status:
        return Status.ACTIVE

    @property
    def snoozed_until(self) -> dt.datetime | None:
        return None

    @property
    def paused_at(self) -> dt.datetime | None:
        return None

    @property
    def paused_left(self) -> int | None:
        return None

    def stored(self, deadline_id: int) -> Deadline:
        """This deadline as stored under `deadline_id`."""
        return Deadline(
            guild_id=self.guild_id,
            id=deadline_id,
            channel_id=self.channel_id,
            title=self.title,
            start=self.start,
            rule=self.rule,
            calendar=self.calendar,
            period=self.period,
            due=self.due,
            due_at=self.due_at,
            has_time=self.has_time,
            explanation=self.explanation,
            created_by=self.created_by,
            created_at=self.created_at,
            updated_at=self.created_at,
            timezone=self.timezone,
            mention=self.mention,
            link=self.link,
            notes=self.notes,
            allowed_extension=self.allowed_extension,
            preset=self.preset,
            stage=self.stage,
            stages_left=self.stages_left,
            recurrence=self.recurrence,
            occurrence_on=self.occurrence_on,
            last_day=self.last_day,
        )


@dataclass(frozen=True, slots=True)
class Deadline:
    guild_id: int
    id: int  # short, per guild: what users type as #12
    channel_id: int
    title: str
    start: dt.date
    rule: Rule
    calendar: str
    period: str
    due: dt.date
    due_at: dt.datetime
    has_time: bool
    explanation: tuple[str, ...]
    created_by: int
    created_at: dt.datetime
    updated_at: dt.datetime
    status: Status = Status.ACTIVE
    timezone: str | None = None
    mention: Mention | None = None
    link: str | None = None
    notes: str | None = None
    snoozed_until: dt.datetime | None = None
    revision: int = 0  # bumped on every change (ICS SEQUENCE)
    allowed_extension: str | None = None  # "15 days": what the law allows, not yet used
    # Tolling (`/deadline pause`): since when the clock is stopped, and the days of the
    # deadline's rule it had left then (business days under the business rule). While
    # paused, `due` and `due_at` are the dates as they stood at the pause.
    paused_at: dt.datetime | None = None
    paused_left: int | None = None
    # A records-law preset's stages (migration 13): which preset, the stage it is in (0: the
    # first; `due` is that stage's), and how many come after it. Marking it done moves it to
    # the next; the last one done closes it.
    preset: str | None = None
    stage: int = 0
    stages_left: int = 0

    @property
    def staged(self) -> bool:
        """Counted by a preset with more than one stage."""
        return self.preset is not None and self.stage + self.stages_left > 0

    # A repeating deadline is one row per occurrence: `recurrence` and the rule's date this
    # one is (`occurrence_on`, before counting: a Sunday 10th due Monday the 11th is the
    # 10th's). When the series moves on (done, or missed past the grace) the next occurrence
    # is a new deadline, `next_id`; the current occurrence is the one without a next.
    recurrence: Recurrence | None = None
    occurrence_on: dt.date | None = None
    next_id: int | None = None
    # Migration 16: under the roll and court rules, the period's last day before the roll
    # moved it to `due` (a Sunday, a holiday); None when `due` is the last day. Pausing counts
    # the days left to it; resuming and extending count from it and roll once at the end.
    last_day: dt.date | None = None

    @property
    def statutory_last_day(self) -> dt.date:
        """The period's own last day: `last_day` when a roll moved `due` past it, else
        `due` (also when `last_day` does not belong to this due date any more)."""
        # A roll crosses a weekend and a few holidays at most; a `last_day` further back
        # belongs to an older due date (a change that forgot it): the due date stands.
        if self.last_day is not None and 0 < (self.due - self.last_day).days <= 7:
            return self.last_day
        return self.due

    @property
    def repeating(self) -> bool:
        """The current occurrence of a repeat (the series goes on from it)."""
        return self.recurrence is not None and self.next_id is None

    def missed(self, *, now: dt.datetime) -> bool:
        """An overdue occurrence the series has moved on from."""
        return self.next_id is not None and self.is_overdue(now=now)

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def days_left(self) -> DaysLeft | None:
        """What a paused deadline has left; None if it is not paused."""
        if self.paused_at is None:
            return None
        return DaysLeft(self.paused_left or 0, self.rule is Rule.BUSINESS)

    def left_text(self) -> str:
        """What a paused deadline has left, in words: '7 business days', or for a timed one
        paused on its due day the time to its hour ('3 h 00 min'); '' if not paused."""
        left = self.days_left()
        if left is None or self.paused_at is None:
            return ""
        if self.has_time and left.days == 0:
            return time_text(self.due_at - self.paused_at)
        return left.describe()

    def is_overdue(self, *, now: dt.datetime) -> bool:
        """Active and past due; a paused deadline never is (its clock is stopped)."""
        return self.status is Status.ACTIVE and self.paused_at is None and self.due_at < now


class PlannedAlert(NamedTuple):
    """One alert a deadline should get; `key` identifies it so replanning is idempotent.

    A NamedTuple, not a frozen dataclass like its neighbours: a bulk import makes ~500,000
    of these, and a frozen dataclass costs 1.1 us each to build here against 0.4 us.
    """

    kind: AlertKind
    send_at: dt.datetime
    seq: int = 0  # the overdue alert's number in its series (1, 2, ...); 0 otherwise
    escalate: bool = False
    days_before: int = 0

    @property
    def key(self) -> str:
        return f"{self.kind.value}@{self.send_at.strftime('%Y%m%dT%H%M%S')}"


@dataclass(frozen=True, slots=True)
class StoredAlert:
    id: int
    guild_id: int
    deadline_id: int
    kind: AlertKind
    send_at: dt.datetime
    seq: int
    escalate: bool
    days_before: int
    next_attempt_at: dt.datetime
    attempts: int = 0
    sent_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None
    error: str | None = None
    # Since when a message for it may be in its channel though none was recorded (a crash
    # or stop mid-send, or a retried send): checked for before it is sent again.
    attempted_at: dt.datetime | None = None
    # A personal copy of the deadline's alert, by direct message to this user (issue 18);
    # None: the alert posted in the deadline's channel.
    dm_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class DmCopies:
    """One member's direct-message copies of a deadline's alerts, as `status` tells them:
    whether they get them, and what became of the latest copy (sent, or refused)."""

    on: bool
    last_sent_at: dt.datetime | None = None
    last_failed_at: dt.datetime | None = None
    last_error: str | None = None

    @property
    def failed_last(self) -> bool:
        """Did the latest copy fail (rather than go out)?"""
        return self.last_failed_at is not None and (
            self.last_sent_at is None or self.last_failed_at > self.last_sent_at
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    guild_id: int
    deadline_id: int | None
    at: dt.datetime
    actor_id: int | None  # None: the bot itself
    action: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """Everything `/deadline status` shows about one deadline."""

    deadline: Deadline
    next_alerts: tuple[StoredAlert, ...]
    history: tuple[HistoryEntry, ...]
    # The DM copies of the member who asked (None: they have none, and never had).
    dm: DmCopies | None = None
    # A repeat's current occurrence: its due date and the next ones (three in all).
    upcoming: tuple[DueDate, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    deadlines: tuple[Deadline, ...]
    page: int
    pages: int
    total: int
    overdue_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class GuildVersion:
    """A guild's change counters, kept by the storage (migration 8): `version` grows with every
    change to its deadlines, settings or feed, at `changed_at`; `alarms_version` with every
    settings change that rewrites the events' alarms, at `alarms_changed_at`."""

    version: int = 0
    changed_at: dt.datetime | None = None
    alarms_version: int = 0
    alarms_changed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DeadlineExport:
    """A guild's deadlines, soonest first, with the settings their alarms and times follow."""

    settings: GuildSettings
    deadlines: tuple[Deadline, ...]
    name: str = ""  # the calendar's name, e.g. the server's; empty: "Deadline Desk"
    versions: GuildVersion = GuildVersion()
    # A feed updates earlier subscriptions: a deadline done there is CANCELLED, so calendars
    # drop it (a file of everything keeps it CONFIRMED, titled "Done: ...").
    closed_as_cancelled: bool = False


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """A guild's calendar feed. Only the SHA-256 of its secret token is ever stored."""

    guild_id: int
    token_hash: str
    name: str
    created_at: dt.datetime
    created_by: int | None = None


@dataclass(frozen=True, slots=True)
class FeedAccess:
    """What `/deadline settings calendar-feed` returns: the feed, and its token when new.

    `token` is set only when the feed was just created or rotated: it cannot be recovered
    later, because only its hash is stored.
    """

    feed: CalendarFeed
    token: str | None = None
    rotated: bool = False


class BoardScope(StrEnum):
    CHANNEL = "channel"  # the active deadlines whose alerts go to the board's channel
    ALL = "all"  # every active deadline of the guild


@dataclass(frozen=True, slots=True)
class Board:
    """A live board: one message the bot keeps up to date with a list of active deadlines."""

    guild_id: int
    channel_id: int
    message_id: int
    scope: BoardScope
    created_at: dt.datetime
    created_by: int | None = None
