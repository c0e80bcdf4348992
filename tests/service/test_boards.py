"""Live boards: the pure rendering, and storage and service on real SQLite files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from support import FakeClock

from bot.deadlines import Rule
from bot.discord import render
from bot.models import Board, BoardScope, Deadline, Mention, MentionKind, Status
from bot.service import (
    MAX_BOARDS_PER_GUILD,
    Actor,
    ChannelRights,
    LimitError,
    NotAllowed,
    NotFoundError,
    Services,
)
from bot.service.actor import may_manage_boards
from bot.storage import MIGRATIONS, SCHEMA_VERSION, SqliteStore

NOW = dt.datetime(2025, 8, 20, 13, 0, tzinfo=dt.UTC)
HERE, THERE = 10, 20
GUILD, OTHER = 1, 2
BASE = Deadline(
    guild_id=GUILD, id=1, channel_id=HERE, title="Bondi letter", start=dt.date(2025, 7, 17),
    rule=Rule.ROLL, calendar="US", period="30 days", due=dt.date(2025, 8, 25),
    due_at=dt.datetime(2025, 8, 26, 3, 59, 59, tzinfo=dt.UTC), has_time=False,
    explanation=("day 0",), created_by=5, created_at=dt.datetime(2025, 7, 17, 12, tzinfo=dt.UTC),
    updated_at=dt.datetime(2025, 7, 17, 12, tzinfo=dt.UTC),
)  # fmt: skip


def deadline(deadline_id: int, *, days: float, **changes: object) -> Deadline:
    """A deadline due `days` after NOW (negative: overdue)."""
    due_at = NOW + dt.timedelta(days=days)
    fields: dict[str, object] = {"title": f"Letter {deadline_id}", **changes}
    return dataclasses.replace(
        BASE,
        id=deadline_id,
        due=due_at.date(),
        due_at=due_at,
        **fields,  # type: ignore[arg-type]
    )


def board_lines(deadlines: list[Deadline], scope: BoardScope = BoardScope.CHANNEL) -> list[str]:
    embed = render.board_embed(deadlines, now=NOW, scope=scope, channel_id=HERE)
    assert embed.description is not None
    return embed.description.splitlines()


# -- pure rendering -----------------------------------------------------------------------


def test_board_lists_overdue_first_marked_then_soonest_first() -> None:
    deadlines = [
        deadline(1, days=9), deadline(2, days=-1), deadline(3, days=2), deadline(4, days=-3),
    ]  # fmt: skip
    lines = board_lines(deadlines)
    assert [line.split("**#")[1].split("**")[0] for line in lines] == ["4", "2", "3", "1"]
    assert all("OVERDUE" in line for line in lines[:2])
    assert not any("OVERDUE" in line for line in lines[2:])
    embed = render.board_embed(deadlines, now=NOW, scope=BoardScope.CHANNEL, channel_id=HERE)
    assert embed.title is not None
    assert "2 overdue" in embed.title
    assert embed.colour == render.COLOR_OVERDUE


def test_board_shows_the_due_date_and_a_live_countdown() -> None:
    (line,) = board_lines([deadline(7, days=3)])
    due_at = NOW + dt.timedelta(days=3)
    assert f"<t:{int(due_at.timestamp())}:R>" in line
    assert "2025-08-23" in line
    assert line.startswith("**#7** Letter 7")


def test_board_scope_channel_shows_only_that_channels_active_deadlines() -> None:
    deadlines = [
        deadline(1, days=1),
        deadline(2, days=2, channel_id=THERE),
        deadline(3, days=3, status=Status.DONE),
    ]
    assert [line[:6] for line in board_lines(deadlines)] == ["**#1**"]
    everything = board_lines(deadlines, BoardScope.ALL)
    assert [line[:6] for line in everything] == ["**#1**", "**#2**"]
    assert f"<#{THERE}>" in everything[1]  # the whole-server board says where each one alerts


def test_board_with_more_than_fits_says_how_many_more() -> None:
    deadlines = [deadline(i, days=i, title="x" * 100) for i in range(1, 101)]
    embed = render.board_embed(deadlines, now=NOW, scope=BoardScope.CHANNEL, channel_id=HERE)
    assert embed.description is not None
    assert len(embed.description) <= render.DESCRIPTION_LIMIT
    assert len(embed) <= render.TOTAL_LIMIT
    *shown, more = embed.description.splitlines()
    assert 10 < len(shown) < 100
    assert more == f"and {100 - len(shown)} more: /deadline list"
    assert shown[0].startswith("**#1**")  # the soonest are the ones kept


def test_board_that_fits_has_no_more_line() -> None:
    lines = board_lines([deadline(i, days=i) for i in range(1, 31)])
    assert len(lines) == 30
    assert not any("more:" in line for line in lines)


def test_board_escapes_titles_and_shows_mentions_as_text() -> None:
    (line,) = board_lines(
        [
            deadline(
                1,
                days=1,
                title="@everyone **#9 fake** <@&1>",
                mention=Mention(MentionKind.ROLE, 42),
            )
        ]
    )
    assert "@everyone" not in line
    assert "**#9" not in line
    assert "<@&1>" not in line
    assert line.endswith("\u00b7 <@&42>")  # shown as text; an embed never pings
    (user,) = board_lines([deadline(2, days=1, mention=Mention(MentionKind.USER, 7))])
    assert user.endswith("<@7>")


def test_empty_board_says_how_to_add_one() -> None:
    embed = render.board_embed([], now=NOW, scope=BoardScope.CHANNEL, channel_id=HERE)
    assert embed.description is not None
    assert "/deadline add" in embed.description
    assert embed.title is not None
    assert "0 active" in embed.title


def test_only_members_who_may_pin_manage_boards() -> None:
    assert may_manage_boards(Actor.everywhere(1, pin_messages=True), HERE)
    assert may_manage_boards(Actor(1, manage_guild=True), HERE)
    assert not may_manage_boards(Actor(1, role_ids=frozenset({5})), HERE)
    # Since February 2026 Manage Messages alone does not let anyone pin (Discord change log).
    manager_only = Actor.everywhere(1, manage_messages=True, pin_messages=False)
    assert not may_manage_boards(manager_only, HERE)
    # Pin Messages counts in the board's own channel, not in another one.
    there_only = Actor(1, rights=lambda channel: ChannelRights(pin_messages=channel == THERE))
    assert may_manage_boards(there_only, THERE)
    assert not may_manage_boards(there_only, HERE)


def test_board_posted_text_says_when_pinning_failed() -> None:
    pinned = render.board_posted_text(HERE, pin_error=None, replaced=False)
    assert "and pinned" in pinned
    refused = render.board_posted_text(HERE, pin_error="I need Manage Messages", replaced=True)
    assert "could not be pinned: I need Manage Messages" in refused
    assert "replaces" in refused


# -- storage and service ------------------------------------------------------------------


def pinner(user_id: int) -> Actor:
    """A member with Manage and Pin Messages in every channel: may post and remove boards."""
    return Actor.everywhere(user_id, manage_messages=True)


async def test_only_members_who_may_pin_post_or_remove_boards(
    store: SqliteStore, clock: FakeClock
) -> None:
    use = Services.over(store, clock=clock).boards
    there_only = Actor(6, rights=lambda channel: ChannelRights(pin_messages=channel == THERE))
    for actor in (Actor(6), Actor(6, role_ids=frozenset({5})), there_only):
        with pytest.raises(NotAllowed, match="Pin Messages"):
            await use.prepare_post(actor, GUILD, HERE)
        with pytest.raises(NotAllowed, match="Pin Messages"):
            await use.post(actor, GUILD, channel_id=HERE, message_id=100, scope="channel")
    assert await use.boards_for(GUILD) == []
    await use.post(there_only, GUILD, channel_id=THERE, message_id=200, scope="all")
    await use.post(Actor(7, manage_guild=True), GUILD, channel_id=HERE, message_id=100, scope="all")
    with pytest.raises(NotAllowed):
        await use.remove(there_only, GUILD, HERE)
    with pytest.raises(NotAllowed):
        await use.remove(Actor(6), GUILD, THERE)
    assert [b.message_id for b in await use.boards_for(GUILD)] == [100, 200]
    assert (await use.remove(there_only, GUILD, THERE)).message_id == 200


async def test_post_list_and_remove_boards(store: SqliteStore, clock: FakeClock) -> None:
    use = Services.over(store, clock=clock).boards
    replaced = await use.post(pinner(5), GUILD, channel_id=HERE, message_id=100, scope="channel")
    assert replaced is None
    await use.post(pinner(5), GUILD, channel_id=THERE, message_id=200, scope="all")
    boards = await use.boards_for(GUILD)
    assert [(b.channel_id, b.message_id, b.scope) for b in boards] == [
        (HERE, 100, BoardScope.CHANNEL), (THERE, 200, BoardScope.ALL),
    ]  # fmt: skip
    assert boards[0].created_by == 5
    assert boards[0].created_at == clock.now()
    # One board per channel: a new one replaces it.
    replaced = await use.post(pinner(6), GUILD, channel_id=HERE, message_id=101, scope="all")
    assert replaced is not None
    assert replaced.message_id == 100
    assert [b.message_id for b in await use.boards_for(GUILD)] == [101, 200]
    removed = await use.remove(pinner(6), GUILD, HERE)
    assert removed.message_id == 101
    assert [b.channel_id for b in await use.boards_for(GUILD)] == [THERE]
    with pytest.raises(NotFoundError):
        await use.remove(pinner(6), GUILD, HERE)
    async with store.transaction() as tx:
        actions = [(e.action, e.actor_id) for e in await tx.guild_history(GUILD)]
    assert actions == [
        ("board posted", 5), ("board posted", 5), ("board posted", 6), ("board removed", 6),
    ]  # fmt: skip


async def test_boards_are_kept_per_guild(store: SqliteStore, clock: FakeClock) -> None:
    use = Services.over(store, clock=clock).boards
    await use.post(pinner(5), GUILD, channel_id=HERE, message_id=100, scope="channel")
    assert await use.boards_for(OTHER) == []
    with pytest.raises(NotFoundError):
        await use.remove(pinner(5), OTHER, HERE)
    # The same channel id in another guild is another board.
    await use.post(pinner(5), OTHER, channel_id=HERE, message_id=900, scope="all")
    assert [b.message_id for b in await use.boards_for(GUILD)] == [100]
    assert [b.message_id for b in await use.boards_for(OTHER)] == [900]
    assert await use.board_guilds() == [GUILD, OTHER]
    boards, _ = await use.contents(OTHER)
    assert [b.guild_id for b in boards] == [OTHER]


async def test_board_contents_are_the_guilds_active_deadlines(
    store: SqliteStore, clock: FakeClock
) -> None:
    services = Services.over(store, clock=clock)
    use, add = services.boards, services.deadlines.add
    await use.post(pinner(5), GUILD, channel_id=HERE, message_id=100, scope="channel")
    first = await add(Actor(5), GUILD, channel_id=HERE, text="Bondi letter, 30 days")
    await add(Actor(5), GUILD, channel_id=HERE, text="FOIA, 20 business days")
    await add(Actor(5), OTHER, channel_id=HERE, text="Rival, 5 days")
    await services.deadlines.done(Actor(5), GUILD, first.deadline.id)
    boards, deadlines = await use.contents(GUILD)
    assert [b.message_id for b in boards] == [100]
    assert [d.title for d in deadlines] == ["FOIA"]


async def test_forgetting_a_board_records_it_once(store: SqliteStore, clock: FakeClock) -> None:
    use = Services.over(store, clock=clock).boards
    await use.post(pinner(5), GUILD, channel_id=HERE, message_id=100, scope="channel")
    (board,) = await use.boards_for(GUILD)
    assert await use.forget(board, reason="its message was deleted")
    assert not await use.forget(board, reason="its message was deleted")
    assert await use.boards_for(GUILD) == []
    async with store.transaction() as tx:
        events = await tx.guild_history(GUILD)
    assert events[-1].action == "board removed"
    assert events[-1].deadline_id is None
    assert events[-1].actor_id is None
    assert "its message was deleted" in events[-1].detail
    assert [e.action for e in events].count("board removed") == 1


async def test_forgetting_an_old_board_keeps_the_channels_new_one(
    store: SqliteStore, clock: FakeClock
) -> None:
    use = Services.over(store, clock=clock).boards
    await use.post(pinner(5), GUILD, channel_id=HERE, message_id=100, scope="channel")
    (old,) = await use.boards_for(GUILD)
    await use.post(pinner(5), GUILD, channel_id=HERE, message_id=101, scope="channel")
    assert not await use.forget(old, reason="its message was deleted")
    assert [b.message_id for b in await use.boards_for(GUILD)] == [101]


async def test_a_guild_has_a_limited_number_of_boards(store: SqliteStore, clock: FakeClock) -> None:
    use = Services.over(store, clock=clock).boards
    for channel in range(MAX_BOARDS_PER_GUILD):
        await use.post(pinner(5), GUILD, channel_id=channel, message_id=channel, scope="all")
    with pytest.raises(LimitError):
        await use.prepare_post(pinner(5), GUILD, 999)
    with pytest.raises(LimitError):
        await use.post(pinner(5), GUILD, channel_id=999, message_id=9, scope="all")
    # Replacing a board in a channel that has one is always fine.
    current, _ = await use.prepare_post(pinner(5), GUILD, 0)
    assert current is not None


async def test_boards_table_constraints(store: SqliteStore, clock: FakeClock) -> None:
    board = Board(GUILD, HERE, 100, BoardScope.CHANNEL, clock.now(), 5)
    async with store.transaction() as tx:
        await tx.put_board(board)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx._conn.execute(
                "INSERT INTO boards (guild_id, channel_id, message_id, scope, created_at) "
                "VALUES (?, ?, 1, 'everything', 0)",
                (GUILD, THERE),
            )


async def test_boards_survive_reopening(db_path: Path, clock: FakeClock) -> None:
    async with SqliteStore.open(db_path) as store:
        await Services.over(store, clock=clock).boards.post(
            pinner(5), GUILD, channel_id=HERE, message_id=100, scope="all"
        )
    async with SqliteStore.open(db_path) as store:
        (board,) = await Services.over(store, clock=clock).boards.boards_for(GUILD)
    assert (board.message_id, board.scope, board.created_at) == (100, BoardScope.ALL, clock.now())


async def test_boards_migration_applies_to_the_previous_versions_database(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript("".join(MIGRATIONS[:3]))
    raw.execute("PRAGMA user_version = 3")
    raw.execute(
        "INSERT INTO deadlines (guild_id, id, channel_id, title, start_on, rule, calendar, "
        "period, due_on, due_at, has_time, explanation, created_by, created_at, updated_at) "
        "VALUES (?, 1, ?, 'Old letter', '2025-07-17', 'calendar', 'US', '30 days', "
        "'2025-08-16', 1755403199000000, 0, '[]', 7, 0, 0)",
        (GUILD, HERE),
    )
    raw.commit()
    raw.close()
    async with SqliteStore.open(db_path) as store:
        assert SCHEMA_VERSION >= 4
        assert await store.schema_version() == SCHEMA_VERSION
        use = Services.over(store, clock=clock).boards
        await use.post(pinner(7), GUILD, channel_id=HERE, message_id=1, scope="channel")
        boards, deadlines = await use.contents(GUILD)
    assert [b.message_id for b in boards] == [1]
    assert [d.title for d in deadlines] == ["Old letter"]
