"""DM copies in storage (issue 18.5, migration 15): each copy is an alert row of its own, kept
in step with the channel's alerts by the planning methods, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from support import START, records_request

from bot.models import AlertKind, GuildSettings, PlannedAlert
from bot.planning import plan_alerts
from bot.storage import MIGRATIONS, SCHEMA_VERSION, SqliteStore

GUILD, USER, OTHER = 100, 5, 6
LATER = START + dt.timedelta(days=1)


async def add_deadline(store: SqliteStore, *, copies_for: tuple[int, ...] = ()) -> int:
    settings = GuildSettings(GUILD)
    async with store.transaction() as tx:
        deadline = await tx.insert_deadline(records_request(1, guild_id=GUILD, created_by=USER))
        for user in copies_for:
            await tx.add_dm_copies(GUILD, deadline.id, user, now=START)
        await tx.add_alerts(deadline, plan_alerts(deadline, settings, now=START))
    return deadline.id


def rows(db_path: Path) -> list[tuple[str, int, int | None, bool]]:
    """(kind, send_at, dm user, pending) of every alert, as another process reads them."""
    with sqlite3.connect(db_path) as raw:
        return [
            (kind, send_at, dm, sent is None and failed is None)
            for kind, send_at, dm, sent, failed in raw.execute(
                "SELECT kind, send_at, dm_user_id, sent_at, failed_at FROM alerts "
                "ORDER BY send_at, ifnull(dm_user_id, 0)"
            )
        ]


async def test_each_planned_alert_gets_one_copy_per_member_who_asked(
    store: SqliteStore, db_path: Path
) -> None:
    deadline_id = await add_deadline(store, copies_for=(USER, OTHER))
    found = rows(db_path)
    channel = [(k, at) for k, at, dm, _ in found if dm is None]
    assert len(channel) == 5  # reminders 7, 3, 1 days before, due today, the first overdue
    for user in (USER, OTHER):
        assert [(k, at) for k, at, dm, _ in found if dm == user] == channel
    # Planning again (a replan that keeps everything) adds no second copy.
    async with store.transaction() as tx:
        deadline = await tx.get_deadline(GUILD, deadline_id)
        assert deadline is not None
        await tx.replan(deadline, plan_alerts(deadline, GuildSettings(GUILD), now=START))
    assert rows(db_path) == found
    # The channel reads (status, replanning) see the channel's alerts only.
    async with store.transaction() as tx:
        pending = await tx.pending_alerts(GUILD, deadline_id)
        due = await tx.due_alerts(GUILD, before=START + dt.timedelta(days=60))
    assert len(pending) == len(due) == 5
    assert all(alert.dm_user_id is None for alert in [*pending, *due])


async def test_turning_copies_on_copies_only_the_alerts_still_to_come(
    store: SqliteStore, db_path: Path
) -> None:
    deadline_id = await add_deadline(store)
    some_time = dt.datetime(2025, 8, 14, tzinfo=dt.UTC)  # after two reminders were due
    async with store.transaction() as tx:
        assert await tx.add_dm_copies(GUILD, deadline_id, USER, now=some_time)
        assert not await tx.add_dm_copies(GUILD, deadline_id, USER, now=some_time)
    copies = [at for _, at, dm, _ in rows(db_path) if dm == USER]
    since = (some_time - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    channel_after = [at for _, at, dm, _ in rows(db_path) if dm is None and at >= since]
    assert len(channel_after) == 4  # the 3 and 1 day reminders, due today, the first overdue
    assert copies == channel_after


async def test_turning_copies_off_removes_only_that_members_unsent_copies(
    store: SqliteStore, db_path: Path
) -> None:
    deadline_id = await add_deadline(store, copies_for=(USER, OTHER))
    with sqlite3.connect(db_path) as raw:  # USER's first copy went out already
        raw.execute(
            "UPDATE alerts SET sent_at = 1, message_id = 9 WHERE id = "
            "(SELECT MIN(id) FROM alerts WHERE dm_user_id = ?)",
            (USER,),
        )
    async with store.transaction() as tx:
        assert await tx.remove_dm_copies(GUILD, deadline_id, USER)
        assert not await tx.remove_dm_copies(GUILD, deadline_id, USER)
        state = await tx.dm_copies_of(GUILD, deadline_id, USER)
        assert await tx.dm_copy_users(GUILD, deadline_id) == [OTHER]
    found = rows(db_path)
    assert [pending for _, _, dm, pending in found if dm == USER] == [False]  # history stays
    assert len([1 for _, _, dm, _ in found if dm == OTHER]) == 5
    assert state is not None
    assert not state.on
    assert state.last_sent_at is not None
    # A channel alert planned from now on has a copy for OTHER only.
    async with store.transaction() as tx:
        deadline = await tx.get_deadline(GUILD, deadline_id)
        assert deadline is not None
        extra = PlannedAlert(AlertKind.OVERDUE, LATER + dt.timedelta(days=40), seq=2)
        await tx.plan_if_active([(GUILD, deadline_id, deadline.due_at, extra)])
    latest = [dm for _, at, dm, _ in rows(db_path) if at == max(a for _, a, _, _ in rows(db_path))]
    assert latest == [None, OTHER]


async def test_a_channel_alert_replanned_away_takes_its_unsent_copies_with_it(
    store: SqliteStore, db_path: Path
) -> None:
    deadline_id = await add_deadline(store, copies_for=(USER,))
    async with store.transaction() as tx:
        deadline = await tx.get_deadline(GUILD, deadline_id)
        assert deadline is not None
        # Only the first overdue alert still applies (say the reminders were turned off).
        (overdue,) = [a for a in plan_alerts(deadline, GuildSettings(GUILD), now=START)
                      if a.kind is AlertKind.OVERDUE]  # fmt: skip
        await tx.replan(deadline, [overdue])
    assert [(kind, dm) for kind, _, dm, _ in rows(db_path)] == [
        ("overdue", None),
        ("overdue", USER),
    ]


async def test_migration_15_keeps_every_alert_and_tells_copies_apart(
    store: SqliteStore, db_path: Path, tmp_path: Path
) -> None:
    # A database as migration 14 left it (the alerts' old UNIQUE key), holding a deadline
    # and its alerts, one of them sent.
    await add_deadline(store)
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as raw:
        raw.executescript("\n".join(MIGRATIONS[:14]))
        raw.execute("PRAGMA user_version = 14")
        raw.execute("ATTACH ? AS new", (str(db_path),))
        old_columns = ", ".join(row[1] for row in raw.execute("PRAGMA table_info(deadlines)"))
        raw.execute(
            f"INSERT INTO deadlines ({old_columns}) SELECT {old_columns} FROM new.deadlines"
        )
        raw.execute(
            "INSERT INTO alerts SELECT id, guild_id, deadline_id, kind, send_at, seq, escalate, "
            "days_before, next_attempt_at, attempts, claimed_at, sent_at, failed_at, error, "
            "message_id, attempted_at FROM new.alerts"
        )
        raw.execute("UPDATE alerts SET sent_at = 7, message_id = 70 WHERE id = 1")
        raw.commit()
        raw.execute("DETACH new")
        before = raw.execute("SELECT * FROM alerts ORDER BY id").fetchall()
    assert len(before) == 5
    async with SqliteStore.open(old) as migrated:
        assert await migrated.schema_version() == SCHEMA_VERSION
        async with migrated.transaction() as tx:
            assert await tx.add_dm_copies(GUILD, 1, USER, now=START)
    with sqlite3.connect(old) as raw:
        after = raw.execute("SELECT * FROM alerts WHERE dm_user_id IS NULL ORDER BY id").fetchall()
        assert [(*row, None) for row in before] == after
        (copies,) = raw.execute("SELECT COUNT(*) FROM alerts WHERE dm_user_id = ?", (USER,))
        assert copies == (4,)  # the sent one is not copied: only what is still to come
        # The channel's key is still unique: one channel alert cannot be stored twice.
        kind, send_at = raw.execute("SELECT kind, send_at FROM alerts WHERE id = 2").fetchone()
        try:
            raw.execute(
                "INSERT INTO alerts (guild_id, deadline_id, kind, send_at, next_attempt_at) "
                "VALUES (?, 1, ?, ?, ?)",
                (GUILD, kind, send_at, send_at),
            )
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a second channel alert with the same key was stored")
