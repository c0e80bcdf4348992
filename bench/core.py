"""Benchmark the scheduling core with 100,000 active deadlines (~500,000 planned alerts).

Run: python bench/core.py [--deadlines 100000] [--idle 120] [--batch 100000]

The database is built by the bulk import under test (services.imports.import_deadlines, one
call per --batch deadlines), and the other figures are taken on it.

Prints one line per figure with its target. Uses real SQLite files in a temporary folder and
the real dispatcher and system clock; the notifier only records when each alert reached it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.deadlines import Rule
from bot.dispatcher import Dispatcher
from bot.models import AlertKind, NewDeadline, PlannedAlert
from bot.notices import AlertNotice
from bot.service import Actor, Services
from bot.storage import SqliteStore

UTC = dt.UTC


class TimingNotifier:
    def __init__(self) -> None:
        self.received: list[tuple[float, AlertNotice]] = []  # (wall time, notice)
        self.event = asyncio.Event()
        self.expected = 0

    async def send_alert(self, notice: AlertNotice) -> int:
        self.received.append((time.time(), notice))
        if len(self.received) >= self.expected:
            self.event.set()
        return len(self.received)

    async def send_alerts(self, notices: Sequence[AlertNotice], *, nonce: str) -> int:
        for notice in notices:
            message_id = await self.send_alert(notice)
        return message_id

    def fits(self, notices: Sequence[AlertNotice]) -> bool:
        return True

    async def send_digest(self, *args: object, **kwargs: object) -> int:
        return 0


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


NEW_YORK = ZoneInfo("America/New_York")


def new_deadline(
    guild_id: int, n: int, due_at: dt.datetime, now: dt.datetime, *, has_time: bool = True
) -> NewDeadline:
    if not has_time:  # a date-only deadline ends 23:59:59 in the newsroom's zone
        local_day = due_at.astimezone(NEW_YORK).date()
        due_at = dt.datetime.combine(local_day, dt.time(23, 59, 59), NEW_YORK).astimezone(UTC)
    return NewDeadline(
        guild_id=guild_id,
        channel_id=1000 + n % 20,
        title=f"Deadline {n}",
        start=now.date(),
        rule=Rule.CALENDAR,
        calendar="US",
        period="30 days",
        due=due_at.astimezone(NEW_YORK).date(),
        due_at=due_at,
        has_time=has_time,
        explanation=("day 0", "+30 calendar days"),
        created_by=1,
        created_at=now,
    )


async def build_big_database(
    path: Path, count: int, *, batch: int, guilds: int = 50
) -> dict[str, float]:
    """Bulk import through the service (checks, planning, one history entry each), `batch`
    deadlines per call (one transaction each). Most deadlines are date-only, as "30 days"
    makes them; one in ten has a time of day (and so an extra reminder an hour before)."""
    now = dt.datetime.now(UTC)
    news = [
        new_deadline(
            n % guilds + 1,
            n,
            now + dt.timedelta(days=8 + n % 300, minutes=n % 1440),
            now,
            has_time=n % 10 == 0,
        )
        for n in range(count)
    ]
    async with SqliteStore.open(path) as store:
        imports = Services.over(store, clock=SystemClock()).imports
        t0 = time.perf_counter()
        for start in range(0, count, batch):
            await imports.import_deadlines(news[start : start + batch])
        import_s = time.perf_counter() - t0
        async with store.transaction() as tx:
            alerts = await tx.count_pending_alerts()
    return {"import_s": import_s, "alerts": alerts}


COLD_START = """
import asyncio, json, resource, sys, time
t0 = time.perf_counter()
from bot.clock import SystemClock
from bot.dispatcher import Dispatcher
from bot.storage import SqliteStore

class Null:
    async def send_alert(self, notice): return 1
    async def send_digest(self, *a, **k): return 1

async def main():
    async with SqliteStore.open(sys.argv[1]) as store:
        t1 = time.perf_counter()
        async with Dispatcher(store, Null(), clock=SystemClock()) as dispatcher:
            while dispatcher.armed_at is None:
                await asyncio.sleep(0.001)
            t2 = time.perf_counter()
    # VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a child started by a big
    # parent would report the parent's peak.
    status = open("/proc/self/status").read()
    rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps({"import_s": t1 - t0, "armed_s": t2 - t0, "armed_after_open_s": t2 - t1,
                      "rss_mb": rss}))

asyncio.run(main())
"""


def cold_start(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", COLD_START, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


async def add_and_complete(path: Path, rounds: int = 300) -> tuple[list[float], list[float]]:
    async with SqliteStore.open(path) as store:
        deadlines = Services.over(store, clock=SystemClock()).deadlines
        actor = Actor(1)
        adds, dones = [], []
        for n in range(rounds):
            t0 = time.perf_counter()
            added = await deadlines.add(actor, 999, channel_id=5, text=f"Bench {n}, 30 days")
            adds.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await deadlines.done(actor, 999, added.deadline.id)
            dones.append((time.perf_counter() - t0) * 1000)
    return adds, dones


async def list_first_page(path: Path, rounds: int = 200) -> list[float]:
    now = dt.datetime.now(UTC)
    async with SqliteStore.open(path) as store:
        async with store.transaction() as tx:
            await tx.insert_deadlines(
                [
                    (new_deadline(777, n, now + dt.timedelta(days=1 + n % 200), now), [])
                    for n in range(5000)
                ]
            )
        deadlines = Services.over(store, clock=SystemClock()).deadlines
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            page = await deadlines.page(777)
            times.append((time.perf_counter() - t0) * 1000)
            assert len(page.deadlines) == 10
            assert page.total == 5000
    return times


async def stall_monitor(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        gaps.append(now - last - 0.005)
        last = now


async def burst(path: Path, count: int, lead_s: float) -> dict[str, float]:
    """`count` alerts due at the same instant, `lead_s` seconds after the dispatcher is armed."""
    now = dt.datetime.now(UTC)
    due = (now + dt.timedelta(seconds=lead_s + 1)).replace(microsecond=0)
    async with SqliteStore.open(path) as store:
        async with store.transaction() as tx:
            await tx.insert_deadlines(
                [
                    (
                        new_deadline(5, 100_000 + n, due + dt.timedelta(days=30), now),
                        [PlannedAlert(AlertKind.REMINDER, due, days_before=30)],
                    )
                    for n in range(count)
                ]
            )
        notifier = TimingNotifier()
        notifier.expected = count
        async with Dispatcher(store, notifier, clock=SystemClock(), senders=16):
            await asyncio.wait_for(notifier.event.wait(), timeout=lead_s + 30)
    lateness = [(t - due.timestamp()) * 1000 for t, _ in notifier.received]
    return {
        "count": len(notifier.received),
        "all_within_ms": max(lateness) - min(lateness) + max(0.0, min(lateness)),
        "p50_ms": statistics.median(lateness),
        "p99_ms": pct(lateness, 0.99),
        "max_ms": max(lateness),
    }


async def lone_after_idle(path: Path, idle_s: float, samples: int = 5) -> list[float]:
    """One alert at a time, each after `idle_s` of silence, with the dispatcher running."""
    lateness = []
    async with SqliteStore.open(path) as store:
        notifier = TimingNotifier()
        async with Dispatcher(store, notifier, clock=SystemClock()) as dispatcher:
            for n in range(samples):
                now = dt.datetime.now(UTC)
                due = now + dt.timedelta(seconds=idle_s / samples)
                new = new_deadline(6, 200_000 + n, due + dt.timedelta(days=30), now)
                async with store.transaction() as tx:
                    await tx.insert_deadlines([(new, [PlannedAlert(AlertKind.REMINDER, due)])])
                dispatcher.wake()
                notifier.expected = n + 1
                notifier.event.clear()
                await asyncio.wait_for(notifier.event.wait(), timeout=idle_s + 30)
                lateness.append((notifier.received[-1][0] - due.timestamp()) * 1000)
    return lateness


async def catch_up(path: Path, count: int) -> dict[str, float]:
    now = dt.datetime.now(UTC)
    async with SqliteStore.open(path) as store:
        async with store.transaction() as tx:
            await tx.insert_deadlines(
                [
                    (
                        new_deadline(7, 300_000 + n, now + dt.timedelta(days=3), now),
                        [PlannedAlert(AlertKind.REMINDER, now - dt.timedelta(hours=2, seconds=n))],
                    )
                    for n in range(count)
                ]
            )
        notifier = TimingNotifier()
        notifier.expected = count
        gaps: list[float] = []
        stop = asyncio.Event()
        monitor = asyncio.create_task(stall_monitor(stop, gaps))
        t0 = time.time()
        async with Dispatcher(store, notifier, clock=SystemClock(), senders=16) as dispatcher:
            await asyncio.wait_for(notifier.event.wait(), timeout=30)
            await dispatcher.settle()
        stop.set()
        await monitor
    ids = [notice.alert_id for _, notice in notifier.received]
    return {
        "sent": len(ids),
        "unique": len(set(ids)),
        "all_sent_s": max(t for t, _ in notifier.received) - t0,
        "max_stall_ms": max(gaps) * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=120.0, help="total idle seconds (lone)")
    parser.add_argument(
        "--batch", type=int, default=100_000, help="deadlines per import call (transaction)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.sqlite3"
        built = await build_big_database(big, args.deadlines, batch=args.batch)
        print(
            f"bulk import of {args.deadlines} deadlines, {args.batch} per transaction "
            f"({built['alerts']:.0f} alerts planned): "
            f"{built['import_s']:.2f} s (target < 5 s)"
        )
        size_mb = os.path.getsize(big) / 2**20
        print(f"database size: {size_mb:.0f} MB")
        cold = [cold_start(big) for _ in range(3)]
        best = min(cold, key=lambda c: c["armed_s"])
        print(
            f"cold start to dispatcher armed: {best['armed_s']:.3f} s incl. imports "
            f"({best['armed_after_open_s'] * 1000:.1f} ms after imports); "
            f"peak RSS {max(c['rss_mb'] for c in cold):.1f} MB (targets < 0.5 s, < 64 MB)"
        )
        adds, dones = await add_and_complete(big)
        print(
            f"add one deadline: median {statistics.median(adds):.3f} ms, p99 {pct(adds, 0.99):.3f}"
            f" ms; complete: median {statistics.median(dones):.3f} ms, p99 "
            f"{pct(dones, 0.99):.3f} ms (target median < 1 ms)"
        )
        listing = await list_first_page(big)
        print(
            f"list first page of 5,000 active: median {statistics.median(listing):.3f} ms, "
            f"p99 {pct(listing, 0.99):.3f} ms (target < 10 ms)"
        )
        b = await burst(big, 1000, lead_s=2)
        print(
            f"burst of {b['count']:.0f} alerts at one instant: all handed over within "
            f"{b['max_ms']:.1f} ms of due; lateness p50 {b['p50_ms']:.2f} ms, p99 "
            f"{b['p99_ms']:.2f} ms (targets: all < 50 ms, p99 < 10 ms)"
        )
        lone = await lone_after_idle(big, args.idle)
        print(
            f"lone alert after {args.idle / 5:.0f} s idle: lateness median "
            f"{statistics.median(lone):.2f} ms, max {max(lone):.2f} ms over {len(lone)} "
            "(target p99 < 10 ms)"
        )
        c = await catch_up(big, 5000)
        print(
            f"catch-up of 5,000 missed alerts: {c['sent']:.0f} sent ({c['unique']:.0f} unique) in "
            f"{c['all_sent_s']:.2f} s from start, longest event-loop stall "
            f"{c['max_stall_ms']:.1f} ms (targets < 1 s, no stall > 50 ms)"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(benchmark process peak RSS, including the 100k-row build: {rss:.0f} MB)")


if __name__ == "__main__":
    asyncio.run(main())
