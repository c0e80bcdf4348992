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
    assert "Cal. Gov. Code § 7922.535(b)" in fields["Extension allowed"]
    # California's day ends in California, though the server is in New York.
    assert "days end in America/Los_Angeles" in fields["Counting"]
    deadline = await newsroom.deadline(1)
    assert deadline.due_at == dt.datetime(2025, 7, 29, 6, 59, 59, tzinfo=dt.UTC)
    # The 7-day reminder comes at the alert time in the deadline's zone (Mon Jul 21, 09:00
    # Los Angeles = 16:00 UTC), with the allowed extension's button naming the law.
    await newsroom.move_to(dt.datetime(2025, 7, 21, 15, 59, tzinfo=dt.UTC))
    assert newsroom.fake.requests_to("POST", rf"/channels/{newsroom.general}/messages") == []
    await newsroom.move_to(dt.datetime(2025, 7, 21, 16, 0, tzinfo=dt.UTC))
    (alert,) = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.general}/messages")
    buttons = [c for row in alert.json["components"] for c in row["components"]]
    allowed = [b for b in buttons if b["custom_id"].startswith("dd:allowed:")]
    # 77 characters: within Discord's 80 for a label (the fake refuses more).
    label = "Extend to Mon 2025-08-11: unusual circumstances, Cal. Gov. Code § 7922.535(b)"
    assert [b["label"] for b in allowed] == [label]
    alert_fields = {f["name"]: f["value"] for f in alert.json["embeds"][0]["fields"]}
    assert alert_fields["Extension allowed"] == (
        "14 calendar days: to Mon 2025-08-11 (unusual circumstances, by written notice, "
        "Cal. Gov. Code § 7922.535(b))"
    )
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, alert.response["id"],
        allowed[0]["custom_id"],
    )  # fmt: skip
    reply = await pressed.response()
    assert "Mon 2025-08-11" in reply["data"]["content"]
    assert "Cal. Gov. Code § 7922.535(b)" in reply["data"]["content"]
    # History records the law's reason and citation.
    (extended,) = [d for a, d in await newsroom.history(1) if a == "extended"]
    assert extended == (
        "by 14 calendar days: from Mon 2025-07-28 to Mon 2025-08-11 (unusual circumstances, "
        "by written notice, Cal. Gov. Code § 7922.535(b))"
    )


async def test_a_new_york_request_through_its_stages(newsroom: Newsroom) -> None:
    # FOIL from Thu 2025-07-17: acknowledge in 5 business days -> Thu Jul 24; then grant or
    # deny within 20 business days of the acknowledgment (Aug 21 if it came on Jul 24).
    response = await newsroom.command(
        "add", {"text": "NYPD overtime records", "from": "2025-07-17", "preset": "ny"}
    )
    fields = {f["name"]: f["value"] for f in embed_of(response)["fields"]}
    assert (
        "**1. acknowledge: 5 business days from receipt, due Thu 2025-07-24**" in (fields["Stages"])
    )
    assert "2. grant or deny: 20 business days from the acknowledgment" in fields["Stages"]
    assert "by Thu 2025-08-21 if that is its due date, or nobody marks it" in fields["Stages"]
    # The 3-day reminder (Mon Jul 21, 09:00 New York) names the stage and what comes next.
    await newsroom.move_to(dt.datetime(2025, 7, 21, 13, 0, tzinfo=dt.UTC))
    (alert,) = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.general}/messages")[-1:]
    alert_fields = {f["name"]: f["value"] for f in alert.json["embeds"][0]["fields"]}
    assert alert_fields["Stage"] == (
        "Stage 1 of 2: acknowledge (N.Y. Pub. Off. Law § 89(3)(a)); then: grant or deny, "
        "20 business days from the acknowledgment"
    )
    # The agency acknowledged early, on Tue Jul 22: marked done that day, the next stage
    # counts from it: Jul 23, 24, 25 (3), 28-Aug 1 (8), 4-8 (13), 11-15 (18), 18, 19 (20).
    await newsroom.move_to(dt.datetime(2025, 7, 22, 15, 0, tzinfo=dt.UTC))
    response = await newsroom.command("done", {"deadline": 1, "note": "acknowledged by email"})
    content = response["data"]["content"]
    assert "stage 1 done" in content
    assert "Now in stage 2 of 2: grant or deny" in content
    assert "Tue 2025-08-19" in content
    response = await newsroom.command("status", {"deadline": 1})
    embed = embed_of(response)
    assert "Tue 2025-08-19" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "\u2714\ufe0f 1. acknowledge" in fields["Stages"]
    assert (
        "**2. grant or deny: 20 business days from the acknowledgment, due Tue 2025-08-19**"
        in (fields["Stages"])
    )
    assert "stage done by" in fields["History"]
    (moved,) = [d for a, d in await newsroom.history(1) if a == "stage done"]
    assert moved == (
        "stage 1 of 2 (acknowledge) done on Tue 2025-07-22: now stage 2 of 2 (grant or deny), "
        "due Tue 2025-08-19: 20 business days from Tue 2025-07-22 (N.Y. Pub. Off. Law § "
        "89(3)(a)) (acknowledged by email)"
    )
    # The last stage done closes it.
    response = await newsroom.command("done", {"deadline": 1})
    assert response["data"]["content"].endswith("is done.")
    assert (await newsroom.deadline(1)).status.value == "done"


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


async def test_mark_done_on_an_alert_of_a_stage_already_over_marks_nothing(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("add", {"text": "Jail contracts", "from": "2025-07-17", "preset": "ny"})
    # The 3-day reminder of stage 1 (Mon Jul 21, 09:00 New York), with its Mark done button.
    await newsroom.move_to(dt.datetime(2025, 7, 21, 13, 0, tzinfo=dt.UTC))
    alert = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.general}/messages")[-1]
    buttons = [c for row in alert.json["components"] for c in row["components"]]
    (done,) = [b["custom_id"] for b in buttons if b["custom_id"].startswith("dd:done:")]
    assert done.endswith(":s0")  # posted for stage 1
    # Stage 1 is marked done by command; then someone presses the old alert's button.
    await newsroom.command("done", {"deadline": 1})
    assert (await newsroom.deadline(1)).stage == 1
    reply = await newsroom.press(done, alert.response["id"])
    assert "this alert was for stage 1 of #1, which is over" in reply["data"]["content"]
    assert "nothing was marked done" in reply["data"]["content"]
    deadline = await newsroom.deadline(1)
    assert (deadline.status.value, deadline.stage) == ("active", 1)
    # A fresh alert's button is for stage 2, and closes it: due today, Mon Aug 18 (20
    # business days from Mon Jul 21: Jul 22-25 (4), Jul 28-Aug 1 (9), 4-8 (14), 11-15 (19)).
    await newsroom.move_to(dt.datetime(2025, 8, 18, 13, 0, tzinfo=dt.UTC))
    alert = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.general}/messages")[-1]
    buttons = [c for row in alert.json["components"] for c in row["components"]]
    (done,) = [b["custom_id"] for b in buttons if b["custom_id"].startswith("dd:done:")]
    assert done.endswith(":s1")
    reply = await newsroom.press(done, alert.response["id"])
    assert (await newsroom.deadline(1)).status.value == "done"
