"""Reading a spreadsheet (CSV bytes) into deadlines to import: pure, no SQL, no Discord.

Takes the bot's own CSV export (`bot/export.py`) and plain newsroom sheets: a title and a
due date, or a title and a phrase the engine reads ("30 days", "20 business days"). Every
problem is named by the row as a spreadsheet numbers it (the header is row 1) and by the
column as the file names it, with an example of what works. Here in the service package,
not beside `bot/export.py`, because it checks each cell with the same checks as `add`
(`checks.py`), which the layers below may not import.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from bot.deadlines import (
    AmbiguousPhrase,
    Computation,
    Rule,
    UserError,
    calculate,
    format_day,
    holiday_calendar,
    zone,
)
from bot.models import Mention, MentionKind, NewDeadline

from .checks import check_link, check_notes, check_title, clean
from .errors import ValidationError
from .stages import new_deadline

MAX_ERRORS: Final = 20  # problems listed; the rest are counted
PROGRESS_EVERY: Final = 10_000  # rows between two progress reports
END_OF_DAY: Final = dt.time(23, 59, 59)  # what a date-only deadline's due_at is, locally
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n")  # as bot/export.py escapes
_MAX_ID: Final = 2**63 - 1

# Header names, lowercased with spaces for "_" and "-": the field each one fills.
_ALIASES: Final = {
    "title": ("title", "name", "subject", "item", "deadline title"),
    "due": ("due", "due date", "deadline", "date due", "due on", "due by"),
    "due_at": ("due at",),
    "text": ("text", "phrase", "period", "time limit"),
    "start": ("start", "from", "start date", "start on", "day 0"),
    "channel": ("channel", "alert channel", "channel id"),
    "mention": ("mention", "ping"),
    "link": ("link", "url"),
    "notes": ("notes", "note", "description", "comments"),
    "rule": ("rule", "counting", "counting rule"),
    "calendar": ("calendar", "holiday calendar", "holidays"),
    "status": ("status",),
    "id": ("id",),  # the export's own numbers: a server's next ids are given anew
    "created_by": ("created by", "added by"),
    "created_at": ("created at", "added at"),
    # The export's, not read: a paused row is refused by its status, and an imported row
    # is a plain deadline, without a records-law stage.
    "left": ("left",),
    "stage": ("stage",),
}
_FIELD_OF: Final = {alias: field for field, names in _ALIASES.items() for alias in names}
_SKIPPED_STATUSES: Final = ("done", "cancelled")

_CHANNEL: Final = re.compile(r"<#([0-9]{1,20})>|([0-9]{1,20})")
_MENTION: Final = re.compile(r"<@(!|&)?([0-9]{1,20})>")
_USER: Final = re.compile(r"<@!?([0-9]{1,20})>|([0-9]{1,20})")
_SLASH_DATE: Final = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{2}|[0-9]{4})")
_DOT_DATE: Final = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_TIME: Final = re.compile(
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE
)
_OFFSET: Final = re.compile(r"(Z|[+-][0-9]{2}:?[0-9]{2})$", re.IGNORECASE)
_DATE_EXAMPLE: Final = "2025-08-15, or 2025-08-15 17:00"


class CellError(ValidationError):
    """A cell that cannot be used (the reader adds its row and column), or a file that is
    no sheet at all."""


@dataclass(frozen=True, slots=True)
class SheetContext:
    """What a row does not say: the server's settings, the clock, who imports."""

    guild_id: int
    timezone: str
    counting: Rule
    calendar: str
    now: dt.datetime
    created_by: int
    default_channel_id: int | None = None
    close_of_business: dt.time = dt.time(17, 0)


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    deadline: NewDeadline
    channel_named: bool  # the row gave its channel (else it is the default one)


@dataclass(frozen=True, slots=True)
class Sheet:
    """What a file holds: the deadlines to import, or the problems (then `rows` is empty)."""

    rows: tuple[SheetRow, ...]
    problems: tuple[str, ...] = ()  # the first MAX_ERRORS, each "row N, column: ..."
    problem_count: int = 0
    skipped: int = 0  # done and deleted deadlines (an export of everything): not imported
    ignored_columns: tuple[str, ...] = ()


def read_sheet(
    data: bytes, context: SheetContext, *, progress: Callable[[int], None] | None = None
) -> Sheet:
    """The deadlines in CSV `data`, or every problem with them; `progress` is told the rows
    read every PROGRESS_EVERY rows. Raises CellError only for a file that is no table at all
    (not UTF-8, no header, no title column)."""
    text = _decode(data)
    delimiter = _delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(records, None)
    except csv.Error as exc:
        raise CellError(f"row 1 (the header) is not CSV: {exc}") from None
    if header is None or not any(cell.strip() for cell in header):
        raise CellError(
            "the file is empty: the first row must name the columns",
            example="title,due  or  title,text,start",
        )
    columns, ignored = _columns(header)
    reader = _RowReader(context, columns, header)
    rows: list[SheetRow] = []
    errors = _Problems()
    no_channel: list[int] = []
    skipped = 0
    number = 1
    while True:
        try:
            record = next(records, None)
        except csv.Error as exc:
            errors.add(f"row {number + 1}: not CSV ({exc})")
            break
        if record is None:
            break
        number += 1
        if progress is not None and (number - 1) % PROGRESS_EVERY == 0:
            progress(number - 1)
        if not any(cell.strip() for cell in record):
            continue  # an empty line, or Excel's ";;;" under a table
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            errors.add(
                f"row {number}: {len(record)} cells, but the header names {len(header)} "
                "columns (a comma or semicolon in a cell must be inside double quotes)"
            )
            continue
        try:
            read = reader.read(record, number)
        except _RowProblem as problem:
            errors.add(problem.text)
            continue
        if read is None:
            skipped += 1
        elif read.deadline.channel_id == 0:
            no_channel.append(number)
        elif not errors.count:
            rows.append(read)
    if no_channel:
        errors.add(
            f"{_rows_text(no_channel)}: no channel, and there is no default one: add a channel "
            "column (<#id> or a channel id), give one for the whole file, or set the server's "
            "alert channel (/deadline settings channel)"
        )
    if errors.count:
        return Sheet((), errors.shown(), errors.count, skipped, ignored)
    return Sheet(tuple(rows), (), 0, skipped, ignored)


class _Problems:
    def __init__(self) -> None:
        self.count = 0
        self._shown: list[str] = []

    def add(self, text: str) -> None:
        self.count += 1
        if len(self._shown) < MAX_ERRORS:
            self._shown.append(text)

    def shown(self) -> tuple[str, ...]:
        return tuple(self._shown)


class _RowProblem(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CellError(
            "the file is UTF-16 (Excel's 'Unicode Text'); save it as CSV UTF-8",
            example="Excel: File > Save As > CSV UTF-8 (Comma delimited)",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CellError(
            f"the file is not UTF-8 text (line {line}): save it as CSV UTF-8",
            example="Excel: File > Save As > CSV UTF-8 (Comma delimited)",
        ) from None
    if "\x00" in text:
        raise CellError("the file holds NUL bytes: it is not a CSV text file", example="a .csv")
    return text


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel where the decimal mark is a comma) or tab: whichever the
    header line holds most of, outside quotes."""
    line = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _normal(name: str) -> str:
    return " ".join(clean(name).strip().lower().replace("_", " ").replace("-", " ").split())


def _columns(header: Sequence[str]) -> tuple[dict[str, int], tuple[str, ...]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        field = _FIELD_OF.get(_normal(name))
        if field is None:
            if name.strip():
                ignored.append(clean(name).strip()[:40])
            continue
        if field in columns:
            first = header[columns[field]].strip()
            raise CellError(
                f"columns {first!r} and {name.strip()!r} both give the {field.replace('_', ' ')}; "
                "keep one",
                example="title,due,channel",
            )
        columns[field] = index
    if "title" not in columns and "text" not in columns:
        raise CellError(
            "no title column: the first row must name the columns, one of them title",
            example="title,due  or  title,text,start",
        )
    if not {"due", "due_at", "text"} & columns.keys():
        raise CellError(
            "no due date column: add due (a date) or text (a phrase such as 30 days)",
            example="title,due  or  title,text,start",
        )
    return columns, tuple(ignored)


class _RowReader:
    """Reads one record into a deadline; caches what rows share (engine results, checks)."""

    def __init__(self, context: SheetContext, columns: dict[str, int], header: Sequence[str]):
        self.context = context
        self.columns = columns
        self.names = {field: header[index].strip() or field for field, index in columns.items()}
        self.tz = zone(context.timezone)
        self.today = context.now.astimezone(self.tz).date()
        self._computed: dict[tuple[str, dt.date, Rule | None, str], Computation] = {}
        self._calendars: dict[str, str] = {}

    def _cell(self, record: Sequence[str], field: str) -> str:
        index = self.columns.get(field)
        if index is None or index >= len(record):
            return ""
        value = record[index]
        if field != "notes":  # notes keep their line breaks: check_notes cleans them
            value = clean(value)
        # Our export writes a cell a spreadsheet would run as a formula with a leading quote.
        if value[:1] == "'" and value[1:2] and value[1:2] in _FORMULA_START:
            value = value[1:]
        return value.strip()

    def read(self, record: Sequence[str], number: int) -> SheetRow | None:
        """The row's deadline (channel 0: none given, no default); None for a row of a done
        or deleted deadline. Raises _RowProblem naming the row and column."""
        field = "status"
        try:
            status = self._cell(record, "status").lower()
            if status in _SKIPPED_STATUSES:
                return None
            if status == "paused":
                raise CellError(
                    "a paused deadline's due date is the one before its pause, not its due "
                    "date: resume it and export again, or write its due date and status active",
                    example="active",
                )
            if status not in ("", "active"):
                raise CellError(
                    f"{status[:20]!r} is not a status; rows that are done or cancelled are skipped",
                    example="active",
                )
            field = "rule"
            rule_text = self._cell(record, "rule")
            rule = Rule.parse(rule_text) if rule_text else None
            field = "calendar"
            calendar = self._calendar(self._cell(record, "calendar"))
            field = "start"
            start_text = self._cell(record, "start")
            start = _date_only(start_text) if start_text else None
            field = "title"
            title_text = self._cell(record, "title")
            title = check_title(title_text) if title_text else None
            phrase = self._cell(record, "text")
            if title is None and not phrase:
                raise CellError("no title: fill in the title column", example="Bondi letter")
            due_text, due_at_text = self._cell(record, "due"), self._cell(record, "due_at")
            if phrase and (due_text or due_at_text):
                field = "text"
                raise CellError(
                    "the row gives both a due date and a phrase; keep one",
                    example="30 days (text) or 2025-08-15 (due)",
                )
            if phrase:
                field = "text"
                new = self._from_phrase(phrase, title, start, rule, calendar)
            elif due_text or due_at_text:
                field = "due" if due_text else "due_at"
                new = self._from_due(due_text, due_at_text, title, start, rule, calendar)
            else:
                field = "due" if "due" in self.columns else ("text" if "text" in self.columns
                                                             else "due_at")  # fmt: skip
                raise CellError(
                    "no due date: fill in a date in due, or a phrase in text",
                    example=f"{_DATE_EXAMPLE}; or 30 days",
                )
            field = "channel"
            channel_text = self._cell(record, "channel")
            channel = _channel(channel_text) if channel_text else None
            field = "mention"
            mention = self._mention(self._cell(record, "mention"))
            field = "link"
            link = check_link(self._cell(record, "link"))
            field = "notes"
            notes = check_notes(self._cell(record, "notes") or None)
            field = "created_by"
            by_text = self._cell(record, "created_by")
            created_by = _user(by_text) if by_text else self.context.created_by
            field = "created_at"
            at_text = self._cell(record, "created_at")
            created_at = self._instant(at_text) if at_text else self.context.now
        except UserError as exc:
            name = self.names.get(field, field.replace("_", " "))
            raise _RowProblem(f"row {number}, {name}: {exc}") from None
        deadline = dataclasses.replace(
            new,
            channel_id=channel or self.context.default_channel_id or 0,
            mention=mention,
            link=link,
            notes=notes,
            created_by=created_by,
            created_at=created_at,
        )
        return SheetRow(number, deadline, channel is not None)

    def _calendar(self, name: str) -> str:
        if not name:
            return self.context.calendar
        known = self._calendars.get(name)
        if known is None:
            known = self._calendars[name] = holiday_calendar(name).name
        return known

    def _from_phrase(
        self, phrase: str, title: str | None, start: dt.date | None, rule: Rule | None,
        calendar: str,
    ) -> NewDeadline:  # fmt: skip
        day0 = start or self.today
        key = (phrase, day0, rule, calendar)
        result = self._computed.get(key)
        if result is None:
            try:
                result = calculate(
                    clean(phrase),
                    start=day0,
                    rule=rule or self.context.counting,
                    calendar=calendar,
                    tz=self.context.timezone,
                    now=self.context.now,
                    close_of_business=self.context.close_of_business,
                )
            except AmbiguousPhrase as exc:
                readings = " or ".join(repr(reading) for reading in exc.readings)
                raise CellError(
                    f"{phrase[:60]!r} reads more than one way: {readings}; write the one meant",
                    example=exc.readings[0],
                ) from None
            self._computed[key] = result
        if result.recurrence is not None:  # an import stores one-offs: never half a repeat
            raise CellError(
                f"{phrase[:60]!r} repeats ({result.recurrence.words}); add a repeating "
                "deadline with /deadline add, or give this occurrence's date",
                example="/deadline add text:Jail population report, every month on the 10th",
            )
        if title is None:
            if not result.title:
                raise CellError(
                    "no title: fill in the title column, or start the phrase with one",
                    example="Bondi letter, 30 days",
                )
            title = check_title(result.title)
        # As /deadline add makes it: a preset's stages, zone and extension are kept.
        return new_deadline(
            result, guild_id=self.context.guild_id, channel_id=0, title=title,
            created_by=self.context.created_by, created_at=self.context.now,
        )  # fmt: skip

    def _from_due(
        self, due_text: str, due_at_text: str, title: str | None, start: dt.date | None,
        rule: Rule | None, calendar: str,
    ) -> NewDeadline:  # fmt: skip
        assert title is not None  # read() refuses a row without either
        if due_at_text:  # our export: the instant (in UTC), the date beside it
            # Read where the newsroom is: the end of Jul 30 in New York is Jul 31 in UTC.
            written = self._aware(due_at_text).astimezone(self.tz)
            due = _date_only(due_text) if due_text else written.date()
            if written.date() != due:
                raise CellError(
                    f"due_at {due_at_text[:40]!r} is not on the due date {due}",
                    example="due 2025-08-15, due_at 2025-08-15T17:00:00-04:00",
                )
            # How the export writes a deadline without a time: the end of its due day.
            at = None if written.time() == END_OF_DAY else written.timetz()
            due_at = written.astimezone(dt.UTC)
        else:
            due, at, tz = _date_and_time(due_text, self.tz)
            if at is not None:
                due_at = dt.datetime.combine(due, at, tzinfo=tz).astimezone(dt.UTC)
        if not 1900 <= due.year <= 2200:
            raise CellError(f"{due} is outside 1900-2200", example=_DATE_EXAMPLE)
        day0 = start or min(self.today, due)
        steps = [f"day 0: {format_day(day0)} (start date)",
                 f"due date given in the imported sheet: {format_day(due)}"]  # fmt: skip
        if at is None:
            due_at = dt.datetime.combine(due, END_OF_DAY, tzinfo=self.tz).astimezone(dt.UTC)
            steps.append(f"due by the end of {format_day(due)} ({self.tz.key})")
            period = f"by {due.isoformat()}"
        else:
            local = due_at.astimezone(self.tz)
            steps.append(f"due at {local:%H:%M} {self.tz.key} on {format_day(local.date())}")
            period = f"by {due.isoformat()} {local:%H:%M}"
        return self._new(
            title, day0, rule or self.context.counting, calendar, period, due, due_at,
            at is not None, tuple(steps),
        )  # fmt: skip

    def _new(
        self, title: str, start: dt.date, rule: Rule, calendar: str, period: str, due: dt.date,
        due_at: dt.datetime, has_time: bool, explanation: tuple[str, ...],
    ) -> NewDeadline:  # fmt: skip
        return NewDeadline(
            guild_id=self.context.guild_id, channel_id=0, title=title, start=start, rule=rule,
            calendar=calendar, period=period, due=due, due_at=due_at, has_time=has_time,
            explanation=explanation, created_by=self.context.created_by,
            created_at=self.context.now,
        )  # fmt: skip

    def _instant(self, text: str) -> dt.datetime:
        """An ISO 8601 instant, in UTC; without an offset, it is in the server's zone."""
        return self._aware(text).astimezone(dt.UTC)

    def _aware(self, text: str) -> dt.datetime:
        """An ISO 8601 date and time with its offset; without one, in the server's zone."""
        try:
            value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise CellError(
                f"{text[:40]!r} is not a date and time", example="2025-08-15T17:00:00-04:00"
            ) from None
        return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)

    def _mention(self, text: str) -> Mention | None:
        if not text:
            return None
        found = _MENTION.fullmatch(text)
        if found is None:
            raise CellError(
                f"{text[:40]!r} is not a mention: write <@id> for a member or <@&id> for a role "
                "(names cannot be looked up)",
                example="<@&123456789012345678>",
            )
        kind = MentionKind.ROLE if found.group(1) == "&" else MentionKind.USER
        value = _id(found.group(2))
        if kind is MentionKind.ROLE and value == self.context.guild_id:
            raise CellError(
                "a deadline cannot ping @everyone; mention a role or a person",
                example="<@&123456789012345678>",
            )
        return Mention(kind, value)


def _id(digits: str) -> int:
    value = int(digits)
    if not 0 < value <= _MAX_ID:
        raise CellError(f"{digits[:22]} is not a Discord id", example="123456789012345678")
    return value


def _channel(text: str) -> int:
    found = _CHANNEL.fullmatch(text)
    if found is None:
        raise CellError(
            f"{text[:40]!r} is not a channel: write <#id> or the channel's id (Developer Mode: "
            "right-click the channel, Copy Channel ID); names cannot be looked up",
            example="<#123456789012345678>",
        )
    return _id(found.group(1) or found.group(2))


def _user(text: str) -> int:
    found = _USER.fullmatch(text)
    if found is None:
        raise CellError(f"{text[:40]!r} is not a member", example="<@123456789012345678>")
    value = int(found.group(1) or found.group(2))
    if value > _MAX_ID:
        raise CellError(f"{text[:40]!r} is not a member", example="<@123456789012345678>")
    return value


def _date_only(text: str) -> dt.date:
    day, at, _ = _date_and_time(text, None)
    if at is not None:
        raise CellError(f"{text[:40]!r}: give a date only", example="2025-07-17")
    return day


def _date_and_time(text: str, tz: dt.tzinfo | None) -> tuple[dt.date, dt.time | None, dt.tzinfo]:
    """A date, or a date and time: ISO 8601 (offset or Z allowed), m/d/yyyy as US
    spreadsheets write it, or d.m.yyyy; a time as 17:00, 5:00 PM or 17:00:00."""
    value = text.strip()
    zone_given: dt.tzinfo | None = None
    offset = _OFFSET.search(value) if len(value) > 10 else None
    if offset is not None:
        try:
            zone_given = dt.datetime.fromisoformat("2000-01-01T00:00" + offset.group(1)).tzinfo
        except ValueError:
            zone_given = None
        if zone_given is not None:
            value = value[: offset.start()].rstrip()
    date_part, _, time_part = value.replace("T", " ", 1).partition(" ")
    day = _parse_date(date_part.strip(), text)
    at = _parse_time(time_part.strip(), text) if time_part.strip() else None
    if zone_given is not None and at is None:
        raise CellError(f"{text[:40]!r}: a time zone without a time", example=_DATE_EXAMPLE)
    return day, at, zone_given or tz or dt.UTC


def _parse_date(part: str, text: str) -> dt.date:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", part):
            year, month, day = (int(x) for x in part.split("-"))
            return dt.date(year, month, day)
        if found := _SLASH_DATE.fullmatch(part):
            month, day, year = (int(x) for x in found.groups())
            if month > 12:
                raise CellError(
                    f"{text[:40]!r}: dates with slashes are month/day/year, and {month} is not "
                    "a month; write the date as year-month-day",
                    example="2025-08-15",
                )
            return dt.date(year + 2000 if year < 100 else year, month, day)
        if found := _DOT_DATE.fullmatch(part):
            day, month, year = (int(x) for x in found.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"{text[:40]!r} is not a date that exists", example="2025-08-15") from None
    raise CellError(f"{text[:40]!r} is not a date", example=_DATE_EXAMPLE)


def _parse_time(part: str, text: str) -> dt.time:
    found = _TIME.fullmatch(part)
    if found is not None:
        hour, minute = int(found.group(1)), int(found.group(2))
        second = int(found.group(3) or 0)
        half = (found.group(4) or "").lower().replace(".", "")
        if half and not 1 <= hour <= 12:
            found = None
        elif half:
            hour = hour % 12 + (12 if half == "pm" else 0)
        if found is not None and hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise CellError(f"{text[:40]!r}: the time is not one", example="2025-08-15 17:00")


def _rows_text(numbers: list[int]) -> str:
    """'rows 2-4, 7 and 9 more' for a list of row numbers."""
    spans: list[str] = []
    for start, end in _spans(numbers):
        spans.append(str(start) if start == end else f"{start}-{end}")
    shown = ", ".join(spans[:10])
    more = f" and {len(spans) - 10} more" if len(spans) > 10 else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def _spans(numbers: list[int]) -> Iterator[tuple[int, int]]:
    start = end = numbers[0]
    for number in numbers[1:]:
        if number == end + 1:
            end = number
            continue
        yield start, end
        start = end = number
    yield start, end


__all__ = [
    "MAX_ERRORS",
    "PROGRESS_EVERY",
    "CellError",
    "Sheet",
    "SheetContext",
    "SheetRow",
    "read_sheet",
]
