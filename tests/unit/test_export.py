"""Pure export: iCalendar and CSV files, parsed back with independent readers."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import icalendar
import ics
import pytest

from bot.deadlines import Recurrence, Rule
from bot.export import (
    CSV_COLUMNS,
    EventCache,
    csv_table,
    event_context,
    fingerprint,
    ics_calendar,
    render,
    stored_key,
    uid,
    uri,
)
from bot.models import (
    Deadline,
    DeadlineExport,
    GuildSettings,
    GuildVersion,
    Mention,
    MentionKind,
    Status,
)
from bot.planning import local_instant

NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)
NEW_YORK = GuildSettings(guild_id=1)  # America/New_York, 09:00, reminders 7, 3, 1
TRICKY = 'Bondi, "letter"; a\\b: ünïcödé 🎉 — 日本'


def deadline(deadline_id: int = 1, **changes: object) -> Deadline:
    base = Deadline(
        guild_id=1,
        id=deadline_id,
        channel_id=111111111111111111,
        title="Bondi letter",
        start=dt.date(2025, 7, 17),
        rule=Rule.ROLL,
        calendar="US",
        period="30 days",
        due=dt.date(2025, 8, 18),
        due_at=dt.datetime(2025, 8, 19, 3, 59, 59, tzinfo=dt.UTC),  # 23:59:59 in New York
        has_time=False,
        explanation=(
            "day 0: Thu 2025-07-17 (start date)",
            "+30 calendar days -> Sat 2025-08-16",
            "rolled to Mon 2025-08-18",
        ),
        created_by=222222222222222222,
        created_at=NOW,
        updated_at=NOW,
        mention=Mention(MentionKind.ROLE, 333333333333333333),
        link="https://example.org/letter.pdf?a=1,2;b",
        notes="sent to all 58 sheriffs",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def timed(deadline_id: int = 2, **changes: object) -> Deadline:
    # Fri 2025-08-15 17:00 in New York.
    values: dict[str, object] = {
        "title": "FOIA reply",
        "due": dt.date(2025, 8, 15),
        "due_at": dt.datetime(2025, 8, 15, 21, 0, tzinfo=dt.UTC),
        "has_time": True,
        **changes,
    }
    return deadline(deadline_id, **values)


def events(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


# -- iCalendar --------------------------------------------------------------------------------


def test_calendar_header_and_one_event_per_deadline() -> None:
    data = ics_calendar([deadline(1), timed(2)], NEW_YORK, name="Newsroom")
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["version"] == "2.0"
    assert "Deadline Desk" in str(calendar["prodid"])
    assert str(calendar["x-wr-calname"]) == "Deadline Desk: Newsroom"
    assert set(events(data)) == {
        "deadline-1-1@deadline-desk",
        "deadline-1-2@deadline-desk",
    }
    unnamed = icalendar.Calendar.from_ical(ics_calendar([], NEW_YORK))
    assert str(unnamed["x-wr-calname"]) == "Deadline Desk"
    assert unnamed.walk("VEVENT") == []


def test_the_file_is_rfc5545_shaped_crlf_and_folded_to_75_octets() -> None:
    long_notes = "Notes " + "éü🎉 words, more; words " * 40
    data = ics_calendar([deadline(notes=long_notes, title=TRICKY)], NEW_YORK)
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    unfolded = data.replace(b"\r\n ", b"")
    assert long_notes.replace(",", "\\,").replace(";", "\\;").encode() in unfolded


def test_all_day_event_for_a_date_only_deadline() -> None:
    event = events(ics_calendar([deadline()], NEW_YORK))["deadline-1-1@deadline-desk"]
    assert event["dtstart"].dt == dt.date(2025, 8, 18)
    assert event["dtend"].dt == dt.date(2025, 8, 19)
    assert event["dtstart"].params.get("VALUE") == "DATE"
    raw = ics_calendar([deadline()], NEW_YORK)
    assert b"DTSTART;VALUE=DATE:20250818\r\n" in raw
    assert b"DTEND;VALUE=DATE:20250819\r\n" in raw


def test_timed_event_starts_at_due_at_in_utc() -> None:
    raw = ics_calendar([timed()], NEW_YORK)
    assert b"DTSTART:20250815T210000Z\r\n" in raw
    event = events(raw)["deadline-1-2@deadline-desk"]
    assert event["dtstart"].dt == dt.datetime(2025, 8, 15, 21, 0, tzinfo=dt.UTC)
    assert "dtend" not in event  # an instant: no length (RFC 5545 3.6.1)
    assert "Due Fri 2025-08-15 17:00 America/New_York" in str(event["description"])


def test_summary_description_and_url_survive_escaping() -> None:
    notes = "line one, with comma; and semicolon\nline two \\ backslash\n🎉 émoji 日本語"
    item = deadline(title=TRICKY, notes=notes)
    raw = ics_calendar([item], NEW_YORK)
    # The escapes RFC 5545 asks for, in the raw text.
    assert b'SUMMARY:Bondi\\, "letter"\\; a\\\\b: ' in raw
    event = events(raw)[uid(item)]
    assert str(event["summary"]) == TRICKY
    description = str(event["description"])
    assert f"Notes: {notes}" in description
    assert "Link: https://example.org/letter.pdf?a=1,2;b" in description
    assert "- +30 calendar days -> Sat 2025-08-16" in description
    assert "roll rule, US holidays" in description
    assert str(event["url"]) == "https://example.org/letter.pdf?a=1,2;b"
    assert "url" not in events(ics_calendar([deadline(link=None)], NEW_YORK))[uid(item)]


def test_control_characters_are_dropped_from_text() -> None:
    item = deadline(title="bell\x07 and\x00nul", notes="a\r\nb\rc\x1bd")
    event = events(ics_calendar([item], NEW_YORK))[uid(item)]
    assert str(event["summary"]) == "bell  and nul"
    assert "Notes: a\nb\nc d" in str(event["description"])


def test_a_second_independent_parser_reads_the_same_events() -> None:
    notes = "semi; colon, comma\nnew line 🎉"
    data = ics_calendar([deadline(1, title=TRICKY, notes=notes), timed(2)], NEW_YORK)
    parsed = ics.Calendar(data.decode("utf-8"))
    by_uid = {event.uid: event for event in parsed.events}
    all_day = by_uid["deadline-1-1@deadline-desk"]
    assert all_day.name == TRICKY
    assert all_day.all_day
    assert all_day.begin.date() == dt.date(2025, 8, 18)
    assert all_day.url == "https://example.org/letter.pdf?a=1,2;b"
    assert f"Notes: {notes}" in all_day.description
    assert all_day.status == "CONFIRMED"
    assert len(all_day.alarms) == 3
    at_five = by_uid["deadline-1-2@deadline-desk"]
    assert not at_five.all_day
    assert at_five.begin.datetime == dt.datetime(2025, 8, 15, 21, 0, tzinfo=dt.UTC)


def test_uids_are_stable_and_the_output_is_deterministic() -> None:
    first = ics_calendar([deadline(1), timed(2)], NEW_YORK)
    again = ics_calendar([deadline(1), timed(2)], NEW_YORK)
    assert first == again
    extended = deadline(1, due=dt.date(2025, 9, 1), revision=1, updated_at=NOW.replace(day=20))
    later = ics_calendar([extended, timed(2)], NEW_YORK)
    assert set(events(later)) == set(events(first))
    other_guild = dataclasses.replace(deadline(1), guild_id=2)
    assert uid(other_guild) == "deadline-2-1@deadline-desk" != uid(deadline(1))


def test_sequence_and_dtstamp_follow_the_revision() -> None:
    changed_at = dt.datetime(2025, 7, 20, 15, 30, tzinfo=dt.UTC)
    extended = deadline(due=dt.date(2025, 9, 1), revision=2, updated_at=changed_at)
    event = events(ics_calendar([extended], NEW_YORK))[uid(extended)]
    assert event["sequence"] == 2
    assert event["dtstamp"].dt == changed_at
    assert event["last-modified"].dt == changed_at
    assert event["created"].dt == NOW
    assert event["dtstart"].dt == dt.date(2025, 9, 1)
    original = events(ics_calendar([deadline()], NEW_YORK))[uid(extended)]
    assert original["sequence"] == 0


def test_status_of_active_done_and_cancelled_deadlines() -> None:
    items = [
        deadline(1),
        deadline(2, status=Status.DONE, revision=1),
        deadline(3, status=Status.CANCELLED, revision=1),
    ]
    parsed = events(ics_calendar(items, NEW_YORK))
    active, done, cancelled = (parsed[f"deadline-1-{i}@deadline-desk"] for i in (1, 2, 3))
    assert (str(active["status"]), str(active["summary"])) == ("CONFIRMED", "Bondi letter")
    assert (str(done["status"]), str(done["summary"])) == ("CONFIRMED", "Done: Bondi letter")
    assert str(done["x-deadline-desk-status"]) == "done"
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["summary"]) == "Cancelled: Bondi letter"
    assert all(str(e["transp"]) == "TRANSPARENT" for e in (active, done, cancelled))
    # Closed deadlines ring no alarms.
    assert len(active.walk("VALARM")) == 3
    assert done.walk("VALARM") == cancelled.walk("VALARM") == []


def test_one_alarm_per_reminder_day_at_the_alert_time_before_an_all_day_event() -> None:
    settings = dataclasses.replace(NEW_YORK, reminder_days=(14, 2), alert_time=dt.time(8, 30))
    event = events(ics_calendar([deadline()], settings))[uid(deadline())]
    alarms = event.walk("VALARM")
    assert [str(a["action"]) for a in alarms] == ["DISPLAY", "DISPLAY"]
    # 08:30 fourteen and two days before midnight of the due date.
    assert [a["trigger"].dt for a in alarms] == [
        -dt.timedelta(days=13, hours=15, minutes=30),
        -dt.timedelta(days=1, hours=15, minutes=30),
    ]
    assert [str(a["description"]) for a in alarms] == [
        "Bondi letter: due in 14 days",
        "Bondi letter: due in 2 days",
    ]
    raw = ics_calendar([deadline()], settings)
    assert b"TRIGGER:-P13DT15H30M\r\n" in raw
    no_reminders = dataclasses.replace(NEW_YORK, reminder_days=())
    assert events(ics_calendar([deadline()], no_reminders))[uid(deadline())].walk("VALARM") == []


def test_timed_alarms_ring_at_the_local_alert_time_across_a_dst_change() -> None:
    # Due Mon 2025-11-03 17:00 EST; clocks went back on Sun Nov 2. The bot reminds at 09:00
    # local 7 and 3 days before (EDT) and 1 day before (EST).
    due_at = dt.datetime(2025, 11, 3, 22, 0, tzinfo=dt.UTC)
    item = timed(due=dt.date(2025, 11, 3), due_at=due_at)
    event = events(ics_calendar([item], NEW_YORK))[uid(item)]
    tz = ZoneInfo("America/New_York")
    rings = [due_at + alarm["trigger"].dt for alarm in event.walk("VALARM")]
    expected = [
        local_instant(dt.date(2025, 11, 3) - dt.timedelta(days=d), dt.time(9, 0), tz)
        for d in (7, 3, 1)
    ]
    assert rings == expected
    assert [r.astimezone(tz).strftime("%H:%M") for r in rings] == ["09:00"] * 3
    assert rings[0] - due_at == -dt.timedelta(days=7, hours=9)  # an hour more than 7d8h


def varied() -> list[Deadline]:
    """Deadlines that exercise folding, escaping, every status, zones, links and alarms."""
    long_notes = "Notes " + "éü🎉 words, more; words\\ " * 30
    return [
        deadline(1),
        timed(2),
        deadline(3, title=TRICKY, notes=long_notes, link="https://例え.jp/パス?q=ü"),
        timed(4, status=Status.DONE, revision=2, timezone="Asia/Tokyo", notes=None),
        deadline(5, status=Status.CANCELLED, revision=1, link=None, mention=None),
        deadline(6, title="x" * 200, notes="^" * 73 + "\\,;" * 40, revision=7),
        timed(7, title="Ω" * 37 + "a", explanation=("é" * 80,), link="http://a.b/" + "ü" * 60),
    ]


@pytest.mark.parametrize("closed_as_cancelled", [False, True])
def test_the_cached_assembly_is_byte_for_byte_icalendars_render(
    closed_as_cancelled: bool,
) -> None:
    settings = dataclasses.replace(NEW_YORK, reminder_days=(10, 1), alert_time=dt.time(7, 45))
    versions = GuildVersion(5, NOW, 2, NOW.replace(day=25))
    export = DeadlineExport(
        settings,
        tuple(varied()),
        name='Desk, "news"; a\\b\nnext',
        versions=versions,
        closed_as_cancelled=closed_as_cancelled,
    )
    plain = ics_calendar(
        export.deadlines,
        settings,
        name=export.name,
        versions=versions,
        closed_as_cancelled=closed_as_cancelled,
    )
    assert render("ics", export) == plain
    # The calendar's name is TEXT, escaped (icalendar writes an X- property raw otherwise).
    assert b'\r\nX-WR-CALNAME:Deadline Desk: Desk\\, "news"\\; a\\\\b\\nnext\r\n' in plain
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in plain
    cache = EventCache()
    assert render("ics", export, cache=cache) == plain  # cold: every event rendered
    assert (cache.misses, cache.hits) == (7, 0)
    assert render("ics", export, cache=cache) == plain  # warm: every event from the cache
    assert (cache.misses, cache.hits) == (7, 7)
    # Both readers read it back, all seven events.
    assert len(events(plain)) == 7
    assert len(ics.Calendar(plain.decode("utf-8")).events) == 7
    lines = plain.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75


def test_only_changed_events_are_rendered_again_and_the_cache_is_bounded() -> None:
    cache = EventCache()
    items = varied()
    render("ics", DeadlineExport(NEW_YORK, tuple(items)), cache=cache)
    edited = dataclasses.replace(items[0], title="Edited", revision=1)
    again = DeadlineExport(NEW_YORK, (edited, *items[1:]))
    assert render("ics", again, cache=cache) == render("ics", again)
    assert (cache.misses, cache.hits) == (8, 6)
    # Other settings, other alarms: every event again.
    later = dataclasses.replace(NEW_YORK, alert_time=dt.time(10, 0))
    render("ics", DeadlineExport(later, tuple(items)), cache=cache)
    assert cache.misses == 15
    small = EventCache(max_bytes=3000)
    render("ics", DeadlineExport(NEW_YORK, tuple(items)), cache=small)
    assert 0 < small.size <= 3000
    assert len(small) < len(items)


def _other(value: object) -> object:
    """A value of the same type as `value`, but different."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value == "America/Chicago":
        return "Asia/Tokyo"
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(microseconds=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    if isinstance(value, tuple):
        return (*value, value[-1])
    if isinstance(value, Rule):
        return Rule.BUSINESS if value is not Rule.BUSINESS else Rule.COURT
    if isinstance(value, Status):
        return Status.DONE if value is not Status.DONE else Status.ACTIVE
    if isinstance(value, Mention):
        return Mention(MentionKind.USER, value.id)
    if isinstance(value, dt.time):
        return value.replace(minute=(value.minute + 1) % 60)
    if isinstance(value, Recurrence):  # the rule is part of the event's key
        return dataclasses.replace(value, rule=value.rule + ";COUNT=3")
    raise AssertionError(f"no other value for {value!r}")


def test_the_stored_key_follows_every_field_of_the_deadline_and_the_context() -> None:
    export = DeadlineExport(NEW_YORK, (), versions=GuildVersion(3, NOW, 1, NOW))
    context = event_context(export)
    zoned = {
        "timezone": "America/Chicago",
        "snoozed_until": NOW,
        "allowed_extension": "15 days",
        "paused_at": NOW,
        "paused_left": 7,
        "preset": "ny",
        "recurrence": Recurrence("FREQ=MONTHLY;BYMONTHDAY=15", dt.date(2025, 8, 15), "monthly"),
        "occurrence_on": dt.date(2025, 8, 15),
        "next_id": 40,
        "last_day": dt.date(2025, 8, 14),
    }
    for item in (
        deadline(**zoned),
        timed(**zoned),
    ):
        key = stored_key(item, context)
        assert re.fullmatch(r"[0-9a-f]{32}", key)
        # Equal values, equal keys: a key is the same in another process.
        assert stored_key(dataclasses.replace(item), context) == key
        for field in dataclasses.fields(Deadline):
            changed = dataclasses.replace(item, **{field.name: _other(getattr(item, field.name))})
            assert stored_key(changed, context) != key, field.name
        for name, value in context._asdict().items():
            if name == "closed_as_cancelled":
                continue
            other = context._replace(**{name: _other(value) if value is not None else NOW})
            assert stored_key(item, other) != key, name
    # A file and a feed differ only in a done deadline's event.
    feed = context._replace(closed_as_cancelled=True)
    assert stored_key(deadline(), feed) == stored_key(deadline(), context)
    done = deadline(status=Status.DONE)
    assert stored_key(done, feed) != stored_key(done, context)


def test_the_stored_key_of_a_timed_deadline_follows_its_zones_offsets() -> None:
    """A tz-database update that moves a zone's offsets changes the key (here: a zone of
    the same rules but one, by name, would not do; so the facts are compared directly)."""
    from bot.export import _zone_facts

    context = event_context(DeadlineExport(NEW_YORK, ()))
    facts = _zone_facts(timed(), context)
    tz = ZoneInfo("America/New_York")
    assert facts[0] == dt.timedelta(hours=-4)
    assert facts[1:] == tuple(
        local_instant(dt.date(2025, 8, 15) - dt.timedelta(days=d), dt.time(9, 0), tz)
        for d in NEW_YORK.reminder_days
    )
    assert _zone_facts(deadline(), context) == ()  # date-only: no zone reaches the bytes


def test_an_alarms_change_bumps_sequence_last_modified_and_dtstamp() -> None:
    changed_at = dt.datetime(2025, 7, 30, 9, 0, tzinfo=dt.UTC)
    before = events(ics_calendar([deadline(revision=2)], NEW_YORK))[uid(deadline())]
    bumped = GuildVersion(version=9, alarms_version=3, alarms_changed_at=changed_at)
    after = events(ics_calendar([deadline(revision=2)], NEW_YORK, versions=bumped))[uid(deadline())]
    assert (before["sequence"], after["sequence"]) == (2, 5)
    assert before["dtstamp"].dt == before["last-modified"].dt == NOW
    assert after["dtstamp"].dt == after["last-modified"].dt == changed_at
    # A deadline changed after the settings keeps its own, later time.
    newer = deadline(revision=3, updated_at=changed_at + dt.timedelta(days=1))
    event = events(ics_calendar([newer], NEW_YORK, versions=bumped))[uid(newer)]
    assert event["last-modified"].dt == changed_at + dt.timedelta(days=1)
    assert event["sequence"] == 6


def test_a_feed_cancels_done_deadlines_a_file_keeps_them() -> None:
    items = [deadline(1), deadline(2, status=Status.DONE, revision=1)]
    feed = events(ics_calendar(items, NEW_YORK, closed_as_cancelled=True))
    assert str(feed[uid(items[1])]["status"]) == "CANCELLED"
    assert str(feed[uid(items[1])]["summary"]) == "Done: Bondi letter"
    assert str(feed[uid(items[0])]["status"]) == "CONFIRMED"
    assert str(events(ics_calendar(items, NEW_YORK))[uid(items[1])]["status"]) == "CONFIRMED"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://例え.jp/パス?q=ü", "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%C3%BC"),
        ("https://example.org/letter.pdf?a=1,2;b", "https://example.org/letter.pdf?a=1,2;b"),
        ("https://example.org/a%20b?x=%C3%BC#top", "https://example.org/a%20b?x=%C3%BC#top"),
        (
            "https://user@bücher.de:8443/ä b#frag ü",
            "https://user@xn--bcher-kva.de:8443/%C3%A4%20b#frag%20%C3%BC",
        ),
        ("http://[::1]:8080/é", "http://[::1]:8080/%C3%A9"),
    ],
)
def test_links_become_valid_uris(link: str, expected: str) -> None:
    assert uri(link) == expected
    item = deadline(link=link)
    data = ics_calendar([item], NEW_YORK)
    assert str(events(data)[uid(item)]["url"]) == expected
    assert ics.Calendar(data.decode("utf-8")).events.pop().url == expected
    assert f"Link: {link}" in str(events(data)[uid(item)]["description"])  # people read this


def test_render_picks_the_format() -> None:
    export = DeadlineExport(NEW_YORK, (deadline(),), name="Newsroom")
    assert render("ics", export) == ics_calendar([deadline()], NEW_YORK, name="Newsroom")
    assert render("csv", export) == csv_table([deadline()], NEW_YORK)


def test_fingerprint_changes_exactly_when_the_output_may() -> None:
    export = DeadlineExport(NEW_YORK, (deadline(), timed()), name="Newsroom")
    same = DeadlineExport(NEW_YORK, (deadline(), timed()), name="Newsroom")
    assert fingerprint("ics", export) == fingerprint("ics", same)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint("ics", export))
    changes = [
        DeadlineExport(NEW_YORK, (deadline(revision=1), timed()), name="Newsroom"),
        DeadlineExport(NEW_YORK, (deadline(),), name="Newsroom"),
        DeadlineExport(
            dataclasses.replace(NEW_YORK, reminder_days=(2,)), (deadline(), timed()), "Newsroom"
        ),
        DeadlineExport(NEW_YORK, (deadline(), timed()), name="Renamed"),
    ]
    for changed in changes:
        assert render("ics", changed) != render("ics", export)
        assert fingerprint("ics", changed) != fingerprint("ics", export)
    assert fingerprint("csv", export) != fingerprint("ics", export)


# -- CSV --------------------------------------------------------------------------------------


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_bom_and_the_header() -> None:
    data = csv_table([deadline()], NEW_YORK)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    assert data[3:].startswith(b"id,title,status,start,rule,calendar,due,due_at,channel,")
    assert rows(data)[0] == list(CSV_COLUMNS)
    assert rows(csv_table([], NEW_YORK)) == [list(CSV_COLUMNS)]
    assert b"\r\n" in data  # RFC 4180 row ends


def test_csv_row_values() -> None:
    items = [deadline(1), timed(2, mention=Mention(MentionKind.USER, 5), link=None, notes=None)]
    header, first, second = rows(csv_table(items, NEW_YORK))
    assert dict(zip(header, first, strict=True)) == {
        "id": "1",
        "title": "Bondi letter",
        "status": "active",
        "start": "2025-07-17",
        "rule": "roll",
        "calendar": "US",
        "due": "2025-08-18",
        "due_at": "2025-08-19T03:59:59Z",  # 23:59:59 in New York, in UTC
        "channel": "<#111111111111111111>",
        "mention": "<@&333333333333333333>",
        "link": "https://example.org/letter.pdf?a=1,2;b",
        "notes": "sent to all 58 sheriffs",
        "created_by": "<@222222222222222222>",
        "created_at": "2025-07-17T12:00:00Z",
        "left": "",
        "stage": "",
        "repeats": "",
    }
    values = dict(zip(header, second, strict=True))
    assert values["due_at"] == "2025-08-15T21:00:00Z"
    assert values["mention"] == "<@5>"
    assert values["link"] == values["notes"] == ""


def test_csv_quotes_commas_quotes_newlines_and_keeps_unicode() -> None:
    notes = 'two\nlines, "quoted"; and 🎉\r\nthird'
    data = csv_table([deadline(title=TRICKY, notes=notes)], NEW_YORK)
    _, row = rows(data)
    assert row[1] == TRICKY
    assert row[11] == notes
    assert '"Bondi, ""letter""; a\\b: ünïcödé 🎉 — 日本"'.encode() in data


@pytest.mark.parametrize(
    "title",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_cells_that_would_run_as_formulas_are_quoted(title: str) -> None:
    item = deadline(title=title, notes=title)
    _, row = rows(csv_table([item], NEW_YORK))
    assert row[1] == "'" + title
    assert row[11] == "'" + title


def test_csv_leaves_harmless_cells_alone() -> None:
    item = deadline(title="Reply = yes + maybe - no @ noon", notes="'already quoted")
    _, row = rows(csv_table([item], NEW_YORK))
    assert row[1] == "Reply = yes + maybe - no @ noon"
    assert row[11] == "'already quoted"


def test_format_characters_are_dropped_from_csv_and_ics() -> None:
    # Stored before the bot dropped them at input: a bidi override and zero-width characters.
    title = "\u202eBondi\u200b letter\ufeff"
    item = deadline(title=title, notes="see\u2066 inside\u2069")
    _, row = rows(csv_table([item], NEW_YORK))
    assert (row[1], row[11]) == ("Bondi letter", "see inside")
    event = events(ics_calendar([item], NEW_YORK))[uid(item)]
    assert str(event["summary"]) == "Bondi letter"
    assert "see inside" in str(event["description"])
    assert not any(ch in str(event["description"]) for ch in "\u2066\u2069\u202e")
