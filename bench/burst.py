"""The 09:00 burst against Discord's rate limits: the real bot process, the fake Discord with
its rate limits on (50 requests/s per bot, 5 messages per 5 s per channel, as
fakediscord/ratelimits.py models developers/topics/rate-limits.mdx).

--alerts reminders (default 1,700, what 100,000 deadlines put at one instant) fall due at the
same second in --channels channels (default 200, in 20 servers), on top of --deadlines
background deadlines. Prints how long the burst took to post (due -> last alert message at the
fake), lateness percentiles, messages posted, and the 429s the fake gave (global / per channel).

Each run is made with the alerts of one instant in one channel grouped (`alerts_per_message`
5, the default) and with one message per alert (1), alternately, --runs times each, a fresh
bot and database each time; the summary gives the medians and their ratio.

Run: python bench/burst.py [--alerts 1700] [--channels 200] [--deadlines 10000] [--runs 3]
     [--per-message 5,1] [--no-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from core import new_deadline  # noqa: E402
from fakediscord import FakeDiscord, RateLimits  # noqa: E402
from load import TOKEN, pct  # noqa: E402

from bot.models import AlertKind, GuildSettings, PlannedAlert  # noqa: E402
from bot.planning import plan_alerts  # noqa: E402
from bot.storage import SqliteStore, parse_ts  # noqa: E402

GUILDS = 20


async def build(
    path: Path, channels: list[tuple[int, int]], due: dt.datetime, args: argparse.Namespace
) -> None:
    now = dt.datetime.now(dt.UTC)
    batch = []
    for n in range(args.deadlines):
        guild, channel = channels[n % len(channels)]
        new = new_deadline(guild, n, now + dt.timedelta(days=8 + n % 300, minutes=n % 1440), now)
        new = dataclasses.replace(new, channel_id=channel)
        batch.append((new, plan_alerts(new, GuildSettings(guild_id=guild), now=now)))
    for n in range(args.alerts):
        guild, channel = channels[n % len(channels)]
        new = new_deadline(guild, 900_000 + n, due + dt.timedelta(days=1), now)
        new = dataclasses.replace(new, channel_id=channel)
        batch.append((new, [PlannedAlert(AlertKind.REMINDER, due, days_before=1)]))
    async with SqliteStore.open(path) as store:
        for start in range(0, len(batch), 20_000):
            async with store.transaction() as tx:
                await tx.insert_deadlines(batch[start : start + 20_000])


@dataclasses.dataclass
class Run:
    per_message: int
    posted: int
    wanted: int
    took_s: float  # due -> the last alert posted
    messages: int
    p50_s: float
    p99_s: float
    limited: int
    hits: dict[str, int]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=1700)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=25, help="s from start to the burst")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--no-limits", action="store_true", help="the fake without rate limits")
    parser.add_argument("--log-level", default="ERROR", help="the bot's (stderr)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each setting")
    parser.add_argument(
        "--per-message", default="5,1", help="alerts_per_message settings to compare"
    )
    args = parser.parse_args()
    settings = [int(part) for part in args.per_message.split(",")]
    runs: list[Run] = []
    for n in range(args.runs):
        for per_message in settings:  # alternately, so the machine's load falls on both
            run = await one_run(args, per_message)
            runs.append(run)
            print(
                f"run {n + 1} alerts_per_message={per_message}: {run.posted}/{run.wanted} "
                f"alerts posted in {run.took_s:.1f} s in {run.messages} messages; lateness p50 "
                f"{run.p50_s:.1f} s, p99 {run.p99_s:.1f} s; 429s: {run.limited} {run.hits}",
                flush=True,
            )
    medians = {}
    for per_message in settings:
        mine = [r for r in runs if r.per_message == per_message]
        medians[per_message] = statistics.median(r.took_s for r in mine)
        print(
            f"alerts_per_message={per_message}: median {medians[per_message]:.1f} s "
            f"(runs {', '.join(f'{r.took_s:.1f}' for r in mine)}), messages "
            f"{statistics.median(r.messages for r in mine):.0f}, every alert posted: "
            f"{all(r.posted == r.wanted for r in mine)}, 429s: {sum(r.limited for r in mine)}"
        )
    if len(settings) == 2 and medians[settings[0]] > 0:
        first, second = settings
        print(
            f"ratio: alerts_per_message={second} takes {medians[second] / medians[first]:.1f}x "
            f"as long as alerts_per_message={first}"
        )


async def one_run(args: argparse.Namespace, per_message: int) -> Run:
    loop = asyncio.get_running_loop()
    wall_offset = time.time() - loop.time()
    limits = None if args.no_limits else RateLimits()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord(rate_limits=limits, fail_on_refusals=True) as fake:
            per_guild = args.channels // GUILDS
            channels: list[tuple[int, int]] = []
            for g in range(GUILDS):
                names = [f"desk{c}" for c in range(per_guild)]
                guild = fake.add_guild(f"Newsroom {g}", channels=names)
                channels += [(int(guild.id), int(guild.channel_id(name))) for name in names]
            database = Path(tmp) / "burst.sqlite3"
            due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.delay)).replace(
                microsecond=0
            )
            await build(database, channels, due, args)
            config = Path(tmp) / "config.toml"
            config.write_text(
                f'[discord]\napi_base_url = "{fake.api_base_url}"\n'
                f'gateway_url = "{fake.gateway_url}"\n'
                f"alerts_per_message = {per_message}\n"
                f'[database]\npath = "{database}"\n[logging]\nlevel = "{args.log_level}"\n',
                encoding="utf-8",
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
            env["DISCORD_TOKEN"] = TOKEN
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env
            )
            uri = f"file:{database}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
                rows = conn.execute("SELECT id, send_at FROM alerts").fetchall()
            # The burst's alerts: those due at its instant (the others are days away).
            wanted = {
                f"dda{alert_id}": parse_ts(send_at)
                for alert_id, send_at in rows
                if parse_ts(send_at) <= due
            }
            await fake.wait_for_gateway(0, event="READY", direction="out", timeout=120)
            if dt.datetime.now(dt.UTC) > due:
                print("the bot was up after the burst's time: raise --delay")
            posted: dict[str, float] = {}
            seen = 0
            give_up = loop.time() + args.delay + args.timeout
            report_at = loop.time() + 10
            while len(posted) < len(wanted) and loop.time() < give_up:
                await asyncio.sleep(0.5)
                for request in fake.requests[seen:]:
                    body = request.json if isinstance(request.json, dict) else {}
                    if request.ok and request.matches("POST", r"/channels/\d+/messages"):
                        for ref in _refs(body, wanted):
                            posted.setdefault(ref, request.time + wall_offset)
                seen = len(fake.requests)
                if loop.time() >= report_at:
                    report_at += 10
                    late = (dt.datetime.now(dt.UTC) - due).total_seconds()
                    print(f"  {late:5.0f} s after the burst: {len(posted)} posted", flush=True)
            lateness = [(at - wanted[ref].timestamp()) * 1000 for ref, at in posted.items()]
            messages = sum(
                1 for r in fake.requests if r.ok and r.matches("POST", r"/channels/\d+/messages")
            )
            limited = sum(1 for r in fake.requests if r.status == 429)
            hits = dict(limits.hits) if limits else {}
            bot.terminate()
            await asyncio.wait_for(bot.wait(), timeout=30)
    return Run(
        per_message=per_message,
        posted=len(posted),
        wanted=len(wanted),
        took_s=max(lateness) / 1000,
        messages=messages,
        p50_s=statistics.median(lateness) / 1000,
        p99_s=pct(lateness, 0.99) / 1000,
        limited=limited,
        hits=hits,
    )


def _refs(body: dict[str, object], wanted: dict[str, dt.datetime]) -> list[str]:
    """The alerts a message carries: its nonce, and every ``ref ddaN`` its embeds show."""
    found = []
    nonce = body.get("nonce")
    if isinstance(nonce, str) and nonce in wanted:
        found.append(nonce)
    text = str(body.get("embeds") or "")
    for word in text.replace("'", " ").replace('"', " ").split():
        if word.startswith("dda") and word in wanted and word not in found:
            found.append(word)
    return found


if __name__ == "__main__":
    asyncio.run(main())
