"""A burst of alerts against Discord's rate limits (the fake's model of them, on here): every
alert is posted once and recorded with its message, and the notifier keeps under the global
limit itself instead of learning of it from 429s, which Discord counts towards banning a bot
(10,000 invalid requests per 10 minutes).

Before the pace: the notifier alone, 120 posts at once were answered with 94 global 429s
(discord.py waited and retried them). The desk in the tests' one event loop, fake included,
is too slow to reach 50 a second: its test is about exactly once under the limits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import discord
import pytest
from fakediscord import FakeDiscord, RateLimits, running_client
from newsroom import open_newsroom

from bot.discord.notifier import DiscordNotifier

CHANNELS = [f"desk{n}" for n in range(12)]
PER_CHANNEL = 5  # within a channel's bucket: the global limit is what this is about
SEVEN_DAYS_BEFORE = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # of a 30-day deadline


@pytest.mark.parametrize("per_message", [5, 1])
async def test_sixty_alerts_at_one_instant_keep_under_the_global_limit(
    tmp_path: Path, per_message: int
) -> None:
    """Five alerts at one instant in each of 12 channels: one message a channel (the five
    deadlines together), or with `alerts_per_message = 1` one message an alert, paced."""
    limits = RateLimits()
    async with open_newsroom(
        tmp_path, channels=["general", "alerts", *CHANNELS], alerts_per_message=per_message
    ) as room:
        for name in CHANNELS:
            for n in range(PER_CHANNEL):
                channel = room.channel(name)
                reply = await room.command(
                    "add", {"text": f"Letter {n}, 30 days", "channel": channel}
                )
                assert reply["type"] == 4
        room.fake.rest.rate_limits = limits
        began = len(room.fake.requests)

        await room.move_to(SEVEN_DAYS_BEFORE)

        posts = room.fake.requests_to("POST", r"/channels/\d+/messages", after=began)
        sent = [r for r in posts if r.ok]
        assert len(sent) == len(CHANNELS) * PER_CHANNEL // per_message
        assert limits.hits == {"global": 0, "user": 0}
        assert [r for r in posts if r.status == 429] == []
        nonces = [r.json["nonce"] for r in sent]
        assert len(set(nonces)) == len(nonces)  # each message once
        if per_message == 1:
            span = sent[-1].time - sent[0].time
            assert span >= 1.0  # 60 posts at 5 at once and 40 a second: ~1.4 s, not at once
        database = room.database
    with sqlite3.connect(database) as conn:
        recorded = dict(
            conn.execute(
                "SELECT 'dda' || id, message_id FROM alerts WHERE sent_at IS NOT NULL"
            ).fetchall()
        )
    # Every alert recorded with the message whose embed shows its ref, each alert once.
    shown = {
        embed["footer"]["text"].rsplit(" ref ", 1)[1]: int(r.response["id"])
        for r in sent
        for embed in r.json["embeds"]
    }
    assert len(shown) == len(CHANNELS) * PER_CHANNEL
    assert shown == recorded


async def test_the_notifier_paces_its_posts_under_the_global_limit() -> None:
    """The notifier alone (no desk in the same loop to slow it): 120 posts asked for at once
    in 24 channels. Unpaced, discord.py sends them as fast as the fake answers and learns
    of the global limit from 429s; paced, none is refused and no second sees more than 45."""
    limits = RateLimits()
    async with FakeDiscord(rate_limits=limits) as fake:
        guild = fake.add_guild("Newsroom", channels=[f"c{n}" for n in range(24)])
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        async with running_client(fake, client):
            notifier = DiscordNotifier(client)
            now = dt.datetime.now(dt.UTC)
            await asyncio.gather(
                *(
                    notifier.send_digest(int(guild.id), int(channel.id), [], now=now)
                    for channel in guild.channels.values()
                    for _ in range(PER_CHANNEL)
                )
            )
    posts = [r for r in fake.requests_to("POST", r"/channels/\d+/messages")]
    assert limits.hits == {"global": 0, "user": 0}
    assert len(posts) == 24 * PER_CHANNEL
    times = [r.time for r in posts]
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 45
