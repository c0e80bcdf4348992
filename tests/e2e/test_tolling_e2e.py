"""`/deadline pause` and `/deadline resume` (tolling, issue 17 part 5) through the real client
and the fake Discord: the clock and the alerts stop, the list says paused, not overdue, and
resuming counts the business days that were left from the day it restarts."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from newsroom import Newsroom, open_newsroom


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with open_newsroom(tmp_path) as opened:
        yield opened


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def embed_of(response: dict[str, Any]) -> dict[str, Any]:
    embeds: list[dict[str, Any]] = response["data"]["embeds"]
    return embeds[0]


async def test_pause_and_resume_a_foia_request(room: Newsroom) -> None:
    # 20 business days from Thu 2025-07-17: due Thu 2025-08-14.
    await room.command(
        "add", {"text": "FBI FOIA, 20 business days", "from": "2025-07-17", "channel": room.alerts}
    )
    room.clock.set(at(2025, 8, 4, 14, 0))  # Mon 10:00 New York: 8 business days left
    refused = await room.command("pause", {"deadline": "1"}, user=room.bob)
    assert "you cannot change #1" in refused["data"]["content"]

    paused = await room.command(
        "pause", {"deadline": "1", "reason": "agency asked to narrow the request"}
    )
    assert "paused with 8 business days left" in paused["data"]["content"]
    status = embed_of(await room.command("status", {"deadline": "1"}))
    assert status["description"].startswith("**PAUSED** \u2014 paused since <t:")
    assert "8 business days left (was due Thu 2025-08-14)" in status["description"]
    history = {f["name"]: f["value"] for f in status["fields"]}["History"]
    assert f"paused by <@{room.alice.id}>: 8 business days left" in history
    assert "agency asked to narrow the request" in history

    # The 7-day reminder (Thu Aug 7), the due date and the overdue days all pass: no alert.
    await room.move_to(at(2025, 8, 29, 14, 0))  # Fri 10:00 New York
    assert room.fake.messages_in(room.alerts) == []
    listed = embed_of(await room.command("list", {"show": "overdue"}))
    assert listed["description"].startswith("Nothing here")
    listed = embed_of(await room.command("list"))
    assert "paused" in listed["description"]
    assert "OVERDUE" not in listed["description"]

    resumed = await room.command("resume", {"deadline": "1", "reason": "request narrowed"})
    # 8 business days after Fri Aug 29: the weekend and Labor Day (Mon Sep 1) skipped.
    assert "running again: **Due Thu 2025-09-11**" in resumed["data"]["content"]
    assert (await room.deadline(1)).due == dt.date(2025, 9, 11)
    actions = await room.history(1)
    assert ("resumed", "paused since Mon 2025-08-04, 8 business days left: due Thu 2025-09-11 "
            "(was Thu 2025-08-14) (request narrowed)") in actions  # fmt: skip
    await room.move_to(at(2025, 9, 4, 13, 0, 1))  # 7 days before the new due date, 09:00
    (alert,) = room.fake.messages_in(room.alerts)
    assert "Thu 2025-09-11" in str(alert["embeds"])
