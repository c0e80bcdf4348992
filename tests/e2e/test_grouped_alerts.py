"""Alerts of one instant in one channel as one message (issue 16), end to end: the real
notifier and discord.py against the fake Discord, which refuses what Discord refuses (more
than 5 action rows or 10 embeds, 6,000 characters over the embeds, 2,000 of content, a
custom id twice). A line, an embed and a row of buttons per deadline; exactly the mentions
the deadlines configured; a button closes only its own deadline's row.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from newsroom import Newsroom, open_newsroom

SEVEN_DAYS_BEFORE = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # of a 30-day deadline


@pytest.fixture
async def newsroom(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with open_newsroom(tmp_path) as room:
        yield room


def rows_of(message: dict[str, Any]) -> list[int]:
    """The deadline of each row of buttons, in order."""
    deadlines = []
    for row in message.get("components") or []:
        ids = {
            int(found[1])
            for button in row["components"]
            if (found := re.fullmatch(r"dd:[a-z]+:\d+:(\d+)", button.get("custom_id", "")))
        }
        assert len(ids) == 1, row  # a row is one deadline's
        deadlines.append(ids.pop())
    return deadlines


async def add(newsroom: Newsroom, title: str, **options: Any) -> None:
    options = {"text": f"{title}, 30 days", "from": "2025-07-17", "channel": newsroom.alerts,
               **options}  # fmt: skip
    reply = await newsroom.command("add", options)
    assert reply["type"] == 4, reply


async def test_one_message_a_line_an_embed_and_a_row_per_deadline(newsroom: Newsroom) -> None:
    await add(newsroom, "Bondi letter", mention=newsroom.editors)
    await add(newsroom, "FOIA request")
    await add(newsroom, "Court records", mention=newsroom.editors)
    after = len(newsroom.fake.requests)
    await newsroom.move_to(SEVEN_DAYS_BEFORE)

    (post,) = newsroom.fake.requests_to(
        "POST", rf"/channels/{newsroom.alerts}/messages", after=after
    )
    body = post.json
    assert re.fullmatch(r"ddg[0-9a-f]{16}", body["nonce"])
    assert body["enforce_nonce"] is True
    assert body["content"].split("\n") == [
        f"<@&{newsroom.editors}> Reminder: 7 days left: **#1 Bondi letter**",
        "Reminder: 7 days left: **#2 FOIA request**",
        f"<@&{newsroom.editors}> Reminder: 7 days left: **#3 Court records**",
    ]
    # The role both deadlines mention, once (Discord refuses an id twice).
    assert body["allowed_mentions"] == {"parse": [], "users": [], "roles": [int(newsroom.editors)]}
    assert [e["footer"]["text"].split(" \u00b7 ")[0] for e in body["embeds"]] == [
        "Deadline #1", "Deadline #2", "Deadline #3",
    ]  # fmt: skip
    assert rows_of(body) == [1, 2, 3]
    # Each alert recorded with the message.
    async with newsroom.desk.store.transaction() as tx:
        for deadline in (1, 2, 3):
            (sent,) = [a for a in await tx.alerts_of(int(newsroom.guild.id), deadline) if a.sent_at]
            assert sent.days_before == 7


async def test_a_button_on_a_grouped_message_closes_only_its_row(newsroom: Newsroom) -> None:
    for title in ("Bondi letter", "FOIA request", "Court records"):
        await add(newsroom, title)
    await newsroom.move_to(SEVEN_DAYS_BEFORE)
    (message,) = newsroom.fake.messages_in(newsroom.alerts)
    message_id, guild = message["id"], newsroom.guild.id
    content = message["content"]

    done = await newsroom.press(f"dd:done:{guild}:2", message_id)
    assert done["type"] == 7  # the message updated in place
    after_done = newsroom.fake.message(message_id)
    assert rows_of(after_done) == [1, 3]
    notes = [e.get("description", "") for e in after_done["embeds"]]
    assert "marked done by" in notes[1]
    assert "marked done by" not in notes[0] + notes[2]
    assert after_done["content"] == content  # the lines (and their mentions) untouched

    snoozed = await newsroom.press(f"dd:snooze:{guild}:1", message_id)
    assert snoozed["type"] == 7
    after_snooze = newsroom.fake.message(message_id)
    assert rows_of(after_snooze) == [3]
    assert "snoozed by" in after_snooze["embeds"][0]["description"]
    assert "marked done by" in after_snooze["embeds"][1]["description"]

    last = await newsroom.press(f"dd:done:{guild}:3", message_id)
    assert last["type"] == 7
    closed = newsroom.fake.message(message_id)
    assert closed["components"] == []
    assert "marked done by" in closed["embeds"][2]["description"]

    status = [(await newsroom.services.deadlines.status(int(guild), d)).deadline for d in (1, 2, 3)]
    assert [d.status.value for d in status] == ["active", "done", "done"]
    assert status[0].snoozed_until is not None


async def test_two_members_pressing_two_rows_at_once_each_close_their_own(
    newsroom: Newsroom,
) -> None:
    for title in ("Bondi letter", "FOIA request", "Court records"):
        await add(newsroom, title)
    await newsroom.move_to(SEVEN_DAYS_BEFORE)
    (message,) = newsroom.fake.messages_in(newsroom.alerts)
    message_id, guild = message["id"], newsroom.guild.id
    seen = copy.deepcopy(newsroom.fake.message(message_id))
    # Both clicks carry the message as both clients showed it: before either edit.
    presses = [
        await newsroom.fake.send_component_interaction(
            guild,
            None,
            newsroom.alice.id,
            message_id,
            f"dd:done:{guild}:{deadline}",
            as_seen=copy.deepcopy(seen),
        )
        for deadline in (1, 2)
    ]
    answers = [await press.response(timeout=10) for press in presses]
    assert [answer["type"] for answer in answers] == [7, 7]
    final = newsroom.fake.message(message_id)
    assert rows_of(final) == [3]  # neither edit brought back the other's row
    notes = [e.get("description", "") for e in final["embeds"]]
    assert "marked done by" in notes[0]
    assert "marked done by" in notes[1]
    assert "marked done by" not in notes[2]
    assert all(note.count("marked done by") <= 1 for note in notes)


async def test_the_longest_alerts_still_fit_what_discord_accepts(newsroom: Newsroom) -> None:
    """Seven deadlines with the longest titles (full of markdown to escape) and links the bot
    takes, a mention each: the fake refuses any body over Discord's limits (and the test
    fails on a refusal), so every message posted is one Discord would take."""
    title = ("*_`|~" * 40)[:200]
    for n in range(7):
        link = f"https://example.org/{n}/" + "a" * 470
        await add(newsroom, f"{title[: 200 - 3]} {n}", link=link, mention=newsroom.editors)
    after = len(newsroom.fake.requests)
    await newsroom.move_to(SEVEN_DAYS_BEFORE)

    posts = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.alerts}/messages", after=after)
    assert all(p.ok for p in posts), [p.status for p in posts]
    assert sorted(d for p in posts for d in rows_of(p.json)) == list(range(1, 8))
    for post in posts:
        body = post.json
        assert len(body["content"]) <= 2000
        assert len(body["components"]) <= 5
        assert len(rows_of(body)) == len(body["embeds"])


async def test_a_slow_button_is_acknowledged_in_time_and_its_message_edited_after(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add(newsroom, "Bondi letter")
    await newsroom.move_to(SEVEN_DAYS_BEFORE)
    (message,) = newsroom.fake.messages_in(newsroom.alerts)
    message_id, guild = message["id"], newsroom.guild.id
    newsroom.fake.rest.interaction_deadline = 3.0  # Discord's: the first answer within 3 s
    done = newsroom.services.deadlines.done

    async def slow_done(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(3.5)  # the database locked by a backup, say
        return await done(*args, **kwargs)

    monkeypatch.setattr(newsroom.services.deadlines, "done", slow_done)
    after = len(newsroom.fake.requests)
    answer = await newsroom.press(f"dd:done:{guild}:1", message_id)
    assert answer["type"] == 6  # acknowledged in time: "deferred update"
    await newsroom.fake.wait_for_request(
        "PATCH", r"/webhooks/\d+/[^/]+/messages/@original", after=after, timeout=10
    )
    edited = newsroom.fake.message(message_id)
    assert "marked done by" in edited["content"]
    assert edited["components"] == []
    assert (await newsroom.deadline(1)).status.value == "done"
