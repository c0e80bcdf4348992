"""DiscordNotifier: posts alert and digest messages, and sorts Discord's errors into
transient (retry later) and permanent (give up, fall back)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field

import aiohttp
import discord

from bot.models import Deadline, MentionKind
from bot.notices import (
    AlertNotice,
    HistoryUnavailable,
    InvalidMessage,
    PermanentSendError,
    ReaderCannotSee,
    RecipientRefused,
    TransientSendError,
)

from . import render
from .views import alert_view, alerts_view, dm_copy_view

log = logging.getLogger(__name__)

# At most this many messages are read looking for an alert's earlier copy (100 a request);
# past that the check is given up as unknown and the alert is sent (see find_posted).
HISTORY_READ_LIMIT = 1000
# A channel's scan is reused for checks within this long of its last use (a catch-up).
SCAN_KEPT_SECONDS = 600.0
# How long a check waits for the gateway's first guild list (the bot's permissions in the
# channel are known from it) before it is put off as a transient failure.
READY_WAIT_SECONDS = 10.0
# Discord allows a bot 50 requests a second in all (developers/topics/rate-limits.mdx, "Global
# Rate Limit"; interaction answers excepted), and discord.py only learns of that limit from a
# 429, which counts towards the 10,000 invalid requests per 10 minutes that get a bot banned.
# Alert and digest posts keep under it themselves: at most 5 at once and 40 a second after,
# so that any one second sees at most 45 of them, leaving room for the bot's other requests.
POST_RATE, POST_BURST = 40.0, 5
# A message has at most 5 action rows (developers/components/reference.mdx), one a deadline.
MAX_ROWS = 5


class Pace:
    """At most `burst` requests at once and `rate` a second on average (a GCRA: each request
    reserves the next slot, so waiters go in order and none is starved).

    In any interval of one second at most ``burst + rate`` requests start: the slots keep to
    it, and each start is checked against the last ones actually made, so that waiters woken
    late together (the event loop held up for a moment) do not all go at once."""

    def __init__(
        self,
        rate: float = POST_RATE,
        burst: int = POST_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._next = -float("inf")  # when the next request is due if it came in a steady flow
        # When the latest requests started: no more than this many in any one second.
        self._started: deque[float] = deque(maxlen=burst + int(rate))

    def reserve(self) -> float:
        """Take the next slot; returns how long to wait before using it (0: now)."""
        now = self._clock()
        due = max(self._next, now)
        self._next = due + self._interval
        return max(0.0, due - (self._burst - 1) * self._interval - now)

    async def wait(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await self._sleep(delay)
        started = self._started
        while True:
            now = self._clock()
            if len(started) < (started.maxlen or 0) or now - started[0] >= 1.0:
                break
            await self._sleep(started[0] + 1.0 - now)
        started.append(now)


def alert_mentions(*notices: AlertNotice) -> discord.AllowedMentions:
    """Exactly the deadlines' own mentions, and the escalation role when escalating: never
    @everyone, @here, or anyone named in a title or notes."""
    users: dict[int, discord.abc.Snowflake] = {}
    roles: dict[int, discord.abc.Snowflake] = {}
    for notice in notices:
        for ping in notice.pings:  # each once: Discord refuses a repeated id
            (users if ping.kind is MentionKind.USER else roles)[ping.id] = discord.Object(ping.id)
    return discord.AllowedMentions(
        everyone=False, users=list(users.values()), roles=list(roles.values()), replied_user=False
    )


# Discord's "Cannot send messages to this user": the user's DMs are closed to the bot (their
# privacy settings, or a block), or they share no server with it.
CANNOT_DM = 50007
# A DM copy's error when its member may no longer see the alert channel (render.dm_status_text).
NO_ACCESS = render.NO_ACCESS


def classify(exc: BaseException) -> TransientSendError | PermanentSendError | None:
    """Which kind of send failure `exc` is; None if it is not a send failure at all."""
    if isinstance(exc, discord.Forbidden) and exc.code == CANNOT_DM:
        return RecipientRefused(f"{CANNOT_DM} {exc.text or 'Cannot send messages to this user'}")
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        return PermanentSendError(f"{exc.status} {exc.text or type(exc).__name__}")
    if isinstance(exc, discord.RateLimited):
        return TransientSendError(f"rate limited for {exc.retry_after:.1f} s")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429 or exc.status >= 500:
            return TransientSendError(f"{exc.status} {exc.text or 'Discord server error'}")
        if exc.status == 400:  # the message itself (its body), not the channel
            return InvalidMessage(f"{exc.status} {exc.text}")
        return PermanentSendError(f"{exc.status} {exc.text}")
    if isinstance(exc, aiohttp.ClientError | TimeoutError | ConnectionError):
        return TransientSendError(f"network error: {type(exc).__name__}")
    return None


@dataclass
class _Scan:
    """What was read of one channel's history looking for alerts' earlier copies."""

    since: int  # read from the message after this snowflake
    last: int  # up to this message id
    refs: dict[str, int] = field(default_factory=dict)  # the bot's alert refs read: message ids
    read: int = 0
    used_at: float = 0.0  # time.monotonic()


class DiscordNotifier:
    def __init__(self, client: discord.Client, *, pace: Pace | None = None) -> None:
        self._client = client
        self._scans: dict[int, _Scan] = {}
        self._pace = pace or Pace()
        self._dm_channels: dict[int, int] = {}  # user id -> the bot's DM channel with them

    async def send_alert(self, notice: AlertNotice) -> int:
        if notice.dm_user_id is not None:
            return await self._send_dm_copy(notice, notice.dm_user_id)
        content, embed = render.alert_message(notice)
        channel = self._client.get_partial_messageable(notice.channel_id, guild_id=notice.guild_id)
        await self._pace.wait()
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

    async def _send_dm_copy(self, notice: AlertNotice, user_id: int) -> int:
        """A DM copy: to its one reader, pinging nobody, with a button to stop the copies.
        A refusal (closed DMs: 50007) is a RecipientRefused, never retried elsewhere."""
        content, embed = render.alert_message(notice)
        try:
            await self._check_reader(notice, user_id)
            channel = await self._dm_channel(user_id)
            await self._pace.wait()
            message = await channel.send(
                content=content,
                embed=embed,
                view=dm_copy_view(notice.deadline),
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=notice.nonce,
            )
        except Exception as exc:
            raise (classify(exc) or exc) from exc
        return message.id

    async def _check_reader(self, notice: AlertNotice, user_id: int) -> None:
        """A copy only to a member who can still see the deadline's alert channel, as Discord
        says now: the member is fetched (GET /guilds/{guild}/members/{user}, no privileged
        intent; the bot keeps no member cache), the channel's overwrites are the gateway's.
        ReaderCannotSee if they cannot, or are no longer in the server."""
        guild = self._client.get_guild(notice.guild_id)
        channel = guild.get_channel_or_thread(notice.channel_id) if guild else None
        if guild is None or channel is None:
            # Not known yet (the gateway's guild list after a start) or gone: the channel's
            # own alert answers for a channel that is gone; the copy waits.
            raise TransientSendError("the alert channel is not known yet: the copy waits")
        await self._pace.wait()
        try:
            member = await guild.fetch_member(user_id)
        except discord.NotFound:
            raise ReaderCannotSee(f"{NO_ACCESS} the member left the server") from None
        if not channel.permissions_for(member).view_channel:
            raise ReaderCannotSee(f"{NO_ACCESS} the member can no longer see #{channel.name}")

    def fits(self, notices: Sequence[AlertNotice]) -> bool:
        return len(notices) <= MAX_ROWS and render.alert_messages(notices) is not None

    async def send_alerts(self, notices: Sequence[AlertNotice], *, nonce: str) -> int:
        """One message for several deadlines of one channel: a content line, an embed and a
        row of buttons each (see `render.alert_messages`)."""
        rendered = render.alert_messages(notices)
        if rendered is None or len(notices) > MAX_ROWS:
            raise InvalidMessage(f"{len(notices)} alerts do not fit in one message")
        content, embeds = rendered
        first = notices[0]
        channel = self._client.get_partial_messageable(first.channel_id, guild_id=first.guild_id)
        await self._pace.wait()
        try:
            message = await channel.send(
                content=content,
                embeds=embeds,
                view=alerts_view([notice.deadline for notice in notices]),
                allowed_mentions=alert_mentions(*notices),
                # Stands for exactly these alerts (see notices.group_nonce).
                nonce=nonce,
            )
        except Exception as exc:
            raise (classify(exc) or exc) from exc
        return message.id

    async def _dm_channel(self, user_id: int) -> discord.PartialMessageable:
        """The bot's DM channel with the user: opened once (POST /users/@me/channels), then
        known by its id."""
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            await self._pace.wait()
            opened = await self._client.create_dm(discord.Object(user_id))
            channel_id = self._dm_channels[user_id] = opened.id
        return self._client.get_partial_messageable(channel_id)

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
        """Read the channel from message `after` (or from `since`) on for the bot's own
        alert messages showing one of `refs` (see `render.alert_refs`: a message of several
        deadlines shows one an embed, and each is recorded).

        Discord answers a history request it may not fully answer with no messages (no Read
        Message History) rather than an error, so the bot's permissions in the channel are
        checked first: unknown or missing, the check is reported as impossible. What was
        read is kept for a while per channel, so that the many checks of a catch-up after a
        crash read each message once. A DM channel (`dm_user_id`) has no permissions to
        check: the bot may always read its own conversation.
        """
        channel: discord.abc.Messageable
        if dm_user_id is None:
            channel = await self._readable(guild_id, channel_id)
        else:
            try:
                channel = await self._dm_channel(dm_user_id)
            except Exception as exc:
                raise (classify(exc) or exc) from exc
            channel_id = channel.id
        me = self._client.user
        assert me is not None  # logged in before the dispatcher starts
        start = after if after is not None else discord.utils.time_snowflake(since)
        scan = self._scan_for(channel_id, start)
        wanted = set(refs)
        try:
            remaining = HISTORY_READ_LIMIT - scan.read
            if remaining > 0 and not wanted <= scan.refs.keys():
                async for message in channel.history(
                    limit=remaining + 1, after=discord.Object(scan.last), oldest_first=True
                ):
                    if scan.read >= HISTORY_READ_LIMIT:
                        scan.read += 1  # there is more than the limit
                        break
                    scan.read += 1
                    scan.last = message.id
                    if message.author.id != me.id:
                        continue
                    for ref in render.alert_refs(message.embeds):
                        scan.refs[ref] = message.id
                    if wanted <= scan.refs.keys():
                        break
        except Exception as exc:
            raise (classify(exc) or exc) from exc
        found = {ref: scan.refs[ref] for ref in wanted if ref in scan.refs}
        if not found and scan.read > HISTORY_READ_LIMIT:
            began = discord.utils.snowflake_time(start)
            raise HistoryUnavailable(
                f"more than {HISTORY_READ_LIMIT} messages were posted there since "
                f"{began:%Y-%m-%d %H:%M} UTC"
            )
        return found

    def _scan_for(self, channel_id: int, start: int) -> _Scan:
        """The channel's scan that covers messages after `start`, or a new one from there."""
        now = time.monotonic()
        for channel, old in list(self._scans.items()):
            if now - old.used_at > SCAN_KEPT_SECONDS:
                del self._scans[channel]
        scan = self._scans.get(channel_id)
        if scan is None or scan.since > start:
            scan = self._scans[channel_id] = _Scan(since=start, last=start)
        scan.used_at = now
        return scan

    async def _readable(self, guild_id: int, channel_id: int) -> discord.abc.Messageable:
        if not self._client.is_ready():
            try:
                await asyncio.wait_for(self._client.wait_until_ready(), READY_WAIT_SECONDS)
            except TimeoutError:
                raise TransientSendError(
                    "not connected to Discord yet; cannot check for an earlier copy"
                ) from None
        channel = self._client.get_channel(channel_id)
        if (
            not isinstance(channel, discord.abc.GuildChannel | discord.Thread)
            or not isinstance(channel, discord.abc.Messageable)
            or channel.guild.id != guild_id
        ):
            raise HistoryUnavailable("the channel is not one the bot can see")
        me = channel.guild.me
        if me is None or not channel.permissions_for(me).read_message_history:
            raise HistoryUnavailable("the bot lacks Read Message History there")
        return channel

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
        await self._pace.wait()
        try:
            message = await channel.send(
                embed=render.digest_embed(deadlines, now=now, late=late),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception as exc:
            raise (classify(exc) or exc) from exc
        return message.id
