"""Logging set-up: text or JSON lines on stderr, with the Discord token redacted.

`configure_logging` installs one handler on the root logger, carrying a
`TokenRedactingFilter` that masks the configured token in messages, extras and tracebacks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import TYPE_CHECKING, Any, Final, TextIO

from pydantic import SecretStr

from bot.config import masked

if TYPE_CHECKING:
    from bot.config import Config

__all__ = ["TEXT_LOG_FORMAT", "JsonFormatter", "TokenRedactingFilter", "configure_logging"]

TEXT_LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Shorter tokens are malformed anyway, and redacting a two-letter "token" would mangle every
# log line containing those letters.
_MIN_REDACTED_LENGTH: Final = 8


class TokenRedactingFilter(logging.Filter):
    """Replaces the token with its masked form in a record's message, extras and traceback.

    Installed on a handler (not a logger) so that it also sees records propagated from
    child loggers such as discord.*.
    """

    def __init__(self, token: str | SecretStr) -> None:
        super().__init__()
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        secret = secret.strip()
        self._token = secret if len(secret) >= _MIN_REDACTED_LENGTH else ""
        self._mask = masked(secret)

    def redact(self, text: str) -> str:
        """`text` with every occurrence of the token masked."""
        return text.replace(self._token, self._mask) if self._token else text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._token:
            return True
        try:
            message = record.getMessage()
            broken = False
        except Exception:
            # A bad format string: logging would later print msg and args verbatim in its
            # error report, so flatten them here where they can still be redacted.
            message = f"{record.msg!r} % {record.args!r}"
            broken = True
        if broken or self._token in message:
            record.msg = self.redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key in _extra_keys(record):
            value = record.__dict__[key]
            if isinstance(value, str) and self._token in value:
                record.__dict__[key] = self.redact(value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _extra_keys(record):
            payload.setdefault(key, record.__dict__[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra such as a datetime or an id object must not kill the line.
        return json.dumps(payload, ensure_ascii=False, default=str)


class _DeskHandler(logging.StreamHandler[TextIO]):
    """Marks the handler configure_logging installed, so a second call replaces it."""


def configure_logging(config: Config, *, stream: TextIO | None = None) -> logging.Handler:
    """Point the root logger at `stream` (default stderr) with the configured level and format.

    The handler carries a TokenRedactingFilter for the configured token. Calling again
    replaces the handler this function installed earlier and leaves other handlers alone.
    Returns the installed handler.
    """
    handler = _DeskHandler(sys.stderr if stream is None else stream)
    if config.logging.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_LOG_FORMAT))
    handler.addFilter(TokenRedactingFilter(config.discord.token))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _DeskHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(config.logging.level)
    return handler


# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS: Final = frozenset(
    logging.LogRecord("", logging.INFO, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}


def _extra_keys(record: logging.LogRecord) -> list[str]:
    return [key for key in record.__dict__ if key not in _RECORD_ATTRS]
