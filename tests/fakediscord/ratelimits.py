"""Discord's rate limits, modelled: a global limit per bot and a per-channel bucket for
Create Message. Off unless ``FakeDiscord(rate_limits=RateLimits())``.

From discord-api-docs developers/topics/rate-limits.mdx:

* "All bots can make up to 50 requests per second to our API" (global), and "Interaction
  endpoints are not bound to the bot's Global Rate Limit": callbacks and the interaction
  webhooks (``/interactions/...``, ``/webhooks/...``) are exempt here.
* Per-route limits "account for top-level resources within the path" (``channel_id``): one
  bucket per channel, all sharing one ``X-RateLimit-Bucket`` hash ("non-inclusive of
  top-level resources"). The docs hard-code no per-route figure ("should not be hard coded");
  5 messages per 5 s per channel is the usual one, and the default here.
* Every answer on a bucketed route carries ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
  (epoch seconds), ``-Reset-After`` and ``-Bucket``; a 429 has a JSON body ``{"message",
  "retry_after", "global"}``, ``Retry-After``, ``X-RateLimit-Scope`` (``user`` or
  ``global``), and ``X-RateLimit-Global: true`` for the global limit.

discord.py reads these: it waits pre-emptively when a bucket's ``Remaining`` reaches 0, and
on a 429 sleeps ``retry_after`` (holding all requests for a global one) and retries, up to 5
tries. Windows are fixed: a bucket opens at its first request and resets ``window`` seconds
later. A request refused 429 does not count against a limit.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

MESSAGE_CREATE = re.compile(r"/channels/(\d+)/messages")
EXEMPT = re.compile(r"/(interactions|webhooks)/.*")
#: The bucket hash Discord would send for Create Message (the same for every channel).
MESSAGE_BUCKET = "fake80c17d2f203122d936070c88c8d10f33"


@dataclass
class Window:
    """A fixed window: ``used`` of ``limit`` requests since ``opened`` (loop time)."""

    limit: int
    seconds: float
    opened: float = -math.inf
    used: int = 0

    def reset_at(self) -> float:
        return self.opened + self.seconds

    def roll(self, now: float) -> None:
        if now >= self.reset_at():
            self.opened, self.used = now, 0


@dataclass
class Verdict:
    """What the limiter says about one request: allowed (with headers to add) or a 429."""

    allowed: bool
    headers: dict[str, str]
    retry_after: float = 0.0
    is_global: bool = False

    def body(self) -> dict[str, object]:
        return {
            "message": "You are being rate limited.",
            "retry_after": round(self.retry_after, 3),
            "global": self.is_global,
        }


@dataclass
class RateLimits:
    """The limits to enforce: ``global_per_second`` requests per ``global_window`` (None: no
    global limit), ``message_limit`` messages per ``message_window`` per channel (None: no
    per-channel bucket). ``hits`` counts the 429s given, by scope."""

    global_per_second: int | None = 50
    global_window: float = 1.0  # seconds (a test may widen it to stay clear of timing)
    message_limit: int | None = 5
    message_window: float = 5.0
    hits: dict[str, int] = field(default_factory=lambda: {"global": 0, "user": 0})
    _global: Window | None = None
    _channels: dict[str, Window] = field(default_factory=dict)

    def check(self, method: str, path: str, now: float) -> Verdict:
        """Count one request arriving at loop time ``now``; say whether it may go through."""
        if EXEMPT.fullmatch(path):
            return Verdict(True, {})
        bucket: Window | None = None
        match = MESSAGE_CREATE.fullmatch(path) if method == "POST" else None
        if match is not None and self.message_limit is not None:
            bucket = self._channels.setdefault(
                match.group(1), Window(self.message_limit, self.message_window)
            )
            bucket.roll(now)
        if self.global_per_second is not None:
            if self._global is None:
                self._global = Window(self.global_per_second, self.global_window)
            self._global.roll(now)
            if self._global.used >= self._global.limit:
                self.hits["global"] += 1
                wait = self._global.reset_at() - now
                headers = {
                    "Retry-After": str(math.ceil(wait)),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                }
                return Verdict(False, headers, retry_after=wait, is_global=True)
        if bucket is not None and bucket.used >= bucket.limit:
            self.hits["user"] += 1
            wait = bucket.reset_at() - now
            headers = _bucket_headers(bucket, now) | {
                "Retry-After": str(math.ceil(wait)),
                "X-RateLimit-Scope": "user",
            }
            return Verdict(False, headers, retry_after=wait)
        if self._global is not None:
            self._global.used += 1
        if bucket is None:
            return Verdict(True, {})
        bucket.used += 1
        return Verdict(True, _bucket_headers(bucket, now))


def _bucket_headers(bucket: Window, now: float) -> dict[str, str]:
    reset_after = max(0.0, bucket.reset_at() - now)
    return {
        "X-RateLimit-Limit": str(bucket.limit),
        "X-RateLimit-Remaining": str(max(0, bucket.limit - bucket.used)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": MESSAGE_BUCKET,
    }
