"""The fake's model of Discord's rate limits (fakediscord/ratelimits.py), over HTTP as
discord.py sees it, and with discord.py itself waiting them out.

developers/topics/rate-limits.mdx: 50 requests a second per bot (interaction endpoints
exempt), per-route buckets per top-level resource (a channel) with X-RateLimit-* headers, and a
429 whose body carries ``retry_after`` and ``global``.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord
import pytest
from fakediscord import FakeDiscord, FakeDiscordTimeout, RateLimits, running_client
from fakediscord.interactions import APPLICATION_COMMAND, new_interaction

BOT = {"Authorization": "Bot fake-token", "Content-Type": "application/json"}


async def test_off_by_default_nothing_is_limited() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        guild = fake.add_guild("Newsroom")
        url = f"{fake.api_base_url}/channels/{guild.channel_id('general')}/messages"
        for n in range(60):
            async with http.post(url, json={"content": f"m{n}"}, headers=BOT) as response:
                assert response.status == 200
                assert "X-RateLimit-Bucket" not in response.headers


async def test_a_channel_bucket_gives_five_then_429_with_the_documented_headers() -> None:
    async with (
        FakeDiscord(rate_limits=RateLimits(global_per_second=None)) as fake,
        aiohttp.ClientSession() as http,
    ):
        guild = fake.add_guild("Newsroom", channels=["general", "desk"])
        general, desk = guild.channel_id("general"), guild.channel_id("desk")
        url = f"{fake.api_base_url}/channels/{general}/messages"
        remaining = []
        for n in range(5):
            async with http.post(url, json={"content": f"m{n}"}, headers=BOT) as response:
                assert response.status == 200
                remaining.append(response.headers["X-RateLimit-Remaining"])
                assert response.headers["X-RateLimit-Limit"] == "5"
                assert 0 < float(response.headers["X-RateLimit-Reset-After"]) <= 5
                assert float(response.headers["X-RateLimit-Reset"]) > time.time()
                bucket = response.headers["X-RateLimit-Bucket"]
        assert remaining == ["4", "3", "2", "1", "0"]
        async with http.post(url, json={"content": "sixth"}, headers=BOT) as response:
            assert response.status == 429
            body = await response.json()
            assert body["global"] is False
            assert 0 < body["retry_after"] <= 5
            assert response.headers["X-RateLimit-Scope"] == "user"
            assert response.headers["X-RateLimit-Remaining"] == "0"
            assert "X-RateLimit-Global" not in response.headers
            assert response.headers["Via"]  # else discord.py takes it for a Cloudflare ban
        assert len(fake.messages_in(general)) == 5  # the refused one was not posted
        # Another channel is another bucket, under the same hash (channels are top-level).
        other = f"{fake.api_base_url}/channels/{desk}/messages"
        async with http.post(other, json={"content": "elsewhere"}, headers=BOT) as response:
            assert response.status == 200
            assert response.headers["X-RateLimit-Remaining"] == "4"
            assert response.headers["X-RateLimit-Bucket"] == bucket
        assert fake.rest.rate_limits is not None
        assert fake.rest.rate_limits.hits == {"global": 0, "user": 1}


async def test_the_global_limit_refuses_the_51st_request_in_a_second_but_not_interactions() -> None:
    # A 30 s window, so that a slow machine cannot let the second roll over mid-test.
    limits = RateLimits(global_window=30)
    async with FakeDiscord(rate_limits=limits) as fake, aiohttp.ClientSession() as http:
        guild = fake.add_guild("Newsroom")
        alice = fake.add_user("alice")
        fake.add_member(guild.id, alice)
        url = f"{fake.api_base_url}/channels/{guild.channel_id('general')}"
        statuses = []
        for _ in range(51):
            async with http.get(url, headers=BOT) as response:
                statuses.append(response.status)
                last = response
                body = await response.json()
        assert statuses == [200] * 50 + [429]
        assert body["global"] is True
        assert 0 < body["retry_after"] <= 30
        assert last.headers["X-RateLimit-Global"] == "true"
        assert last.headers["X-RateLimit-Scope"] == "global"
        assert "X-RateLimit-Bucket" not in last.headers
        # An interaction callback is not bound to the global limit.
        record, _ = new_interaction(
            fake.world, type=APPLICATION_COMMAND, data={"name": "x", "type": 1},
            guild_id=guild.id, channel_id=guild.channel_id("general"), user_id=alice.id,
            permissions=None, locale="en-US",
        )  # fmt: skip
        callback = f"{fake.api_base_url}/interactions/{record.id}/{record.token}/callback"
        reply = {"type": 4, "data": {"content": "ok", "flags": 64}}
        async with http.post(callback, json=reply) as response:
            assert response.status == 204
        assert limits.hits == {"global": 1, "user": 0}


async def test_discord_py_waits_out_both_limits_and_every_message_arrives() -> None:
    """Tight limits (2 per 0.5 s per channel, 10/s globally) so that it is quick: 6 messages
    in one channel need three windows; 30 across channels hit the global limit, which
    discord.py waits out (X-RateLimit-Global) and retries."""
    limits = RateLimits(global_per_second=10, message_limit=2, message_window=0.5)
    async with FakeDiscord(rate_limits=limits) as fake:
        guild = fake.add_guild("Newsroom", channels=[f"c{n}" for n in range(10)])
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        async with running_client(fake, client):
            loop = asyncio.get_running_loop()
            one = client.get_channel(int(guild.channel_id("c0")))
            assert isinstance(one, discord.TextChannel)
            began = loop.time()
            await asyncio.gather(*(one.send(f"m{n}") for n in range(6)))
            assert loop.time() - began >= 1.0  # windows at 0, 0.5 and 1.0 s
            assert len(fake.messages_in(guild.channel_id("c0"))) == 6
            channels = [client.get_channel(int(guild.channel_id(f"c{n}"))) for n in range(10)]
            sends = []
            for channel in channels:
                assert isinstance(channel, discord.TextChannel)
                sends += [channel.send(f"x{n}") for n in range(2)]
            await asyncio.gather(*sends)
            assert sum(len(fake.messages_in(c.id)) for c in guild.channels.values()) == 26
        assert limits.hits["global"] > 0


async def test_wait_for_path_finds_past_and_future_requests_by_exact_path() -> None:
    """The index bench/load.py's waiters use instead of rescanning the log."""
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        guild = fake.add_guild("Newsroom")
        path = f"/channels/{guild.channel_id('general')}/messages"
        url = f"{fake.api_base_url}{path}"
        async with http.post(url, json={"content": "first"}, headers=BOT):
            pass
        first = await fake.wait_for_path("POST", path, timeout=1)
        assert first.json == {"content": "first"}
        waiting = asyncio.create_task(fake.wait_for_path("post", path, count=2, timeout=5))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        async with http.post(url, json={"content": "second"}, headers=BOT):
            pass
        assert (await waiting).json == {"content": "second"}
        with pytest.raises(FakeDiscordTimeout, match="no 3x POST"):
            await fake.wait_for_path("POST", path, count=3, timeout=0.1)
