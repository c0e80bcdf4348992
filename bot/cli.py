"""Command-line interface: `python -m bot run | due | check-config ...`.

Subcommands import what they need lazily: `due` must stay fast and must not load discord.py
nor pydantic-settings (it reads its few [defaults] through bot.config_sources).
Bad input prints one line on stderr and exits 2; nothing goes to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from bot.config import Config
    from bot.models import DeadlineExport

EXIT_USAGE = 2
# What a shell reports for a command stopped by SIGPIPE (128 + 13): the reader went away.
EXIT_BROKEN_PIPE = 141
CONFIG_HELP = "TOML config file (default: $BOT_CONFIG or ./config.toml)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        result: int = handler(args)
        sys.stdout.flush()  # inside the try: a pipe's buffered output is written here
    except BrokenPipeError:
        # `check-config | head -1`: the reader stopped reading. Stop quietly, as `cat` does;
        # stdout goes to /dev/null so the interpreter's own flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return result


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line as every other error here (its subcommands'
    parsers are of this class too)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see: {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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

    _add_operations(sub)

    _add_export(sub)

    _add_import(sub)

    due = sub.add_parser(
        "due",
        help="compute a due date from a phrase, without Discord",
        description="Compute a due date, e.g.: python -m bot due "
        "'Bondi letter, 30 days' --from 2025-07-17 --rule roll",
    )
    due.add_argument(
        "text",
        nargs="?",
        help="a phrase such as 'FOIA request, 20 business days' (with --preset: a title, or '')",
    )
    due.add_argument("--from", dest="start", help="start date YYYY-MM-DD (default: today in --tz)")
    due.add_argument(
        "--preset",
        metavar="KEY",
        help="a records law's first deadline, e.g. ca, ny, us-foia, cpra (see: presets)",
    )
    _add_engine_options(due)
    due.add_argument("--json", action="store_true", help="print one JSON object")
    due.set_defaults(handler=_due)

    presets = sub.add_parser(
        "presets",
        help="list the records-law presets (key, law, citation, first deadline)",
        description="List the public-records laws the bot counts: python -m bot due "
        "'County jail contracts' --preset ca --from 2025-07-17",
    )
    presets.add_argument("--json", action="store_true", help="print a JSON list")
    presets.add_argument("--markdown", action="store_true", help="print the table the README shows")
    presets.set_defaults(handler=_presets)

    find = sub.add_parser(
        "find",
        help="find the deadlines in a text (an article, a letter), without Discord",
        description="List the deadlines a text states, e.g.: python -m bot find article.txt",
    )
    find.add_argument("file", help="a UTF-8 text file, or - for standard input")
    find.add_argument(
        "--date", help="the text's own date YYYY-MM-DD, if it has no date line (default: today)"
    )
    _add_engine_options(find)
    find.add_argument("--json", action="store_true", help="print a JSON list")
    find.set_defaults(handler=_find)
    return parser


def _add_engine_options(command: argparse.ArgumentParser) -> None:
    """--rule, --calendar, --tz and --config: the options not given are the config's
    [defaults], as a new server's settings would be, else the built-in ones."""
    command.add_argument(
        "--rule",
        help="calendar, roll, court or business (default: defaults.counting, else calendar)",
    )
    command.add_argument(
        "--calendar", help="holiday calendar: US or US-XX (default: defaults.calendar, else US)"
    )
    command.add_argument(
        "--tz",
        help="IANA time zone name (default: defaults.timezone, else America/New_York)",
    )
    command.add_argument("--config", metavar="FILE", help=CONFIG_HELP)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load_config(path: str | None, *, warn: bool = True) -> Config:
    """The configuration from `path` (--config) or its defaults, overlaid by the environment;
    its warnings printed on stderr (`warn=False`: the caller logs them).

    Raises bot.config.ConfigError, whose message is one line fit for `_fail`.
    """
    from bot.config import load_config

    config = load_config(path)
    for warning in config.warnings if warn else ():
        print(f"warning: {warning}", file=sys.stderr)
    return config


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


def _use_holiday_cache() -> None:
    """Answer holiday questions from the on-disk cache (bot/holiday_cache.py): a `due` or
    `find` in business days then starts without importing the `holidays` package."""
    from bot.deadlines.calendars import use_holiday_lookup
    from bot.holiday_cache import disk_cached_lookup

    use_holiday_lookup(disk_cached_lookup())


@dataclass(frozen=True, slots=True)
class _EngineDefaults:
    rule: str
    calendar: str
    tz: str
    close_of_business: dt.time


def _engine_defaults(args: argparse.Namespace) -> _EngineDefaults:
    """The options of `due` and `find`: those given, else the config's [defaults] (the file,
    BOT_DEFAULTS__* over it), else the built-in defaults. Raises ConfigError naming the key.

    Reads only these keys, with the engine's own checks, and without pydantic, whose import
    would double a `due`'s time: bot.config_sources. Without a config file or a
    BOT_DEFAULTS variable nothing is read at all.
    """
    from bot.config_sources import (
        ConfigError,
        configures,
        section_values,
        time_of_day,
        unknown_variables,
    )
    from bot.deadlines import (
        DEFAULT_CALENDAR,
        DEFAULT_TIMEZONE,
        DeadlineError,
        Rule,
        holiday_calendar,
        iana_zone,
    )
    from bot.deadlines.parsing import DEFAULT_CLOSE_OF_BUSINESS

    for warning in unknown_variables():
        print(f"warning: {warning}", file=sys.stderr)
    configured: dict[str, tuple[object, str]] = {}
    if configures(args.config):
        from bot.config_sources import choose_config_file, read_tables

        configured = section_values(read_tables(choose_config_file(args.config)), "defaults")

    def pick(given: str | None, key: str, check: Any, default: Any) -> Any:
        if given is not None:
            return given  # checked where it is used, as a flag's value
        if key not in configured:
            return default
        value, where = configured[key]
        try:
            if key != "close_of_business" and not isinstance(value, str):
                raise ValueError(f"must be text, got {value!r}")
            check(value)
        except (DeadlineError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return value

    return _EngineDefaults(
        rule=pick(args.rule, "counting", Rule.parse, Rule.CALENDAR.value),
        calendar=pick(args.calendar, "calendar", holiday_calendar, DEFAULT_CALENDAR),
        tz=pick(args.tz, "timezone", iana_zone, DEFAULT_TIMEZONE),
        close_of_business=time_of_day(
            pick(None, "close_of_business", time_of_day, DEFAULT_CLOSE_OF_BUSINESS)
        ),
    )


def _due(args: argparse.Namespace) -> int:
    from bot.config_sources import ConfigError
    from bot.deadlines import (
        AmbiguousPhrase,
        DeadlineError,
        calculate,
        format_day,
        iana_zone,
        zone,
    )

    if args.text is None and args.preset is None:
        return _fail("the following arguments are required: text (see: python -m bot due --help)")
    _use_holiday_cache()
    if args.preset is not None and (args.rule is not None or args.calendar is not None):
        return _fail("--preset sets the counting rule and holiday calendar the law says; "
                     "leave out --rule and --calendar")  # fmt: skip
    try:
        options = _engine_defaults(args)
    except ConfigError as exc:
        return _fail(str(exc))
    try:
        now = dt.datetime.now(iana_zone(options.tz))
        if args.start is None:
            start = now.date()
        else:
            try:
                start = dt.date.fromisoformat(args.start)
            except ValueError:
                return _fail(f"--from {args.start!r} is not a date (for example: 2025-07-17)")
        result = calculate(
            args.text or "",
            start=start,
            rule=options.rule,
            calendar=options.calendar,
            tz=options.tz,
            now=now,
            close_of_business=options.close_of_business,
            preset=args.preset,
        )
    except AmbiguousPhrase as exc:
        readings = "".join(f"\n  - {reading}" for reading in exc.readings)
        return _fail(f"{exc.message}; each of these reads one way:{readings}")
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
        if result.law is not None:
            payload |= _preset_json(result)
        if result.recurrence is not None:
            payload |= _recurrence_json(result)
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    if result.title:
        print(result.title)
    if result.law is not None:
        sure = "" if result.law.confidence == "high" else f" (confidence: {result.law.confidence})"
        print(f"Law: {result.law.law}, {result.law.citation}{sure}")
    when = f" {local_due_at:%H:%M} {due.timezone}" if due.has_time else ""
    print(f"Due: {format_day(due.due)}{when}  ({result.period}; {due.rule} rule, {due.calendar})")
    for step in due.explanation:
        print(f"  - {step}")
    if result.recurrence is not None:
        print(f"Repeats: {result.recurrence.words} (RRULE:{result.recurrence.rrule})")
        print("Next: " + ", ".join(format_day(dt.date.fromisoformat(day))
                                   for day in _recurrence_json(result)["next"]))  # fmt: skip
    return 0


def _recurrence_json(result: Any) -> dict[str, Any]:
    """What `due --json` adds for a repeat: the rule in words and as RRULE, and the next
    three due dates (the first is `due`)."""
    from bot.deadlines import occurrences

    recurrence = result.recurrence
    due = result.due
    upcoming = occurrences(recurrence, recurrence.start, count=3, rule=due.rule,
                           calendar=due.calendar, tz=due.timezone)  # fmt: skip
    return {
        "recurrence": {
            "words": recurrence.words,
            "rrule": recurrence.rrule,
            "dtstart": recurrence.start.isoformat(),
        },
        "next": [occurrence.due.isoformat() for _, occurrence in upcoming],
    }


def _preset_json(result: Any) -> dict[str, Any]:
    """What `due --json` adds for a records-law preset: the law, and its stages (each later
    one counted from the due date of the one before: the dates if nobody marks one done)."""
    from bot.deadlines import zone

    law = result.law
    return {
        "preset": law.key,
        "law": law.law,
        "citation": law.citation,
        "confidence": law.confidence,
        "allowed_extension": result.allowed,
        "stages": [
            {
                "name": stage.name,
                "due": stage.due.due.isoformat(),
                "rule": stage.due.rule.value,
                "calendar": stage.due.calendar,
                "citation": stage.citation,
                "extended_due": stage.extended_due.isoformat() if stage.extended_due else None,
                "counted_from": stage.counted_from,
                "confidence": stage.confidence,
                "due_at": stage.due.due_at.astimezone(zone(stage.due.timezone)).isoformat(),
                "explanation": list(stage.due.explanation),
            }
            for stage in result.stages
        ],
        "timezone": result.due.timezone,
    }


def _presets(args: argparse.Namespace) -> int:
    from bot.deadlines.laws import laws

    rows = laws()
    if args.json:
        payload = [
            {
                "key": law.key,
                "name": law.label,
                "jurisdiction": law.jurisdiction,
                "law": law.law,
                "citation": law.citation,
                "first_deadline": law.first_deadline(),
                "days": law.first.days if law.first else None,
                "unit": law.first.unit if law.first else None,
                "rule": law.first.rule if law.first else None,
                "calendar": law.first.calendar if law.first else None,
                "extension": law.extension.period if law.extension else None,
                "stages": [_law_stage_json(law, stage) for stage in law.stages],
                "timezone": law.timezone,
                "confidence": law.confidence,
                "aliases": list(law.aliases),
                "sources": list(law.sources),
            }
            for law in rows
        ]
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    if args.markdown:
        print(_presets_table(rows))
        return 0
    for law in rows:
        sure = "" if law.confidence == "high" else f"  [confidence: {law.confidence}]"
        also = f" (also: {', '.join(law.aliases)})" if law.aliases else ""
        print(f"{law.key:8} {law.label}{also}{sure}")
        print(f"         {law.law}; {law.citation}")
        print(f"         first deadline: {law.first_deadline()}")
        for stage in law.later:
            print(f"         then: {stage.period} from {stage.from_what} to {stage.requires} "
                  f"({stage.citation})")  # fmt: skip
    return 0


def _law_stage_json(law: Any, stage: Any) -> dict[str, Any]:
    return {
        "name": stage.requires,
        "period": stage.period,
        "rule": stage.rule,
        "counted_from": stage.from_what,
        "counts_from": stage.counts_from,
        "citation": stage.citation,
        "confidence": stage.confidence or law.confidence,
    }


def _presets_table(rows: Sequence[Any]) -> str:
    """The README's table of presets, from the data (so that it stays true)."""
    lines = [
        "| key | jurisdiction | law | first deadline | rule (calendar) | extension | then "
        "(later stages) | confidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for law in rows:
        first = law.first
        if first is None:
            deadline, rule = "no fixed period (refused for counting)", "-"
        else:
            deadline = f"{first.period} to {first.requires}, {first.citation}"
            rule = f"{first.rule} ({first.calendar})"
        extension = f"+{law.extension.period} ({law.extension.when})" if law.extension else "-"
        later = "; ".join(
            f"{stage.period} from {stage.from_what} to {stage.requires}, {stage.citation}"
            + (f" (confidence: {stage.confidence})" if stage.confidence != "high" else "")
            for stage in law.later
        )
        cells = [f"`{law.key}`", law.jurisdiction, law.law, deadline, rule, extension,
                 later or "-", law.confidence]  # fmt: skip
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)


def _find(args: argparse.Namespace) -> int:
    from bot.config_sources import ConfigError
    from bot.deadlines import DeadlineError, format_day, iana_zone, zone
    from bot.deadlines.finding import MAX_TEXT, find_deadlines

    _use_holiday_cache()
    try:
        options = _engine_defaults(args)
    except ConfigError as exc:
        return _fail(str(exc))
    try:
        today = dt.datetime.now(iana_zone(options.tz)).date()  # (checks --tz first)
        try:
            date = today if args.date is None else dt.date.fromisoformat(args.date)
        except ValueError:
            return _fail(f"--date {args.date!r} is not a date (for example: 2025-07-17)")
        try:
            if args.file == "-":
                text = sys.stdin.read(MAX_TEXT + 1)
            else:
                with open(args.file, encoding="utf-8-sig") as source:
                    text = source.read(MAX_TEXT + 1)
        except (OSError, UnicodeDecodeError) as exc:
            return _fail(f"cannot read {args.file}: {exc}")
        if len(text) > MAX_TEXT:
            return _fail(f"{args.file} is longer than {MAX_TEXT:,} characters")
        found = find_deadlines(
            text, date=date, rule=options.rule, calendar=options.calendar, tz=options.tz
        )
    except DeadlineError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps([_found_json(item) for item in found], ensure_ascii=False))
        return 0
    if not found:
        print("No deadlines found.")
    for item in found:
        due = item.due
        local = due.due_at.astimezone(zone(due.timezone))
        when = f" {local:%H:%M} {due.timezone}" if due.has_time else ""
        print(item.sentence)
        print(
            f"  Due: {format_day(due.due)}{when}  ({item.period}; day 0 {format_day(item.start)},"
            f" from {item.start_note}; {due.rule} rule, {due.calendar})"
        )
    return 0


def _found_json(item: Any) -> dict[str, Any]:
    from bot.deadlines import zone

    due = item.due
    return {
        "sentence": item.sentence,
        "title": item.title,
        "period": item.period,
        "start": item.start.isoformat(),
        "start_from": item.start_note,
        "rule": due.rule.value,
        "calendar": due.calendar,
        "due": due.due.isoformat(),
        "due_at": due.due_at.astimezone(zone(due.timezone)).isoformat(),
        "explanation": list(due.explanation),
    }


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from bot.config import ConfigError, require_token
    from bot.logs import configure_logging

    try:
        config = _load_config(args.config, warn=False)  # logged below: the log is on stderr
        require_token(config)
    except ConfigError as exc:
        hint = " Meanwhile, try the calculator: python -m bot due 'Bondi letter, 30 days'"
        return _fail(f"{exc}.{hint}" if "no Discord token" in str(exc) else str(exc))
    configure_logging(config)
    for warning in config.warnings:
        logging.getLogger(__name__).warning("%s", warning)
    from bot.app import serve

    try:
        asyncio.run(serve(config))
    except ConfigError as exc:
        return _fail(str(exc))
    return 0


# -- operating the bot: invite-url, backup, restore, health --------------------------------


def _add_operations(sub: argparse._SubParsersAction[_Parser]) -> None:
    invite = sub.add_parser(
        "invite-url",
        help="print the link that adds the bot to a server",
        description="Print the invite link with exactly the permissions the bot needs. The "
        "client id is read from the token unless given.",
    )
    invite.add_argument("--client-id", type=int, help="the application's client id")
    invite.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    invite.set_defaults(handler=_invite_url)

    backup = sub.add_parser(
        "backup", help="copy the database while the bot runs (SQLite online backup)"
    )
    backup.add_argument("dest", help="a file, or a folder to put a dated copy in")
    backup.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    backup.set_defaults(handler=_backup)

    restore = sub.add_parser(
        "restore", help="replace the database with a backup (only while the bot is stopped)"
    )
    restore.add_argument("src", help="the backup file")
    restore.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    restore.set_defaults(handler=_restore)

    health = sub.add_parser(
        "health", help="exit 0 if the running bot is healthy, 1 if not, with the reason"
    )
    health.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    health.set_defaults(handler=_health)


def _invite_url(args: argparse.Namespace) -> int:
    from bot.config import ConfigError
    from bot.operations import client_id_from_token, invite_url

    client_id = args.client_id
    if client_id is None:
        try:
            token = _load_config(args.config).discord.token.get_secret_value()
        except ConfigError as exc:
            return _fail(str(exc))
        if not token.strip():
            return _fail(
                "give --client-id (the Developer Portal's OAuth2 page shows it), or set "
                "DISCORD_TOKEN so it can be read from the token"
            )
        client_id = client_id_from_token(token.strip())
        if client_id is None:
            return _fail(
                "the Discord token is malformed: its first part is not an application id; "
                "copy it again from the Developer Portal's Bot page, or give --client-id"
            )
    if client_id <= 0:
        return _fail("--client-id must be a positive number")
    print(invite_url(client_id))
    return 0


def _backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.config import ConfigError
    from bot.operations import OperationError, backup

    try:
        config = _load_config(args.config)
        report = backup(config.database.path, Path(args.dest))
    except (ConfigError, OperationError) as exc:
        return _fail(str(exc))
    print(
        f"backed up {report.deadlines} deadlines ({report.size} bytes, schema "
        f"{report.schema_version}) to {report.path}"
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.config import ConfigError
    from bot.operations import OperationError, restore

    try:
        config = _load_config(args.config)
        report, kept = restore(Path(args.src), config.database.path)
    except (ConfigError, OperationError) as exc:
        return _fail(str(exc))
    print(f"restored {report.deadlines} deadlines from {report.path} to {config.database.path}")
    if kept is not None:
        print(f"the replaced database was kept as {kept}")
    return 0


def _health(args: argparse.Namespace) -> int:
    from bot.config import ConfigError
    from bot.operations import OperationError, read_heartbeat, verdict

    try:
        config = _load_config(args.config)
        healthy, reason = verdict(read_heartbeat(config.database.path), now=dt.datetime.now(dt.UTC))
    except (ConfigError, OperationError) as exc:
        print(f"unhealthy: {exc}")
        return 1
    print(reason if healthy else f"unhealthy: {reason}")
    return 0 if healthy else 1


# -- export: a server's deadlines as a file, without Discord ---------------------------------


def _add_export(sub: argparse._SubParsersAction[_Parser]) -> None:
    export = sub.add_parser(
        "export",
        help="write a server's deadlines as iCalendar or CSV to stdout, without Discord",
        description="Read the database (database.path) and write the server's deadlines to "
        "stdout, e.g.: python -m bot export --guild 123456789012345678 --format csv > "
        "deadlines.csv",
    )
    export.add_argument(
        "--guild",
        metavar="ID",
        required=True,
        help="the server's id, e.g. 123456789012345678 (Developer Mode: Copy Server ID)",
    )
    export.add_argument("--format", dest="fmt", default="ics", help="ics (default) or csv")
    export.add_argument(
        "--all",
        dest="include_all",
        action="store_true",
        help="done and deleted deadlines too (default: active ones)",
    )
    export.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    import asyncio
    import re
    import sqlite3

    from bot.config import ConfigError
    from bot.export import FORMATS, render
    from bot.storage import StorageError

    example = "for example: --guild 123456789012345678"
    if not re.fullmatch(r"[0-9]{1,20}", args.guild.strip()) or int(args.guild) == 0:
        return _fail(f"--guild {args.guild[:40]!r} is not a server id ({example})")
    fmt = args.fmt.strip().lower()
    if fmt not in FORMATS:
        return _fail(f"--format {args.fmt[:20]!r}: use one of {', '.join(FORMATS)}")
    try:
        config = _load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    path = config.database.path
    if not path.is_file():
        # Opening would create an empty database: a wrong path must not look like no deadlines.
        return _fail(f"no database at {path} (database.path in the config)")
    try:
        data = asyncio.run(_read_export(config, int(args.guild), include_all=args.include_all))
    except (StorageError, sqlite3.Error) as exc:
        return _fail(f"database {path}: {exc}")
    sys.stdout.buffer.write(render(fmt, data))
    sys.stdout.flush()
    if not data.deadlines:
        which = "" if args.include_all else "active "
        print(f"note: server {int(args.guild)} has no {which}deadlines in {path}", file=sys.stderr)
    return 0


async def _read_export(config: Config, guild_id: int, *, include_all: bool) -> DeadlineExport:
    from bot.clock import SystemClock
    from bot.service import Services
    from bot.storage import SqliteStore

    async with SqliteStore.open(config.database.path) as store:
        services = Services.over(store, clock=SystemClock(), defaults=config.guild_defaults())
        return await services.feeds.export(guild_id, include_all=include_all)


# -- import: a spreadsheet of deadlines into a server, without Discord -----------------------


def _add_import(sub: argparse._SubParsersAction[_Parser]) -> None:
    command = sub.add_parser(
        "import",
        help="import deadlines from a CSV file into a server (while the bot is stopped)",
        description="Read a CSV file (the bot's own CSV export, or a sheet with a title column "
        "and a due or text column) and add its deadlines to the server, all or nothing, e.g.: "
        "python -m bot import deadlines.csv --guild 123456789012345678 --dry-run",
    )
    command.add_argument("file", help="a CSV file (UTF-8; commas, semicolons or tabs)")
    command.add_argument(
        "--guild",
        metavar="ID",
        required=True,
        help="the server's id, e.g. 123456789012345678 (Developer Mode: Copy Server ID)",
    )
    command.add_argument(
        "--channel",
        metavar="ID",
        help="alert channel for rows without one (default: the server's alert channel)",
    )
    command.add_argument(
        "--dry-run", action="store_true", help="check the file and show what would be added"
    )
    command.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    command.set_defaults(handler=_import)


def _snowflake(value: str | None) -> int | None:
    """A Discord id as typed (digits, or <#id> for a channel); None if it is not one."""
    import re

    found = re.fullmatch(r"<#([0-9]{1,20})>|([0-9]{1,20})", (value or "").strip())
    if found is None:
        return None
    number = int(found.group(1) or found.group(2))
    return number if 0 < number < 2**63 else None


def _import(args: argparse.Namespace) -> int:
    import asyncio
    import sqlite3
    from pathlib import Path

    from bot.config import ConfigError
    from bot.operations import OperationError, instance_lock
    from bot.service import UserError
    from bot.service.imports import SheetProblems
    from bot.storage import StorageError

    guild_id = _snowflake(args.guild)
    if guild_id is None or args.guild.strip().startswith("<"):
        return _fail(f"--guild {args.guild[:40]!r} is not a server id (for example: --guild "
                     "123456789012345678)")  # fmt: skip
    channel_id = _snowflake(args.channel) if args.channel is not None else None
    if args.channel is not None and channel_id is None:
        return _fail(f"--channel {args.channel[:40]!r} is not a channel id (for example: "
                     "--channel 123456789012345678)")  # fmt: skip
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        config = _load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    path = config.database.path
    if not path.is_file():
        # Opening would create an empty database the bot may never read: a wrong path must
        # not swallow an import.
        return _fail(
            f"no database at {path} (database.path in the config); start the bot once to create it"
        )

    def progress(rows: int) -> None:
        print(f"read {rows:,} rows...", file=sys.stderr, flush=True)

    try:
        # The running bot keeps its alert schedule and settings in memory, and a big import
        # holds the database for seconds: import while it is stopped (or with /deadline
        # import). A dry run writes nothing and may run beside it.
        with contextlib.ExitStack() as stack:
            if not args.dry_run:
                stack.enter_context(instance_lock(path))
            result = asyncio.run(
                _import_file(config, guild_id, data, channel_id, args.dry_run, progress)
            )
    except OperationError as exc:
        message = str(exc)
        if "in use" in message:
            message += ", or use /deadline import in Discord (or --dry-run to check the file)"
        return _fail(message)
    except SheetProblems as exc:
        print(f"error: {args.file}: {exc.message.splitlines()[0]}", file=sys.stderr)
        for line in exc.message.splitlines()[1:]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        return _fail(f"{args.file}: {exc}")
    except (StorageError, sqlite3.Error) as exc:
        return _fail(f"database {path}: {exc}")
    for line in _import_lines(result, args.file):
        print(line)
    return 0


async def _import_file(
    config: Config,
    guild_id: int,
    data: bytes,
    channel_id: int | None,
    dry_run: bool,
    progress: Any,
) -> Any:
    from bot.clock import SystemClock
    from bot.service import Services
    from bot.storage import SqliteStore

    async with SqliteStore.open(config.database.path) as store:
        services = Services.over(store, clock=SystemClock(), defaults=config.guild_defaults())
        return await services.imports.import_sheet(
            guild_id, data, actor=None, channel_id=channel_id, dry_run=dry_run, progress=progress
        )


def _import_lines(result: Any, name: str) -> list[str]:
    from bot.deadlines import format_day, zone

    count = result.count
    noun = "deadline" if count == 1 else "deadlines"
    if result.dry_run:
        lines = [f"dry run: {name} would add {count:,} {noun} to server {result.guild_id}; "
                 "nothing was saved"]  # fmt: skip
    elif count:
        last = result.first_id + count - 1
        numbers = f"#{result.first_id}" if count == 1 else f"#{result.first_id}-#{last}"
        lines = [f"imported {count:,} {noun} from {name} into server {result.guild_id} "
                 f"({numbers})"]  # fmt: skip
    else:
        lines = [f"{name} holds no deadlines to import; nothing was saved"]
    if result.skipped:
        lines.append(f"skipped {result.skipped:,} done or deleted deadlines (status column)")
    if result.ignored_columns:
        lines.append(f"ignored columns: {', '.join(result.ignored_columns)}")
    for row in result.first_rows:
        new = row.deadline
        when = format_day(new.due)
        if new.has_time:
            when += f" {new.due_at.astimezone(zone(result.timezone)):%H:%M} {result.timezone}"
        lines.append(f"  row {row.row}: {new.title} - due {when} ({new.period}; {new.rule} rule)"
                     f" in <#{new.channel_id}>")  # fmt: skip
    if count > len(result.first_rows):
        lines.append(f"  ... and {count - len(result.first_rows):,} more")
    return lines
