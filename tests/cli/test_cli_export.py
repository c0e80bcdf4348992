"""`python -m bot export` as users run it: real subprocesses reading a real database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import icalendar
import ics
import pytest
from support import FakeClock, run_bot_cli

from bot.service import Actor, Services
from bot.storage import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
GUILD = 123456789012345678
NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return run_bot_cli(*args, text=False)


@pytest.fixture
async def config_file(tmp_path: Path) -> Path:
    database = tmp_path / "data" / "deadlines.sqlite3"
    async with SqliteStore.open(database) as store:
        deadlines = Services.over(store, clock=FakeClock(NOW)).deadlines
        reporter = Actor(7)
        await deadlines.add(
            reporter,
            GUILD,
            channel_id=55,
            text="Bondi letter, 30 days",
            notes="=HYPERLINK(1); semi, comma 🎉",
        )
        done = await deadlines.add(reporter, GUILD, channel_id=55, text="FOIA, 5 days")
        await deadlines.done(reporter, GUILD, done.deadline.id)
        await deadlines.add(reporter, 999, channel_id=55, text="Other paper, 3 days")
    path = tmp_path / "desk.toml"
    path.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    return path


def test_ics_export_of_active_deadlines(config_file: Path) -> None:
    proc = run_cli("export", "--guild", str(GUILD), "--config", str(config_file))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    calendar = icalendar.Calendar.from_ical(proc.stdout)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["Bondi letter"]
    assert [e.name for e in ics.Calendar(proc.stdout.decode()).events] == ["Bondi letter"]
    assert proc.stdout.count(b"\r\n") == proc.stdout.count(b"\n")  # CRLF kept on stdout


def test_csv_export_of_everything(config_file: Path) -> None:
    proc = run_cli(
        "export", "--guild", str(GUILD), "--format", "csv", "--all", "--config", str(config_file)
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8-sig"), newline="")))
    assert [(r["id"], r["title"], r["status"]) for r in rows] == [
        ("2", "FOIA", "done"),
        ("1", "Bondi letter", "active"),
    ]
    assert rows[1]["notes"] == "'=HYPERLINK(1); semi, comma 🎉"


def test_an_empty_server_gives_an_empty_file_and_a_note(config_file: Path) -> None:
    proc = run_cli("export", "--guild", "42", "--config", str(config_file))
    assert proc.returncode == 0, proc.stderr
    assert icalendar.Calendar.from_ical(proc.stdout).walk("VEVENT") == []
    assert b"no active deadlines" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--guild", "newsroom"], b"--guild 'newsroom' is not a server id"),
        (["--guild", "-5"], b"is not a server id"),
        (["--guild", "0"], b"is not a server id"),
        ([], b"the following arguments are required: --guild"),
        (["--guild", str(GUILD), "--format", "pdf"], b"--format 'pdf': use one of ics, csv"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    config_file: Path, args: list[str], message: bytes
) -> None:
    proc = run_cli("export", *args, "--config", str(config_file))
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr.startswith(b"error: ")
    assert message in proc.stderr
    assert proc.stderr.count(b"\n") == 1


def test_help_shows_guild_as_required() -> None:
    proc = run_cli("export", "--help")
    assert proc.returncode == 0
    usage = b" ".join(proc.stdout.split(b"\n\n")[0].split())  # the usage, however wrapped
    assert b" --guild ID " in usage
    assert b"[--guild" not in usage
    assert b"[--format FMT]" in usage


def test_a_missing_database_is_an_error_not_an_empty_export(tmp_path: Path) -> None:
    config = tmp_path / "desk.toml"
    missing = tmp_path / "nowhere" / "deadlines.sqlite3"
    config.write_text(f'[database]\npath = "{missing}"\n', encoding="utf-8")
    proc = run_cli("export", "--guild", str(GUILD), "--config", str(config))
    assert proc.returncode == 2
    assert f"no database at {missing}".encode() in proc.stderr
    assert not missing.exists()


def test_export_does_not_load_discord(config_file: Path) -> None:
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('discord', 'aiohttp'))\n"
        "print(repr(loaded), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "export",
            "--guild",
            str(GUILD),
            "--config",
            str(config_file),
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == b"[]"
    assert b"BEGIN:VCALENDAR" in proc.stdout
