"""`python -m bot import` as the host runs it: real subprocesses on a real database."""

from __future__ import annotations

import datetime as dt
import fcntl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import FakeClock, run_bot_cli

from bot.operations import lock_path
from bot.service import Actor, Services
from bot.storage import SqliteStore

GUILD, EMPTY = 123456789012345678, 223456789012345678
NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_bot_cli(*args)


@pytest.fixture
async def config_file(tmp_path: Path) -> Path:
    database = tmp_path / "data" / "deadlines.sqlite3"
    async with SqliteStore.open(database) as store:
        deadlines = Services.over(store, clock=FakeClock(NOW)).deadlines
        await deadlines.add(Actor(7), GUILD, channel_id=55, text="Bondi letter, 30 days")
    path = tmp_path / "desk.toml"
    path.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    return path


def active_titles(config_file: Path, guild: int) -> list[str]:
    proc = run_cli("export", "--guild", str(guild), "--format", "csv", "--config", str(config_file))
    assert proc.returncode == 0, proc.stderr
    return [line.split(",")[1] for line in proc.stdout.splitlines()[1:]]


def test_export_then_import_into_an_empty_server(config_file: Path, tmp_path: Path) -> None:
    exported = run_cli("export", "--guild", str(GUILD), "--format", "csv",
                       "--config", str(config_file))  # fmt: skip
    sheet = tmp_path / "deadlines.csv"
    sheet.write_text(exported.stdout, encoding="utf-8")
    proc = run_cli("import", str(sheet), "--guild", str(EMPTY), "--config", str(config_file))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"imported 1 deadline from {sheet} into server {EMPTY} (#1)")
    assert "row 2: Bondi letter - due Sat 2025-08-16" in proc.stdout
    again = run_cli("export", "--guild", str(EMPTY), "--format", "csv",
                    "--config", str(config_file))  # fmt: skip
    assert (
        again.stdout.splitlines()[1].split(",", 1)[1]
        == (exported.stdout.splitlines()[1].split(",", 1)[1])
    )


def test_a_dry_run_shows_what_would_be_added_and_saves_nothing(
    config_file: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Title;Due date\nCounty records;2025-08-15\nBudget;2025-09-01 17:00\n",
                     encoding="utf-8")  # fmt: skip
    proc = run_cli("import", str(sheet), "--guild", str(EMPTY), "--channel", "55", "--dry-run",
                   "--config", str(config_file))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert (
        lines[0] == f"dry run: {sheet} would add 2 deadlines to server {EMPTY}; nothing was saved"
    )
    assert (
        lines[1]
        == "  row 2: County records - due Fri 2025-08-15 (by 2025-08-15; calendar rule) in <#55>"
    )
    assert "17:00 America/New_York" in lines[2]
    assert active_titles(config_file, EMPTY) == []


def test_a_bad_file_names_each_row_and_saves_nothing(config_file: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("title,due,channel\nGood,2025-08-15,55\nBad,15/08/2025,55\nNone,,\n",
                     encoding="utf-8")  # fmt: skip
    proc = run_cli("import", str(sheet), "--guild", str(EMPTY), "--config", str(config_file))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == f"error: {sheet}: nothing was imported: 2 problems in the file"
    assert lines[1].startswith("  row 3, due: '15/08/2025'")
    assert lines[2].startswith("  row 4, due: no due date")
    assert active_titles(config_file, EMPTY) == []


def test_rows_without_a_channel_and_no_default_are_named(config_file: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("title,due\nA,2025-08-15\nB,2025-08-16\n", encoding="utf-8")
    proc = run_cli("import", str(sheet), "--guild", str(EMPTY), "--config", str(config_file))
    assert proc.returncode == 2
    assert "rows 2-3: no channel" in proc.stderr
    assert "--channel" not in proc.stderr or "give one for the whole file" in proc.stderr


@pytest.fixture
def running_bot(config_file: Path, tmp_path: Path) -> Iterator[None]:
    """The lock the running bot holds on its database (bot/operations.py instance_lock)."""
    with lock_path(tmp_path / "data" / "deadlines.sqlite3").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


@pytest.mark.usefixtures("running_bot")
def test_an_import_is_refused_while_the_bot_runs_but_a_dry_run_is_not(
    config_file: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("title,due,channel\nA,2025-08-15,55\n", encoding="utf-8")
    args = ("import", str(sheet), "--guild", str(EMPTY), "--config", str(config_file))
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert "in use by a running Deadline Desk" in proc.stderr
    assert "/deadline import" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert run_cli(*args, "--dry-run").returncode == 0


def test_progress_goes_to_stderr_for_long_files(config_file: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    # Done ones (an export of everything) are read, then skipped: the limit is 5,000 active.
    rows = "".join(
        f"Row {n},2025-08-15,55,{'active' if n < 3 else 'done'}\n" for n in range(20_000)
    )
    sheet.write_text("title,due,channel,status\n" + rows, encoding="utf-8")
    proc = run_cli("import", str(sheet), "--guild", str(EMPTY), "--dry-run",
                   "--config", str(config_file))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == ["read 10,000 rows...", "read 20,000 rows..."]
    assert "would add 3 deadlines" in proc.stdout
    assert "skipped 19,997 done or deleted deadlines (status column)" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--guild", "general"), "--guild 'general' is not a server id"),
        (("--guild", "1", "--channel", "#general"), "--channel '#general' is not a channel id"),
    ],
)
def test_bad_options_are_one_line(
    config_file: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("title,due\nA,2025-08-15\n", encoding="utf-8")
    proc = run_cli("import", str(sheet), *args, "--config", str(config_file))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {message}")
    assert len(proc.stderr.splitlines()) == 1


def test_a_missing_file_or_database_is_one_line(config_file: Path, tmp_path: Path) -> None:
    proc = run_cli("import", str(tmp_path / "nope.csv"), "--guild", "1",
                   "--config", str(config_file))  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: cannot read")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("title,due\nA,2025-08-15\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(f'[database]\npath = "{tmp_path / "missing.sqlite3"}"\n', encoding="utf-8")
    proc = run_cli("import", str(sheet), "--guild", "1", "--config", str(other))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: no database at")
    assert not (tmp_path / "missing.sqlite3").exists()
