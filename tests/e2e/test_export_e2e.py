"""/deadline export and /deadline settings calendar-feed: the real bot against the fake
Discord, and the feed fetched over real HTTP from the bot's web server."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import icalendar
import pytest
from fakediscord import MANAGE_GUILD, FakeDiscord, RecordedRequest, pointed_at
from fakediscord.world import FakeGuild, FakeUser
from newsroom import DEFERRED, EPHEMERAL, Newsroom, desk_options, open_newsroom
from support import START, FakeClock

from bot.app import open_desk
from bot.config import WebSection
from bot.service import Actor, feed_url
from bot.web import WebServer

FEED_URL = re.compile(r"http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]{32}\.ics")


class Room(Newsroom):
    @property
    def web(self) -> WebServer | None:
        return self.desk.web

    async def command(  # type: ignore[override]
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        guild: FakeGuild | None = None,
        permissions: int | None = None,
    ) -> tuple[dict[str, Any], RecordedRequest]:
        """The bot's first answer, and the request that carried its message (files too):
        the callback itself, or the follow-up after a deferral."""
        handle = await self.slash(name, options, user=user, guild=guild, permissions=permissions)
        response: dict[str, Any] = await handle.response()
        if response["type"] != DEFERRED:
            return response, await handle.response_request()
        followup = await self.fake.wait_for_request(
            "POST", rf"/webhooks/\d+/{re.escape(handle.token)}"
        )
        return response, followup


async def open_room(tmp_path: Path, *, web: bool) -> AsyncIterator[Room]:
    async with open_newsroom(tmp_path, kind=Room, web=web) as room:
        yield room


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    async for opened in open_room(tmp_path, web=True):
        yield opened


@pytest.fixture
async def room_without_web(tmp_path: Path) -> AsyncIterator[Room]:
    async for opened in open_room(tmp_path, web=False):
        yield opened


async def add(room: Room, text: str, guild: FakeGuild | None = None, **options: Any) -> None:
    response, _ = await room.command(
        "add", {"text": text, "from": "2025-07-17", **options}, guild=guild
    )
    assert response["type"] == 4, response


def flags(response: dict[str, Any]) -> int:
    return int(response["data"].get("flags") or 0)


async def test_the_new_commands_are_registered(room: Room) -> None:
    deadline = room.fake.commands(room.guild.id)["deadline"]
    subcommands = {option["name"]: option for option in deadline["options"]}
    export_options = {o["name"]: o for o in subcommands["export"]["options"]}
    assert set(export_options) == {"format", "show"}
    assert [c["value"] for c in export_options["format"]["choices"]] == ["ics", "csv"]
    settings = {o["name"]: o for o in subcommands["settings"]["options"]}
    assert [o["name"] for o in settings["calendar-feed"]["options"]] == ["rotate"]


async def test_export_csv_is_an_ephemeral_attachment(room: Room) -> None:
    await add(room, "Bondi letter, 30 days", notes="=cmd|' /C calc'!A0; \"quoted\", 🎉")
    await add(room, "FOIA to FBI, 20 business days")
    await add(room, "Their deadline, 3 days", guild=room.other)
    public = len(room.fake.messages_in(room.guild.channel_id("general")))
    response, message = await room.command("export", {"format": "csv"})
    assert response["type"] == DEFERRED
    assert flags(response) & EPHEMERAL
    (upload,) = message.files
    assert upload.filename == "deadlines-active-2025-07-17.csv"
    assert upload.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(upload.data.decode("utf-8-sig"), newline="")))
    # Soonest first: 20 business days end before 30 calendar days.
    assert [(r["id"], r["title"]) for r in rows] == [("2", "FOIA to FBI"), ("1", "Bondi letter")]
    assert rows[1]["notes"] == "'=cmd|' /C calc'!A0; \"quoted\", 🎉"
    assert message.json["flags"] & EPHEMERAL
    assert "2 active deadlines" in message.json["content"]
    assert message.json["allowed_mentions"] == {"parse": []}
    assert [a["filename"] for a in message.json["attachments"]] == [upload.filename]
    # Ephemeral: nothing was posted in the channel.
    assert len(room.fake.messages_in(room.guild.channel_id("general"))) == public


async def test_export_ics_of_all_deadlines(room: Room) -> None:
    await add(room, "Bondi letter, 30 days")
    await add(room, "FOIA, 5 days")
    done, _ = await room.command("done", {"deadline": "2"})
    assert "is done" in done["data"]["content"]
    _, message = await room.command("export", {"show": "all"})
    (upload,) = message.files
    assert upload.filename == "deadlines-all-2025-07-17.ics"
    calendar = icalendar.Calendar.from_ical(upload.data)
    assert str(calendar["x-wr-calname"]) == "Deadline Desk: Newsroom"
    summaries = {str(e["uid"]): str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert summaries == {
        f"deadline-{room.guild.id}-1@deadline-desk": "Bondi letter",
        f"deadline-{room.guild.id}-2@deadline-desk": "Done: FOIA",
    }


async def test_an_export_of_active_deadlines_says_it_cannot_remove_closed_ones(
    room: Room,
) -> None:
    await add(room, "Bondi letter, 30 days")
    _, message = await room.command("export", {})
    (upload,) = message.files
    assert upload.filename.endswith(".ics")
    text = message.json["content"]
    assert "1 active deadline." in text
    assert "cannot remove the events of deadlines done or deleted" in text
    assert "show:all" in text
    _, everything = await room.command("export", {"show": "all"})
    assert "cannot remove" not in everything.json["content"]


async def test_export_outside_a_server_is_refused(room: Room) -> None:
    handle = await room.fake.send_slash_command(
        None, None, room.alice.id, "deadline export", {}, scope="global"
    )
    response = await handle.response()
    assert response["type"] == 4
    assert flags(response) & EPHEMERAL
    assert "works in a server" in response["data"]["content"]


async def test_calendar_feed_needs_manage_server(room: Room) -> None:
    refused, _ = await room.command("settings calendar-feed", user=room.bob)
    assert flags(refused) & EPHEMERAL
    assert "Manage Server" in refused["data"]["content"]
    assert not FEED_URL.search(refused["data"]["content"])


async def test_calendar_feed_gives_the_owner_a_working_url(room: Room) -> None:
    await add(room, "Bondi letter, 30 days")
    await add(room, "Their deadline, 3 days", guild=room.other)
    owner = room.fake.owner
    made, _ = await room.command("settings calendar-feed", user=owner, permissions=MANAGE_GUILD)
    assert made["type"] == 4
    assert flags(made) & EPHEMERAL
    content = made["data"]["content"]
    match = FEED_URL.search(content)
    assert match is not None, content
    assert room.web is not None
    assert match[0].startswith(room.web.base_url + "/calendar/")
    assert "Anyone with this address" in content
    async with aiohttp.ClientSession() as http:
        async with http.get(match[0]) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            body = await response.read()
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert [str(e["summary"]) for e in events] == ["Bondi letter"]
        # Asked again: the address cannot be shown again, and is not replaced.
        again, _ = await room.command(
            "settings calendar-feed", user=owner, permissions=MANAGE_GUILD
        )
        assert not FEED_URL.search(again["data"]["content"])
        assert "rotate:true" in again["data"]["content"]
        async with http.get(match[0]) as response:
            assert response.status == 200
        rotated, _ = await room.command(
            "settings calendar-feed", {"rotate": True}, user=owner, permissions=MANAGE_GUILD
        )
        new = FEED_URL.search(rotated["data"]["content"])
        assert new is not None
        assert new[0] != match[0]
        async with http.get(match[0]) as response:
            assert response.status == 404
        async with http.get(new[0]) as response:
            assert response.status == 200


async def test_calendar_feed_says_when_the_web_server_is_off(room_without_web: Room) -> None:
    response, _ = await room_without_web.command(
        "settings calendar-feed", user=room_without_web.fake.owner, permissions=MANAGE_GUILD
    )
    assert flags(response) & EPHEMERAL
    assert "calendar feeds are off" in response["data"]["content"]


async def test_feeds_answer_before_the_gateway_is_connected(tmp_path: Path) -> None:
    """The web server starts right after the store and the services (bot/app.py), so a
    subscribed calendar never sees a "starting" 503, even while Discord is unreachable."""
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Newsroom")
        options = desk_options(
            tmp_path / "deadlines.sqlite3", FakeClock(START), [guild.id],
            web=WebSection(enabled=True, port=0),
        )  # fmt: skip
        with pointed_at(fake):
            async with open_desk(options, token="fake-token") as desk:
                assert not fake.connected  # logged in over HTTP; no gateway yet
                admin = Actor.everywhere(1, manage_guild=True)
                access = await desk.services.feeds.calendar_feed(admin, int(guild.id), served=True)
                assert desk.web is not None
                assert access.token is not None
                url = feed_url(desk.web.base_url, access.token)
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    assert response.status == 200
                    assert (await response.read()).startswith(b"BEGIN:VCALENDAR")
