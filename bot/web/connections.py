"""The web server's connections: how many may be open, how long a client may keep one without
sending a request or reading its answer, and whether a new client can connect at all.

aiohttp closes a connection that has not sent a whole request `keepalive_timeout` seconds
after it opened (or after its last answer), which covers a client that sends nothing and one
that sends its headers a byte at a time; `WebServer` sets it to `client_timeout` instead of an
hour. What aiohttp does not bound is here: the number of open connections (each is a file
descriptor the bot's Discord connections and database need too; past the process's limit,
Python 3.11's accept loop logs an error storm and starves the event loop), and a client that
stops reading a large answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
from collections.abc import Callable
from typing import Final

from aiohttp import web

from .serverlog import LogBudget

log = logging.getLogger(__name__)

# Connections the kernel queues for us, and the most the event loop accepts at once: each
# accepted socket holds a descriptor until its protocol (a tick or two later) refuses it.
BACKLOG: Final = 16
# File descriptors kept for everything but the connections held: the database and its -wal
# and -shm, Discord's HTTP pool and gateway, the health probe (the bot uses about 15), and the
# sockets accepted but not yet refused (up to a batch of BACKLOG a tick, for a few ticks).
RESERVED_DESCRIPTORS: Final = 64 + 4 * BACKLOG
PROBE_SECONDS: Final = 3.0
# A path no route serves: the probe expects a 404, and anything else but the busy answer.
PROBE_REQUEST: Final = (
    b"HEAD /.well-known/deadline-desk-probe HTTP/1.1\r\n"
    b"Host: deadline-desk\r\nConnection: close\r\n\r\n"
)
_BUSY_BODY: Final = b"Too many connections: try again later.\n"
BUSY_STATUS: Final = b"HTTP/1.1 503 Service Unavailable\r\n"
BUSY_RESPONSE: Final = (
    BUSY_STATUS
    + b"Content-Type: text/plain; charset=utf-8\r\n"
    + b"Content-Length: %d\r\n" % len(_BUSY_BODY)
    + b"Retry-After: 30\r\nConnection: close\r\n\r\n"
    + _BUSY_BODY
)


def connection_cap(wanted: int, *, descriptor_limit: int) -> int:
    """How many connections to allow: `wanted`, but never so many that they would leave the
    rest of the bot fewer than RESERVED_DESCRIPTORS of the process's `descriptor_limit`."""
    if descriptor_limit == resource.RLIM_INFINITY or descriptor_limit <= 0:
        return wanted
    return max(1, min(wanted, descriptor_limit - RESERVED_DESCRIPTORS))


def descriptor_limit() -> int:
    """The process's soft limit on open files (RLIM_INFINITY when unlimited)."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class ConnectionGuard:
    """Admits connections up to `cap` (a connection over it gets a 503 and is closed at
    once, before aiohttp sees it), and cuts off a client that leaves an answer unread for
    `client_timeout` seconds."""

    def __init__(self, *, cap: int, client_timeout: float) -> None:
        self.cap = cap
        self.client_timeout = client_timeout
        self.open = 0
        self.refusals = LogBudget(log, "refused connections", level=logging.WARNING)

    def protocols(self, handler: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory for `loop.create_server`, wrapping aiohttp's `handler` factory."""
        return lambda: _GuardedProtocol(self, handler)

    def refuse(self, transport: asyncio.Transport) -> None:
        """Answer 503 and close: the descriptor is free again on the next tick."""
        peer = transport.get_extra_info("peername")
        self.refusals.log(
            "refused a connection from %s: %d open, the cap (web.max_connections)",
            peer[0] if isinstance(peer, tuple) and peer else "a client",
            self.open,
        )
        # One send on a fresh socket does not block; close() then frees the descriptor.
        transport.write(BUSY_RESPONSE)
        transport.close()


class _GuardedProtocol(asyncio.Protocol):
    """One connection: refused, or handed to aiohttp's protocol with a read-stall timer."""

    def __init__(self, guard: ConnectionGuard, handler: Callable[[], asyncio.Protocol]) -> None:
        self._guard = guard
        self._make_handler = handler
        self._inner: asyncio.Protocol | None = None
        self._transport: asyncio.Transport | None = None
        self._stall: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        guard = self._guard
        if guard.open >= guard.cap:
            guard.refuse(transport)
            return
        guard.open += 1
        self._transport = transport
        self._inner = self._make_handler()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        # The transport's buffer is full: the client is not reading what we send.
        if self._inner is None:
            return
        self._inner.pause_writing()
        if self._stall is None:
            loop = asyncio.get_running_loop()
            self._stall = loop.call_later(self._guard.client_timeout, self._stalled)

    def resume_writing(self) -> None:
        self._cancel_stall()
        if self._inner is not None:
            self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_stall()
        inner, self._inner = self._inner, None
        self._transport = None
        if inner is not None:
            self._guard.open -= 1
            inner.connection_lost(exc)

    def _stalled(self) -> None:
        self._stall = None
        if self._transport is not None:
            # abort(), not close(): close() would wait for the unread answer to be sent.
            self._transport.abort()

    def _cancel_stall(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None


class GuardedSite(web.BaseSite):
    """aiohttp's TCPSite, with every connection going through a `ConnectionGuard`."""

    __slots__ = ("_guard", "_handler", "_host", "_port")

    def __init__(
        self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard
    ) -> None:
        super().__init__(runner)
        assert runner.server is not None  # BaseSite checked: set up
        self._handler: Callable[[], asyncio.Protocol] = runner.server
        self._host = host
        self._port = port
        self._guard = guard

    @property
    def name(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._guard.protocols(self._handler), self._host, self._port, backlog=BACKLOG
        )


def probe_host(host: str) -> str:
    """Where the bot reaches its own server: the loopback address for "every interface"."""
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)


async def probe(host: str, port: int, *, within: float = PROBE_SECONDS) -> str | None:
    """Connect to the server as a client would and send a request: None if it answered, else
    what went wrong, in a few words."""
    try:
        async with asyncio.timeout(within):
            reader, writer = await asyncio.open_connection(probe_host(host), port)
            try:
                writer.write(PROBE_REQUEST)
                status = await reader.readline()
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except TimeoutError:
        return f"did not answer a connection within {within:g} s"
    except OSError as exc:
        return f"cannot be connected to: {exc.strerror or exc}"
    if status == BUSY_STATUS:
        return "is refusing connections"
    if not status.startswith(b"HTTP/"):
        return "closed a connection without answering"
    return None
