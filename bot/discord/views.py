"""Buttons and modals. Alert and list buttons are dynamic items: their state lives in the
custom id, so they keep working after a restart."""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import discord

from bot.deadlines.laws import stage_extension
from bot.models import Deadline, ListFilter, Status
from bot.service import ValidationError

from . import render
from .interact import (
    cancel_deferral,
    defer_update_if_slow,
    reply,
    report_error,
    update_message,
)
from .options import actor_of, desk_of, guild_id_of, parse_when

ONE_DAY = parse_when("1 day")


class _DeadlineButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"$^"):
    """Base: a button about one deadline; the guild in the id must be the one pressed in."""

    action = ""

    def __init__(
        self,
        guild_id: int,
        deadline_id: int,
        *,
        label: str,
        style: discord.ButtonStyle,
        emoji: str | None = None,
        suffix: str = "",
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                emoji=emoji,
                custom_id=f"dd:{self.action}:{guild_id}:{deadline_id}{suffix}",
            )
        )
        self.guild_id = guild_id
        self.deadline_id = deadline_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _DeadlineButton:
        return cls(int(match["guild"]), int(match["deadline"]))  # type: ignore[call-arg]

    # A button whose answer is a form cannot be acknowledged ahead (Discord opens a form only
    # as the interaction's first answer); the others are, when their work is slow.
    opens_form = False

    async def callback(self, interaction: discord.Interaction) -> None:
        if not self.opens_form:
            defer_update_if_slow(interaction)
        try:
            if guild_id_of(interaction) != self.guild_id:
                raise ValidationError("this button belongs to another server")
            await self.act(interaction)
        except Exception as error:
            await report_error(interaction, error)
        finally:
            cancel_deferral(interaction)

    async def act(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class DoneButton(
    _DeadlineButton, template=r"dd:done:(?P<guild>\d+):(?P<deadline>\d+)(?::s(?P<stage>\d+))?"
):
    """Mark done; on a records-law deadline with stages it names the stage it was posted
    for (`:s0`), so pressed on an alert of a stage already over it marks nothing."""

    action = "done"

    def __init__(self, guild_id: int, deadline_id: int, stage: int | None = None) -> None:
        super().__init__(
            guild_id, deadline_id, label="Mark done", style=discord.ButtonStyle.success,
            suffix="" if stage is None else f":s{stage}",
        )  # fmt: skip
        self.stage = stage

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DoneButton:
        stage = match["stage"]
        return cls(
            int(match["guild"]), int(match["deadline"]), None if stage is None else int(stage)
        )

    async def act(self, interaction: discord.Interaction) -> None:
        done = await desk_of(interaction).services.deadlines.done(
            actor_of(interaction), self.guild_id, self.deadline_id, stage=self.stage
        )
        note = f"\u2705 #{done.id} marked done by {interaction.user.mention}"
        if done.status is Status.ACTIVE:  # a records-law stage done: the next one began
            note = (
                f"\u2705 #{done.id} stage {done.stage} marked done by "
                f"{interaction.user.mention}. {render.now_in_text(done)}"
            )
        await _close_alert(interaction, done.id, note)


class SnoozeButton(_DeadlineButton, template=r"dd:snooze:(?P<guild>\d+):(?P<deadline>\d+)"):
    action = "snooze"

    def __init__(self, guild_id: int, deadline_id: int) -> None:
        super().__init__(
            guild_id, deadline_id, label="Snooze 1 day", style=discord.ButtonStyle.secondary
        )

    async def act(self, interaction: discord.Interaction) -> None:
        snoozed = await desk_of(interaction).services.deadlines.snooze(
            actor_of(interaction), self.guild_id, self.deadline_id, until=ONE_DAY
        )
        assert snoozed.snoozed_until is not None
        await _close_alert(
            interaction,
            snoozed.id,
            f"\U0001f4a4 #{snoozed.id} snoozed by {interaction.user.mention} until "
            f"{render.stamp(snoozed.snoozed_until, 'f')}",
        )


class ExtendButton(_DeadlineButton, template=r"dd:extend:(?P<guild>\d+):(?P<deadline>\d+)"):
    action = "extend"
    opens_form = True

    def __init__(self, guild_id: int, deadline_id: int) -> None:
        super().__init__(guild_id, deadline_id, label="Extend", style=discord.ButtonStyle.primary)

    async def act(self, interaction: discord.Interaction) -> None:
        deadline = await desk_of(interaction).services.deadlines.modifiable(
            actor_of(interaction), self.guild_id, self.deadline_id
        )
        await interaction.response.send_modal(ExtendModal(deadline, interaction.user.id))


async def _close_alert(interaction: discord.Interaction, deadline_id: int, note: str) -> None:
    """Answer a button on an alert: the alert keeps its text, loses its buttons, gains a note.
    On a message of several deadlines only this deadline's row of buttons goes, and the note
    is added to its embed."""
    message = interaction.message
    if message is None:
        await reply(interaction, content=note)
        return
    if len(message.embeds) <= 1:
        content = render.cut(f"{message.content}\n{note}", render.CONTENT_LIMIT)
        await update_message(interaction, content=content, view=None)
        return
    # Two members pressing two rows at once both send the message as they saw it: one edit at
    # a time per message, each dropping every row closed on it so far (and adding their notes
    # where the copy pressed does not show them yet), so the second never brings back the
    # first's row.
    async with _EDITING.setdefault(message.id, asyncio.Lock()):
        closed = _closed_rows(message.id)
        closed[deadline_id] = note
        rows = _button_rows(message)
        shown = {deadline for deadline, _ in rows}
        view = discord.ui.View(timeout=None)
        kept = [buttons for deadline, buttons in rows if deadline not in closed]
        for row, buttons in enumerate(kept):
            for button in buttons:
                item = _rebuilt(button)
                if item is not None:
                    item.row = row
                    view.add_item(item)
        embeds = list(message.embeds)
        for closed_id, closed_note in closed.items():
            if closed_id in shown:  # closed now, or by a press this copy had not seen
                embeds = [_with_note(embed, closed_id, closed_note) for embed in embeds]
        await update_message(interaction, embeds=embeds, view=view if view.children else None)


# The rows closed on messages of several deadlines, with their notes, by message id, for the
# latest messages pressed (this process's memory: after a restart Discord's copy is current).
_CLOSED: OrderedDict[int, dict[int, str]] = OrderedDict()
_EDITING: dict[int, asyncio.Lock] = {}
_CLOSED_KEPT = 2000


def _closed_rows(message_id: int) -> dict[int, str]:
    closed = _CLOSED.setdefault(message_id, {})
    _CLOSED.move_to_end(message_id)
    while len(_CLOSED) > _CLOSED_KEPT:
        oldest, _ = _CLOSED.popitem(last=False)
        lock = _EDITING.get(oldest)
        if lock is not None and not lock.locked():
            del _EDITING[oldest]
    return closed


_BUTTON_ID = re.compile(r"dd:[a-z]+:\d+:(?P<deadline>\d+)(?::s\d+)?")
_FOOTER_DEADLINE = re.compile(r"Deadline #(\d+) ")


def _button_rows(message: discord.Message) -> list[tuple[int | None, list[discord.Button]]]:
    """The message's rows of buttons, each with the deadline its buttons are about."""
    rows: list[tuple[int | None, list[discord.Button]]] = []
    for component in message.components:
        if not isinstance(component, discord.ActionRow):
            continue
        buttons = [c for c in component.children if isinstance(c, discord.Button)]
        deadline = None
        for button in buttons:
            found = _BUTTON_ID.fullmatch(button.custom_id or "")
            if found:
                deadline = int(found["deadline"])
        rows.append((deadline, buttons))
    return rows


def _rebuilt(button: discord.Button) -> _DeadlineButton | None:
    """The button as one of ours again (so it keeps working), with its label as posted."""
    for cls in (DoneButton, SnoozeButton, ExtendButton, AllowedExtensionButton, DmMeTooButton):
        found = cls.__discord_ui_compiled_template__.fullmatch(button.custom_id or "")
        if found:
            guild_id, deadline_id = int(found["guild"]), int(found["deadline"])
            stage = found.groupdict().get("stage")
            # Mark done keeps the stage it was posted for (`:s0`), as posted.
            item = (
                DoneButton(guild_id, deadline_id, int(stage))
                if cls is DoneButton and stage is not None
                else cls(guild_id, deadline_id)
            )
            item.item.label = button.label
            return item
    return None


def _with_note(embed: discord.Embed, deadline_id: int, note: str) -> discord.Embed:
    """The deadline's embed (by its footer) with the note after its description."""
    found = _FOOTER_DEADLINE.match(embed.footer.text or "")
    if found is None or int(found[1]) != deadline_id:
        return embed
    embed.description = render.cut(
        f"{embed.description or ''}\n{_fitted(note)}".strip(), render.DESCRIPTION_LIMIT
    )
    return embed


def _fitted(note: str, room: int = render.NOTE_ROOM - 1) -> str:
    """The note within the room a message of several deadlines keeps for each (its newline
    aside): whole sentences while they fit ("... marked done by @x." before "Now in stage 2
    ..."), never a timestamp or mention cut in half; past the room, an edit of the message
    would be refused (6,000 characters over its embeds)."""
    if len(note) <= room:
        return note
    kept = ""
    for sentence in re.split(r"(?<=\.) ", note):
        longer = f"{kept} {sentence}" if kept else sentence
        if len(longer) > room:
            break
        kept = longer
    return kept or render.cut(note, room)


EXTEND_FORM = re.compile(r"dd:extend-modal:(?P<guild>\d+):(?P<deadline>\d+):(?P<user>\d+)")


class ExtendModal(discord.ui.Modal):
    """Asks for a period or a date, and a reason.

    Like the buttons, it keeps its state in its custom id, so a form opened before a restart
    can still be submitted after it: discord.py forgets open forms on restart, so the bot
    never registers this one and answers every submission in `submit_extension`."""

    def __init__(self, deadline: Deadline, user_id: int) -> None:
        super().__init__(
            title=render.cut(f"Extend #{deadline.id}", 45),
            # The opener is in the id: only they may submit it (a replay is refused).
            custom_id=f"dd:extend-modal:{deadline.guild_id}:{deadline.id}:{user_id}",
            timeout=900,
        )
        # Each input in a Label component (the text input's own label is deprecated).
        self.amount: discord.ui.TextInput[ExtendModal] = discord.ui.TextInput(
            placeholder="14 days  or  2025-09-15", max_length=100, custom_id="amount"
        )
        self.reason: discord.ui.TextInput[ExtendModal] = discord.ui.TextInput(
            placeholder="county granted a 14-day extension",
            required=False,
            max_length=300,
            custom_id="reason",
        )
        self.add_item(
            discord.ui.Label(
                text="Extend by",
                description="A period (14 days) or a new due date (2025-09-15)",
                component=self.amount,
            )
        )
        self.add_item(
            discord.ui.Label(text="Reason", description="Optional", component=self.reason)
        )
        # Finished before it is sent: discord.py then keeps no copy of it (see the class).
        self.stop()


def form_values(components: object) -> dict[str, str]:
    """The text inputs of a submitted form by custom id, however Discord nests them
    (action rows, or labels)."""
    found: dict[str, str] = {}
    stack = [components]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("custom_id"), str) and isinstance(item.get("value"), str):
                found[item["custom_id"]] = item["value"]
            stack.extend(v for k, v in item.items() if k in ("components", "component"))
    return found


async def submit_extension(interaction: discord.Interaction) -> bool:
    """Answer a submitted Extend form; False if the interaction is not one."""
    data: dict[str, Any] = dict(interaction.data or {})
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    match = EXTEND_FORM.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return False
    guild_id, deadline_id, opener = (int(match[k]) for k in ("guild", "deadline", "user"))
    try:
        # Checked again on submit: the form may be replayed by someone else, and permissions
        # can change while it is open.
        if guild_id_of(interaction) != guild_id:
            raise ValidationError("this form belongs to another server")
        values = form_values(data.get("components"))
        deadlines = desk_of(interaction).services.deadlines
        actor = actor_of(interaction)
        # Who may change it first (a replayed form learns nothing more), then whose form.
        await deadlines.modifiable(actor, guild_id, deadline_id)
        if interaction.user.id != opener:
            raise ValidationError("only the member who opened this form can submit it")
        extended = await deadlines.extend(
            actor,
            guild_id,
            deadline_id,
            change=parse_when(values.get("amount", "")),
            reason=values.get("reason") or None,
        )
        await reply(
            interaction,
            content=(
                f"\u23e9 #{extended.id} extended by {interaction.user.mention}: now due "
                f"{render.due_line(extended)}"
            ),
        )
    except Exception as error:
        await report_error(interaction, error)
    return True


def alert_view(deadline: Deadline) -> discord.ui.View:
    """The buttons of one deadline's alert."""
    return alerts_view([deadline])


def alerts_view(deadlines: Sequence[Deadline]) -> discord.ui.View:
    """The buttons of an alert message: one row a deadline (Discord allows 5 rows)."""
    view = discord.ui.View(timeout=None)
    for row, deadline in enumerate(deadlines):
        for item in _alert_buttons(deadline):
            item.row = row
            view.add_item(item)
    return view


def _alert_buttons(deadline: Deadline) -> list[_DeadlineButton]:
    """One deadline's row of an alert message: at most 5 buttons, as Discord allows."""
    buttons: list[_DeadlineButton] = [
        DoneButton(deadline.guild_id, deadline.id, deadline.stage if deadline.staged else None),
        SnoozeButton(deadline.guild_id, deadline.id),
        ExtendButton(deadline.guild_id, deadline.id),
    ]
    if deadline.allowed_extension:
        buttons.append(AllowedExtensionButton(
            deadline.guild_id, deadline.id, label=render.allowed_label(deadline)
        ))  # fmt: skip
    buttons.append(DmMeTooButton(deadline.guild_id, deadline.id))
    return buttons


def dm_copy_view(deadline: Deadline) -> discord.ui.View:
    """A DM copy's one button: stop the copies (the others act on the deadline, which the
    member does from its channel)."""
    view = discord.ui.View(timeout=None)
    view.add_item(StopDmButton(deadline.guild_id, deadline.id))
    return view


class DmMeTooButton(_DeadlineButton, template=r"dd:dm:(?P<guild>\d+):(?P<deadline>\d+)"):
    """On an alert: whoever presses it gets a DM copy of the deadline's next alerts. The id
    holds no user: the copies are always the presser's own."""

    action = "dm"

    def __init__(self, guild_id: int, deadline_id: int) -> None:
        super().__init__(
            guild_id, deadline_id, label="DM me too", style=discord.ButtonStyle.secondary
        )

    async def act(self, interaction: discord.Interaction) -> None:
        deadline, changed = await desk_of(interaction).services.deadlines.dm_copies(
            actor_of(interaction), self.guild_id, self.deadline_id, on=True
        )
        await reply(interaction, content=render.dm_copies_text(deadline, on=True, changed=changed),
                    ephemeral=True)  # fmt: skip


class StopDmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dd:undm:(?P<guild>\d+):(?P<deadline>\d+)",
):
    """On a DM copy: stop the presser's copies of that deadline. Pressed in a DM, so no
    server to check the id against; it only ever removes the presser's own copies."""

    def __init__(self, guild_id: int, deadline_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Stop DMs",
                style=discord.ButtonStyle.secondary,
                custom_id=f"dd:undm:{guild_id}:{deadline_id}",
            )
        )
        self.guild_id = guild_id
        self.deadline_id = deadline_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StopDmButton:
        return cls(int(match["guild"]), int(match["deadline"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            deadline, changed = await desk_of(interaction).services.deadlines.dm_copies(
                actor_of(interaction), self.guild_id, self.deadline_id, on=False
            )
            await reply(
                interaction,
                content=render.dm_copies_text(deadline, on=False, changed=changed),
                ephemeral=True,
            )
        except Exception as error:
            await report_error(interaction, error)


class AllowedExtensionButton(
    _DeadlineButton, template=r"dd:allowed:(?P<guild>\d+):(?P<deadline>\d+)"
):
    """One click for the extension the deadline's law allows (used once)."""

    action = "allowed"

    def __init__(self, guild_id: int, deadline_id: int, *, label: str = "Extend (allowed)") -> None:
        # The date it gives as the alert was posted, and the law's reason and citation where
        # they fit ("Extend to Mon 2025-08-11: unusual circumstances, Cal. Gov. Code §
        # 7922.535(b)"); pressed later, it extends from the due date as it is then, and the
        # reply says so.
        super().__init__(
            guild_id, deadline_id, label=render.cut(label, 80),
            style=discord.ButtonStyle.secondary,
        )  # fmt: skip

    async def act(self, interaction: discord.Interaction) -> None:
        extended = await desk_of(interaction).services.deadlines.extend(
            actor_of(interaction), self.guild_id, self.deadline_id, allowed=True
        )
        await reply(
            interaction,
            content=render.cut(
                f"\u23e9 #{extended.id} extended by the allowed extension"
                f"{_basis(extended)}: now due {render.due_line(extended)}",
                render.CONTENT_LIMIT,
            ),
        )


def _basis(deadline: Deadline) -> str:
    """' (unusual circumstances, by written notice, Cal. Gov. Code § 7922.535(b))'."""
    law_allows = stage_extension(deadline.preset, deadline.stage)
    return f" ({law_allows.when}, {law_allows.citation})" if law_allows else ""


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dd:page:(?P<show>[a-z]+):(?P<channel>\d+):(?P<page>\d+):(?P<dir>prev|next)",
):
    """Previous/Next on a list; the filter and target page are in the custom id."""

    def __init__(self, show: str, channel_id: int, page: int, direction: str, *, disabled: bool):
        super().__init__(
            discord.ui.Button(
                label="Previous" if direction == "prev" else "Next",
                style=discord.ButtonStyle.secondary,
                custom_id=f"dd:page:{show}:{channel_id}:{page}:{direction}",
                disabled=disabled,
            )
        )
        self.show, self.channel_id, self.page = show, channel_id, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(
            match["show"], int(match["channel"]), int(match["page"]), match["dir"], disabled=False
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            embed, view = await list_page(
                interaction, show=self.show, channel_id=self.channel_id or None, page=self.page
            )
            await interaction.response.edit_message(embed=embed, view=view)
        except Exception as error:
            await report_error(interaction, error)


async def list_page(
    interaction: discord.Interaction, *, show: ListFilter | str, channel_id: int | None, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    """One page of `/deadline list`, with Previous/Next when there is more than one.

    `show` comes from a button's custom id as text; the service refuses an unknown one."""
    desk = desk_of(interaction)
    result = await desk.services.deadlines.page(
        guild_id_of(interaction), show=show, channel_id=channel_id, page=page
    )
    show = ListFilter(show)
    embed = render.list_embed(result, now=desk.clock.now(), show=show)
    if result.pages <= 1:
        return embed, None
    view = discord.ui.View(timeout=None)
    current = min(result.page, result.pages)
    view.add_item(PageButton(show, channel_id or 0, current - 1, "prev", disabled=current <= 1))
    view.add_item(
        PageButton(show, channel_id or 0, current + 1, "next", disabled=current >= result.pages)
    )
    return embed, view


class DeleteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dd:delete:(?P<guild>\d+):(?P<deadline>\d+):(?P<user>\d+)",
):
    """The confirmation for /deadline delete; only the member who asked can press it."""

    def __init__(self, guild_id: int, deadline_id: int, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Delete it",
                style=discord.ButtonStyle.danger,
                custom_id=f"dd:delete:{guild_id}:{deadline_id}:{user_id}",
            )
        )
        self.guild_id, self.deadline_id, self.user_id = guild_id, deadline_id, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DeleteButton:
        return cls(int(match["guild"]), int(match["deadline"]), int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            if guild_id_of(interaction) != self.guild_id or interaction.user.id != self.user_id:
                raise ValidationError("only the member who asked to delete can confirm it")
            deleted = await desk_of(interaction).services.deadlines.delete(
                actor_of(interaction), self.guild_id, self.deadline_id
            )
            await interaction.response.edit_message(
                content=f"\U0001f5d1 #{deleted.id} {render.clean(deleted.title, 200)} deleted "
                "(kept in history).",
                view=None,
                embed=None,
            )
        except Exception as error:
            await report_error(interaction, error)


DYNAMIC_ITEMS = (
    DoneButton, SnoozeButton, ExtendButton, AllowedExtensionButton, PageButton, DeleteButton,
    DmMeTooButton, StopDmButton,
)  # fmt: skip
