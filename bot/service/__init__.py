"""The desk's use cases, one module each, over a shared unit of work.

Build them with `Services.over(store, clock=..., defaults=...)`; each use case runs in one
transaction, checks what the `Actor` may do inside it, and tells `changes` what changed. No
Discord here: callers pass plain ids. Refusals are `UserError`s (message + example).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.models import GuildDefaults
from bot.storage import SqliteStore

from .actor import Actor, ChannelRights
from .boards import MAX_BOARDS_PER_GUILD, BoardUseCases
from .deadlines import MAX_ACTIVE_PER_GUILD, PAGE_SIZE, UNSET, Added, DeadlineUseCases, When
from .errors import LimitError, NotAllowed, NotFoundError, UserError, ValidationError
from .feeds import FEED_PREFIX, FEED_SUFFIX, FeedUseCases, feed_token_hash, feed_url
from .imports import ImportUseCases
from .rendering import Renderer
from .repeats import RepeatUseCases
from .retention import RetentionUseCases
from .runtime import RuntimeUseCases
from .settings import SettingsUseCases
from .unit import ChangeFeed, Unit


@dataclass(frozen=True, slots=True)
class Services:
    """Every use case of the desk, sharing one unit of work."""

    unit: Unit
    deadlines: DeadlineUseCases
    settings: SettingsUseCases
    boards: BoardUseCases
    feeds: FeedUseCases
    imports: ImportUseCases
    runtime: RuntimeUseCases
    retention: RetentionUseCases
    repeats: RepeatUseCases

    @classmethod
    def over(
        cls,
        store: SqliteStore,
        *,
        clock: Clock,
        defaults: GuildDefaults | None = None,
        changes: ChangeFeed | None = None,
        renderer: Renderer | None = None,
    ) -> Services:
        unit = Unit(store, clock=clock, defaults=defaults, changes=changes)
        return cls(
            unit=unit,
            deadlines=DeadlineUseCases(unit),
            settings=SettingsUseCases(unit),
            boards=BoardUseCases(unit),
            feeds=FeedUseCases(unit, renderer=renderer),
            imports=ImportUseCases(unit),
            runtime=RuntimeUseCases(unit),
            retention=RetentionUseCases(unit),
            repeats=RepeatUseCases(unit, max_active=MAX_ACTIVE_PER_GUILD),
        )

    @property
    def changes(self) -> ChangeFeed:
        return self.unit.changes


__all__ = [
    "FEED_PREFIX",
    "FEED_SUFFIX",
    "MAX_ACTIVE_PER_GUILD",
    "MAX_BOARDS_PER_GUILD",
    "PAGE_SIZE",
    "UNSET",
    "Actor",
    "Added",
    "ChangeFeed",
    "ChannelRights",
    "LimitError",
    "NotAllowed",
    "NotFoundError",
    "Renderer",
    "Services",
    "UserError",
    "ValidationError",
    "When",
    "feed_token_hash",
    "feed_url",
]
