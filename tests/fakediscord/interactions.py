"""Interaction payloads as Discord sends them, and the handle tests await responses on."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from .world import (
    DEFAULT_MEMBER_PERMISSIONS,
    DM,
    JSON,
    FakeChannel,
    FakeGuild,
    Interaction,
    World,
    sid,
)

if TYPE_CHECKING:
    from .records import RecordedRequest
    from .server import FakeDiscord

# Interaction types.
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
# Application command option types.
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN = 1, 2, 3, 4, 5
USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 6, 7, 8, 9, 10, 11

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
Scope = Literal["auto", "guild", "global"]


class InteractionHandle:
    """An interaction the fake dispatched. Await what the bot answered through the API.

    All waits look at requests already recorded as well as future ones, so it does not
    matter whether the bot answered before or after the test started waiting.
    """

    def __init__(self, fake: FakeDiscord, record: Interaction, payload: JSON) -> None:
        self._fake = fake
        self.record = record
        #: The INTERACTION_CREATE payload that was dispatched.
        self.payload = payload
        token = re.escape(record.token)
        self._callback_literal = f"/interactions/{record.id}/{record.token}/callback"
        self._webhook_path = rf"/webhooks/\d+/{token}"

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def token(self) -> str:
        return self.record.token

    async def response_request(self, timeout: float = 5.0) -> RecordedRequest:
        """The first callback request (``POST /interactions/{id}/{token}/callback``)."""
        return await self._fake.wait_for_path("POST", self._callback_literal, timeout=timeout)

    async def response(self, timeout: float = 5.0) -> JSON:
        """The body of the bot's first callback: ``{"type": 4|5|6|7|8|9, "data": {...}}``.

        Type 4 = message (``data.flags & 64`` = ephemeral), 5 = deferred ("thinking"),
        6 = deferred update, 7 = update the component's message, 8 = autocomplete choices,
        9 = modal.
        """
        request = await self.response_request(timeout)
        return dict(request.json or {})

    async def followup(self, index: int = 0, timeout: float = 5.0) -> JSON:
        """The body of the ``index``-th follow-up (``POST /webhooks/{app}/{token}``)."""
        request = await self._fake.wait_for_request(
            "POST", self._webhook_path, count=index + 1, timeout=timeout
        )
        return dict(request.json or {})

    async def original_edit(self, index: int = 0, timeout: float = 5.0) -> JSON:
        """The body of the ``index``-th edit of the original response (PATCH ``@original``)."""
        request = await self._fake.wait_for_request(
            "PATCH", self._webhook_path + "/messages/@original", count=index + 1, timeout=timeout
        )
        return dict(request.json or {})

    @property
    def followups(self) -> list[JSON]:
        """Bodies of the follow-ups sent so far."""
        return [r.json for r in self._fake.requests_to("POST", self._webhook_path)]

    @property
    def response_type(self) -> int | None:
        """The accepted callback type, or None while unanswered."""
        return self.record.response_type

    def original_message(self) -> JSON | None:
        """The stored original response message (after any edits), if there is one."""
        message_id = self.record.original_message_id
        return self._fake.world.messages.get(message_id) if message_id else None

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.record.type}>"


def new_interaction(
    world: World,
    *,
    type: int,
    data: JSON,
    guild_id: str | None,
    channel_id: str | None,
    user_id: str,
    permissions: int | str | None,
    locale: str,
    message: JSON | None = None,
) -> tuple[Interaction, JSON]:
    """Register an interaction in the world and build its INTERACTION_CREATE payload."""
    guild = _guild(world, guild_id)
    user = world.user(user_id)
    if guild is not None:
        if channel_id is None or channel_id not in guild.channels:
            raise ValueError(f"channel {channel_id} is not a channel of guild {guild.id}")
        channel = guild.channels[channel_id]
    elif channel_id is None:
        channel = world.dm_channel(user.id)
    else:
        channel = world.channels[channel_id]
    record = Interaction(
        id=world.snowflakes.next(),
        token=secrets.token_urlsafe(48),
        type=type,
        guild_id=guild.id if guild else None,
        channel_id=channel.id,
        user_id=user.id,
        message_id=message["id"] if message else None,
    )
    world.interactions[record.id] = record
    payload: JSON = {
        "id": record.id,
        "application_id": world.application_id,
        "type": type,
        "data": data,
        "token": record.token,
        "version": 1,
        "channel_id": channel.id,
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        # Both "including overwrites" (resources/guild.mdx, Guild Member Object; channel.mdx).
        member_perms = (
            guild.permissions_in(channel, user.id) if permissions is None else int(permissions)
        )
        bot_perms = str(guild.permissions_in(channel, world.bot.id))
        payload.update(
            guild_id=guild.id,
            guild={"id": guild.id, "locale": guild.locale, "features": []},
            guild_locale=guild.locale,
            channel=channel.payload(world) | {"permissions": bot_perms},
            member=world.member_payload(guild, user.id) | {"permissions": str(member_perms)},
            app_permissions=bot_perms,
            authorizing_integration_owners={"0": guild.id},
            context=0,
        )
    else:
        payload.update(
            channel=channel.payload(world),
            user=user.payload(),
            app_permissions=str(DEFAULT_MEMBER_PERMISSIONS),
            authorizing_integration_owners={"0": "0"},
            context=1 if channel.type == DM else 2,
        )
    if message is not None:
        payload["message"] = message
    return record, payload


def command_data(
    world: World,
    qualified_name: str,
    options: Mapping[str, Any] | None,
    *,
    guild_id: str | None,
    scope: Scope,
    focused: str | None = None,
    invoker: str | None = None,
    channel_id: str | None = None,
) -> JSON:
    """The ``data`` of an APPLICATION_COMMAND / AUTOCOMPLETE interaction.

    ``qualified_name`` is "command [group] [subcommand]". If the command was registered
    (synced) the option types come from its schema and unknown names raise ValueError;
    otherwise they are inferred from the Python values (str, int, float, bool).
    ``scope`` "auto" uses the registered scope, or global when the command was never synced;
    only guild-scoped commands carry ``data.guild_id`` (discord.py looks commands up by it).
    """
    root, *path = qualified_name.split()
    lookup_guild = None if scope == "global" else guild_id
    found = world.find_command(root, lookup_guild)
    if found is not None and scope == "guild" and found[0] is None:
        found = None
    command_scope = found[0] if found else (guild_id if scope == "guild" else None)
    schema: list[JSON] | None = found[1].get("options", []) if found else None

    wrappers: list[tuple[str, int]] = []
    for position, name in enumerate(path):
        kind = SUB_COMMAND if position == len(path) - 1 else SUB_COMMAND_GROUP
        if schema is not None:
            option = _schema_option(schema, name, qualified_name, (SUB_COMMAND, SUB_COMMAND_GROUP))
            kind, schema = option["type"], option.get("options", [])
        wrappers.append((name, kind))

    guild = _guild(world, guild_id)
    resolved: dict[str, dict[str, JSON]] = {}
    leaves: list[JSON] = []
    for name, value in (options or {}).items():
        if schema is not None:
            kind = _schema_option(schema, name, qualified_name, None)["type"]
        else:
            kind = _infer_type(value, name)
        leaf: JSON = {"name": name, "type": kind, "value": _convert(kind, value)}
        if name == focused:
            leaf["focused"] = True
        leaves.append(leaf)
        here = world.channels.get(channel_id) if channel_id else None
        _resolve(world, guild, kind, leaf["value"], resolved, invoker or world.owner.id, here)

    built = leaves
    for name, kind in reversed(wrappers):
        built = [{"name": name, "type": kind, "options": built}]
    data: JSON = {
        "id": found[1]["id"] if found else world.snowflakes.next(),
        "name": root,
        "type": 1,
        "options": built,
    }
    if command_scope is not None:
        data["guild_id"] = command_scope
    if resolved:
        data["resolved"] = resolved
    return data


def modal_components(values: Mapping[str, str], *, labelled: bool = False) -> list[JSON]:
    """Submitted modal fields: per ``custom_id``, a text input in a Label component (type 18,
    ``component``) or, for a modal sent the old way, in an action row (``components``)."""
    if labelled:
        return [
            {"type": 18, "component": {"type": 4, "custom_id": custom_id, "value": value}}
            for custom_id, value in values.items()
        ]
    return [
        {"type": 1, "components": [{"type": 4, "custom_id": custom_id, "value": value}]}
        for custom_id, value in values.items()
    ]


def _guild(world: World, guild_id: str | None) -> FakeGuild | None:
    if guild_id is None:
        return None
    if guild_id not in world.guilds:
        raise ValueError(f"unknown guild {guild_id}; add it with fake.add_guild() first")
    return world.guilds[guild_id]


def _schema_option(
    schema: list[JSON], name: str, command: str, kinds: tuple[int, ...] | None
) -> JSON:
    for option in schema:
        if option["name"] == name and (kinds is None or option["type"] in kinds):
            return option
    known = [o["name"] for o in schema]
    raise ValueError(f"/{command}: no option or subcommand {name!r} (registered: {known})")


def _infer_type(value: Any, name: str) -> int:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    raise ValueError(f"cannot infer the type of option {name!r}={value!r}; sync the command")


def _convert(kind: int, value: Any) -> Any:
    if kind in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
        return sid(value)
    if kind == INTEGER:
        return int(value) if not isinstance(value, str) else value
    if kind == NUMBER:
        return float(value) if not isinstance(value, str) else value
    return value


def _resolve(
    world: World,
    guild: FakeGuild | None,
    kind: int,
    value: Any,
    resolved: dict[str, dict[str, JSON]],
    invoker: str,
    here: FakeChannel | None,
) -> None:
    """Add the ``resolved`` entries Discord sends for user/channel/role options; `here` is
    the channel the command was used in, `invoker` who used it."""
    if kind in (USER, MENTIONABLE) and value in world.users:
        resolved.setdefault("users", {})[value] = world.users[value].payload()
        if guild is not None and value in guild.members:
            member = guild.members[value].payload(world)
            member.pop("user")
            member["permissions"] = str(guild.permissions_in(here, value))
            resolved.setdefault("members", {})[value] = member
    elif kind in (ROLE, MENTIONABLE) and guild is not None and value in guild.roles:
        resolved.setdefault("roles", {})[value] = guild.roles[value].payload()
    elif kind == ATTACHMENT and value in world.attachments:
        # Interaction data's resolved attachments (interactions/receiving-and-responding.mdx,
        # Resolved Data Structure): attachment id -> attachment object.
        resolved.setdefault("attachments", {})[value] = dict(world.attachments[value])
    elif kind == CHANNEL and value in world.channels:
        target = world.channels[value]
        channel = target.payload(world)
        # The invoking user's and the app's permissions in that channel (channel.mdx).
        channel["permissions"] = str(guild.permissions_in(target, invoker) if guild else 0)
        channel["app_permissions"] = str(guild.permissions_in(target, world.bot.id) if guild else 0)
        resolved.setdefault("channels", {})[value] = channel
