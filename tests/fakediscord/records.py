"""What the fake records (REST requests, gateway frames) and its fault-injection rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDict

JSON = dict[str, Any]


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request the fake answered.

    ``path`` is relative to the API base (``/channels/1/messages``, no ``/api/v10``, no query).
    ``json`` is the JSON body, or the ``payload_json`` part of a multipart body, or None.
    ``status`` and ``response`` are what the fake answered (``response`` is None for 204).
    ``time`` is the event loop's clock when the request arrived (for retry-timing assertions).
    """

    index: int
    method: str
    path: str
    query: Mapping[str, str]
    headers: CIMultiDict[str]
    json: Any
    files: list[UploadedFile]
    time: float
    status: int = 0
    response: Any = None
    injected: bool = False

    def matches(self, method: str | None, path: str | re.Pattern[str]) -> bool:
        """True if the method matches (None or "*" = any) and ``path`` regex fully matches."""
        if method not in (None, "*") and method.upper() != self.method:
            return False
        return re.fullmatch(path, self.path) is not None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def __str__(self) -> str:
        return f"#{self.index} {self.method} {self.path} -> {self.status}"


RequestPredicate = Callable[[RecordedRequest], bool]


@dataclass
class GatewayFrame:
    """One gateway payload, as received from or sent to the client (``direction`` in/out)."""

    direction: str
    payload: JSON
    connection: int

    @property
    def op(self) -> int:
        return int(self.payload.get("op", -1))

    @property
    def event(self) -> str | None:
        return self.payload.get("t")

    @property
    def data(self) -> Any:
        return self.payload.get("d")


@dataclass
class FaultRule:
    """Answer the next ``remaining`` requests matching ``method`` + ``path`` with an error.

    ``body`` defaults to a Discord-shaped error for ``status``. For 429 the body carries
    ``retry_after`` and ``global`` and the rate-limit headers are set. ``handled``: the
    request is carried out first (a message is posted) and only its answer is replaced, as
    when Discord's answer is lost; ``delay``: seconds before the answer goes out (a hang).
    """

    method: str | None
    path: str
    status: int
    body: Any = None
    remaining: int = 1
    retry_after: float | None = None
    is_global: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    handled: bool = False
    delay: float = 0.0
    hits: int = 0

    def take(self, method: str, path: str) -> bool:
        """Consume one use of this rule if it applies to the request."""
        if self.remaining <= 0:
            return False
        if self.method not in (None, "*") and self.method.upper() != method:
            return False
        if re.fullmatch(self.path, path) is None:
            return False
        self.remaining -= 1
        self.hits += 1
        return True


class FakeDiscordTimeout(AssertionError):
    """A ``wait_for_*`` helper gave up; the message says what was awaited and what was seen."""
