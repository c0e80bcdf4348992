"""What the use cases refuse. Each is a `UserError`: a message and an example of what works."""

from __future__ import annotations

from bot.deadlines import UserError


class ValidationError(UserError):
    """The input cannot be used as given."""


class NotFoundError(UserError):
    """No such deadline, board or feed in this server (the same answer as for another's)."""


class LimitError(UserError):
    """The server has reached a limit (active deadlines, boards)."""


class NotAllowed(UserError):
    """The member may not do this, here."""


__all__ = ["LimitError", "NotAllowed", "NotFoundError", "UserError", "ValidationError"]
