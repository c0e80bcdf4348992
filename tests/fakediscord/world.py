"""The fake's model of Discord: users, guilds, channels, roles, messages, commands.

Everything is stored as (or rendered to) Discord API payloads with snowflake *strings* as ids,
the way the real API sends them. Ids passed in by tests may be ints or strings; they are
normalised with :func:`sid`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]
Snowflake = int | str

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
SEND_TTS_MESSAGES = 1 << 12
PIN_MESSAGES = 1 << 51  # split from MANAGE_MESSAGES; required to pin since 2026-02-23
#: Every permission bit discord.py 2.7.1 knows (``discord.Permissions.all().value``).
ALL_PERMISSIONS = 8_866_461_766_385_663
# Denying SEND_MESSAGES implicitly denies these (topics/permissions.mdx, Implicit Permissions).
_NEEDS_SEND = MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS
#: What @everyone may do in a fresh guild, roughly: read, write, react, use commands.
DEFAULT_MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Channel types.
GUILD_TEXT = 0
DM = 1


def sid(value: Snowflake) -> str:
    """Normalise an id given as int or str to the API's snowflake string."""
    text = str(value)
    if not text.isdigit():
        raise ValueError(f"not a snowflake: {value!r}")
    return text


def now_iso() -> str:
    """The current UTC time as the API formats timestamps."""
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Hands out unique, increasing snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()

    def next(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = max((ms << 22) | (next(self._counter) & 0xFFF), self._last + 1)
        self._last = value
        return str(value)


@dataclass
class FakeUser:
    """A Discord user. ``payload()`` renders the API user object."""

    id: str
    username: str
    bot: bool = False
    global_name: str | None = None
    #: "Allow direct messages from server members": off, the bot's DMs are refused (50007).
    accepts_dms: bool = True

    def payload(self) -> JSON:
        return {
            "id": self.id,
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    """A guild role; the @everyone role has the guild's id."""

    id: str
    name: str
    permissions: int = 0
    position: int = 0
    managed_by: str | None = None
    mentionable: bool = False

    def payload(self) -> JSON:
        data: JSON = {
            "id": self.id,
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed_by is not None,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.managed_by is not None:
            data["tags"] = {"bot_id": self.managed_by}
        return data


@dataclass
class FakeChannel:
    """A channel. ``guild_id`` is None for DMs; ``recipient_id`` is only set for DMs."""

    id: str
    name: str
    type: int = GUILD_TEXT
    guild_id: str | None = None
    position: int = 0
    topic: str | None = None
    parent_id: str | None = None
    recipient_id: str | None = None
    extra: JSON = field(default_factory=dict)
    #: Permission overwrites by role or member id: (type 0 role / 1 member, allow, deny).
    overwrites: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def overwrite_payloads(self) -> list[JSON]:
        return [
            {"id": target, "type": kind, "allow": str(allow), "deny": str(deny)}
            for target, (kind, allow, deny) in self.overwrites.items()
        ]

    def payload(self, world: World, *, with_guild_id: bool = True) -> JSON:
        if self.type == DM:
            recipient = world.users[self.recipient_id] if self.recipient_id else None
            return {
                "id": self.id,
                "type": DM,
                "last_message_id": None,
                "recipients": [recipient.payload()] if recipient else [],
                "flags": 0,
            }
        data: JSON = {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "topic": self.topic,
            "parent_id": self.parent_id,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "permission_overwrites": self.overwrite_payloads(),
            "last_message_id": None,
            "flags": 0,
        }
        if with_guild_id:
            data["guild_id"] = self.guild_id
        data.update(self.extra)
        return data


@dataclass
class FakeMember:
    """A user's membership in a guild."""

    user_id: str
    roles: list[str] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)

    def payload(self, world: World) -> JSON:
        return {
            "user": world.users[self.user_id].payload(),
            "roles": list(self.roles),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }


@dataclass
class FakeGuild:
    """A guild with its channels, roles and members (keyed by id)."""

    id: str
    name: str
    owner_id: str
    channels: dict[str, FakeChannel] = field(default_factory=dict)
    roles: dict[str, FakeRole] = field(default_factory=dict)
    members: dict[str, FakeMember] = field(default_factory=dict)
    locale: str = "en-US"

    def channel_id(self, name: str) -> str:
        """The id of this guild's channel called ``name`` (KeyError if there is none)."""
        for channel in self.channels.values():
            if channel.name == name:
                return channel.id
        raise KeyError(f"guild {self.id} has no channel named {name!r}")

    def role_id(self, name: str) -> str:
        """The id of this guild's role called ``name`` (KeyError if there is none)."""
        for role in self.roles.values():
            if role.name == name:
                return role.id
        raise KeyError(f"guild {self.id} has no role named {name!r}")

    @property
    def text_channel_ids(self) -> list[str]:
        return [c.id for c in self.channels.values() if c.type == GUILD_TEXT]

    def permissions_of(self, user_id: str) -> int:
        """Guild-level permissions of a member (before any channel's overwrites)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        value = self.roles[self.id].permissions if self.id in self.roles else 0
        for role_id in member.roles if member else []:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def permissions_in(self, channel: FakeChannel | None, user_id: str) -> int:
        """A member's permissions in a channel, as Discord computes them: the guild-level
        ones, then the channel's @everyone, role and member overwrites in that order
        (topics/permissions.mdx, Permission Overwrites), then the implicit denials (no View
        Channel: nothing; no Send Messages: no mentions of @everyone, embeds, files, TTS)."""
        base = self.permissions_of(user_id)
        if channel is None or base & ADMINISTRATOR:
            return base
        value = base
        overwrites = channel.overwrites
        if self.id in overwrites:
            _, allow, deny = overwrites[self.id]
            value = (value & ~deny) | allow
        member = self.members.get(user_id)
        allow = deny = 0
        for role_id in member.roles if member else []:
            if role_id in overwrites and overwrites[role_id][0] == 0:
                allow |= overwrites[role_id][1]
                deny |= overwrites[role_id][2]
        value = (value & ~deny) | allow
        if user_id in overwrites and overwrites[user_id][0] == 1:
            _, allow, deny = overwrites[user_id]
            value = (value & ~deny) | allow
        if not value & VIEW_CHANNEL:
            return 0
        if not value & SEND_MESSAGES:
            value &= ~_NEEDS_SEND
        return value

    def payload(self) -> JSON:
        """The guild object as GET /guilds/{id} returns it."""
        return {
            "id": self.id,
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owner_id,
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "preferred_locale": self.locale,
            "vanity_url_code": None,
            "premium_progress_bar_enabled": False,
            "approximate_member_count": len(self.members),
            "approximate_presence_count": 0,
        }

    def create_payload(self, world: World) -> JSON:
        """The GUILD_CREATE gateway payload: the guild plus channels, members, ..."""
        data = self.payload()
        data.update(
            joined_at=now_iso(),
            large=False,
            unavailable=False,
            member_count=len(self.members),
            members=[member.payload(world) for member in self.members.values()],
            channels=[c.payload(world, with_guild_id=False) for c in self.channels.values()],
            threads=[],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
        )
        return data


@dataclass
class Interaction:
    """Server-side bookkeeping for one interaction the fake has dispatched."""

    id: str
    token: str
    type: int
    guild_id: str | None
    channel_id: str | None
    user_id: str
    message_id: str | None = None
    created: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    original_message_id: str | None = None


class World:
    """All state the fake server serves. Tests normally use it through :class:`FakeDiscord`."""

    def __init__(self, *, bot_name: str, owner_name: str) -> None:
        self.snowflakes = SnowflakeFactory()
        self.users: dict[str, FakeUser] = {}
        self.guilds: dict[str, FakeGuild] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.messages: dict[str, JSON] = {}
        self.channel_messages: dict[str, list[str]] = {}
        # (author, nonce) -> (message id, when: time.monotonic()): Discord dedupes per author
        self.nonces: dict[tuple[str, str], tuple[str, float]] = {}
        #: Registered application commands: scope (None = global, else guild id) -> name -> cmd.
        self.commands: dict[str | None, dict[str, JSON]] = {}
        self.interactions: dict[str, Interaction] = {}
        #: What the fake's CDN serves: attachment id -> (bytes, content type).
        self.files: dict[str, tuple[bytes, str | None]] = {}
        #: Files users attached to slash-command options: attachment id -> attachment object.
        self.attachments: dict[str, JSON] = {}
        self.bot = self.add_user(bot_name, bot=True)
        self.owner = self.add_user(owner_name)

    @property
    def application_id(self) -> str:
        # Modern bots: the application id equals the bot user's id.
        return self.bot.id

    # -- users, guilds, channels -------------------------------------------------------------

    def add_user(
        self, username: str, *, user_id: Snowflake | None = None, bot: bool = False
    ) -> FakeUser:
        user = FakeUser(sid(user_id) if user_id else self.snowflakes.next(), username, bot=bot)
        self.users[user.id] = user
        return user

    def user(self, user_id: Snowflake) -> FakeUser:
        """The user with this id, created (named ``user<id>``) if unknown."""
        key = sid(user_id)
        if key not in self.users:
            self.add_user(f"user{key}", user_id=key)
        return self.users[key]

    def add_guild(
        self,
        name: str,
        *,
        guild_id: Snowflake | None,
        owner_id: Snowflake | None,
        channels: Iterable[str | Mapping[str, Any]],
        everyone_permissions: int,
        bot_permissions: int,
    ) -> FakeGuild:
        gid = sid(guild_id) if guild_id else self.snowflakes.next()
        owner = self.user(owner_id) if owner_id else self.owner
        guild = FakeGuild(gid, name, owner.id)
        guild.roles[gid] = FakeRole(gid, "@everyone", everyone_permissions)
        self.guilds[gid] = guild
        for spec in channels:
            if isinstance(spec, str):
                self.add_channel(gid, spec)
            else:
                self.add_channel(gid, **dict(spec))
        # Like a real install: the bot gets a managed role carrying its permissions.
        bot_role = self.add_role(gid, self.bot.username, permissions=bot_permissions, role_id=None)
        bot_role.managed_by = self.bot.id
        self.add_member(gid, self.bot.id, roles=[bot_role.id])
        self.add_member(gid, owner.id)
        return guild

    def add_channel(
        self,
        guild_id: Snowflake,
        name: str,
        *,
        channel_id: Snowflake | None = None,
        id: Snowflake | None = None,
        type: int = GUILD_TEXT,
        topic: str | None = None,
        parent_id: Snowflake | None = None,
        **extra: Any,
    ) -> FakeChannel:
        guild = self.guilds[sid(guild_id)]
        given = channel_id or id
        channel = FakeChannel(
            sid(given) if given else self.snowflakes.next(),
            name,
            type=type,
            guild_id=guild.id,
            position=len(guild.channels),
            topic=topic,
            parent_id=sid(parent_id) if parent_id else None,
            extra=extra,
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_role(
        self, guild_id: Snowflake, name: str, *, permissions: int, role_id: Snowflake | None
    ) -> FakeRole:
        guild = self.guilds[sid(guild_id)]
        role = FakeRole(
            sid(role_id) if role_id else self.snowflakes.next(),
            name,
            permissions,
            position=len(guild.roles),
        )
        guild.roles[role.id] = role
        return role

    def add_member(
        self,
        guild_id: Snowflake,
        user_id: Snowflake,
        *,
        roles: Iterable[Snowflake] = (),
        nick: str | None = None,
    ) -> FakeMember:
        guild = self.guilds[sid(guild_id)]
        user = self.user(user_id)
        member = FakeMember(user.id, [sid(r) for r in roles], nick)
        guild.members[user.id] = member
        return member

    def set_overwrite(
        self, channel_id: Snowflake, target: Snowflake, *, member: bool = False,
        allow: int = 0, deny: int = 0,
    ) -> None:  # fmt: skip
        """Set (or with allow = deny = 0, remove) a channel's overwrite for a role or member."""
        channel = self.channels[sid(channel_id)]
        if allow == 0 and deny == 0:
            channel.overwrites.pop(sid(target), None)
        else:
            channel.overwrites[sid(target)] = (1 if member else 0, allow, deny)

    def dm_channel(self, user_id: Snowflake) -> FakeChannel:
        """The DM channel between the bot and this user (created on first use)."""
        user = self.user(user_id)
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient_id == user.id:
                return channel
        channel = FakeChannel(self.snowflakes.next(), "", type=DM, recipient_id=user.id)
        self.channels[channel.id] = channel
        return channel

    def refuses_dm(self, channel: FakeChannel) -> bool:
        """Would Discord refuse the bot's message in this DM channel (50007 "Cannot send
        messages to this user")? When the user has DMs from server members off, or shares
        no server with the bot (a bot may only DM its servers' members)."""
        user = self.users.get(channel.recipient_id or "")
        if user is None or not user.accepts_dms or user.bot:
            return True
        return not any(
            user.id in guild.members and self.bot.id in guild.members
            for guild in self.guilds.values()
        )

    def member_payload(self, guild: FakeGuild, user_id: str) -> JSON:
        member = guild.members.get(user_id) or FakeMember(user_id)
        return member.payload(self)

    # -- messages -----------------------------------------------------------------------------

    def create_message(
        self,
        channel_id: str,
        body: Mapping[str, Any],
        *,
        author_id: str | None = None,
        attachments: list[JSON] | None = None,
        message_type: int = 0,
        webhook_id: str | None = None,
        interaction: Interaction | None = None,
        extra_flags: int = 0,
    ) -> JSON:
        """Store and return a new message built from a create-message request ``body``."""
        channel = self.channels[channel_id]
        author = self.users[author_id or self.bot.id]
        message: JSON = {
            "id": self.snowflakes.next(),
            "channel_id": channel_id,
            "type": message_type,
            "author": author.payload(),
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments or [],
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "reactions": [],
            "pinned": False,
            "flags": int(body.get("flags") or 0) | extra_flags,
        }
        if channel.guild_id:
            message["guild_id"] = channel.guild_id
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        if body.get("poll"):
            message["poll"] = body["poll"]
        if webhook_id:
            message["webhook_id"] = webhook_id
            message["application_id"] = self.application_id
        if interaction is not None:
            message["application_id"] = self.application_id
            message["interaction_metadata"] = {
                "id": interaction.id,
                "type": interaction.type,
                "user": self.users[interaction.user_id].payload(),
                "authorizing_integration_owners": {},
            }
        self.messages[message["id"]] = message
        if not message["flags"] & FLAG_EPHEMERAL:  # ephemeral ones are not in the history
            self.channel_messages.setdefault(channel_id, []).append(message["id"])
        return message

    def edit_message(
        self, message_id: str, body: Mapping[str, Any], attachments: list[JSON] | None = None
    ) -> JSON:
        """Apply an edit-message request ``body`` to a stored message and return it."""
        message = self.messages[message_id]
        for key in ("content", "embeds", "components", "poll"):
            if key in body:
                message[key] = body[key] if body[key] is not None else _EMPTY[key]
        if "attachments" in body or attachments:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in message["attachments"] if a["id"] in kept_ids]
            message["attachments"] = kept + (attachments or [])
        if "flags" in body and body["flags"] is not None:
            message["flags"] = int(body["flags"]) | (message["flags"] & FLAG_EPHEMERAL)
        message["flags"] &= ~FLAG_LOADING
        message["edited_timestamp"] = now_iso()
        return message

    def delete_message(self, message_id: str) -> JSON:
        message = self.messages.pop(message_id)
        history = self.channel_messages.get(message["channel_id"], [])
        if message_id in history:
            history.remove(message_id)
        return message

    def messages_in(self, channel_id: Snowflake) -> list[JSON]:
        """A channel's history, oldest first: what others see (no ephemeral messages)."""
        ids = self.channel_messages.get(sid(channel_id), [])
        return [self.messages[i] for i in ids]

    # -- application commands -----------------------------------------------------------------

    def put_commands(self, scope: str | None, commands: list[JSON]) -> list[JSON]:
        """Bulk-overwrite the commands of a scope, keeping ids of commands that survive."""
        old = self.commands.get(scope, {})
        new: dict[str, JSON] = {}
        for body in commands:
            stored = self._command_payload(scope, body, old.get(_command_key(body)))
            new[_command_key(body)] = stored
        self.commands[scope] = new
        return list(new.values())

    def upsert_command(self, scope: str | None, body: JSON) -> JSON:
        commands = self.commands.setdefault(scope, {})
        stored = self._command_payload(scope, body, commands.get(_command_key(body)))
        commands[_command_key(body)] = stored
        return stored

    def _command_payload(
        self, scope: str | None, body: Mapping[str, Any], old: JSON | None
    ) -> JSON:
        data: JSON = {"description": "", "options": [], "type": 1, "nsfw": False}
        data.update(body)
        data["id"] = old["id"] if old else self.snowflakes.next()
        data["application_id"] = self.application_id
        data["version"] = self.snowflakes.next()
        if scope is not None:
            data["guild_id"] = scope
        return data

    def find_command(
        self, name: str, guild_id: str | None, *, kind: int = 1
    ) -> tuple[str | None, JSON] | None:
        """A registered command by name and type (1 chat input, 3 message): guild scope
        first, then global."""
        for scope in (guild_id, None) if guild_id else (None,):
            for command in self.commands.get(scope, {}).values():
                if command["name"] == name and command.get("type", 1) == kind:
                    return scope, command
        return None


_EMPTY: dict[str, Any] = {"content": "", "embeds": [], "components": [], "poll": None}


def _command_key(body: Mapping[str, Any]) -> str:
    return f"{body.get('type', 1)}:{body['name']}"
