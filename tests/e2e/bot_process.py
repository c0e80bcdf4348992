"""`python -m bot run` as a real process pointed at the fake Discord server (shared helpers)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def write_config(path: Path, fake: FakeDiscord, guild_id: str, database: Path) -> None:
    path.write_text(
        f"""
[discord]
api_base_url = "{fake.api_base_url}"
gateway_url = "{fake.gateway_url}"
sync_guild_ids = [{guild_id}]

[database]
path = "{database}"

[logging]
level = "INFO"
""",
        encoding="utf-8",
    )


async def start_bot(config: Path, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["DISCORD_TOKEN"] = TOKEN
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip


async def stop_bot(process: asyncio.subprocess.Process) -> tuple[int, float]:
    """SIGTERM, then the exit code and how long the process took to exit."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(process.wait(), timeout=10)
    return code, time.monotonic() - started
