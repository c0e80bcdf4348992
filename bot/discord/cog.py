"""The /deadline slash commands. Each handler: validate, call one service function, render."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from functools import lru_cache
from typing import Literal
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.deadlines import DeadlineError, Rule, parse_start_date, zone
from bot.export import render as render_file
from bot.models import BoardScope, Mention, MentionKind
from bot.service import ValidationError

from . import render
from .boards import BoardKeeper
from .interact import (
    NotAllowed,
    actor_of,
    backend,
    guild_id_of,
    modifiable,
    parse_deadline_id,
    reply,
)
from .policy import BOARD_RULE, SETTINGS_RULE, may_change_settings, may_manage_boards
from .views import DeleteButton, list_page
from .webcog import web_base_url

Counting = Literal["calendar", "roll", "court", "business"]
Show = Literal["active", "overdue", "done", "all"]
ExportFormat = Literal["ics", "csv"]
ExportShow = Literal["active", "all"]
Scope = Literal["channel", "all"]
# Discord's upload limit without server boosts; a guild's own limit is used when known.
UPLOAD_LIMIT = 10 * 1024 * 1024
Mentionable = discord.Member | discord.User | discord.Role


def _mention(value: Mentionable | None) -> Mention | None:
    if value is None:
        return None
    kind = MentionKind.ROLE if isinstance(value, discord.Role) else MentionKind.USER
    return Mention(kind, value.id)


def _start(interaction: discord.Interaction, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_start_date(text, near=backend(interaction).now().date())
    except DeadlineError as exc:
        raise ValidationError(
            f"`from`: {exc.message}", example="from:2025-07-17 (or July 17 2025)"
        ) from exc


def _require_settings_permission(interaction: discord.Interaction) -> int:
    guild_id = guild_id_of(interaction)
    if not may_change_settings(actor_of(interaction)):
        raise NotAllowed(SETTINGS_RULE, example="ask someone with Manage Server")
    return guild_id


def _require_board_permission(interaction: discord.Interaction) -> int:
    guild_id = guild_id_of(interaction)
    if not may_manage_boards(actor_of(interaction)):
        raise NotAllowed(BOARD_RULE, example="ask someone who can pin messages")
    return guild_id


def _keeper(interaction: discord.Interaction) -> BoardKeeper:
    keeper = getattr(interaction.client, "boards", None)
    if not isinstance(keeper, BoardKeeper):
        raise RuntimeError("the client keeps no boards")
    return keeper


def _channel_id(interaction: discord.Interaction, channel: discord.TextChannel | None) -> int:
    target = channel.id if channel else interaction.channel_id
    if target is None:
        raise ValidationError("pick a channel for the board", example="channel:#deadlines")
    return target


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


class DeadlineCog(commands.Cog):
    """/deadline ..., and /deadline settings ..."""

    deadline = app_commands.Group(name="deadline", description="Track other people's deadlines")
    settings = app_commands.Group(
        name="settings", description="Deadline Desk settings for this server", parent=deadline
    )

    # -- deadlines --------------------------------------------------------------------

    @deadline.command(
        name="add", description="Track a deadline: its due date, alerts and who to ping"
    )
    @app_commands.rename(start="from")
    @app_commands.describe(
        text="Title and period, e.g. 'Bondi letter, 30 days' or 'FOIA to FBI, 20 business days'",
        start="Day 0: the date of the letter or request (default: today)",
        counting="How to count days (default: the server's setting)",
        channel="Where alerts go (default: the server's alert channel, else here)",
        mention="A role or member to ping in alerts",
        link="A link to the letter or request",
        notes="Anything worth remembering",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 500],
        start: str | None = None,
        counting: Counting | None = None,
        channel: discord.TextChannel | None = None,
        mention: Mentionable | None = None,
        link: str | None = None,
        notes: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        bot = backend(interaction)
        settings = await bot.service.settings(guild_id)
        target = channel.id if channel else settings.default_channel_id or interaction.channel_id
        if target is None:
            raise ValidationError("pick a channel for the alerts", example="channel:#deadlines")
        deadline = await bot.service.add(
            guild_id,
            actor_id=interaction.user.id,
            channel_id=target,
            text=text,
            start=_start(interaction, start),
            counting=counting,
            mention=_mention(mention),
            link=link,
            notes=notes,
        )
        status = await bot.service.status(guild_id, deadline.id)
        embed = render.deadline_embed(deadline, now=bot.now(), next_alerts=status.next_alerts)
        await reply(interaction, embed=embed)

    @deadline.command(name="calc", description="Work out a due date without saving anything")
    @app_commands.rename(start="from")
    @app_commands.describe(
        text="A period, e.g. '20 business days' or 'Bondi letter, 30 days'",
        start="Day 0 (default: today)",
        counting="How to count days",
    )
    async def calc(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 500],
        start: str | None = None,
        counting: Counting | None = None,
    ) -> None:
        result = await backend(interaction).service.calc(
            text,
            guild_id=interaction.guild_id,
            start=_start(interaction, start),
            counting=counting,
        )
        await reply(interaction, embed=render.calc_embed(result), ephemeral=True)

    @deadline.command(name="list", description="Deadlines of this server, soonest first")
    @app_commands.describe(show="Which ones (default: active)", channel="Only this channel's")
    async def list_(
        self,
        interaction: discord.Interaction,
        show: Show = "active",
        channel: discord.TextChannel | None = None,
    ) -> None:
        embed, view = await list_page(
            interaction, show=show, channel_id=channel.id if channel else None, page=1
        )
        await reply(interaction, embed=embed, view=view)

    @deadline.command(name="status", description="Everything about one deadline")
    @app_commands.describe(deadline="The deadline's number, e.g. 12")
    async def status(self, interaction: discord.Interaction, deadline: str) -> None:
        bot = backend(interaction)
        result = await bot.service.status(guild_id_of(interaction), parse_deadline_id(deadline))
        await reply(interaction, embed=render.status_embed(result, now=bot.now()))

    @deadline.command(name="done", description="Mark a deadline done: its alerts stop")
    @app_commands.describe(deadline="The deadline's number", note="e.g. 'county replied'")
    async def done(
        self,
        interaction: discord.Interaction,
        deadline: str,
        note: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        found = await modifiable(interaction, parse_deadline_id(deadline))
        done = await backend(interaction).service.done(
            found.guild_id, found.id, actor_id=interaction.user.id, note=note
        )
        await reply(
            interaction, content=f"\u2705 #{done.id} {render.clean(done.title, 200)} is done."
        )

    @deadline.command(name="extend", description="Move a deadline: by a period or to a date")
    @app_commands.describe(
        deadline="The deadline's number",
        by="A period added to the current due date, e.g. '14 days'",
        to="A new due date, e.g. '2025-09-15'",
        reason="e.g. 'county granted an extension'",
    )
    async def extend(
        self,
        interaction: discord.Interaction,
        deadline: str,
        by: str | None = None,
        to: str | None = None,
        reason: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        deadline_id = parse_deadline_id(deadline)
        if (by is None) == (to is None):
            raise ValidationError(
                "give exactly one of `by` (a period) or `to` (a date)",
                example=f"/deadline extend deadline:{deadline_id} by:14 days",
            )
        found = await modifiable(interaction, deadline_id)
        extended = await backend(interaction).service.extend(
            found.guild_id, found.id, actor_id=interaction.user.id, by=by, to=to, reason=reason
        )
        await reply(
            interaction,
            content=f"\u23e9 #{extended.id} {render.clean(extended.title, 200)} now due "
            f"{render.due_line(extended)}",
        )

    @deadline.command(
        name="edit", description="Change a deadline's title, notes, link, channel or mention"
    )
    @app_commands.describe(
        deadline="The deadline's number",
        title="New title",
        notes="New notes",
        link="New link",
        channel="New alert channel",
        mention="New role or member to ping",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        deadline: str,
        title: app_commands.Range[str, 1, 200] | None = None,
        notes: app_commands.Range[str, 0, 1000] | None = None,
        link: str | None = None,
        channel: discord.TextChannel | None = None,
        mention: Mentionable | None = None,
    ) -> None:
        found = await modifiable(interaction, parse_deadline_id(deadline))
        bot = backend(interaction)
        if mention is not None:
            edited = await bot.service.edit(
                found.guild_id,
                found.id,
                actor_id=interaction.user.id,
                title=title,
                notes=notes,
                link=link,
                channel_id=channel.id if channel else None,
                mention=_mention(mention),
            )
        else:
            edited = await bot.service.edit(
                found.guild_id,
                found.id,
                actor_id=interaction.user.id,
                title=title,
                notes=notes,
                link=link,
                channel_id=channel.id if channel else None,
            )
        await reply(interaction, embed=render.deadline_embed(edited, now=bot.now()))

    @deadline.command(name="snooze", description="No alerts for a deadline until a date")
    @app_commands.describe(
        deadline="The deadline's number", until="A date or a period: '2025-08-20' or '3 days'"
    )
    async def snooze(
        self,
        interaction: discord.Interaction,
        deadline: str,
        until: app_commands.Range[str, 1, 100],
    ) -> None:
        found = await modifiable(interaction, parse_deadline_id(deadline))
        snoozed = await backend(interaction).service.snooze(
            found.guild_id, found.id, actor_id=interaction.user.id, until=until
        )
        assert snoozed.snoozed_until is not None
        await reply(
            interaction,
            content=f"\U0001f4a4 #{snoozed.id} {render.clean(snoozed.title, 200)}: no alerts until "
            f"{render.stamp(snoozed.snoozed_until, 'f')}.",
        )

    @deadline.command(name="delete", description="Delete a deadline (asks first; kept in history)")
    @app_commands.describe(deadline="The deadline's number")
    async def delete(self, interaction: discord.Interaction, deadline: str) -> None:
        found = await modifiable(interaction, parse_deadline_id(deadline))
        view = discord.ui.View(timeout=None)
        view.add_item(DeleteButton(found.guild_id, found.id, interaction.user.id))
        await reply(
            interaction,
            content=f"Delete #{found.id} {render.clean(found.title, 200)}? Its alerts stop; "
            "its history is kept.",
            view=view,
            ephemeral=True,
        )

    @deadline.command(
        name="export",
        description="Download the deadlines for a calendar app (.ics) or a spreadsheet",
    )
    @app_commands.rename(fmt="format")
    @app_commands.describe(
        fmt="ics for calendar apps (default), csv for spreadsheets",
        show="active (default), or all: done and deleted ones too",
    )
    async def export(
        self,
        interaction: discord.Interaction,
        fmt: ExportFormat = "ics",
        show: ExportShow = "active",
    ) -> None:
        guild_id = guild_id_of(interaction)
        # Thousands of deadlines take seconds to render: answer Discord first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = backend(interaction)
        guild = interaction.guild
        data = await bot.service.export_deadlines(
            guild_id, include_all=show == "all", name=guild.name if guild else ""
        )
        body = await asyncio.to_thread(render_file, fmt, data)
        limit = guild.filesize_limit if guild else UPLOAD_LIMIT
        if len(body) > limit:
            raise ValidationError(
                f"the file would be {len(body) / 2**20:.1f} MB, more than Discord takes here "
                f"({limit / 2**20:.0f} MB)",
                example="/deadline export show:active, or ask the bot's host for python -m bot "
                "export",
            )
        day = bot.now().astimezone(zone(data.settings.timezone)).date()
        await reply(
            interaction,
            content=render.export_text(len(data.deadlines), fmt=fmt, show=show),
            file=discord.File(io.BytesIO(body), filename=f"deadlines-{show}-{day}.{fmt}"),
            ephemeral=True,
        )

    @deadline.command(
        name="board", description="Post a live list of deadlines, kept up to date, and pin it"
    )
    @app_commands.describe(
        channel="Where to post it (default: here)",
        scope="channel: the deadlines alerting in that channel (default); all: the server's",
    )
    async def board(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        scope: Scope = "channel",
    ) -> None:
        guild_id = _require_board_permission(interaction)
        target = _channel_id(interaction, channel)
        # Posting and pinning are two requests to Discord: answer it first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await _keeper(interaction).post(
            guild_id, target, BoardScope(scope), actor_id=interaction.user.id
        )
        text = render.board_posted_text(
            target, pin_error=posted.pin_error, replaced=posted.replaced is not None
        )
        await reply(interaction, content=text, ephemeral=True)

    @deadline.command(name="board-remove", description="Stop keeping a channel's board up to date")
    @app_commands.describe(channel="The board's channel (default: here)")
    async def board_remove(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        guild_id = _require_board_permission(interaction)
        target = _channel_id(interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await _keeper(interaction).remove(guild_id, target, actor_id=interaction.user.id)
        await reply(interaction, content=render.board_removed_text(target), ephemeral=True)

    @status.autocomplete("deadline")
    @done.autocomplete("deadline")
    @extend.autocomplete("deadline")
    @edit.autocomplete("deadline")
    @snooze.autocomplete("deadline")
    @delete.autocomplete("deadline")
    async def deadline_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 of this server's deadlines matching the id or title, active first."""
        if interaction.guild_id is None:
            return []
        found = await backend(interaction).service.search(interaction.guild_id, current.strip())
        return [
            app_commands.Choice(
                name=render.cut(f"#{d.id} {d.title} \u2014 due {d.due} ({d.status.value})", 100),
                value=str(d.id),
            )
            for d in found[:25]
        ]

    # -- settings ---------------------------------------------------------------------

    @settings.command(name="show", description="Show this server's settings")
    async def settings_show(self, interaction: discord.Interaction) -> None:
        current = await backend(interaction).service.settings(guild_id_of(interaction))
        await reply(interaction, embed=render.settings_embed(current), ephemeral=True)

    async def _update(self, interaction: discord.Interaction, **changes: object) -> None:
        guild_id = _require_settings_permission(interaction)
        updated = await backend(interaction).service.update_settings(
            guild_id, actor_id=interaction.user.id, **changes
        )
        await reply(interaction, embed=render.settings_embed(updated), ephemeral=True)

    @settings.command(name="timezone", description="The newsroom's time zone")
    @app_commands.describe(zone_name="An IANA zone, e.g. America/Los_Angeles")
    @app_commands.rename(zone_name="zone")
    async def settings_timezone(self, interaction: discord.Interaction, zone_name: str) -> None:
        try:
            key = zone(zone_name).key
        except DeadlineError as exc:
            raise ValidationError(exc.message, example="zone:America/Los_Angeles") from exc
        await self._update(interaction, timezone=key)

    @settings_timezone.autocomplete("zone_name")
    async def zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower().replace(" ", "_")
        matches = [z for z in _zones() if needle in z.lower()][:25]
        return [app_commands.Choice(name=z, value=z) for z in matches]

    @settings.command(name="alert-time", description="When alerts go out each day (HH:MM)")
    @app_commands.describe(time="24-hour time, e.g. 09:00")
    async def settings_alert_time(self, interaction: discord.Interaction, time: str) -> None:
        try:
            parsed = dt.time.fromisoformat(time.strip())
        except ValueError:
            raise ValidationError(f"{time[:20]!r} is not a time", example="time:09:00") from None
        await self._update(interaction, alert_time=parsed.replace(second=0, microsecond=0))

    @settings.command(name="reminders", description="Days before the due date to remind")
    @app_commands.describe(days="Comma-separated days, e.g. 7,3,1")
    async def settings_reminders(self, interaction: discord.Interaction, days: str) -> None:
        parts = [part.strip() for part in days.replace(" ", ",").split(",") if part.strip()]
        if not all(part.isdigit() and len(part) <= 3 for part in parts):
            raise ValidationError(f"{days[:40]!r} is not a list of days", example="days:7,3,1")
        await self._update(interaction, reminder_days=tuple(int(part) for part in parts))

    @settings.command(name="calendar", description="Holiday calendar: US, or US-XX for a state")
    @app_commands.describe(name="US, or e.g. US-CA")
    async def settings_calendar(self, interaction: discord.Interaction, name: str) -> None:
        await self._update(interaction, calendar=name)

    @settings.command(name="counting", description="The default counting rule")
    async def settings_counting(self, interaction: discord.Interaction, rule: Counting) -> None:
        await self._update(interaction, counting=Rule(rule))

    @settings.command(name="channel", description="Where alerts go by default")
    async def settings_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        await self._update(interaction, default_channel_id=channel.id)

    @settings.command(name="manager-role", description="A role that may change any deadline")
    async def settings_manager_role(
        self, interaction: discord.Interaction, role: discord.Role
    ) -> None:
        await self._update(interaction, manager_role_id=role.id)

    @settings.command(name="escalation", description="A role pinged once a deadline stays overdue")
    @app_commands.describe(role="The role to ping", after="From which overdue alert (default 3)")
    async def settings_escalation(
        self,
        interaction: discord.Interaction,
        role: discord.Role,
        after: app_commands.Range[int, 1, 100] | None = None,
    ) -> None:
        changes: dict[str, object] = {"escalation_role_id": role.id}
        if after is not None:
            changes["escalate_after"] = after
        await self._update(interaction, **changes)

    @settings.command(name="digest", description="A daily digest in the alert channel")
    async def settings_digest(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._update(interaction, digest_enabled=enabled)

    @settings.command(
        name="calendar-feed", description="A private address to subscribe to from calendar apps"
    )
    @app_commands.describe(rotate="Make a new address; the old one stops working at once")
    async def settings_calendar_feed(
        self, interaction: discord.Interaction, rotate: bool = False
    ) -> None:
        guild_id = _require_settings_permission(interaction)
        base_url = web_base_url(interaction.client)
        if base_url is None:
            raise ValidationError(
                "calendar feeds are off: the bot's host must turn on its web server",
                example="enabled = true under [web] in config.toml",
            )
        access = await backend(interaction).service.calendar_feed(
            guild_id,
            actor_id=interaction.user.id,
            rotate=rotate,
            name=interaction.guild.name if interaction.guild else "",
        )
        await reply(interaction, content=render.feed_text(access, base_url), ephemeral=True)
