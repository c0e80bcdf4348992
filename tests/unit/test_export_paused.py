"""A paused deadline, and a records-law stage, in the exports: what a calendar or a
spreadsheet user sees of a deadline whose clock is stopped (issue 17's gap: it showed on its
old date as if nothing had happened)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import ics
from test_export import NEW_YORK, NOW, deadline, events, rows, timed

from bot.export import (
    CSV_COLUMNS,
    EventCache,
    csv_table,
    event_context,
    ics_calendar,
    stored_key,
    uid,
)
from bot.models import DeadlineExport, Status

PAUSED_AT = dt.datetime(2025, 8, 4, 14, 0, tzinfo=dt.UTC)  # Mon 10:00 New York


def test_a_paused_deadline_is_tentative_titled_paused_and_has_no_alarm() -> None:
    item = deadline(paused_at=PAUSED_AT, paused_left=14)
    running = deadline(2)
    found = events(ics_calendar([item, running], NEW_YORK))
    event = found[uid(item)]
    assert str(event["status"]) == "TENTATIVE"
    assert str(event["summary"]) == "Paused: Bondi letter"
    assert str(event["x-deadline-desk-status"]) == "paused"
    # The bot sends no reminder while paused; neither may the calendar.
    assert event.walk("VALARM") == []
    description = str(event["description"])
    assert (
        "PAUSED since Mon 2025-08-04 with 14 calendar days left: the date above is the one "
        "before the pause; it moves when the clock restarts (no reminders until then)"
    ) in description
    # A running one is as before: CONFIRMED, with its three alarms.
    other = found[uid(running)]
    assert (str(other["status"]), len(other.walk("VALARM"))) == ("CONFIRMED", 3)
    # Another reader agrees.
    (read,) = [e for e in ics.Calendar(ics_calendar([item], NEW_YORK).decode()).events]
    assert read.status == "TENTATIVE"
    assert read.alarms == []


def test_a_timed_paused_deadline_says_the_time_it_has_left() -> None:
    item = timed(paused_at=dt.datetime(2025, 8, 15, 18, 0, tzinfo=dt.UTC), paused_left=0)
    (event,) = events(ics_calendar([item], NEW_YORK)).values()
    assert "with 3 h 00 min left" in str(event["description"])
    table = rows(csv_table([item], NEW_YORK))
    record = dict(zip(CSV_COLUMNS, table[1], strict=True))
    assert (record["status"], record["left"]) == ("paused", "3 h 00 min")


def test_csv_says_paused_and_the_days_left() -> None:
    table = rows(csv_table([deadline(paused_at=PAUSED_AT, paused_left=14), deadline(2)], NEW_YORK))
    header, first, second = table
    assert header[-3:] == ["left", "stage", "repeats"]
    one = dict(zip(header, first, strict=True))
    two = dict(zip(header, second, strict=True))
    assert (one["status"], one["left"]) == ("paused", "14 calendar days")
    assert (two["status"], two["left"]) == ("active", "")
    # Done while paused is done (the pause is forgotten on done anyway).
    done = deadline(3, status=Status.DONE, paused_at=PAUSED_AT, paused_left=3)
    record = dict(zip(header, rows(csv_table([done], NEW_YORK))[1], strict=True))
    assert record["status"] == "done"


def test_pause_state_is_in_the_event_cache_key_and_the_stored_key() -> None:
    export = DeadlineExport(NEW_YORK, ())
    context = event_context(export)
    running = deadline()
    stopped = dataclasses.replace(running, paused_at=PAUSED_AT, paused_left=14)
    assert stored_key(running, context) != stored_key(stopped, context)
    # Days left alone (the same pause instant) also change the key.
    assert stored_key(stopped, context) != stored_key(
        dataclasses.replace(stopped, paused_left=13), context
    )
    cache = EventCache()
    before = cache.event(running, context)
    after = cache.event(stopped, context)
    assert (cache.misses, cache.hits) == (2, 0)
    assert b"STATUS:CONFIRMED" in before
    assert b"STATUS:TENTATIVE" in after
    assert cache.event(stopped, context) == after  # the same values: from the cache
    assert cache.hits == 1


def test_a_records_law_stage_is_named_in_both_exports() -> None:
    item = deadline(preset="ny", stage=0, stages_left=1, updated_at=NOW)
    (event,) = events(ics_calendar([item], NEW_YORK)).values()
    assert "Records-law stage 1 of 2: acknowledge (N.Y. Pub. Off. Law § 89(3)(a))" in str(
        event["description"]
    )
    record = dict(zip(CSV_COLUMNS, rows(csv_table([item], NEW_YORK))[1], strict=True))
    assert record["stage"] == "1 of 2: acknowledge (N.Y. Pub. Off. Law § 89(3)(a))"
