"""Operating the bot: invite link, backup/restore on real files, lock, health verdicts."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import FakeClock

from bot.models import Status
from bot.operations import (
    HEARTBEAT_KEY,
    PERMISSIONS,
    Heartbeat,
    OperationError,
    backup,
    client_id_from_token,
    inspect,
    instance_lock,
    invite_url,
    read_heartbeat,
    restore,
    verdict,
)
from bot.service import Actor, Services
from bot.storage import DatabaseCorruptError, SqliteStore

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2025, 8, 1, 12, tzinfo=dt.UTC)
WEB_PROBLEM = "the web server is refusing connections: 100 open, its cap (web.max_connections)"
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_invite_url_asks_for_exactly_the_needed_permissions() -> None:
    assert client_id_from_token(TOKEN) == 123456789012345678
    assert client_id_from_token("not-a-token") is None
    url = invite_url(123)
    assert "client_id=123" in url
    assert "scope=bot+applications.commands" in url
    names = {
        "view_channel", "send_messages", "manage_messages", "embed_links", "attach_files",
        "read_message_history",
    }  # fmt: skip
    import discord

    assert discord.Permissions(PERMISSIONS) == discord.Permissions(**dict.fromkeys(names, True))
    assert f"permissions={PERMISSIONS}" in url


@pytest.mark.parametrize(
    ("beat", "healthy", "reason"),
    [
        (None, False, "no heartbeat"),
        (Heartbeat(NOW - dt.timedelta(seconds=5), True, NOW, 1), True, "healthy"),
        (Heartbeat(NOW - dt.timedelta(minutes=5), True, NOW, 1), False, "last heartbeat 300 s"),
        (Heartbeat(NOW, False, NOW, 1), False, "gateway"),
        (Heartbeat(NOW, True, None, 1), False, "not started"),
        (Heartbeat(NOW, True, NOW - dt.timedelta(minutes=10), 1), False, "dispatcher last ran"),
        (Heartbeat(NOW, True, NOW, 1, WEB_PROBLEM), False, WEB_PROBLEM),
    ],
)
def test_health_verdicts(beat: Heartbeat | None, healthy: bool, reason: str) -> None:
    ok, why = verdict(beat, now=NOW)
    assert ok is healthy
    assert reason in why
    if beat is not None:
        assert Heartbeat.from_json(beat.to_json()) == beat


def test_a_heartbeat_from_before_the_web_check_reads_as_no_web_problem() -> None:
    text = json.dumps(
        {"at": NOW.isoformat(), "gateway_connected": True, "dispatcher_beat_at": NOW.isoformat()}
    )
    assert Heartbeat.from_json(text) == Heartbeat(NOW, True, NOW, 0, None)


async def filled_database(path: Path, count: int = 3) -> None:
    async with SqliteStore.open(path) as store:
        deadlines = Services.over(store, clock=FakeClock(NOW)).deadlines
        for n in range(count):
            await deadlines.add(Actor(5), 1, channel_id=9, text=f"Request {n}, {n + 1} days")


async def test_online_backup_while_the_store_is_open(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    await filled_database(database)
    async with SqliteStore.open(database) as store:
        deadlines = Services.over(store, clock=FakeClock(NOW)).deadlines
        await deadlines.add(Actor(5), 1, channel_id=9, text="Committed before backup, 3 days")
        report = backup(database, tmp_path / "backups")  # a folder: a dated file inside
    assert report.deadlines == 4
    assert report.path.parent == tmp_path / "backups"
    conn = sqlite3.connect(report.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


async def test_restore_is_refused_while_the_bot_runs_and_keeps_the_old_database(
    tmp_path: Path,
) -> None:
    database, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    await filled_database(database, count=2)
    backup(database, copy)
    await filled_database(database, count=1)  # one more deadline after the backup
    with instance_lock(database), pytest.raises(OperationError, match="in use"):
        restore(copy, database)
    report, kept = restore(copy, database)
    assert report.deadlines == 2
    assert kept is not None
    assert kept.exists()
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        assert await tx.count_deadlines(1, Status.ACTIVE) == 2


CRASH_AFTER_WRITING = """
import asyncio, os, sys
from bot.clock import SystemClock
from bot.service import Actor, Services
from bot.storage import SqliteStore

async def main() -> None:
    store = await SqliteStore.connect(sys.argv[1])
    deadlines = Services.over(store, clock=SystemClock()).deadlines
    for n in range(10):
        await deadlines.add(Actor(5), 1, channel_id=9, text=f"Request {n}, {n + 1} days")
    os._exit(0)  # as after a SIGKILL: no checkpoint, the commits are in the -wal only

asyncio.run(main())
"""


async def test_restore_after_a_crash_keeps_a_complete_copy_of_the_database(
    tmp_path: Path,
) -> None:
    database, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    await filled_database(copy, count=2)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_WRITING, str(database)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert crashed.returncode == 0, crashed.stderr
    assert Path(f"{database}-wal").stat().st_size > 0  # the ten deadlines are only there
    report, kept = restore(copy, database)
    assert report.deadlines == 2
    assert kept is not None
    assert inspect(kept).deadlines == 10  # the kept copy is whole, WAL included
    with sqlite3.connect(kept) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        assert await tx.count_deadlines(1, Status.ACTIVE) == 2


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(OperationError, match="not a usable database"):
        restore(junk, tmp_path / "live.sqlite3")
    assert not (tmp_path / "live.sqlite3").exists()


async def test_a_corrupt_database_is_refused_at_start(tmp_path: Path) -> None:
    database = tmp_path / "bad.sqlite3"
    database.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(DatabaseCorruptError, match="restore"):
        await SqliteStore.connect(database)


def test_a_second_instance_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    with instance_lock(database), pytest.raises(OperationError), instance_lock(database):
        pass
    with instance_lock(database):  # released after the first holder exits
        pass


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"
    }
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**base, **(env or {})},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_health_command_reads_the_heartbeat(tmp_path: Path) -> None:
    database = tmp_path / "data" / "deadlines.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    missing = run_cli("health", "--config", str(config), cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stdout.startswith("unhealthy:")
    now = dt.datetime.now(dt.UTC)
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        await tx.set_meta(HEARTBEAT_KEY, Heartbeat(now, True, now, os.getpid()).to_json())
    assert read_heartbeat(database) is not None
    healthy = run_cli("health", "--config", str(config), cwd=tmp_path)
    assert healthy.returncode == 0, healthy.stdout
    assert healthy.stdout.startswith("healthy")
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        beat = Heartbeat(now, True, now, os.getpid(), WEB_PROBLEM)
        await tx.set_meta(HEARTBEAT_KEY, beat.to_json())
    refusing = run_cli("health", "--config", str(config), cwd=tmp_path)
    assert refusing.returncode == 1
    assert refusing.stdout == f"unhealthy: {WEB_PROBLEM}\n"
    stale = now - dt.timedelta(minutes=10)
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        await tx.set_meta(HEARTBEAT_KEY, Heartbeat(stale, True, stale, 1).to_json())
    assert run_cli("health", "--config", str(config), cwd=tmp_path).returncode == 1


async def test_backup_and_restore_commands(tmp_path: Path) -> None:
    database = tmp_path / "data" / "deadlines.sqlite3"
    await filled_database(database)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    made = run_cli("backup", str(tmp_path / "b.sqlite3"), "--config", str(config), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "backed up 3 deadlines" in made.stdout
    back = run_cli("restore", str(tmp_path / "b.sqlite3"), "--config", str(config), cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert "restored 3 deadlines" in back.stdout
    bad = run_cli("restore", str(tmp_path / "nope.sqlite3"), "--config", str(config), cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "Traceback" not in bad.stderr


def test_invite_url_command(tmp_path: Path) -> None:
    from_token = run_cli("invite-url", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert from_token.returncode == 0
    assert from_token.stdout.strip() == invite_url(123456789012345678)
    without = run_cli("invite-url", cwd=tmp_path)
    assert without.returncode == 2
    assert "--client-id" in without.stderr


async def test_the_bot_refuses_a_database_that_fails_its_integrity_check(tmp_path: Path) -> None:
    database = tmp_path / "data" / "deadlines.sqlite3"
    await filled_database(database, count=200)
    raw = bytearray(database.read_bytes())
    page = 4096
    raw[page * 3 : page * 3 + 200] = b"\xee" * 200  # scribble over a b-tree page
    database.write_bytes(bytes(raw))
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    proc = run_cli("run", "--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "python -m bot restore" in lines[0]
    assert "Traceback" not in proc.stderr


def test_run_says_so_in_one_line_when_discord_cannot_be_reached(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "http://127.0.0.1:9/api/v10"\n'
        f'[database]\npath = "{tmp_path / "deadlines.sqlite3"}"\n',
        encoding="utf-8",
    )
    proc = run_cli("run", "--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: cannot reach Discord (ClientConnectorError): check the network"]
    assert "Traceback" not in proc.stderr
