"""What the dispatcher writes once alerts have been tried: pure, so every case is tested.

A `Group` is the alerts of one deadline handed to a sender together (missed ones collapse
into one notice); its `Outcome` says what happened. A `Batch` is the groups of one target
channel due at one instant, handed over together: they go out in as few messages as
Discord's limits allow, and each group still gets its own Outcome. `outcome_rows` turns a
batch of outcomes into the rows one transaction writes: sent, failed, put off for a retry,
dropped (the deadline changed meanwhile), the next overdue alert of each series, and the
history entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
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
    # What the check for earlier copies found (alert id -> message) and its note, once made.
    earlier: tuple[dict[int, int], str | None] | None = None

    @property
    def ids(self) -> list[int]:
        return [alert.id for alert in self.alerts]

    @property
    def dm_user_id(self) -> int | None:
        """Whose DM copies these are (a group is all copies to one user, or all channel
        alerts: never both); None for the channel's alerts."""
        return self.alerts[0].dm_user_id if self.alerts else None

    @property
    def lane(self) -> int:
        """Where it goes, for one send at a time per destination: the channel's id, or for
        DM copies the user's id negated (ids are positive, so the two never meet)."""
        dm = self.dm_user_id
        return self.deadline.channel_id if dm is None else -dm

    @property
    def channel_id(self) -> int:
        """The deadline's alert channel (a DM copy's too: where its deadline is)."""
        return self.deadline.channel_id


@dataclass(slots=True)
class Batch:
    """The groups of one destination due at one instant, handed to a sender together: the
    channel's alerts of several deadlines, or one deadline's DM copies to one member (a DM
    copy always goes alone)."""

    groups: list[Group]

    @property
    def ids(self) -> list[int]:
        return [alert_id for group in self.groups for alert_id in group.ids]

    @property
    def lane(self) -> int:
        return self.groups[0].lane


@dataclass(slots=True)
class Outcome:
    """What became of one group."""

    group: Group
    at: dt.datetime
    message_id: int | None = None  # sent
    error: str | None = None
    retry_at: dt.datetime | None = None  # transient failure: try again then
    fallback_message_id: int | None = None  # permanent failure, posted in the default channel
    skipped: bool = False  # the deadline was closed, snoozed or paused after the alert was claimed
    released: bool = False  # not sent: the deadline changed after it was handed over
    # Alerts whose message an earlier, unrecorded send had already posted (found in the
    # channel): alert id -> that message. The rest of the group, if any, is what was sent.
    found: dict[int, int] = field(default_factory=dict)
    note: str | None = None  # said in the history entry (e.g. why no check was possible)
    # A DM copy refused because its member can no longer see the channel: their copies stop.
    stop_copies: bool = False


@dataclass(slots=True)
class OutcomeRows:
    """What one transaction writes for a batch of outcomes (the Transaction methods' rows)."""

    # (guild, alert, ...): a result is written to the alert it is the result of, matched on
    # more than its id (AlertQueries.mark_sent).
    sent: list[tuple[int, StoredAlert, dt.datetime, int]] = field(default_factory=list)
    failed: list[tuple[int, StoredAlert, dt.datetime, str]] = field(default_factory=list)
    retry: list[tuple[int, StoredAlert, dt.datetime, str]] = field(default_factory=list)
    dropped: list[tuple[int, int]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)  # alert ids to claim afresh
    # (guild, deadline, the due time it was planned from, alert): see plan_if_active.
    following: list[tuple[int, int, dt.datetime, PlannedAlert]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    # (guild, deadline, user): a member whose DM copies of the deadline stop (Outcome.stop_copies)
    stopped_copies: list[tuple[int, int, int]] = field(default_factory=list)


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
        found = outcome.found
        # A member's DM copies stay out of the deadline's history, which everyone who runs
        # `status` reads: whose DMs are closed is theirs to know (status tells them alone).
        told = history if group.dm_user_id is None else []
        if found:
            sent += [(guild_id, a, outcome.at, found[a.id]) for a in group.alerts if a.id in found]
            told.append(found_history(group, outcome))
        rest = [a for a in group.alerts if a.id not in found]
        if not rest:
            pass  # all of it was posted before
        elif outcome.retry_at is not None:
            error = outcome.error or ""
            retry += [(guild_id, a, outcome.retry_at, error) for a in rest]
            continue
        elif outcome.message_id is not None:
            sent += [(guild_id, a, outcome.at, outcome.message_id) for a in rest]
            told.append(alert_history(group, outcome, "alert sent", skip=found))
        else:
            failed += [(guild_id, a, outcome.at, outcome.error or "") for a in rest]
            told.append(alert_history(group, outcome, "alert failed", skip=found))
            if outcome.stop_copies and group.dm_user_id is not None:
                rows.stopped_copies.append((guild_id, group.deadline.id, group.dm_user_id))
            if outcome.fallback_message_id is not None:
                told.append(
                    alert_history(group, outcome, "alert sent to the default channel", skip=found)
                )
        if any(alert.kind is AlertKind.OVERDUE for alert in group.alerts):
            # The overdue series is planned one alert at a time: the next one after now (the
            # channel's alert, which the storage copies for DMs as it plans it; a DM group
            # plans the same one, a no-op when the channel's group did it first).
            after = max(outcome.at, *(a.send_at for a in group.alerts)) + ONE_MICROSECOND
            nxt = next_overdue(group.deadline, group.settings, after=after)
            # Only while the deadline is still due when the sender was handed it: one changed
            # meanwhile was replanned, overdue series and all (plan_if_active).
            following.append((guild_id, group.deadline.id, group.deadline.due_at, nxt))
    return rows


def observe(observer: DispatchObserver, batch: Sequence[Outcome]) -> None:
    """Tell the metrics what became of each group."""
    for outcome in batch:
        if outcome.skipped or outcome.released or outcome.group.dm_user_id is not None:
            continue  # (DM copies are not the channel alerts the metrics count)
        rest = [a for a in outcome.group.alerts if a.id not in outcome.found]
        if not rest:
            continue  # posted by an earlier run, and counted there if it got that far
        latest = max(rest, key=lambda a: a.send_at)
        kind = latest.kind.value
        if outcome.retry_at is not None:
            observer.alert_retried(kind)
        elif outcome.message_id is not None:
            late = (outcome.at - latest.send_at).total_seconds()
            observer.alert_sent(kind, late, len(rest))
        else:
            observer.alert_failed(kind, len(rest))


def alert_history(
    group: Group, outcome: Outcome, action: str, *, skip: Collection[int] = ()
) -> HistoryEntry:
    """The history entry saying what became of the group's alerts (but those in `skip`)."""
    alerts = [a for a in group.alerts if a.id not in skip]
    return _history(group, outcome, action, alerts, outcome.error, outcome.note)


def found_history(group: Group, outcome: Outcome) -> HistoryEntry:
    """The history entry for the alerts an earlier, unrecorded send had posted."""
    alerts = [a for a in group.alerts if a.id in outcome.found]
    messages = ", ".join(str(m) for m in sorted(set(outcome.found.values())))
    where = f"message{'s' if ',' in messages else ''} {messages}"
    detail = f"found in the channel ({where}) after an unrecorded send; not posted again"
    return _history(group, outcome, "alert already posted", alerts, detail)


def _history(
    group: Group, outcome: Outcome, action: str, alerts: Sequence[StoredAlert], *after: str | None
) -> HistoryEntry:
    kinds = ", ".join(sorted({alert.kind.value for alert in alerts}))
    detail = kinds if len(alerts) == 1 else f"{len(alerts)} alerts collapsed: {kinds}"
    for part in after:
        if part:
            detail += f": {part}"
    return HistoryEntry(
        group.deadline.guild_id, group.deadline.id, outcome.at, None, action, detail[:1000]
    )
