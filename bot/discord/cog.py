"""The /deadline slash commands. Each handler: options arrive transformed, one service call
with the acting member, render, reply. Refusals are UserErrors, answered by the tree."""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.deadlines import AbsoluteDue, AmbiguousPhrase, Period, Rule, zone, zone_names
from bot.export import Format
from bot.models import BoardScope, ListFilter
from bot.service import UNSET, Added, NotAllowed, Services, ValidationError, When
from bot.service.imports import IMPORT_RULE, SheetProblems

from . import render
from .boards import BoardKeeper
from .choices import ask_which
from .interact import reply
from .options import (
    Choices,
    DayList,
    DeadlineId,
    Mentionable,
    PeriodOrDate,
    PresetName,
    StartDate,
    TimeOfDay,
    actor_of,
    bot_lacks_in,
    guild_id_of,
    mention_of,
    one_change,
    preset_choices,
)
from .sheets import MAX_SHEET_BYTES, check_sheet_file, imported_text, problems_text
from .views import DeleteButton, list_page

ExportShow = Literal["active", "all"]
# Discord's upload limit without server boosts; a guild's own limit is used when known.
UPLOAD_LIMIT = 10 * 1024 * 1024

DeadlineNumber = app_commands.Transform[int, DeadlineId]
Start = app_commands.Transform[dt.date, StartDate]
Counting = app_commands.Transform[Rule, Choices(Rule)]
Show = app_commands.Transform[ListFilter, Choices(ListFilter)]
Scope = app_commands.Transform[BoardScope, Choices(BoardScope)]
By = app_commands.Transform[When, PeriodOrDate("by", Period, "14 days")]
To = app_commands.Transform[When, PeriodOrDate("to", AbsoluteDue, "2025-09-15")]
Until = app_commands.Transform[When, PeriodOrDate("until", None, "3 days", max_length=100)]
Time = app_commands.Transform[dt.time, TimeOfDay]
Days = app_commands.Transform[tuple[int, ...], DayList]
Preset = app_commands.Transform[str, PresetName]


def _here(interaction: discord.Interaction, channel: discord.TextChannel | None) -> int:
    target = channel.id if channel else interaction.channel_id
    if target is None:
        raise ValidationError("pick a channel for the board", example="channel:#deadlines")
    return target


def _text_of(text: str | None, preset: str | None) -> str:
    """The `text` option: a phrase, or with a preset only a title (then it may be left out)."""
    if text is None and preset is None:
        raise ValidationError(
            "give the title and period, or pick a preset",
            example="text:Bondi letter, 30 days (or preset:California - CPRA)",
        )
    return text or ""


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zone_names()))


class DeadlineCog(commands.Cog):
    """/deadline ..., and /deadline settings ..."""

    deadline = app_commands.Group(name="deadline", description="Track other people's deadlines")
    settings = app_commands.Group(
        name="settings", description="Deadline Desk settings for this server", parent=deadline
    )

    def __init__(
        self,
        services: Services,
        boards: BoardKeeper,
        *,
        clock: Clock,
        feed_base_url: str | None = None,
    ) -> None:
        self.services = services
        self.boards = boards
        self.clock = clock
        self.feed_base_url = feed_base_url  # None: the web server is off

    # -- deadlines --------------------------------------------------------------------

    @deadline.command(
        name="add", description="Track a deadline: its due date, alerts and who to ping"
    )
    @app_commands.rename(start="from")
    @app_commands.describe(
        text="Title and period, e.g. 'Bondi letter, 30 days'; with a preset, only a title",
        start="Day 0: the date of the letter or request (default: today)",
        counting="How to count days (default: the server's setting)",
        preset="A records law's deadline, e.g. California - CPRA (counted as the law says)",
        channel="Where alerts go (default: the server's alert channel, else here)",
        mention="A role or member to ping in alerts",
        link="A link to the letter or request",
        notes="Anything worth remembering",
        dm="Also send you a direct-message copy of each alert (only you)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 500] | None = None,
        start: Start | None = None,
        counting: Counting | None = None,
        channel: discord.TextChannel | None = None,
        mention: Mentionable | None = None,
        link: str | None = None,
        notes: app_commands.Range[str, 0, 1000] | None = None,
        preset: Preset | None = None,
        dm: bool = False,
    ) -> None:
        async def add(asker: discord.Interaction, phrase: str) -> Added:
            return await self.services.deadlines.add(
                actor_of(asker),
                guild_id_of(asker),
                text=phrase,
                channel_id=channel.id if channel else None,
                here_channel_id=asker.channel_id,
                start=start,
                counting=counting,
                mention=mention_of(mention),
                link=link,
                notes=notes,
                preset=preset,
                dm=dm,
            )

        async def added_embed(asker: discord.Interaction, phrase: str) -> discord.Embed:
            added = await add(asker, phrase)
            return render.deadline_embed(
                added.deadline, now=self.clock.now(), next_alerts=added.alerts
            )

        try:
            added = await add(interaction, _text_of(text, preset))
        except AmbiguousPhrase as error:
            await ask_which(interaction, error, added_embed)
            return
        embed = render.deadline_embed(
            added.deadline, now=self.clock.now(), next_alerts=added.alerts
        )
        # Sent again (the first answer never came through): the one already saved.
        said = [render.already_tracked_text(added.deadline)] if added.existing else []
        lacking = bot_lacks_in(interaction, added.deadline.channel_id, added.deadline.mention)
        if lacking:
            said.append(render.cannot_post_text(added.deadline.channel_id, lacking))
        if added.dm:
            said.append(render.dm_copies_text(added.deadline, on=True))
        await reply(interaction, content="\n".join(said) or None, embed=embed)

    @deadline.command(name="calc", description="Work out a due date without saving anything")
    @app_commands.rename(start="from")
    @app_commands.describe(
        text="A period, e.g. '20 business days' or 'Bondi letter, 30 days'",
        start="Day 0 (default: today)",
        counting="How to count days",
        preset="A records law's deadline, e.g. New York - FOIL",
    )
    async def calc(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 500] | None = None,
        start: Start | None = None,
        counting: Counting | None = None,
        preset: Preset | None = None,
    ) -> None:
        async def calculated(asker: discord.Interaction, phrase: str) -> discord.Embed:
            result = await self.services.deadlines.calc(
                phrase, guild_id=asker.guild_id, start=start, counting=counting, preset=preset
            )
            return render.calc_embed(result)

        try:
            embed = await calculated(interaction, _text_of(text, preset))
        except AmbiguousPhrase as error:
            await ask_which(interaction, error, calculated)
            return
        await reply(interaction, embed=embed, ephemeral=True)

    @deadline.command(name="list", description="Deadlines of this server, soonest first")
    @app_commands.describe(show="Which ones (default: active)", channel="Only this channel's")
    async def list_(
        self,
        interaction: discord.Interaction,
        show: Show = ListFilter.ACTIVE,
        channel: discord.TextChannel | None = None,
    ) -> None:
        embed, view = await list_page(
            interaction, show=show, channel_id=channel.id if channel else None, page=1
        )
        await reply(interaction, embed=embed, view=view)

    @deadline.command(name="status", description="Everything about one deadline")
    @app_commands.describe(deadline="The deadline's number, e.g. 12")
    async def status(self, interaction: discord.Interaction, deadline: DeadlineNumber) -> None:
        result = await self.services.deadlines.status(
            guild_id_of(interaction), deadline, viewer_id=interaction.user.id
        )
        await reply(interaction, embed=render.status_embed(result, now=self.clock.now()))
        # The asker's own DM copies (a refused one says their DMs are closed): theirs alone.
        mine = render.dm_status_text(result.deadline, result.dm) if result.dm else None
        if mine:
            await reply(interaction, content=mine, ephemeral=True)

    @deadline.command(name="done", description="Mark a deadline done: its alerts stop")
    @app_commands.describe(deadline="The deadline's number", note="e.g. 'county replied'")
    async def done(
        self,
        interaction: discord.Interaction,
        deadline: DeadlineNumber,
        note: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        done = await self.services.deadlines.done(
            actor_of(interaction), guild_id_of(interaction), deadline, note=note
        )
        await reply(interaction, content=render.done_text(done))

    @deadline.command(
        name="stop-repeating",
        description="End a repeat: the current occurrence stays, no more follow",
    )
    @app_commands.describe(deadline="The repeating deadline's number", note="e.g. 'report dropped'")
    async def stop_repeating(
        self,
        interaction: discord.Interaction,
        deadline: DeadlineNumber,
        note: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        stopped = await self.services.deadlines.stop_repeating(
            actor_of(interaction), guild_id_of(interaction), deadline, note=note
        )
        await reply(interaction, embed=render.deadline_embed(stopped, now=self.clock.now()))

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
        deadline: DeadlineNumber,
        by: By | None = None,
        to: To | None = None,
        reason: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        change = one_change(by, to, deadline_id=deadline)
        extended = await self.services.deadlines.extend(
            actor_of(interaction), guild_id_of(interaction), deadline, change=change, reason=reason
        )
        await reply(
            interaction,
            content=f"\u23e9 #{extended.id} {render.clean(extended.title, 200)} now due "
            f"{render.due_line(extended)}",
        )

    @deadline.command(
        name="edit",
        description="Change a deadline's title, notes, link, channel, mention or repeat",
    )
    @app_commands.describe(
        deadline="The deadline's number",
        title="New title",
        notes="New notes",
        link="New link",
        channel="New alert channel",
        mention="New role or member to ping",
        repeat="A new repeat, e.g. 'every month on the 15th' (due date moves to its next date)",
        dm="Your own direct-message copy of each alert: on or off (only yours)",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        deadline: DeadlineNumber,
        title: app_commands.Range[str, 1, 200] | None = None,
        notes: app_commands.Range[str, 0, 1000] | None = None,
        link: str | None = None,
        channel: discord.TextChannel | None = None,
        mention: Mentionable | None = None,
        repeat: app_commands.Range[str, 1, 200] | None = None,
        dm: bool | None = None,
    ) -> None:
        edited = await self.services.deadlines.edit(
            actor_of(interaction),
            guild_id_of(interaction),
            deadline,
            title=title,
            notes=notes,
            link=link,
            channel_id=channel.id if channel else None,
            # An option left out leaves the mention as it is.
            mention=mention_of(mention) if mention is not None else UNSET,
            repeat=repeat,
            dm=dm,
        )
        changed = channel is not None or mention is not None
        lacking = bot_lacks_in(interaction, edited.channel_id, edited.mention) if changed else []
        said = [render.cannot_post_text(edited.channel_id, lacking)] if lacking else []
        if dm is not None:
            said.append(render.dm_copies_text(edited, on=dm))
        others = any(x is not None for x in (title, notes, link, channel, mention))
        await reply(
            interaction,
            content="\n".join(said) or None,
            embed=render.deadline_embed(edited, now=self.clock.now()),
            # Only the member's own copies changed: no need to tell the channel.
            ephemeral=not others,
        )

    @deadline.command(name="snooze", description="No alerts for a deadline until a date")
    @app_commands.describe(
        deadline="The deadline's number", until="A date or a period: '2025-08-20' or '3 days'"
    )
    async def snooze(
        self,
        interaction: discord.Interaction,
        deadline: DeadlineNumber,
        until: Until,
    ) -> None:
        snoozed = await self.services.deadlines.snooze(
            actor_of(interaction),
            guild_id_of(interaction),
            deadline,
            until=until,
        )
        assert snoozed.snoozed_until is not None
        await reply(
            interaction,
            content=f"\U0001f4a4 #{snoozed.id} {render.clean(snoozed.title, 200)}: no alerts until "
            f"{render.stamp(snoozed.snoozed_until, 'f')}.",
        )

    @deadline.command(name="pause", description="Stop a deadline's clock and its alerts (tolling)")
    @app_commands.describe(
        deadline="The deadline's number", reason="e.g. 'agency asked to narrow the request'"
    )
    async def pause(
        self,
        interaction: discord.Interaction,
        deadline: DeadlineNumber,
        reason: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        paused = await self.services.deadlines.pause(
            actor_of(interaction), guild_id_of(interaction), deadline, reason=reason
        )
        await reply(
            interaction,
            content=f"\u23f8\ufe0f #{paused.id} {render.clean(paused.title, 200)} is paused with "
            f"{paused.left_text()} left: no alerts until `/deadline resume deadline:{paused.id}`.",
        )

    @deadline.command(
        name="resume", description="Restart a paused deadline's clock with the days it had left"
    )
    @app_commands.describe(deadline="The deadline's number", reason="e.g. 'request narrowed'")
    async def resume(
        self,
        interaction: discord.Interaction,
        deadline: DeadlineNumber,
        reason: app_commands.Range[str, 0, 1000] | None = None,
    ) -> None:
        resumed = await self.services.deadlines.resume(
            actor_of(interaction), guild_id_of(interaction), deadline, reason=reason
        )
        await reply(
            interaction,
            content=f"\u25b6\ufe0f #{resumed.id} {render.clean(resumed.title, 200)} is running "
            f"again: {render.due_line(resumed)}",
        )

    @deadline.command(name="delete", description="Delete a deadline (asks first; kept in history)")
    @app_commands.describe(deadline="The deadline's number")
    async def delete(self, interaction: discord.Interaction, deadline: DeadlineNumber) -> None:
        found = await self.services.deadlines.modifiable(
            actor_of(interaction), guild_id_of(interaction), deadline
        )
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
        fmt: Format = "ics",
        show: ExportShow = "active",
    ) -> None:
        guild_id = guild_id_of(interaction)
        # Thousands of deadlines take seconds to render: answer Discord first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = interaction.guild
        file = await self.services.feeds.export_file(
            guild_id, fmt, include_all=show == "all", name=guild.name if guild else ""
        )
        body = file.body
        limit = guild.filesize_limit if guild else UPLOAD_LIMIT
        if len(body) > limit:
            raise ValidationError(
                f"the file would be {len(body) / 2**20:.1f} MB, more than Discord takes here "
                f"({limit / 2**20:.0f} MB)",
                example="/deadline export show:active, or ask the bot's host for python -m bot "
                "export",
            )
        day = self.clock.now().astimezone(zone(file.timezone)).date()
        await reply(
            interaction,
            content=render.export_text(file.deadlines, fmt=fmt, show=show),
            file=discord.File(io.BytesIO(body), filename=f"deadlines-{show}-{day}.{fmt}"),
            ephemeral=True,
        )

    @deadline.command(
        name="import", description="Add deadlines from a spreadsheet (CSV file); Manage Server"
    )
    @app_commands.describe(
        file="A .csv file: the bot's own CSV export, or columns title and due (or text)",
        dry_run="Only check the file and show what it would add (default: false)",
    )
    async def import_(
        self, interaction: discord.Interaction, file: discord.Attachment, dry_run: bool = False
    ) -> None:
        guild_id = guild_id_of(interaction)
        actor = actor_of(interaction)
        if not actor.manage_guild:  # before downloading anything (the service checks too)
            raise NotAllowed(IMPORT_RULE, example="ask someone with Manage Server")
        check_sheet_file(file.filename, file.content_type, file.size)
        # Reading and checking thousands of rows takes seconds: answer Discord first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        try:
            result = await self.services.imports.import_sheet(
                guild_id,
                data[: MAX_SHEET_BYTES + 1],
                actor=actor,
                here_channel_id=interaction.channel_id,
                dry_run=dry_run,
            )
        except SheetProblems as problems:
            await reply(interaction, content=problems_text(problems), ephemeral=True)
            return
        await reply(interaction, content=imported_text(result), ephemeral=True)

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
        scope: Scope = BoardScope.CHANNEL,
    ) -> None:
        target = _here(interaction, channel)
        # Posting and pinning are two requests to Discord; if they take long, the tree's
        # defer_if_slow answers "thinking..." (privately) first.
        posted = await self.boards.post(
            actor_of(interaction), guild_id_of(interaction), target, scope
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
        target = _here(interaction, channel)
        await self.boards.remove(actor_of(interaction), guild_id_of(interaction), target)
        await reply(interaction, content=render.board_removed_text(target), ephemeral=True)

    @add.autocomplete("preset")
    @calc.autocomplete("preset")
    async def preset_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 records laws matching the key, name or common name ('cpra', 'New Y')."""
        return preset_choices(current)

    @status.autocomplete("deadline")
    @done.autocomplete("deadline")
    @extend.autocomplete("deadline")
    @edit.autocomplete("deadline")
    @snooze.autocomplete("deadline")
    @pause.autocomplete("deadline")
    @resume.autocomplete("deadline")
    @delete.autocomplete("deadline")
    @stop_repeating.autocomplete("deadline")
    async def deadline_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 of this server's deadlines matching the id or title, active first."""
        if interaction.guild_id is None:
            return []
        found = await self.services.deadlines.search(interaction.guild_id, current.strip())
        return [
            app_commands.Choice(
                name=render.cut(f"#{d.id} {d.title} \u2014 due {d.due} ({render.state(d)})", 100),
                value=str(d.id),
            )
            for d in found[:25]
        ]

    # -- settings ---------------------------------------------------------------------

    @settings.command(name="show", description="Show this server's settings")
    async def settings_show(self, interaction: discord.Interaction) -> None:
        current = await self.services.settings.get(guild_id_of(interaction))
        await reply(interaction, embed=render.settings_embed(current), ephemeral=True)

    async def _update(self, interaction: discord.Interaction, **changes: object) -> None:
        updated = await self.services.settings.update(
            actor_of(interaction), guild_id_of(interaction), **changes
        )
        await reply(interaction, embed=render.settings_embed(updated), ephemeral=True)

    @settings.command(name="timezone", description="The newsroom's time zone")
    @app_commands.describe(zone_name="An IANA zone, e.g. America/Los_Angeles")
    @app_commands.rename(zone_name="zone")
    async def settings_timezone(self, interaction: discord.Interaction, zone_name: str) -> None:
        await self._update(interaction, timezone=zone_name)

    @settings_timezone.autocomplete("zone_name")
    async def zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower().replace(" ", "_")
        matches = [z for z in _zones() if needle in z.lower()][:25]
        return [app_commands.Choice(name=z, value=z) for z in matches]

    @settings.command(name="alert-time", description="When alerts go out each day (HH:MM)")
    @app_commands.describe(time="24-hour time, e.g. 09:00")
    async def settings_alert_time(self, interaction: discord.Interaction, time: Time) -> None:
        await self._update(interaction, alert_time=time)

    @settings.command(name="reminders", description="Days before the due date to remind")
    @app_commands.describe(days="Comma-separated days, e.g. 7,3,1")
    async def settings_reminders(self, interaction: discord.Interaction, days: Days) -> None:
        await self._update(interaction, reminder_days=days)

    @settings.command(name="calendar", description="Holiday calendar: US, or US-XX for a state")
    @app_commands.describe(name="US, or e.g. US-CA")
    async def settings_calendar(self, interaction: discord.Interaction, name: str) -> None:
        await self._update(interaction, calendar=name)

    @settings.command(name="counting", description="The default counting rule")
    @app_commands.describe(
        rule="calendar: every day; roll: off weekends and holidays; court; business days"
    )
    async def settings_counting(self, interaction: discord.Interaction, rule: Counting) -> None:
        await self._update(interaction, counting=rule)

    @settings.command(name="channel", description="Where alerts go by default")
    @app_commands.describe(channel="The channel for alerts, the digest and fallbacks")
    async def settings_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        await self._update(interaction, default_channel_id=channel.id)

    @settings.command(name="manager-role", description="A role that may change any deadline")
    @app_commands.describe(role="Members with this role may change or close any deadline")
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
    @app_commands.describe(enabled="True: post the digest each day at the alert time")
    async def settings_digest(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._update(interaction, digest_enabled=enabled)

    @settings.command(
        name="calendar-feed", description="A private address to subscribe to from calendar apps"
    )
    @app_commands.describe(rotate="Make a new address; the old one stops working at once")
    async def settings_calendar_feed(
        self, interaction: discord.Interaction, rotate: bool = False
    ) -> None:
        access = await self.services.feeds.calendar_feed(
            actor_of(interaction),
            guild_id_of(interaction),
            served=self.feed_base_url is not None,
            rotate=rotate,
            name=interaction.guild.name if interaction.guild else "",
        )
        assert self.feed_base_url is not None
        text = render.feed_text(access, self.feed_base_url)
        await reply(interaction, content=text, ephemeral=True)
