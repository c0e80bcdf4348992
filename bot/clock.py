"""The clock, as a protocol, so the dispatcher and services can be tested with fake time."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Protocol

# Sleep in slices: Linux adds timer slack of ~0.1% to a long wait (a lone 2-minute sleep wakes
# ~100 ms late), and a wall-clock jump is noticed within one slice.
MAX_SLICE_SECONDS = 1.0
IDLE_SECONDS = 60.0
# The last stretch before a wake-up is spent yielding to the loop rather than on a timer.
SPIN_SECONDS = 0.002


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware UTC."""
        ...

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None:
        """Return at `when` (or after a while if None), or as soon as `wake` is set."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None:
        deadline = self.now() + dt.timedelta(seconds=IDLE_SECONDS) if when is None else when
        while not wake.is_set():
            remaining = (deadline - self.now()).total_seconds()
            if remaining <= 0:
                return
            if remaining <= SPIN_SECONDS:
                # The event loop's timers wake up to ~1.5 ms late here (epoll counts whole
                # milliseconds); yield to the loop until the moment instead.
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining - SPIN_SECONDS, MAX_SLICE_SECONDS)):
                    await wake.wait()
