"""Pure export: a guild's deadlines as an iCalendar file (RFC 5545) or a CSV table.

No I/O, no clock: the output depends only on the arguments, so the same deadlines always
give the same bytes (the calendar feed's ETag relies on it; see `fingerprint`).

Calendar apps match events by UID, so every deadline keeps one UID for life and re-importing
a file, or refreshing a subscribed feed, updates events instead of duplicating them; SEQUENCE
is the deadline's revision, bumped on every change.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final, Literal

import icalendar

from bot.deadlines import format_day
from bot.models import Deadline, DeadlineExport, GuildSettings, MentionKind, Status
from bot.planning import deadline_zone, local_instant

Format = Literal["ics", "csv"]
FORMATS: Final[tuple[Format, ...]] = ("ics", "csv")
MEDIA_TYPES: Final[dict[Format, str]] = {
    "ics": "text/calendar; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
PRODID: Final = "-//Deadline Desk//Deadline Desk//EN"
DEFAULT_NAME: Final = "Deadline Desk"
# How often subscribed calendars should refresh (Apple and Outlook honour it; Google polls
# on its own schedule, every several hours).
REFRESH: Final = dt.timedelta(hours=1)
# Bump when the output changes for the same input, so cached feeds (ETags) are refreshed.
OUTPUT_VERSION: Final = 1

CSV_COLUMNS: Final = (
    "id",
    "title",
    "status",
    "start",
    "rule",
    "calendar",
    "due",
    "due_at",
    "channel",
    "mention",
    "link",
    "notes",
    "created_by",
    "created_at",
)

# RFC 5545 TEXT may not hold control characters other than HTAB (newlines are escaped).
_ICS_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Spreadsheets run a cell starting with these as a formula (CSV injection, OWASP).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n")


def uid(deadline: Deadline) -> str:
    """The event's UID: stable for the deadline's whole life, unique across guilds."""
    return f"deadline-{deadline.guild_id}-{deadline.id}@deadline-desk"


def render(fmt: Format, export: DeadlineExport) -> bytes:
    """The export in `fmt` ("ics" or "csv"), as the bytes of a file."""
    if fmt == "ics":
        return ics_calendar(export.deadlines, export.settings, name=export.name)
    return csv_table(export.deadlines, export.settings)


def fingerprint(fmt: Format, export: DeadlineExport) -> str:
    """A digest of everything `render(fmt, export)` depends on: equal digests, equal bytes.

    Cheap next to rendering (which takes seconds for thousands of deadlines), so a feed can
    answer "not modified" without rendering.
    """
    data = repr((OUTPUT_VERSION, icalendar.__version__, fmt, export))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# -- iCalendar --------------------------------------------------------------------------------


def ics_calendar(
    deadlines: Iterable[Deadline], settings: GuildSettings, *, name: str = ""
) -> bytes:
    """An iCalendar file with one VEVENT per deadline, CRLF line ends, UTF-8.

    Date-only deadlines are all-day events on the due date; timed ones start at `due_at`
    (UTC) and have no length. Each event has a display alarm per reminder day of `settings`,
    at the alert time, as the bot's own reminders.
    """
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    title = f"{DEFAULT_NAME}: {name}" if name else DEFAULT_NAME
    calendar.add("x-wr-calname", _text(title))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for deadline in deadlines:
        calendar.add_component(_event(deadline, settings))
    data: bytes = calendar.to_ical()
    return data


def _event(deadline: Deadline, settings: GuildSettings) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid(deadline))
    # Without a METHOD, DTSTAMP is when the event last changed (RFC 5545 3.8.7.2); using the
    # deadline's update time, not "now", keeps the file identical until something changes.
    event.add("dtstamp", deadline.updated_at)
    event.add("created", deadline.created_at)
    event.add("last-modified", deadline.updated_at)
    event.add("sequence", deadline.revision)
    if deadline.has_time:
        event.add("dtstart", deadline.due_at.astimezone(dt.UTC))
    else:
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + dt.timedelta(days=1))
    event.add("summary", _text(_summary(deadline)))
    event.add("description", _text(_description(deadline, settings)))
    if deadline.link:
        event.add("url", deadline.link)
    # A cancelled (deleted) deadline is CANCELLED, so calendars drop or strike it. A done one
    # stays CONFIRMED with "Done:" in its title: calendar events have no "completed" state,
    # and CANCELLED would make Google Calendar hide it from an export of everything.
    event.add("status", "CANCELLED" if deadline.status is Status.CANCELLED else "CONFIRMED")
    event.add("x-deadline-desk-status", deadline.status.value)
    # A deadline does not make anyone busy: keep it out of free/busy scheduling.
    event.add("transp", "TRANSPARENT")
    if deadline.status is Status.ACTIVE:
        for days in sorted(set(settings.reminder_days), reverse=True):
            event.add_component(_alarm(deadline, settings, days))
    return event


def _alarm(deadline: Deadline, settings: GuildSettings, days: int) -> icalendar.Alarm:
    """A display alarm at the alert time `days` before the due date, relative to the start."""
    if deadline.has_time:
        # The start is an instant: the exact time from the reminder to it, DST included.
        tz = deadline_zone(deadline, settings)
        remind_at = local_instant(deadline.due - dt.timedelta(days=days), settings.alert_time, tz)
        trigger = remind_at - deadline.due_at
    else:
        # The start is midnight of the due date wherever the calendar is shown: 09:00 seven
        # days before is 6 days and 15 hours before it (-P6DT15H).
        into_day = dt.timedelta(hours=settings.alert_time.hour, minutes=settings.alert_time.minute)
        trigger = -dt.timedelta(days=days) + into_day
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", trigger)
    when = "tomorrow" if days == 1 else f"in {days} days"
    alarm.add("description", _text(f"{deadline.title}: due {when}"))
    return alarm


def _summary(deadline: Deadline) -> str:
    if deadline.status is Status.DONE:
        return f"Done: {deadline.title}"
    if deadline.status is Status.CANCELLED:
        return f"Cancelled: {deadline.title}"
    return deadline.title


def _description(deadline: Deadline, settings: GuildSettings) -> str:
    if deadline.has_time:
        tz = deadline_zone(deadline, settings)
        local = deadline.due_at.astimezone(tz)
        due = f"Due {format_day(deadline.due)} {local:%H:%M} {tz.key}"
    else:
        due = f"Due {format_day(deadline.due)}"
    lines = [
        f"{due} ({deadline.period}; {deadline.rule.value} rule, {deadline.calendar} holidays)",
        "How it was counted:",
        *(f"- {step}" for step in deadline.explanation),
    ]
    if deadline.link:
        lines.append(f"Link: {deadline.link}")
    if deadline.notes:
        lines.append(f"Notes: {deadline.notes}")
    state = "" if deadline.status is Status.ACTIVE else f" ({deadline.status.value})"
    lines.append(f"Deadline Desk #{deadline.id}{state}")
    return "\n".join(lines)


def _text(value: str) -> str:
    """User text fit for an iCalendar TEXT value (icalendar escapes , ; \\ and newlines)."""
    return _ICS_CONTROL.sub(" ", _visible(value).replace("\r\n", "\n").replace("\r", "\n"))


def _visible(value: str) -> str:
    """`value` without format characters (zero-width, byte-order marks, bidi overrides): a
    title stored before the bot stripped them must not reorder or hide text in a calendar
    or a spreadsheet either."""
    if value.isascii():
        return value
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")


# -- CSV --------------------------------------------------------------------------------------


def csv_table(deadlines: Iterable[Deadline], settings: GuildSettings) -> bytes:
    """A CSV table, one row per deadline under a header of CSV_COLUMNS.

    UTF-8 with a byte-order mark: without it Excel reads the file as the local ANSI code page
    and mangles every accent and emoji. RFC 4180 quoting and CRLF rows (the csv module's
    default). Instants are ISO 8601 in the deadline's time zone, with the offset. Discord ids
    are written as mentions (<#channel>, <@user>, <@&role>): spreadsheets would round an
    18-digit number. Cells that a spreadsheet would run as a formula start with a quote.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for deadline in deadlines:
        writer.writerow([_cell(value) for value in _row(deadline, settings)])
    return buffer.getvalue().encode("utf-8-sig")


def _row(deadline: Deadline, settings: GuildSettings) -> Sequence[str]:
    tz = deadline_zone(deadline, settings)
    mention = ""
    if deadline.mention is not None:
        prefix = "@&" if deadline.mention.kind is MentionKind.ROLE else "@"
        mention = f"<{prefix}{deadline.mention.id}>"
    return (
        str(deadline.id),
        deadline.title,
        deadline.status.value,
        deadline.start.isoformat(),
        deadline.rule.value,
        deadline.calendar,
        deadline.due.isoformat(),
        deadline.due_at.astimezone(tz).isoformat(timespec="seconds"),
        f"<#{deadline.channel_id}>",
        mention,
        deadline.link or "",
        deadline.notes or "",
        f"<@{deadline.created_by}>",
        deadline.created_at.astimezone(tz).isoformat(timespec="seconds"),
    )


def _cell(value: str) -> str:
    """`value`, with a leading quote if a spreadsheet would take it for a formula.

    Someone opening an export must not run a formula that another member typed as a title.
    """
    value = _visible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value
