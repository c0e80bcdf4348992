"""A personal copy of each alert by direct message (issue 18.5), end to end: the real desk and
discord.py against the fake Discord, which opens DM channels as Discord does (POST
/users/@me/channels) and refuses a DM to a user with DMs closed, or sharing no server with
the bot, with 403 50007."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakediscord import VIEW_CHANNEL
from fakediscord.world import FakeUser
from newsroom import EPHEMERAL, Newsroom, open_newsroom

BONDI = {"text": "Bondi letter, 30 days", "from": "2025-07-17"}
# Fri 2025-08-15 09:00 New York, a second after: the one-day reminder of the Bondi letter.
ONE_DAY_LEFT = dt.datetime(2025, 8, 15, 13, 0, 1, tzinfo=dt.UTC)
PAST_DUE = "FOIA appeal, by 2025-07-01"  # overdue at once: its alert goes out when added


class Room(Newsroom):
    def dms(self, user: FakeUser) -> list[dict[str, Any]]:
        """The messages in the bot's DM channel with `user`."""
        return self.fake.messages_in(self.fake.world.dm_channel(user.id).id)

    def dm_posts(self, user: FakeUser) -> list[Any]:
        """Every request to post in the DM channel with `user`, with its answer."""
        channel = self.fake.world.dm_channel(user.id).id
        return self.fake.requests_to("POST", rf"/channels/{channel}/messages")

    async def overwrite(self, channel: str, target: Any, *, allow: int = 0, deny: int = 0) -> None:
        """Set a channel overwrite, and tell the bot as Discord would (CHANNEL_UPDATE)."""
        channel_id = self.channel(channel)
        self.fake.set_overwrite(channel_id, target, allow=allow, deny=deny)
        await self.fake.dispatch_channel_update(channel_id)


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    async with open_newsroom(tmp_path, kind=Room, permissions=None) as opened:
        yield opened


def alert_in(room: Room, channel: str) -> dict[str, Any]:
    (message,) = [m for m in room.fake.messages_in(room.channel(channel)) if m.get("nonce")]
    return message


async def status_for(room: Room, user: FakeUser) -> tuple[dict[str, Any], str | None]:
    """`/deadline status deadline:1` as `user`: the public answer, and the ephemeral follow-up
    about their own DM copies (None if there is none)."""
    handle = await room.slash("status", {"deadline": "1"}, user=user)
    answer = await handle.response(timeout=10)
    await asyncio.sleep(0.3)  # a follow-up, if any, comes right after
    followups = handle.followups
    if not followups:
        return answer, None
    (mine,) = followups
    assert mine["flags"] & EPHEMERAL
    return answer, mine["content"]


async def test_dm_true_sends_the_adder_one_copy_of_each_alert_that_pings_nobody(
    room: Room,
) -> None:
    added = await room.command(
        "add", {**BONDI, "channel": room.alerts, "dm": True, "mention": room.editors}
    )
    assert "DM copy of each alert" in added["data"]["content"]
    await room.move_to(ONE_DAY_LEFT)
    await room.restart()  # and a restart sends nothing again
    await room.move_to(ONE_DAY_LEFT + dt.timedelta(minutes=10))

    channel_alert = alert_in(room, "alerts")
    (copy,) = room.dms(room.alice)
    assert copy["embeds"][0]["title"] == channel_alert["embeds"][0]["title"]
    assert f"<#{room.alerts}>" in str(copy["embeds"][0]["fields"])  # names where it belongs
    assert f"<@&{room.editors}>" in channel_alert["content"]
    assert "<@" not in copy["content"]  # the copy names nobody...
    ((post,),) = [[r for r in room.dm_posts(room.alice) if r.ok]]
    assert post.json["allowed_mentions"] == {"parse": []}  # ...and may ping nobody
    assert post.json["nonce"] != channel_alert["nonce"]
    buttons = [c["custom_id"] for row in copy["components"] for c in row["components"]]
    assert buttons == [f"dd:undm:{room.guild.id}:1"]
    assert room.dms(room.bob) == []  # nobody else gets one
    _, mine = await status_for(room, room.alice)
    assert mine is not None
    assert "You get a DM copy of each alert of #1" in mine


async def test_closed_dms_the_channel_alert_still_goes_out_and_status_says_so_to_them_alone(
    room: Room,
) -> None:
    room.bob.accepts_dms = False
    await room.command("add", {**BONDI, "channel": room.alerts})
    # Bob asks for copies with the button on an alert (the 7-day reminder, Fri Aug 8).
    await room.move_to(dt.datetime(2025, 8, 9, 13, 0, 1, tzinfo=dt.UTC))
    reminder = alert_in(room, "alerts")
    answer = await room.press(f"dd:dm:{room.guild.id}:1", reminder["id"], user=room.bob)
    assert answer["data"]["flags"] & EPHEMERAL
    assert "You will get a DM copy of each alert of #1" in answer["data"]["content"]

    await room.move_to(dt.datetime(2025, 8, 13, 13, 0, 1, tzinfo=dt.UTC))  # 3 days left
    alerts = [m for m in room.fake.messages_in(room.alerts) if m.get("nonce")]
    assert len(alerts) == 2  # the channel's alert went out
    assert room.dms(room.bob) == []
    (refused,) = room.dm_posts(room.bob)  # tried once, not again, not elsewhere
    assert (refused.status, refused.response["code"]) == (403, 50007)
    assert [m for m in room.fake.messages_in(room.general) if m.get("nonce")] == []

    public, mine = await status_for(room, room.bob)
    assert mine is not None
    assert "DM copy to you failed" in mine
    assert "you have DMs closed to the bot" in mine
    assert "DM" not in str(public["data"]["embeds"])  # nothing of it in the public answer
    _, alices = await status_for(room, room.alice)
    assert alices is None  # nor for anyone else

    # Bob opens his DMs: the next alert's copy reaches him.
    room.bob.accepts_dms = True
    await room.move_to(dt.datetime(2025, 8, 15, 13, 0, 1, tzinfo=dt.UTC))
    assert len(room.dms(room.bob)) == 1
    _, mine = await status_for(room, room.bob)
    assert mine is not None
    assert "failed" not in mine


async def test_a_user_who_shares_no_server_with_the_bot_is_not_dmed(room: Room) -> None:
    # Alice leaves both servers after asking: the bot asks Discord whether she is still a
    # member (404 Unknown Member) and sends no copy (Discord would refuse it: 50007).
    await room.command("add", {"text": PAST_DUE, "channel": room.alerts, "dm": True})
    for guild in (room.guild, room.other):
        del guild.members[room.alice.id]
    await room.settle()
    assert len([m for m in room.fake.messages_in(room.alerts) if m.get("nonce")]) == 1
    assert room.dm_posts(room.alice) == []
    (asked,) = room.fake.requests_to("GET", rf"/guilds/{room.guild.id}/members/{room.alice.id}")
    assert (asked.status, asked.response["code"]) == (404, 10007)


async def test_nobody_can_turn_on_copies_for_someone_else_or_of_a_channel_they_cannot_see(
    room: Room,
) -> None:
    await room.command("add", {**BONDI, "channel": room.alerts})
    await room.move_to(dt.datetime(2025, 8, 9, 13, 0, 1, tzinfo=dt.UTC))
    reminder = alert_in(room, "alerts")
    # Carol presses DM me too on the alert: the copies are hers, whoever added the deadline.
    await room.press(f"dd:dm:{room.guild.id}:1", reminder["id"], user=room.carol)
    # Bob cannot see #alerts: he cannot ask for copies of its alerts, by command or button.
    await room.overwrite("alerts", room.bob, deny=VIEW_CHANNEL)
    refused = await room.answer("edit", {"deadline": "1", "dm": True}, user=room.bob)
    assert "you cannot see" in refused["data"]["content"]
    # Alice turns hers off: Carol's stay (each turns off only their own).
    off = await room.command("edit", {"deadline": "1", "dm": False})
    assert off["data"]["flags"] & EPHEMERAL
    await room.move_to(dt.datetime(2025, 8, 13, 13, 0, 1, tzinfo=dt.UTC))
    assert len(room.dms(room.carol)) == 1
    assert room.dms(room.alice) == room.dms(room.bob) == []
    # The slash commands name no one else: dm is a yes/no about the one who types it.
    (deadline,) = [
        c for c in room.fake.world.commands[room.guild.id].values() if c["name"] == "deadline"
    ]
    for sub in ("add", "edit"):
        (command,) = [o for o in deadline["options"] if o["name"] == sub]
        (dm,) = [o for o in command["options"] if o["name"] == "dm"]
        assert dm["type"] == 5  # BOOLEAN
    # Carol stops hers with the button on her copy (pressed in the DM: no server there).
    (copy,) = room.dms(room.carol)
    handle = await room.fake.send_component_interaction(
        None, copy["channel_id"], room.carol.id, copy["id"], f"dd:undm:{room.guild.id}:1"
    )
    stopped = await handle.response(timeout=10)
    assert "No more DM copies of #1" in stopped["data"]["content"]
    await room.move_to(dt.datetime(2025, 8, 15, 13, 0, 1, tzinfo=dt.UTC))
    assert len(room.dms(room.carol)) == 1


async def test_stopped_mid_dm_and_back_past_the_nonce_window_the_copy_is_not_sent_twice(
    room: Room,
) -> None:
    room.fake.rest.nonce_window = 0.0  # no help from Discord's nonce at all
    dm_channel = room.fake.world.dm_channel(room.alice.id).id
    # Discord posts the copy, and its answer never comes back.
    hang = room.fake.fail_next(
        "POST", rf"/channels/{dm_channel}/messages", 504, handled=True, delay=120
    )
    await room.command("add", {"text": PAST_DUE, "channel": room.alerts, "dm": True})
    for _ in range(100):
        if room.dms(room.alice):
            break
        await asyncio.sleep(0.05)
    assert hang.hits == 1
    await room.stop()  # as SIGTERM does: the send under way is cut short, nothing recorded
    await room.start()
    await room.settle()

    assert len(room.dms(room.alice)) == 1  # found in the DM channel, not posted again
    assert len([m for m in room.fake.messages_in(room.alerts) if m.get("nonce")]) == 1
    reads = room.fake.requests_to("GET", rf"/channels/{dm_channel}/messages")
    assert reads  # it looked


async def test_a_member_who_can_no_longer_see_the_channel_gets_no_copy_and_copies_stop(
    room: Room,
) -> None:
    """Review D2: Carol asks for copies, then #alerts is hidden from her (an overwrite, sent
    as CHANNEL_UPDATE): the next copy is not sent, her copies stop, and status tells her."""
    await room.command("add", {**BONDI, "channel": room.alerts})
    await room.move_to(dt.datetime(2025, 8, 9, 13, 0, 1, tzinfo=dt.UTC))
    reminder = alert_in(room, "alerts")
    ok = await room.press(f"dd:dm:{room.guild.id}:1", reminder["id"], user=room.carol)
    assert "You will get" in ok["data"]["content"]
    await room.overwrite("alerts", room.carol, deny=VIEW_CHANNEL)

    await room.move_to(dt.datetime(2025, 8, 13, 13, 0, 1, tzinfo=dt.UTC))
    assert room.dms(room.carol) == []
    assert len([m for m in room.fake.messages_in(room.alerts) if m.get("nonce")]) == 2
    # Her copies stopped: seeing the channel again does not bring them back unasked.
    await room.overwrite("alerts", room.carol, allow=VIEW_CHANNEL)
    await room.move_to(dt.datetime(2025, 8, 15, 13, 0, 1, tzinfo=dt.UTC))
    assert room.dms(room.carol) == []
    _, mine = await status_for(room, room.carol)
    assert mine is not None
    assert "you can no longer see" in mine


async def test_a_member_who_left_the_server_gets_no_copy(room: Room) -> None:
    await room.command("add", {**BONDI, "channel": room.alerts})
    await room.move_to(dt.datetime(2025, 8, 9, 13, 0, 1, tzinfo=dt.UTC))
    reminder = alert_in(room, "alerts")
    await room.press(f"dd:dm:{room.guild.id}:1", reminder["id"], user=room.carol)
    del room.guild.members[room.carol.id]
    await room.move_to(dt.datetime(2025, 8, 13, 13, 0, 1, tzinfo=dt.UTC))
    assert room.dms(room.carol) == []
