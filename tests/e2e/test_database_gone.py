"""The database file deleted while the bot runs (issue 12.7): the whole desk against the
fake Discord, and the real `python -m bot run` refusing to start over an empty database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
from newsroom import EPHEMERAL, open_newsroom

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


async def test_commands_and_health_say_so_when_the_database_file_is_deleted(
    tmp_path: Path,
) -> None:
    async with open_newsroom(tmp_path, web=True) as room:
        added = await room.command("add", {"text": "Bondi letter, 30 days"})
        assert added["data"]["embeds"][0]["title"] == "#1 Bondi letter"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{room.database}{suffix}").unlink(missing_ok=True)
        refused = await room.command("add", {"text": "FOIA request, 20 business days"})
        assert refused["data"]["flags"] & EPHEMERAL
        assert "database file was deleted or replaced" in refused["data"]["content"]
        assert "nothing was saved" in refused["data"]["content"]
        assert room.desk.web is not None
        url = room.desk.web.base_url + "/healthz"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 503
            body = await response.json()
        assert body["healthy"] is False
        assert "was deleted while the bot was running" in body["reason"]


def test_the_bot_refuses_to_start_over_a_deleted_database(tmp_path: Path) -> None:
    database = tmp_path / "data" / "deadlines.sqlite3"
    database.parent.mkdir()
    Path(f"{database}.lock").write_text("")  # what a bot that ran here leaves behind
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env |= {"DISCORD_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "is missing but deadlines.sqlite3.lock next to it is not: it was deleted" in run.stderr
    assert "Traceback" not in run.stderr
    assert not database.exists()
