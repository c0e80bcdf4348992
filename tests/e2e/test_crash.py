"""Crashes and a hostile machine: `python -m bot run` killed with SIGKILL again and again while
deadlines are added and alerts go out; the database locked by another process; the clock
jumping. Afterwards nothing acknowledged is lost, nothing is posted twice, the file is intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import os
import random
import re
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bot_process import start_bot, write_config
from fakediscord import FakeDiscord, FakeDiscordTimeout, InteractionHandle
from fakediscord.world import FakeGuild, FakeUser
from newsroom import desk_options, running_desk
from support import START, FakeClock, hold_exclusive_lock

from bot.discord.notifier import POST_RATE

NEW_YORK = ZoneInfo("America/New_York")
EPHEMERAL = 64
CYCLES = 20
# One deadline's alert (dda, or ddf in the default channel), or several deadlines' (ddg).
ALERT_NONCE = re.compile(r"dd[af]\d+|ddg[0-9a-f]{16}")
FOOTER = re.compile(r"Deadline #(\d+) \u00b7 .* \u00b7 ref (dd[af]\d+)")


# -- helpers ----------------------------------------------------------------------------------


def read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)


def integrity(database: Path) -> list[str]:
    with contextlib.closing(read_only(database)) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def deadlines_of(message: dict[str, Any]) -> list[int]:
    """The deadlines an alert message is about (from its Mark done buttons, a row each)."""
    return [
        int(found[1])
        for row in message.get("components") or []
        for component in row.get("components") or []
        if (found := re.fullmatch(r"dd:done:\d+:(\d+)", component.get("custom_id", "")))
    ]


def alerts_shown(message: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(deadline, embed title, ref) of every alert a message shows (one embed each)."""
    shown = []
    for embed in message.get("embeds") or []:
        found = FOOTER.fullmatch((embed.get("footer") or {}).get("text", ""))
        if found:
            shown.append((int(found[1]), embed.get("title", ""), found[2]))
    return shown


@dataclass
class Added:
    """One `/deadline add` the test sent, and what became of it."""

    title: str
    handle: InteractionHandle
    due_at: dt.datetime | None = None  # for timed deadlines; None: past due when added

    def acknowledged(self, fake: FakeDiscord) -> tuple[int, str] | None:
        """(deadline id, title) if the bot's reply reached Discord, else None."""
        if self.handle.response_type is None:
            return None
        (reply,) = [
            r.json
            for r in fake.requests_to("POST", rf"/interactions/{self.handle.id}/.*/callback")
            if r.ok
        ]
        embeds = reply["data"].get("embeds")
        assert embeds, f"add of {self.title!r} was answered without an embed: {reply}"
        match = re.fullmatch(r"#(\d+) (.*)", embeds[0]["title"])
        assert match, embeds[0]["title"]
        return int(match[1]), match[2]


@dataclass
class Crashes:
    fake: FakeDiscord
    guild: FakeGuild
    alice: FakeUser
    config: Path
    database: Path
    logs: Path
    added: list[Added] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def alerts(self) -> str:
        return self.guild.channel_id("alerts")

    async def keep_adding(self) -> None:
        """Add deadlines one after another until cancelled (the bot is killed meanwhile)."""
        while True:
            n = next(self.counter)
            title, text, due_at = f"Old request {n}", f"Old request {n}, by 2025-01-02", None
            now = dt.datetime.now(NEW_YORK)
            boundary = (now + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
            if 4 < (boundary - now).total_seconds() < 20 and not any(
                a.due_at == boundary for a in self.added
            ):
                # Due in a few seconds: its overdue alert comes due while bots are killed.
                title = f"Soon request {n}"
                text = f"{title}, by {boundary:%Y-%m-%d %H:%M}"
                due_at = boundary
            handle = await self.fake.send_slash_command(
                self.guild.id, self.alerts, self.alice.id, "deadline add",
                {"text": text, "channel": self.alerts},
            )  # fmt: skip
            self.added.append(Added(title, handle, due_at))
            with contextlib.suppress(FakeDiscordTimeout):
                await handle.response(timeout=5)

    async def wait_ready(self, process: asyncio.subprocess.Process, readies: int) -> bool:
        """Wait for the process's READY; False if it died first."""
        ready = asyncio.ensure_future(
            self.fake.wait_for_gateway(0, event="READY", direction="out", count=readies + 1,
                                       timeout=40)
        )  # fmt: skip
        died = asyncio.ensure_future(process.wait())
        done, _ = await asyncio.wait({ready, died}, return_when=asyncio.FIRST_COMPLETED)
        for task in (ready, died):
            task.cancel()
        if ready in done:
            ready.result()
            return True
        return False


def readies(fake: FakeDiscord) -> int:
    return len([f for f in fake.gateway_frames if f.direction == "out" and f.event == "READY"])


@pytest.fixture
async def crashes(tmp_path: Path) -> AsyncIterator[Crashes]:
    # Discord's nonce gives no help here (forgotten at once): a killed bot's alert that was
    # posted but not recorded must be found in the channel by the next run (issue 12.3).
    async with FakeDiscord(nonce_window=0.0) as fake:
        guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
        alice = fake.add_user("alice")
        fake.add_member(guild.id, alice)
        config = tmp_path / "config.toml"
        database = tmp_path / "data" / "deadlines.sqlite3"
        write_config(config, fake, guild.id, database)
        logs = tmp_path / "logs"
        logs.mkdir()
        yield Crashes(fake, guild, alice, config, database, logs)


# -- SIGKILL ----------------------------------------------------------------------------------


@pytest.mark.timeout(420)  # posts are paced at 40/s (Discord's global limit): ~31 s of its wait
async def test_sigkill_at_random_points_loses_nothing_acknowledged_and_posts_nothing_twice(
    crashes: Crashes,
) -> None:
    fake = crashes.fake
    rng = random.Random(os.environ.get("CRASH_SEED") or time.time_ns())
    kills_during_startup = kills_while_adding = 0
    for cycle in range(CYCLES):
        log = crashes.logs / f"cycle-{cycle:02d}.log"
        before = readies(fake)
        process = await start_bot(crashes.config, log)
        adder: asyncio.Task[None] | None = None
        try:
            if cycle % 5 == 4:
                # Now and then in the middle of starting up: migrations, releasing claims,
                # syncing commands.
                await asyncio.sleep(rng.uniform(0.2, 1.2))
                kills_during_startup += 1
            else:
                assert await crashes.wait_ready(process, before), log.read_text()
                adder = asyncio.create_task(crashes.keep_adding())
                await asyncio.sleep(rng.uniform(0.0, 1.5))
                kills_while_adding += 1
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(process.wait(), timeout=10)
            if adder is not None:
                adder.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await adder
        assert process.returncode == -signal.SIGKILL, log.read_text()
    assert kills_while_adding >= 15

    acknowledged = {}
    for added in crashes.added:
        ack = added.acknowledged(fake)
        if ack is not None:
            acknowledged[ack[0]] = ack[1]
    assert len(acknowledged) >= 10, "the bots were killed before doing anything"
    # Timed deadlines must have come due before the final check.
    last_due = max((a.due_at for a in crashes.added if a.due_at), default=None)
    if last_due is not None:
        await asyncio.sleep(max(0.0, (last_due - dt.datetime.now(NEW_YORK)).total_seconds()))

    # A clean start after the last crash: it catches up on everything that came due.
    final_log = crashes.logs / "final.log"
    before = readies(fake)
    process = await start_bot(crashes.config, final_log)
    try:
        assert await crashes.wait_ready(process, before), final_log.read_text()
        listed = await fake.send_slash_command(
            crashes.guild.id, crashes.alerts, crashes.alice.id, "deadline list", {"show": "all"}
        )
        footer = (await listed.response(timeout=10))["data"]["embeds"][0]["footer"]["text"]
        with contextlib.closing(read_only(crashes.database)) as conn:
            stored = dict(conn.execute("SELECT id, title FROM deadlines").fetchall())
        assert footer.endswith(f"{len(stored)} in all")
        # Every acknowledged deadline is there, under the id and title the reply showed.
        missing = {i: t for i, t in acknowledged.items() if stored.get(i) != t}
        assert not missing, f"acknowledged but lost: {missing}"

        # Every alert that came due is delivered: one OVERDUE alert per deadline (messages
        # of one instant carry up to five deadlines' alerts, an embed each).
        async def delivered() -> set[int]:
            return {
                d
                for m in fake.messages_in(crashes.alerts)
                for d, title, _ in alerts_shown(m)
                if "OVERDUE" in title
            }

        # The catch-up posts one message per deadline, paced under Discord's global limit
        # (bot/discord/notifier.py: 40 a second after the first 5): a thousand take 25 s.
        for _ in range(int((30 + len(stored) / POST_RATE) * 10)):
            if await delivered() >= set(stored):
                break
            await asyncio.sleep(0.1)
        assert set(stored) - await delivered() == set(), "due alerts never delivered"
        with contextlib.closing(read_only(crashes.database)) as conn:
            unsent = conn.execute(
                "SELECT COUNT(*) FROM alerts WHERE sent_at IS NULL AND failed_at IS NULL "
                "AND next_attempt_at <= ?",
                ((time.time_ns() // 1000) - 2_000_000,),
            ).fetchone()[0]
            failed = conn.execute(
                "SELECT COUNT(*) FROM alerts WHERE failed_at IS NOT NULL"
            ).fetchone()[0]
            found = conn.execute(
                "SELECT COUNT(*) FROM history WHERE action = 'alert already posted'"
            ).fetchone()[0]
        assert unsent == 0
        assert failed == 0
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=15)
    assert code == 0, final_log.read_text()
    assert "Traceback" not in final_log.read_text()
    assert integrity(crashes.database) == ["ok"]

    # Nothing posted twice: at most one message per nonce, each alert's ref shown once, one
    # OVERDUE alert per deadline.
    messages = [m for m in fake.messages_in(crashes.alerts) if deadlines_of(m)]
    nonces = Counter(m.get("nonce") for m in messages)
    assert all(nonce and ALERT_NONCE.fullmatch(nonce) for nonce in nonces), nonces
    assert [n for n, count in nonces.items() if count > 1] == []
    refs = Counter(ref for m in messages for _, _, ref in alerts_shown(m))
    assert [r for r, count in refs.items() if count > 1] == []
    per_deadline = Counter(
        d for m in messages for d, title, _ in alerts_shown(m) if "OVERDUE" in title
    )
    assert [d for d, count in per_deadline.items() if count > 1] == []
    grouped = sum(1 for m in messages if len(alerts_shown(m)) > 1)
    # How often a killed bot had posted an alert without recording it: the next run found
    # it in the channel (`found`), or sent it again with the same nonce (dropped, within
    # Discord's window; this fake forgets nonces at once, so a resend here is a repeat).
    posts = fake.requests_to("POST", rf"/channels/{crashes.alerts}/messages")
    first_seen: dict[str, float] = {}
    resends = []
    for post in posts:
        nonce = post.json.get("nonce")
        if nonce in first_seen:
            resends.append(post.time - first_seen[nonce])
        else:
            first_seen[nonce] = post.time
    print(
        f"\ncrash test: {CYCLES} kills ({kills_during_startup} during start-up), "
        f"{len(crashes.added)} adds sent, {len(acknowledged)} acknowledged, {len(stored)} "
        f"stored, {len(messages)} alert messages ({grouped} of several deadlines, "
        f"{sum(refs.values())} alerts), {len(posts)} posts, {found} found already posted "
        f"after a kill, {len(resends)} resent nonces"
    )


# -- the database locked by another process -------------------------------------------------


@pytest.mark.parametrize("held", [1.5, 3.5])
async def test_a_command_while_another_process_locks_the_database_is_answered_in_time(
    tmp_path: Path, held: float
) -> None:
    database = tmp_path / "deadlines.sqlite3"
    # Discord forgets an interaction not answered within 3 s (10062 Unknown interaction).
    async with FakeDiscord(interaction_deadline=3.0) as fake:
        guild = fake.add_guild("Newsroom", channels=["general"])
        alice = fake.add_user("alice")
        fake.add_member(guild.id, alice)
        general = guild.channel_id("general")
        async with running_desk(fake, desk_options(database, FakeClock(START), [guild.id])):
            locked = threading.Event()
            holder = threading.Thread(
                target=hold_exclusive_lock, args=(database, held, locked), daemon=True
            )
            holder.start()
            assert await asyncio.to_thread(locked.wait, 5)
            handle = await fake.send_slash_command(
                guild.id, general, alice.id, "deadline add",
                {"text": "Bondi letter, 30 days", "from": "2025-07-17"},
            )  # fmt: skip
            first = await handle.response_request(timeout=15)
            await asyncio.to_thread(holder.join, 10)
            took = first.time - handle.record.created  # both on the monotonic clock
            answer: dict[str, Any] = dict(first.json or {})
            if answer.get("type") == 5 and first.ok:  # deferred: the real answer follows
                answer = {"data": await handle.followup(timeout=10)}
            data = answer.get("data") or {}
            content = data.get("content") or ""
            # Once the lock is gone, everything works and nothing was half-written.
            handle = await fake.send_slash_command(
                guild.id, general, alice.id, "deadline list", {"show": "all"}
            )
            listed = (await handle.response(timeout=10))["data"]["embeds"][0]
            stored = listed.get("footer", {}).get("text", "0 in all").split(" \u00b7 ")[-1]
            shown = content or [e.get("title") for e in data.get("embeds") or []]
            print(
                f"\nlock held {held} s: first callback after {took:.2f} s, type "
                f"{first.json.get('type')} -> HTTP {first.status}; the answer: {shown}; "
                f"stored afterwards: {stored}"
            )
            assert integrity(database) == ["ok"]
            assert first.ok, (
                f"the bot answered after {took:.2f} s ({first.status} {first.response}): "
                f"Discord had already dropped the interaction; the deadline was stored anyway "
                f"({stored})"
            )
            if "database is busy" in content:
                assert data["flags"] & EPHEMERAL
                assert stored == "0 in all"
            else:
                assert data["embeds"][0]["title"] == "#1 Bondi letter", data
                assert stored == "1 in all"
    assert integrity(database) == ["ok"]


# -- the clock jumps --------------------------------------------------------------------------


async def test_clock_jumping_forward_a_day_and_back_an_hour_posts_each_alert_at_most_once(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
        alice = fake.add_user("alice")
        fake.add_member(guild.id, alice)
        general, alerts = guild.channel_id("general"), guild.channel_id("alerts")
        clock = FakeClock(START)  # Thu 2025-07-17 08:00 in New York
        options = desk_options(tmp_path / "deadlines.sqlite3", clock, [guild.id])
        async with running_desk(fake, options) as desk:
            for text in (
                "Old request, by 2025-07-01",  # overdue already: an alert now, then daily
                "Soon request, by 2025-07-18",  # reminder Thu 09:00, due today Fri 09:00
                "Bondi letter, 30 days",  # nothing for weeks
            ):
                handle = await fake.send_slash_command(
                    guild.id, general, alice.id, "deadline add",
                    {"text": text, "channel": alerts},
                )  # fmt: skip
                await handle.response(timeout=10)
            await desk.dispatcher.settle()
            assert [deadlines_of(m) for m in fake.messages_in(alerts)] == [[1]]

            async def step(at: dt.datetime) -> list[int]:
                """Set the clock; the deadlines alerted (sorted) by the messages this caused."""
                before = len(fake.messages_in(alerts))
                clock.set(at)
                await desk.dispatcher.settle()
                return sorted(d for m in fake.messages_in(alerts)[before:] for d in deadlines_of(m))

            day_later = START + dt.timedelta(days=1)  # Fri 08:00: Thu's reminder was missed
            assert await step(day_later) == [2]
            assert await step(day_later - dt.timedelta(hours=1)) == []  # back an hour
            assert await step(day_later) == []
            assert await step(day_later - dt.timedelta(hours=1)) == []
            nine = dt.datetime(2025, 7, 18, 13, 0, tzinfo=dt.UTC)  # Fri 09:00 New York
            assert await step(nine) == [1, 2]  # the next overdue alert; due today
            assert await step(nine - dt.timedelta(hours=1)) == []
            assert await step(nine + dt.timedelta(minutes=5)) == []
            assert await step(nine + dt.timedelta(days=1)) == [1, 2]  # Sat: both overdue
            assert await step(nine + dt.timedelta(days=1, hours=-1)) == []
            assert await step(nine + dt.timedelta(days=1)) == []
            messages = [m for m in fake.messages_in(alerts) if deadlines_of(m)]
            nonces = Counter(m["nonce"] for m in messages)
            assert len(nonces) == len(messages)
            # Six alerts, each shown once; those of one instant (Fri and Sat 09:00) together.
            refs = Counter(ref for m in messages for _, _, ref in alerts_shown(m))
            assert len(refs) == sum(refs.values()) == 6
            assert [len(alerts_shown(m)) for m in messages] == [1, 1, 2, 2]
