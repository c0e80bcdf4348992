"""Pure tests of what the dispatcher writes after trying alerts (bot/outcomes.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from test_planning import SETTINGS, make_deadline

from bot.models import AlertKind, StoredAlert
from bot.outcomes import Group, Outcome, observe, outcome_rows
from bot.planning import next_overdue

NY = ZoneInfo("America/New_York")
AT = dt.datetime(2025, 8, 17, 13, 0, 5, tzinfo=dt.UTC)  # 09:00:05 New York, the day after due


def alert(alert_id: int, kind: AlertKind, send_at: dt.datetime, *, seq: int = 0) -> StoredAlert:
    return StoredAlert(alert_id, 1, 1, kind, send_at, seq, False, 0, send_at)


def group(*alerts: StoredAlert) -> Group:
    return Group(make_deadline(), SETTINGS, list(alerts), AT)


REMINDER = alert(1, AlertKind.REMINDER, dt.datetime(2025, 8, 15, 13, tzinfo=dt.UTC))
OVERDUE = alert(2, AlertKind.OVERDUE, dt.datetime(2025, 8, 17, 13, tzinfo=dt.UTC), seq=1)


def test_a_sent_group_marks_every_alert_sent_and_logs_one_entry() -> None:
    rows = outcome_rows([Outcome(group(REMINDER), AT, message_id=900)])
    assert rows.sent == [(1, REMINDER, AT, 900)]
    assert (rows.failed, rows.retry, rows.dropped, rows.following) == ([], [], [], [])
    (entry,) = rows.history
    assert (entry.action, entry.detail, entry.actor_id) == ("alert sent", "reminder", None)


def test_a_sent_overdue_alert_plans_the_next_one_after_it() -> None:
    collapsed = group(REMINDER, OVERDUE)
    rows = outcome_rows([Outcome(collapsed, AT, message_id=901)])
    assert [row[1].id for row in rows.sent] == [1, 2]
    after = AT + dt.timedelta(microseconds=1)
    expected = next_overdue(collapsed.deadline, SETTINGS, after=after)
    assert rows.following == [(1, 1, collapsed.deadline.due_at, expected)]
    assert expected.send_at > AT
    assert rows.history[0].detail == "2 alerts collapsed: overdue, reminder"


def test_a_failure_with_a_fallback_logs_both_and_keeps_the_series_going() -> None:
    outcome = Outcome(group(OVERDUE), AT, error="403 Missing Access", fallback_message_id=902)
    rows = outcome_rows([outcome])
    assert rows.failed == [(1, OVERDUE, AT, "403 Missing Access")]
    assert [e.action for e in rows.history] == [
        "alert failed", "alert sent to the default channel",
    ]  # fmt: skip
    assert rows.history[0].detail == "overdue: 403 Missing Access"
    assert len(rows.following) == 1


def test_a_retry_or_a_skip_writes_no_history_and_plans_nothing() -> None:
    later = AT + dt.timedelta(seconds=10)
    rows = outcome_rows(
        [
            Outcome(group(OVERDUE), AT, error="503", retry_at=later),
            Outcome(group(REMINDER), AT, skipped=True),
        ]
    )
    assert rows.retry == [(1, OVERDUE, later, "503")]
    assert rows.dropped == [(1, 1)]
    assert (rows.sent, rows.failed, rows.following, rows.history) == ([], [], [], [])


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float | int]] = []

    def alert_sent(self, kind: str, lateness_seconds: float, count: int = 1) -> None:
        self.events.append(("sent", kind, round(lateness_seconds, 3)))

    def alert_failed(self, kind: str, count: int = 1) -> None:
        self.events.append(("failed", kind, count))

    def alert_retried(self, kind: str, count: int = 1) -> None:
        self.events.append(("retried", kind, count))


def test_observe_reports_each_group_by_its_latest_alert() -> None:
    recorder = Recorder()
    observe(
        recorder,
        [
            Outcome(group(REMINDER, OVERDUE), AT, message_id=1),
            Outcome(group(OVERDUE), AT, error="403"),
            Outcome(group(OVERDUE), AT, error="503", retry_at=AT),
            Outcome(group(REMINDER), AT, skipped=True),
        ],
    )
    assert recorder.events == [
        ("sent", "overdue", 5.0), ("failed", "overdue", 1), ("retried", "overdue", 1),
    ]  # fmt: skip
