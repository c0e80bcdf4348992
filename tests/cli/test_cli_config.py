"""`python -m bot check-config` as users run it: real subprocesses in an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
MASKED = "MTIz…89AB"


def check_config(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run check-config with no BOT_* or DISCORD_TOKEN from the outside, plus `env`."""
    full_env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("BOT_") and name != "DISCORD_TOKEN"
    }
    # The masked token contains "…": decode the same way the child encodes.
    full_env["PYTHONIOENCODING"] = "utf-8"
    # Run from an empty folder, the child must still import this checkout's `bot`, not the
    # one an editable install elsewhere points at.
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "check-config", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=full_env,
        timeout=60,
        check=False,
    )


def assert_one_error_line(proc: subprocess.CompletedProcess[str], needle: str) -> str:
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    assert TOKEN not in proc.stderr
    return lines[0]


def test_prints_every_effective_setting_with_the_token_masked(tmp_path: Path) -> None:
    proc = check_config(cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert TOKEN not in proc.stdout
    assert proc.stdout.splitlines() == [
        "# config file: (none: defaults and environment only)",
        f"discord.token = {MASKED}",
        "discord.api_base_url = (not set)",
        "discord.gateway_url = (not set)",
        "discord.sync_guild_ids = (none)",
        "discord.alerts_per_message = 5",
        "database.path = data/deadlines.sqlite3",
        "defaults.timezone = America/New_York",
        "defaults.alert_time = 09:00",
        "defaults.reminder_days = 7, 3, 1",
        "defaults.calendar = US",
        "defaults.counting = calendar",
        "defaults.close_of_business = 17:00",
        "defaults.repeat_grace_days = 1",
        "logging.level = INFO",
        "logging.format = text",
        "web.enabled = false",
        "web.host = 127.0.0.1",
        "web.port = 8080",
        "web.public_url = (not set)",
        "web.client_timeout = 10",
        "web.max_connections = 100",
        "retention.closed_days = 0",
    ]
    # Checked, not made: the bot makes the database folder when it starts.
    assert list(tmp_path.iterdir()) == []


def test_file_and_environment_values_are_shown(tmp_path: Path) -> None:
    config = tmp_path / "desk.toml"
    config.write_text(
        f'[discord]\ntoken = "{TOKEN}"\nsync_guild_ids = [12, 34]\n'
        '[defaults]\ntimezone = "Europe/Berlin"\ncalendar = "us-ca"\nreminder_days = [1, 7]\n',
        encoding="utf-8",
    )
    env = {"BOT_DATABASE__PATH": str(tmp_path / "db" / "d.sqlite3"), "BOT_LOGGING__LEVEL": "debug"}
    proc = check_config("--config", str(config), cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"# config file: {config}"
    for line in [
        f"discord.token = {MASKED}",
        "discord.sync_guild_ids = 12, 34",
        f"database.path = {tmp_path / 'db' / 'd.sqlite3'}",
        "defaults.timezone = Europe/Berlin",
        "defaults.calendar = US-CA",
        "defaults.reminder_days = 7, 1",
        "logging.level = DEBUG",
    ]:
        assert line in lines
    assert TOKEN not in proc.stdout + proc.stderr


def test_config_toml_in_the_working_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[defaults]\ntimezone = "Asia/Tokyo"\n', "utf-8")
    proc = check_config(cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stderr
    assert "# config file: config.toml" in proc.stdout.splitlines()
    assert "defaults.timezone = Asia/Tokyo" in proc.stdout.splitlines()


def test_no_token(tmp_path: Path) -> None:
    line = assert_one_error_line(check_config(cwd=tmp_path), "no Discord token")
    assert line == (
        "error: no Discord token: set DISCORD_TOKEN (or [discord] token in the config file)"
    )


@pytest.mark.parametrize("token", [f"Bot {TOKEN}", TOKEN.replace(".", "")])
def test_malformed_token(tmp_path: Path, token: str) -> None:
    proc = check_config(cwd=tmp_path, env={"DISCORD_TOKEN": token})
    assert_one_error_line(proc, "the Discord token is malformed")
    assert token not in proc.stderr


def test_bad_timezone_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        f'[discord]\ntoken = "{TOKEN}"\n[defaults]\ntimezone = "Mars/Base"\n', "utf-8"
    )
    line = assert_one_error_line(
        check_config("--config", str(config), cwd=tmp_path), "defaults.timezone"
    )
    assert line == (
        "error: defaults.timezone: unknown time zone 'Mars/Base' (for example: America/New_York)"
    )


def test_unknown_key_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[defaults]\nreminders = [1]\n", "utf-8")
    proc = check_config("--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert_one_error_line(proc, "defaults.reminders: unknown key")


def test_unwritable_database_path(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("a file, not a folder", "utf-8")
    env = {"DISCORD_TOKEN": TOKEN, "BOT_DATABASE__PATH": str(tmp_path / "afile" / "db.sqlite3")}
    line = assert_one_error_line(check_config(cwd=tmp_path, env=env), "database.path")
    assert "cannot create the folder" in line


def test_a_misspelt_section_in_a_variable_is_one_warning_line(tmp_path: Path) -> None:
    env = {"DISCORD_TOKEN": TOKEN, "BOT_DEFAULT__TIMEZONE": "Asia/Tokyo"}
    proc = check_config(cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        "warning: BOT_DEFAULT__TIMEZONE is not a setting, so it is ignored: did you mean "
        "BOT_DEFAULTS__TIMEZONE (defaults.timezone)?\n"
    )
    assert "defaults.timezone = America/New_York" in proc.stdout.splitlines()


def test_missing_config_file(tmp_path: Path) -> None:
    proc = check_config("--config", "nope.toml", cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert assert_one_error_line(proc, "config file") == "error: config file not found: nope.toml"


def test_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[defaults\n", "utf-8")
    proc = check_config(cwd=tmp_path, env={"DISCORD_TOKEN": TOKEN})
    assert_one_error_line(proc, "config.toml: invalid TOML:")
    assert "line 1" in proc.stderr


@pytest.mark.parametrize(
    ("file_text", "env"),
    [
        (f'[discord]\ntoken = "{TOKEN}"\n', {}),
        (f'[discord]\ntoken = "{TOKEN}"\n[defaults]\ncalendar = "UK"\n', {}),
        (f'[discord]\ntoken = ["{TOKEN}"]\n', {}),
        ("", {"BOT_DISCORD__TOKEN": TOKEN}),
        ("", {"DISCORD_TOKEN": TOKEN, "BOT_DEFAULTS__TIMEZONE": "Mars/Base"}),
    ],
)
def test_the_token_never_appears_in_output(
    tmp_path: Path, file_text: str, env: dict[str, str]
) -> None:
    (tmp_path / "config.toml").write_text(file_text, "utf-8")
    proc = check_config(cwd=tmp_path, env=env)
    assert "Traceback" not in proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    assert TOKEN[8:-8] not in proc.stdout + proc.stderr


def test_due_loads_neither_pydantic_nor_the_config_module() -> None:
    code = (
        "import sys; from bot.cli import main; main(['due', '30 days', '--json']); "
        "print(sorted(m for m in ('pydantic', 'pydantic_settings', 'bot.config', 'discord') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout.splitlines()[-1] == "[]"
