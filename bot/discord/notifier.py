"""DiscordNotifier: posts alert and digest messages, and sorts Discord's errors into
transient (retry later) and permanent (give up, fall back)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import aiohttp
import discord

from bot.models import Deadline, MentionKind
from bot.notices import AlertNotice, PermanentSendError, TransientSendError

from . import render
from .views import alert_view

log = logging.getLogger(__name__)


def alert_mentions(notice: AlertNotice) -> discord.AllowedMentions:
    """Exactly the deadline's own mention, and the escalation role when escalating: never
    @everyone, @here, or anyone named in a title or notes."""
    users: list[discord.abc.Snowflake] = []
    roles: list[discord.abc.Snowflake] = []
    if notice.mention is not None:
        target = users if notice.mention.kind is MentionKind.USER else roles
        target.append(discord.Object(notice.mention.id))
    if notice.escalation_role_id is not None:
        roles.append(discord.Object(notice.escalation_role_id))
    return discord.AllowedMentions(everyone=False, users=users, roles=roles, replied_user=False)


def classify(exc: BaseException) -> TransientSendError | PermanentSendError | None:
    """Which kind of send failure `exc` is; None if it is not a send failure at all."""
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        return PermanentSendError(f"{exc.status} {exc.text or type(exc).__name__}")
    if isinstance(exc, discord.RateLimited):
        return TransientSendError(f"rate limited for {exc.retry_after:.1f} s")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429 or exc.status >= 500:
            return TransientSendError(f"{exc.status} {exc.text or 'Discord server error'}")
        return PermanentSendError(f"{exc.status} {exc.text}")
    if isinstance(exc, aiohttp.ClientError | TimeoutError | ConnectionError):
        return TransientSendError(f"network error: {type(exc).__name__}")
    return None


class DiscordNotifier:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def send_alert(self, notice: AlertNotice) -> int:
        content, embed = render.alert_message(notice)
        channel = self._client.get_partial_messageable(notice.channel_id, guild_id=notice.guild_id)
        try:
            message = await channel.send(
                content=content,
                embed=embed,
                view=alert_view(notice.deadline),
                allowed_mentions=alert_mentions(notice),
                # Discord returns the earlier message instead of posting a second one when a
                # nonce repeats within minutes (a resend after a crash between send and mark).
                nonce=notice.nonce,
            )
        except Exception as exc:
            raise (classify(exc) or exc) from exc
        return message.id

    async def send_digest(
        self,
        guild_id: int,
        channel_id: int,
        deadlines: Sequence[Deadline],
        *,
        now: dt.datetime,
        late: bool = False,
    ) -> int:
        channel = self._client.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            message = await channel.send(
                embed=render.digest_embed(deadlines, now=now, late=late),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception as exc:
            raise (classify(exc) or exc) from exc
        return message.id
