"""The notifier's pace (bot/discord/notifier.py `Pace`): at most `burst` at once, then `rate`
a second, so that no second of a long burst sees more than burst + rate posts, below
Discord's global 50 requests a second."""

from __future__ import annotations

import asyncio

from bot.discord.notifier import POST_BURST, POST_RATE, Pace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def starts(pace: Pace, clock: Clock, count: int) -> list[float]:
    """When each of `count` requests, all asking at once, may start."""
    return [round(clock.now + pace.reserve(), 9) for _ in range(count)]


def test_the_first_burst_goes_at_once_then_one_every_interval() -> None:
    clock = Clock()
    pace = Pace(rate=40, burst=5, clock=clock)
    times = starts(pace, clock, 8)
    assert times[:5] == [100.0] * 5
    assert [round(t - 100, 3) for t in times[5:]] == [0.025, 0.05, 0.075]


def test_no_second_of_a_long_burst_sees_more_than_burst_plus_rate() -> None:
    clock = Clock()
    pace = Pace(clock=clock)
    times = starts(pace, clock, 2000)
    most = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert most <= POST_BURST + POST_RATE < 50
    assert times[-1] - times[0] >= (2000 - POST_BURST) / POST_RATE - 1e-6


def test_a_quiet_spell_refills_the_burst() -> None:
    clock = Clock()
    pace = Pace(rate=40, burst=5, clock=clock)
    starts(pace, clock, 20)
    clock.now += 10
    assert starts(pace, clock, 5) == [clock.now] * 5
    assert pace.reserve() > 0


def test_waiters_woken_late_together_still_keep_to_the_second() -> None:
    """The event loop held up for 0.3 s in the middle of a burst: the waiters whose slots
    passed meanwhile wake together; they must not all start at once (before, up to 52 posts
    reached the fake within one second when the machine was loaded)."""
    clock = Clock()
    begun: list[float] = []

    async def sleep(delay: float) -> None:
        wake = clock.now + delay
        while clock.now < wake:  # the test's loop moves the clock
            await asyncio.sleep(0)

    pace = Pace(rate=40, burst=5, clock=clock, sleep=sleep)

    async def post() -> None:
        await pace.wait()
        begun.append(clock.now)

    async def run() -> None:
        tasks = [asyncio.create_task(post()) for _ in range(200)]
        while not all(task.done() for task in tasks):
            await asyncio.sleep(0)
            # 1 ms a loop iteration; one stall of 0.3 s at 100.6.
            clock.now = round(clock.now + (0.3 if abs(clock.now - 100.6) < 5e-4 else 0.001), 6)
        await asyncio.gather(*tasks)

    asyncio.run(run())
    assert len(begun) == 200
    most = max(sum(1 for t in begun if start <= t < start + 1.0) for start in begun)
    assert most <= POST_BURST + POST_RATE
