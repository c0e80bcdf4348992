"""`python -m bot due` and `find` count as a new server would: with the config's [defaults]
(file, then BOT_DEFAULTS__* over it) where no option is given. Real subprocesses, run in an
empty folder with no BOT_* variables from the outside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BONDI = ["due", "Bondi letter, 30 days", "--from", "2025-07-17", "--json"]
WEST = '[defaults]\ncounting = "roll"\ntimezone = "America/Los_Angeles"\n'


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    full_env["PYTHONPATH"] = str(ROOT)  # this checkout's bot, from any folder
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=full_env, input=stdin,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def due_json(*args: str, cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = run(*args, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    payload: dict[str, Any] = json.loads(proc.stdout)
    return payload


def test_without_a_config_the_built_in_defaults_hold(tmp_path: Path) -> None:
    payload = due_json(*BONDI, cwd=tmp_path)
    assert (payload["rule"], payload["due"]) == ("calendar", "2025-08-16")
    assert payload["due_at"] == "2025-08-16T23:59:59-04:00"


def test_the_config_files_counting_rule_and_zone_are_used(tmp_path: Path) -> None:
    config = tmp_path / "desk.toml"
    config.write_text(WEST, encoding="utf-8")
    payload = due_json(*BONDI, "--config", str(config), cwd=tmp_path)
    assert (payload["rule"], payload["due"]) == ("roll", "2025-08-18")  # Sat 16th rolled
    assert payload["due_at"] == "2025-08-18T23:59:59-07:00"


@pytest.mark.parametrize("how", ["./config.toml", "BOT_CONFIG"])
def test_the_config_is_found_as_other_commands_find_it(tmp_path: Path, how: str) -> None:
    if how == "BOT_CONFIG":
        (tmp_path / "elsewhere.toml").write_text(WEST, encoding="utf-8")
        env = {"BOT_CONFIG": str(tmp_path / "elsewhere.toml")}
    else:
        (tmp_path / "config.toml").write_text(WEST, encoding="utf-8")
        env = {}
    payload = due_json(*BONDI, cwd=tmp_path, env=env)
    assert (payload["rule"], payload["due_at"]) == ("roll", "2025-08-18T23:59:59-07:00")


def test_the_environment_overrides_the_file_and_options_override_both(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(WEST, encoding="utf-8")
    env = {"BOT_DEFAULTS__COUNTING": "business", "bot_defaults__calendar": "US-CA"}
    payload = due_json(*BONDI, cwd=tmp_path, env=env)
    assert (payload["rule"], payload["calendar"]) == ("business", "US-CA")
    assert payload["due_at"].endswith("-07:00")  # the file's zone, not overridden
    flags = ["--rule", "calendar", "--tz", "UTC", "--calendar", "US"]
    payload = due_json(*BONDI, *flags, cwd=tmp_path, env=env)
    assert (payload["rule"], payload["calendar"]) == ("calendar", "US")
    assert payload["due_at"] == "2025-08-16T23:59:59+00:00"


def test_a_whole_section_as_json_in_the_environment(tmp_path: Path) -> None:
    env = {"BOT_DEFAULTS": '{"counting": "roll"}', "BOT_DEFAULTS__TIMEZONE": "Asia/Tokyo"}
    payload = due_json(*BONDI, cwd=tmp_path, env=env)
    assert (payload["rule"], payload["due_at"]) == ("roll", "2025-08-18T23:59:59+09:00")


def test_close_of_business_is_the_configs(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[defaults]\nclose_of_business = "16:30"\n', encoding="utf-8"
    )
    payload = due_json("due", "by COB Aug 15, 2025", "--from", "2025-07-17", "--json", cwd=tmp_path)
    assert payload["due_at"] == "2025-08-15T16:30:00-04:00"


def test_find_uses_the_same_defaults(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(WEST, encoding="utf-8")
    text = "date 2025-07-17\n\nThe county has 30 days to respond."
    proc = run("find", "-", "--json", cwd=tmp_path, stdin=text)
    assert proc.returncode == 0, proc.stderr
    (found,) = json.loads(proc.stdout)
    assert (found["rule"], found["due"]) == ("roll", "2025-08-18")
    assert found["due_at"] == "2025-08-18T23:59:59-07:00"


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        (
            '[defaults]\ncounting = "weekly"\n',
            {},
            "error: defaults.counting: unknown counting rule 'weekly'",
        ),
        ('[defaults]\ntimezone = "localtime"\n', {}, "error: defaults.timezone: unknown time zone"),
        ("[defaults]\ntimezone = 5\n", {}, "error: defaults.timezone: must be text, got 5"),
        (
            '[defaults]\nclose_of_business = "5pm"\n',
            {},
            "error: defaults.close_of_business: '5pm' is not a time of day as HH:MM",
        ),
        (
            "",
            {"BOT_DEFAULTS__CALENDAR": "UK"},
            "error: defaults.calendar (from BOT_DEFAULTS__CALENDAR): unknown holiday calendar",
        ),
        ("[defaults\n", {}, "config.toml: invalid TOML"),
        ("defaults = 5\n", {}, "error: defaults: must be a table such as [defaults]"),
    ],
)
def test_a_bad_default_is_one_line_naming_the_key(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    (tmp_path / "config.toml").write_text(toml, encoding="utf-8")
    proc = run(*BONDI, cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr


def test_a_missing_config_file_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    proc = run(*BONDI, "--config", "nope.toml", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "error: config file not found: nope.toml\n")


def test_due_with_a_config_still_loads_neither_pydantic_nor_discord(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(WEST, encoding="utf-8")
    code = (
        "import sys; from bot.cli import main; "
        "main(['due', '30 days', '--from', '2025-07-17', '--json']); "
        "print(sorted(m for m in ('pydantic', 'pydantic_settings', 'bot.config', 'discord') "
        "if m in sys.modules), 'bot.config_sources' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)}, check=True, timeout=60,
    )  # fmt: skip
    assert json.loads(proc.stdout.splitlines()[0])["due_at"].endswith("-07:00")  # the file's
    assert proc.stdout.splitlines()[-1] == "[] True"


def test_a_misspelt_section_in_a_variable_is_a_warning_for_due_too(tmp_path: Path) -> None:
    proc = run(*BONDI, cwd=tmp_path, env={"BOT_DEFAULT__TIMEZONE": "Asia/Tokyo"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        "warning: BOT_DEFAULT__TIMEZONE is not a setting, so it is ignored: did you mean "
        "BOT_DEFAULTS__TIMEZONE (defaults.timezone)?\n"
    )
    assert json.loads(proc.stdout)["due_at"].endswith("-04:00")  # New York: it was ignored
