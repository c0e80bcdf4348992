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
        "view_channel", "send_messages", "embed_links", "attach_files", "read_message_history",
        "pin_messages",
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
    assert "set DISCORD_TOKEN" in without.stderr


@pytest.mark.parametrize("token", ["garbage", "not-base64!.x.y", "YWJj.GaBcDe.xyz"])
def test_invite_url_with_a_malformed_token_says_it_is_malformed(tmp_path: Path, token: str) -> None:
    proc = run_cli("invite-url", cwd=tmp_path, env={"DISCORD_TOKEN": token})
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("error: the Discord token is malformed")
    assert "--client-id" in proc.stderr
    assert "set DISCORD_TOKEN" not in proc.stderr
    assert token not in proc.stderr


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
    # Why the check ran (no clean stop was recorded), then the one error line.
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr
    assert "integrity check at start: the last run did not stop cleanly" in lines[0]
    assert lines[1].startswith("error:")
    assert "python -m bot restore" in lines[1]
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


@pytest.mark.parametrize("odd", ["news#desk", "what?mode=rwc", "100%", "a b"])
async def test_uri_characters_in_paths_are_part_of_the_path(tmp_path: Path, odd: str) -> None:
    folder = tmp_path / odd
    database = folder / f"deadlines{odd}.sqlite3"
    await filled_database(database)
    now = dt.datetime.now(dt.UTC)
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        await tx.set_meta(HEARTBEAT_KEY, Heartbeat(now, True, now, os.getpid()).to_json())
    before = set(tmp_path.rglob("*"))
    beat = read_heartbeat(database)
    report = backup(database, folder / f"copy{odd}.sqlite3")
    assert beat is not None
    assert beat.at == now
    assert (report.deadlines, inspect(report.path).deadlines) == (3, 3)
    made = set(tmp_path.rglob("*")) - before
    # Only the copy and what SQLite keeps next to the files it opened: nothing named by
    # a path cut short at the '#' or '?'.
    assert report.path in made
    assert all(p.parent == folder for p in made), sorted(made)
    assert all(p.name.startswith((database.name, report.path.name)) for p in made), sorted(made)


async def test_health_and_backup_commands_with_a_hash_in_the_path(tmp_path: Path) -> None:
    database = tmp_path / "desk#1" / "deadlines.sqlite3"
    await filled_database(database)
    now = dt.datetime.now(dt.UTC)
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        await tx.set_meta(HEARTBEAT_KEY, Heartbeat(now, True, now, os.getpid()).to_json())
    config = tmp_path / "config.toml"
    config.write_text(f"[database]\npath = '{database}'\n", encoding="utf-8")
    healthy = run_cli("health", "--config", str(config), cwd=tmp_path)
    assert (healthy.returncode, healthy.stdout[:7]) == (0, "healthy"), healthy.stdout
    made = run_cli("backup", str(tmp_path / "b#2.sqlite3"), "--config", str(config), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "backed up 3 deadlines" in made.stdout
    assert not (tmp_path / "desk").exists()
    assert not (tmp_path / "b").exists()


def test_a_second_instance_through_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "data" / "live.sqlite3"
    real.parent.mkdir()
    (tmp_path / "live-link.sqlite3").symlink_to(real)
    (tmp_path / "data-link").symlink_to(real.parent, target_is_directory=True)
    for other in (tmp_path / "live-link.sqlite3", tmp_path / "data-link" / "live.sqlite3"):
        with (
            instance_lock(real),
            pytest.raises(OperationError, match="in use"),
            instance_lock(other),
        ):
            pass
        with (
            instance_lock(other),
            pytest.raises(OperationError, match="in use"),
            instance_lock(real),
        ):
            pass


async def test_restore_through_a_symlink_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real, copy = tmp_path / "data" / "live.sqlite3", tmp_path / "copy.sqlite3"
    await filled_database(real, count=2)
    backup(real, copy)
    async with SqliteStore.open(real) as store:
        deadlines = Services.over(store, clock=FakeClock(NOW)).deadlines
        await deadlines.add(Actor(5), 1, channel_id=9, text="After the backup, 3 days")
    link = tmp_path / "link.sqlite3"
    link.symlink_to(real)
    with instance_lock(real), pytest.raises(OperationError, match="in use"):
        restore(copy, link)
    report, kept = restore(copy, link)
    assert report.deadlines == 2
    assert link.is_symlink()
    assert inspect(real).deadlines == 2
    assert kept is not None
    assert inspect(kept).deadlines == 3


# Root ignores permission bits, and these tests may run as root: each place that cannot take a
# file is one that refuses root too (a regular file where a folder must be, a folder where a
# file must be).
def unwritable_destinations(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    (tmp_path / "busy.sqlite3.partial").mkdir()
    return {
        "file as parent": (tmp_path / "afile" / "copy.sqlite3", "afile is a file, not a folder"),
        "folder under a file": (tmp_path / "afile" / "copies", "afile is a file, not a folder"),
        "no room for the copy": (tmp_path / "busy.sqlite3", "is a directory"),
    }


@pytest.mark.parametrize("case", ["file as parent", "folder under a file", "no room for the copy"])
async def test_a_backup_that_cannot_be_written_says_why_and_leaves_nothing(
    tmp_path: Path, case: str
) -> None:
    database = tmp_path / "data" / "live.sqlite3"
    await filled_database(database)
    destination, reason = unwritable_destinations(tmp_path)[case]
    before = set(tmp_path.rglob("*"))
    with pytest.raises(OperationError, match="cannot write a backup to") as raised:
        backup(database, destination)
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)
    companions = {Path(f"{database}-wal"), Path(f"{database}-shm")}  # the live database's own
    assert set(tmp_path.rglob("*")) - before <= companions


async def test_a_restore_that_cannot_write_says_why(tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    await filled_database(copy)
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(OperationError, match="afile is a file, not a folder"):
        restore(copy, tmp_path / "afile" / "live.sqlite3")
    locked = tmp_path / "locked" / "live.sqlite3"
    Path(f"{locked}.lock").mkdir(parents=True)  # the lock file's name is taken by a folder
    with pytest.raises(OperationError, match="cannot make the lock file"):
        restore(copy, locked)
    staged = tmp_path / "staged" / "live.sqlite3"
    Path(f"{staged}.restoring").mkdir(parents=True)
    with pytest.raises(OperationError, match=r"cannot restore to .*is a directory"):
        restore(copy, staged)
    assert not staged.exists()


def test_restore_of_a_folder_or_nothing_says_so(tmp_path: Path) -> None:
    with pytest.raises(OperationError, match="is a folder, not a database file"):
        restore(tmp_path, tmp_path / "live.sqlite3")
    with pytest.raises(OperationError, match="no file at"):
        restore(tmp_path / "nope.sqlite3", tmp_path / "live.sqlite3")
    assert not (tmp_path / "live.sqlite3").exists()


@pytest.mark.parametrize(
    ("command", "where", "needle"),
    [
        ("backup", "afile/copy.sqlite3", "afile is a file, not a folder"),
        ("backup", "afile/copies/", "afile is a file, not a folder"),
        ("restore", "backups", "is a folder, not a database file"),
    ],
)
async def test_backup_and_restore_commands_fail_in_one_line(
    tmp_path: Path, command: str, where: str, needle: str
) -> None:
    database = tmp_path / "data" / "deadlines.sqlite3"
    await filled_database(database)
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    (tmp_path / "backups").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    proc = run_cli(command, where, "--config", str(config), cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("error: ")
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert needle in proc.stderr


async def test_restore_into_a_place_that_takes_no_files_fails_in_one_line(tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    await filled_database(copy)
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "afile" / "d.sqlite3"}"\n', "utf-8")
    proc = run_cli("restore", str(copy), "--config", str(config), cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "afile is a file, not a folder" in proc.stderr


async def test_a_backup_is_one_file_and_checking_it_writes_nothing_next_to_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "data" / "live.sqlite3"
    await filled_database(database)
    folder = tmp_path / "backups"
    report = backup(database, folder)
    assert sorted(folder.iterdir()) == [report.path]  # no .partial-wal, no .partial-shm
    inspect(report.path)
    assert sorted(folder.iterdir()) == [report.path]
    with sqlite3.connect(report.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


async def test_restoring_a_wal_mode_copy_writes_nothing_next_to_it(tmp_path: Path) -> None:
    # A copy of the database file itself (as older backups were: in WAL mode).
    database = tmp_path / "data" / "live.sqlite3"
    await filled_database(database)
    folder = tmp_path / "copies"
    folder.mkdir()
    copy = folder / "copy.sqlite3"
    copy.write_bytes(database.read_bytes())
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    (folder / "copy.sqlite3-wal").unlink(missing_ok=True)
    (folder / "copy.sqlite3-shm").unlink(missing_ok=True)
    report, _ = restore(copy, tmp_path / "restored" / "live.sqlite3")
    assert report.deadlines == 3
    assert sorted(p.name for p in folder.iterdir()) == ["copy.sqlite3"]


def test_run_logs_a_warning_for_a_misspelt_variable(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "http://127.0.0.1:9/api/v10"\n'
        f'[database]\npath = "{tmp_path / "deadlines.sqlite3"}"\n',
        encoding="utf-8",
    )
    env = {"DISCORD_TOKEN": TOKEN, "BOT_DATABASE_PATH": str(tmp_path / "elsewhere.sqlite3")}
    proc = run_cli("run", "--config", str(config), cwd=tmp_path, env=env)
    assert proc.returncode == 2  # Discord cannot be reached; the warning came first
    warning = (
        "BOT_DATABASE_PATH is not a setting, so it is ignored: did you mean BOT_DATABASE__PATH "
        "(database.path)?"
    )
    # Once, in the log (which is on stderr), before anything else is logged.
    (logged,) = [line for line in proc.stderr.splitlines() if "BOT_DATABASE_PATH" in line]
    assert logged == proc.stderr.splitlines()[0]
    assert logged.endswith(f" WARNING bot.cli: {warning}")
