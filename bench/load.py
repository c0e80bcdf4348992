"""Load test: the real bot process against the fake Discord server on loopback.

100,000 active deadlines across 50 guilds; 50 slash commands per second for 60 s (add, list,
status, calc, autocomplete); 2,000 alerts due within one minute. Prints handler times
(interaction sent -> response received by the fake), alert lateness (due -> POST at the fake),
and the bot process's peak RSS.

Run: python bench/load.py [--rate 50] [--seconds 60] [--deadlines 100000] [--alerts 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import random
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
from fakediscord import FakeDiscord  # noqa: E402

from bot.models import AlertKind, GuildSettings, PlannedAlert  # noqa: E402
from bot.planning import plan_alerts  # noqa: E402
from bot.storage import SqliteStore, parse_ts  # noqa: E402

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def build(
    path: Path, guilds: list[int], channels: dict[int, list[int]], args: argparse.Namespace
) -> None:
    now = dt.datetime.now(dt.UTC)
    batch = []
    for n in range(args.deadlines):
        guild = guilds[n % len(guilds)]
        new = new_deadline(guild, n, now + dt.timedelta(days=8 + n % 300, minutes=n % 1440), now)
        new = dataclasses.replace(new, channel_id=channels[guild][n % 4])
        batch.append((new, plan_alerts(new, GuildSettings(guild_id=guild), now=now)))
    # The alert minute starts a little after the bot will be up and the load is running.
    minute = (now + dt.timedelta(seconds=args.alert_delay)).replace(second=0, microsecond=0)
    for n in range(args.alerts):
        guild = guilds[n % len(guilds)]
        due = minute + dt.timedelta(seconds=random.uniform(0, 59.9))
        new = new_deadline(guild, 900_000 + n, due + dt.timedelta(days=30), now)
        new = dataclasses.replace(new, channel_id=channels[guild][n % 4])
        batch.append((new, [PlannedAlert(AlertKind.REMINDER, due, days_before=30)]))
    async with SqliteStore.open(path) as store:
        for start in range(0, len(batch), 20_000):
            async with store.transaction() as tx:
                await tx.insert_deadlines(batch[start : start + 20_000])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--alert-delay", type=float, default=150, help="s until the alert minute")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    wall_offset = time.time() - loop.time()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as fake:
            guilds, channels, users = [], {}, {}
            for g in range(50):
                guild = fake.add_guild(f"Newsroom {g}", channels=["general", "a", "b", "c"])
                user = fake.add_user(f"reporter{g}")
                fake.add_member(guild.id, user)
                gid = int(guild.id)
                guilds.append(gid)
                channels[gid] = [int(guild.channel_id(c)) for c in ("general", "a", "b", "c")]
                users[gid] = user
            database = Path(tmp) / "load.sqlite3"
            t0 = time.perf_counter()
            await build(database, guilds, channels, args)
            print(f"built {args.deadlines} deadlines + {args.alerts} alerts in "
                  f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
            config = Path(tmp) / "config.toml"
            config.write_text(
                f'[discord]\napi_base_url = "{fake.api_base_url}"\n'
                f'gateway_url = "{fake.gateway_url}"\n'
                f'[database]\npath = "{database}"\n[logging]\nlevel = "WARNING"\n',
                encoding="utf-8",
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
            env["DISCORD_TOKEN"] = TOKEN
            started = time.perf_counter()
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env
            )
            await fake.wait_for_request(
                "PUT", rf"/applications/{fake.application_id}/commands", timeout=120
            )
            await fake.wait_for_gateway(0, event="READY", direction="out", timeout=120)
            await asyncio.sleep(3)  # guild_ready_timeout: let on_ready pass
            print(f"bot up (commands synced, READY) in {time.perf_counter() - started:.1f} s")

            handler_ms: list[float] = []
            missed = errors = 0

            async def one(n: int) -> None:
                nonlocal missed, errors
                gid = guilds[n % len(guilds)]
                user, channel = users[gid], channels[gid][0]
                kind = n % 5
                try:
                    if kind == 0:
                        handle = await fake.send_slash_command(
                            gid, channel, user.id, "deadline add",
                            {"text": f"Load {n}, {1 + n % 60} days"},
                        )  # fmt: skip
                    elif kind == 1:
                        handle = await fake.send_slash_command(
                            gid, channel, user.id, "deadline list"
                        )
                    elif kind == 2:
                        handle = await fake.send_slash_command(
                            gid,
                            channel,
                            user.id,
                            "deadline status",
                            {"deadline": str(1 + n % 1500)},
                        )
                    elif kind == 3:
                        handle = await fake.send_slash_command(
                            gid, channel, user.id, "deadline calc", {"text": "20 business days"}
                        )
                    else:
                        handle = await fake.send_autocomplete(
                            gid, channel, user.id, "deadline status", {"deadline": "Dead"},
                            "deadline",
                        )  # fmt: skip
                    sent = loop.time()
                    request = await handle.response_request(timeout=10)
                    elapsed = (request.time - sent) * 1000
                    handler_ms.append(elapsed)
                    if elapsed > 3000:
                        missed += 1
                except Exception:
                    errors += 1

            tasks = []
            total = int(args.rate * args.seconds)
            begin = loop.time()
            for n in range(total):
                target = begin + n / args.rate
                await asyncio.sleep(max(0.0, target - loop.time()))
                tasks.append(asyncio.create_task(one(n)))
            await asyncio.gather(*tasks)
            print(
                f"{total} interactions at {args.rate:.0f}/s: handler time p50 "
                f"{statistics.median(handler_ms):.1f} ms, p99 {pct(handler_ms, 0.99):.1f} ms, "
                f"max {max(handler_ms):.1f} ms; over 3 s: {missed}; errors: {errors} "
                "(target p99 < 100 ms, none over 3 s)"
            )

            # Wait for the alert minute to pass, then measure lateness from the fake's log.
            conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            due_rows = conn.execute(
                "SELECT id, send_at FROM alerts WHERE days_before = 30 AND kind = 'reminder'"
            ).fetchall()
            due = {f"dda{alert_id}": parse_ts(send_at) for alert_id, send_at in due_rows}
            last_due = max(due.values())
            wait = (last_due - dt.datetime.now(dt.UTC)).total_seconds() + 10
            if wait > 0:
                await asyncio.sleep(wait)
            posts = [r for r in fake.requests_to("POST", r"/channels/\d+/messages")]
            lateness = []
            seen = set()
            for request in posts:
                nonce = (request.json or {}).get("nonce")
                if nonce in due and nonce not in seen:
                    seen.add(nonce)
                    at = dt.datetime.fromtimestamp(request.time + wall_offset, dt.UTC)
                    lateness.append((at - due[nonce]).total_seconds() * 1000)
            print(
                f"alerts due within one minute: {len(seen)}/{len(due)} delivered; lateness "
                f"p50 {statistics.median(lateness):.1f} ms, p99 {pct(lateness, 0.99):.1f} ms, "
                f"max {max(lateness):.1f} ms (target p99 < 1 s)"
            )
            status = Path(f"/proc/{bot.pid}/status").read_text()
            rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
            print(f"bot process peak RSS: {rss:.0f} MB (target < 200 MB)")
            bot.terminate()
            await asyncio.wait_for(bot.wait(), timeout=15)
            conn.close()


if __name__ == "__main__":
    asyncio.run(main())
