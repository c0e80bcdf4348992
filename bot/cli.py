"""Command-line interface: `python -m bot run | due ...`.

Subcommands import what they need lazily: `due` must stay fast and must not load discord.py.
Bad input prints one line on stderr and exits 2; nothing goes to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence

EXIT_USAGE = 2


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
    run.add_argument("--config", help="TOML config file (default: $BOT_CONFIG or ./config.toml)")
    run.set_defaults(handler=_run)

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
    if not os.environ.get("DISCORD_TOKEN", "").strip():
        return _fail(
            "no Discord token: set DISCORD_TOKEN to your bot's token. Until then you can try "
            "the deadline engine: python -m bot due 'Bondi letter, 30 days' --from 2025-07-17"
        )
    return _fail(
        "this version has no Discord connection yet; try the deadline engine: "
        "python -m bot due 'Bondi letter, 30 days' --from 2025-07-17"
    )
