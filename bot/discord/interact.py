"""Helpers shared by slash commands and buttons: who is acting, replying, errors."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Protocol, runtime_checkable

import discord

from bot.models import Deadline
from bot.service import DeadlineService, NotFoundError, ServiceError, ValidationError
from bot.storage import StorageBusyError

from . import render
from .policy import MODIFY_RULE, Actor, may_modify

log = logging.getLogger(__name__)

NEEDS_SERVER = "this command works in a server; in direct messages only /deadline calc does"
# Discord drops an interaction not answered within 3 s. Work still running after this long
# (the database locked by a backup, say) gets a "thinking..." first and its answer later.
DEFER_AFTER_SECONDS = 2.0
_PRIVATE_COMMANDS = (
    "deadline calc",
    "deadline delete",
    "deadline export",
    "deadline board",
    "deadline settings",
)


def _response_lock(interaction: discord.Interaction) -> asyncio.Lock:
    """One lock per interaction, so a late deferral and the reply never race."""
    lock = interaction.extras.get("response_lock")
    if not isinstance(lock, asyncio.Lock):
        lock = interaction.extras["response_lock"] = asyncio.Lock()
    return lock


def defer_if_slow(interaction: discord.Interaction) -> None:
    """Answer with "thinking..." if the command has not answered within DEFER_AFTER_SECONDS.

    Replies visible to the channel defer publicly, private ones privately; a later error
    message then follows the deferral's visibility (Discord's rule), so errors found by
    validation, which runs first, stay private.
    """
    name = getattr(interaction.command, "qualified_name", "")
    private = name.startswith(_PRIVATE_COMMANDS)

    async def later() -> None:
        await asyncio.sleep(DEFER_AFTER_SECONDS)
        async with _response_lock(interaction):
            if not interaction.response.is_done():
                with contextlib.suppress(discord.HTTPException):
                    await interaction.response.defer(ephemeral=private, thinking=True)

    task = asyncio.get_running_loop().create_task(later(), name="defer-if-slow")
    interaction.extras["defer_if_slow"] = task


class NotAllowed(ServiceError):
    """The member may not do this."""


@runtime_checkable
class Backend(Protocol):
    """What handlers need from the bot: the use cases and the time."""

    service: DeadlineService

    def now(self) -> dt.datetime: ...


def backend(interaction: discord.Interaction) -> Backend:
    client = interaction.client
    if not isinstance(client, Backend):
        raise RuntimeError("the client has no Deadline Desk service")
    return client


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise ValidationError(NEEDS_SERVER, example="/deadline calc text:FOIA, 20 business days")
    return interaction.guild_id


def actor_of(interaction: discord.Interaction) -> Actor:
    user = interaction.user
    roles = [role.id for role in getattr(user, "roles", ())]
    permissions = interaction.permissions
    return Actor(
        user_id=user.id,
        role_ids=frozenset(roles),
        manage_messages=permissions.manage_messages,
        manage_guild=permissions.manage_guild,
    )


def parse_deadline_id(value: str | int) -> int:
    """`12` or `#12` (what autocomplete or a person types) as a deadline id."""
    text = str(value).strip().lstrip("#").strip()
    # isdigit() alone accepts "²" and "①", which int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < 1:
        raise ValidationError(
            f"{str(value)[:40]!r} is not a deadline number",
            example="/deadline status deadline:12 (or pick one from the list)",
        )
    return int(text)


async def modifiable(interaction: discord.Interaction, deadline_id: int) -> Deadline:
    """The deadline, if the acting member may change it; else NotAllowed / NotFoundError."""
    guild_id = guild_id_of(interaction)
    service = backend(interaction).service
    status = await service.status(guild_id, deadline_id)
    settings = await service.settings(guild_id)
    if not may_modify(actor_of(interaction), status.deadline, settings):
        raise NotAllowed(f"you cannot change #{deadline_id}: {MODIFY_RULE}")
    return status.deadline


async def reply(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = False,
) -> None:
    """Answer the interaction (or follow up if it was answered); never pings anyone."""
    pending = interaction.extras.pop("defer_if_slow", None)
    if isinstance(pending, asyncio.Task) and not pending.done():
        pending.cancel()
    missing = discord.utils.MISSING
    async with _response_lock(interaction):
        if interaction.response.is_done():
            await interaction.followup.send(
                content=content or missing,
                embed=embed or missing,
                view=view or missing,
                file=file or missing,
                ephemeral=ephemeral,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        else:
            await interaction.response.send_message(
                content=content,
                embed=embed or missing,
                view=view or missing,
                file=file or missing,
                ephemeral=ephemeral,
                allowed_mentions=discord.AllowedMentions.none(),
            )


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """One ephemeral message that says what went wrong and what works instead."""
    if isinstance(error, ServiceError):
        text = render.error_text(error.message, error.example)
    elif isinstance(error, StorageBusyError):
        text = render.error_text("the database is busy right now; try again in a moment")
    else:
        log.error(
            "command failed: %s",
            getattr(interaction.command, "qualified_name", interaction.data),
            exc_info=error,
        )
        text = render.error_text("something went wrong on our side; it has been logged")
    try:
        await reply(interaction, content=text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message to the user", exc_info=True)


__all__ = [
    "NEEDS_SERVER",
    "Backend",
    "NotAllowed",
    "NotFoundError",
    "actor_of",
    "backend",
    "guild_id_of",
    "modifiable",
    "parse_deadline_id",
    "reply",
    "report_error",
]
