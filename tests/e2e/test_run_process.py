"""`python -m bot run` as a real process against the fake Discord server: start, serve a
command, post an alert, stop on SIGTERM within 5 s, restart without repeating the alert."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bot_process import ROOT, TOKEN, start_bot, stop_bot, write_config
from fakediscord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def test_run_serves_stops_on_sigterm_and_restarts_without_repeats(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
    alice = fake.add_user("alice")
    fake.add_member(guild.id, alice)
    alerts = guild.channel_id("alerts")
    config, log = tmp_path / "config.toml", tmp_path / "bot.log"
    database = tmp_path / "data" / "deadlines.sqlite3"
    write_config(config, fake, guild.id, database)

    process = await start_bot(config, log)
    try:
        await fake.wait_for_request(
            "PUT", rf"/applications/{fake.application_id}/guilds/{guild.id}/commands", timeout=30
        )
        await fake.wait_for_gateway(0, event="READY", direction="out", timeout=30)
        # Already past due: its overdue alert goes out at once.
        handle = await fake.send_slash_command(
            guild.id, alerts, alice.id, "deadline add",
            {"text": "Old request, by 2025-01-02", "channel": alerts},
        )  # fmt: skip
        reply = await handle.response()
        assert reply["data"]["embeds"][0]["title"] == "#1 Old request"
        posted = await fake.wait_for_request("POST", rf"/channels/{alerts}/messages", timeout=10)
        assert "OVERDUE" in posted.json["content"]
        health = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "health", "--config", str(config), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        said, _ = await health.communicate()
        assert health.returncode == 0, said
        assert said.startswith(b"healthy")
        # A second bot on the same database is refused at once.
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT,
            env={**os.environ, "DISCORD_TOKEN": TOKEN}, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, refused = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 2
        assert b"in use by a running Deadline Desk" in refused
    finally:
        code, took = await stop_bot(process)
    assert code == 0, log.read_text()
    assert took < 5.0
    assert "Traceback" not in log.read_text()
    assert TOKEN not in log.read_text()

    process = await start_bot(config, log)
    try:
        await fake.wait_for_request(
            "PUT", rf"/applications/{fake.application_id}/guilds/{guild.id}/commands",
            count=2, timeout=30,
        )  # fmt: skip
        await fake.wait_for_gateway(0, event="READY", direction="out", count=2, timeout=30)
        handle = await fake.send_slash_command(
            guild.id, alerts, alice.id, "deadline status", {"deadline": "1"}
        )
        status = await handle.response()
        assert status["data"]["embeds"][0]["title"] == "#1 Old request"
    finally:
        code, _ = await stop_bot(process)
    assert code == 0
    assert len(fake.requests_to("POST", rf"/channels/{alerts}/messages")) == 1


async def test_run_with_a_bad_time_zone_exits_2_with_one_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[defaults]\ntimezone = "Mars/Base"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["DISCORD_TOKEN"] = TOKEN
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert stdout == b""
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "defaults.timezone" in lines[0]
    assert "Mars/Base" in lines[0]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_web_server_serves_healthz_and_metrics(fake: FakeDiscord, tmp_path: Path) -> None:
    import aiohttp

    guild = fake.add_guild("Newsroom", channels=["general"])
    alice = fake.add_user("alice")
    fake.add_member(guild.id, alice)
    config, log = tmp_path / "config.toml", tmp_path / "bot.log"
    write_config(config, fake, guild.id, tmp_path / "deadlines.sqlite3")
    port = free_port()
    with config.open("a", encoding="utf-8") as extra:
        extra.write(f'\n[web]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n')
    process = await start_bot(config, log)
    try:
        await fake.wait_for_gateway(0, event="READY", direction="out", timeout=30)
        await fake.wait_for_request(
            "PUT", rf"/applications/{fake.application_id}/guilds/{guild.id}/commands", timeout=30
        )
        handle = await fake.send_slash_command(
            guild.id, guild.channel_id("general"), alice.id, "deadline add",
            {"text": "Bondi letter, 30 days"},
        )  # fmt: skip
        await handle.response()
        async with aiohttp.ClientSession() as http:
            for _ in range(50):  # the heartbeat lands right after the gateway connects
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    health = await response.json()
                    if response.status == 200:
                        break
                await asyncio.sleep(0.1)
            assert health["healthy"] is True, health
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                text = await response.text()
    finally:
        code, _ = await stop_bot(process)
    assert code == 0, log.read_text()
    assert 'deadline_desk_commands_total{command="deadline add",outcome="ok"} 1.0' in text
    assert "deadline_desk_alert_lateness_seconds_bucket" in text
    assert "deadline_desk_gateway_reconnects_total 0.0" in text
