"""DeadlineBot: the discord.py client that owns the database, the dispatcher and the jobs."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.dispatcher import Dispatcher
from bot.metrics import Metrics
from bot.models import GuildDefaults
from bot.operations import HEARTBEAT_KEY, Heartbeat
from bot.scheduling import PeriodicJobs
from bot.service import DeadlineService
from bot.storage import SqliteStore

from .boards import BoardKeeper
from .cog import DeadlineCog
from .interact import defer_if_slow, report_error
from .notifier import DiscordNotifier
from .views import DYNAMIC_ITEMS

log = logging.getLogger(__name__)

COMMANDS_HASH_KEY = "commands_hash"
HEARTBEAT_SECONDS = 15.0


class DeadlineTree(app_commands.CommandTree[discord.Client]):
    """One place that turns every command error into an ephemeral reply, and that keeps
    every command inside Discord's 3-second window."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.type is discord.InteractionType.application_command:
            defer_if_slow(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        metrics = getattr(interaction.client, "metrics", None)
        if isinstance(metrics, Metrics) and interaction.command is not None:
            from bot.service import ServiceError

            refused = isinstance(original, ServiceError | app_commands.TransformerError)
            metrics.command(interaction.command.qualified_name, "refused" if refused else "error")
        if isinstance(error, app_commands.TransformerError):
            from bot.service import ValidationError

            original = ValidationError(
                f"{str(error.value)[:60]!r} is not a valid {error.type.name.lower()}",
                example="pick one from the list Discord offers",
            )
        await report_error(interaction, original)


class DeadlineBot(commands.Bot):
    """Use as `async with DeadlineBot(...) as bot: await bot.start(token)`."""

    def __init__(
        self,
        *,
        database: Path,
        defaults: GuildDefaults,
        sync_guild_ids: Sequence[int] = (),
        clock: Clock | None = None,
        guild_ready_timeout: float = 2.0,
        board_debounce: float = 2.0,
        board_check_seconds: float = 60.0,
    ) -> None:
        # This bot never joins voice: skip discord.py's start-up warnings about voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),  # no privileged intents
            tree_cls=DeadlineTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
        )
        self._database = database
        self._defaults = defaults
        self._sync_guild_ids = tuple(sync_guild_ids)
        self.clock: Clock = clock or SystemClock()
        self.store: SqliteStore | None = None
        self.dispatcher: Dispatcher | None = None
        self.jobs: PeriodicJobs | None = None
        self.service: DeadlineService
        self.gateway_connected = False
        self._heartbeat: asyncio.Task[None] | None = None
        self.last_heartbeat: Heartbeat | None = None  # the last one written successfully
        self.metrics = Metrics()
        self._connects = 0
        self._board_debounce = board_debounce
        self._board_check_seconds = board_check_seconds
        self.boards: BoardKeeper | None = None

    def now(self) -> dt.datetime:
        return self.clock.now()

    async def setup_hook(self) -> None:
        self.store = await SqliteStore.connect(self._database)
        self.dispatcher = Dispatcher(
            self.store,
            DiscordNotifier(self),
            clock=self.clock,
            defaults=self._defaults,
            observer=self.metrics,
        )
        self.service = DeadlineService(
            self.store,
            clock=self.clock,
            defaults=self._defaults,
            on_change=self._changed,
        )
        self.boards = BoardKeeper(
            self,
            self.service,
            clock=self.clock,
            debounce=self._board_debounce,
            check_seconds=self._board_check_seconds,
        )
        await self.boards.start()
        await self.add_cog(DeadlineCog())
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.sync_commands()
        await self.dispatcher.start()
        self.jobs = PeriodicJobs(self.store, self.dispatcher)
        await self.jobs.start()
        self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")
        log.info("Deadline Desk ready: database %s", self._database)

    def _changed(self, guild_id: int, deadline_id: int | None) -> None:
        """Every change reaches both the alert dispatcher and the live boards."""
        if self.dispatcher is not None:
            self.dispatcher.changed(guild_id, deadline_id)
        if self.boards is not None:
            self.boards.changed(guild_id, deadline_id)

    async def on_connect(self) -> None:
        # READY has arrived (on_ready waits longer, for every server's data).
        self._connects += 1
        if self._connects > 1:
            self.metrics.gateway_reconnects.inc()
        self.gateway_connected = True
        await self.record_heartbeat()

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, Any, Any]
    ) -> None:
        self.metrics.command(command.qualified_name, "ok")

    async def on_ready(self) -> None:
        self.gateway_connected = True
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        await self.record_heartbeat()

    async def on_resumed(self) -> None:
        self.metrics.gateway_reconnects.inc()
        self.gateway_connected = True
        await self.record_heartbeat()

    async def on_disconnect(self) -> None:
        self.gateway_connected = False
        await self.record_heartbeat()

    async def record_heartbeat(self) -> None:
        """Record that the gateway, the dispatcher and the database are alive (for `health`);
        the write itself proves the database is writable."""
        if self.store is None or self.dispatcher is None:
            return
        beat = Heartbeat(
            at=self.clock.now(),
            gateway_connected=self.gateway_connected and not self.is_closed(),
            dispatcher_beat_at=self.dispatcher.loop_beat_at,
            pid=os.getpid(),
        )
        try:
            async with self.store.transaction() as tx:
                await tx.set_meta(HEARTBEAT_KEY, beat.to_json())
                counts = await tx.count_by_status()
        except Exception:
            log.exception("could not record the heartbeat")
            return
        self.last_heartbeat = beat
        self.metrics.set_deadlines(counts)

    async def _beat(self) -> None:
        while True:
            await self.record_heartbeat()
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def sync_commands(self) -> None:
        """Sync to `sync_guild_ids` at every start; globally only when the commands changed."""
        assert self.store is not None
        if self._sync_guild_ids:
            for guild_id in self._sync_guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
            return
        digest = self.commands_hash()
        async with self.store.transaction() as tx:
            previous = await tx.get_meta(COMMANDS_HASH_KEY)
        if previous == digest:
            log.info("slash commands unchanged since the last sync")
            return
        synced = await self.tree.sync()
        async with self.store.transaction() as tx:
            await tx.set_meta(COMMANDS_HASH_KEY, digest)
        log.info("synced %d global commands", len(synced))

    def commands_hash(self) -> str:
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()

    async def close(self) -> None:
        """Stop the jobs and the dispatcher, close the database, then disconnect."""
        try:
            if self._heartbeat is not None:
                self._heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._heartbeat
                self._heartbeat = None
            if self.boards is not None:
                await self.boards.stop()
            if self.jobs is not None:
                await self.jobs.stop()
            if self.dispatcher is not None:
                await self.dispatcher.stop()
            if self.store is not None:
                await self.store.close()
                self.store = None
        finally:
            await super().close()
