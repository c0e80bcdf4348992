"""Live boards end to end: the real bot posts, pins and edits a board on the fake Discord."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakediscord import DEFAULT_MEMBER_PERMISSIONS, MANAGE_MESSAGES, PIN_MESSAGES
from fakediscord.records import RecordedRequest
from newsroom import EPHEMERAL, Newsroom, open_newsroom

from bot.models import BoardScope

PINNER = DEFAULT_MEMBER_PERMISSIONS | MANAGE_MESSAGES | PIN_MESSAGES
QUIET = 0.4  # seconds to wait to be sure nothing more happens (several debounce periods)


class Room(Newsroom):
    """The newsroom, where alice may pin (Manage and Pin Messages) and bob may not."""

    async def command(  # type: ignore[override]
        self, name: str, options: dict[str, Any] | None = None, **where: Any
    ) -> dict[str, Any]:
        """The command's reply: the follow-up when it deferred, else the response."""
        return await self.answer(name, options, **where)

    def board_posts(self, channel: str | None = None) -> list[RecordedRequest]:
        return self.fake.requests_to("POST", rf"/channels/{channel or self.general}/messages")

    def edits(self, message_id: str, channel: str | None = None) -> list[RecordedRequest]:
        return self.fake.requests_to(
            "PATCH", rf"/channels/{channel or self.general}/messages/{message_id}"
        )

    async def edit(self, message_id: str, count: int, channel: str | None = None) -> str:
        """Wait for the `count`-th edit of the board; its embed's description."""
        request = await self.fake.wait_for_request(
            "PATCH", rf"/channels/{channel or self.general}/messages/{message_id}", count=count
        )
        assert request.json is not None
        assert request.json["allowed_mentions"] == {"parse": []}
        description: str = request.json["embeds"][0]["description"]
        return description


@pytest.fixture
def debounce() -> float:
    return 0.05


def board_room(tmp_path: Path, debounce: float) -> Any:
    return open_newsroom(
        tmp_path, kind=Room, permissions=PINNER, manage_messages=["alice"],
        board_debounce=debounce,
        board_check_seconds=0.05,
    )  # fmt: skip


@pytest.fixture
async def room(tmp_path: Path, debounce: float) -> AsyncIterator[Room]:
    async with board_room(tmp_path, debounce) as opened:
        yield opened


async def post_board(room: Room, **options: Any) -> tuple[str, str]:
    """Post a board in general; its message id and the ephemeral confirmation."""
    before = room.board_posts(options.get("channel"))
    reply = await room.command("board", options)
    assert reply["data"]["flags"] & EPHEMERAL
    (post,) = room.board_posts(options.get("channel"))[len(before) :]
    message_id: str = post.response["id"]
    content: str = reply["data"]["content"]
    return message_id, content


async def add(room: Room, text: str, **options: Any) -> None:
    reply = await room.command("add", {"text": text, "from": "2025-07-17", **options})
    assert reply["type"] == 4, reply


async def test_board_is_posted_pinned_and_edited_in_place(room: Room) -> None:
    message_id, content = await post_board(room)
    (post,) = room.board_posts()
    assert post.json is not None
    assert post.json["allowed_mentions"] == {"parse": []}
    assert "Nothing due here" in post.json["embeds"][0]["description"]
    await room.fake.wait_for_request("PUT", rf"/channels/{room.general}/messages/pins/{message_id}")
    assert room.fake.message(message_id)["pinned"]
    assert f"Board posted in <#{room.general}> and pinned" in content

    await add(room, "Bondi letter, 30 days")
    described = await room.edit(message_id, 1)
    assert described.startswith("**#1** Bondi letter \u2014 Sat 2025-08-16 (<t:")

    await room.command("extend", {"deadline": "1", "by": "14 days"})
    described = await room.edit(message_id, 2)
    assert "Sat 2025-08-30" in described

    await room.command("done", {"deadline": "1"})
    described = await room.edit(message_id, 3)
    assert "Nothing due here" in described

    await asyncio.sleep(QUIET)
    assert len(room.edits(message_id)) == 3
    assert len(room.board_posts()) == 1  # edited in place, never posted again


async def test_board_shows_the_mention_as_text_and_escapes_titles(room: Room) -> None:
    message_id, _ = await post_board(room)
    role = room.fake.add_role(room.guild.id, "legal", mentionable=True)
    created = {"guild_id": room.guild.id, "role": role.payload()}
    await room.fake.dispatch("GUILD_ROLE_CREATE", created)
    await add(room, "@everyone **fake**, 30 days", mention=role.id)
    described = await room.edit(message_id, 1)
    assert "@everyone" not in described
    assert "\\*\\*fake\\*\\*" in described
    assert described.endswith(f"\u00b7 <@&{role.id}>")


@pytest.mark.parametrize("debounce", [1.5])
async def test_a_burst_of_changes_is_one_edit(room: Room) -> None:
    message_id, _ = await post_board(room)
    for days in range(1, 6):
        await add(room, f"Letter {days}, {days} days")
    described = await room.edit(message_id, 1)
    assert [line.split("**")[1] for line in described.splitlines()] == [
        "#1", "#2", "#3", "#4", "#5",
    ]  # fmt: skip
    await asyncio.sleep(QUIET)
    assert len(room.edits(message_id)) == 1


async def test_only_boards_whose_content_changed_are_edited(room: Room) -> None:
    here, _ = await post_board(room)
    there, _ = await post_board(room, channel=room.alerts)
    everything, _ = await post_board(room, channel=room.alerts, scope="all")
    assert everything != there  # the channel's board was replaced
    await add(room, "Bondi letter, 30 days")  # alerts go to general
    await room.edit(here, 1)
    await room.edit(everything, 1, channel=room.alerts)
    # The replaced board was marked as no longer updated, once, and unpinned.
    (retired,) = room.edits(there, channel=room.alerts)
    assert retired.json is not None
    assert "no longer updated" in retired.json["embeds"][0]["title"]
    assert not room.fake.message(there)["pinned"]
    await add(room, "FOIA, 20 business days", channel=room.alerts)
    assert "#2" in await room.edit(everything, 2, channel=room.alerts)
    await asyncio.sleep(QUIET)
    assert len(room.edits(here)) == 1  # nothing changed on general's board
    boards = await room.services.boards.boards_for(int(room.guild.id))
    assert [(str(b.message_id), b.scope) for b in boards] == [
        (here, BoardScope.CHANNEL), (everything, BoardScope.ALL),
    ]  # fmt: skip


async def test_a_board_whose_message_was_deleted_is_forgotten(room: Room) -> None:
    message_id, _ = await post_board(room)
    room.fake.world.delete_message(message_id)
    await add(room, "Bondi letter, 30 days")
    (failed,) = [r for r in await _edits_after(room, message_id, 1) if r.status == 404]
    assert failed.response["code"] == 10008
    await asyncio.sleep(QUIET)
    assert await room.services.boards.boards_for(int(room.guild.id)) == []
    async with room.desk.store.transaction() as tx:
        events = await tx.guild_history(int(room.guild.id))
    assert (events[-1].action, events[-1].deadline_id, events[-1].actor_id) == (
        "board removed", None, None,
    )  # fmt: skip
    assert "deleted" in events[-1].detail
    # Not retried: later changes and the daily refresh leave it alone.
    await add(room, "FOIA, 20 business days")
    room.clock.advance(days=2)
    await asyncio.sleep(QUIET)
    assert len(room.edits(message_id)) == 1


async def test_an_unknown_message_answer_forgets_the_board(room: Room) -> None:
    message_id, _ = await post_board(room)
    room.fake.fail_next(
        "PATCH", rf"/channels/{room.general}/messages/{message_id}", 404,
        body={"message": "Unknown Message", "code": 10008},
    )  # fmt: skip
    await add(room, "Bondi letter, 30 days")
    await room.fake.wait_for_request("PATCH", rf"/channels/{room.general}/messages/{message_id}")
    await add(room, "FOIA, 20 business days")
    await asyncio.sleep(QUIET)
    assert len(room.edits(message_id)) == 1
    assert await room.services.boards.boards_for(int(room.guild.id)) == []


async def test_a_failed_edit_is_retried_later(room: Room) -> None:
    message_id, _ = await post_board(room)
    room.fake.fail_next(
        "PATCH", rf"/channels/{room.general}/messages/{message_id}", 403,
        body={"message": "Missing Access", "code": 50001},
    )  # fmt: skip
    await add(room, "Bondi letter, 30 days")
    await room.fake.wait_for_request("PATCH", rf"/channels/{room.general}/messages/{message_id}")
    room.clock.advance(minutes=6)
    described = await room.edit(message_id, 2)
    assert "Bondi letter" in described
    assert len(await room.services.boards.boards_for(int(room.guild.id))) == 1


async def test_board_marks_a_deadline_overdue_when_it_passes_and_refreshes_daily(
    room: Room,
) -> None:
    message_id, _ = await post_board(room, scope="all")
    await add(room, "Bondi letter, 30 days", channel=room.alerts)
    assert "OVERDUE" not in await room.edit(message_id, 1)
    room.clock.set(dt.datetime(2025, 8, 17, 5, 0, tzinfo=dt.UTC))  # due Sat 23:59:59 New York
    described = await room.edit(message_id, 2)
    assert described.startswith("\U0001f6a8 **OVERDUE** **#1** Bondi letter")
    room.clock.advance(days=1, minutes=1)
    await room.edit(message_id, 3)  # nothing changed: the daily refresh edits it anyway
    await asyncio.sleep(QUIET)
    assert len(room.edits(message_id)) == 3
    assert len(room.board_posts()) == 1


async def test_pin_refused_still_posts_and_says_so(room: Room) -> None:
    room.fake.fail_next(
        "PUT", rf"/channels/{room.general}/messages/pins/\d+", 403,
        body={"message": "Missing Permissions", "code": 50013},
    )  # fmt: skip
    message_id, content = await post_board(room)
    assert "could not be pinned" in content
    assert "Pin Messages" in content
    assert not room.fake.message(message_id)["pinned"]
    await add(room, "Bondi letter, 30 days")
    assert "Bondi letter" in await room.edit(message_id, 1)


async def test_member_without_pin_messages_is_refused(room: Room) -> None:
    # Manage Messages alone: since February 2026 Discord requires Pin Messages to pin.
    manager = DEFAULT_MEMBER_PERMISSIONS | MANAGE_MESSAGES
    reply = await room.command("board", user=room.bob, permissions=manager)
    assert reply["type"] == 4
    assert reply["data"]["flags"] & EPHEMERAL
    assert "Pin Messages" in reply["data"]["content"]
    assert room.board_posts() == []
    message_id, _ = await post_board(room)
    refused = await room.command("board-remove", user=room.bob, permissions=manager)
    assert "Pin Messages" in refused["data"]["content"]
    assert len(await room.services.boards.boards_for(int(room.guild.id))) == 1
    assert room.fake.message(message_id)["pinned"]


async def test_board_remove_stops_the_edits(room: Room) -> None:
    message_id, _ = await post_board(room)
    reply = await room.command("board-remove")
    assert reply["data"]["flags"] & EPHEMERAL
    assert "no longer updated" in reply["data"]["content"]
    (retired,) = room.edits(message_id)
    assert retired.json is not None
    assert "no longer updated" in retired.json["embeds"][0]["title"]
    assert not room.fake.message(message_id)["pinned"]
    await add(room, "Bondi letter, 30 days")
    await asyncio.sleep(QUIET)
    assert len(room.edits(message_id)) == 1
    again = await room.command("board-remove")
    assert "there is no board" in again["data"]["content"]


async def test_boards_survive_a_restart(tmp_path: Path) -> None:
    async with board_room(tmp_path, 0.05) as room:
        message_id, _ = await post_board(room)
        first = room.bot
        await room.stop()
        assert first.is_closed()
        # While the bot is down, a deadline is added by the next bot's first command.
        await room.start()
        after = len(room.fake.requests)
        await add(room, "Bondi letter, 30 days")
        request = await room.fake.wait_for_request(
            "PATCH",
            rf"/channels/{room.general}/messages/{message_id}",
            predicate=lambda r: "Bondi" in str(r.json),
            after=after,
        )
        assert request.status == 200
        assert len(room.board_posts()) == 1


async def _edits_after(room: Room, message_id: str, count: int) -> list[RecordedRequest]:
    await room.fake.wait_for_request(
        "PATCH", rf"/channels/{room.general}/messages/{message_id}", count=count
    )
    return room.edits(message_id)
