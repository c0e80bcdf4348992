"""What every use case shares: the store's transactions, the clock, the guild settings (cached)
and the change feed that wakes the dispatcher and the boards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bot.clock import Clock
from bot.models import GuildDefaults, GuildSettings
from bot.storage import SqliteStore, Transaction

ChangeListener = Callable[[int, int | None], None]


class ChangeFeed:
    """Fan-out of "guild G changed (deadline D, or None: its settings or many deadlines)".

    Listeners are called synchronously, in the order they subscribed; they must not block.
    """

    def __init__(self) -> None:
        self._listeners: list[ChangeListener] = []

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def publish(self, guild_id: int, deadline_id: int | None = None) -> None:
        for listener in self._listeners:
            listener(guild_id, deadline_id)


class Unit:
    """The shared unit of work: one transaction per use case, settings read through a cache.

    One bot process owns the database (the instance lock), and only `remember_settings`
    (called by the settings use case after its commit) changes settings, so the cache is
    never stale.
    """

    def __init__(
        self,
        store: SqliteStore,
        *,
        clock: Clock,
        defaults: GuildDefaults | None = None,
        changes: ChangeFeed | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.defaults = defaults or GuildDefaults()
        self.changes = changes or ChangeFeed()
        self._settings: dict[int, GuildSettings] = {}

    def now(self) -> dt.datetime:
        return self.clock.now()

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        return self.store.transaction()

    def read(self) -> AbstractAsyncContextManager[Transaction]:
        """For use cases that only read: a read transaction on a read-only connection, which
        sees every commit before it and never waits for a write (inside a write transaction
        of the same task: that one)."""
        return self.store.read()

    async def settings(self, tx: Transaction, guild_id: int) -> GuildSettings:
        """The guild's settings (its defaults until someone changes them)."""
        cached = self._settings.get(guild_id)
        if cached is None:
            stored = await tx.get_settings(guild_id)
            cached = stored or GuildSettings.from_defaults(guild_id, self.defaults)
            self._settings[guild_id] = cached
        return cached

    def default_settings(self) -> GuildSettings:
        """What a guild starts with (for calculations outside any guild)."""
        return GuildSettings.from_defaults(0, self.defaults)

    def remember_settings(self, settings: GuildSettings) -> None:
        """Settings just committed."""
        self._settings[settings.guild_id] = settings

    def changed(self, guild_id: int, deadline_id: int | None = None) -> None:
        self.changes.publish(guild_id, deadline_id)
