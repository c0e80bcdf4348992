"""Liveness: whether the gateway is connected, and the heartbeat the `health` command reads.

The heartbeat is written to the database every HEARTBEAT_SECONDS and whenever the gateway
connects or disconnects; the write itself proves the database is writable. Before each
periodic beat, the web server (when there is one) is checked by connecting to it as a client
would, and the heartbeat records why it cannot take a new client, if it cannot.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.clock import Clock
from bot.metrics import Metrics
from bot.operations import Heartbeat, verdict
from bot.service.runtime import RuntimeUseCases

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0


class GatewayLink:
    """Whether the chat gateway is connected; listeners hear of every change."""

    def __init__(self) -> None:
        self.connected = False
        self._listeners: list[Callable[[], Awaitable[None]]] = []

    def subscribe(self, listener: Callable[[], Awaitable[None]]) -> None:
        self._listeners.append(listener)

    async def set(self, connected: bool) -> None:
        self.connected = connected
        for listener in self._listeners:
            await listener()


class BeatSource(Protocol):
    """The dispatcher, as far as health goes: when its loop last ran."""

    @property
    def loop_beat_at(self) -> dt.datetime | None: ...


class HeartbeatKeeper:
    """Use as `async with HeartbeatKeeper(...)`: beats at once, then every `every` seconds."""

    def __init__(
        self,
        runtime: RuntimeUseCases,
        *,
        clock: Clock,
        gateway: GatewayLink,
        dispatcher: BeatSource,
        metrics: Metrics,
        every: float = HEARTBEAT_SECONDS,
        file_problem: Callable[[], str | None] = lambda: None,
        web_problem: Callable[[], Awaitable[str | None]] | None = None,
    ) -> None:
        self._runtime = runtime
        self._clock = clock
        self._gateway = gateway
        self._dispatcher = dispatcher
        self._metrics = metrics
        self._every = every
        self._file_problem = file_problem
        self._check_web = web_problem
        self._web_problem: str | None = None
        self._task: asyncio.Task[None] | None = None
        self.last: Heartbeat | None = None  # the last one written successfully
        gateway.subscribe(self.record)

    async def __aenter__(self) -> HeartbeatKeeper:
        self._task = asyncio.create_task(self._beat(), name="heartbeat")
        return self

    async def __aexit__(self, *exc: object) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def verdict(self) -> tuple[bool, str]:
        """Healthy or not, and why (for /healthz): never while the database file is gone."""
        problem = self._file_problem()
        if problem is not None:
            return False, problem
        return verdict(self.last, now=self._clock.now())

    async def record(self) -> None:
        """Record that the gateway, the dispatcher and the database are alive."""
        beat = Heartbeat(
            at=self._clock.now(),
            gateway_connected=self._gateway.connected,
            dispatcher_beat_at=self._dispatcher.loop_beat_at,
            pid=os.getpid(),
            web_problem=self._web_problem,
        )
        try:
            counts = await self._runtime.beat(beat)
        except Exception:
            log.exception("could not record the heartbeat")
            return
        self.last = beat
        self._metrics.set_deadlines(counts)

    async def check_web(self) -> None:
        """Check that the web server takes a new client; the next record says what was found."""
        if self._check_web is None:
            return
        try:
            problem = await self._check_web()
        except Exception as exc:
            problem = f"the web server could not be checked: {type(exc).__name__}"
            log.exception("could not check the web server")
        if problem is not None and self._web_problem is None:
            log.warning("%s", problem)
        elif problem is None and self._web_problem is not None:
            log.info("the web server takes connections again")
        self._web_problem = problem

    async def _beat(self) -> None:
        while True:
            await self.check_web()
            await self.record()
            await asyncio.sleep(self._every)
