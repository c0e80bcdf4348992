"""Answering interactions: deferring slow ones, replying without pings, reporting errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

from bot.service import UserError
from bot.storage import DatabaseGoneError, StorageBusyError

from . import render

log = logging.getLogger(__name__)

# Discord drops an interaction not answered within 3 s. Work still running after this long
# (the database locked by a backup, say) gets a "thinking..." first and its answer later.
DEFER_AFTER_SECONDS = 2.0
_PRIVATE_COMMANDS = (
    "deadline calc",
    "deadline delete",
    "deadline export",
    "deadline import",
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
        interaction.extras["deferring"] = True  # from here on, it is waited for, not cancelled
        async with _response_lock(interaction):
            if not interaction.response.is_done():
                with contextlib.suppress(discord.HTTPException):
                    await interaction.response.defer(ephemeral=private, thinking=True)

    task = asyncio.get_running_loop().create_task(later(), name="defer-if-slow")
    interaction.extras["defer_if_slow"] = task


def defer_update_if_slow(interaction: discord.Interaction) -> None:
    """For a button that edits its message: acknowledge it (Discord's "deferred update": the
    message shows it is being worked on) if the work has not answered within
    DEFER_AFTER_SECONDS, so a slow change (the database locked) is not reported failed after
    it was made; `update_message` then edits the message through the interaction's webhook."""

    async def later() -> None:
        await asyncio.sleep(DEFER_AFTER_SECONDS)
        interaction.extras["deferring"] = True  # from here on, it is waited for, not cancelled
        async with _response_lock(interaction):
            if not interaction.response.is_done():
                with contextlib.suppress(discord.HTTPException):
                    await interaction.response.defer()

    task = asyncio.get_running_loop().create_task(later(), name="defer-update-if-slow")
    interaction.extras["defer_if_slow"] = task


def cancel_deferral(interaction: discord.Interaction) -> None:
    """Drop a late deferral not yet started (one under way finishes by itself)."""
    pending = interaction.extras.get("defer_if_slow")
    if isinstance(pending, asyncio.Task) and not interaction.extras.get("deferring"):
        interaction.extras.pop("defer_if_slow", None)
        pending.cancel()


async def settle_deferral(interaction: discord.Interaction) -> None:
    """Before answering: a late deferral not yet started is dropped; one under way (its
    request may already have reached Discord) is waited for, so the answer knows which way
    to go (a first answer, or an edit or follow-up after the deferral)."""
    pending = interaction.extras.pop("defer_if_slow", None)
    if not isinstance(pending, asyncio.Task) or pending.done():
        return
    if interaction.extras.get("deferring"):
        with contextlib.suppress(Exception):
            await pending
    else:
        pending.cancel()


async def update_message(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Edit the message a button is on: in the interaction's answer, or, once it was deferred
    as slow, through its webhook. Never pings anyone."""
    await settle_deferral(interaction)
    missing = discord.utils.MISSING
    async with _response_lock(interaction):
        if interaction.response.is_done():
            await interaction.edit_original_response(
                content=content if content is not None else missing,
                embeds=embeds if embeds is not None else missing,
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        else:
            await interaction.response.edit_message(
                content=content if content is not None else missing,
                embeds=embeds if embeds is not None else missing,
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )


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
    await settle_deferral(interaction)
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
    """One ephemeral message that says what went wrong and what works instead: the one place
    a UserError (engine or service) becomes a reply."""
    if isinstance(error, UserError):
        text = render.error_text(error.message, error.example)
    elif isinstance(error, StorageBusyError):
        text = render.error_text("the database is busy right now; try again in a moment")
    elif isinstance(error, DatabaseGoneError):
        log.error("command refused: %s", error)
        text = render.error_text(
            "the bot's database file was deleted or replaced, so nothing was saved; ask the "
            "bot's host to restore a backup and restart it"
        )
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
    "cancel_deferral",
    "defer_if_slow",
    "defer_update_if_slow",
    "reply",
    "report_error",
    "update_message",
]
