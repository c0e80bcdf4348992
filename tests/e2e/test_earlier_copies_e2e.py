"""Exactly once beyond Discord's nonce window (issue 12.3), end to end: the real notifier reading
a channel's history from the fake Discord (which answers as Discord documents: newest first,
nothing at all without Read Message History), and `python -m bot run` killed after its alert
reached Discord but before it was recorded, restarted once the nonce is forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from bot_process import start_bot, write_config
from fakediscord import FakeDiscord
from fakediscord.world import READ_MESSAGE_HISTORY
from newsroom import Newsroom, open_newsroom

from bot.discord.notifier import HISTORY_READ_LIMIT, DiscordNotifier
from bot.notices import HistoryUnavailable

PAST_DUE = "FOIA appeal, by 2025-07-01"  # overdue at once: its alert goes out when added


async def posted_alert(room: Newsroom) -> dict:  # type: ignore[type-arg]
    """Add a past-due deadline and return the alert message the bot posted for it."""
    await room.command("add", {"text": PAST_DUE, "channel": room.alerts})
    await room.settle()
    (message,) = [m for m in room.fake.messages_in(room.alerts) if m.get("nonce")]
    return message


def long_ago() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


async def test_the_bots_own_alert_is_found_by_its_ref_and_a_lookalike_is_not(
    tmp_path: Path,
) -> None:
    async with open_newsroom(tmp_path) as room:
        alert = await posted_alert(room)
        ref = alert["nonce"]
        assert alert["embeds"][0]["footer"]["text"].endswith(f"ref {ref}")
        # Someone else's message showing the same kind of reference does not count.
        room.fake.world.create_message(
            room.alerts,
            {"embeds": [{"footer": {"text": "Deadline #9 \u00b7 calendar rule \u00b7 ref dda99"}}]},
            author_id=room.alice.id,
        )
        notifier = DiscordNotifier(room.bot)

        found = await notifier.find_posted(
            int(room.guild.id), int(room.alerts), [ref, "dda99"], since=long_ago()
        )

    assert found == {ref: int(alert["id"])}


async def test_without_read_message_history_the_check_says_it_cannot_tell(
    tmp_path: Path,
) -> None:
    async with open_newsroom(tmp_path) as room:
        alert = await posted_alert(room)
        (bot_role,) = [r for r in room.guild.roles.values() if r.name == room.fake.bot.username]
        bot_role.permissions &= ~READ_MESSAGE_HISTORY
        room.guild.roles[room.guild.id].permissions &= ~READ_MESSAGE_HISTORY
        await room.fake.dispatch_guild_create(room.guild.id)  # the bot learns of the change
        await asyncio.sleep(0.2)
        notifier = DiscordNotifier(room.bot)

        with pytest.raises(HistoryUnavailable, match="Read Message History"):
            await notifier.find_posted(
                int(room.guild.id), int(room.alerts), [alert["nonce"]], since=long_ago()
            )


async def test_a_channel_too_busy_to_read_through_is_reported_not_taken_as_empty(
    tmp_path: Path,
) -> None:
    async with open_newsroom(tmp_path) as room:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        for i in range(HISTORY_READ_LIMIT + 1):
            room.fake.world.create_message(room.alerts, {"content": f"chat {i}"},
                                           author_id=room.alice.id)  # fmt: skip
        notifier = DiscordNotifier(room.bot)

        with pytest.raises(HistoryUnavailable, match=f"more than {HISTORY_READ_LIMIT}"):
            await notifier.find_posted(int(room.guild.id), int(room.alerts), ["dda1"], since=since)

        reads = room.fake.requests_to("GET", rf"/channels/{room.alerts}/messages")
        assert len(reads) == HISTORY_READ_LIMIT // 100 + 1  # pages of 100, then no more


async def test_checks_in_one_channel_read_each_message_once(tmp_path: Path) -> None:
    async with open_newsroom(tmp_path) as room:
        first = await posted_alert(room)
        for i in range(250):
            room.fake.world.create_message(room.alerts, {"content": f"chat {i}"},
                                           author_id=room.alice.id)  # fmt: skip
        notifier = DiscordNotifier(room.bot)
        guild, channel = int(room.guild.id), int(room.alerts)

        missing = await notifier.find_posted(guild, channel, ["dda12345"], since=long_ago())
        pages = len(room.fake.requests_to("GET", rf"/channels/{room.alerts}/messages"))
        found = await notifier.find_posted(guild, channel, [first["nonce"]], since=long_ago())
        again = len(room.fake.requests_to("GET", rf"/channels/{room.alerts}/messages"))

    assert missing == {}
    assert found == {first["nonce"]: int(first["id"])}
    assert pages == 3  # 251 messages: three pages
    assert again - pages <= 1  # only what came after the first scan


# -- a real process killed after Discord posted its alert --------------------------------------


@pytest.mark.timeout(120)
async def test_killed_after_the_post_and_back_past_the_nonce_window_posts_nothing_twice(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(nonce_window=0.0) as fake:  # no help from Discord's nonce at all
        guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
        alice = fake.add_user("alice")
        fake.add_member(guild.id, alice)
        alerts = guild.channel_id("alerts")
        config, database = tmp_path / "config.toml", tmp_path / "deadlines.sqlite3"
        write_config(config, fake, guild.id, database)
        # Discord posts the alert, and its answer never comes back.
        hang = fake.fail_next("POST", rf"/channels/{alerts}/messages", 504, handled=True,
                              delay=120)  # fmt: skip

        process = await start_bot(config, tmp_path / "first.log")
        try:
            await fake.wait_for_gateway(0, event="READY", direction="out", timeout=30)
            added = await fake.send_slash_command(
                guild.id, guild.channel_id("general"), alice.id, "deadline add",
                {"text": PAST_DUE, "channel": alerts},
            )  # fmt: skip
            await added.response(timeout=10)
            for _ in range(100):
                if fake.messages_in(alerts):
                    break
                await asyncio.sleep(0.05)
            assert len(fake.messages_in(alerts)) == 1, (tmp_path / "first.log").read_text()
            assert hang.hits == 1
        finally:
            process.send_signal(signal.SIGKILL)  # before its answer: nothing recorded
            await asyncio.wait_for(process.wait(), timeout=10)
        with contextlib.closing(sqlite3.connect(database)) as conn:
            ((unrecorded,),) = conn.execute(
                "SELECT COUNT(*) FROM alerts WHERE sent_at IS NULL AND claimed_at IS NOT NULL"
            ).fetchall()
        assert unrecorded == 1  # the alert is claimed, not marked sent

        log = tmp_path / "second.log"
        process = await start_bot(config, log)
        try:
            await fake.wait_for_gateway(0, event="READY", direction="out", count=2, timeout=30)
            for _ in range(100):
                with contextlib.closing(sqlite3.connect(database)) as conn:
                    ((recorded,),) = conn.execute(
                        "SELECT COUNT(*) FROM alerts WHERE sent_at IS NOT NULL"
                    ).fetchall()
                if recorded:
                    break
                await asyncio.sleep(0.1)
            assert recorded == 1, log.read_text()
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=15) == 0
        messages = fake.messages_in(alerts)
        posts = fake.requests_to("POST", rf"/channels/{alerts}/messages")

    assert len(messages) == 1, [m["embeds"][0]["footer"] for m in messages]
    assert Counter(m["nonce"] for m in messages).most_common(1)[0][1] == 1
    # The first run's post was held unanswered (so never logged); the second sent none: it
    # found the message first.
    assert posts == []
    assert "already posted" in log.read_text()
    assert re.search(r"released 1 alerts claimed when the last run ended", log.read_text())
