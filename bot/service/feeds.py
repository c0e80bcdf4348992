"""Calendar use cases: a guild's export, its secret feed, and the feed's address."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from typing import Final

from bot.models import CalendarFeed, DeadlineExport, FeedAccess, HistoryEntry, Status

from .actor import SETTINGS_RULE, Actor, may_change_settings
from .errors import NotAllowed, ValidationError
from .unit import Unit

# 24 random bytes: 192 bits, 32 URL-safe characters. The pattern also accepts older or
# longer tokens, and nothing that could not be one (so junk never reaches the database).
FEED_TOKEN_BYTES: Final = 24
FEED_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{22,128}")
MAX_FEED_NAME: Final = 100
FEED_PREFIX: Final = "/calendar/"
FEED_SUFFIX: Final = ".ics"


def feed_token_hash(token: str) -> str:
    """The SHA-256 hex digest of a calendar-feed token: what the database keeps instead."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(base_url: str, token: str) -> str:
    """The address of a guild's calendar feed on the web server at `base_url`."""
    return f"{base_url.rstrip('/')}{FEED_PREFIX}{token}{FEED_SUFFIX}"


class FeedUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def export(
        self, guild_id: int, *, include_all: bool = False, name: str = ""
    ) -> DeadlineExport:
        """The guild's active deadlines (or all, done and cancelled too), soonest first."""
        statuses = tuple(Status) if include_all else (Status.ACTIVE,)
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
            deadlines = await tx.guild_deadlines(guild_id, statuses=statuses)
        return DeadlineExport(settings, tuple(deadlines), name=name[:MAX_FEED_NAME])

    async def feed_export(self, token: str) -> DeadlineExport | None:
        """The active deadlines of the guild whose calendar feed `token` opens; None if none.

        The same None for a malformed, unknown or replaced token: callers must not be able
        to tell them apart (nor whether a guild exists).
        """
        if not FEED_TOKEN_SHAPE.fullmatch(token):
            return None
        token_hash = feed_token_hash(token)
        async with self._unit.transaction() as tx:
            feed = await tx.feed_by_hash(token_hash)
            # The lookup matched by equality already; comparing again in constant time keeps
            # timing out of the picture should the lookup ever change (e.g. a prefix index).
            if feed is None or not hmac.compare_digest(feed.token_hash, token_hash):
                return None
            settings = await self._unit.settings(tx, feed.guild_id)
            deadlines = await tx.guild_deadlines(feed.guild_id, statuses=(Status.ACTIVE,))
        return DeadlineExport(settings, tuple(deadlines), name=feed.name)

    async def calendar_feed(
        self,
        actor: Actor,
        guild_id: int,
        *,
        served: bool,
        rotate: bool = False,
        name: str = "",
    ) -> FeedAccess:
        """The guild's calendar feed, created on first use; `rotate` replaces its token.

        Manage Server only; `served` says whether the bot's web server is on. A new token is
        returned only when one was just made: the database keeps its hash alone, so an
        existing feed's URL cannot be shown again (rotate to get a new one). `name` (the
        server's name) becomes the calendar's name.
        """
        if not may_change_settings(actor):
            raise NotAllowed(SETTINGS_RULE, example="ask someone with Manage Server")
        if not served:
            raise ValidationError(
                "calendar feeds are off: the bot's host must turn on its web server",
                example="enabled = true under [web] in config.toml",
            )
        now = self._unit.now()
        name = " ".join(name.split())[:MAX_FEED_NAME]
        async with self._unit.transaction() as tx:
            existing = await tx.calendar_feed(guild_id)
            if existing is not None and not rotate:
                if name and name != existing.name:
                    await tx.rename_calendar_feed(guild_id, name)
                    existing = dataclasses.replace(existing, name=name)
                return FeedAccess(existing)
            token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
            feed = CalendarFeed(
                guild_id=guild_id,
                token_hash=feed_token_hash(token),
                name=name or (existing.name if existing else ""),
                created_at=now,
                created_by=actor.user_id,
            )
            await tx.put_calendar_feed(feed)
            action = "calendar feed rotated" if existing else "calendar feed created"
            await tx.add_history(HistoryEntry(guild_id, None, now, actor.user_id, action))
        return FeedAccess(feed, token=token, rotated=existing is not None)
