"""Apps > **Track deadline** on a message (a pasted article, a forwarded letter): the bot lists
the deadlines it finds there, one button each; a button opens a form, filled in with the
title, the deadline as written, day 0 and the counting rule, to check and confirm. The form
keeps its state in its fields, so one opened before a restart can still be submitted.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import discord
from discord import app_commands

from bot.deadlines import DeadlineError, format_day, parse_start_date
from bot.deadlines.finding import Found
from bot.service import ValidationError

from . import render
from .choices import Question, questions_of
from .interact import reply, report_error
from .options import actor_of, desk_of, guild_id_of
from .views import form_values

# One button each, at most this many (two rows; a button id holds a one-digit index).
MAX_PROPOSED = 10
TRACK_FORM = re.compile(r"dd:track-form:(?P<guild>\d+):(?P<user>\d+)")


def track_menu() -> app_commands.ContextMenu:
    menu = app_commands.ContextMenu(name="Track deadline", callback=track_message)
    menu.guild_only = True
    return menu


async def track_message(interaction: discord.Interaction, message: discord.Message) -> None:
    try:
        guild_id = guild_id_of(interaction)
        if guild_id is None:
            raise ValidationError("deadlines are tracked in a server", example="use it in a server")
        text = message.content or "\n\n".join(e.description or "" for e in message.embeds)
        found = await desk_of(interaction).services.deadlines.find(
            guild_id, text, written_at=message.created_at
        )
        if not found:
            await reply(
                interaction,
                content="I found no deadline in that message. To track one yourself: "
                '`/deadline add text:"Records, 30 days"`',
                ephemeral=True,
            )
            return
        proposed = tuple(found[:MAX_PROPOSED])
        question = Question(
            interaction.user.id, guild_id, (), False, None, time.monotonic(), found=proposed
        )
        token = questions_of(interaction).ask(question)
        view = discord.ui.View(timeout=None)
        for index, item in enumerate(proposed):
            label = f"{index + 1}. {item.period} \u2192 {format_day(item.due.due)}"
            view.add_item(TrackButton(token, index, label=label))
        await reply(
            interaction,
            content=render.found_text(proposed, total=len(found)),
            view=view,
            ephemeral=True,
        )
    except Exception as error:
        await report_error(interaction, error)


class TrackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dd:track:(?P<token>[0-9a-f]{16}):(?P<index>\d)",
):
    """One deadline found in a message: opens the form to confirm it."""

    def __init__(self, token: str, index: int, *, label: str = "Track this") -> None:
        super().__init__(
            discord.ui.Button(
                label=render.cut(label, 80),
                style=discord.ButtonStyle.primary,
                custom_id=f"dd:track:{token}:{index}",
            )
        )
        self.token, self.index = token, index

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TrackButton:
        return cls(match["token"], int(match["index"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            questions = questions_of(interaction)
            question = questions.take(self.token)
            if question is None or self.index >= len(question.found):
                raise ValidationError(
                    "this list has expired (or the bot restarted): use Track deadline again",
                    example="Apps > Track deadline",
                )
            questions.put_back(self.token, question)  # another of its deadlines may follow
            if question.user_id != interaction.user.id:
                raise ValidationError("only the member who asked can track from this list")
            guild_id = guild_id_of(interaction)
            assert guild_id is not None
            await interaction.response.send_modal(
                TrackForm(question.found[self.index], guild_id, interaction.user.id)
            )
        except Exception as error:
            await report_error(interaction, error)


class TrackForm(discord.ui.Modal):
    """The deadline found, to check and confirm; answered in `submit_tracking`."""

    def __init__(self, found: Found, guild_id: int, user_id: int) -> None:
        super().__init__(
            title="Track this deadline",
            custom_id=f"dd:track-form:{guild_id}:{user_id}",
            timeout=900,
        )
        # Each input in a Label component (the text input's own label is deprecated).
        fields = (
            ("title", "Title", None, found.title, 200),
            ("when", "Deadline", "A period or a date: 30 days, 2025-08-15", found.period, 200),
            ("start", "Day 0", "The date counted from: YYYY-MM-DD", found.start.isoformat(), 10),
            ("counting", "Counting", "calendar, roll, court or business", found.due.rule.value,
             10),
        )  # fmt: skip
        for custom_id, label, description, value, longest in fields:
            field: discord.ui.TextInput[TrackForm] = discord.ui.TextInput(
                default=value[:longest], max_length=longest, custom_id=custom_id
            )
            self.add_item(discord.ui.Label(text=label, description=description, component=field))
        channel: discord.ui.TextInput[TrackForm] = discord.ui.TextInput(
            placeholder="#deadlines", required=False, max_length=100, custom_id="channel"
        )
        self.add_item(
            discord.ui.Label(
                text="Alerts channel",
                description="Blank: the server's alert channel, else this one",
                component=channel,
            )
        )
        self.stop()  # finished before it is sent: answered by submit_tracking, not by it


async def submit_tracking(interaction: discord.Interaction) -> bool:
    """Answer a submitted Track form; False if the interaction is not one."""
    data: dict[str, Any] = dict(interaction.data or {})
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    match = TRACK_FORM.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return False
    try:
        if guild_id_of(interaction) != int(match["guild"]):
            raise ValidationError("this form belongs to another server")
        if interaction.user.id != int(match["user"]):
            raise ValidationError("only the member who opened this form can submit it")
        values = form_values(data.get("components"))
        desk = desk_of(interaction)
        guild_id = int(match["guild"])
        added = await desk.services.deadlines.add(
            actor_of(interaction),
            guild_id,
            text=values.get("when", ""),
            title=values.get("title") or None,
            channel_id=_channel(interaction, values.get("channel", "")),
            here_channel_id=interaction.channel_id,
            start=_day0(values.get("start", ""), near=desk.clock.now().date()),
            counting=values.get("counting") or None,
        )
        embed = render.deadline_embed(
            added.deadline, now=desk.clock.now(), next_alerts=added.alerts
        )
        await reply(interaction, embed=embed)
    except Exception as error:
        await report_error(interaction, error)
    return True


def _channel(interaction: discord.Interaction, text: str) -> int | None:
    """A channel as typed in the form: `#name`, `<#id>` or an id; None if left blank."""
    text = text.strip()
    if not text:
        return None
    guild = interaction.guild
    channels = list(guild.text_channels) if guild is not None else []
    digits = re.fullmatch(r"<#(\d{15,21})>|(\d{15,21})", text)
    if digits:
        wanted = int(digits[1] or digits[2])
        found = next((c for c in channels if c.id == wanted), None)
    else:
        name = text.removeprefix("#").strip().lower()
        found = next((c for c in channels if c.name.lower() == name), None)
    if found is None:
        raise ValidationError(f"no text channel {text[:60]!r} in this server", example="#deadlines")
    return found.id


def _day0(text: str, *, near: dt.date) -> dt.date:
    try:
        return parse_start_date(text, near=near)
    except DeadlineError as exc:
        raise ValidationError(f"Day 0: {exc.message}", example="2025-07-17") from exc
