"""Load test: the real bot process against the fake Discord server on loopback.

100,000 active deadlines across 50 guilds; 50 slash commands per second for 60 s (add, list,
status, calc, autocomplete); 2,000 alerts due within one minute. Prints handler times
(interaction written to the gateway -> response received by the fake) per command, alert
lateness (due -> POST at the fake), and the bot process's peak RSS.

Run: python bench/load.py [--rate 50 | --rates 50,100,200,400] [--seconds 60]
[--deadlines 100000] [--alerts 2000]

The offering is open-loop (one interaction per slot whatever the answers) and checks itself:
each stage says how far behind its schedule it dispatched, and "FELL BEHIND" when more than 1%
of interactions went out over 10 ms late. The fake finds each interaction's answer by its exact
path (``FakeDiscord.wait_for_path``): waiters no longer rescan the request log, which capped
the offering at ~90/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from core import new_deadline  # noqa: E402
from fakediscord import FakeDiscord  # noqa: E402

from bot.models import AlertKind, GuildSettings, PlannedAlert  # noqa: E402
from bot.planning import plan_alerts  # noqa: E402
from bot.storage import SqliteStore, parse_ts  # noqa: E402

KINDS = ("add", "list", "status", "calc", "autocomplete")
#: An interaction dispatched this much after its slot counts as the bench falling behind.
LAG_BUDGET_MS = 10.0
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


async def offer(
    fake: FakeDiscord,
    guilds: list[int],
    channels: dict[int, list[int]],
    users: dict[int, Any],
    rate: float,
    seconds: float,
    bot_pid: int,
) -> None:
    """Offer ``rate`` interactions a second for ``seconds`` on an open-loop schedule and print
    handler times per command, and how far the offering itself fell behind its schedule (if
    it did, the figures are the bench's, not the bot's)."""
    loop = asyncio.get_running_loop()
    handler_ms: dict[str, list[float]] = {name: [] for name in KINDS}
    lag_ms: list[float] = []
    dispatch_ms: list[float] = []
    missed = errors = 0

    async def one(n: int, target: float) -> None:
        nonlocal missed, errors
        started = loop.time()
        lag_ms.append((started - target) * 1000)
        gid = guilds[n % len(guilds)]
        user, channel = users[gid], channels[gid][0]
        kind = KINDS[n % len(KINDS)]
        try:
            if kind == "add":
                handle = await fake.send_slash_command(
                    gid, channel, user.id, "deadline add", {"text": f"Load {n}, {1 + n % 60} days"}
                )
            elif kind == "list":
                handle = await fake.send_slash_command(gid, channel, user.id, "deadline list")
            elif kind == "status":
                handle = await fake.send_slash_command(
                    gid, channel, user.id, "deadline status", {"deadline": str(1 + n % 1500)}
                )
            elif kind == "calc":
                handle = await fake.send_slash_command(
                    gid, channel, user.id, "deadline calc", {"text": "20 business days"}
                )
            else:
                handle = await fake.send_autocomplete(
                    gid, channel, user.id, "deadline status", {"deadline": "Dead"}, "deadline"
                )
            sent = loop.time()
            dispatch_ms.append((sent - started) * 1000)
            request = await handle.response_request(timeout=10)
            elapsed = (request.time - sent) * 1000
            handler_ms[kind].append(elapsed)
            if elapsed > 3000:
                missed += 1
        except Exception:
            errors += 1

    tasks = []
    total = int(rate * seconds)
    # The fake's request log and the world grow by thousands of objects a second: with the
    # collector on, its passes over them stalled the offering by up to 125 ms (measured at
    # 400/s). The bench and the fake make little cyclic garbage: collect between stages.
    gc.collect()
    gc.freeze()
    gc.disable()
    bot_cpu, bench_cpu = _cpu_seconds(bot_pid), time.process_time()
    pauses = _gc_pauses()
    begin = loop.time()
    for n in range(total):
        target = begin + n / rate
        delay = target - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, target)))
    await asyncio.gather(*tasks)
    took = loop.time() - begin
    # The rate achieved: from the first slot to the last start (tasks start in order).
    span = (total - 1) / rate + lag_ms[-1] / 1000 if total > 1 else 1.0
    bot_share = (_cpu_seconds(bot_pid) - bot_cpu) / took * 100
    bench_share = (time.process_time() - bench_cpu) / took * 100
    every = [v for values in handler_ms.values() for v in values]
    behind = sum(1 for v in lag_ms if v > LAG_BUDGET_MS)
    print(
        f"{total} interactions offered at {rate:.0f}/s (achieved {(total - 1) / span:.0f}/s): "
        f"handler time p50 {statistics.median(every):.1f} ms, p99 {pct(every, 0.99):.1f} ms, "
        f"max {max(every):.1f} ms; over 3 s: {missed}; errors: {errors}"
    )
    print(
        "  " + "; ".join(
            f"{name} p50 {statistics.median(v):.1f} / p99 {pct(v, 0.99):.1f} ms"
            for name, v in handler_ms.items() if v
        )
    )  # fmt: skip
    verdict = (
        f"FELL BEHIND its schedule: {behind} of {total} sent over {LAG_BUDGET_MS:.0f} ms late"
        if behind > total // 100
        else "on schedule"
    )
    print(
        f"  offering: lag behind schedule p50 {statistics.median(lag_ms):.1f} ms, "
        f"p99 {pct(lag_ms, 0.99):.1f} ms, max {max(lag_ms):.1f} ms: {verdict}"
    )
    print(
        f"  gateway write of each interaction p50 {statistics.median(dispatch_ms):.1f} ms, "
        f"p99 {pct(dispatch_ms, 0.99):.1f} ms (grows when the bot stops reading its gateway); "
        f"CPU: bot {bot_share:.0f}%, bench + fake {bench_share:.0f}% of one core; "
        f"bench GC pauses: {len(pauses)}, longest {max(pauses, default=0) * 1000:.0f} ms"
    )
    gc.callbacks.clear()
    gc.enable()


def _gc_pauses() -> list[float]:
    """Collect the bench process's garbage-collection pauses (seconds) from now on."""
    pauses: list[float] = []
    began = [0.0]

    def track(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - began[0])

    gc.callbacks.append(track)
    return pauses


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        help="stages one after the other against the same bot, e.g. 50,100,200,400",
    )
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

            for rate in args.rates or [args.rate]:
                await offer(fake, guilds, channels, users, rate, args.seconds, bot.pid)
                await asyncio.sleep(2)  # let the last stage's stragglers drain

            if args.alerts:
                # Wait for the alert minute to pass, then measure lateness from the fake's log.
                uri = f"file:{database}?mode=ro"
                with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
                    due_rows = conn.execute(
                        "SELECT id, send_at FROM alerts"
                        " WHERE days_before = 30 AND kind = 'reminder'"
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


if __name__ == "__main__":
    asyncio.run(main())
