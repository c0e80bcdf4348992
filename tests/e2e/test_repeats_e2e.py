"""Repeating deadlines (issue 18) through the real client and the fake Discord: status shows
the rule and the next three dates, done makes the next occurrence current, edit changes the
rule, stop-repeating ends it, and after downtime a missed occurrence is listed as missed with
its overdue alert posted once while the next one is current."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from newsroom import Newsroom, open_newsroom

JAIL = "Jail population report, every month on the 10th"


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with open_newsroom(tmp_path) as opened:
        yield opened


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def embed_of(response: dict[str, Any]) -> dict[str, Any]:
    embeds: list[dict[str, Any]] = response["data"]["embeds"]
    return embeds[0]


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}


async def test_a_monthly_report_through_done_edit_and_stop(room: Newsroom) -> None:
    added = embed_of(await room.command(
        "add", {"text": JAIL, "from": "2025-07-17", "counting": "roll", "channel": room.alerts}
    ))  # fmt: skip
    assert added["description"].startswith("**Due Mon 2025-08-11**")  # Sunday the 10th, rolled
    status = embed_of(await room.command("status", {"deadline": "1"}))
    repeats = fields(status)["Repeats"]
    assert "every month on the 10th (`RRULE:FREQ=MONTHLY;BYMONTHDAY=10`)" in repeats
    assert "Next: Mon 2025-08-11, Wed 2025-09-10, Fri 2025-10-10" in repeats
    listed = embed_of(await room.command("list"))
    assert "**#1** Jail population report \U0001f501" in listed["description"]

    done = await room.command("done", {"deadline": "1", "note": "filed"})
    assert "Next occurrence: #2" in done["data"]["content"]
    nxt = await room.deadline(2)
    assert (nxt.due, nxt.title, nxt.repeating) == (dt.date(2025, 9, 10), JAIL.split(",")[0], True)
    listed = embed_of(await room.command("list"))
    assert "#2" in listed["description"]
    assert "#1" not in listed["description"]

    edited = embed_of(
        await room.command("edit", {"deadline": "2", "repeat": "every month on the 15th"})
    )
    assert edited["description"].startswith("**Due Fri 2025-08-15**")  # from today, Jul 17
    assert (await room.deadline(2)).recurrence.rrule == "FREQ=MONTHLY;BYMONTHDAY=15"  # type: ignore[union-attr]

    refused = await room.command("stop-repeating", {"deadline": "2"}, user=room.bob)
    assert "you cannot change #2" in refused["data"]["content"]
    stopped = embed_of(await room.command("stop-repeating", {"deadline": "2"}))
    assert "Repeats" not in fields(stopped)
    assert (await room.deadline(2)).recurrence is None
    again = await room.command("stop-repeating", {"deadline": "2"})
    assert "#2 does not repeat" in again["data"]["content"]


async def test_a_missed_occurrence_after_downtime_is_listed_and_alerted_once(
    room: Newsroom,
) -> None:
    await room.command(
        "add", {"text": "Council agenda, every Tuesday", "from": "2025-07-17",
                "channel": room.alerts},
    )  # fmt: skip
    assert (await room.deadline(1)).due == dt.date(2025, 7, 22)
    await room.stop()
    room.clock.set(at(2025, 7, 24, 14, 0))  # Thu 10:00 New York: the 22nd is a day past grace
    await room.start()
    await room.settle()
    missed = await room.deadline(1)
    assert missed.missed(now=room.clock.now())
    assert missed.next_id == 2
    current = await room.deadline(2)
    assert (current.due, current.repeating) == (dt.date(2025, 7, 29), True)
    actions = [a for a, _ in await room.history(1)]
    assert "missed" in actions
    listed = embed_of(await room.command("list"))
    assert "**MISSED** (next: #2) **#1**" in listed["description"]
    # The missed occurrence's catch-up alert went out once, saying it is overdue.
    posted = [m for m in room.fake.messages_in(room.alerts) if "Council agenda" in str(m)]
    overdue = [m for m in posted if "OVERDUE" in str(m) and "Tue 2025-07-22" in str(m)]
    assert len(overdue) == 1
    # Another start changes nothing more.
    await room.restart()
    await room.settle()
    assert (await room.services.deadlines.page(int(room.guild.id))).total == 2
