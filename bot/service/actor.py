"""Who is acting, what Discord says they may do, and the rules that decide: pure, no Discord.

An adapter builds the `Actor` from what the chat platform reports; the use cases ask it about
the channel that matters (a deadline's alert channel, a board's channel) inside the same
transaction as the change, and raise `NotAllowed` when the rule says no.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.models import Deadline, GuildSettings, Mention, MentionKind

MODIFY_RULE = (
    "only the person who added it, members with Manage Messages in its alert channel, "
    "members with Manage Server, or the manager role can change a deadline"
)
SETTINGS_RULE = "only members with Manage Server can change settings"
BOARD_RULE = (
    "only members with Pin Messages in that channel, or Manage Server, can post or remove boards"
)


@dataclass(frozen=True, slots=True)
class ChannelRights:
    """What a member may do in one channel, as far as the desk's rules go."""

    manage_messages: bool = False
    send_messages: bool = False  # View Channel and Send Messages
    mention_everyone: bool = False  # "Mention @everyone, @here and All Roles"
    pin_messages: bool = False
    view_channel: bool = False  # sees the channel (and so its alerts)


NO_RIGHTS = ChannelRights()
#: A plain member where nothing else is known: may post, as Discord's @everyone may by default.
MEMBER_RIGHTS = ChannelRights(send_messages=True, view_channel=True)


def _member_rights(channel_id: int) -> ChannelRights:
    return MEMBER_RIGHTS


@dataclass(frozen=True, slots=True)
class Actor:
    """The member acting: who, their roles, Manage Server, and their rights per channel.

    `rights` answers for any channel id (the adapter resolves it from the platform's own
    permission data, and there a channel it cannot see gives no rights; left out, a plain
    member's: post, nothing more).
    """

    user_id: int
    role_ids: frozenset[int] = frozenset()
    manage_guild: bool = False
    rights: Callable[[int], ChannelRights] = _member_rights
    #: The server's roles anyone may mention (Discord's "Allow anyone to @mention this role").
    mentionable_roles: frozenset[int] = frozenset()

    @classmethod
    def everywhere(
        cls, user_id: int, *, manage_messages: bool = False, manage_guild: bool = False,
        role_ids: frozenset[int] = frozenset(), send_messages: bool = True,
        mention_everyone: bool = False, pin_messages: bool | None = None,
        mentionable_roles: frozenset[int] = frozenset(),
    ) -> Actor:  # fmt: skip
        """An actor with the same rights in every channel (CLI, tests); Pin Messages goes
        with Manage Messages unless said otherwise."""
        same = ChannelRights(
            manage_messages=manage_messages,
            send_messages=send_messages,
            mention_everyone=mention_everyone,
            pin_messages=manage_messages if pin_messages is None else pin_messages,
            view_channel=True,
        )
        return cls(user_id, role_ids, manage_guild, lambda channel_id: same, mentionable_roles)

    def in_channel(self, channel_id: int) -> ChannelRights:
        return self.rights(channel_id)


def may_modify(actor: Actor, deadline: Deadline, settings: GuildSettings) -> bool:
    """Done, extend, edit, snooze, delete: the creator, Manage Server, the manager role, or
    Manage Messages in the deadline's alert channel."""
    return (
        actor.user_id == deadline.created_by
        or actor.manage_guild
        or (settings.manager_role_id is not None and settings.manager_role_id in actor.role_ids)
        or actor.in_channel(deadline.channel_id).manage_messages
    )


def may_post_in(actor: Actor, channel_id: int) -> bool:
    """Alerts go where the member picked only if the member may post there themselves."""
    return actor.in_channel(channel_id).send_messages


def may_mention(actor: Actor, mention: Mention, channel_id: int) -> bool:
    """A user may always be named; a role only if anyone may mention it, or the member may
    mention every role in the alert channel (as Discord itself decides for their messages)."""
    if mention.kind is MentionKind.USER:
        return True
    return mention.id in actor.mentionable_roles or actor.in_channel(channel_id).mention_everyone


def may_read_alerts(actor: Actor, channel_id: int) -> bool:
    """A DM copy of a deadline's alerts only for a member who can see its alert channel:
    a copy must not show anyone what the channel hides from them."""
    return actor.in_channel(channel_id).view_channel


def may_change_settings(actor: Actor) -> bool:
    return actor.manage_guild


def may_manage_boards(actor: Actor, channel_id: int) -> bool:
    """Boards are pinned messages: those who may pin messages in that channel (Pin Messages,
    split from Manage Messages by Discord in 2025), or who run the server."""
    return actor.manage_guild or actor.in_channel(channel_id).pin_messages
