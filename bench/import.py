"""Benchmark the CSV import: a 100,000-row file end to end, and a small import into a big
database against the same into an empty one.

Run: python bench/import.py [--rows 100000] [--big 200000] [--runs 3]

1. `--rows` rows from a file (read, checked, planned, stored with alerts and history) into an
   empty server, through the CLI's path (services.imports.import_sheet), for two sheets: the
   bot's own CSV export format (due dates) and a plain sheet of phrases ("20 business days",
   counted by the engine). The per-server limit of active deadlines (5,000) is lifted in this
   process for it: it is a product rule, not what is measured. Also the real `python -m bot
   import --dry-run` of the export-format file as a subprocess, once.
2. 10 rows into a database holding `--big` deadlines (built with the bulk import, 50
   servers) against 10 rows into an empty one: the bulk path must not read whole tables.

Prints medians over `--runs` runs. Real SQLite files in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

# This checkout's bot, not another one an editable install points to.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock
from bot.deadlines import Rule
from bot.export import csv_table
from bot.models import GuildSettings, NewDeadline
from bot.service import Services
from bot.service import imports as imports_module
from bot.storage import SqliteStore

GUILD = 123456789012345678
NEW_YORK = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[1]


def export_sheet(rows: int) -> bytes:
    """`rows` deadlines as the bot's CSV export writes them (one in ten with a time)."""
    now = dt.datetime.now(dt.UTC)
    stored = [new.stored(n + 1) for n, new in enumerate(deadlines(GUILD, rows, now))]
    return csv_table(stored, GuildSettings(GUILD))


def deadlines(guild_id: int, count: int, now: dt.datetime, *, guilds: int = 1) -> list[NewDeadline]:
    """Deadlines due 8-300 days from now, one in ten at a time of day."""
    news = []
    for n in range(count):
        due = (now + dt.timedelta(days=8 + n % 300)).astimezone(NEW_YORK).date()
        timed = n % 10 == 0
        local = dt.datetime.combine(due, dt.time(17, 0) if timed else dt.time(23, 59, 59), NEW_YORK)
        news.append(
            NewDeadline(
                guild_id=guild_id + n % guilds,
                channel_id=1000 + n % 20,
                title=f"Deadline {n}",
                start=now.date(),
                rule=Rule.CALENDAR,
                calendar="US",
                period="30 days",
                due=due,
                due_at=local.astimezone(dt.UTC),
                has_time=timed,
                explanation=("day 0",),
                created_by=1,
                created_at=now,
                link=f"https://example.org/{n}" if n % 3 else None,
                notes="a note, with a comma" if n % 5 == 0 else None,
            )
        )
    return news


async def build(path: Path, count: int) -> float:
    """A database of `count` deadlines in 50 servers, by the bulk import (with alerts)."""
    news = deadlines(GUILD + 1000, count, dt.datetime.now(dt.UTC), guilds=50)
    started = time.perf_counter()
    async with SqliteStore.open(path) as store:
        imports = Services.over(store, clock=SystemClock()).imports
        for first in range(0, count, 50_000):
            await imports.import_deadlines(news[first : first + 50_000])
    return time.perf_counter() - started


def phrase_sheet(rows: int) -> bytes:
    lines = ["title,text,from,channel"]
    phrases = ("30 days", "20 business days", "2 weeks", "10 working days", "by Dec 31")
    today = dt.datetime.now(NEW_YORK).date()
    for n in range(rows):
        start = today - dt.timedelta(days=n % 200)
        lines.append(f"Request {n},{phrases[n % len(phrases)]},{start},<#{1000 + n % 20}>")
    return ("\r\n".join(lines) + "\r\n").encode()


async def import_once(folder: Path, data: bytes) -> float:
    path = folder / f"import-{time.monotonic_ns()}.sqlite3"
    async with SqliteStore.open(path) as store:
        services = Services.over(store, clock=SystemClock())
        started = time.perf_counter()
        result = await services.imports.import_sheet(GUILD, data, actor=None)
        took = time.perf_counter() - started
    assert result.count > 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return took


async def small_import(path: Path, runs: int) -> float:
    """Median seconds of a 10-row import (one call, one transaction) into `path`."""
    sheet = b"title,due,channel\r\n" + b"".join(
        f"Small {n},2030-01-{n + 1:02d},<#55>\r\n".encode() for n in range(10)
    )
    times = []
    async with SqliteStore.open(path) as store:
        services = Services.over(store, clock=SystemClock())
        for run in range(runs):
            started = time.perf_counter()
            await services.imports.import_sheet(GUILD + 1 + run, sheet, actor=None)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    imports_module.MAX_ACTIVE_PER_GUILD = 10**9  # see the docstring: not what is measured

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in (
            ("export-format sheet", export_sheet(args.rows)),
            ("phrase sheet", phrase_sheet(args.rows)),
        ):
            times = [await import_once(folder, data) for _ in range(args.runs)]
            print(
                f"{args.rows:,} rows, {name} ({len(data) / 2**20:.1f} MB): median "
                f"{statistics.median(times):.2f} s over {args.runs} runs "
                f"({', '.join(f'{t:.2f}' for t in times)}) [target < 10 s]"
            )

        sheet_path = folder / "sheet.csv"
        sheet_path.write_bytes(export_sheet(args.rows))
        database = folder / "cli.sqlite3"
        async with SqliteStore.open(database):
            pass
        config = folder / "desk.toml"
        config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "bot", "import", str(sheet_path), "--guild", str(GUILD),
             "--dry-run", "--config", str(config)],
            capture_output=True, text=True, cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        took = time.perf_counter() - started
        first = (proc.stdout.splitlines() or proc.stderr.splitlines()[-1:] or [""])[0]
        print(f"python -m bot import --dry-run, {args.rows:,} rows: {took:.2f} s ({first[:70]})")

        empty = folder / "empty.sqlite3"
        big = folder / "big.sqlite3"
        build_s = await build(big, args.big)
        empty_s = await small_import(empty, max(args.runs, 5))
        big_s = await small_import(big, max(args.runs, 5))
        print(
            f"10 rows into an empty database: median {empty_s * 1000:.1f} ms; into one of "
            f"{args.big:,} deadlines (built in {build_s:.1f} s): {big_s * 1000:.1f} ms; "
            f"ratio {big_s / empty_s:.2f} [target: about 1]"
        )


if __name__ == "__main__":
    asyncio.run(main())
