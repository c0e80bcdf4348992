"""What a user or the bot waits for costs the same however much history there is (issue 16).

Work is measured in SQLite virtual-machine steps (a progress handler on the store's own
connection), which, unlike time, does not depend on the machine: each query runs once with a
small history and once with 30,000 more closed deadlines and 60,000 more sent alerts, and
must not do more than a little more work. The query plans are checked too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.deadlines import Rule
from bot.models import AlertKind, NewDeadline, PlannedAlert, Status
from bot.storage import DatabaseCorruptError, SqliteStore, queries_deadlines
from bot.storage.migrations import SCHEMA_VERSION

NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)
GUILD = 7
STEP = 100  # VM instructions per progress-handler call


def deadline(n: int, *, guild_id: int = GUILD, channel_id: int = 10) -> NewDeadline:
    due = NOW + dt.timedelta(days=n % 300 - 20, minutes=n % 1440)
    return NewDeadline(
        guild_id=guild_id,
        channel_id=channel_id,
        title=f"Records request {n}",
        start=NOW.date(),
        rule=Rule.CALENDAR,
        calendar="US",
        period="30 days",
        due=due.date(),
        due_at=due,
        has_time=True,
        explanation=("day 0", "+30 days"),
        created_by=5,
        created_at=NOW,
    )


async def add(store: SqliteStore, first: int, count: int, *, alerts: int = 0) -> list[int]:
    batch = [
        (
            deadline(n),
            [PlannedAlert(AlertKind.REMINDER, NOW + dt.timedelta(hours=k)) for k in range(alerts)],
        )
        for n in range(first, first + count)
    ]
    async with store.transaction() as tx:
        return await tx.insert_deadlines(batch)


async def close_all_but(store: SqliteStore, db_path: Path, active: set[int]) -> None:
    """Every other deadline of GUILD done (one in ten cancelled), every alert sent."""
    async with store.transaction() as tx:
        await tx._conn.execute(
            "UPDATE deadlines SET status = CASE WHEN id % 10 = 0 THEN 'cancelled' ELSE 'done' "
            f"END WHERE guild_id = ? AND id NOT IN ({','.join(map(str, active)) or 0})",
            (GUILD,),
        )
        await tx._conn.execute("UPDATE alerts SET sent_at = send_at WHERE sent_at IS NULL")


async def steps(store: SqliteStore, call: Callable[[], Awaitable[object]]) -> int:
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    await store._conn.set_progress_handler(tick, STEP)
    try:
        await call()
    finally:
        await store._conn.set_progress_handler(None, STEP)  # type: ignore[arg-type]
    return count


async def queries(store: SqliteStore) -> dict[str, Callable[[], Awaitable[object]]]:
    async def in_tx(method: str, *args: object, **kwargs: object) -> object:
        async with store.transaction() as tx:
            return await getattr(tx, method)(*args, **kwargs)

    def run(method: str, *args: object, **kwargs: object) -> Callable[[], Awaitable[object]]:
        return lambda: in_tx(method, *args, **kwargs)

    every = tuple(Status)
    return {
        "release_claims": run("release_claims"),
        "count_by_status": run("count_by_status"),
        "count_deadlines": run("count_deadlines", GUILD, Status.ACTIVE),
        "search 'request 1'": run("search_deadlines", GUILD, "request 1"),
        "search 'nothing'": run("search_deadlines", GUILD, "nothing like it"),
        "search '#3'": run("search_deadlines", GUILD, "#3"),
        "list active": run("list_deadlines", GUILD, statuses=(Status.ACTIVE,), now=NOW),
        "list overdue": run(
            "list_deadlines", GUILD, statuses=(Status.ACTIVE,), now=NOW, overdue_only=True
        ),
        "list done": run("list_deadlines", GUILD, statuses=(Status.DONE,), now=NOW),
        "list done page 3": run(
            "list_deadlines", GUILD, statuses=(Status.DONE,), now=NOW, offset=20
        ),
        "list all": run("list_deadlines", GUILD, statuses=every, now=NOW),
        "list all in a channel": run(
            "list_deadlines", GUILD, statuses=every, now=NOW, channel_id=10
        ),
    }


async def test_waited_for_queries_do_not_grow_with_history(
    store: SqliteStore, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Autocomplete reads at most this many closed deadlines of each status (2,000 in use).
    monkeypatch.setattr(queries_deadlines, "SEARCH_CLOSED_SCAN", 50, raising=False)
    ids = await add(store, 0, 400, alerts=2)
    active = set(ids[::2])  # 200 active, 200 closed
    await close_all_but(store, db_path, active)
    checks = await queries(store)
    before = {name: await steps(store, call) for name, call in checks.items()}
    results = {name: await call() for name, call in checks.items()}

    # Years later: 30,000 more closed deadlines, 60,000 more alerts sent.
    await add(store, 1_000_000, 30_000, alerts=2)
    await close_all_but(store, db_path, active)
    after = {name: await steps(store, call) for name, call in checks.items()}
    grown = {
        name: (before[name], after[name])
        for name in checks
        if after[name] > 2 * before[name] + 20  # some slack for deeper b-trees
    }
    assert not grown, f"work (x{STEP} VM steps) that grew with history: {grown}"
    # Same answers where history does not show (the active part).
    assert await checks["list active"]() == results["list active"]
    counts = await checks["count_by_status"]()
    assert isinstance(counts, dict)
    assert (counts["active"], counts["done"] + counts["cancelled"]) == (200, 30_200)


async def test_counts_follow_every_write(store: SqliteStore, db_path: Path) -> None:
    def truth() -> dict[tuple[int, str], int]:
        with sqlite3.connect(db_path) as raw:
            counted = raw.execute(
                "SELECT guild_id, status, COUNT(*) FROM deadlines GROUP BY guild_id, status"
            ).fetchall()
            kept = raw.execute(
                "SELECT guild_id, status, SUM(n) FROM deadline_counts GROUP BY guild_id, status "
                "HAVING SUM(n) != 0"
            )
            assert sorted(kept.fetchall()) == sorted(counted)
        return {(g, s): n for g, s, n in counted}

    async with store.transaction() as tx:
        one = await tx.insert_deadline(deadline(1))
        two = await tx.insert_deadline(deadline(2, guild_id=8))
        await tx.insert_deadlines([(deadline(n), []) for n in range(3, 50)])
    truth()
    async with store.transaction() as tx:
        await tx.update_deadline(dataclasses.replace(one, status=Status.DONE))
        await tx.update_deadline(dataclasses.replace(one, status=Status.DONE, title="again"))
        await tx.update_deadline(dataclasses.replace(two, status=Status.CANCELLED))
        await tx.update_deadline(dataclasses.replace(two, status=Status.CANCELLED, channel_id=11))
        await tx._conn.execute("DELETE FROM deadlines WHERE guild_id = ? AND id > 40", (GUILD,))
    counts = truth()
    assert counts == {(GUILD, "active"): 39, (GUILD, "done"): 1, (8, "cancelled"): 1}
    async with store.transaction() as tx:
        assert await tx.count_by_status() == {"active": 39, "done": 1, "cancelled": 1}
        assert await tx.count_deadlines(GUILD, Status.ACTIVE) == 39
        assert await tx.count_deadlines(99, Status.ACTIVE) == 0
        _, total = await tx.list_deadlines(GUILD, statuses=tuple(Status), now=NOW)
        assert total == 40
        _, total = await tx.list_deadlines(8, statuses=tuple(Status), now=NOW, channel_id=11)
        assert total == 1


async def test_the_migration_counts_what_is_there(db_path: Path) -> None:
    async with SqliteStore.open(db_path) as store:
        await add(store, 0, 30)
        await close_all_but(store, db_path, {1, 2, 3})
    # As a database of the version before looked: no counts, no new indexes.
    with sqlite3.connect(db_path) as raw:
        raw.executescript(
            """
            DROP TABLE deadline_counts;
            DROP TRIGGER deadline_inserted_counts;
            DROP TRIGGER deadline_moved_counts;
            DROP TRIGGER deadline_deleted_counts;
            DROP INDEX alerts_claimed;
            DROP INDEX deadlines_by_channel;
            DROP TABLE settings_version;
            DROP TRIGGER settings_inserted_version;
            DROP TRIGGER settings_updated_version;
            DROP TRIGGER settings_deleted_version;
            DROP INDEX deadlines_closed;
            ALTER TABLE deadlines DROP COLUMN paused_at;
            ALTER TABLE deadlines DROP COLUMN paused_left;
            DROP TABLE dm_copies;
            DROP INDEX alerts_key;
            ALTER TABLE alerts DROP COLUMN dm_user_id;
            DROP INDEX deadlines_staged;
            ALTER TABLE deadlines DROP COLUMN preset;
            ALTER TABLE deadlines DROP COLUMN stage;
            ALTER TABLE deadlines DROP COLUMN stages_left;
            DROP INDEX deadlines_repeating;
            ALTER TABLE deadlines DROP COLUMN recurrence;
            ALTER TABLE deadlines DROP COLUMN occurrence_on;
            ALTER TABLE deadlines DROP COLUMN next_id;
            ALTER TABLE deadlines DROP COLUMN last_day_on;
            """
        )
        raw.execute("PRAGMA user_version = 9")  # as migration 9 left it: 10 and on run again
    async with SqliteStore.open(db_path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        async with store.transaction() as tx:
            assert await tx.count_by_status() == {"active": 3, "done": 24, "cancelled": 3}


def plan(db_path: Path, sql: str, params: tuple[object, ...]) -> list[str]:
    with sqlite3.connect(db_path) as raw:
        return [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


async def test_start_up_claims_are_found_through_their_index(
    store: SqliteStore, db_path: Path
) -> None:
    await add(store, 0, 10, alerts=2)
    details = plan(
        db_path,
        "UPDATE alerts SET claimed_at = NULL "
        "WHERE claimed_at IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL",
        (),
    )
    assert any("alerts_claimed" in d for d in details), details
    # And the store's own statement is that one.
    async with store.transaction() as tx:
        claimed = await tx.claim_due(NOW + dt.timedelta(days=1), limit=3, now=NOW)
    async with store.transaction() as tx:
        assert await tx.release_claims() == len(claimed) == 3


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT * FROM deadlines WHERE guild_id = 7 AND status = 'done' "
            "ORDER BY due_at, id LIMIT 10",
            "deadlines_by_status_due",
        ),
        (
            "SELECT * FROM deadlines WHERE guild_id = 7 AND channel_id = 1 AND status = 'done' "
            "ORDER BY due_at, id LIMIT 10",
            "deadlines_by_channel",
        ),
        (
            "SELECT * FROM deadlines WHERE guild_id = 7 AND status = 'done' "
            "ORDER BY due_at DESC LIMIT 2000",
            "deadlines_by_status_due",
        ),
    ],
)
async def test_history_reads_use_an_index(
    store: SqliteStore, db_path: Path, sql: str, index: str
) -> None:
    details = plan(db_path, sql, ())
    assert any(index in d for d in details), details
    assert not any(d.startswith("SCAN deadlines") and "INDEX" not in d for d in details)


async def test_search_finds_by_number_and_title_active_first(store: SqliteStore) -> None:
    ids = await add(store, 0, 30)
    async with store.transaction() as tx:
        first = await tx.get_deadline(GUILD, ids[0])
        assert first is not None
        await tx.update_deadline(dataclasses.replace(first, status=Status.DONE))
        by_number = await tx.search_deadlines(GUILD, f"#{ids[0]}")
        assert [d.id for d in by_number][:1] == [ids[0]]
        assert await tx.search_deadlines(GUILD, "#012") == []  # not #12 (numbers as typed)
        titled = await tx.search_deadlines(GUILD, "Records request", limit=50)
        assert len(titled) == 30
        assert titled[-1].id == ids[0]  # the done one after every active one
        assert await tx.search_deadlines(GUILD, "100%") == []


async def test_the_integrity_check_runs_at_start_only_after_an_unclean_stop(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="bot.storage.sqlite")
    async with SqliteStore.open(db_path) as store:
        first = await store.check_at_start()  # a first start: no marker
        assert first.checked
        await store.mark_clean_stop()
    async with SqliteStore.open(db_path) as store:
        clean = await store.check_at_start()
        assert not clean.checked
        assert "stopped cleanly" in clean.reason
        # Killed now (no marker written): the next start checks again.
    async with SqliteStore.open(db_path) as store:
        assert (await store.check_at_start()).checked
    said = [r.getMessage() for r in caplog.records if "integrity check" in r.getMessage()]
    assert len(said) == 3  # every start says which, and why
    assert "not run at start: the last run stopped cleanly" in said[1]


def scribble(db_path: Path) -> None:
    """Damage a b-tree page in the middle of the file (as a bad disk would)."""
    raw = bytearray(db_path.read_bytes())
    page = 4096
    middle = len(raw) // page // 2
    raw[page * middle : page * middle + 400] = b"\xee" * 400
    db_path.write_bytes(bytes(raw))


async def test_damage_after_a_clean_stop_is_found_by_the_background_check(
    db_path: Path,
) -> None:
    async with SqliteStore.open(db_path) as store:
        await add(store, 0, 3000, alerts=1)
        await store.mark_clean_stop()
    scribble(db_path)
    async with SqliteStore.open(db_path) as store:
        assert not (await store.check_at_start()).checked
        problem = await store.check_in_background()
        assert problem is not None
        assert "restore" in problem
        assert store.integrity_problem == problem
    # Without the marker (it was taken) the next start refuses the file.
    async with SqliteStore.open(db_path) as store:
        with pytest.raises(DatabaseCorruptError, match="restore"):
            await store.check_at_start()


async def test_the_background_check_does_not_hold_the_writers(db_path: Path) -> None:
    async with SqliteStore.open(db_path) as store:
        await add(store, 0, 2000, alerts=1)
        assert await store.check_in_background() is None
        assert store.integrity_problem is None
        checked = await store.integrity_checked_at()
        assert checked is not None
        # A write while the check reads: it does not wait for the check's lock (there is none).
        check = asyncio.create_task(store.check_in_background())
        async with store.transaction() as tx:
            await tx.set_meta("written", "during the check")
        assert await check is None
