"""What the dispatcher writes once alerts have been tried: pure, so every case is tested.

A `Group` is the alerts of one deadline handed to a sender together (missed ones collapse
into one message); its `Outcome` says what happened. `outcome_rows` turns a batch of outcomes
into the rows one transaction writes: sent, failed, put off for a retry, dropped (the deadline
changed meanwhile), the next overdue alert of each series, and the history entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.models import (
    AlertKind,
    Deadline,
    GuildSettings,
    HistoryEntry,
    PlannedAlert,
    StoredAlert,
)
from bot.notices import AlertNotice, DispatchObserver
from bot.planning import next_overdue

ONE_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(slots=True)
class Group:
    """The alerts of one deadline, handed to a sender together."""

    deadline: Deadline
    settings: GuildSettings
    alerts: list[StoredAlert]
    due_at: dt.datetime  # when to hand it over
    notice: AlertNotice | None = None  # built ahead, for `due_at`
    handed_at: int = 0  # the dispatcher's change count when it went to a sender

    @property
    def ids(self) -> list[int]:
        return [alert.id for alert in self.alerts]


@dataclass(slots=True)
class Outcome:
    """What became of one group."""

    group: Group
    at: dt.datetime
    message_id: int | None = None  # sent
    error: str | None = None
    retry_at: dt.datetime | None = None  # transient failure: try again then
    fallback_message_id: int | None = None  # permanent failure, posted in the default channel
    skipped: bool = False  # the deadline was closed or snoozed after the alert was claimed
    released: bool = False  # not sent: the deadline changed after it was handed over


@dataclass(slots=True)
class OutcomeRows:
    """What one transaction writes for a batch of outcomes (the Transaction methods' rows)."""

    sent: list[tuple[int, int, dt.datetime, int]] = field(default_factory=list)
    failed: list[tuple[int, int, dt.datetime, str]] = field(default_factory=list)
    retry: list[tuple[int, int, dt.datetime, str]] = field(default_factory=list)
    dropped: list[tuple[int, int]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)  # alert ids to claim afresh
    following: list[tuple[int, int, PlannedAlert]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


def outcome_rows(batch: Sequence[Outcome]) -> OutcomeRows:
    """The rows to write for `batch`; the overdue series is planned one alert at a time."""
    rows = OutcomeRows()
    sent, failed, retry = rows.sent, rows.failed, rows.retry
    dropped, following, history = rows.dropped, rows.following, rows.history
    for outcome in batch:
        group = outcome.group
        guild_id = group.deadline.guild_id
        if outcome.skipped:
            dropped += [(guild_id, alert_id) for alert_id in group.ids]
            continue
        if outcome.released:
            rows.released += group.ids
            continue
        if outcome.retry_at is not None:
            error = outcome.error or ""
            retry += [(guild_id, i, outcome.retry_at, error) for i in group.ids]
            continue
        if outcome.message_id is not None:
            sent += [(guild_id, i, outcome.at, outcome.message_id) for i in group.ids]
            history.append(alert_history(group, outcome, "alert sent"))
        else:
            failed += [(guild_id, i, outcome.at, outcome.error or "") for i in group.ids]
            history.append(alert_history(group, outcome, "alert failed"))
            if outcome.fallback_message_id is not None:
                history.append(alert_history(group, outcome, "alert sent to the default channel"))
        if any(alert.kind is AlertKind.OVERDUE for alert in group.alerts):
            # The overdue series is planned one alert at a time: the next one after now.
            after = max(outcome.at, *(a.send_at for a in group.alerts)) + ONE_MICROSECOND
            nxt = next_overdue(group.deadline, group.settings, after=after)
            following.append((guild_id, group.deadline.id, nxt))
    return rows


def observe(observer: DispatchObserver, batch: Sequence[Outcome]) -> None:
    """Tell the metrics what became of each group."""
    for outcome in batch:
        if outcome.skipped or outcome.released:
            continue
        latest = max(outcome.group.alerts, key=lambda a: a.send_at)
        kind = latest.kind.value
        if outcome.retry_at is not None:
            observer.alert_retried(kind)
        elif outcome.message_id is not None:
            late = (outcome.at - latest.send_at).total_seconds()
            observer.alert_sent(kind, late, len(outcome.group.alerts))
        else:
            observer.alert_failed(kind, len(outcome.group.alerts))


def alert_history(group: Group, outcome: Outcome, action: str) -> HistoryEntry:
    kinds = ", ".join(sorted({alert.kind.value for alert in group.alerts}))
    detail = kinds if len(group.alerts) == 1 else f"{len(group.alerts)} alerts collapsed: {kinds}"
    if outcome.error:
        detail += f": {outcome.error}"
    return HistoryEntry(
        group.deadline.guild_id, group.deadline.id, outcome.at, None, action, detail[:1000]
    )
