"""The CLI as users run it: real `python -m bot` subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_due_json_has_the_documented_keys() -> None:
    proc = run_cli(
        "due", "Bondi letter, 30 days", "--from", "2025-07-17", "--rule", "roll", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload == {
        "title": "Bondi letter",
        "start": "2025-07-17",
        "rule": "roll",
        "calendar": "US",
        "due": "2025-08-18",
        "due_at": "2025-08-18T23:59:59-04:00",
        "explanation": payload["explanation"],
    }
    assert payload["explanation"][0] == "day 0: Thu 2025-07-17 (start date)"
    assert len(payload["explanation"]) >= 3


def test_due_human_output_shows_weekday_and_steps() -> None:
    proc = run_cli("due", "FOIA to FBI, 20 business days", "--from", "2025-11-20")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "FOIA to FBI"
    assert lines[1].startswith("Due: Fri 2025-12-19")
    assert any("Thanksgiving" in line for line in lines[2:])


def test_due_with_time_and_zone() -> None:
    proc = run_cli("due", "by 2025-08-15 17:00", "--tz", "America/Los_Angeles", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["due_at"] == "2025-08-15T17:00:00-07:00"


def test_due_defaults_to_today() -> None:
    proc = run_cli("due", "1 day", "--json", "--tz", "UTC")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["start"] < payload["due"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["due", "whenever"], "could not find a period"),
        (["due", "30 days", "--from", "17/07/2025"], "is not a date"),
        (["due", "30 days", "--rule", "weekly"], "unknown counting rule"),
        (["due", "30 days", "--calendar", "XX"], "unknown holiday calendar"),
        (["due", "30 days", "--tz", "Mars/Base"], "unknown time zone"),
        (["due", "30 days", "--tz", "right/UTC"], "unknown time zone"),
        (["find", "-", "--tz", "localtime"], "unknown time zone"),
        (["due", "11 years", "--json"], "longer than 10 years"),
        (["due"], "the following arguments are required"),
        (["due", "Records, 30 days or 45 days"], "Records, 45 days"),  # both readings named
        (["due", "thirty (20) days"], "different numbers"),
        (["due", "Status call, every 10 days"], "repeat"),
        (["find", "no/such/file.txt"], "cannot read"),
        (["find", "-", "--date", "July 17"], "is not a date"),
    ],
)
def test_bad_input_exits_2_with_one_message_and_no_stdout(args: list[str], needle: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr


def test_find_lists_the_deadlines_of_a_text(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(
        "\ufeffdate 2025-03-06 The auditor on Tuesday sent notices to the districts.\n\n"
        "The districts have 20 business days to respond. The auditor is 52 years old.\n",
        encoding="utf-8",
    )
    proc = run_cli("find", str(letter), "--json")
    assert proc.returncode == 0, proc.stderr
    (found,) = json.loads(proc.stdout)
    assert found["sentence"] == "The districts have 20 business days to respond."
    assert (found["start"], found["due"], found["rule"]) == ("2025-03-04", "2025-04-01", "business")
    assert found["due_at"] == "2025-04-01T23:59:59-04:00"
    assert found["title"] == "The districts have 20 business days to respond"

    text = subprocess.run(
        [sys.executable, "-m", "bot", "find", "-", "--date", "2025-07-17"],
        input="Nothing due here. The mayor, 61, spoke on July 11.", capture_output=True,
        text=True, cwd=ROOT, check=False, timeout=60,
    )  # fmt: skip
    assert (text.returncode, text.stdout) == (0, "No deadlines found.\n")


def test_due_does_not_import_discord() -> None:
    code = (
        "import sys; from bot.cli import main; rc = main(['due', '30 days', '--json']); "
        "print('discord' in sys.modules, 'aiosqlite' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout.splitlines()[-1] == "False False"


def test_a_second_business_day_count_starts_without_the_holidays_package(tmp_path: Path) -> None:
    # The first `due` asks the `holidays` package and keeps its answer on disk; the second reads
    # it from there, and says exactly the same.
    code = (
        "import sys; from bot.cli import main; "
        "rc = main(['due', 'FOIA, 20 business days', '--from', '2025-12-15', '--json', "
        "'--calendar', 'US-CA']); "
        "print('holidays' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
            check=True, timeout=60,
        ).stdout.splitlines()
        for _ in range(2)
    ]  # fmt: skip
    assert [run[-1] for run in runs] == ["True", "False"]
    assert runs[0][:-1] == runs[1][:-1]
    payload = json.loads(runs[1][0])
    assert payload["due"] == "2026-01-14"  # Christmas and New Year's Day skipped
    assert any("Christmas" in step for step in payload["explanation"])
    assert payload["calendar"] == "US-CA"  # a state calendar: its name checked from the file too
    assert len(list((tmp_path / "deadline-desk").glob("holidays-*.json"))) == 1


def test_run_without_token_says_so() -> None:
    proc = run_cli("run")
    assert proc.returncode == 2
    assert "DISCORD_TOKEN" in proc.stderr
    assert "python -m bot due" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check-config"],
        ["due", "Bondi letter, 30 days", "--from", "2025-07-17"],
        ["invite-url", "--client-id", "123"],
    ],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(
    args: list[str], tmp_path: Path
) -> None:
    # As `python -m bot check-config | head -1`, but certain: the reading end is closed before
    # the command writes anything, so its first write finds no reader.
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["DISCORD_TOKEN"] = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bot", *args], stdout=write_end, stderr=subprocess.PIPE,
            text=True, cwd=tmp_path, env=env, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (141, "")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["due"], "the following arguments are required: text (see: python -m bot due --help)"),
        (["nope"], "invalid choice: 'nope'"),
        (["export", "--guild"], "argument --guild: expected one argument"),
    ],
)
def test_usage_errors_are_one_line_too(args: list[str], needle: str) -> None:
    proc = run_cli(*args)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("error: ")
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert needle in proc.stderr


def test_due_json_of_a_repeat_has_its_rule_and_the_next_three_dates() -> None:
    proc = run_cli(
        "due", "Jail population report, every month on the 10th", "--from", "2025-07-17",
        "--rule", "roll", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["title"] == "Jail population report"
    assert payload["due"] == "2025-08-11"  # Sunday the 10th, rolled
    assert payload["recurrence"] == {
        "words": "every month on the 10th",
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=10",
        "dtstart": "2025-08-10",
    }
    assert payload["next"] == ["2025-08-11", "2025-09-10", "2025-10-10"]
    assert payload["next"][0] == payload["due"]


def test_due_of_a_repeat_that_is_not_read_is_refused() -> None:
    proc = run_cli("due", "Check-in, every 10 days", "--from", "2025-07-17")
    assert proc.returncode != 0
    assert "every month on the 10th" in proc.stderr  # the forms that are read
