"""What the web server logs about the internet's requests: briefly, at a bounded rate, and never
the request line or headers (a feed's path is its secret token).

aiohttp logs a malformed request as an ERROR with a traceback whose message quotes the request
line: one request of 8,191 bytes wrote the feed token into the log, and a flood of them fills a
disk. `ServerLog` replaces aiohttp's server logger: a bad request becomes one short line, at
most `limit` such lines a minute, then a count of those not logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Final

from aiohttp.http_exceptions import (
    BadHttpMethod,
    BadStatusLine,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
)

LINES_PER_MINUTE: Final = 10
WINDOW_SECONDS: Final = 60.0


class LogBudget:
    """At most `limit` lines per `window` seconds for one kind of event; the rest are counted,
    and their number is logged when the window ends (or at `flush()`)."""

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        level: int = logging.INFO,
        limit: int = LINES_PER_MINUTE,
        window: float = WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._what = what  # plural, for "... and 57 more <what> ..."
        self._level = level
        self._limit = limit
        self._window = window
        self._monotonic = monotonic
        self._ends_at = float("-inf")
        self._logged = 0
        self._suppressed = 0
        self._report: asyncio.TimerHandle | None = None
        self.total = 0  # every event, logged or not

    def log(self, message: str, *args: object, level: int | None = None, **kwargs: Any) -> None:
        """Log one event's line if the window has room for it; else count it."""
        self.total += 1
        now = self._monotonic()
        if now >= self._ends_at:
            self.flush()
            self._ends_at = now + self._window
            self._logged = 0
        if self._logged < self._limit:
            self._logged += 1
            self._logger.log(self._level if level is None else level, message, *args, **kwargs)
            return
        self._suppressed += 1
        if self._report is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop: the count goes out with the next window's first line
            self._report = loop.call_later(max(0.0, self._ends_at - now), self.flush)

    def flush(self) -> None:
        """Log how many events went unlogged, if any (the window's end, or the server's)."""
        if self._report is not None:
            self._report.cancel()
            self._report = None
        if self._suppressed:
            self._logger.log(
                self._level,
                "%d more %s in the last %g s, not logged",
                self._suppressed,
                self._what,
                self._window,
            )
            self._suppressed = 0


def describe(error: HttpProcessingError) -> str:
    """A few words for what was wrong with a request, never quoting it."""
    if isinstance(error, LineTooLong):
        return "request line or header too long"
    if isinstance(error, BadHttpMethod):
        return "not HTTP, or an unknown method"
    if isinstance(error, BadStatusLine):
        return "malformed request line"
    if isinstance(error, InvalidHeader):
        return "malformed header"
    return "malformed request"


class ServerLog(logging.LoggerAdapter[logging.Logger]):
    """Stands in for aiohttp's server logger (`RequestHandler(logger=...)`).

    A request aiohttp could not parse is logged as one INFO line: status, what was wrong, the
    client's address; no request line, header or traceback. Anything else aiohttp reports (an
    error in a handler: ours to fix) keeps its level and traceback. Each kind is limited to
    `limit` lines a minute.
    """

    def __init__(self, logger: logging.Logger, *, limit: int = LINES_PER_MINUTE) -> None:
        super().__init__(logger, {})
        self.bad_requests = LogBudget(logger, "bad requests", limit=limit)
        self.errors = LogBudget(logger, "request errors", level=logging.ERROR, limit=limit)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        error = _exception(kwargs.get("exc_info"))
        if isinstance(error, HttpProcessingError):
            # aiohttp's message is "Error handling request from %s", the client's address.
            remote = args[0] if len(args) == 1 else "a client"
            self.bad_requests.log(
                "bad request from %s: %s (%s)", remote, describe(error), error.code
            )
        elif level >= logging.WARNING:
            self.errors.log(str(msg), *args, level=level, **kwargs)
        elif self.logger.isEnabledFor(level):
            # aiohttp's debug chatter ("Ignored premature client disconnection", ...); its
            # tracebacks can quote what the client sent, so only the exception's type.
            kwargs.pop("exc_info", None)
            suffix = f" ({type(error).__name__})" if error is not None else ""
            self.logger.log(level, str(msg) + suffix, *args, **kwargs)

    def flush(self) -> None:
        """Log the counts of lines left out (when the server stops)."""
        self.bad_requests.flush()
        self.errors.flush()


def _exception(exc_info: object) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        error = exc_info[1]
        return error if isinstance(error, BaseException) else None
    return None
