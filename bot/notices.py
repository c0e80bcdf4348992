"""What the dispatcher hands over and how: the notice of one alert message, the Notifier that
posts it (and the daily digest), the send errors a notifier raises, and the observer told
about each alert's fate (metrics).

Pure: no storage, no Discord, no event loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.models import AlertKind, Deadline, GuildSettings, Mention, MentionKind, StoredAlert


class SendError(Exception):
    """A notifier could not deliver a message."""


class TransientSendError(SendError):
    """Worth retrying: timeout, 5xx, rate limit."""


class PermanentSendError(SendError):
    """Retrying will not help: the channel is gone or the bot may not post there."""


class RecipientRefused(PermanentSendError):
    """Discord refused a direct message to the user (50007: DMs closed to the bot, or no
    server shared with it): that copy fails, and is never posted anywhere else."""


class ReaderCannotSee(RecipientRefused):
    """The member may no longer see the deadline's alert channel (View Channel taken away,
    or they left the server): that copy fails, and their copies of the deadline stop, since
    a copy must not show anyone what the channel hides from them."""


class InvalidMessage(PermanentSendError):
    """Discord refused the message itself (400: its body), not the channel: the same alerts
    may still go out in other messages."""


class HistoryUnavailable(SendError):
    """The channel's messages cannot be read through (no Read Message History there, or too
    many posted since): whether an earlier copy of an alert is there is not known."""


@dataclass(frozen=True, slots=True)
class AlertNotice:
    """One alert message to post: what the notifier renders. Several missed alerts of one
    deadline collapse into one notice (`collapsed` > 1)."""

    alert_id: int
    nonce: str  # derived from the alert id; at most 25 characters (Discord's limit)
    guild_id: int
    channel_id: int
    deadline: Deadline
    kind: AlertKind
    seq: int
    days_before: int
    collapsed: int
    planned_at: dt.datetime
    now: dt.datetime
    mention: Mention | None
    escalation_role_id: int | None = None
    fallback: bool = False  # posted in the default channel because the deadline's failed
    # A DM copy (issue 18): sent to this user alone, pinging nobody; `channel_id` stays the
    # deadline's channel, which the copy names.
    dm_user_id: int | None = None

    @property
    def late_by(self) -> dt.timedelta:
        return max(dt.timedelta(0), self.now - self.planned_at)

    @property
    def pings(self) -> tuple[Mention, ...]:
        """Who this alert pings, each once: the deadline's mention, then the escalation role
        when escalating (the same role as both is one ping, and one entry in Discord's
        allowed mentions, whose lists must not repeat an id)."""
        found: list[Mention] = []
        if self.mention is not None:
            found.append(self.mention)
        if self.escalation_role_id is not None:
            escalation = Mention(MentionKind.ROLE, self.escalation_role_id)
            if escalation not in found:
                found.append(escalation)
        return tuple(found)

    @property
    def overdue_by(self) -> dt.timedelta | None:
        return self.now - self.deadline.due_at if self.now > self.deadline.due_at else None


class Notifier(Protocol):
    async def send_alert(self, notice: AlertNotice) -> int:
        """Post the notice; return the message id. Raise Transient/PermanentSendError.
        The message shows the notice's nonce as its reference (see `find_posted`)."""
        ...

    async def send_alerts(self, notices: Sequence[AlertNotice], *, nonce: str) -> int:
        """Post the notices (several deadlines' alerts, one channel) as one message with
        `nonce`; return its id. Each deadline's part shows its notice's nonce as its
        reference, as `send_alert` does. Raise as `send_alert` does (InvalidMessage when the
        message itself was refused)."""
        ...

    def fits(self, notices: Sequence[AlertNotice]) -> bool:
        """Whether the notices fit in one message (the platform's limits)."""
        ...

    async def find_posted(
        self,
        guild_id: int,
        channel_id: int,
        refs: Collection[str],
        *,
        since: dt.datetime,
        after: int | None = None,
        dm_user_id: int | None = None,
    ) -> dict[str, int]:
        """Of `refs` (alert nonces), those the bot's own messages in the channel show, with
        their message ids: read from message `after` on if given, else from `since`. Used
        before sending again an alert whose earlier send may have gone through unrecorded.
        With `dm_user_id`, the channel read is the bot's DM channel with that user.
        Raise HistoryUnavailable when the channel cannot be read through,
        Transient/PermanentSendError as `send_alert` does."""
        ...

    async def send_digest(
        self,
        guild_id: int,
        channel_id: int,
        deadlines: Sequence[Deadline],
        *,
        now: dt.datetime,
        late: bool = False,
    ) -> int:
        """Post one digest of a guild's active deadlines (`late`: its time passed while the
        bot was down); return the message id."""
        ...


class DispatchObserver(Protocol):
    """Told what happened to each alert (metrics)."""

    def alert_sent(self, kind: str, lateness_seconds: float, count: int = 1) -> None: ...

    def alert_failed(self, kind: str, count: int = 1) -> None: ...

    def alert_retried(self, kind: str, count: int = 1) -> None: ...


# One message carries at most this many deadlines' alerts: Discord allows 5 action rows a
# message (developers/components/reference.mdx), and each deadline has a row of buttons.
MAX_PER_MESSAGE = 5


def alert_nonce(alert_id: int, *, fallback: bool = False) -> str:
    return f"dd{'f' if fallback else 'a'}{alert_id}"


def group_nonce(alert_ids: Iterable[int]) -> str:
    """The nonce of one message carrying several deadlines' alerts: it stands for exactly
    those alerts (Discord returns the earlier message for a repeated nonce, so a message of
    other alerts must never share it). 19 characters; Discord allows 25."""
    key = ",".join(str(i) for i in sorted(set(alert_ids)))
    return "ddg" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def notice_rank(alert: StoredAlert) -> tuple[bool, dt.datetime, int]:
    """Which of a deadline's due alerts its one notice is about: the highest rank."""
    return (alert.kind is AlertKind.OVERDUE, alert.send_at, alert.id)


def build_notice(
    alerts: Sequence[StoredAlert],
    deadline: Deadline,
    settings: GuildSettings,
    *,
    now: dt.datetime,
) -> AlertNotice:
    """Pure: the one notice for a deadline's due alerts (the latest and most urgent wins).
    DM copies (all of `alerts` are, or none) ping nobody: they go to their one reader."""
    latest = max(alerts, key=notice_rank)
    dm = latest.dm_user_id
    escalate = (
        dm is None and latest.kind is AlertKind.OVERDUE and latest.seq >= settings.escalate_after
    )
    return AlertNotice(
        alert_id=latest.id,
        nonce=alert_nonce(latest.id),
        guild_id=deadline.guild_id,
        channel_id=deadline.channel_id,
        deadline=deadline,
        kind=latest.kind,
        seq=latest.seq,
        days_before=latest.days_before,
        collapsed=len(alerts),
        planned_at=latest.send_at,
        now=now,
        mention=deadline.mention if dm is None else None,
        escalation_role_id=settings.escalation_role_id if escalate else None,
        dm_user_id=dm,
    )
