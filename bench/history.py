"""Benchmark what may not grow with the past: start-up, the heartbeat's counts, autocomplete,
`list`, and the digest re-check, at a given number of deadlines plus one server with 5,000
active and 100,000 done deadlines.

Run: PYTHONPATH=. python bench/history.py [--deadlines 100000] [--runs 50] [--keep DIR]

The database is built with the bulk import (bench/core.build_big_database: `--deadlines` in 500
servers, with their planned alerts and history), then the history server (5,000 active and
`--done` done) is added, and most of the alerts ever planned are marked sent, as they would
be after years. With `--keep DIR` the built file is kept there and reused by the next run
(of this or another checkout: it is migrated when opened).

Prints medians and p99s over `--runs` runs. Real SQLite files; nothing is mocked.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

# This checkout's bot, not another one an editable install points to.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from core import build_big_database, new_deadline, pct

from bot.clock import SystemClock
from bot.models import GuildSettings
from bot.scheduling import PeriodicJobs
from bot.service import Services
from bot.storage import SqliteStore

UTC = dt.UTC
HISTORY_GUILD = 4242


async def build(path: Path, count: int, done: int) -> None:
    t0 = time.perf_counter()
    built = await build_big_database(path, count, batch=100_000, guilds=500)
    print(
        f"bulk import of {count} deadlines in 100,000-row transactions "
        f"({built['alerts']:.0f} alerts): {built['import_s']:.1f} s"
    )
    now = dt.datetime.now(UTC)
    async with SqliteStore.open(path) as store, store.transaction() as tx:
        await tx.insert_deadlines(
            [
                (new_deadline(HISTORY_GUILD, n, now + dt.timedelta(days=1 + n % 400), now), [])
                for n in range(5000 + done)
            ]
        )
    raw = sqlite3.connect(path)
    with raw:
        # Years of history: the first `done` of the server are done, and of every alert ever
        # planned all but the last few thousand were sent.
        raw.execute(
            "UPDATE deadlines SET status = 'done' WHERE guild_id = ? AND id <= ?",
            (HISTORY_GUILD, done),
        )
        raw.execute(
            "UPDATE alerts SET sent_at = send_at, message_id = id "
            "WHERE id <= (SELECT MAX(id) FROM alerts) - 5000"
        )
    raw.close()
    print(f"built {count} + {5000 + done} deadlines in {time.perf_counter() - t0:.1f} s")


COLD_START = """
import asyncio, json, sys, time
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
        if hasattr(store, "check_at_start"):
            checked = (await store.check_at_start()).checked
        else:
            await store.check_integrity()
            checked = True
        t2 = time.perf_counter()
        async with Dispatcher(store, Null(), clock=SystemClock()) as dispatcher:
            while dispatcher.armed_at is None:
                await asyncio.sleep(0.001)
            t3 = time.perf_counter()
        if hasattr(store, "mark_clean_stop"):
            await store.mark_clean_stop()
    print(json.dumps({"ready_s": t3 - t0, "open_s": t1 - t0, "check_s": t2 - t1,
                      "dispatcher_s": t3 - t2, "checked": checked}))

asyncio.run(main())
"""


def cold_start(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", COLD_START, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def timed(runs: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await call()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def line(name: str, times: list[float]) -> None:
    print(f"{name}: median {statistics.median(times):.2f} ms, p99 {pct(times, 0.99):.2f} ms")


class NoDispatcher:
    def wake(self) -> None:
        pass


async def measure(path: Path, runs: int) -> None:
    # Start-up: the first run after the build is not after a clean stop (the build's
    # processes did not mark one); the next ones are.
    starts = [cold_start(path) for _ in range(4)]
    for n, s in enumerate(starts):
        print(
            f"start {n + 1}: exec to dispatcher armed {s['ready_s']:.3f} s (open "
            f"{s['open_s']:.3f}, integrity {'checked' if s['checked'] else 'not needed'} "
            f"{s['check_s']:.3f}, dispatcher {s['dispatcher_s']:.3f})"
        )
    async with SqliteStore.open(path) as store:
        services = Services.over(store, clock=SystemClock())

        async def release() -> None:
            async with store.transaction() as tx:
                await tx.release_claims()

        line("release_claims at start", await timed(runs, release))

        async def counts() -> None:
            async with store.transaction() as tx:
                await tx.count_by_status()

        line("heartbeat count_by_status", await timed(runs, counts))

        deadlines = services.deadlines
        auto: list[float] = []
        for text in ("Dead", "Deadline 10", "line 4", "zzz", "#12"):
            auto += await timed(runs, lambda t=text: deadlines.search(HISTORY_GUILD, t))  # type: ignore[misc]
        line("autocomplete in the 5k active + 100k done server", auto)
        for show in ("active", "overdue", "done", "all"):
            times: list[float] = []
            for page in (1, 2, 5):
                times += await timed(
                    runs,
                    lambda s=show, p=page: deadlines.page(HISTORY_GUILD, show=s, page=p),  # type: ignore[misc]
                )
            line(f"list show:{show} (pages 1, 2, 5)", times)

        async with store.transaction() as tx:
            now = dt.datetime.now(UTC)
            for guild in range(1, 5001):
                await tx.put_settings(
                    GuildSettings(
                        guild_id=900_000 + guild,
                        default_channel_id=1,
                        digest_enabled=True,
                        timezone="America/New_York",
                    ),
                    now=now,
                )
        jobs = PeriodicJobs(store, NoDispatcher(), clock=SystemClock())  # type: ignore[arg-type]
        jobs.scheduler.start()
        try:
            await jobs.refresh_digests()  # the first builds every job
            line(
                "digest re-check with 5,000 digest servers (unchanged)",
                await timed(max(5, runs // 5), jobs.refresh_digests),
            )
        finally:
            jobs.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)
        async with store.transaction() as tx:
            await tx._conn.execute("DELETE FROM guild_settings WHERE guild_id > 900000")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--done", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the database in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        name = f"history-{args.deadlines}-{args.done}.sqlite3"
        path = Path(tmp) / name
        kept = args.keep / name if args.keep else None
        if kept is not None and kept.exists():
            shutil.copyfile(kept, path)
        else:
            await build(path, args.deadlines, args.done)
            if kept is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, kept)
        print(f"database: {path.stat().st_size / 2**20:.0f} MB")
        await measure(path, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
