"""Slash-command options parsed in the signature (app-command transformers), and the acting
member as the service sees them.

A transformer that refuses raises a `UserError`; discord.py wraps it in a TransformerError,
and the tree's error handler shows the UserError's own message and example.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import discord
from discord import app_commands

from bot.clock import Clock
from bot.deadlines import (
    AbsoluteDue,
    DeadlineError,
    Period,
    PhraseError,
    parse_phrase,
    parse_start_date,
)
from bot.deadlines.laws import find_law, search_laws
from bot.models import Mention, MentionKind
from bot.service import Actor, ChannelRights, Services, ValidationError, When
from bot.service.checks import clean, parse_days

NEEDS_SERVER = "this command works in a server; in direct messages only /deadline calc does"
Mentionable = discord.Member | discord.User | discord.Role
E = TypeVar("E", bound=Enum)


@runtime_checkable
class DeskClient(Protocol):
    """What handlers and buttons need from the bot: the use cases and the clock."""

    services: Services
    clock: Clock


def desk_of(interaction: discord.Interaction) -> DeskClient:
    client = interaction.client
    if not isinstance(client, DeskClient):
        raise RuntimeError("the client has no Deadline Desk services")
    return client


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise ValidationError(NEEDS_SERVER, example="/deadline calc text:FOIA, 20 business days")
    return interaction.guild_id


def actor_of(interaction: discord.Interaction) -> Actor:
    """The member acting, with the rights Discord gives them in each channel.

    For the channel the interaction came from, Discord says so itself
    (`interaction.permissions`); for any other channel of the server the rights are worked out
    from the cached roles and overwrites, as Discord does. A channel the bot cannot see gives
    no rights.
    """
    user = interaction.user
    here = interaction.channel_id
    here_permissions = interaction.permissions
    guild = interaction.guild

    def rights(channel_id: int) -> ChannelRights:
        if channel_id == here:
            permissions = here_permissions
        else:
            channel = guild.get_channel(channel_id) if guild is not None else None
            if channel is None or not isinstance(user, discord.Member):
                return ChannelRights()
            permissions = channel.permissions_for(user)
        return ChannelRights(
            manage_messages=permissions.manage_messages,
            send_messages=permissions.view_channel and permissions.send_messages,
            mention_everyone=permissions.mention_everyone,
            pin_messages=permissions.pin_messages,
            view_channel=permissions.view_channel,
        )

    return Actor(
        user_id=user.id,
        role_ids=frozenset(role.id for role in getattr(user, "roles", ())),
        manage_guild=here_permissions.manage_guild,
        rights=rights,
        mentionable_roles=frozenset(
            role.id for role in (guild.roles if guild is not None else ()) if role.mentionable
        ),
    )


# What the bot needs in an alert channel: to see it, post, show the alert's embed, and read
# back what it posted (the check that an alert is not posted twice after a crash).
_ALERT_PERMISSIONS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)


def bot_lacks_in(
    interaction: discord.Interaction, channel_id: int, mention: Mention | None = None
) -> list[str]:
    """The permissions the bot itself lacks to post alerts in that channel, as Discord names
    them (from the cached roles and overwrites), and to ping `mention` there (a role that not
    anyone may mention needs Mention All Roles, or Discord posts the alert without the ping);
    [] when it has them all or cannot tell."""
    guild = interaction.guild
    channel = guild.get_channel(channel_id) if guild is not None else None
    if guild is None or channel is None:
        return [] if guild is None else ["View Channel"]
    permissions = channel.permissions_for(guild.me)
    lacking = [name for flag, name in _ALERT_PERMISSIONS if not getattr(permissions, flag)]
    if mention is not None and mention.kind is MentionKind.ROLE:
        role = guild.get_role(mention.id)
        if role is not None and not role.mentionable and not permissions.mention_everyone:
            lacking.append(f"Mention All Roles (to ping <@&{mention.id}>)")
    return lacking


def mention_of(value: Mentionable | None) -> Mention | None:
    if value is None:
        return None
    kind = MentionKind.ROLE if isinstance(value, discord.Role) else MentionKind.USER
    return Mention(kind, value.id)


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


def parse_when(text: str) -> When:
    """A period ('14 days') or a date ('2025-09-15'), as typed; the engine's own error if
    it is neither, and a refusal if anything else is written with it (an option is a
    period or a date, not a phrase with a title)."""
    parsed = parse_phrase(clean(text))
    if parsed.title is not None or parsed.start is not None:
        raise PhraseError(
            f"{text[:60]!r} is more than a period or a date", example="14 days / 2025-09-15"
        )
    return parsed.spec


def parse_option(
    text: str, option: str, wanted: type[Period] | type[AbsoluteDue] | None, example: str
) -> When:
    """`text` as a period or a date for `option`; `wanted` narrows it to one of the two."""
    spec = parse_when(text)
    if wanted is not None and not isinstance(spec, wanted):
        what = "a period" if wanted is Period else "a date"
        raise ValidationError(f"`{option}` needs {what}", example=f"{option}:{example}")
    return spec


def one_change(by: When | None, to: When | None, *, deadline_id: int) -> When:
    """`/deadline extend` has two options for one value: exactly one must be given."""
    if (by is None) == (to is None):
        raise ValidationError(
            "give exactly one of `by` (a period) or `to` (a date)",
            example=f"/deadline extend deadline:{deadline_id} by:14 days",
        )
    change = by if by is not None else to
    assert change is not None
    return change


class DeadlineId(app_commands.Transformer):
    """A deadline number: `12` or `#12`."""

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        return parse_deadline_id(value)


class StartDate(app_commands.Transformer):
    """Day 0 as typed ('2025-07-17', 'July 17 2025'); without a year, the nearest one."""

    async def transform(self, interaction: discord.Interaction, value: str) -> dt.date:
        near = desk_of(interaction).clock.now().date()
        try:
            return parse_start_date(value, near=near)
        except DeadlineError as exc:
            raise ValidationError(
                f"`from`: {exc.message}", example="from:2025-07-17 (or July 17 2025)"
            ) from exc


class PeriodOrDate(app_commands.Transformer):
    """A period or a date; `wanted` narrows it to one of the two for this option."""

    def __init__(
        self,
        option: str,
        wanted: type[Period] | type[AbsoluteDue] | None,
        example: str,
        *,
        max_length: int | None = None,
    ) -> None:
        self._option = option
        self._wanted = wanted
        self._example = example
        self._max_length = max_length

    @property
    def min_value(self) -> int | None:
        return 1 if self._max_length is not None else None

    @property
    def max_value(self) -> int | None:
        return self._max_length

    async def transform(self, interaction: discord.Interaction, value: str) -> When:
        return parse_option(value, self._option, self._wanted, self._example)


class TimeOfDay(app_commands.Transformer):
    """HH:MM, 24-hour."""

    async def transform(self, interaction: discord.Interaction, value: str) -> dt.time:
        try:
            parsed = dt.time.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(f"{value[:20]!r} is not a time", example="time:09:00") from None
        return parsed.replace(second=0, microsecond=0)


class DayList(app_commands.Transformer):
    """Whole numbers of days, comma- or space-separated: '7,3,1'."""

    async def transform(self, interaction: discord.Interaction, value: str) -> tuple[int, ...]:
        return parse_days(value)


class Choices(app_commands.Transformer, Generic[E]):
    """An enum as the option's choices, shown and sent by value ('calendar', not 'CALENDAR')."""

    def __init__(self, enum: type[E]) -> None:
        self._enum = enum

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def choices(self) -> list[app_commands.Choice[int | float | str]]:
        return [app_commands.Choice(name=str(m.value), value=str(m.value)) for m in self._enum]

    async def transform(self, interaction: discord.Interaction, value: Any) -> E:
        try:
            return self._enum(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in self._enum)
            raise ValidationError(f"{str(value)[:20]!r} is not one of {choices}") from None


class PresetName(app_commands.Transformer):
    """A records-law preset: its key (what autocomplete sends), an alias or its name."""

    @property
    def max_value(self) -> int:
        return 100

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        try:
            return find_law(value).key
        except DeadlineError as exc:
            raise ValidationError(
                f"`preset`: {exc.message}", example="preset:California - CPRA (pick from the list)"
            ) from exc


def preset_choices(current: str) -> list[app_commands.Choice[str]]:
    """At most 25 presets matching what is typed, named 'California - CPRA' (<= 100 chars),
    valued by key."""
    return [
        app_commands.Choice(name=law.label[:100], value=law.key)
        for law in search_laws(current.strip(), limit=25)
    ]
