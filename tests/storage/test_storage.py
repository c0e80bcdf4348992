"""Storage against real SQLite files: migrations, round trips, guild isolation, constraints."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.deadlines import Rule
from bot.models import (
    AlertKind,
    GuildSettings,
    HistoryEntry,
    Mention,
    MentionKind,
    NewDeadline,
    PlannedAlert,
    Status,
)
from bot.storage import (
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseGoneError,
    SchemaTooNewError,
    SqliteStore,
    StorageError,
)
from bot.storage import queries_deadlines as sqlite_module

NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)


def new_deadline(guild_id: int = 1, title: str = "Bondi letter", **changes: object) -> NewDeadline:
    base = NewDeadline(
        guild_id=guild_id,
        channel_id=10,
        title=title,
        start=dt.date(2025, 7, 17),
        rule=Rule.CALENDAR,
        calendar="US",
        period="30 days",
        due=dt.date(2025, 8, 16),
        due_at=dt.datetime(2025, 8, 17, 3, 59, 59, tzinfo=dt.UTC),
        has_time=False,
        explanation=("day 0: Thu 2025-07-17 (start date)", "+30 calendar days -> Sat 2025-08-16"),
        created_by=5,
        created_at=NOW,
        mention=Mention(MentionKind.ROLE, 42),
        link="https://example.org/letter.pdf",
        notes="sent to all 58 sheriffs",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


async def test_new_database_is_migrated_and_configured(store: SqliteStore, db_path: Path) -> None:
    assert db_path.exists()
    assert await store.schema_version() == SCHEMA_VERSION
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    finally:
        raw.close()
    assert {"guild_settings", "deadlines", "alerts", "history", "meta"} <= tables


async def test_deadline_round_trip_and_per_guild_ids(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        first = await tx.insert_deadline(new_deadline(guild_id=1))
        second = await tx.insert_deadline(new_deadline(guild_id=1, title="FOIA"))
        other = await tx.insert_deadline(new_deadline(guild_id=2))
    assert (first.id, second.id, other.id) == (1, 2, 1)
    async with store.transaction() as tx:
        loaded = await tx.get_deadline(1, 1)
    assert loaded == first
    assert loaded is not None
    assert loaded.due_at.tzinfo is not None


async def test_a_guild_cannot_read_or_change_another_guilds_deadline(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        mine = await tx.insert_deadline(new_deadline(guild_id=1))
    async with store.transaction() as tx:
        assert await tx.get_deadline(2, mine.id) is None
        listed, total = await tx.list_deadlines(2, statuses=[Status.ACTIVE], now=NOW)
        assert (listed, total) == ([], 0)
        assert await tx.search_deadlines(2, "Bondi") == []
        with pytest.raises(Exception, match="not found"):
            await tx.update_deadline(dataclasses.replace(mine, guild_id=2, title="hijacked"))
    async with store.transaction() as tx:
        still = await tx.get_deadline(1, mine.id)
    assert still is not None
    assert still.title == "Bondi letter"


async def test_insert_within_a_limit_counts_only_the_guilds_active_deadlines(
    store: SqliteStore,
) -> None:
    async with store.transaction() as tx:
        first = await tx.insert_deadline_within(new_deadline(guild_id=1), max_active=2)
        second = await tx.insert_deadline_within(new_deadline(guild_id=1), max_active=2)
        refused = await tx.insert_deadline_within(new_deadline(guild_id=1), max_active=2)
        elsewhere = await tx.insert_deadline_within(new_deadline(guild_id=2), max_active=2)
    assert (first and first.id, second and second.id, refused) == (1, 2, None)
    assert elsewhere is not None
    assert elsewhere.id == 1
    async with store.transaction() as tx:
        assert await tx.count_deadlines(1, Status.ACTIVE) == 2
        assert second is not None
        await tx.update_deadline(dataclasses.replace(second, status=Status.DONE))
        third = await tx.insert_deadline_within(new_deadline(guild_id=1), max_active=2)
    assert third is not None
    assert third.id == 3


async def test_a_bulk_insert_rebuilds_the_dispatchers_index_as_it_was(
    store: SqliteStore, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "_REBUILD_INDEX_FROM", 0)

    def index_sql() -> list[tuple[str, str]]:
        raw = sqlite3.connect(db_path)
        try:
            return raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            ).fetchall()
        finally:
            raw.close()

    before = index_sql()
    alerts = [PlannedAlert(AlertKind.REMINDER, NOW + dt.timedelta(days=d)) for d in (1, 2)]
    async with store.transaction() as tx:
        cache_size = await tx._one("PRAGMA cache_size")
        await tx.insert_deadlines([(new_deadline(), alerts)])  # into empty tables: rebuilt
        assert await tx.count_pending_alerts() == 2
        assert tuple(await tx._one("PRAGMA cache_size")) == tuple(cache_size)  # handed back
    assert index_sql() == before
    # An import that fails after the drops (bigger than what is stored, so both indexes go)
    # leaves the indexes, and everything else, as they were.
    bad = [PlannedAlert(SimpleNamespace(value="someday"), NOW)]  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.insert_deadlines([(new_deadline(), alerts)] * 2 + [(new_deadline(), bad)])
    assert index_sql() == before
    async with store.transaction() as tx:
        assert await tx.count_deadlines(1, Status.ACTIVE) == 1
        assert await tx.count_pending_alerts() == 2


async def test_constraints_reject_bad_rows(store: SqliteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.insert_deadline(new_deadline(title=""))
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.insert_deadline(new_deadline(notes="x" * 1001))
    # A failed transaction leaves nothing behind.
    async with store.transaction() as tx:
        assert await tx.count_deadlines(1, Status.ACTIVE) == 0


async def test_history_is_append_only(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.add_history(HistoryEntry(1, deadline.id, NOW, 5, "created", "due 2025-08-16"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        async with store.transaction() as tx:
            await tx._conn.execute("UPDATE history SET action = 'forged'")
    async with store.transaction() as tx:
        entries = await tx.history(1, deadline.id)
    assert [e.action for e in entries] == ["created"]


async def test_replan_is_idempotent_and_keeps_sent_alerts(store: SqliteStore) -> None:
    plan = [
        PlannedAlert(AlertKind.REMINDER, NOW + dt.timedelta(days=1), days_before=3),
        PlannedAlert(AlertKind.DUE_TODAY, NOW + dt.timedelta(days=2)),
    ]
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.replan(deadline, plan)
        await tx.replan(deadline, plan)
        assert len(await tx.alerts_of(1, deadline.id)) == 2
        sent = (await tx.alerts_of(1, deadline.id))[0]
        await tx.mark_sent([(1, sent, NOW, 9)])
        # A new plan without the sent alert: the sent one stays, the stale unsent one goes.
        moved = [PlannedAlert(AlertKind.DUE_TODAY, NOW + dt.timedelta(days=5))]
        await tx.replan(deadline, moved)
        alerts = await tx.alerts_of(1, deadline.id)
    assert [(a.kind, a.sent_at is not None) for a in alerts] == [
        (AlertKind.REMINDER, True),
        (AlertKind.DUE_TODAY, False),
    ]
    assert alerts[1].send_at == NOW + dt.timedelta(days=5)


async def test_mark_sent_happens_once(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.replan(deadline, [PlannedAlert(AlertKind.DUE_TODAY, NOW)])
        (alert,) = await tx.alerts_of(1, deadline.id)
        assert await tx.mark_sent([(1, alert, NOW, 1)]) == 1
        assert await tx.mark_sent([(1, alert, NOW, 2)]) == 0
        assert await tx.mark_sent([(2, alert, NOW, 3)]) == 0


async def test_claims_are_exclusive_and_released_at_start(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.replan(deadline, [PlannedAlert(AlertKind.DUE_TODAY, NOW)])
        claimed = await tx.claim_due(NOW, limit=10)
        assert [d.id for _, d in claimed] == [deadline.id]
        assert await tx.claim_due(NOW, limit=10) == []
        assert await tx.next_pending_at() is None
        assert await tx.release_claims() == 1
        assert await tx.next_pending_at() == NOW


async def test_a_claim_left_by_a_run_becomes_an_attempt_a_clean_release_does_not(
    store: SqliteStore,
) -> None:
    """What may have reached Discord unrecorded is remembered (attempted_at, the first
    claim's time); what no sender started on is not."""
    later = NOW + dt.timedelta(hours=1)
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.replan(
            deadline,
            [PlannedAlert(AlertKind.REMINDER, NOW), PlannedAlert(AlertKind.DUE_TODAY, NOW)],
        )
        first, second = [alert.id for alert, _ in await tx.claim_due(NOW, limit=10, now=NOW)]
        await tx.release_claims([first])  # never handed to a sender
        await tx.release_claims([second], attempted=True)  # a send cut short
        assert {a.id: a.attempted_at for a in await tx.alerts_of(1, deadline.id)} == {
            first: None,
            second: NOW,
        }
        await tx.claim_due(later, limit=10, now=later)
        assert await tx.release_claims() == 2  # at start-up: the last run's claims
        assert {a.id: a.attempted_at for a in await tx.alerts_of(1, deadline.id)} == {
            first: later,
            second: NOW,  # the earliest attempt is kept
        }


async def test_the_last_alert_message_of_a_channel_before_a_time(store: SqliteStore) -> None:
    hour = dt.timedelta(hours=1)
    async with store.transaction() as tx:
        here = await tx.insert_deadline(new_deadline())
        elsewhere = await tx.insert_deadline(new_deadline(channel_id=11))
        other_guild = await tx.insert_deadline(new_deadline(guild_id=2))
        for deadline in (here, elsewhere, other_guild):
            await tx.replan(deadline, [PlannedAlert(AlertKind.REMINDER, NOW),
                                       PlannedAlert(AlertKind.DUE_TODAY, NOW + hour)])  # fmt: skip
        rows = {(a.guild_id, a.deadline_id, a.kind): a for d in (here, elsewhere, other_guild)
                for a in await tx.alerts_of(d.guild_id, d.id)}  # fmt: skip
        await tx.mark_sent([
            (1, rows[(1, here.id, AlertKind.REMINDER)], NOW, 500),
            (1, rows[(1, here.id, AlertKind.DUE_TODAY)], NOW + hour, 600),
            (1, rows[(1, elsewhere.id, AlertKind.REMINDER)], NOW, 900),
            (2, rows[(2, other_guild.id, AlertKind.REMINDER)], NOW, 990),
        ])  # fmt: skip

        assert await tx.last_alert_message(1, 10, before=NOW) is None
        assert await tx.last_alert_message(1, 10, before=NOW + hour) == 500
        assert await tx.last_alert_message(1, 10, before=NOW + 2 * hour) == 600
        assert await tx.last_alert_message(1, 12, before=NOW + 2 * hour) is None


async def test_a_retried_send_is_remembered_as_attempted(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.replan(deadline, [PlannedAlert(AlertKind.DUE_TODAY, NOW)])
        ((alert, _),) = await tx.claim_due(NOW, limit=10, now=NOW)
        await tx.retry_later([(1, alert, NOW + dt.timedelta(minutes=1), "504")])
        ((claimed, _),) = await tx.claim_due(NOW + dt.timedelta(minutes=1), limit=10)
    assert claimed.attempted_at == NOW
    assert claimed.attempts == 1


async def test_settings_round_trip(store: SqliteStore) -> None:
    settings = GuildSettings(
        guild_id=1,
        timezone="America/Los_Angeles",
        alert_time=dt.time(8, 30),
        reminder_days=(14, 2),
        calendar="US-CA",
        counting=Rule.ROLL,
        default_channel_id=11,
        manager_role_id=12,
        escalation_role_id=13,
        escalate_after=2,
        overdue_repeat_days=2,
        digest_enabled=True,
    )
    async with store.transaction() as tx:
        assert await tx.get_settings(1) is None
        await tx.put_settings(settings, now=NOW)
        await tx.put_settings(settings, now=NOW)
    async with store.transaction() as tx:
        assert await tx.get_settings(1) == settings
        assert await tx.get_settings(2) is None


async def test_data_survives_reopen(db_path: Path) -> None:
    async with SqliteStore.open(db_path) as store, store.transaction() as tx:
        await tx.insert_deadline(new_deadline())
    async with SqliteStore.open(db_path) as store, store.transaction() as tx:
        loaded = await tx.get_deadline(1, 1)
    assert loaded is not None
    assert loaded.title == "Bondi letter"


async def test_migration_from_version_1_upgrades_in_place(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.execute(
        "INSERT INTO guild_settings (guild_id, timezone, alert_time, reminder_days, calendar, "
        "counting, updated_at) VALUES (7, 'America/Chicago', '10:00', '[5]', 'US', 'roll', 0)"
    )
    raw.commit()
    raw.close()
    async with SqliteStore.open(db_path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        async with store.transaction() as tx:
            settings = await tx.get_settings(7)
            await tx.set_meta("commands_hash", "abc")
            assert await tx.get_meta("commands_hash") == "abc"
    assert settings is not None
    assert settings.timezone == "America/Chicago"
    assert settings.reminder_days == (5,)


def database_at_version(db_path: Path, version: int) -> sqlite3.Connection:
    """A new database file as the first `version` migrations left it (autocommit)."""
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.executescript("\n".join(MIGRATIONS[:version]) + f"\nPRAGMA user_version = {version};")
    return raw


async def test_migration_from_version_4_keeps_rows_ids_and_constraints(db_path: Path) -> None:
    """Migration 5 rebuilds deadlines and alerts: every row, alert id and rule survives."""
    raw = database_at_version(db_path, 4)
    raw.execute(
        "INSERT INTO deadlines (guild_id, id, channel_id, title, start_on, rule, calendar, "
        "period, due_on, due_at, has_time, explanation, mention_kind, mention_id, created_by, "
        "status, created_at, updated_at) VALUES (3, 7, 10, 'County records', '2025-07-17', "
        "'business', 'US', '20 business days', '2025-08-14', 1755230399000000, 0, '[]', "
        "'role', 42, 5, 'active', 0, 0)"
    )
    raw.execute(
        "INSERT INTO alerts (id, guild_id, deadline_id, kind, send_at, next_attempt_at, sent_at) "
        "VALUES (41, 3, 7, 'reminder', 1754600000000000, 1754600000000000, 1754600000000001), "
        "(99, 3, 7, 'due_today', 1755176400000000, 1755176400000000, NULL)"
    )
    raw.close()
    async with SqliteStore.open(db_path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        async with store.transaction() as tx:
            deadline = await tx.get_deadline(3, 7)
            alerts = await tx.alerts_of(3, 7)
        assert deadline is not None
        assert (deadline.title, deadline.rule, deadline.mention) == (
            "County records",
            Rule.BUSINESS,
            Mention(MentionKind.ROLE, 42),
        )
        assert [(a.id, a.kind, a.sent_at is not None) for a in alerts] == [
            (41, AlertKind.REMINDER, True),
            (99, AlertKind.DUE_TODAY, False),
        ]
        # The rewritten CHECKs and the foreign key still hold.
        for bad in (
            "UPDATE deadlines SET status = 'archived'",
            "UPDATE deadlines SET rule = 'lunar'",
            "UPDATE alerts SET kind = 'someday'",
            "INSERT INTO alerts (guild_id, deadline_id, kind, send_at, next_attempt_at) "
            "VALUES (3, 8, 'reminder', 1, 1)",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                async with store.transaction() as tx:
                    await tx._conn.execute(bad)
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        indexes = {
            row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert {"deadlines_by_status_due", "alerts_pending"} <= indexes
    finally:
        raw.close()


async def test_migration_that_would_leave_broken_references_changes_nothing(
    db_path: Path,
) -> None:
    raw = database_at_version(db_path, 4)
    # An alert whose deadline is gone (possible only with foreign keys off, e.g. by hand).
    raw.execute(
        "INSERT INTO alerts (id, guild_id, deadline_id, kind, send_at, next_attempt_at) "
        "VALUES (5, 3, 404, 'reminder', 1, 1)"
    )
    raw.close()
    with pytest.raises(StorageError, match=r"would leave 1 broken reference\(s\)"):
        await SqliteStore.connect(db_path)
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 4
        assert raw.execute("SELECT id FROM alerts").fetchall() == [(5,)]
        checks = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'alerts'").fetchone()[0]
        assert "kind IN (" in checks  # still the version-4 table
    finally:
        raw.close()


async def test_an_sqlite_too_old_for_the_queries_is_refused_by_name(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(StorageError, match=r"SQLite is 3\.31\.1; Deadline Desk needs 3\.35\.0"):
        await SqliteStore.connect(db_path)
    assert not db_path.exists()


async def test_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(SchemaTooNewError, match="newer than this Deadline Desk"):
        await SqliteStore.connect(db_path)


async def test_online_backup_is_a_consistent_copy(store: SqliteStore, tmp_path: Path) -> None:
    async with store.transaction() as tx:
        await tx.insert_deadline(new_deadline())
    copy = tmp_path / "backup" / "copy.sqlite3"
    await store.backup(copy)
    raw = sqlite3.connect(copy)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("SELECT title FROM deadlines").fetchall() == [("Bondi letter",)]
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        raw.close()


async def test_text_is_stored_verbatim(store: SqliteStore) -> None:
    nasty = "Robert'); DROP TABLE deadlines;-- @everyone <@&1> %_\\"
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline(title=nasty, notes=nasty))
        await tx.insert_deadline(new_deadline(title="Plain title"))
        found = await tx.search_deadlines(1, "DROP TABLE")
        assert await tx.search_deadlines(1, "%") == [deadline]  # % is literal, not a wildcard
        assert await tx.search_deadlines(1, "_\\") == [deadline]
    assert [d.title for d in found] == [nasty]


async def test_a_cancelled_transaction_rolls_back_and_leaves_the_store_usable(
    store: SqliteStore,
) -> None:
    async def slow_insert() -> None:
        async with store.transaction() as tx:
            await tx.insert_deadline(new_deadline(title="never committed"))
            await asyncio.sleep(10)

    # Cancel after 0..7 loop turns: inside BEGIN, inside the insert, inside the sleep.
    for turns in range(8):
        task = asyncio.create_task(slow_insert())
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with store.transaction() as tx:
            assert await tx.count_deadlines(1, Status.ACTIVE) == 0


async def test_a_database_deleted_or_replaced_under_the_store_refuses_every_transaction(
    tmp_path: Path,
) -> None:
    path, other = tmp_path / "live.sqlite3", tmp_path / "other.sqlite3"
    async with SqliteStore.open(other):
        pass
    async with SqliteStore.open(path) as store:
        async with store.transaction() as tx:
            await tx.insert_deadline(new_deadline())
        assert store.file_problem() is None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        assert "was deleted" in (store.file_problem() or "")
        with pytest.raises(DatabaseGoneError, match=r"was deleted.*restore the last backup"):
            async with store.transaction() as tx:
                await tx.insert_deadline(new_deadline(title="never saved"))
        other.rename(path)  # a different file at the same path
        assert "was replaced" in (store.file_problem() or "")
        with pytest.raises(DatabaseGoneError, match="was replaced"):
            async with store.transaction() as tx:
                await tx.get_deadline(1, 1)


@pytest.mark.parametrize("leftover", ["-wal", "-shm"])
async def test_a_missing_database_with_its_leftovers_is_refused_not_made_anew(
    tmp_path: Path, leftover: str
) -> None:
    path = tmp_path / "data" / "deadlines.sqlite3"
    async with SqliteStore.open(path) as store, store.transaction() as tx:
        await tx.insert_deadline(new_deadline())
    path.parent.joinpath(path.name + leftover).write_bytes(b"")
    path.unlink()
    with pytest.raises(DatabaseGoneError, match=rf"missing but deadlines\.sqlite3{leftover}"):
        await SqliteStore.connect(path)
    assert not path.exists()  # nothing made in its place
    Path(f"{path}{leftover}").unlink()
    async with SqliteStore.open(path):  # with no files at all, a first start makes one
        pass
    assert path.exists()


async def test_alert_ids_are_never_reused_and_results_match_the_alert(store: SqliteStore) -> None:
    """A replan deletes the largest id; the next plan must not take it (review D1), and a
    result for the deleted alert writes nothing, even were its id back on another alert."""
    later = NOW + dt.timedelta(days=3)
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(new_deadline())
        await tx.replan(deadline, [PlannedAlert(AlertKind.DUE_TODAY, NOW)])
        (old,) = await tx.alerts_of(1, deadline.id)
        await tx.replan(deadline, [PlannedAlert(AlertKind.REMINDER, later)])
        (new,) = await tx.alerts_of(1, deadline.id)
        assert new.id > old.id
        assert await tx.mark_sent([(1, old, NOW, 7)]) == 0
        await tx.retry_later([(1, old, NOW, "no answer")])
        await tx.mark_failed([(1, old, NOW, "403")])
        # The same id with another kind or time is another alert: nothing is written to it.
        impostor = dataclasses.replace(new, send_at=NOW)
        assert await tx.mark_sent([(1, impostor, NOW, 8)]) == 0
        (kept,) = await tx.alerts_of(1, deadline.id)
    assert (kept.sent_at, kept.failed_at, kept.next_attempt_at) == (None, None, later)
    assert (kept.attempts, kept.error) == (0, None)
