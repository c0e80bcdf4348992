"""Pure export: a guild's deadlines as an iCalendar file (RFC 5545) or a CSV table.

No I/O, no clock: the output depends only on the arguments, so the same deadlines always
give the same bytes (the calendar feed's ETag relies on it; see `fingerprint`).

Calendar apps match events by UID, so every deadline keeps one UID for life and re-importing
a file, or refreshing a subscribed feed, updates events instead of duplicating them; SEQUENCE
is the deadline's revision, bumped on every change, plus the guild's alarms version, bumped by
every settings change that rewrites the alarms. `EventCache` keeps each event's bytes, so a
feed of thousands renders only the events that changed; `stored_key` names those bytes for a
store that keeps them across restarts (the database's `ics_events`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import platform
import re
import unicodedata
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Final, Literal, NamedTuple

import icalendar

from bot.deadlines import format_day, occurrences, zone
from bot.deadlines.laws import preset_law
from bot.models import (
    Deadline,
    DeadlineExport,
    GuildSettings,
    GuildVersion,
    MentionKind,
    Status,
)
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
# 3: a paused deadline is TENTATIVE, "Paused:", without alarms; a repeat's RRULE; CSV columns
# left, stage and repeats
OUTPUT_VERSION: Final = 3

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
    "left",  # a paused deadline's days (or time) left when its clock stopped
    "stage",  # a records-law preset's stage: '1 of 2: acknowledge'
    "repeats",
)
# A repeat's event carries its RRULE; the dates its counting rule moves (a Sunday 10th due
# Monday the 11th, the current occurrence extended) are an EXDATE of the rule's date and an
# RDATE of the due date, for this many occurrences ahead (the feed moves on with the series).
SERIES_MOVED_AHEAD: Final = 24

# RFC 5545 TEXT may not hold control characters other than HTAB (newlines are escaped).
_ICS_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Spreadsheets run a cell starting with these as a formula (CSV injection, OWASP).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n")


def uid(deadline: Deadline) -> str:
    """The event's UID: stable for the deadline's whole life, unique across guilds."""
    return f"deadline-{deadline.guild_id}-{deadline.id}@deadline-desk"


def render(fmt: Format, export: DeadlineExport, *, cache: EventCache | None = None) -> bytes:
    """The export in `fmt` ("ics" or "csv"), as the bytes of a file.

    With `cache`, the iCalendar file is assembled from each event's bytes as icalendar
    serialized them, rendering only events it does not hold: the same bytes, much faster.
    """
    if fmt == "ics":
        if cache is not None:
            return b"".join(ics_pieces(export, cache))
        return ics_calendar(
            export.deadlines,
            export.settings,
            name=export.name,
            versions=export.versions,
            closed_as_cancelled=export.closed_as_cancelled,
        )
    return csv_table(export.deadlines, export.settings)


def fingerprint(fmt: Format, export: DeadlineExport) -> str:
    """A digest of everything `render(fmt, export)` depends on: equal digests, equal bytes.

    Cheap next to rendering (which takes seconds for thousands of deadlines), so a feed can
    answer "not modified" without rendering.
    """
    data = repr((OUTPUT_VERSION, icalendar.__version__, fmt, export))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def version_tag(
    settings: GuildSettings, versions: GuildVersion, *, name: str, closed_as_cancelled: bool
) -> str:
    """A digest that changes whenever a render of the guild's deadlines may: given the guild's
    change counters, without reading a deadline (a feed's ETag)."""
    data = repr(
        (OUTPUT_VERSION, icalendar.__version__, settings, versions, name, closed_as_cancelled)
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# -- iCalendar --------------------------------------------------------------------------------


_NO_VERSIONS: Final = GuildVersion()


class EventContext(NamedTuple):
    """Everything besides the deadline that one event's bytes depend on (a cache key part)."""

    timezone: str
    alert_time: dt.time
    reminder_days: tuple[int, ...]
    alarms_version: int
    alarms_changed_at: dt.datetime | None
    closed_as_cancelled: bool

    @property
    def settings(self) -> GuildSettings:
        # Only these fields of the settings reach an event: the cache key holds them all.
        return GuildSettings(
            guild_id=0,
            timezone=self.timezone,
            alert_time=self.alert_time,
            reminder_days=self.reminder_days,
        )


def event_context(export: DeadlineExport) -> EventContext:
    """What every event of `export` depends on besides its deadline."""
    return _context(
        export.settings, export.versions, closed_as_cancelled=export.closed_as_cancelled
    )


def stored_key(deadline: Deadline, context: EventContext) -> str:
    """A digest of everything the bytes of `deadline`'s event depend on, valid across
    processes (what the in-memory cache keys by the values themselves): equal keys, equal
    bytes. So stored bytes are used only while their key is the current one.

    Besides the deadline and the context: the output, icalendar and Python versions, and, for
    a timed deadline, the UTC offsets its time zone gives (a tz database update may move
    them). A file and a feed share the key of every deadline but a done one.
    """
    prefix = _key_prefix(context, context.closed_as_cancelled and deadline.status is Status.DONE)
    # A series' EXDATE and RDATE come from the holiday calendar too (a holidays update).
    facts = (_zone_facts(deadline, context), _series_dates(deadline, context))
    data = prefix + repr((deadline, facts)).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=64)
def _key_prefix(context: EventContext, cancels_done: bool) -> bytes:
    # closed_as_cancelled reaches an event only through a done deadline's STATUS.
    context = context._replace(closed_as_cancelled=cancels_done)
    versions = (OUTPUT_VERSION, icalendar.__version__, platform.python_version())
    return repr((versions, context)).encode("utf-8")


def _zone_facts(deadline: Deadline, context: EventContext) -> tuple[object, ...]:
    """The tz-database answers an event's bytes depend on: for a timed deadline, its local
    time's offset and the instants of its alarms (a date-only one's depend on none)."""
    if not deadline.has_time:
        return ()
    tz = zone(deadline.timezone or context.timezone)
    offset = deadline.due_at.astimezone(tz).utcoffset()
    if deadline.status is not Status.ACTIVE:
        return (offset,)
    return (
        offset,
        *(
            local_instant(deadline.due - dt.timedelta(days=days), context.alert_time, tz)
            for days in context.reminder_days
        ),
    )


def _context(
    settings: GuildSettings, versions: GuildVersion, *, closed_as_cancelled: bool
) -> EventContext:
    return EventContext(
        settings.timezone,
        settings.alert_time,
        tuple(settings.reminder_days),
        versions.alarms_version,
        versions.alarms_changed_at,
        closed_as_cancelled,
    )


def ics_calendar(
    deadlines: Iterable[Deadline],
    settings: GuildSettings,
    *,
    name: str = "",
    versions: GuildVersion = _NO_VERSIONS,
    closed_as_cancelled: bool = False,
) -> bytes:
    """An iCalendar file with one VEVENT per deadline, CRLF line ends, UTF-8.

    Date-only deadlines are all-day events on the due date; timed ones start at `due_at`
    (UTC) and have no length. Each event has a display alarm per reminder day of `settings`,
    at the alert time, as the bot's own reminders. `versions.alarms_version` is added to each
    event's SEQUENCE (and `alarms_changed_at` bounds its LAST-MODIFIED from below), so a
    settings change that rewrites the alarms makes calendars take the new ones.
    """
    calendar = _calendar(name)
    context = _context(settings, versions, closed_as_cancelled=closed_as_cancelled)
    for deadline in deadlines:
        calendar.add_component(_event(deadline, context))
    data: bytes = calendar.to_ical()
    return data


ICS_TAIL: Final = b"END:VCALENDAR\r\n"


def ics_head(name: str = "") -> bytes:
    """The calendar's lines before its first event, as `ics_calendar` writes them."""
    data: bytes = _calendar(name).to_ical()
    assert data.endswith(ICS_TAIL)
    return data.removesuffix(ICS_TAIL)


def ics_pieces(export: DeadlineExport, cache: EventCache) -> Iterator[bytes]:
    """The bytes of `render("ics", export)`, piece by piece: the head, each event (from
    `cache`, rendered on a miss), the tail. Lazily, so a caller can pause between events."""
    yield ics_head(export.name)
    context = event_context(export)
    for deadline in export.deadlines:
        yield cache.event(deadline, context)
    yield ICS_TAIL


class EventCache:
    """Each event's bytes, by everything they depend on (the whole deadline and the settings
    and versions an event reads), least recently used dropped beyond `max_bytes`.

    The key is the value itself, so nothing can make an entry stale: a changed deadline has
    another key. Not thread-safe: one event loop uses it.
    """

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._events: OrderedDict[tuple[Deadline, EventContext], bytes] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._events)

    @property
    def size(self) -> int:
        """The bytes held."""
        return self._bytes

    def __contains__(self, item: tuple[Deadline, EventContext]) -> bool:
        return item in self._events

    def put(self, deadline: Deadline, context: EventContext, data: bytes) -> None:
        """Hold `data` as the event's bytes (read from a store that had them: see
        `stored_key`), as if rendered here."""
        key = (deadline, context)
        if key in self._events:
            return
        self._events[key] = data
        self._bytes += len(data)
        self._trim()

    def event(self, deadline: Deadline, context: EventContext) -> bytes:
        key = (deadline, context)
        data = self._events.get(key)
        if data is not None:
            self.hits += 1
            self._events.move_to_end(key)
            return data
        self.misses += 1
        rendered: bytes = _event(deadline, context).to_ical()
        self._events[key] = data = rendered
        self._bytes += len(data)
        self._trim()
        return data

    def _trim(self) -> None:
        while self._bytes > self.max_bytes and self._events:
            _, dropped = self._events.popitem(last=False)
            self._bytes -= len(dropped)


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    title = f"{DEFAULT_NAME}: {name}" if name else DEFAULT_NAME
    # An X- property is TEXT (RFC 5545 3.8.8.2), but icalendar writes an unknown one raw:
    # vText escapes its commas, semicolons, backslashes and newlines.
    calendar.add("x-wr-calname", icalendar.vText(_text(title)))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    return calendar


def _event(deadline: Deadline, context: EventContext) -> icalendar.Event:
    settings = context.settings
    event = icalendar.Event()
    event.add("uid", uid(deadline))
    # Without a METHOD, DTSTAMP is when the event last changed (RFC 5545 3.8.7.2); using the
    # deadline's update time, not "now", keeps the file identical until something changes. A
    # settings change that rewrote the alarms is a change of every event.
    changed_at = deadline.updated_at
    if context.alarms_changed_at is not None and context.alarms_changed_at > changed_at:
        changed_at = context.alarms_changed_at
    event.add("dtstamp", changed_at)
    event.add("created", deadline.created_at)
    event.add("last-modified", changed_at)
    # Both only grow, so the sum does: calendars take an event only with a higher SEQUENCE.
    event.add("sequence", deadline.revision + context.alarms_version)
    series = _series_dates(deadline, context)
    if series:
        _add_series(event, deadline, series)
    elif deadline.has_time:
        event.add("dtstart", deadline.due_at.astimezone(dt.UTC))
    else:
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + dt.timedelta(days=1))
    event.add("summary", _text(_summary(deadline)))
    event.add("description", _text(_description(deadline, settings)))
    if deadline.link:
        event.add("url", uri(deadline.link))
    # A cancelled (deleted) deadline is CANCELLED, so calendars drop or strike it. A done one
    # stays CONFIRMED with "Done:" in its title in a file: calendar events have no "completed"
    # state, and CANCELLED would make Google Calendar hide it from an export of everything.
    # In a feed, which replaces what subscribers saw, a done one is CANCELLED too.
    cancelled = deadline.status is Status.CANCELLED or (
        context.closed_as_cancelled and deadline.status is Status.DONE
    )
    # A paused deadline's date is not its due date (it moves when the clock restarts):
    # TENTATIVE, "Paused:" in its title, and no alarm, as the bot sends none while paused.
    paused = deadline.status is Status.ACTIVE and deadline.paused_at is not None
    event.add("status", "CANCELLED" if cancelled else "TENTATIVE" if paused else "CONFIRMED")
    event.add("x-deadline-desk-status", "paused" if paused else deadline.status.value)
    # A deadline does not make anyone busy: keep it out of free/busy scheduling.
    event.add("transp", "TRANSPARENT")
    if deadline.status is Status.ACTIVE and not paused:
        for days in sorted(set(settings.reminder_days), reverse=True):
            event.add_component(_alarm(deadline, settings, days))
    return event


def uri(link: str) -> str:
    """`link` as a valid URI (RFC 3986): an IDNA host, the rest percent-encoded as UTF-8.

    Escapes already there are kept, and so is every character a URI may hold as it is:
    `https://例え.jp/パス?q=ü` -> `https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%C3%BC`.
    """
    if _URI_CHARS.fullmatch(link):
        return link
    parts = urllib.parse.urlsplit(link.strip())
    netloc = parts.netloc
    if netloc:
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport, "", ""
        if not hostport.startswith("[") and hostport.count(":") == 1:
            host, colon, port = hostport.partition(":")
        netloc = (
            (urllib.parse.quote(userinfo, safe=_URI_SAFE) + at if at else "")
            + _idna(host)
            + colon
            + urllib.parse.quote(port, safe="")
        )
    return urllib.parse.urlunsplit(
        (
            parts.scheme,
            netloc,
            urllib.parse.quote(parts.path, safe=_URI_SAFE),
            urllib.parse.quote(parts.query, safe=_URI_SAFE + "?"),
            urllib.parse.quote(parts.fragment, safe=_URI_SAFE + "?"),
        )
    )


_URI_CHARS: Final = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
# RFC 3986: unreserved and sub-delims, ":" "@" "/", and "%" (escapes already made).
_URI_SAFE: Final = "!$&'()*+,;=:@/%-._~"


def _idna(host: str) -> str:
    if host.isascii():
        return host
    try:
        return ".".join(
            label.encode("idna").decode("ascii") if not label.isascii() else label
            for label in host.split(".")
        )
    except UnicodeError:
        # Not a name IDNA can write (e.g. a label too long): percent-encoded is still a URI.
        return urllib.parse.quote(host, safe=_URI_SAFE)


def _series_dates(deadline: Deadline, context: EventContext) -> tuple[tuple[dt.date, dt.date], ...]:
    """For a repeat's current occurrence (active, not paused), its rule's dates ahead and
    their due dates, from the occurrence's own date (the event's DTSTART); else ()."""
    recurrence, nominal = deadline.recurrence, deadline.occurrence_on
    if (
        recurrence is None or nominal is None or not deadline.repeating
        or deadline.status is not Status.ACTIVE or deadline.paused_at is not None
    ):  # fmt: skip
        return ()
    found = occurrences(
        recurrence, nominal, count=SERIES_MOVED_AHEAD, rule=deadline.rule,
        calendar=deadline.calendar, tz=deadline.timezone or context.timezone,
    )  # fmt: skip
    # The current occurrence is due when the deadline says (it may have been extended).
    return ((nominal, deadline.due), *((day, due.due) for day, due in found[1:]))


def _add_series(
    event: icalendar.Event, deadline: Deadline, series: tuple[tuple[dt.date, dt.date], ...]
) -> None:
    """One all-day event for the series from the current occurrence on: DTSTART its rule's
    date, the RRULE (a COUNT less the occurrences before this one), and each date the
    counting moves as an EXDATE of the rule's date and an RDATE of its due date."""
    recurrence = deadline.recurrence
    assert recurrence is not None
    start = series[0][0]
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(days=1))
    rule = icalendar.vRecur.from_ical(recurrence.rrule)
    if "COUNT" in rule:
        before = recurrence.dates_after(None, limit=int(rule["COUNT"][0]))
        rule["COUNT"] = [len(before) - before.index(start)] if start in before else [1]
    event.add("rrule", rule)
    moved = [(day, due) for day, due in series if day != due]
    if moved:
        event.add("exdate", [day for day, _ in moved])
        event.add("rdate", [due for _, due in moved])


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
    if deadline.status is Status.ACTIVE and deadline.paused_at is not None:
        return f"Paused: {deadline.title}"
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
    ]
    if deadline.status is Status.ACTIVE and deadline.paused_at is not None:
        paused_on = deadline.paused_at.astimezone(deadline_zone(deadline, settings)).date()
        lines.append(
            f"PAUSED since {format_day(paused_on)} with {deadline.left_text()} left: the date "
            "above is the one before the pause; it moves when the clock restarts (no "
            "reminders until then)"
        )
    stage = _stage(deadline)
    if stage:
        lines.append(f"Records-law stage {stage}")
    lines += [
        "How it was counted:",
        *(f"- {step}" for step in deadline.explanation),
    ]
    if deadline.recurrence is not None:
        rule = f"{deadline.recurrence.words} (RRULE:{deadline.recurrence.rrule})"
        if deadline.next_id is None:
            lines.append(f"Repeats: {rule}")
        else:
            lines.append(f"An occurrence of {rule}; the series goes on as #{deadline.next_id}")
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
    default). `due_at` and `created_at` are UTC, `2025-08-19T03:59:59Z`: one form that sorts
    as text and that spreadsheets read as a date (`start` and `due` are local dates). Discord
    ids are written as mentions (<#channel>, <@user>, <@&role>): spreadsheets would round an
    18-digit number. Cells that a spreadsheet would run as a formula start with a quote.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for deadline in deadlines:
        writer.writerow([_cell(value) for value in _row(deadline, settings)])
    return buffer.getvalue().encode("utf-8-sig")


def _row(deadline: Deadline, settings: GuildSettings) -> Sequence[str]:
    mention = ""
    if deadline.mention is not None:
        prefix = "@&" if deadline.mention.kind is MentionKind.ROLE else "@"
        mention = f"<{prefix}{deadline.mention.id}>"
    return (
        str(deadline.id),
        deadline.title,
        "paused"
        if deadline.paused_at is not None and deadline.status is Status.ACTIVE
        else deadline.status.value,
        deadline.start.isoformat(),
        deadline.rule.value,
        deadline.calendar,
        deadline.due.isoformat(),
        _utc(deadline.due_at),
        f"<#{deadline.channel_id}>",
        mention,
        deadline.link or "",
        deadline.notes or "",
        f"<@{deadline.created_by}>",
        _utc(deadline.created_at),
        deadline.left_text(),
        _stage(deadline),
        _repeats(deadline),
    )


def _stage(deadline: Deadline) -> str:
    """'1 of 2: acknowledge (N.Y. Pub. Off. Law § 89(3)(a))'; '' without stages."""
    law = preset_law(deadline.preset)
    if law is None or not deadline.staged or deadline.stage >= len(law.stages):
        return ""
    stage = law.stages[deadline.stage]
    total = deadline.stage + 1 + deadline.stages_left
    return f"{deadline.stage + 1} of {total}: {stage.requires} ({stage.citation})"


def _repeats(deadline: Deadline) -> str:
    """The rule of a repeat's occurrence: 'every month on the 10th (RRULE:...)'."""
    if deadline.recurrence is None:
        return ""
    return f"{deadline.recurrence.words} (RRULE:{deadline.recurrence.rrule})"


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: str) -> str:
    """`value`, with a leading quote if a spreadsheet would take it for a formula.

    Someone opening an export must not run a formula that another member typed as a title.
    """
    value = _visible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value
