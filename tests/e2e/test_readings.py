"""A phrase that reads two ways is asked about, never guessed (issue 13): the real bot, the
fake Discord, buttons pressed by the member who asked and by someone else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from newsroom import EPHEMERAL, Newsroom, open_newsroom


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with open_newsroom(tmp_path) as opened:
        yield opened


def buttons(response: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (c["label"], c["custom_id"])
        for row in response["data"].get("components") or []
        for c in row["components"]
    ]


def reply_id(room: Newsroom) -> str:
    callback = room.fake.requests_to("POST", r"/interactions/.*/callback")[-1]
    message_id: str = callback.response["resource"]["message"]["id"]
    return message_id


async def stored(room: Newsroom) -> list[tuple[str, str]]:
    page = await room.services.deadlines.page(int(room.guild.id), show="all", page=1)
    return [(d.title, d.due.isoformat()) for d in page.deadlines]


async def test_two_readings_are_offered_as_buttons_and_the_pick_is_tracked(
    room: Newsroom,
) -> None:
    asked = await room.command("add", {"text": "Records, 30 days or 45 days", "from": "2025-07-17"})

    assert asked["data"]["flags"] & EPHEMERAL
    assert "30 days" in asked["data"]["content"]
    assert "45 days" in asked["data"]["content"]
    offered = buttons(asked)
    assert [label for label, _ in offered] == ["Records, 30 days", "Records, 45 days"]
    assert await stored(room) == []  # nothing saved before the choice
    message_id = reply_id(room)

    other = await room.press(offered[1][1], message_id, user=room.bob)
    assert "only the member who asked" in other["data"]["content"]
    picked = await room.press(offered[1][1], message_id)

    assert picked["type"] == 7  # the question is replaced by the answer
    assert picked["data"]["embeds"][0]["title"] == "#1 Records"
    assert picked["data"]["components"] == []  # answered once: the buttons are gone
    assert await stored(room) == [("Records", "2025-08-31")]


async def test_separate_deadlines_can_both_be_tracked(room: Newsroom) -> None:
    asked = await room.command(
        "add", {"text": "Reply within 5 days; appeal within 30 days", "from": "2025-07-17"}
    )
    offered = dict(buttons(asked))
    assert list(offered) == ["Reply within 5 days", "appeal within 30 days", "Track both"]

    both = await room.press(offered["Track both"], reply_id(room))

    assert [e["title"] for e in both["data"]["embeds"]] == ["#1 Reply", "#2 appeal"]
    assert sorted(await stored(room)) == [("Reply", "2025-07-22"), ("appeal", "2025-08-16")]


async def test_calc_asks_too_and_a_question_does_not_survive_a_restart(
    room: Newsroom,
) -> None:
    asked = await room.command("calc", {"text": "Aug 15 or Sept 1", "from": "2025-07-17"})
    offered = buttons(asked)
    assert [label for label, _ in offered] == ["Aug 15", "Sept 1"]
    message_id = reply_id(room)

    await room.restart()
    after = await room.press(offered[0][1], message_id)

    assert after["data"]["flags"] & EPHEMERAL
    assert "expired (or the bot restarted)" in after["data"]["content"]


async def test_an_allowed_extension_is_shown_and_offered_once_on_alerts(room: Newsroom) -> None:
    added = await room.command(
        "add", {"text": "Records, 30 days from 2025-01-02, extendable by 15 days",
                "channel": room.alerts},
    )  # fmt: skip
    fields = {f["name"]: f["value"] for f in added["data"]["embeds"][0]["fields"]}
    assert fields["Extension allowed"].startswith("15 days")
    await room.settle()  # long overdue: its alert goes out now
    (alert,) = room.fake.messages_in(room.alerts)
    offered = {c["label"]: c["custom_id"] for row in alert["components"] for c in row["components"]}
    assert offered["Extend to Sun 2025-02-16 (allowed)"] == f"dd:allowed:{room.guild.id}:1"

    pressed = await room.press(offered["Extend to Sun 2025-02-16 (allowed)"], alert["id"])

    assert "extended by the allowed extension" in pressed["data"]["content"]
    deadline = await room.deadline(1)
    assert deadline.due.isoformat() == "2025-02-16"  # Feb 1 + 15 days
    assert deadline.allowed_extension is None  # used up
    again = await room.press(offered["Extend to Sun 2025-02-16 (allowed)"], alert["id"])
    assert "no allowed extension left" in again["data"]["content"]
    assert ("extended", "by 15 days: from Sat 2025-02-01 to Sun 2025-02-16 (the extension "
            "allowed)") in await room.history(1)  # fmt: skip


# -- Apps > Track deadline ---------------------------------------------------------------------

LETTER = (
    "date 2025-07-17 The auditor on Tuesday sent notices to the districts, asking for all "
    "invoices.\n\n"
    "The districts have 20 business days to respond. The auditor, 52, said so on Wednesday."
)


async def test_track_deadline_finds_the_deadline_in_a_message_and_a_form_confirms_it(
    room: Newsroom,
) -> None:
    posted = await room.fake.send_user_message(room.general, room.alice.id, LETTER)
    handle = await room.fake.send_message_command(
        room.guild.id, room.general, room.alice.id, "Track deadline", posted["id"]
    )
    listed = await handle.response(timeout=10)
    assert listed["data"]["flags"] & EPHEMERAL
    assert "20 business days to respond" in listed["data"]["content"]
    ((label, custom_id),) = buttons(listed)
    assert "20 business days" in label

    opened = await room.press(custom_id, reply_id(room))
    assert opened["type"] == 9  # the form
    form = opened["data"]
    # Each input in a Label component (type 18), labels within Discord's 45 characters.
    assert {label["type"] for label in form["components"]} == {18}
    assert all(len(label["label"]) <= 45 for label in form["components"])
    fields = {label["component"]["custom_id"]: label["component"].get("value")
              for label in form["components"]}  # fmt: skip
    assert fields["title"] == "The districts have 20 business days to respond"
    assert fields["when"] == "20 business days"
    assert fields["counting"] == "business"
    # Read against the text's date line (Thu 2025-07-17): "on Tuesday" is Jul 15.
    assert fields["start"] == "2025-07-15"

    assert fields["channel"] in (None, "")  # blank: the server's alert channel, else here
    wrong = await room.fake.send_modal_submit(
        room.guild.id, room.general, room.alice.id, form["custom_id"],
        {**fields, "channel": "#nowhere"},
    )  # fmt: skip
    assert "no text channel '#nowhere'" in (await wrong.response(timeout=10))["data"]["content"]
    submitted = await room.fake.send_modal_submit(
        room.guild.id, room.general, room.alice.id, form["custom_id"],
        {**fields, "title": "Districts' invoices", "channel": "#alerts"},
    )  # fmt: skip
    added = await submitted.response(timeout=10)
    assert added["data"]["embeds"][0]["title"] == "#1 Districts' invoices"
    assert await stored(room) == [("Districts' invoices", "2025-08-12")]
    assert (await room.deadline(1)).channel_id == int(room.alerts)

    other = await room.fake.send_modal_submit(
        room.guild.id, room.general, room.bob.id, form["custom_id"], {**fields, "channel": ""}
    )
    assert "only the member who opened" in (await other.response(timeout=10))["data"]["content"]


async def test_track_deadline_on_a_message_without_one_says_so(room: Newsroom) -> None:
    posted = await room.fake.send_user_message(room.general, room.alice.id, "Lunch at noon?")
    handle = await room.fake.send_message_command(
        room.guild.id, room.general, room.alice.id, "Track deadline", posted["id"]
    )
    answer = await handle.response(timeout=10)
    assert answer["data"]["flags"] & EPHEMERAL
    assert "found no deadline" in answer["data"]["content"]


async def test_track_deadline_says_how_many_it_found_when_it_shows_fewer(room: Newsroom) -> None:
    agencies = ["county", "city", "state", "school district", "sheriff", "jail", "DMV", "port",
                "water board", "zoo", "library", "court"]  # fmt: skip
    text = "date 2025-07-17\n" + " ".join(
        f"The {agency} has {10 * (n + 1)} days to respond." for n, agency in enumerate(agencies)
    )
    posted = await room.fake.send_user_message(room.general, room.alice.id, text)
    handle = await room.fake.send_message_command(
        room.guild.id, room.general, room.alice.id, "Track deadline", posted["id"]
    )
    listed = await handle.response(timeout=10)
    content = listed["data"]["content"]
    assert content.startswith("\U0001f50e I found 12 deadlines there; here are the first 10.")
    assert "The other 2 are not shown" in content
    assert len(buttons(listed)) == 10  # one each, in two rows of Discord's five
