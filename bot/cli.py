"""Command-line interface: `python -m bot run | due | check-config ...`.

Subcommands import what they need lazily: `due` must stay fast and must not load discord.py
(nor pydantic-settings, which only the commands that read the configuration need).
Bad input prints one line on stderr and exits 2; nothing goes to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config

EXIT_USAGE = 2
CONFIG_HELP = "TOML config file (default: $BOT_CONFIG or ./config.toml)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    result: int = handler(args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Deadline Desk: track other people's deadlines."
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = sub.add_parser("run", help="run the Discord bot")
    run.add_argument("--config", help=CONFIG_HELP)
    run.set_defaults(handler=_run)

    check = sub.add_parser(
        "check-config",
        help="check the configuration and print the effective settings",
        description="Load the config file and the environment, check the Discord token and "
        "that the database folder is writable, then print every setting (token masked).",
    )
    check.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    check.set_defaults(handler=_check_config)

    due = sub.add_parser(
        "due",
        help="compute a due date from a phrase, without Discord",
        description="Compute a due date, e.g.: python -m bot due "
        "'Bondi letter, 30 days' --from 2025-07-17 --rule roll",
    )
    due.add_argument("text", help="a phrase such as 'FOIA request, 20 business days'")
    due.add_argument("--from", dest="start", help="start date YYYY-MM-DD (default: today in --tz)")
    due.add_argument(
        "--rule", default="calendar", help="calendar (default), roll, court or business"
    )
    due.add_argument("--calendar", default="US", help="holiday calendar: US (default) or US-XX")
    due.add_argument("--tz", default="America/New_York", help="IANA time zone name")
    due.add_argument("--json", action="store_true", help="print one JSON object")
    due.set_defaults(handler=_due)
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load_config(path: str | None) -> Config:
    """The configuration from `path` (--config) or its defaults, overlaid by the environment.

    Raises bot.config.ConfigError, whose message is one line fit for `_fail`.
    """
    from bot.config import load_config

    return load_config(path)


def _check_config(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, check_database_path, require_token

    try:
        config = _load_config(args.config)
        require_token(config)
        check_database_path(config.database.path)
    except ConfigError as exc:
        return _fail(str(exc))
    # A comment line, so the output still reads as "key = value" lines, but says which file
    # was used: the usual surprise is a different ./config.toml or $BOT_CONFIG than expected.
    print(f"# config file: {config.config_file or '(none: defaults and environment only)'}")
    for key, value in config.effective_settings().items():
        print(f"{key} = {value}")
    return 0


def _due(args: argparse.Namespace) -> int:
    from bot.deadlines import DeadlineError, calculate, format_day, zone

    try:
        if args.start is None:
            start = dt.datetime.now(zone(args.tz)).date()
        else:
            try:
                start = dt.date.fromisoformat(args.start)
            except ValueError:
                return _fail(f"--from {args.start!r} is not a date (for example: 2025-07-17)")
        result = calculate(
            args.text, start=start, rule=args.rule, calendar=args.calendar, tz=args.tz
        )
    except DeadlineError as exc:
        return _fail(str(exc))
    due = result.due
    local_due_at = due.due_at.astimezone(zone(due.timezone))
    if args.json:
        payload = {
            "title": result.title,
            "start": due.start.isoformat(),
            "rule": due.rule.value,
            "calendar": due.calendar,
            "due": due.due.isoformat(),
            "due_at": local_due_at.isoformat(),
            "explanation": list(due.explanation),
        }
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    if result.title:
        print(result.title)
    when = f" {local_due_at:%H:%M} {due.timezone}" if due.has_time else ""
    print(f"Due: {format_day(due.due)}{when}  ({result.period}; {due.rule} rule, {due.calendar})")
    for step in due.explanation:
        print(f"  - {step}")
    return 0


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from bot.config import ConfigError, configure_logging, require_token

    try:
        config = _load_config(args.config)
        require_token(config)
    except ConfigError as exc:
        hint = " Meanwhile, try the calculator: python -m bot due 'Bondi letter, 30 days'"
        return _fail(f"{exc}.{hint}" if "no Discord token" in str(exc) else str(exc))
    configure_logging(config)
    from bot.app import serve

    try:
        asyncio.run(serve(config))
    except ConfigError as exc:
        return _fail(str(exc))
    return 0
