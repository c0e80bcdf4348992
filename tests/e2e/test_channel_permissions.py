"""Who may act where, with Discord's channel permission overwrites (issue 14.1-14.3): the fake
computes each member's and the bot's permissions in a channel as Discord does, and refuses
the bot's posts and pins it would refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakediscord import MANAGE_MESSAGES, MENTION_EVERYONE, PIN_MESSAGES, SEND_MESSAGES
from newsroom import EPHEMERAL, Newsroom, open_newsroom

CHANNELS = ("general", "alerts", "sports")


class Room(Newsroom):
    async def command(  # type: ignore[override]
        self, name: str, options: dict[str, Any] | None = None, **where: Any
    ) -> dict[str, Any]:
        """The answer (a deferred one as its follow-up), as a type-4 answer."""
        response = await self.answer(name, options, **where)
        return {"type": 4, "data": response["data"]}

    async def overwrite(self, channel: str, target: Any, *, allow: int = 0, deny: int = 0) -> None:
        """Set a channel overwrite, and tell the bot as Discord would (CHANNEL_UPDATE)."""
        channel_id = self.channel(channel)
        self.fake.set_overwrite(channel_id, target, allow=allow, deny=deny)
        await self.fake.dispatch_channel_update(channel_id)

    def posts(self, channel: str) -> list[dict[str, Any]]:
        requests = self.fake.requests_to("POST", rf"/channels/{self.channel(channel)}/messages")
        return [r.json for r in requests if r.ok and r.json is not None]


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    # permissions=None: every member's permissions come from their roles and the overwrites.
    async with open_newsroom(tmp_path, kind=Room, channels=CHANNELS, permissions=None) as opened:
        yield opened


def refused(answer: dict[str, Any], *needles: str) -> bool:
    data = answer["data"]
    content = data.get("content") or ""
    return bool(data.get("flags", 0) & EPHEMERAL) and all(n in content for n in needles)


async def add_for_alice(room: Room, channel: str = "alerts") -> None:
    added = await room.command(
        "add", {"text": "Bondi letter, 30 days", "from": "2025-07-17",
                "channel": room.channel(channel)},
    )  # fmt: skip
    assert "embeds" in added["data"], added


async def test_manage_messages_counts_only_in_the_deadlines_alert_channel(room: Room) -> None:
    await add_for_alice(room, "alerts")
    await room.overwrite("sports", room.bob, allow=MANAGE_MESSAGES)
    # Bob manages #sports and types there: that gives him nothing over #alerts' deadline.
    answer = await room.command(
        "done", {"deadline": "1"}, user=room.bob, channel=room.channel("sports")
    )
    assert refused(answer, "you cannot change #1")
    assert (await room.deadline(1)).status.value == "active"
    await room.overwrite("alerts", room.bob, allow=MANAGE_MESSAGES)
    answer = await room.command(
        "done", {"deadline": "1"}, user=room.bob, channel=room.channel("sports")
    )
    assert not refused(answer)
    assert (await room.deadline(1)).status.value == "done"


async def test_a_board_needs_pin_messages_in_its_own_channel(room: Room) -> None:
    await room.overwrite("sports", room.bob, allow=PIN_MESSAGES)
    sports = room.channel("sports")
    answer = await room.command("board", {"channel": room.general}, user=room.bob, channel=sports)
    assert refused(answer, "Pin Messages in that channel")
    assert room.posts("general") == []
    answer = await room.command("board", {"channel": sports}, user=room.bob, channel=sports)
    assert "pinned" in answer["data"]["content"]
    (board,) = room.fake.messages_in(sports)
    assert board["pinned"]


async def test_alerts_go_only_where_the_member_may_post(room: Room) -> None:
    # #alerts is read-only for members; the bot may still post there.
    await room.overwrite("alerts", room.guild.id, deny=SEND_MESSAGES)
    await room.overwrite("alerts", room.fake.bot, allow=SEND_MESSAGES)
    answer = await room.command(
        "add", {"text": "Daily ping, by 2025-07-18", "channel": room.alerts,
                "mention": room.editors}, user=room.bob,
    )  # fmt: skip
    assert refused(answer, f"cannot send messages in <#{room.alerts}>")
    assert (await room.services.deadlines.page(int(room.guild.id), show="all")).total == 0
    await room.move_to(dt.datetime(2025, 7, 19, 13, 0, tzinfo=dt.UTC))
    assert room.posts("alerts") == []


async def test_a_role_is_pinged_only_by_members_who_may_mention_it(room: Room) -> None:
    # "managing editors" is not mentionable by everyone; "editors" is.
    secret = {"text": "Ping, 3 days", "from": "2025-07-17", "mention": room.escalators}
    answer = await room.command("add", secret, user=room.bob)
    assert refused(answer, f"may not mention <@&{room.escalators}>")
    answer = await room.command("add", {**secret, "mention": room.editors}, user=room.bob)
    assert "embeds" in answer["data"]
    await room.overwrite("general", room.bob, allow=MENTION_EVERYONE)
    answer = await room.command("add", {**secret, "text": "Other, 3 days"}, user=room.bob)
    assert "embeds" in answer["data"]


async def test_everyone_is_refused_as_a_mention(room: Room) -> None:
    owner = room.fake.owner  # may mention everything
    answer = await room.command(
        "add", {"text": "Ping, 3 days", "mention": room.guild.id}, user=owner
    )
    assert refused(answer, "cannot ping @everyone")
    assert "@@everyone" not in str(answer)
    answer = await room.command("settings escalation", {"role": room.guild.id}, user=owner)
    assert refused(answer, "@everyone cannot be")


async def test_the_bot_says_when_it_cannot_post_in_the_channel(room: Room) -> None:
    await room.overwrite("sports", room.fake.bot, deny=SEND_MESSAGES)
    answer = await room.command(
        "add", {"text": "Bondi letter, 30 days", "from": "2025-07-17",
                "channel": room.channel("sports"), "mention": room.escalators},
        user=room.fake.owner,
    )  # fmt: skip
    content = answer["data"]["content"]
    assert f"I cannot post its alerts in <#{room.channel('sports')}>" in content
    assert "Send Messages" in content
    # The managing editors are not mentionable, and the bot lacks Mention All Roles there.
    assert f"Mention All Roles (to ping <@&{room.escalators}>)" in content
    answer = await room.command(
        "add", {"text": "Bondi letter, 30 days", "from": "2025-07-17", "channel": room.alerts}
    )
    assert not answer["data"].get("content")  # the bot may post there: nothing to say


async def test_without_pin_messages_the_board_is_posted_but_not_pinned(room: Room) -> None:
    # Manage Messages no longer lets anyone pin (Discord, February 2026): the fake refuses.
    await room.overwrite("general", room.fake.bot, allow=MANAGE_MESSAGES, deny=PIN_MESSAGES)
    answer = await room.command("board", user=room.fake.owner)
    assert "could not be pinned" in answer["data"]["content"]
    assert "Pin Messages" in answer["data"]["content"]
    (board,) = room.fake.messages_in(room.general)
    assert not board["pinned"]
