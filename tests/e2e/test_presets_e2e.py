"""`/deadline add preset:` and `/deadline calc preset:` through the real client and the fake
Discord: autocomplete, the law's due date and citation, and the allowed extension's button."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from newsroom import EPHEMERAL, Newsroom, open_newsroom


@pytest.fixture
async def newsroom(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with open_newsroom(tmp_path) as room:
        yield room


def embed_of(response: dict[str, Any]) -> dict[str, Any]:
    embeds: list[dict[str, Any]] = response["data"]["embeds"]
    return embeds[0]


async def test_preset_autocomplete_names_the_laws(newsroom: Newsroom) -> None:
    handle = await newsroom.fake.send_autocomplete(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "deadline add",
        {"preset": "calif"}, "preset",
    )  # fmt: skip
    choices = (await handle.response())["data"]["choices"]
    assert choices == [{"name": "California - CPRA", "value": "ca"}]
    handle = await newsroom.fake.send_autocomplete(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "deadline calc",
        {"preset": ""}, "preset",
    )  # fmt: skip
    choices = (await handle.response())["data"]["choices"]
    assert len(choices) == 25
    assert choices[0] == {"name": "Federal - FOIA", "value": "us-foia"}


async def test_add_with_a_preset_counts_as_the_law_says_and_offers_its_extension(
    newsroom: Newsroom,
) -> None:
    # CPRA: Thu Jul 17 + 10 days = Sun Jul 27, rolled to Mon Jul 28; +14 days = Mon Aug 11.
    response = await newsroom.command(
        "add", {"text": "LA County jail contracts", "from": "2025-07-17", "preset": "ca"}
    )
    assert not response["data"].get("flags", 0) & EPHEMERAL
    embed = embed_of(response)
    assert embed["title"] == "#1 LA County jail contracts"
    assert "Mon 2025-07-28" in embed["description"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert "Cal. Gov. Code § 7922.535(a)" in fields["How it was counted"]
    assert "14 calendar days: to Mon 2025-08-11" in fields["Extension allowed"]
    # The 7-day reminder (Mon Jul 21, 09:00 New York) carries the allowed extension's button.
    await newsroom.move_to(dt.datetime(2025, 7, 21, 13, 0, tzinfo=dt.UTC))
    (alert,) = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.general}/messages")
    buttons = [c for row in alert.json["components"] for c in row["components"]]
    allowed = [b for b in buttons if b["custom_id"].startswith("dd:allowed:")]
    assert [b["label"] for b in allowed] == ["Extend to Mon 2025-08-11 (allowed)"]
    alert_fields = {f["name"]: f["value"] for f in alert.json["embeds"][0]["fields"]}
    assert alert_fields["Extension allowed"] == "14 calendar days: to Mon 2025-08-11"
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, alert.response["id"],
        allowed[0]["custom_id"],
    )  # fmt: skip
    reply = await pressed.response()
    assert "Mon 2025-08-11" in reply["data"]["content"]


async def test_calc_with_a_preset_and_refusals(newsroom: Newsroom) -> None:
    # Federal FOIA from Thu Nov 20: 20 working days, Thanksgiving skipped -> Fri Dec 19.
    response = await newsroom.command("calc", {"from": "2025-11-20", "preset": "us-foia"})
    assert response["data"]["flags"] & EPHEMERAL
    assert "Fri 2025-12-19" in embed_of(response)["description"]
    response = await newsroom.command("calc", {"text": "Sheriff emails", "preset": "fl"})
    assert "Florida's law sets no fixed period" in response["data"]["content"]
    response = await newsroom.command("calc", {"preset": "ca", "counting": "business"})
    assert "leave out `counting`" in response["data"]["content"]
    response = await newsroom.command("add", {"link": "https://example.org"})
    assert "pick a preset" in response["data"]["content"]
