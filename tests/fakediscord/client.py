"""Glue between discord.py 2.7.1 and :class:`FakeDiscord`: redirect it, run a client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl

from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


def point_discord_at(fake: FakeDiscord) -> Callable[[], None]:
    """Make discord.py talk to ``fake``; returns a callable that undoes it.

    Two class attributes are all discord.py 2.7.1 reads:

    * ``discord.http.Route.BASE``: every REST URL, including the interaction callback and
      webhook (follow-up) routes, which reuse ``discord.http.Route``. It is read when a
      Route is built, so the patch applies to clients created before or after it.
    * ``DiscordWebSocket.DEFAULT_GATEWAY``: where ``Client.connect`` opens the gateway (a
      plain Client / commands.Bot never asks GET /gateway/bot; AutoSharded clients do and
      get the fake's URL). Resumes go to READY's ``resume_gateway_url``.
    """
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    def undo() -> None:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return undo


class _ErrorLog(logging.Handler):
    """Collects ERROR records from discord.py's loggers (handler exceptions end up there)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def report(self) -> str:
        return "\n".join(self.format(r) for r in self.records)


@contextlib.asynccontextmanager
async def running_client(
    fake: FakeDiscord,
    client: ClientT,
    *,
    token: str = "fake-token",
    ready_timeout: float = 10.0,
    fail_on_logged_errors: bool = True,
    skip_reidentify_delay: bool = False,
) -> AsyncIterator[ClientT]:
    """Log ``client`` in to ``fake``, connect it, wait for on_ready; close it on exit.

    Set the client's ``guild_ready_timeout`` low (e.g. 0.1): discord.py waits that long after
    the last GUILD_CREATE before on_ready. If ``fail_on_logged_errors`` and discord.py logged
    an ERROR while the block ran (an exception in a command, view or event handler, which
    discord.py only logs), an AssertionError is raised at exit. Patches discord.py only
    for the duration of the block.

    discord.py sleeps 5 s before every IDENTIFY after the first (``Client.before_identify_hook``),
    e.g. after an INVALID_SESSION. ``skip_reidentify_delay=True`` replaces that hook on this
    client instance with one that does not wait.

    An application that logs its client in itself (a composition root that starts other
    parts around it) uses ``pointed_at`` and ``connected`` instead.
    """
    with pointed_at(fake):
        try:
            await client.login(token)
        except BaseException:
            await client.close()
            raise
        async with connected(
            client,
            ready_timeout=ready_timeout,
            fail_on_logged_errors=fail_on_logged_errors,
            skip_reidentify_delay=skip_reidentify_delay,
        ):
            yield client


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """``point_discord_at`` for the duration of a block."""
    undo = point_discord_at(fake)
    try:
        yield
    finally:
        undo()


@contextlib.asynccontextmanager
async def connected(
    client: ClientT,
    *,
    ready_timeout: float = 10.0,
    fail_on_logged_errors: bool = True,
    skip_reidentify_delay: bool = False,
    close: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[ClientT]:
    """Connect a logged-in ``client`` and wait for on_ready; on exit, ``close()`` (default:
    ``client.close``, or whatever stops the application owning it) and wait for the
    connection to end. Fails the test on logged discord.py errors as ``running_client``."""
    errors = _ErrorLog()
    errors.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    discord_log = logging.getLogger("discord")
    discord_log.addHandler(errors)
    if skip_reidentify_delay:
        client.before_identify_hook = _identify_at_once  # type: ignore[method-assign]
    connect = asyncio.create_task(client.connect(reconnect=True), name="fakediscord-connect")
    try:
        ready = asyncio.create_task(client.wait_until_ready(), name="fakediscord-ready")
        done, _ = await asyncio.wait(
            {connect, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if connect in done:
                connect.result()  # re-raise why it stopped
                raise RuntimeError("discord.py client stopped before becoming ready")
            raise TimeoutError(f"discord.py client not ready after {ready_timeout}s")
        yield client
        if fail_on_logged_errors and errors.records:
            raise AssertionError(f"discord.py logged errors:\n{errors.report()}")
    finally:
        try:
            await (close or client.close)()
        finally:
            with contextlib.suppress(Exception):
                await connect
            discord_log.removeHandler(errors)


async def _identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
    """A ``before_identify_hook`` without discord.py's 5 s pause."""
