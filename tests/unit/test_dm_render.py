"""DM copies at the edges (issue 18.5), pure: the notice of a copy pings nobody, Discord's
50007 is a refusal of that copy, and what the member is told about their own copies."""

from __future__ import annotations

import dataclasses
import datetime as dt

import discord
from support import BONDI

from bot.discord import render
from bot.discord.notifier import classify
from bot.models import (
    AlertKind,
    DmCopies,
    GuildSettings,
    Mention,
    MentionKind,
    StoredAlert,
)
from bot.notices import PermanentSendError, RecipientRefused, build_notice

NOW = dt.datetime(2025, 8, 20, 13, 0, tzinfo=dt.UTC)
DEADLINE = dataclasses.replace(BONDI, mention=Mention(MentionKind.ROLE, 42))
SETTINGS = GuildSettings(1, escalation_role_id=77, escalate_after=1)


def overdue(alert_id: int, dm_user_id: int | None) -> StoredAlert:
    return StoredAlert(
        id=alert_id, guild_id=1, deadline_id=12, kind=AlertKind.OVERDUE, send_at=NOW, seq=3,
        escalate=True, days_before=0, next_attempt_at=NOW, dm_user_id=dm_user_id,
    )  # fmt: skip


def test_a_dm_copy_pings_nobody_and_says_where_the_alert_is() -> None:
    channel = build_notice([overdue(7, None)], DEADLINE, SETTINGS, now=NOW)
    copy = build_notice([overdue(8, 5)], DEADLINE, SETTINGS, now=NOW)
    assert [p.id for p in channel.pings] == [42, 77]  # the channel's alert escalates
    assert copy.pings == ()
    assert (copy.dm_user_id, copy.channel_id, copy.nonce) == (5, 10, "dda8")
    content, embed = render.alert_message(copy)
    assert "<@" not in content
    fields = {f.name: f.value for f in embed.fields}
    assert "<#10>" in fields["Your copy"]
    assert "Your copy" not in {f.name for f in render.alert_message(channel)[1].fields}


def test_discords_cannot_send_to_this_user_is_a_refusal_of_that_copy() -> None:
    class Response:
        status, reason = 403, "Forbidden"

    closed = discord.Forbidden(
        Response(), {"code": 50007, "message": "Cannot send messages to this user"}
    )  # type: ignore[arg-type]
    missing = discord.Forbidden(Response(), {"code": 50013, "message": "Missing Permissions"})  # type: ignore[arg-type]
    refused = classify(closed)
    assert isinstance(refused, RecipientRefused)
    assert str(refused) == "50007 Cannot send messages to this user"
    other = classify(missing)
    assert isinstance(other, PermanentSendError)
    assert not isinstance(other, RecipientRefused)


def test_status_tells_the_member_whether_their_last_copy_failed() -> None:
    sent = NOW - dt.timedelta(days=2)
    failed = NOW - dt.timedelta(days=1)
    refused = DmCopies(True, last_sent_at=sent, last_failed_at=failed, last_error="50007 x")
    text = render.dm_status_text(DEADLINE, refused)
    assert text is not None
    assert text.startswith("\u26a0\ufe0f DM copy to you failed <t:")
    assert "you have DMs closed to the bot" in text
    assert "The alert in <#10> still went out." in text
    # A later copy that went out: no failure to tell.
    fine = DmCopies(True, last_sent_at=NOW, last_failed_at=failed, last_error="50007 x")
    assert render.dm_status_text(DEADLINE, fine) == (
        f"\U0001f4ec You get a DM copy of each alert of #12; the last one went out "
        f"<t:{int(NOW.timestamp())}:R>."
    )
    # Turned off, nothing failed: nothing to tell.
    assert render.dm_status_text(DEADLINE, DmCopies(False, last_sent_at=NOW)) is None
