"""The one newsroom the end-to-end tests share: a fake Discord world and the real desk
(bot/app.py's `open_desk`, every part as in production) connected to it.

    async with open_newsroom(tmp_path) as room:
        reply = await room.command("add", {"text": "Bondi letter, 30 days"})

The world: the "Newsroom" server (channels as asked, default #general and #alerts) and a
"Rival paper" server with #general; alice and bob are reporters in both; carol is in the
Newsroom with the editors role; there is a "managing editors" role too. The clock is a
FakeClock at START; the database a real SQLite file. `manage_messages` names the members who
get a role with Manage Messages (so it holds in every channel, as the desk now checks it in
the deadline's or board's own channel).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from fakediscord import MANAGE_MESSAGES, PIN_MESSAGES, FakeDiscord, connected, pointed_at
from fakediscord.world import FakeGuild, FakeUser
from support import START, FakeClock

from bot.app import Desk, DeskOptions, open_desk
from bot.config import WebSection
from bot.discord.client import DeadlineBot
from bot.dispatcher import Dispatcher
from bot.models import Deadline, GuildDefaults
from bot.service import Services

TOKEN = "fake-token"
N = TypeVar("N", bound="Newsroom")
EPHEMERAL = 64
DEFERRED = 5


def desk_options(
    database: Path, clock: FakeClock, guild_ids: Sequence[str | int], **options: Any
) -> DeskOptions:
    """The desk as the end-to-end tests run it: default settings, commands synced to
    `guild_ids`, no long wait for guilds at start."""
    return DeskOptions(
        database=database,
        defaults=GuildDefaults(),
        sync_guild_ids=tuple(int(g) for g in guild_ids),
        clock=clock,
        guild_ready_timeout=0.1,
        **options,
    )


@contextlib.asynccontextmanager
async def running_desk(
    fake: FakeDiscord,
    options: DeskOptions,
    *,
    fail_on_logged_errors: bool = True,
    skip_reidentify_delay: bool = False,
) -> AsyncIterator[Desk]:
    """The whole desk, started as the app starts it, connected to `fake`; stopped on exit
    (in the app's order: the dispatcher finishes before the bot disconnects)."""
    async with contextlib.AsyncExitStack() as stack:
        stack.enter_context(pointed_at(fake))
        desk = await stack.enter_async_context(open_desk(options, token=TOKEN))
        async with connected(
            desk.bot,
            fail_on_logged_errors=fail_on_logged_errors,
            skip_reidentify_delay=skip_reidentify_delay,
            close=stack.aclose,
        ):
            yield desk


@dataclass
class Newsroom:
    fake: FakeDiscord
    desk: Desk
    clock: FakeClock
    guild: FakeGuild
    other: FakeGuild  # another server where alice and bob are members too
    alice: FakeUser  # a reporter: adds the deadlines
    bob: FakeUser  # another reporter, no special permissions
    carol: FakeUser  # has the editors role
    editors: str
    escalators: str
    database: Path
    home: str = "general"  # where commands are typed unless a test says otherwise
    permissions: int | None = None  # what members may do there, unless a test says otherwise
    options: DeskOptions | None = None
    fail_on_logged_errors: bool = True
    _running: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    async def start(self, **changes: Any) -> Desk:
        """Start the desk (again, after `stop`), with `changes` to its options."""
        assert self.options is not None
        self.options = dataclasses.replace(self.options, **changes)
        self.desk = await self._running.enter_async_context(
            running_desk(self.fake, self.options, fail_on_logged_errors=self.fail_on_logged_errors)
        )
        return self.desk

    async def stop(self) -> None:
        """Stop the desk as SIGTERM does (everything in reverse order)."""
        await self._running.aclose()

    async def restart(self, **changes: Any) -> Desk:
        await self.stop()
        return await self.start(**changes)

    @property
    def bot(self) -> DeadlineBot:
        return self.desk.bot

    @property
    def services(self) -> Services:
        return self.desk.services

    @property
    def dispatcher(self) -> Dispatcher:
        return self.desk.dispatcher

    def channel(self, name: str, guild: FakeGuild | None = None) -> str:
        return (guild or self.guild).channel_id(name)

    @property
    def general(self) -> str:
        return self.channel("general")

    @property
    def alerts(self) -> str:
        return self.channel("alerts")

    async def slash(
        self, name: str, options: dict[str, Any] | None = None, *, user: FakeUser | None = None,
        guild: FakeGuild | None = None, channel: str | None = None,
        permissions: int | object | None = ...,
    ) -> Any:  # fmt: skip
        """Type `/deadline <name>`; the interaction's handle."""
        guild = guild or self.guild
        return await self.fake.send_slash_command(
            guild.id,
            channel or guild.channel_id(self.home),
            (user or self.alice).id,
            f"deadline {name}",
            options or {},
            permissions=self.permissions if permissions is ... else permissions,
        )

    async def command(
        self, name: str, options: dict[str, Any] | None = None, *, user: FakeUser | None = None,
        guild: FakeGuild | None = None, channel: str | None = None,
        permissions: int | object | None = ..., timeout: float = 10,
    ) -> dict[str, Any]:  # fmt: skip
        """The bot's first answer to `/deadline <name>` (a deferral stays a deferral)."""
        handle = await self.slash(
            name, options, user=user, guild=guild, channel=channel, permissions=permissions
        )
        response: dict[str, Any] = await handle.response(timeout=timeout)
        return response

    async def answer(
        self, name: str, options: dict[str, Any] | None = None, *, user: FakeUser | None = None,
        guild: FakeGuild | None = None, channel: str | None = None,
        permissions: int | object | None = ..., timeout: float = 10,
    ) -> dict[str, Any]:  # fmt: skip
        """The bot's answer to `/deadline <name>`: after a deferral, its first follow-up
        (as {"type": 5, "data": follow-up})."""
        handle = await self.slash(
            name, options, user=user, guild=guild, channel=channel, permissions=permissions
        )
        response: dict[str, Any] = await handle.response(timeout=timeout)
        if response.get("type") == DEFERRED:
            return {"type": DEFERRED, "data": await handle.followup(timeout=timeout)}
        return response

    async def press(
        self, custom_id: str, message_id: str, *, user: FakeUser | None = None,
        guild: FakeGuild | None = None, permissions: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Press a button on a message; the bot's first answer."""
        guild = guild or self.guild
        handle = await self.fake.send_component_interaction(
            guild.id, None, (user or self.alice).id, message_id, custom_id,
            permissions=permissions,
        )  # fmt: skip
        response: dict[str, Any] = await handle.response(timeout=10)
        return response

    async def settle(self) -> None:
        """Wait until every alert due now has been sent and recorded."""
        await self.dispatcher.settle()

    async def move_to(self, when: dt.datetime) -> None:
        """Move the clock and let the alerts due by then go out."""
        self.clock.set(when)
        await self.settle()

    async def deadline(self, deadline_id: int = 1) -> Deadline:
        return (await self.services.deadlines.status(int(self.guild.id), deadline_id)).deadline

    async def history(self, deadline_id: int) -> list[tuple[str, str]]:
        status = await self.services.deadlines.status(int(self.guild.id), deadline_id)
        return [(entry.action, entry.detail) for entry in status.history]


@contextlib.asynccontextmanager
async def open_newsroom(
    tmp_path: Path,
    *,
    channels: Sequence[str] = ("general", "alerts"),
    home: str = "general",
    permissions: int | None = None,
    web: bool = False,
    fail_on_logged_errors: bool = True,
    database: Path | None = None,
    clock: FakeClock | None = None,
    kind: type[N] = Newsroom,  # type: ignore[assignment]
    manage_messages: Sequence[str] = (),
    **options: Any,
) -> AsyncIterator[N]:
    """The newsroom (a `kind`, for a test file's own helpers), with the desk running against
    it; `options` go to DeskOptions."""
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Newsroom", channels=list(channels))
        other = fake.add_guild("Rival paper", channels=["general"])
        alice, bob, carol = fake.add_user("alice"), fake.add_user("bob"), fake.add_user("carol")
        # Anyone may @mention the editors (Discord's role setting), so any member may have the
        # bot ping them; the managing editors are pinged only by escalation.
        editors = fake.add_role(guild.id, "editors", mentionable=True)
        escalators = fake.add_role(guild.id, "managing editors")
        for user in (alice, bob):
            fake.add_member(guild.id, user)
            fake.add_member(other.id, user)
        fake.add_member(guild.id, carol, roles=[editors])
        if manage_messages:
            # Manage Messages in every channel of the Newsroom, through a role.
            # Discord gave Pin Messages to every role that had Manage Messages when it split them.
            desk_editors = fake.add_role(
                guild.id, "desk editors", permissions=MANAGE_MESSAGES | PIN_MESSAGES
            )
            for user in (alice, bob, carol):
                if user.username in manage_messages:
                    guild.members[user.id].roles.append(desk_editors.id)
        clock = clock or FakeClock(START)
        database = database or tmp_path / "deadlines.sqlite3"
        if web:
            options["web"] = WebSection(enabled=True, port=0)
        room = kind(
            fake, None, clock, guild, other, alice, bob, carol, editors.id, escalators.id,  # type: ignore[arg-type]
            database, home=home, permissions=permissions,
            options=desk_options(database, clock, [guild.id, other.id], **options),
            fail_on_logged_errors=fail_on_logged_errors,
        )  # fmt: skip
        await room.start()
        try:
            yield room
        finally:
            await room.stop()
