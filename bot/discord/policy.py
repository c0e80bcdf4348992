"""Who may do what: pure checks, so they are tested without Discord."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.models import Deadline, GuildSettings

MODIFY_RULE = (
    "only the person who added it, members with Manage Messages, or the manager role can "
    "change a deadline"
)
SETTINGS_RULE = "only members with Manage Server can change settings"


@dataclass(frozen=True, slots=True)
class Actor:
    """The member acting, as far as permissions go."""

    user_id: int
    role_ids: Collection[int] = ()
    manage_messages: bool = False
    manage_guild: bool = False


def may_modify(actor: Actor, deadline: Deadline, settings: GuildSettings) -> bool:
    """Done, extend, edit, snooze, delete: the creator, Manage Messages, or the manager role."""
    return (
        actor.user_id == deadline.created_by
        or actor.manage_messages
        or actor.manage_guild
        or (settings.manager_role_id is not None and settings.manager_role_id in actor.role_ids)
    )


def may_change_settings(actor: Actor) -> bool:
    return actor.manage_guild


BOARD_RULE = "only members with Manage Messages or Manage Server can post or remove boards"


def may_manage_boards(actor: Actor) -> bool:
    """Boards are pinned messages: those who may pin (Manage Messages) or run the server."""
    return actor.manage_messages or actor.manage_guild
