"""DeadlineBot: the discord.py client. It holds Discord concerns only: the command tree and its
error handling, command sync, gateway events. Everything else is handed to it (bot/app.py)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.health import GatewayLink
from bot.metrics import Metrics
from bot.service import Services, UserError, ValidationError

from .choices import Questions, ReadingButton
from .interact import defer_if_slow, report_error
from .tracking import TrackButton, submit_tracking, track_menu
from .views import DYNAMIC_ITEMS, submit_extension

log = logging.getLogger(__name__)


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
        original: BaseException = getattr(error, "original", error)
        if isinstance(error, app_commands.TransformerError):
            # An option's transformer refused (its UserError is the cause), or Discord sent
            # a value of the wrong type.
            cause = error.__cause__
            original = (
                cause
                if isinstance(cause, UserError)
                else ValidationError(
                    f"{str(error.value)[:60]!r} is not a valid {error.type.name.lower()}",
                    example="pick one from the list Discord offers",
                )
            )
        client = interaction.client
        if isinstance(client, DeadlineBot) and interaction.command is not None:
            outcome = "refused" if isinstance(original, UserError) else "error"
            client.metrics.command(interaction.command.qualified_name, outcome)
        await report_error(interaction, original)


class DeadlineBot(commands.Bot):
    """Built by bot/app.py with the use cases; `login` syncs the commands, `connect` runs."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Clock,
        metrics: Metrics,
        gateway: GatewayLink,
        sync_guild_ids: Sequence[int] = (),
        guild_ready_timeout: float = 2.0,
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
        self.services = services
        self.clock = clock
        self.metrics = metrics
        self._gateway = gateway
        self._sync_guild_ids = tuple(sync_guild_ids)
        self._connects = 0
        self.questions = Questions()  # open "which did you mean?" questions
        self.add_dynamic_items(*DYNAMIC_ITEMS, ReadingButton, TrackButton)
        self.tree.add_command(track_menu())

    async def setup_hook(self) -> None:
        # Runs inside login(), once the cogs are added: the commands are complete.
        await self.sync_commands()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Extend and Track forms are answered here, open before a restart or not (see
        # ExtendModal).
        if not await submit_extension(interaction):
            await submit_tracking(interaction)

    async def on_connect(self) -> None:
        # READY has arrived (on_ready waits longer, for every server's data).
        self._connects += 1
        if self._connects > 1:
            self.metrics.gateway_reconnects.inc()
        await self._gateway.set(True)

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, Any, Any]
    ) -> None:
        self.metrics.command(command.qualified_name, "ok")

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        await self._gateway.set(True)

    async def on_resumed(self) -> None:
        self.metrics.gateway_reconnects.inc()
        await self._gateway.set(True)

    async def on_disconnect(self) -> None:
        await self._gateway.set(False)

    async def sync_commands(self) -> None:
        """Sync to `sync_guild_ids` at every start; globally only when the commands changed."""
        if self._sync_guild_ids:
            for guild_id in self._sync_guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
            return
        digest = self.commands_hash()
        if await self.services.runtime.commands_hash() == digest:
            log.info("slash commands unchanged since the last sync")
            return
        synced = await self.tree.sync()
        await self.services.runtime.remember_commands_hash(digest)
        log.info("synced %d global commands", len(synced))

    def commands_hash(self) -> str:
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()
