"""Who is acting, what Discord says they may do, and the rules that decide: pure, no Discord.

An adapter builds the `Actor` from what the chat platform reports; the use cases ask it about
the channel that matters (a deadline's alert channel, a board's channel) inside the same
transaction as the change, and raise `NotAllowed` when the rule says no.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.models import Deadline, GuildSettings

MODIFY_RULE = (
    "only the person who added it, members with Manage Messages in its alert channel, "
    "members with Manage Server, or the manager role can change a deadline"
)
SETTINGS_RULE = "only members with Manage Server can change settings"
BOARD_RULE = (
    "only members with Manage Messages in that channel, or Manage Server, can post or remove boards"
)


@dataclass(frozen=True, slots=True)
class ChannelRights:
    """What a member may do in one channel, as far as the desk's rules go."""

    manage_messages: bool = False


NO_RIGHTS = ChannelRights()


def _no_rights(channel_id: int) -> ChannelRights:
    return NO_RIGHTS


@dataclass(frozen=True, slots=True)
class Actor:
    """The member acting: who, their roles, Manage Server, and their rights per channel.

    `rights` answers for any channel id (the adapter resolves it from the platform's own
    permission data; an unknown channel has no rights).
    """

    user_id: int
    role_ids: frozenset[int] = frozenset()
    manage_guild: bool = False
    rights: Callable[[int], ChannelRights] = _no_rights

    @classmethod
    def everywhere(
        cls, user_id: int, *, manage_messages: bool = False, manage_guild: bool = False,
        role_ids: frozenset[int] = frozenset(),
    ) -> Actor:  # fmt: skip
        """An actor with the same rights in every channel (CLI, tests)."""
        same = ChannelRights(manage_messages=manage_messages)
        return cls(user_id, role_ids, manage_guild, lambda channel_id: same)

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


def may_change_settings(actor: Actor) -> bool:
    return actor.manage_guild


def may_manage_boards(actor: Actor, channel_id: int) -> bool:
    """Boards are pinned messages: those who may manage messages in that channel, or who run
    the server."""
    return actor.manage_guild or actor.in_channel(channel_id).manage_messages
